"""Study code of the biomarker preprint (Alkhazaali et al. 2024): its number audit and claims ledger.

Reads ``data/alkhazaali2024_results`` only. The abstract prints two p-values and no
effect sizes, so :func:`checks` records what each number would need before it could be
recomputed; :func:`claims_ledger` sets each claim (paraphrased) beside the evidence the
abstract offers and what a 15-patient, one-arm design can support.

The ledger does not take over the authors' word "diagnostic": a diagnostic biomarker
detects or confirms a disease (it separates people with ALS from people without it), and
a before–after series of treated patients measures no one without ALS. A marker that
moves after a treatment is, at most, a pharmacodynamic (response) or monitoring biomarker
in the FDA–NIH BEST vocabulary (BEST Resource, 2016), and even that needs a control group to
show the treatment moved it.
"""

from __future__ import annotations

import pandas as pd

from .. import data
from ..audit import Check

__all__ = ["TABLE", "checks", "claims_ledger"]

TABLE = "alkhazaali2024_results"


def checks(name: str = TABLE) -> list[Check]:
    """One :class:`appraisal.audit.Check` per printed p-value; none can be recomputed from the abstract."""
    rep = data.reported(name)
    month_a, month_b = data.value(name, "baseline_month"), data.value(name, "comparison_month")
    return [
        Check(f"CSF TNF-α, month {month_b} vs month {month_a}: p", data.printed(name, "p_tnf_alpha_csf"), None,
              "needs the test used and the paired values (or mean change and its SD)",
              rep.loc["p_tnf_alpha_csf", "location"]),
        Check("all other markers: p", data.printed(name, "p_other_markers"), None,
              "needs the list of markers and their paired values",
              rep.loc["p_other_markers", "location"]),
    ]


def claims_ledger(name: str = TABLE) -> pd.DataFrame:
    """The preprint's claims (paraphrased), the evidence offered for each, and what the design supports."""
    n = data.value(name, "n_patients")
    p_others = data.value(name, "p_other_markers")
    follow_up = data.value(name, "follow_up_months")
    month_a, month_b = data.value(name, "baseline_month"), data.value(name, "comparison_month")
    rows = [
        (f"CSF TNF-α fell between month {month_a} and month {month_b}",
         f"one paired comparison in {n} patients, p printed as a bound",
         "that the measured values differed between the two samples, if sampling and assay were stable "
         "and if it is not a chance finding among an unstated number of tests; "
         "not why they differed (no control group), and not by how much (no effect size)"),
        ("No other marker changed significantly",
         f"p printed as above {p_others:g} for every other marker",
         f"little: with {n} patients a real but moderate change is often missed, "
         "so 'not significant' is not 'unchanged'"),
        ("The results can indicate a benefit of the cells",
         "the TNF-α change",
         "not supported: no clinical outcome is reported and no link between CSF TNF-α and "
         "how patients function or survive is shown"),
        ("The study suggests 'diagnostic' biomarkers (the authors' word)",
         f"the TNF-α change between two visits of {n} treated patients, all with ALS",
         "not a diagnostic marker: no one without ALS was measured, so nothing here tells patients from "
         "people without the disease. A marker that moves after treatment would be a pharmacodynamic "
         "(response) or monitoring marker, and whether the cells moved it is a hypothesis for a prespecified, controlled study"),
        ("The title promises an evaluation of safety",
         "not reported in the abstract: no adverse events, no counts",
         f"cannot be judged from the abstract; {n} patients over {follow_up} months can miss uncommon harms"),
        ("More studies are needed to confirm the results (the authors)",
         "the authors' own closing sentence",
         "agreed: the authors' call for confirmation fits the design better than their reading of benefit"),
    ]
    return pd.DataFrame(rows, columns=["claim (paraphrased)", "evidence offered", "what the design can support"])
