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
                     value(_M, "msc_first") + value(_M, "placebo_first"),
                     f"{value(_M, 'msc_first')} + {value(_M, 'placebo_first')}", "MESEMS abstract"))
    est_t, lo_t, hi_t = printed(_M, "rate_ratio"), printed(_M, "rate_ratio_lower"), printed(_M, "rate_ratio_upper")
    centre = math.sqrt(float(lo_t) * float(hi_t))
    c_lo, c_hi = rounding_band_of_centre(lo_t, hi_t)
    out.append(Check("MESEMS: rate ratio = geometric centre of its interval", est_t, centre,
                     f"√({lo_t} × {hi_t})", where_m, tolerance=0.005 + max(centre - c_lo, c_hi - centre),
                     note="tolerance: rounding of the ratio and of both limits"))
    lr = log_ratio(float(est_t), float(lo_t), float(hi_t))
    p = float(p_for_ratio(lr, 1.0))
    p_lo, p_hi = p_range_under_rounding(est_t, lo_t, hi_t)
    out.append(Check("MESEMS: p from the interval (Altman & Bland)", printed(_M, "rate_ratio_p"), p,
                     f"SE = (ln {hi_t} − ln {lo_t})/3.92; z = ln {est_t} / SE", where_m,
                     tolerance=0.005 + max(p - p_lo, p_hi - p),
                     note=f"rounded inputs allow p from {p_lo:.3f} to {p_hi:.3f}"))
    # --- the 2020 systematic review
    out.append(Check("Review: manuscripts = uncontrolled + randomized + case report", printed(_U, "review_manuscripts"),
                     sum(value(_U, q) for q in ("review_uncontrolled", "review_randomized", "review_case_reports")),
                     " + ".join(printed(_U, q) for q in ("review_uncontrolled", "review_randomized", "review_case_reports")),
                     "summary, 'Limited and Conflicting Clinical Data'"))
    n_rev = sum(value(_U, q) for q in ("review_edss_improved", "review_edss_stable", "review_edss_worse"))
    out.append(Check("Review: patients with an EDSS category", None, n_rev,
                     " + ".join(printed(_U, f"review_edss_{c}") for c in ("improved", "stable", "worse")),
                     "summary, 'Limited and Conflicting Clinical Data'",
                     note="no total, follow-up time or definition of change is given to check against"))
    # --- Bonab 2012
    cats = sum(value(_U, q) for q in ("bonab_improved", "bonab_unchanged", "bonab_worse"))
    out.append(Check("Bonab: assessed = treated − left the study", printed(_U, "bonab_assessed"),
                     value(_U, "bonab_treated") - value(_U, "bonab_left"),
                     f"{printed(_U, 'bonab_treated')} − {printed(_U, 'bonab_left')}", "Bonab 2012 abstract"))
    cats_how = " + ".join(printed(_U, q) for q in ("bonab_improved", "bonab_unchanged", "bonab_worse"))
    out.append(Check("Bonab: categories add up to those assessed", printed(_U, "bonab_assessed"), cats,
                     cats_how, "Bonab 2012 abstract"))
    out.append(Check("Summary: categories add up to the patients it names", printed(_U, "bonab_treated"), cats,
                     cats_how, "summary, 'Limited and Conflicting Clinical Data'",
                     note=f"the summary omits the {printed(_U, 'bonab_left')} who left: {printed(_U, 'bonab_improved')} of "
                          f"{printed(_U, 'bonab_assessed')} improved, not {printed(_U, 'bonab_improved')} of {printed(_U, 'bonab_treated')}"))
    # --- Iacobaeus 2019
    out.append(Check("Iacobaeus: worse at 48 weeks, % of completers", None,
                     percentage(value(_U, "iacobaeus_worse_48w"), value(_U, "iacobaeus_completed_48w")),
                     f"100 × {printed(_U, 'iacobaeus_worse_48w')}/{printed(_U, 'iacobaeus_completed_48w')}",
                     "summary; Iacobaeus 2019 abstract",
                     note=f"no percentage printed; {printed(_U, 'iacobaeus_worse_48w')} of {printed(_U, 'iacobaeus_treated')} treated "
                          f"({percentage(value(_U, 'iacobaeus_worse_48w'), value(_U, 'iacobaeus_treated')):.0f}%) if the "
                          f"{value(_U, 'iacobaeus_treated') - value(_U, 'iacobaeus_completed_48w')} not followed are counted"))
    # --- AHSCT
    out.append(Check("Summary: AHSCT progression-free survival at 10 years", printed(_A, "summary_claim_pfs_10y"), None,
                     "no publication with this figure found", "summary, 'The Proven Alternative'",
                     note=f"Silfverberg 2024: NEDA {printed(_A, 'silfverberg_neda_10y')} at 10 years"))
    out.append(Check("Summary's figure vs Burman 2014 EDSS progression-free survival at 5 years",
                     printed(_A, "summary_claim_pfs_10y"), value(_A, "burman_edss_progression_free_5y"),
                     "Burman 2014, 5-year EDSS progression-free", "Burman 2014 abstract",
                     note="the summary's figure equals Burman's 5-year relapse-free survival: other endpoint, half the time"))
    out.append(Check("Summary's figure vs Burman 2014 relapse-free survival at 5 years",
                     printed(_A, "summary_claim_pfs_10y"), value(_A, "burman_relapse_free_5y"),
                     "Burman 2014, 5-year relapse-free", "Burman 2014 abstract",
                     note="same number, but relapse-free (not progression-free) and at 5 (not 10) years"))
    return out
