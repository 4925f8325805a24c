"""The number audit of the multiple-sclerosis chapter: every checkable number of the MS source.

:func:`checks` builds the list of :class:`appraisal.audit.Check` from the tables in
``data/`` (MESEMS, the uncontrolled studies, AHSCT); :func:`appraisal.audit.audit`
turns it into the chapter's table. Keeping the list here lets the tests pin each
verdict.
"""

from __future__ import annotations

import math

from .audit import Check
from .data import printed, value
from .equivalence import log_ratio, p_for_ratio, p_range_under_rounding
from .recompute import percentage

__all__ = ["rounding_band_of_centre", "checks"]

_M, _U, _A = "mesems2021_results", "ms_uncontrolled_results", "ahsct_results"


def rounding_band_of_centre(lower: str, upper: str) -> tuple[float, float]:
    """Range of the geometric centre √(L·U) when L and U may be anywhere within their printed rounding."""
    from decimal import Decimal

    def half(t: str) -> float:
        return 0.5 * 10.0 ** Decimal(t).as_tuple().exponent

    lo, hi = float(lower), float(upper)
    if lo <= 0 or hi <= lo:
        raise ValueError(f"lower={lower!r} is not allowed: lower must be positive and below upper={upper!r}.")
    return math.sqrt((lo - half(lower)) * (hi - half(upper))), math.sqrt((lo + half(lower)) * (hi + half(upper)))


def checks() -> list[Check]:
    """Every check of the chapter's audit, in the order the chapter shows them."""
    out: list[Check] = []
    where_m = "MESEMS abstract; summary ¶1"
    # --- MESEMS
    out.append(Check("MESEMS: randomized = MSC first + placebo first", printed(_M, "randomized"),
                     value(_M, "msc_first") + value(_M, "placebo_first"), "69 + 75", "MESEMS abstract"))
    est_t, lo_t, hi_t = printed(_M, "rate_ratio"), printed(_M, "rate_ratio_lower"), printed(_M, "rate_ratio_upper")
    centre = math.sqrt(float(lo_t) * float(hi_t))
    c_lo, c_hi = rounding_band_of_centre(lo_t, hi_t)
    out.append(Check("MESEMS: rate ratio = geometric centre of its interval", est_t, centre,
                     "√(0.58 × 1.50)", where_m, tolerance=0.005 + max(centre - c_lo, c_hi - centre),
                     note="tolerance: rounding of the ratio and of both limits"))
    lr = log_ratio(float(est_t), float(lo_t), float(hi_t))
    p = float(p_for_ratio(lr, 1.0))
    p_lo, p_hi = p_range_under_rounding(est_t, lo_t, hi_t)
    out.append(Check("MESEMS: p from the interval (Altman & Bland)", printed(_M, "rate_ratio_p"), p,
                     "SE = (ln 1.50 − ln 0.58)/3.92; z = ln 0.94 / SE", where_m,
                     tolerance=0.005 + max(p - p_lo, p_hi - p),
                     note=f"rounded inputs allow p from {p_lo:.3f} to {p_hi:.3f}"))
    # --- the 2020 systematic review
    out.append(Check("Review: manuscripts = uncontrolled + randomized + case report", printed(_U, "review_manuscripts"),
                     sum(value(_U, q) for q in ("review_uncontrolled", "review_randomized", "review_case_reports")),
                     "7 + 2 + 1", "summary, 'Limited and Conflicting Clinical Data'"))
    n_rev = sum(value(_U, q) for q in ("review_edss_improved", "review_edss_stable", "review_edss_worse"))
    out.append(Check("Review: patients with an EDSS category", None, n_rev, "48 + 39 + 16",
                     "summary, 'Limited and Conflicting Clinical Data'",
                     note="no total, follow-up time or definition of change is given to check against"))
    # --- Bonab 2012
    cats = sum(value(_U, q) for q in ("bonab_improved", "bonab_unchanged", "bonab_worse"))
    out.append(Check("Bonab: assessed = treated − left the study", printed(_U, "bonab_assessed"),
                     value(_U, "bonab_treated") - value(_U, "bonab_left"), "25 − 3", "Bonab 2012 abstract"))
    out.append(Check("Bonab: categories add up to those assessed", printed(_U, "bonab_assessed"), cats,
                     "4 + 12 + 6", "Bonab 2012 abstract"))
    out.append(Check("Summary: categories add up to the 25 patients it names", printed(_U, "bonab_treated"), cats,
                     "4 + 12 + 6", "summary, 'Limited and Conflicting Clinical Data'",
                     note="the summary omits the 3 who left: 4 of 22 improved, not 4 of 25"))
    # --- Iacobaeus 2019
    out.append(Check("Iacobaeus: worse at 48 weeks, % of completers", None,
                     percentage(value(_U, "iacobaeus_worse_48w"), value(_U, "iacobaeus_completed_48w")),
                     "100 × 3/5", "summary; Iacobaeus 2019 abstract",
                     note="no percentage printed; 3 of 7 treated (43%) if the 2 not followed are counted"))
    # --- AHSCT
    out.append(Check("Summary: AHSCT 87% progression-free at 10 years", printed(_A, "summary_claim_pfs_10y"), None,
                     "no publication with this figure found", "summary, 'The Proven Alternative'",
                     note="Silfverberg 2024: NEDA 65% at 10 years"))
    out.append(Check("Summary's 87% vs Burman 2014 EDSS progression-free survival at 5 years",
                     printed(_A, "summary_claim_pfs_10y"), value(_A, "burman_edss_progression_free_5y"),
                     "Burman 2014, 5-year EDSS progression-free", "Burman 2014 abstract",
                     note="87% is Burman's 5-year relapse-free survival: other endpoint, half the time"))
    out.append(Check("Summary's 87% vs Burman 2014 relapse-free survival at 5 years",
                     printed(_A, "summary_claim_pfs_10y"), value(_A, "burman_relapse_free_5y"),
                     "Burman 2014, 5-year relapse-free", "Burman 2014 abstract",
                     note="same number, but relapse-free (not progression-free) and at 5 (not 10) years"))
    return out
