"""Study code of Barczewska et al. 2020 (Wharton's-jelly MSCs vs PRO-ACT): its number audit.

:func:`barczewska2020_checks` builds one :class:`appraisal.audit.Check` per published
number that other printed numbers let us recompute: Table 1's percentages and their
sums, the matching tolerances in the text and their compatibility with Table 1's
ranges, the response categories, the p-values implied by the printed intervals (with
the slack that rounding of those intervals allows), Table 3's logistic curve against
the printed slope, and the power statement. Numbers come from ``data/`` only.

:func:`published_split`, :func:`sign_test`, :func:`null_pair_settings` and
:func:`survival_settings` give the chapter (and its tests) one place for the
published response counts, the model-free sign test on them, and the simulation
settings derived from the paper's numbers.

Where a recomputation depends on numbers that are themselves rounded, the tolerance is
widened to cover every value the rounded inputs allow, and the ``how`` column says so:
a verdict of "inconsistent" then means that no reading of the printed inputs gives the
printed result.
"""

from __future__ import annotations

import math

from scipy import stats

from .. import _checks as chk
from .. import data
from ..audit import Check, audit, check_percentage, rounding_tolerance
from ..matching import category_sums
from ..reconstruct import (
    feasible_logistic_range,
    fit_logistic_curve,
    p_bounds_from_rounded_ci,
    power_two_proportions,
)

__all__ = ["barczewska2020_checks", "barczewska2020_audit", "compact", "AUDIT_PROBLEMS", "audit_problems", "published_split", "sign_test", "split_likelihood_ratio",
           "null_pair_settings", "survival_settings", "reference_selection_settings", "power_statement", "ROUNDING_NOTE"]

_R = "barczewska2020_results"


def _v(q):
    return data.value(_R, q)


def _p(q):
    return data.printed(_R, q)


def _range_check(item, printed, low, high, how, location, note=""):
    """A printed number against a *range* of recomputed values: consistent if it (rounded) falls inside."""
    mid = (low + high) / 2
    tol = (high - low) / 2 + rounding_tolerance(printed)
    return Check(item, printed, mid, f"{_RANGE} {low:.4g} to {high:.4g}: {how}", location, tolerance=tol, note=note)


_RANGE = "range"


def _table1_checks() -> list[Check]:
    t1 = data.load_table("barczewska2020_table1")
    checks = []
    for _, r in t1[t1["group"] == "treated"].iterrows():
        checks.append(check_percentage(f"Table 1: {r['characteristic']} {r['level']}", int(r["count"]),
                                       int(r["denominator"]), str(r["printed_percent"]), r["location"],
                                       note="reference column prints the same count and percentage"))
    sums = category_sums(t1)
    for _, s in sums[sums["group"] == "treated"].iterrows():
        checks.append(Check(f"Table 1: {s['characteristic']} percentages add up to 100",
                            f"{s['printed_percent_sum']:.1f}", 100.0, f"sum of {s['levels']} printed percentages",
                            "Table 1 (Patient characteristics)", tolerance=0.05 * int(s["levels"]),
                            note=f"counts add up to {s['count_sum']} of {s['denominator']}"))
    cont = data.load_table("barczewska2020_table1_continuous").set_index(["characteristic", "group", "statistic"])["value"]
    pr = lambda g, s: float(cont[("progression_rate", g, s)])  # noqa: E731
    gap = max(abs(pr("treated", "min") - pr("reference", "min")), abs(pr("treated", "max") - pr("reference", "max")))
    checks.append(Check(f"Every pair within ±{_p('prog_max_diff')} point/month, given Table 1's ranges", f"<{_p('prog_max_diff')}", gap,
                        "smallest possible largest pair gap = max(|min_T − min_R|, |max_T − max_R|)",
                        "Abstract; Methods 'Reference Group'; Table 1", tolerance=0.05,
                        note="the treated minimum lies further from every reference than the stated tolerance"))
    q1, med = pr("treated", "q1"), pr("treated", "median")
    frac_low, frac_high = 25.0, 50.0  # 1 point/month lies between the lower quartile and the median
    if q1 < -_v("fast_progression_cutoff") < med:
        checks.append(_range_check("Table 1: fast progressors' share vs quartiles", data.load_table(
            "barczewska2020_table1").query("characteristic == 'progression' and group == 'treated'")[
            "printed_percent"].iloc[0], frac_low, frac_high,
            "the −1 point/month cut lies between Q1 and the median, so 25–50% must be faster",
            "Table 1 (Patient characteristics)"))
    return checks


