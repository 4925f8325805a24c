"""Audit of a single-arm responder report: counts, denominators, intervals and what can be checked.

Built for the repeated-injection phase II trial (Petrou et al. 2021, table
``data/petrou2021_results``) but written against the reported-layout table, so another
responder report with the same quantity names can be audited the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .. import _checks as chk
from ..audit import Check, audit
from ..data import reported
from ..recompute import percentage, proportion_ci
from ..simulate import single_arm as sim

__all__ = ["INTERVALS", "responder_table", "petrou_checks", "petrou_audit", "constraints", "summary_vs_publication",
           "mean_improvement_arithmetic", "NOISE_GRID", "BEFORE_SETTINGS", "SHAPES", "p15_grid", "shape_grid",
           "RTM_RUN_INS", "RTM_NOISE", "RTM_LOSSES", "later_intervals", "rtm_grid", "RISER_SETTINGS",
           "RISER_NOISE", "riser_grid", "PLATEAU_NOISE", "plateau_check", "EFFECT_SLOWINGS", "EFFECT_SETTINGS",
           "effect_contrast"]

TABLE = "petrou2021_results"

#: (label, responders quantity, denominator quantity) per interval between injections
INTERVALS = [
    ("injection 1 → 2", "responders_inj1_inj2", "analysed"),
    ("injection 2 → 3", "responders_inj2_inj3", "evaluable_inj2_inj3"),
    ("injection 3 → 4", "responders_inj3_inj4", "evaluable_inj3_inj4"),
    ("whole period", "responders_whole_period", "analysed"),
]


def _v(t: pd.DataFrame, q: str) -> int:
    return int(t.loc[q, "value"])


def responder_table(name: str = TABLE, level: float = 0.95) -> pd.DataFrame:
    """Responders per interval with their denominators, the percentage, and Wilson and exact
    (Clopper–Pearson) intervals in percent, from :func:`appraisal.recompute.proportion_ci`."""
    level = chk.probability("level", level)
    t = reported(name)
    rows = []
    for label, k_q, n_q in INTERVALS:
        k, n = _v(t, k_q), _v(t, n_q)
        w = proportion_ci(k, n, level, "wilson")
        e = proportion_ci(k, n, level, "exact")
        rows.append({
            "interval": label, "responders": k, "evaluable": n, "percent": percentage(k, n),
            "Wilson low": 100 * w[0], "Wilson high": 100 * w[1], "exact low": 100 * e[0], "exact high": 100 * e[1],
        })
    return pd.DataFrame(rows)


def petrou_checks(name: str = TABLE) -> list[Check]:
    """Every efficacy number of the report as an audit check.

    Only the enrolment arithmetic can be recomputed from the printed numbers; the responder
    counts, means and p-value need patient-level ALSFRS-R slopes, which are not printed, so
    they are marked *not checkable* with a note saying what would be needed.
    """
    t = reported(name)
    loc = lambda q: str(t.loc[q, "location"])  # noqa: E731
    pr = lambda q: str(t.loc[q, "printed"])  # noqa: E731
    need = "needs patient-level scores"
    checks = [
        Check("patients analysed", pr("analysed"), _v(t, "enrolled") - _v(t, "withdrew_before_first"),
              f"enrolled {pr('enrolled')} − withdrew {pr('withdrew_before_first')}", loc("analysed"), tolerance=0),
    ]
    for label, k_q, n_q in INTERVALS:
        checks.append(Check(f"responders, {label}", pr(k_q), None, f"out of {_v(t, n_q)}: {need}", loc(k_q)))
    for q, label in [("mean_improvement_inj1_inj2", "mean improvement, injection 1 → 2 (%)"),
                     ("mean_improvement_whole_period", "mean improvement, whole period (%)")]:
        checks.append(Check(label, pr(q), None, f"{need}; who is averaged is not stated", loc(q)))
    checks += [
        Check("p-value, whole period (Wilcoxon signed-rank)", pr("p_whole_period"), None, need, loc("p_whole_period")),
        Check("clinically improved after injection 1", pr("clinically_improved_after_inj1"), None,
              f"out of {_v(t, 'analysed')}: {need}", loc("clinically_improved_after_inj1")),
        Check("still improved after injection 2", pr("still_improved_after_inj2"), None,
              f"of the {_v(t, 'clinically_improved_after_inj1')}: {need}", loc("still_improved_after_inj2")),
    ]
    return checks


def petrou_audit(name: str = TABLE) -> pd.DataFrame:
    """:func:`appraisal.audit.audit` of :func:`petrou_checks`."""
    return audit(petrou_checks(name))


def constraints(name: str = TABLE) -> pd.DataFrame:
    """Internal-consistency conditions the printed numbers must meet, each evaluated."""
    t = reported(name)
    v = lambda q: _v(t, q)  # noqa: E731
    rows = [
        ("responders ≤ evaluable in every interval",
         all(v(k) <= v(n) for _, k, n in INTERVALS)),
        (f"denominators do not grow ({v('analysed')} ≥ {v('evaluable_inj2_inj3')} ≥ {v('evaluable_inj3_inj4')})",
         v("analysed") >= v("evaluable_inj2_inj3") >= v("evaluable_inj3_inj4")),
        ("still improved after injection 2 ≤ improved after injection 1",
         v("still_improved_after_inj2") <= v("clinically_improved_after_inj1")),
        (f"range of rises (+{v('improvement_range_min')} to +{v('improvement_range_max')}) fits the 0–48 scale",
         0 < v("improvement_range_min") <= v("improvement_range_max") <= 48),
        (f"at most {v('injections_max')} injections give the {len(INTERVALS) - 1} intervals reported",
         v("injections_max") - 1 == sum(1 for lab, _, _ in INTERVALS if lab.startswith("injection"))),
    ]
    return pd.DataFrame(rows, columns=["condition", "holds"])


def summary_vs_publication(name: str = TABLE) -> pd.DataFrame:
    """Where the news-style summary and the publication's abstract differ (book's wording;
    every number is read from the data table)."""
    t = reported(name)
    p = lambda q: str(t.loc[q, "printed"])  # noqa: E731
    rows = [
        ("Who was analysed",
         f"'{p('responders_inj1_inj2')} out of {p('analysed')} patients'; enrolment and the withdrawal are not mentioned",
         f"{p('enrolled')} enrolled, {p('withdrew_before_first')} withdrew before the first injection, so {p('analysed')} analysed"),
        ("Later intervals", "'similar improvements', with no counts",
         f"{p('responders_inj2_inj3')} of {p('evaluable_inj2_inj3')} (injection 2 → 3) and "
         f"{p('responders_inj3_inj4')} of {p('evaluable_inj3_inj4')} (injection 3 → 4): the denominators shrink"),
        ("Whole period",
         f"{p('responders_whole_period')} patients, mean {p('mean_improvement_whole_period')}%; no test mentioned",
         f"{p('responders_whole_period')} patients, mean {p('mean_improvement_whole_period')}%, "
         f"p = {p('p_whole_period')} (Wilcoxon signed-rank); denominator not printed"),
        ("Size of the clinical improvements",
         f"{p('clinically_improved_after_inj1')} improved, {p('still_improved_after_inj2')} stayed improved; size not given",
         f"same counts, with rises of {p('improvement_range_min')} to {p('improvement_range_max')} ALSFRS-R points"),
        ("How long the benefit lasts", "'significant, but short-term' in one paragraph, 'medium-term' in another",
         "'indications of medium-term clinical benefits'; no test of duration"),
        ("Responder threshold", "'more than 25%' between injections 1 and 2; '25%' for the whole period",
         "the same wording: 'more than 25%' per interval, 'a 25% improvement' for the whole period"),
    ]
    return pd.DataFrame(rows, columns=["topic", "news summary", "publication (abstract)"])


def mean_improvement_arithmetic(name: str = TABLE) -> pd.DataFrame:
    """What a mean improvement above 100% between injections 1 and 2 requires of the few whose score rose.

    An improvement above 100% means the score went *up* (the later rate is negative). The
    abstract counts ``clinically_improved_after_inj1`` patients whose ALSFRS-R rose after the
    first injection; this function takes them to be the only ones above 100% (an assumption:
    the visit at which the rise was measured is not stated). Everyone else scored at most 100%
    (responders: above the threshold up to 100%; non-responders: at most the threshold).
    For the mean read over all analysed patients and over the responders only, it gives the
    smallest average the risers must have (the others at their maxima) and the average under a
    middling assumption (responders who did not rise at the midpoint of threshold and 100%,
    non-responders at 0%), with the share of the sum that the risers then supply.
    """
    t = reported(name)
    v = lambda q: float(t.loc[q, "value"])  # noqa: E731
    n, k, rose = int(v("analysed")), int(v("responders_inj1_inj2")), int(v("clinically_improved_after_inj1"))
    mean, thr = v("mean_improvement_inj1_inj2"), v("responder_threshold")
    if not rose <= k <= n:
        raise ValueError(f"{name}: the risers ({rose}) must be among the responders ({k}) among the analysed ({n}).")
    rows = []
    for over, m in [(f"all {n} analysed", n), (f"the {k} responders", k)]:
        total = m * mean
        resp_not_rose, non_resp = k - rose, m - k
        for assumption, at_resp, at_non in [("at their maximum (100% / the threshold)", 100.0, thr),
                                            ("middling (midpoint / 0%)", (thr + 100.0) / 2, 0.0)]:
            others = resp_not_rose * at_resp + non_resp * at_non
            need = (total - others) / rose
            rows.append({"mean taken over": over, "the others scored": assumption, "sum of improvements": total,
                         "from the others": others, f"the {rose} who rose must average (%)": need,
                         f"share of the sum from the {rose} (%)": 100 * rose * need / total})
    return pd.DataFrame(rows)


#: visit-noise SDs (points) for the grids: around the 1.4–1.7 points a reliability study implies
NOISE_GRID = (0.5, 1.0, 1.5, 2.0)
#: how the rate "before" treatment may have been measured (the abstract does not say)
BEFORE_SETTINGS = {
    "run-in 1 month": {"run_in_months": 1.0},
    "run-in 3 months": {"run_in_months": 3.0},
    "run-in 6 months": {"run_in_months": 6.0},
    "since onset": {"before": "onset"},
}
#: shape exponents of the course (see :mod:`appraisal.simulate.single_arm`)
SHAPES = {"slowing": 0.7, "straight": 1.0, "slightly speeding up": 1.2, "speeding up": 1.4}


def _trial(name: str) -> tuple[int, int]:
    t = reported(name)
    return _v(t, "analysed"), _v(t, "responders_inj1_inj2")


def _grid_args(n, seed, name):
    n = chk.integer("n", n, low=100, high=200_000)
    seed = chk.seed("seed", seed)
    name = chk.text("name", name, empty=False)
    return n, seed, name


def p15_grid(n: int = 4000, seed: int = 0, noise_sds=NOISE_GRID, name: str = TABLE) -> pd.DataFrame:
    """P(at least the published responders of the published number analysed, injection 1 → 2) with no
    treatment, over visit noise × how the earlier rate was measured × the anchor of the true
    between-patient SD (:data:`appraisal.simulate.single_arm.ANCHORS`, calibrated to each noise level).
    Straight-line decline, no rating shift. Columns of :func:`appraisal.simulate.single_arm.null_grid`
    (both conventions for undefined ratios) plus ``anchor`` and ``before rate``, with ``P`` and
    ``P excl.`` for the probability with undefined ratios counted as non-responders or left out.
    ``n`` from 100 to 200,000 screened patients per cell; ``noise_sds`` at most 8 values in 0–5 points."""
    n, seed, name = _grid_args(n, seed, name)
    noise_sds = chk.array("noise_sds", noise_sds, ndim=1, max_size=8, low=0.0, high=5.0)
    n_obs, k_obs = _trial(name)
    settings, labels = [], []
    for anchor in sim.ANCHORS:
        for noise in noise_sds:
            sd = sim.calibrated_slope_sd(float(noise), anchor)
            for label, kw in BEFORE_SETTINGS.items():
                settings.append({"noise_sd": float(noise), "slope_sd": sd, **kw})
                labels.append((anchor, label))
    g = sim.null_grid(settings, n_obs, k_obs, n=n, seed=seed)
    g.insert(0, "before rate", [b for _, b in labels])
    g.insert(0, "anchor", [a for a, _ in labels])
    return g.rename(columns={f"P(≥{k_obs})": "P", f"P(≥{k_obs}), undefined excluded": "P excl."})


def shape_grid(n: int = 4000, seed: int = 0, name: str = TABLE) -> pd.DataFrame:
    """The same probability and the untreated responder share for each shape of course in :data:`SHAPES`,
    with the earlier rate from a 3-month run-in or since symptom onset (default noise and spread).
    ``n`` from 100 to 200,000."""
    n, seed, name = _grid_args(n, seed, name)
    n_obs, k_obs = _trial(name)
    settings, labels = [], []
    for shape, p in SHAPES.items():
        for label in ("run-in 3 months", "since onset"):
            settings.append({"shape_exponent": p, **BEFORE_SETTINGS[label]})
            labels.append((shape, label))
    g = sim.null_grid(settings, n_obs, k_obs, n=n, seed=seed)
    g.insert(0, "before rate", [b for _, b in labels])
    g.insert(0, "course", [s for s, _ in labels])
    return g.rename(columns={f"P(≥{k_obs})": "P", f"P(≥{k_obs}), undefined excluded": "P excl."})


#: run-in lengths (months), visit-noise SDs (points) and run-in losses (points; 0 = no requirement) of the
#: regression-to-the-mean grid: enrolment only after the observed score fell by at least that much in the run-in
RTM_RUN_INS = (1.0, 3.0, 6.0)
RTM_NOISE = (1.0, 1.5, 2.0)
RTM_LOSSES = (0, 1, 2, 3, 4)


def later_intervals(name: str = TABLE) -> list[tuple[str, int, int, int]]:
    """(label, interval index, responders, evaluable) for the three published between-injection intervals."""
    name = chk.text("name", name, empty=False)
    t = reported(name)
    return [(lab, i, _v(t, k), _v(t, n)) for i, (lab, k, n) in enumerate(INTERVALS[:3])]


def rtm_grid(n: int = 4000, seed: int = 0, run_ins=RTM_RUN_INS, noise_sds=RTM_NOISE, losses=RTM_LOSSES,
             name: str = TABLE) -> pd.DataFrame:
    """Regression to the mean alone: run-in length × visit noise × the run-in loss required for enrolment.

    Straight-line decline, the calibrated true spread at each noise, no slowing, no onset rate, no
    rating shift. For each cell, one :func:`appraisal.simulate.single_arm.simulate_untreated` run of
    ``n`` screened patients (same ``seed`` for all cells) and, for each published interval
    (:func:`later_intervals`), the untreated responder share and the binomial probability of at least
    the published count among the published evaluable patients, with undefined ratios counted as
    non-responders (``% 1→2``, ``P 1→2`` ...) and left out (``% 1→2 excl.``, ``P 1→2 excl.``).
    ``P 1→2 low``/``high``: the probability at the ends of the share's 95% Wilson interval (Monte Carlo
    uncertainty). ``enrolled (% of eligible)``: the share of patients meeting the published entry
    criteria whom the run-in requirement keeps. The later intervals are compared with the same
    pre-treatment rate as the first, so they share its bias (and are not independent of it).
    At most 6 values in each of ``run_ins`` (0.25–12 months), ``noise_sds`` (0–5 points) and
    ``losses`` (0–10 points); ``n`` from 100 to 200,000.
    """
    n, seed, name = _grid_args(n, seed, name)
    run_ins = chk.array("run_ins", run_ins, ndim=1, max_size=6, low=0.25, high=12.0)
    noise_sds = chk.array("noise_sds", noise_sds, ndim=1, max_size=6, low=0.0, high=5.0)
    losses = chk.array("losses", losses, ndim=1, max_size=6, low=0.0, high=10.0)
    ivs = later_intervals(name)
    short = {0: "1→2", 1: "2→3", 2: "3→4"}
    prob = lambda k, m, q: float(stats.binom.sf(k - 1, m, q))  # noqa: E731
    rows = []
    for run_in in run_ins:
        for noise in noise_sds:
            for loss in losses:
                r = sim.simulate_untreated(n, seed=seed, noise_sd=float(noise), run_in_months=float(run_in),
                                           min_run_in_loss=float(loss) if loss > 0 else None)
                row = {"run-in (months)": float(run_in), "noise SD": float(noise), "loss ≥ (points)": float(loss),
                       "enrolled": int(r.n_enrolled),
                       "enrolled (% of eligible)": 100 * r.n_enrolled / max(r.extra["n_eligible"], 1),
                       "undefined (%)": 100 * r.share_undefined() if r.n_enrolled else 0.0}
                for lab, i, k, m in ivs:
                    if r.n_enrolled == 0:
                        p = p_ex = lo = hi = 0.0
                    else:
                        imp = r.improvements(i)
                        count = int(np.sum(imp > r.threshold))
                        p = count / r.n_enrolled
                        p_ex = count / imp.size if imp.size else 0.0
                        lo, hi = proportion_ci(count, r.n_enrolled) if 0 < count < r.n_enrolled else (p, p)
                    row[f"% {short[i]}"] = 100 * p
                    row[f"P {short[i]}"] = prob(k, m, p)
                    if i == 0:
                        row["P 1→2 low"], row["P 1→2 high"] = prob(k, m, lo), prob(k, m, hi)
                    row[f"% {short[i]} excl."] = 100 * p_ex
                    row[f"P {short[i]} excl."] = prob(k, m, p_ex)
                rows.append(row)
    return pd.DataFrame(rows)


#: the run-in / enrolment settings of the riser table: the explorer presets the chapter discusses
#: (keyword arguments of :func:`appraisal.simulate.single_arm.simulate_untreated`)
RISER_SETTINGS = {
    "noise only": {},
    "run-in loss ≥ 3 (3 months)": {"min_run_in_loss": 3.0},
    "short run-in + steep spell": {"run_in_months": 1.0, "min_run_in_loss": 2.0},
    "slowing + onset + shift": {"shape_exponent": 0.7, "before": "onset", "expectation_bias": 1.0},
}
#: visit-noise SDs (points) of the riser table: the chapter's default and the 1.4–1.7 points a reliability study implies
RISER_NOISE = (1.0, 1.5, 2.0)


def _share_reaching(label: str, values: np.ndarray, target: float) -> dict:
    """``{label: share of values >= target, label + " high": its exact 95% upper end}`` (0 and 1 for no values)."""
    hits, n = int(np.sum(values >= target)), max(int(values.size), 1)
    return {label: hits / n, f"{label} high": float(proportion_ci(hits, n, method="exact")[1])}


def _first_interval_inputs(n_trials, n_mean_trials, name: str):
    """Checked resampling sizes and the published first-interval figures: analysed, responders, risers, mean."""
    n_trials = chk.integer("n_trials", n_trials, low=100, high=200_000)
    n_mean_trials = chk.integer("n_mean_trials", n_mean_trials, low=100, high=100_000)
    t = reported(name)
    published = (_v(t, "analysed"), _v(t, "responders_inj1_inj2"), _v(t, "clinically_improved_after_inj1"),
                 float(t.loc["mean_improvement_inj1_inj2", "value"]))
    return n_trials, n_mean_trials, published


def riser_grid(n: int = 4000, seed: int = 0, noise_sds=RISER_NOISE, n_trials: int = 20_000,
               n_mean_trials: int = 1000, name: str = TABLE) -> pd.DataFrame:
    """The three reported features of the first interval under "no effect", over visit noise × setting.

    For each setting in :data:`RISER_SETTINGS` and each noise SD, one
    :func:`appraisal.simulate.single_arm.simulate_untreated` run of ``n`` screened patients (same ``seed``
    throughout; the true spread calibrated to the noise, as in the explorer) and:

    * ``responders (%)`` and ``P resp.``: untreated responders (injection 1 → 2) and the binomial probability of
      at least the published count among the published number analysed (undefined ratios as non-responders);
    * ``P mean``: the share of ``n_mean_trials`` resampled trials whose mean improvement (over all patients
      with a defined improvement) is at least the published mean, with ``P mean high``, its exact 95% upper
      end; ``P mean, resp.`` and ``P mean, resp. high``: the same for the mean over the responders only (the
      abstract does not say which mean it reports);
    * ``rose (%)`` and ``P rose``: the share whose score rose from injection 1 to injection 2 and the binomial
      probability of at least the published number of patients who gained points
      (:func:`appraisal.simulate.single_arm.riser_trials`), with ``P rose low``/``high`` at the ends of the
      share's 95% Wilson interval (Monte Carlo uncertainty);
    * ``P rose, any visit``: the same if a rise at *any* visit after injection 1 counted;
    * ``P joint`` and ``P joint SE``: the share of ``n_trials`` resampled trials with at least the published
      responders *and* at least the published risers, its Monte Carlo standard error and ``P joint high``, the
      exact 95% upper end (the useful bound when no resampled trial had both).

    At most 6 noise SDs in 0–5 points; ``n`` from 100 to 200,000.
    """
    n, seed, name = _grid_args(n, seed, name)
    noise_sds = chk.array("noise_sds", noise_sds, ndim=1, max_size=6, low=0.0, high=5.0)
    n_trials, n_mean_trials, (n_obs, k_obs, k_rose, mean_obs) = _first_interval_inputs(n_trials, n_mean_trials, name)
    prob = lambda k, q: float(stats.binom.sf(k - 1, n_obs, q))  # noqa: E731
    rows = []
    for label, kw in RISER_SETTINGS.items():
        for noise in noise_sds:
            r = sim.simulate_untreated(n, seed=seed, noise_sd=float(noise), **kw)
            tr = sim.trial_sized(r, n_obs, n_trials=n_mean_trials, seed=seed)
            ris = sim.riser_trials(r, n_obs, k_rose, k_obs, n_trials=n_trials, seed=seed)
            anyv = sim.riser_trials(r, n_obs, k_rose, n_trials=100, seed=seed, visit="any")
            n_rose = int(round(ris["share_rose"] * r.n_enrolled))
            lo, hi = proportion_ci(n_rose, r.n_enrolled) if 0 < n_rose < r.n_enrolled else (ris["share_rose"],) * 2
            rows.append({"setting": label, "noise SD": float(noise), "enrolled": int(r.n_enrolled),
                         "responders (%)": 100 * tr["p"], "P resp.": tr["prob_at_least"](k_obs),
                         **_share_reaching("P mean", tr["means"], mean_obs),
                         **_share_reaching("P mean, resp.", tr["means_responders"], mean_obs),
                         "rose (%)": 100 * ris["share_rose"], "P rose": ris["p_rose"],
                         "P rose low": prob(k_rose, lo), "P rose high": prob(k_rose, hi),
                         "P rose, any visit": anyv["p_rose"],
                         "P joint": ris["p_joint"], "P joint SE": ris["p_joint_se"],
                         "P joint high": ris["p_joint_high"]})
    return pd.DataFrame(rows)


#: true slowings of decline for the contrast with "no effect": none, half, three quarters, and a complete halt
EFFECT_SLOWINGS = (0.0, 0.5, 0.75, 1.0)
#: the settings of the riser table the contrast uses: the plainest one and the one that enrols after a steep run-in
EFFECT_SETTINGS = ("noise only", "run-in loss ≥ 3 (3 months)")


def effect_contrast(n: int = 4000, seed: int = 0, slowings=EFFECT_SLOWINGS, settings=EFFECT_SETTINGS,
                    noise_sd: float = 1.0, n_trials: int = 20_000, n_mean_trials: int = 1000,
                    name: str = TABLE) -> pd.DataFrame:
    """The first interval's reported features under no effect *and* under real slowings of decline.

    A feature counts against "no effect" only if a real effect makes it reasonably likely. For each
    setting in ``settings`` (keys of :data:`RISER_SETTINGS`) and each true slowing in ``slowings``
    (``treatment_slowing`` of :func:`appraisal.simulate.single_arm.simulate_untreated`; 0 is no
    effect), at visit noise ``noise_sd``: ``responders (%)`` and ``P resp.`` (at least the published
    responders among those analysed), ``median mean`` (the median, over ``n_mean_trials`` resampled
    trials, of the trial's mean improvement over all patients with a defined one), ``P mean`` with
    ``P mean high`` (its exact 95% upper end), ``P mean, resp.`` (the mean over responders only) and
    ``P rose`` (at least the published number whose score rose). Same seed for every row.
    """
    n, seed, name = _grid_args(n, seed, name)
    slowings = chk.array("slowings", slowings, ndim=1, max_size=6, low=0.0, high=1.0)
    if (not isinstance(settings, (list, tuple)) or not settings
            or not all(isinstance(s, str) and s in RISER_SETTINGS for s in settings)):
        raise ValueError(f"settings={settings!r} is not allowed: give a non-empty list of keys of RISER_SETTINGS "
                         f"({', '.join(RISER_SETTINGS)}).")
    noise_sd = chk.in_range("noise_sd", noise_sd, 0.0, 5.0)
    n_trials, n_mean_trials, (n_obs, k_obs, k_rose, mean_obs) = _first_interval_inputs(n_trials, n_mean_trials, name)
    rows = []
    for label in settings:
        for slowing in slowings:
            r = sim.simulate_untreated(n, seed=seed, noise_sd=noise_sd, treatment_slowing=float(slowing),
                                       **RISER_SETTINGS[label])
            tr = sim.trial_sized(r, n_obs, n_trials=n_mean_trials, seed=seed)
            ris = sim.riser_trials(r, n_obs, k_rose, k_obs, n_trials=n_trials, seed=seed)
            rows.append({"setting": label, "true slowing (%)": 100 * float(slowing),
                         "responders (%)": 100 * tr["p"], "P resp.": tr["prob_at_least"](k_obs),
                         "median mean (%)": float(np.median(tr["means"])) if tr["means"].size else float("nan"),
                         **_share_reaching("P mean", tr["means"], mean_obs),
                         **_share_reaching("P mean, resp.", tr["means_responders"], mean_obs),
                         "P rose": ris["p_rose"]})
    return pd.DataFrame(rows)


#: visit-noise SDs (points) of the plateau check: none, the chapter's default, and the 1.4–1.7 points a
#: reliability study implies
PLATEAU_NOISE = (0.0, 1.0, 1.5, 2.0)


def plateau_check(n: int = 10_000, seed: int = 0, noise_sds=PLATEAU_NOISE,
                  shapes=("straight", "slowing")) -> pd.DataFrame:
    """How often the no-effect model's untreated patients do not decline, or improve, over six months,
    beside what PRO-ACT shows (Bedlack et al. 2016, ``data/natural_history``).

    For each visit noise and shape of course (keys of :data:`SHAPES`) the model's enrolled patients
    are followed for one fixed 6-month interval after the first injection, with the default calibrated
    spread of true rates. ``no decline (%)``: observed score at 6 months at least the score at the
    start (Bedlack: no decline over a 6-month epoch); ``rose (%)``: score higher at 6 months. The PRO-ACT
    columns repeat the published shares: 25% did not decline over 6 months, and 14% *ever* had a
    180-day interval with a positive slope; the model's ``rose`` counts one interval only, so it is a
    lower bound for an "ever" share over a longer follow-up. ``n`` screened patients per row (1,000 to
    200,000); ``noise_sds`` at most 6 values in 0–5 points."""
    from ..data import value

    n = chk.integer("n", n, low=1000, high=200_000)
    seed = chk.seed("seed", seed)
    noise_sds = chk.array("noise_sds", noise_sds, ndim=1, max_size=6, low=0.0, high=5.0)
    if isinstance(shapes, str) or not isinstance(shapes, (list, tuple)) or not len(shapes):
        raise ValueError(f"shapes={shapes!r} is not allowed: give a non-empty list of keys of SHAPES "
                         f"({', '.join(SHAPES)}).")
    for s in shapes:
        chk.one_of("shapes", s, tuple(SHAPES))
    nh = lambda q: float(value("natural_history", q))  # noqa: E731
    rows = []
    for shape in shapes:
        for noise in noise_sds:
            r = sim.simulate_untreated(n, seed=seed, noise_sd=float(noise), interval_months=(6.0, 6.0),
                                       n_intervals=1, shape_exponent=SHAPES[shape])
            start, end = r.observed[:, 1], r.observed[:, 2]
            rows.append({"course": shape, "noise SD": float(noise), "enrolled": int(r.n_enrolled),
                         "no decline (%)": 100 * float(np.mean(end >= start)),
                         "rose (%)": 100 * float(np.mean(end > start)),
                         "PRO-ACT no decline (%)": nh("bedlack_no_decline_6mo_pct"),
                         "PRO-ACT ever rose (%)": nh("bedlack_rise_180d_pct")})
    return pd.DataFrame(rows)
