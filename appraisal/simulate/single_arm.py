"""What a single-arm "before versus after" ALS trial shows when the treatment does nothing.

The model follows untreated patients through the visit schedule of a repeated-injection
trial such as Petrou et al. (2021) and applies its responder rule to their ALSFRS-R scores.

Model (one row per screened patient, all vectorized):

* **Disease course.** Each patient loses function at their own average rate ``b``
  (points/month), drawn from a lognormal distribution with mean ``mean_decline`` (the
  PRO-ACT mean monthly decline, Atassi et al. 2014) and SD ``slope_sd``: the spread of the
  *true* rates between patients. That spread is not the PRO-ACT SD of observed slopes
  (± 2.3 points/month), which already contains measurement noise and, it seems, slopes over
  short spells; adding visit noise on top of it would count the noise twice and fill the
  model with near-stable patients. By default ``slope_sd`` is *calibrated*: the observed SD
  of 24-week change in a placebo arm (:data:`DEFAULT_ANCHOR`, from ``data/natural_history``)
  minus the variance the simulation's own visit noise and rounding add to a 24-week rate
  (:func:`calibrated_slope_sd`), so the simulated observed rates have the spread seen in
  trials whatever noise is chosen. :func:`slope_sd_anchors` lists the anchors. Cumulative
  loss since symptom onset ``u`` (months) is
  ``L(u) = b · U · (u / U) ** shape_exponent`` with ``U = 24`` months: 1 is a straight line;
  below 1 the decline slows with time, above 1 it speeds up. Gordon et al. (2010) and
  Thakore et al. (2018) found courses curvilinear rather than straight (PRO-ACT: slightly
  accelerating on average, with curvature varying between patients); the exponent lets the
  reader try either bend, the same for every patient. The true score is ``max(48 − L(u), 0)``.
* **Who enters.** The true score at screening is uniform on ``screening_score_range`` and
  independent of the rate, so that the published mean rate describes the patients who
  enter a trial (PRO-ACT is made of trial participants); the time since onset follows
  from the score, the rate and the shape. Age is normal (``age_mean``, ``age_sd``). A
  patient is enrolled when the *observed* screening score is above ``entry_min_score``
  and the age lies in ``age_range`` (the trial's criteria: ALSFRS-R > 20, age 20–70). Age
  does not affect the course in this model, so the age criterion changes only how many are
  screened per enrolled patient.
* **Schedule.** A screening visit ``run_in_months`` before the first injection, then
  ``n_intervals`` intervals between injections, each drawn uniformly from
  ``interval_months`` (3–6 months in the trial).
* **The instrument.** Each visit adds independent measurement noise (normal, SD
  ``noise_sd`` points); the observed score is rounded to a whole number and bounded to
  0–48, as the ALSFRS-R is (this models the scale; inputs are never clipped).
* **The rule.** The rate before treatment is either from the run-in
  (``before="run_in"``: screening to first injection) or from symptom onset
  (``before="onset"``: (48 − score at first injection) / months since onset). The rate in
  each interval uses its two end visits. Improvement and the > ``threshold`` % responder
  rule come from :mod:`appraisal.progression`. Patients whose earlier rate is exactly 0
  have no defined improvement; they are counted, not dropped silently.

No treatment effect is simulated by default: whatever "responders" appear are made by the
disease course, the instrument and the metric. A true slowing (``treatment_slowing``) can be
added, only to show what a real effect would produce under the same metric.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .. import _checks as chk
from .. import progression as prog
from ..recompute import proportion_ci
from . import rng as make_rng

__all__ = ["natural_history_defaults", "slope_sd_anchors", "calibrated_slope_sd", "SingleArmResult",
           "simulate_untreated", "trial_sized", "riser_trials", "null_grid", "ANCHORS", "DEFAULT_ANCHOR"]

MAX_SCORE = 48
REFERENCE_MONTHS = 24.0
_BEFORE = ("run_in", "onset")


WEEKS_PER_MONTH = 365.25 / 12 / 7
#: anchors for the between-patient SD of the true monthly rate: label -> (source key, how it is read)
ANCHORS = {
    "population cohort": ("vaneijk2019", "model-based between-patient SD, taken as the true spread"),
    "edaravone placebo arm": ("edaravone2017", "SD of 24-week change (SE × √n) minus the noise of a 24-week rate"),
    "CENTAUR placebo arm": ("paganoni2020", "SD of the 24-week slope (SE × √n) minus the noise of a 24-week rate"),
}
DEFAULT_ANCHOR = "edaravone placebo arm"


def _measurement_sd(noise_sd: float, round_scores: bool = True) -> float:
    """Visit noise plus, on the whole-point scale, rounding error (uniform, variance 1/12)."""
    return float(np.sqrt(noise_sd**2 + (1 / 12 if round_scores else 0.0)))


def slope_sd_anchors(noise_sd: float = 1.0, round_scores: bool = True) -> pd.DataFrame:
    """The published spreads of ALSFRS-R decline that can anchor ``slope_sd``, each with the true
    between-patient SD it implies at this visit noise (points/month; from ``data/natural_history``).

    Columns: ``anchor, source, observed SD, months, true SD, how``. For the two placebo arms the
    observed SD is ``SE · √n`` (:func:`appraisal.progression.sd_from_se`) per month of the
    24-week period, and the true SD removes the noise of an endpoint rate over that period
    (:func:`appraisal.progression.true_slope_sd`). The population-cohort value comes from a
    mixed model and is used as it stands (its unit is presumed, see the data table); it has no
    period, so ``months`` is text: the period to one decimal, or "—".
    ``noise_sd`` must lie in 0–48 points (the span of the scale); ``round_scores`` is True or False.
    """
    from ..data import value

    noise_sd = chk.in_range("noise_sd", noise_sd, 0.0, MAX_SCORE)
    round_scores = chk.flag("round_scores", round_scores)
    e = _measurement_sd(noise_sd, round_scores)
    nh = lambda q: float(value("natural_history", q))  # noqa: E731
    rows = []
    pop = nh("vaneijk_between_patient_sd_a")
    rows.append(("population cohort", pop, None, pop))
    months = nh("edaravone_period_weeks") / WEEKS_PER_MONTH
    obs = prog.sd_from_se(nh("edaravone_placebo_change_se"), int(nh("edaravone_placebo_n"))) / months
    rows.append(("edaravone placebo arm", obs, months, prog.true_slope_sd(obs, e, months)))
    months = nh("centaur_period_weeks") / WEEKS_PER_MONTH
    obs = prog.sd_from_se(nh("centaur_placebo_slope_se"), int(nh("centaur_placebo_n")))
    rows.append(("CENTAUR placebo arm", obs, months, prog.true_slope_sd(obs, e, months)))
    # the cohort's value is model-based and has no period: its "months" is "—" (the column holds text)
    return pd.DataFrame([{"anchor": a, "source": ANCHORS[a][0], "observed SD": o,
                          "months": "—" if m is None else f"{m:.1f}", "true SD": t,
                          "how": ANCHORS[a][1]} for a, o, m, t in rows])


def calibrated_slope_sd(noise_sd: float = 1.0, anchor: str = DEFAULT_ANCHOR, round_scores: bool = True) -> float:
    """True between-patient SD of the monthly rate implied by ``anchor`` at this visit noise
    (see :func:`slope_sd_anchors`)."""
    chk.one_of("anchor", anchor, list(ANCHORS))
    noise_sd = chk.in_range("noise_sd", noise_sd, 0.0, MAX_SCORE)
    round_scores = chk.flag("round_scores", round_scores)
    t = slope_sd_anchors(noise_sd, round_scores)
    return float(t.loc[t["anchor"] == anchor, "true SD"].iloc[0])


def natural_history_defaults(noise_sd: float = 1.0) -> dict:
    """Mean monthly ALSFRS-R decline in PRO-ACT (Atassi et al. 2014) and the calibrated true
    between-patient SD at ``noise_sd`` (:func:`calibrated_slope_sd`), both from ``data/``.
    ``observed_sd_proact`` is the PRO-ACT SD of observed slopes, for comparison only."""
    from ..data import value

    noise_sd = chk.in_range("noise_sd", noise_sd, 0.0, MAX_SCORE)
    return {
        "mean_decline": float(value("natural_history", "proact_mean_decline")),
        "slope_sd": calibrated_slope_sd(noise_sd),
        "observed_sd_proact": float(value("natural_history", "proact_sd_decline")),
    }


@dataclass(frozen=True)
class SingleArmResult:
    """Simulated untreated trial.

    Arrays are over *enrolled* patients. ``improvement`` holds, for each interval
    (column), the % improvement versus the rate before treatment where it is defined
    (``defined``); entries where it is not defined are 0 and must be masked with
    ``defined`` (they are never averaged).
    """

    params: dict
    n_screened: int
    n_enrolled: int
    visit_months: np.ndarray  # enrolled × (n_intervals + 2): screening, injection 1, 2, ...
    observed: np.ndarray  # enrolled × visits, whole ALSFRS-R scores
    true_rate: np.ndarray  # enrolled: the patient's average rate b
    rate_before: np.ndarray  # enrolled
    rate_after: np.ndarray  # enrolled × n_intervals
    rate_whole: np.ndarray  # enrolled: first to last injection
    defined: np.ndarray  # enrolled (bool): rate_before != 0
    improvement: np.ndarray  # enrolled × n_intervals (0 where undefined)
    improvement_whole: np.ndarray  # enrolled (0 where undefined)
    threshold: float
    extra: dict = field(default_factory=dict)

    def improvements(self, interval: int = 0) -> np.ndarray:
        """Defined improvements for one interval (0 = injection 1 → 2); ``"whole"`` for the whole period."""
        if isinstance(interval, str) and interval == "whole":
            return self.improvement_whole[self.defined]
        k = chk.integer("interval", interval, low=0, high=self.rate_after.shape[1] - 1)
        return self.improvement[self.defined, k]

    def responder_share(self, interval: int = 0, undefined_as_non_responder: bool = True) -> float:
        """Share of enrolled patients above the threshold; undefined ones count as non-responders
        (or are left out of the denominator with ``undefined_as_non_responder=False``)."""
        imp = self.improvements(interval)
        k = int(np.sum(imp > self.threshold))
        denom = self.n_enrolled if undefined_as_non_responder else imp.size
        if denom == 0:
            raise ValueError(f"interval={interval!r} is not allowed: no enrolled patient has a defined improvement "
                             "in this simulation (loosen the entry criteria or raise n).")
        return k / denom

    def share_undefined(self) -> float:
        return float(1 - self.defined.mean())

    def share_score_rose(self, visit: int = 2, reference: int = 1) -> float:
        """Share whose observed score at ``visit`` is above that at ``reference``
        (visits: 0 screening, 1 first injection, 2 second ...)."""
        v = chk.integer("visit", visit, low=0, high=self.observed.shape[1] - 1)
        r = chk.integer("reference", reference, low=0, high=self.observed.shape[1] - 1)
        return float(np.mean(self.observed[:, v] > self.observed[:, r]))


def _pair(name: str, value, low: float, high: float | None = None, *, positive_low: bool = False) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name}={value!r} is not allowed: {name} must be a pair (low, high).")
    a = chk.in_range(f"{name}[0]", value[0], low, high, low_inclusive=not positive_low)
    b = chk.in_range(f"{name}[1]", value[1], low, high, low_inclusive=not positive_low)
    if a > b:
        raise ValueError(f"{name}={value!r} is not allowed: {name} must be (low, high) with low ≤ high.")
    return a, b


def simulate_untreated(
    n: int = 2000,
    *,
    seed: int = 0,
    mean_decline: float | None = None,
    slope_sd: float | None = None,
    shape_exponent: float = 1.0,
    noise_sd: float = 1.0,
    interval_months: tuple[float, float] = (3.0, 6.0),
    n_intervals: int = 3,
    run_in_months: float = 3.0,
    before: str = "run_in",
    entry_min_score: float = 20,
    age_range: tuple[float, float] = (20, 70),
    age_mean: float = 55.0,
    age_sd: float = 12.0,
    screening_score_range: tuple[float, float] = (12.0, 47.0),
    threshold: float = 25.0,
    round_scores: bool = True,
    min_run_in_loss: float | None = None,
    expectation_bias: float = 0.0,
    treatment_slowing: float = 0.0,
) -> SingleArmResult:
    """Simulate ``n`` screened, untreated patients and apply the responder rule (see module doc).

    ``mean_decline`` defaults to the PRO-ACT mean in ``data/natural_history`` (Atassi et al.
    2014); ``slope_sd`` (the true between-patient SD) defaults to :func:`calibrated_slope_sd` at
    this ``noise_sd`` (and rounding), anchored on :data:`DEFAULT_ANCHOR`. ``slope_sd = 0`` gives
    every patient the same rate. ``age_mean``, ``age_sd`` and ``screening_score_range`` are
    illustrative assumptions, not published values.
    ``round_scores=False`` keeps the scores continuous (only to show what rounding does).
    ``min_run_in_loss``: if given, only patients whose observed score fell by at least this
    many points during the run-in are enrolled (enrolment after a steep spell, a route to
    regression to the mean). ``expectation_bias``: points added to every observed score after
    the first injection, standing for unblinded rating or reporting, with no change in the
    disease (0 = none). ``treatment_slowing``: a true effect, for contrast with the no-effect
    default (0): from the first injection on, each patient loses function at ``1 −
    treatment_slowing`` times their natural rate (0.5 halves the decline, 1 halts it), with no
    change before it. ``noise_sd`` must lie in 0–48 points.

    ``extra`` holds ``true_score`` (enrolled × visits, the noiseless score before rounding) and
    ``n_eligible`` (screened patients meeting the score and age criteria, before any
    ``min_run_in_loss`` requirement).
    """
    from ..data import value

    n = chk.integer("n", n, low=1, high=1_000_000)
    gen = make_rng(seed)
    noise_sd = chk.in_range("noise_sd", noise_sd, 0.0, MAX_SCORE)
    if not isinstance(round_scores, bool):
        raise ValueError(f"round_scores={round_scores!r} is not allowed: round_scores must be True or False.")
    # the scale spans 48 points: a monthly rate (or its SD) beyond that is not ALS as the ALSFRS-R measures it
    mean_decline = chk.in_range("mean_decline", float(value("natural_history", "proact_mean_decline"))
                                if mean_decline is None else mean_decline, 0.0, MAX_SCORE, low_inclusive=False)
    slope_sd = chk.in_range("slope_sd", calibrated_slope_sd(noise_sd, round_scores=round_scores)
                            if slope_sd is None else slope_sd, 0.0, MAX_SCORE)
    shape_exponent = chk.in_range("shape_exponent", shape_exponent, 0.2, 3.0)
    lo_int, hi_int = _pair("interval_months", interval_months, 0.0, 24.0, positive_low=True)
    n_intervals = chk.integer("n_intervals", n_intervals, low=1, high=6)
    run_in_months = chk.in_range("run_in_months", run_in_months, 0.0, 24.0, low_inclusive=False)
    chk.one_of("before", before, _BEFORE)
    entry_min_score = chk.in_range("entry_min_score", entry_min_score, 0, MAX_SCORE, high_inclusive=False)
    age_lo, age_hi = _pair("age_range", age_range, 0.0, 120.0)
    age_mean = chk.in_range("age_mean", age_mean, 0.0, 120.0)
    age_sd = chk.non_negative("age_sd", age_sd)
    s_lo, s_hi = _pair("screening_score_range", screening_score_range, 0.0, MAX_SCORE)
    if s_hi >= MAX_SCORE:
        raise ValueError(f"screening_score_range={screening_score_range!r} is not allowed: the upper end must be below "
                         f"{MAX_SCORE}, so that every patient has lost some function since onset.")
    threshold = chk.number("threshold", threshold)
    if min_run_in_loss is not None:
        min_run_in_loss = chk.in_range("min_run_in_loss", min_run_in_loss, 0.0, MAX_SCORE)
    expectation_bias = chk.in_range("expectation_bias", expectation_bias, -MAX_SCORE, MAX_SCORE)
    treatment_slowing = chk.in_range("treatment_slowing", treatment_slowing, 0.0, 1.0)

    # average rate per patient: lognormal with the given mean and SD (or constant)
    if slope_sd == 0:
        b = np.full(n, mean_decline)
    else:
        sigma2 = np.log1p((slope_sd / mean_decline) ** 2)
        b = gen.lognormal(np.log(mean_decline) - sigma2 / 2, np.sqrt(sigma2), n)
    age = gen.normal(age_mean, age_sd, n)
    screen_score = gen.uniform(s_lo, s_hi, n)
    # months from onset to screening: solve b · U · (u / U) ** p = 48 − score for u
    onset_to_screen = REFERENCE_MONTHS * ((MAX_SCORE - screen_score) / (b * REFERENCE_MONTHS)) ** (1 / shape_exponent)
    gaps = gen.uniform(lo_int, hi_int, (n, n_intervals))
    # visit times relative to the first injection: screening, injection 1, 2, ...
    rel = np.concatenate([np.full((n, 1), -run_in_months), np.zeros((n, 1)), np.cumsum(gaps, axis=1)], axis=1)
    since_onset = onset_to_screen[:, None] + run_in_months + rel
    loss = b[:, None] * REFERENCE_MONTHS * (since_onset / REFERENCE_MONTHS) ** shape_exponent
    if treatment_slowing:  # after the first injection (column 1) the loss accrues at (1 − slowing) of its natural pace
        loss[:, 2:] = loss[:, 1:2] + (1.0 - treatment_slowing) * (loss[:, 2:] - loss[:, 1:2])
    true_score = np.maximum(MAX_SCORE - loss, 0.0)
    obs = true_score + noise_sd * gen.standard_normal(true_score.shape)
    obs[:, 2:] += expectation_bias  # visits after the first injection
    if round_scores:
        obs = np.rint(obs)
    obs = np.clip(obs, 0, MAX_SCORE)  # the instrument's range: 0–48

    enrolled = (obs[:, 0] > entry_min_score) & (age >= age_lo) & (age <= age_hi)
    n_eligible = int(enrolled.sum())  # before any requirement on the run-in
    if min_run_in_loss is not None:
        enrolled &= (obs[:, 0] - obs[:, 1]) >= min_run_in_loss
    obs, rel, b, true_score = obs[enrolled], rel[enrolled], b[enrolled], true_score[enrolled]
    since_onset = since_onset[enrolled]
    m = int(enrolled.sum())

    if before == "run_in":
        rate_before = (obs[:, 0] - obs[:, 1]) / run_in_months
    else:
        rate_before = (MAX_SCORE - obs[:, 1]) / since_onset[:, 1]
    dt = np.diff(rel[:, 1:], axis=1)
    rate_after = (obs[:, 1:-1] - obs[:, 2:]) / dt
    rate_whole = (obs[:, 1] - obs[:, -1]) / (rel[:, -1] - rel[:, 1])
    defined = rate_before != 0
    improvement = np.zeros_like(rate_after)
    improvement_whole = np.zeros(m)
    if defined.any():
        rb = rate_before[defined]
        improvement[defined] = prog.percent_improvement(np.repeat(rb[:, None], n_intervals, axis=1), rate_after[defined])
        improvement_whole[defined] = prog.percent_improvement(rb, rate_whole[defined])
    params = dict(
        n=n, seed=seed, mean_decline=mean_decline, slope_sd=slope_sd, shape_exponent=shape_exponent,
        noise_sd=noise_sd, interval_months=(lo_int, hi_int), n_intervals=n_intervals, run_in_months=run_in_months,
        before=before, entry_min_score=entry_min_score, age_range=(age_lo, age_hi), age_mean=age_mean,
        age_sd=age_sd, screening_score_range=(s_lo, s_hi), threshold=threshold, round_scores=round_scores,
        min_run_in_loss=min_run_in_loss, expectation_bias=expectation_bias, treatment_slowing=treatment_slowing,
    )
    return SingleArmResult(
        params=params, n_screened=n, n_enrolled=m, visit_months=rel, observed=obs, true_rate=b,
        rate_before=rate_before, rate_after=rate_after, rate_whole=rate_whole, defined=defined,
        improvement=improvement, improvement_whole=improvement_whole, threshold=threshold,
        extra={"true_score": true_score, "n_eligible": n_eligible},
    )


def trial_sized(result: SingleArmResult, n_patients: int, n_trials: int = 2000, interval: int | str = 0,
                seed: int = 0) -> dict:
    """Resample trials of ``n_patients`` from a simulated untreated population.

    Returns the null responder share ``p`` (undefined improvements count as non-responders),
    the binomial probability of at least each count (a function of ``k``: use
    ``prob_at_least(k)``), and arrays over ``n_trials`` resampled trials of the responder
    count and of the mean improvement among patients with a defined improvement (``means``) and among the
    responders only (``means_responders``): the abstract the chapter reads does not say which of the two its
    mean is. Trials without any defined improvement (or without a responder) have no such mean and are left out.
    """
    chk.instance("result", result, SingleArmResult, "SingleArmResult from simulate_untreated()")
    n_patients = chk.integer("n_patients", n_patients, low=1, high=10_000)
    n_trials = chk.integer("n_trials", n_trials, low=1, high=100_000)
    chk.size_limit("n_trials × n_patients", n_trials * n_patients, 20_000_000, "resampled patients")
    gen = make_rng(seed)
    if result.n_enrolled == 0:
        raise ValueError("result is not allowed: nobody was enrolled in this simulation (entry criteria too strict).")
    if isinstance(interval, str) and interval == "whole":
        imp_all = np.where(result.defined, result.improvement_whole, np.nan)
    else:
        k = chk.integer("interval", interval, low=0, high=result.rate_after.shape[1] - 1)
        imp_all = np.where(result.defined, result.improvement[:, k], np.nan)
    p = float(np.mean(np.nan_to_num(imp_all, nan=-np.inf) > result.threshold))
    idx = gen.integers(0, result.n_enrolled, (n_trials, n_patients))
    draws = imp_all[idx]
    ok = ~np.isnan(draws)
    responder = np.where(ok, draws, -np.inf) > result.threshold
    counts = responder.sum(axis=1)

    def mean_over(mask):  # per trial, the mean improvement over the patients in ``mask``; trials with none left out
        n_in = mask.sum(axis=1)
        sums = np.where(mask, draws, 0.0).sum(axis=1)
        return np.divide(sums, n_in, out=np.zeros(n_trials), where=n_in > 0)[n_in > 0]

    n_ok = ok.sum(axis=1)
    return {
        "p": p,
        "prob_at_least": lambda k: float(stats.binom.sf(chk.integer("k", k, low=0) - 1, n_patients, p)),
        "counts": counts,
        "means": mean_over(ok),
        "means_responders": mean_over(responder),
        "n_trials_without_mean": int(np.sum(n_ok == 0)),
    }


def riser_trials(result: SingleArmResult, n_patients: int, k_rose: int, k_responders: int | None = None, *,
                 n_trials: int = 20_000, seed: int = 0, visit: int | str = 2, reference: int = 1,
                 interval: int = 0, level: float = 0.95) -> dict:
    """How often untreated trials of ``n_patients`` show at least ``k_rose`` patients whose score *rose*.

    A patient "rose" when the observed score at ``visit`` is above that at ``reference`` (visits:
    0 screening, 1 first injection, 2 second ...; by default from injection 1 to injection 2,
    :meth:`SingleArmResult.share_score_rose`). ``visit="any"`` counts a patient who rose at *any*
    visit after ``reference`` (a trial that checked every later visit; it needs a later visit). Returns

    * ``share_rose``: the simulated share of enrolled patients who rose, and ``expected``, that
      share times ``n_patients``;
    * ``p_rose``: P(at least ``k_rose`` of ``n_patients`` rose), **binomial** in the simulated share
      (exact given the share, so very small values are not lost to resampling);
    * ``p_rose_resampled``: the same from ``n_trials`` resampled trials (a check on the binomial);
    * if ``k_responders`` is given, ``p_joint``: the share of the same resampled trials with at least
      ``k_responders`` responders in ``interval`` (undefined ratios count as non-responders, as in
      :func:`trial_sized`) **and** at least ``k_rose`` risers — a joint count cannot be had from two
      binomials, because rising and responding go together in one patient — with ``p_joint_high``,
      the exact (Clopper–Pearson) upper end at ``level`` of that Monte Carlo estimate, and
      ``p_joint_se``, its binomial standard error;
    * ``n_trials``.
    """
    chk.instance("result", result, SingleArmResult, "SingleArmResult from simulate_untreated()")
    n_patients = chk.integer("n_patients", n_patients, low=1, high=10_000)
    k_rose = chk.integer("k_rose", k_rose, low=0, high=n_patients)
    if k_responders is not None:
        k_responders = chk.integer("k_responders", k_responders, low=0, high=n_patients)
    n_trials = chk.integer("n_trials", n_trials, low=1, high=200_000)
    chk.size_limit("n_trials × n_patients", n_trials * n_patients, 20_000_000, "resampled patients")
    level = chk.probability("level", level)
    if result.n_enrolled == 0:
        raise ValueError("result is not allowed: nobody was enrolled in this simulation (entry criteria too strict).")
    last = result.observed.shape[1] - 1
    r = chk.integer("reference", reference, low=0, high=last)
    k = chk.integer("interval", interval, low=0, high=result.rate_after.shape[1] - 1)
    if isinstance(visit, str):
        if visit != "any" or r >= last:
            raise ValueError(f"visit={visit!r} is not allowed: give a visit index 0–{last} or 'any' "
                             f"(with a reference below {last}).")
        rose = (result.observed[:, r + 1:] > result.observed[:, [r]]).any(axis=1)
    else:
        v = chk.integer("visit", visit, low=0, high=last)
        rose = result.observed[:, v] > result.observed[:, r]
    share = float(rose.mean())
    gen = make_rng(seed)
    idx = gen.integers(0, result.n_enrolled, (n_trials, n_patients))
    n_rose = rose[idx].sum(axis=1)
    out = {"share_rose": share, "expected": n_patients * share,
           "p_rose": float(stats.binom.sf(k_rose - 1, n_patients, share)),
           "p_rose_resampled": float(np.mean(n_rose >= k_rose)), "n_trials": n_trials}
    if k_responders is not None:
        responder = result.defined & (result.improvement[:, k] > result.threshold)
        both = (responder[idx].sum(axis=1) >= k_responders) & (n_rose >= k_rose)
        hits = int(both.sum())
        p = hits / n_trials
        out.update(p_joint=p, p_joint_high=float(proportion_ci(hits, n_trials, level, "exact")[1]),
                   p_joint_se=float(np.sqrt(p * (1 - p) / n_trials)))
    return out


def null_grid(settings: list[dict], n_patients: int, k: int, *, n: int = 4000, seed: int = 0,
              interval: int | str = 0, level: float = 0.95) -> pd.DataFrame:
    """Run :func:`simulate_untreated` once per dict of keyword arguments in ``settings`` (same ``n``
    and ``seed`` for all) and tabulate, for each, the untreated responder share in ``interval``
    and the probability that a trial of ``n_patients`` shows at least ``k`` responders.

    Columns: the settings' keys (a key missing from one dict shows the value that run used, its
    default), ``slope_sd used``, ``enrolled``, ``responders (%)``, ``undefined (%)``, ``P(≥k)``
    (binomial in the simulated share), and ``P low``/``P high``: the same probability at the ends
    of the share's Wilson interval at ``level`` (the Monte Carlo uncertainty, which matters for
    very small probabilities). Those columns count patients with no defined improvement (an
    earlier rate of exactly 0) as non-responders; ``responders, undefined excluded (%)`` and
    ``P(≥k), undefined excluded`` leave them out of the denominator instead (the like-for-like
    reading when a trial reports every patient as evaluable). At most 200 settings and
    ``n`` up to 200,000.
    """
    if not isinstance(settings, (list, tuple)) or not settings or not all(isinstance(d, dict) for d in settings):
        raise ValueError(f"settings={settings!r} is not allowed: give a non-empty list of keyword dicts.")
    if len(settings) > 200:
        raise ValueError(f"settings with {len(settings)} entries is not allowed: settings must hold at most 200.")
    n_patients = chk.integer("n_patients", n_patients, low=1, high=10_000)
    k = chk.integer("k", k, low=0, high=n_patients)
    n = chk.integer("n", n, low=1, high=200_000)
    level = chk.probability("level", level)
    keys = list(dict.fromkeys(key for kw in settings for key in kw))
    prob = lambda q: float(stats.binom.sf(k - 1, n_patients, q))  # noqa: E731
    rows = []
    for kw in settings:
        r = simulate_untreated(n, seed=seed, **kw)
        if r.n_enrolled == 0:
            raise ValueError(f"settings entry {kw!r} is not allowed: nobody was enrolled.")
        imp = r.improvements(interval)
        count = int(np.sum(imp > r.threshold))
        p = count / r.n_enrolled
        lo, hi = proportion_ci(count, r.n_enrolled, level) if 0 < count < r.n_enrolled else (p, p)
        p_ex = count / imp.size if imp.size else 0.0
        used = {key: (kw[key] if key in kw else r.params.get(key)) for key in keys}
        rows.append({**used, "slope_sd used": float(r.params["slope_sd"]), "enrolled": int(r.n_enrolled),
                     "responders (%)": 100 * p, "undefined (%)": 100 * r.share_undefined(),
                     f"P(≥{k})": prob(p), "P low": prob(lo), "P high": prob(hi),
                     "responders, undefined excluded (%)": 100 * p_ex, f"P(≥{k}), undefined excluded": prob(p_ex)})
    return pd.DataFrame(rows)