def _text_checks() -> list[Check]:
    n = _v("n_treated")
    checks = [
        check_percentage("Age within ±5 years", _v("age_within5_n"), n, _p("age_within5_pct"), "Methods 'Reference Group'"),
        check_percentage("Age within ±10 years", _v("age_within10_n"), n, _p("age_within10_pct"), "Methods 'Reference Group'"),
        check_percentage("Progression rate within ±0.3", _v("prog_within03_n"), n, _p("prog_within03_pct"),
                         "Methods 'Reference Group'"),
        check_percentage("Progression rate difference zero", _v("prog_diff_zero_n"), n, _p("prog_diff_zero_pct"),
                         "Methods 'Reference Group'"),
        check_percentage("Response: decreased progression", _v("response_decreased_n"), n, _p("response_decreased_pct"),
                         "Abstract; Results"),
        check_percentage("Response: no change", _v("response_nochange_n"), n, _p("response_nochange_pct"),
                         "Abstract; Results"),
        check_percentage("Response: increased progression", _v("response_increased_n"), n, _p("response_increased_pct"),
                         "Abstract; Results"),
        Check("Response categories add up to all treated", str(n),
              _v("response_decreased_n") + _v("response_nochange_n") + _v("response_increased_n"),
              "21 + 33 + 13", "Abstract; Results"),
    ]
    return checks


def _labels() -> dict[str, str]:
    """Item names built from the printed numbers, so that no source number is typed twice."""
    hr = f"HR {_p('hr_death')}"
    er = f"Early response {_p('early_response_estimate')}"
    power = (f"Power {_p('power_survival_treated_pct')}% vs {_p('power_survival_reference_pct')}%")
    return {
        "hr_p": f"{hr} ({_p('hr_death_lower')}–{_p('hr_death_upper')}): p",
        "hr_centre": f"{hr}: centre of its interval",
        "linreg": f"Linear regression β {_p('linreg_beta')} (SE {_p('linreg_se')}): p",
        "er_p": f"{er} ({_p('early_response_lower')} to {_p('early_response_upper')}): p",
        "er_centre": f"{er}: centre of its interval",
        "t3_slope": f"Table 3 slope vs printed estimate {_p('early_response_estimate')}",
        "power_normal": f"{power}, {_p('power_n_per_group')} per group (normal approximation)",
        "power_fisher": f"{power}, {_p('power_n_per_group')} per group (Fisher's exact test)",
        "power_all": f"{power}, {_p('n_treated')} per group",
        "hr_medians": f"{hr} vs the medians {_p('median_survival_treated')} and {_p('median_survival_reference')} days",
    }


