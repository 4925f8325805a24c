"""Helper package of the MSC evidence-appraisal book.

Two layers:

* **methods**, named by idea, usable by any chapter: :mod:`.data`, :mod:`.recompute`,
  :mod:`.audit`, :mod:`.equivalence`, :mod:`.matching`, :mod:`.multiple_testing`, :mod:`.ppv`,
  :mod:`.progression`, :mod:`.reconstruct`, :mod:`.sample_size`, :mod:`.scales`,
  :mod:`.twobytwo`, :mod:`.evidence`, :mod:`.plots`, :mod:`.simulate` and :mod:`.widgets`;
* **studies**, one module per source under :mod:`.studies` (``appraisal.studies.petrou2021`` is
  the code of the Petrou chapter).

Methods never import studies.
"""
