"""Study layer: one module per source, named like that source's tables in ``data/``.

Each module holds one study's audits, claim checks and figures, and nothing generic:

* :mod:`.barczewska2020` – Wharton's-jelly MSCs vs PRO-ACT reference patients (ALS);
* :mod:`.petrou2021` – repeated intrathecal autologous MSCs, open-label phase II (ALS);
* :mod:`.mesems2021` – the MESEMS crossover trial, the uncontrolled MS studies and AHSCT (MS);
* :mod:`.alkhazaali2024` – the 15-patient biomarker preprint (ALS);
* :mod:`.debamestrocel` – the debamestrocel (NurOwn) phase 3 the rationale chapter leans on (ALS);
* :mod:`.rationale` – the UC-MSC + DFPP commentary: its claims ladder and headline results.

Study modules may import the method modules (``appraisal.recompute``, ``appraisal.audit``, …);
method modules never import a study module (``tests/test_layers.py`` checks this).
"""