def _model_checks() -> list[Check]:
    checks = []
    L = _labels()
    lo, hi = p_bounds_from_rounded_ci(_p("hr_death"), _p("hr_death_lower"), _p("hr_death_upper"), "log")
    checks.append(_range_check(L["hr_p"], _p("hr_death_p"), lo, hi,
                               "p from the CI (Altman & Bland), over every interval that rounds to the printed one",
                               "Results, survival"))
    # geometric centre of the interval, over the rounding of its limits
    h_lo, h_hi = rounding_tolerance(_p("hr_death_lower")), rounding_tolerance(_p("hr_death_upper"))
    c_lo = math.sqrt((_v("hr_death_lower") - h_lo) * (_v("hr_death_upper") - h_hi))
    c_hi = math.sqrt((_v("hr_death_lower") + h_lo) * (_v("hr_death_upper") + h_hi))
    checks.append(_range_check(L["hr_centre"], _p("hr_death"), c_lo, c_hi,
                               "geometric mean of the limits, over their rounding", "Results, survival"))
    b, se = _v("linreg_beta"), _v("linreg_se")
    checks.append(Check(L["linreg"], _p("linreg_p"), float(2 * stats.norm.sf(abs(b) / se)),
                        "2·Φ(−|β|/SE), normal approximation", "Results, progression"))
    lo, hi = p_bounds_from_rounded_ci(_p("early_response_estimate"), _p("early_response_lower"),
                                      _p("early_response_upper"), "linear")
    checks.append(_range_check(L["er_p"], _p("early_response_p"), lo, hi,
                               "p from the CI, over every interval that rounds to the printed one",
                               "Results, early response"))
    h = rounding_tolerance(_p("early_response_upper"))
    m_lo = (_v("early_response_lower") - rounding_tolerance(_p("early_response_lower")) + _v("early_response_upper") - h) / 2
    m_hi = (_v("early_response_lower") + rounding_tolerance(_p("early_response_lower")) + _v("early_response_upper") + h) / 2
    checks.append(_range_check(L["er_centre"], _p("early_response_estimate"), m_lo, m_hi,
                               "midpoint of the limits, over their rounding", "Results, early response"))
    t3 = data.load_table("barczewska2020_table3")
    fit = fit_logistic_curve(t3["early_response"], t3["failure_probability_percent"], t3["printed"], method="glm")
    checks.append(Check("Table 3: all printed probabilities lie on one logistic curve", str(len(t3)),
                        fit.n_within_rounding, "binomial GLM refit; values reproduced within rounding",
                        "Table 3", tolerance=0))
    feas = feasible_logistic_range(t3["early_response"], t3["failure_probability_percent"], t3["printed"])
    s_lo, s_hi = feas["slope"]
    rounded = f"{s_lo:.2f}".replace("-", "−")
    checks.append(_range_check(L["t3_slope"], _p("early_response_estimate"), s_lo, s_hi,
                               f"every slope that reproduces all {len(t3)} printed values (linear programming)",
                               "Table 3; Results, early response",
                               note=f"the table's slope rounds to {rounded}; truncation, not rounding, would give {_p('early_response_estimate')}"))
    p1, p0 = _v("power_survival_treated_pct") / 100, _v("power_survival_reference_pct") / 100
    n11 = _v("power_n_per_group")
    checks.append(Check(L["power_normal"], _p("power_claimed_pct"),
                        100 * power_two_proportions(p1, p0, n11, method="arcsine"),
                        "arcsine (Cohen's h) power, two-sided α = 0.05", "Methods, statistical analysis", tolerance=1.0,
                        note="tolerance 1 point: the paper does not say how it computed power"))
    checks.append(Check(L["power_fisher"], _p("power_claimed_pct"),
                        100 * power_two_proportions(p1, p0, n11, method="fisher"),
                        "exact power of Fisher's test, two-sided α = 0.05", "Methods, statistical analysis",
                        tolerance=1.0, note="the approximation is poor when one proportion is 0"))
    checks.append(Check(L["power_all"], _p("power_claimed_67_pct"),
                        100 * power_two_proportions(p1, p0, _v("n_treated"), method="fisher"),
                        "exact power of Fisher's test", "Methods, statistical analysis",
                        note="power is never exactly 100%; it rounds to it"))
    return checks


def _context_checks() -> list[Check]:
    ctx = "barczewska2020_context"
    trials = data.value(ctx, "proact_trials") + data.value(ctx, "proact_observational_studies")
    return [
        Check("PRO-ACT: number of studies", _p("proact_studies_claimed"), None,
              "no dated database release is given to check against", "Methods 'Reference Group'",
              note=f"Atassi et al. 2014 describe {trials} studies ({data.value(ctx, 'proact_trials')} trials + "
                   f"{data.value(ctx, 'proact_observational_studies')} observational) and "
                   f"{data.printed(ctx, 'proact_participants')} participants; the database grew later"),
        Check(_labels()["hr_medians"], _p("hr_death"), None,
              "medians alone fix the HR only if hazards are constant", "Results, survival",
              note=f"constant hazards would imply HR = {_v('median_survival_reference') / _v('median_survival_treated'):.2f}"),
    ]


