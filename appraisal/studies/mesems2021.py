"""The multiple-sclerosis chapter's study code: MESEMS (Uccelli et al. 2021), the uncontrolled MS studies and AHSCT.

Its number audit, :func:`checks`, builds the list of :class:`appraisal.audit.Check` from the tables in
``data/`` (MESEMS, the uncontrolled studies, AHSCT); :func:`appraisal.audit.audit`
turns it into the chapter's table. Keeping the list here lets the tests pin each
verdict. The chapter's figures (:func:`crossover_design`, :func:`compatibility`,
:func:`category_intervals`) each draw on a Matplotlib axes they are given.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import _checks as chk
from ..audit import Check
from ..data import printed, value
from ..equivalence import log_ratio, p_for_ratio, p_range_under_rounding
from ..pooling import Pooled, log_ratio_se_from_group_intervals, pool_ratios
from ..recompute import percentage

__all__ = ["rounding_band_of_centre", "pooled_lesion_trials", "imprecision_ratings", "checks", "crossover_design", "compatibility", "category_intervals"]

_M, _U, _A = "mesems2021_results", "ms_uncontrolled_results", "ahsct_results"


def rounding_band_of_centre(lower: str, upper: str) -> tuple[float, float]:
    """Range of the geometric centre √(L·U) when L and U may be anywhere within their printed rounding."""
    (lo, h_lo), (hi, h_hi) = chk.printed_number("lower", lower), chk.printed_number("upper", upper)
    if lo - h_lo <= 0 or hi <= lo:
        raise ValueError(f"lower={lower!r} is not allowed: lower must be positive and below upper={upper!r}.")
    return math.sqrt((lo - h_lo) * (hi - h_hi)), math.sqrt((lo + h_lo) * (hi + h_hi))


def pooled_lesion_trials() -> Pooled:
    """MESEMS pooled with Llufriu 2014 on enhancing lesions (the MS certainty rating's body of evidence).

    Both trials gave one intravenous dose of autologous bone-marrow MSCs against placebo and counted
    gadolinium-enhancing lesions over about six months. MESEMS enters as its published rate ratio, with
    the SE of the log ratio from its interval; Llufriu enters as the ratio of its two mean cumulative
    counts at 6 months. Those means are model-adjusted,
    not raw: Llufriu's 6-month result is a first-period comparison of its two randomized groups (5
    against 4, before the crossover), estimated by a negative binomial regression adjusted for baseline
    lesions, with the last observation carried forward for the one withdrawal; its sensitivity analysis
    without that imputation gives the same ratio (``llufriu_gel_*_nolocf`` in ``data/``). The SE comes
    from the two groups' own intervals
    (:func:`appraisal.pooling.log_ratio_se_from_group_intervals`; this reproduces its published p).
    Fixed-effect inverse-variance pooling with Cochran's Q and I², by statsmodels
    (:func:`appraisal.pooling.pool_ratios`).
    """
    t = "ms_randomized_trials"
    mesems = log_ratio(value(_M, "rate_ratio"), value(_M, "rate_ratio_lower"), value(_M, "rate_ratio_upper"))
    llufriu_ratio = value(t, "llufriu_gel_msc_6m") / value(t, "llufriu_gel_placebo_6m")
    llufriu_se = log_ratio_se_from_group_intervals(value(t, "llufriu_gel_msc_6m_lower"), value(t, "llufriu_gel_msc_6m_upper"),
                                                   value(t, "llufriu_gel_placebo_6m_lower"),
                                                   value(t, "llufriu_gel_placebo_6m_upper"))
    return pool_ratios([value(_M, "rate_ratio"), llufriu_ratio], [mesems.se, llufriu_se],
                       ["MESEMS (Uccelli 2021)", "Llufriu 2014"])


def imprecision_ratings(rate: float = 3.0) -> dict[str, dict]:
    """The book's one imprecision rule (:func:`appraisal.evidence.imprecision_rating`) for the MS question.

    Appreciable effects are a 30% reduction and its mirror increase; the information size is the
    total needed to exclude a 30% reduction with 80% power (:func:`appraisal.simulate.lesions.n_to_exclude`),
    with the overdispersion calibrated to MESEMS's interval at ``rate`` lesions per patient on placebo
    (the MS chapter's assumption). Returns the rating on three intervals: ``"fixed effect"`` (the one
    the rating uses, the model of the whole MS rating, with the two trials' disagreement rated under
    inconsistency), ``"random effects"`` (the sensitivity model, whose interval carries that
    disagreement; both pooled over MESEMS and Llufriu 2014) and ``"MESEMS alone"``.
    """
    from ..evidence import imprecision_rating
    from ..simulate import lesions as L

    rate = chk.positive("rate", rate)
    rr, lo, hi = value(_M, "rate_ratio"), value(_M, "rate_ratio_lower"), value(_M, "rate_ratio_upper")
    n1, n2 = int(value(_M, "msc_first")), int(value(_M, "placebo_first"))
    ois = L.n_to_exclude(0.7, 1.0, 0.8, rate, L.calibrate_dispersion(log_ratio(rr, lo, hi).se, n1, n2, ratio=rr, rate=rate))
    n_pool = n1 + n2 + int(value("ms_randomized_trials", "llufriu_randomized"))
    p = pooled_lesion_trials()

    def rate_it(lower, upper, n):
        return imprecision_rating(lower, upper, n=n, ois=ois, benefit="below", ratio_threshold=0.7)

    return {"fixed effect": rate_it(p.lower, p.upper, n_pool), "random effects": rate_it(p.lower_re, p.upper_re, n_pool),
            "MESEMS alone": rate_it(lo, hi, n1 + n2)}


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
                     note="a different endpoint: EDSS progression-free survival, the summary's wording, was lower at 5 years"))
    out.append(Check("Summary's figure vs Burman 2014 relapse-free survival at 5 years",
                     printed(_A, "summary_claim_pfs_10y"), value(_A, "burman_relapse_free_5y"),
                     "Burman 2014, 5-year relapse-free", "Burman 2014 abstract",
                     note="same number, but relapse-free (not progression-free) and at 5 (not 10) years; "
                          "whether the summary took it from here is unknown"))
    out.append(Check("Summary's figure vs HALT-MS relapse-free survival at 5 years",
                     printed(_A, "summary_claim_pfs_10y"), value(_A, "haltms_relapse_free_5y"),
                     "Nash 2017 (HALT-MS), 5-year clinical relapse-free survival", "Nash 2017 abstract",
                     tolerance=0.5, note="equal after rounding: a second candidate source, also relapse-free and at 5 years"))
    return out


# --- figures of the chapter (each draws on a Matplotlib axes it is given) ---



def crossover_design(ax, msc_first: int, placebo_first: int, crossover_week: float, followup_weeks: float,
                     scan_weeks=(4, 12, 24)) -> None:
    """Draw the two-sequence crossover and shade the window of the primary comparison.

    The primary efficacy analysis compared the two randomized groups over the first
    period (weeks 0 to ``crossover_week``, scans at ``scan_weeks``); the secondary within-patient
    comparisons set each patient's second period against the first, so they use both periods.
    The second period's scans
    are drawn with the same offsets after the crossover (hollow markers), an assumption
    the legend states.
    """
    chk.axes("ax", ax)
    scan_weeks = [chk.positive(f"scan_weeks[{i}]", s) for i, s in enumerate(chk.string_list("scan_weeks", scan_weeks))]
    msc_first = chk.integer("msc_first", msc_first, low=1)
    placebo_first = chk.integer("placebo_first", placebo_first, low=1)
    crossover_week = chk.positive("crossover_week", crossover_week)
    followup_weeks = chk.positive("followup_weeks", followup_weeks)
    if followup_weeks <= crossover_week:
        raise ValueError(f"followup_weeks={followup_weeks!r} is not allowed: followup_weeks must exceed crossover_week={crossover_week!r}.")
    colours = {"MSC": "#1f77b4", "placebo": "#bbbbbb"}
    rows = [(f"MSC first\n(n = {msc_first})", ["MSC", "placebo"]),
            (f"placebo first\n(n = {placebo_first})", ["placebo", "MSC"])]
    ax.axvspan(0, crossover_week, ymin=0.02, ymax=0.80, color="#ffe9a8", alpha=0.7, lw=0, zorder=0)
    ax.text(crossover_week / 2, 1.72, "PRIMARY: group vs group, weeks 0–%g" % crossover_week, ha="center",
            va="bottom", fontsize=8, fontweight="bold", color="#7a5a00")
    ax.text((crossover_week + followup_weeks) / 2, 1.72, "secondary: within-patient, both periods",
            ha="center", va="bottom", fontsize=8, color="#555555")
    for y, (label, arms) in zip((1, 0), rows):
        for k, arm in enumerate(arms):
            start = 0 if k == 0 else crossover_week
            end = crossover_week if k == 0 else followup_weeks
            ax.barh(y, end - start, left=start, height=0.5, color=colours[arm], edgecolor="k", lw=0.6,
                    alpha=1.0 if k == 0 else 0.55, zorder=2)
            ax.text((start + end) / 2, y, arm, ha="center", va="center", fontsize=9, zorder=3,
                    color="white" if arm == "MSC" and k == 0 else "black", fontweight="bold")
        ax.plot([0, crossover_week], [y + 0.32] * 2, "v", color="k", ms=6, zorder=3)
        ax.plot(list(scan_weeks), [y - 0.32] * len(scan_weeks), "^", color="#d62728", ms=6, zorder=3)
        ax.plot([crossover_week + s for s in scan_weeks], [y - 0.32] * len(scan_weeks), "^", mfc="none",
                color="#d62728", ms=6, zorder=3)
    ax.axvline(crossover_week, color="k", ls="--", lw=0.8)
    ax.set_yticks([1, 0])
    ax.set_yticklabels([r[0] for r in rows])
    ax.set_ylim(-0.7, 2.05)
    ax.set_xlim(-1, followup_weeks + 1)
    ax.set_xticks(sorted({0, *scan_weeks, crossover_week, followup_weeks}))
    ax.set_xlabel("weeks since randomization")
    ax.grid(False)
    ax.text(0.5, -0.36, "▼ infusion (MSC or placebo)     ▲ MRI scan (filled: primary-endpoint scans; hollow: assumed)",
            transform=ax.transAxes, ha="center", va="top", fontsize=8)


def compatibility(ax, curve: pd.DataFrame, estimate: float, lower: float, upper: float,
                  marks=(0.5, 0.7)) -> None:
    """Draw a p-value (compatibility) curve on a log ratio axis with the interval and marked ratios."""
    if not isinstance(curve, pd.DataFrame) or not {"ratio", "p"} <= set(curve.columns):
        raise ValueError("curve is not allowed: curve must be the DataFrame from equivalence.compatibility_curve().")
    chk.axes("ax", ax)
    chk.frame("curve", curve, ["ratio", "p"], numeric=["ratio", "p"])
    if (curve["ratio"] <= 0).any():
        raise ValueError("curve is not allowed: its ratios must be positive (a log axis).")
    estimate = chk.positive("estimate", estimate)
    lower, upper = chk.ordered_interval("lower", chk.in_range("lower", lower, 0.0, 1e6, low_inclusive=False),
                                        "upper", chk.in_range("upper", upper, 0.0, 1e6, low_inclusive=False))
    if not lower <= estimate <= upper:
        raise ValueError(f"estimate={estimate!r} is not allowed: it must lie within [lower, upper] = [{lower}, {upper}].")
    marks = [chk.positive(f"marks[{i}]", m) for i, m in enumerate(chk.string_list("marks", marks))]
    ax.plot(curve["ratio"], curve["p"], color="#1f77b4", lw=1.8)
    ax.hlines(0.05, lower, upper, color="#d62728", lw=4)
    ax.text(upper * 1.04, 0.05, "95% interval", color="#d62728", va="center", fontsize=8)
    ax.axvline(1.0, color="k", lw=0.8, ls=":")
    ax.plot([estimate], [1.0], "o", color="#1f77b4")
    for m in marks:
        p = float(np.interp(math.log(m), np.log(curve["ratio"]), curve["p"]))
        ax.plot([m], [p], "s", color="#ff7f0e")
        ax.annotate(f"ratio {m:g}: p = {p:.2f}", (m, p), xytext=(-8, 6), textcoords="offset points", fontsize=8,
                    ha="right")
    ax.set_xscale("log")
    ticks = [0.3, 0.5, 0.7, 1, 1.5, 2, 3]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlim(curve["ratio"].min(), curve["ratio"].max())
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("hypothesised true rate ratio, MSC vs placebo (log scale)")
    ax.set_ylabel("two-sided p-value")


def category_intervals(ax, table: pd.DataFrame, label_col: str = "study") -> None:
    """Percent improved / stable / worse with 95% intervals, one group of points per study."""
    chk.text("label_col", label_col, empty=False)
    need = {label_col, "category", "percent", "ci_low_%", "ci_high_%"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise ValueError(f"table is not allowed: table must have the columns {sorted(need)}.")
    chk.axes("ax", ax)
    chk.frame("table", table, sorted(need), numeric=["percent"])
    for c in ("ci_low_%", "ci_high_%"):  # empty (NaN) where no interval belongs: counts pooled across studies
        vals = pd.to_numeric(table[c], errors="coerce")
        if np.isinf(vals).any() or (vals.isna() & table[c].notna() & ~table[c].astype(str).isin(["nan", "NaN"])).any():
            raise ValueError(f"table is not allowed: column {c!r} must hold numbers, or NaN where no interval applies.")
    cats = ["improved", "stable", "worse"]
    groups = list(dict.fromkeys(table[label_col]))
    width = 0.8 / len(groups)
    markers = ["o", "s", "D", "^", "v", "P", "X", "*"]
    if len(groups) > len(markers):
        raise ValueError(f"table is not allowed: at most {len(markers)} groups can be drawn, got {len(groups)}.")
    for g, (name, marker) in enumerate(zip(groups, markers)):
        sub = table[table[label_col] == name].set_index("category")
        xs, ys, lo, hi = [], [], [], []
        for i, c in enumerate(cats):
            if c in sub.index:
                xs.append(i - 0.4 + width * (g + 0.5))
                ys.append(sub.loc[c, "percent"])
                lo.append(sub.loc[c, "percent"] - sub.loc[c, "ci_low_%"])
                hi.append(sub.loc[c, "ci_high_%"] - sub.loc[c, "percent"])
        bars = np.nan_to_num(np.array([lo, hi], dtype=float))  # pooled counts carry no interval: no bar
        ax.errorbar(xs, ys, yerr=bars, fmt=marker, capsize=3 if bars.any() else 0, label=name, ms=5)
    ax.set_xticks(range(len(cats)))
    ax.set_xticklabels(cats)
    ax.set_ylim(0, 100)
    ax.set_ylabel("patients (%; bars: Wilson 95% CI\nfor a single series only)")
    ax.set_xlabel("EDSS category at follow-up")
    ax.legend(fontsize=7, loc="upper right")