def barczewska2020_checks() -> list[Check]:
    """Every recomputable number of Barczewska et al. 2020, as :class:`appraisal.audit.Check` objects."""
    return _table1_checks() + _text_checks() + _model_checks() + _context_checks()


def barczewska2020_audit():
    """The audit table (see :func:`appraisal.audit.audit`) of :func:`barczewska2020_checks`."""
    return audit(barczewska2020_checks())


def compact(table):
    """A narrow view of an audit table for a book page: item, where, printed, recomputed, verdict.

    ``recomputed`` becomes text: the value to four significant digits, or, for checks
    made against a range (their ``how`` starts with "range"), the range itself.
    Table locations are shortened ("Table 1 (Patient characteristics)" → "Table 1").
    A flagged check that :data:`AUDIT_PROBLEMS` calls a rounding note shows the verdict
    ``"rounding note"`` instead of ``"inconsistent"`` (the audit table itself keeps it).
    """
    import pandas as pd

    need = {"item", "where", "printed", "recomputed", "verdict", "how"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise ValueError(f"table={type(table).__name__} is not allowed: table must be the DataFrame returned by audit().")
    if table.empty:
        raise ValueError("table is not allowed: table has no rows; it must be the DataFrame returned by audit().")
    out = table[["item", "where", "printed", "verdict"]].copy()
    # a flagged check that the chapter reads as a rounding note gets its own label, not "inconsistent"
    notes = [i for i, prob in AUDIT_PROBLEMS.items() if prob.startswith(ROUNDING_NOTE + ":")]
    out.loc[out["item"].isin(notes) & (out["verdict"] == "inconsistent"), "verdict"] = ROUNDING_NOTE
    rec = []
    for r, how in zip(table["recomputed"], table["how"]):
        if r is None or pd.isna(r):
            rec.append("—")
        elif str(how).startswith(_RANGE + " "):
            rec.append(str(how)[len(_RANGE) + 1:].split(":")[0])
        else:
            rec.append(f"{float(r):.4g}")
    out.insert(3, "recomputed", rec)
    out["where"] = out["where"].str.replace(" (Patient characteristics)", "", regex=False)
    out["item"] = out["item"].str.replace("Table 1: ", "", regex=False)
    return out


#: the verdict label shown for a flagged check that is a note on rounding, not a problem of substance
ROUNDING_NOTE = "rounding note"

#: the distinct problem behind each flagged check (several checks test one printed error)
AUDIT_PROBLEMS = {
    "Table 1: onset spinal": "Table 1 onset percentages misprinted",
    "Table 1: onset percentages add up to 100": "Table 1 onset percentages misprinted",
    "Table 1: stage less advanced (FT9 1-2)": "Table 1 stage percentages misprinted",
    "Table 1: stage more advanced (FT9 3-5)": "Table 1 stage percentages misprinted",
    "Table 1: stage percentages add up to 100": "Table 1 stage percentages misprinted",
    "Every pair within ±0.5 point/month, given Table 1's ranges": "Stated matching tolerance contradicts Table 1's ranges",
    "Power 40% vs 0%, 11 per group (Fisher's exact test)": "Power statement holds only under a poor approximation",
    "Table 3 slope vs printed estimate −0.33": "rounding note: Table 3's slope truncated rather than rounded",
}


def audit_problems(table):
    """Group the flagged (inconsistent) checks of an audit table by the distinct problem behind them.

    Returns columns ``problem``, ``kind`` ("problem" or "rounding note"), ``checks``
    (the flagged items, joined) and ``n_checks``, in order of first appearance. Items
    not in :data:`AUDIT_PROBLEMS` are their own problem.
    """
    import pandas as pd

    table = chk.frame("table", table, ["item", "verdict"])
    flags = table[table["verdict"] == "inconsistent"]
    prob = flags["item"].map(lambda i: AUDIT_PROBLEMS.get(i, i))
    out = (flags.assign(problem=prob).groupby("problem", sort=False)["item"]
           .agg(checks="; ".join, n_checks="size").reset_index())
    out.insert(1, "kind", ["rounding note" if p.startswith("rounding note") else "problem" for p in out["problem"]])
    out["problem"] = out["problem"].str.replace("rounding note: ", "", regex=False)
    return out


def power_statement(alpha: float = 0.05) -> dict[str, float]:
    """Power (%) of the Methods' statement (40% vs 0% surviving, 11 per group) under five tests, two-sided.

    ``normal``: the arcsine approximation; ``fisher``: Fisher's exact (conditional) test;
    ``boschloo`` and ``barnard``: the exact unconditional tests (scipy ``boschloo_exact``,
    two-sided p twice the smaller one-sided p; ``barnard_exact``), more powerful than
    Fisher's in general; ``claimed``: the printed power. All exact values are computed
    by enumerating every 2×2 table (:func:`appraisal.reconstruct.power_two_proportions`).
    Also ``boschloo_one_sided`` (power of the one-sided test at ``alpha``) and, for the
    borderline table 4 of 11 against 0 of 11, ``boschloo_p_two`` and ``boschloo_p_one``
    (scipy's two-sided p is twice the one-sided one, so that table is not rejected
    two-sided at 5% although it is one-sided) and ``fisher_p_two``.
    """
    p1, p0 = _v("power_survival_treated_pct") / 100, _v("power_survival_reference_pct") / 100
    n = int(_v("power_n_per_group"))
    out = {"claimed": float(_v("power_claimed_pct"))}
    for key, method in (("normal", "arcsine"), ("fisher", "fisher"), ("boschloo", "boschloo"), ("barnard", "barnard")):
        out[key] = 100 * power_two_proportions(p1, p0, n, alpha=alpha, method=method)
    out["boschloo_one_sided"] = 100 * power_two_proportions(p1, p0, n, alpha=alpha, method="boschloo",
                                                            alternative="greater")
    k = 4  # the borderline table: 4 of 11 alive against 0 of 11
    out["borderline_alive"] = k
    table = [[k, 0], [n - k, n]]  # columns are the two samples (scipy's layout)
    out["boschloo_p_two"] = float(stats.boschloo_exact(table, alternative="two-sided").pvalue)
    out["boschloo_p_one"] = float(stats.boschloo_exact(table, alternative="greater").pvalue)
    out["fisher_p_two"] = float(stats.fisher_exact([[k, n - k], [0, n]]).pvalue)
    return out


def published_split() -> dict[str, int]:
    """The published response counts: decreased, no change and increased progression (of the treated)."""
    return {"decreased": int(_v("response_decreased_n")), "nochange": int(_v("response_nochange_n")),
            "increased": int(_v("response_increased_n"))}


def sign_test() -> dict[str, float]:
    """Exact sign test (scipy ``binomtest``) of decreased vs increased among patients outside "no change".

    Needs no model of the disease: under no effect a patient outside "no change" is as
    likely to be on either side. Returns the counts, ``p_two_sided`` and ``p_one_sided``
    (alternative: more decreased than increased).
    """
    s = published_split()
    k, n = s["decreased"], s["decreased"] + s["increased"]
    return {"decreased": k, "outside": n, "p_two_sided": float(stats.binomtest(k, n).pvalue),
            "p_one_sided": float(stats.binomtest(k, n, alternative="greater").pvalue)}


def split_likelihood_ratio(decreased_pct: float, increased_pct: float) -> dict[str, float]:
    """How much the published split, given how many patients left "no change", favours a model over no effect.

    Under no effect with exchangeable pairs, a patient outside "no change" is equally likely to be on
    either side, so given the number outside (``n``) the count decreased is Binomial(``n``, 1/2): that
    is the sign test, and it uses all the information the split carries about an effect. A model
    that puts ``decreased_pct`` and ``increased_pct`` of patients on the two sides (for example the
    simulated means under a modest benefit) gives a patient outside "no change" the chance
    ``q = decreased_pct / (decreased_pct + increased_pct)`` of having decreased. The likelihood
    ratio of the published split against no effect is then
    ``Binom(d; n, q) / Binom(d; n, 1/2)`` (scipy ``binom.pmf``): the conditional likelihood of the
    split given its total, which leaves out the total itself, since the total depends on the
    unmeasured visit noise far more than on an effect. Returns ``q``, ``n`` and ``lr``.
    """
    d_pct = chk.positive("decreased_pct", decreased_pct)
    i_pct = chk.positive("increased_pct", increased_pct)
    s = published_split()
    d, n = int(s["decreased"]), int(s["decreased"] + s["increased"])
    q = d_pct / (d_pct + i_pct)
    return {"q": float(q), "n": n, "lr": float(stats.binom.pmf(d, n, q) / stats.binom.pmf(d, n, 0.5))}


def null_pair_settings() -> dict:
    """Settings of the chapter's no-effect matched-pair simulation, derived from the paper and PRO-ACT.

    Mean slope: the PRO-ACT mean decline (``data/natural_history``); between-patient SD:
    from the interquartile range of the treated group's pre-treatment progression
    (Wan et al. 2014, quartiles only); time windows and threshold from the paper. Visit
    noise (1.5 points), slope drift (0.3 points/month) and matching tolerance (0.1) are
    assumptions, varied in the chapter.
    """
    from ..recompute import mean_sd_from_quantiles

    c = data.load_table("barczewska2020_table1_continuous")
    q = c[(c["characteristic"] == "progression_rate") & (c["group"] == "treated")]
    pq = dict(zip(q["statistic"], q["value"].astype(float)))
    _, slope_sd = mean_sd_from_quantiles(int(_v("n_treated")), pq["median"], pq["q1"], pq["q3"])
    return dict(n_pairs=int(_v("n_treated")), mean_slope=-data.value("natural_history", "proact_mean_decline"),
                slope_sd=round(slope_sd, 2), slope_change_sd=0.3, noise_sd=1.5, match_tol=0.1,
                pre_months=float(_v("pre_treatment_months")), early_months=float(_v("injection_interval_months")),
                followup_months=float(_v("comparison_period_months")), threshold=float(_v("response_threshold")))


def survival_settings() -> dict:
    """Median (reference), minimum follow-up and accrual (months) for the survival simulations.

    Recruitment over the enrollment years, assumed even; follow-up to the last survival
    update (March 2020).
    """
    accrual = 12.0 * (_v("enrollment_last_year") - _v("enrollment_first_year") + 1)
    min_fu = 12.0 * (_v("survival_update_year") - _v("enrollment_last_year") - 1) + _v("survival_update_month")
    return dict(median_days=float(_v("median_survival_reference")), min_followup_months=float(min_fu),
                accrual_months=float(accrual))


def reference_selection_settings() -> dict:
    """Settings of the no-effect model in which references were drawn among recorded deaths.

    The common true survival is set to the treated arm's published median (1183 days):
    under "no effect" the treated, censored only administratively, show the true course
    (this ignores their own inclusion window, simulated separately). Enrollment and the
    common end of follow-up are those of :func:`survival_settings`. ``calibrated_window_days``
    is the death window L that turns that median into the published reference median
    (640 days) under constant hazards (:func:`appraisal.simulate.survival.death_window_for_median`).
    """
    from ..simulate.survival import death_window_for_median

    s = survival_settings()
    median = float(_v("median_survival_treated"))
    return dict(n_per_arm=int(_v("n_reference")), median_days=median, min_followup_months=s["min_followup_months"],
                accrual_months=s["accrual_months"],
                calibrated_window_days=death_window_for_median(median, float(_v("median_survival_reference"))))
