"""Survival under no treatment effect, with the treated arm's inclusion rule: immortal time.

In a comparison such as Barczewska et al. (Stem Cell Rev Rep 2020), treated patients
were analysed only if they received at least three injections (the third about four
months after enrollment) and were assessed at each visit, yet their survival was counted
from enrollment. Every analysed treated patient was therefore certain to be alive for the
first months of follow-up. That guaranteed ("immortal") time flatters the treated arm
even when the treatment does nothing (Suissa S. Immortal time bias in
pharmaco-epidemiology. Am J Epidemiol 2008;167:492–9) — *if* the references faced no
comparable condition, and only to the extent that enrolled patients died before the
window ended: the model draws those exclusions from unselected mortality
(``SurvivalResult.n_excluded``), whereas the paper reports no such number (if none
died, the treated side carries no immortal-time bias). The paper does not say where the references' time zero was or
whether they, too, had to be observed (alive) through a comparison period; if they
were counted from trial entry but had to survive a longer window, the bias runs the
other way. ``reference_window_months`` models that case.

The model here:

* survival times from time zero (enrollment) follow a Weibull distribution with the
  given ``median_days`` and ``shape`` (shape 1 = constant hazard), the same in both arms;
* an optional ``selection_hr`` multiplies the hazard of the patients who reach the
  treated arm (below 1: people well enough to seek, travel for and pay for treatment
  die more slowly for reasons other than the treatment); ``treatment_hr`` does the same
  for a real effect (1 = none);
* a treated patient is analysed only if alive at ``window_months``; the analysed
  survival times are drawn from the distribution conditional on that;
* likewise a reference is analysed only if alive at ``reference_window_months``
  (default 0: no condition), survival still counted from its own time zero;
* follow-up ends at an administrative date: each patient is censored at
  ``min_followup_months`` plus a uniform share of ``accrual_months`` (recruitment
  spread over the accrual period), in both arms.

A second, separate mechanism (:func:`reference_death_selection`): references drawn
only from patients whose death was recorded within ``death_within_days`` of their time
zero (selection on the outcome), while the treated are censored at a common date. With
no effect at all, the references' survival is then truncated and the hazard ratio falls
far below 1. :func:`death_window_for_median` gives the window that turns a true median
into a given (shorter) reference median; :func:`summarize_null_hr` summarizes replicate
studies with Monte Carlo standard errors.

Estimators: :func:`exponential_hr` (events per person-time, fast: for widgets and
replicate studies), :func:`cox_hr` (lifelines ``CoxPHFitter``) and :func:`km_curves`
(lifelines ``KaplanMeierFitter``) for the chapter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _checks as chk
from . import rng

__all__ = [
    "DAYS_PER_MONTH",
    "SurvivalResult",
    "simulate_survival",
    "exponential_hr",
    "cox_hr",
    "km_curves",
    "median_from_curve",
    "replicate_hr",
    "death_window_for_median",
    "reference_death_selection",
    "summarize_null_hr",
]

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class SurvivalResult:
    """Simulated follow-up in days from enrollment, for the analysed patients of each arm."""

    time_treated: np.ndarray
    event_treated: np.ndarray
    time_reference: np.ndarray
    event_reference: np.ndarray
    n_screened: int  # treated-arm candidates drawn to obtain n_per_arm analysed patients
    params: dict

    @property
    def n_excluded(self) -> int:
        """Treated candidates who died before the end of the window and were not analysed."""
        return self.n_screened - len(self.time_treated)

    def frame(self) -> pd.DataFrame:
        """Long table: days, died (1/0), treated (1/0), for lifelines."""
        return pd.DataFrame({
            "days": np.r_[self.time_treated, self.time_reference],
            "died": np.r_[self.event_treated, self.event_reference].astype(int),
            "treated": np.r_[np.ones(len(self.time_treated), int), np.zeros(len(self.time_reference), int)],
        })


def _check(n_per_arm, median_days, shape, window_months, selection_hr, treatment_hr, min_followup_months,
           accrual_months, max_n=200_000, reference_window_months=0.0):
    return dict(
        reference_window_months=chk.in_range("reference_window_months", reference_window_months, 0.0, 60.0),
        n_per_arm=chk.integer("n_per_arm", n_per_arm, low=2, high=max_n),
        median_days=chk.in_range("median_days", median_days, 30.0, 10_000.0),
        shape=chk.in_range("shape", shape, 0.2, 5.0),
        window_months=chk.in_range("window_months", window_months, 0.0, 60.0),
        selection_hr=chk.in_range("selection_hr", selection_hr, 0.05, 20.0),
        treatment_hr=chk.in_range("treatment_hr", treatment_hr, 0.05, 20.0),
        min_followup_months=chk.in_range("min_followup_months", min_followup_months, 0.0, 600.0,
                                         low_inclusive=False),
        accrual_months=chk.in_range("accrual_months", accrual_months, 0.0, 600.0),
    )


def _weibull_scale(median_days: float, shape: float) -> float:
    # S(t) = exp(-(t/scale)^shape); the median is scale · (ln 2)^(1/shape)
    return median_days / math.log(2) ** (1 / shape)


def _weibull_quantile(q, median_days: float, shape: float):
    """Inverse of :func:`_weibull_cdf`: the time by which a share ``q`` has died."""
    return _weibull_scale(median_days, shape) * (-np.log1p(-np.asarray(q, float))) ** (1 / shape)


def _weibull_times(g, size, median_days, shape, hr):
    # S(t) = exp(-(t/scale)^shape · hr); median at scale · (ln 2)^(1/shape) when hr = 1
    scale = _weibull_scale(median_days, shape)
    return scale * (g.standard_exponential(size) / hr) ** (1 / shape)


def _design(p: dict) -> tuple[float, float, float, float]:
    """Weibull scale, treated-arm hazard multiplier, window (days) and P(treated alive at the window).

    Refuses a window that fewer than 1% of treated candidates would survive.
    """
    scale = _weibull_scale(p["median_days"], p["shape"])
    hr_t = p["selection_hr"] * p["treatment_hr"]
    window = p["window_months"] * DAYS_PER_MONTH
    alive = math.exp(-((window / scale) ** p["shape"]) * hr_t)
    if alive < 0.01:
        raise ValueError(f"window_months={p['window_months']:g} is not allowed: fewer than 1% of patients would "
                         f"survive it with median_days={p['median_days']:g}; shorten the window.")
    return scale, hr_t, window, alive


def _treated_times(g, size, p: dict, scale: float, hr_t: float, window: float) -> np.ndarray:
    """Survival times of treated patients *given* survival to the window (conditional Weibull draw).

    With cumulative hazard H(t) = hr_t (t/scale)^shape, H(T) − H(window) is standard
    exponential given T > window, so T = scale (E/hr_t + (window/scale)^shape)^(1/shape).
    """
    u = g.standard_exponential(size) / hr_t + (window / scale) ** p["shape"]
    return scale * u ** (1 / p["shape"])


def _reference_times(g, size, p: dict, scale: float) -> np.ndarray:
    """Reference survival times, conditional on survival to ``reference_window_months`` when it is > 0."""
    w = p["reference_window_months"] * DAYS_PER_MONTH
    if w <= 0:
        return _weibull_times(g, size, p["median_days"], p["shape"], 1.0)
    if math.exp(-((w / scale) ** p["shape"])) < 0.01:
        raise ValueError(f"reference_window_months={p['reference_window_months']:g} is not allowed: fewer than 1% of "
                         f"patients would survive it with median_days={p['median_days']:g}; shorten the window.")
    return _treated_times(g, size, p, scale, 1.0, w)


def _censoring_days(g, size, p: dict) -> np.ndarray:
    """Administrative end of follow-up for each patient (minimum follow-up + uniform share of accrual)."""
    return DAYS_PER_MONTH * (p["min_followup_months"] + p["accrual_months"] * g.random(size))


def simulate_survival(
    n_per_arm: int = 1000,
    median_days: float = 640.0,
    shape: float = 1.0,
    window_months: float = 4.0,
    selection_hr: float = 1.0,
    treatment_hr: float = 1.0,
    min_followup_months: float = 15.0,
    accrual_months: float = 48.0,
    seed: int = 0,
    reference_window_months: float = 0.0,
) -> SurvivalResult:
    """Simulate one study: ``n_per_arm`` analysed treated and reference patients (see module).

    The number of treated candidates screened to find ``n_per_arm`` survivors of the
    window is ``n_per_arm`` plus a negative-binomial count of those who died in it.
    ``reference_window_months`` > 0 requires references, too, to be alive at that time
    (counted from their own time zero); 0 reproduces the one-sided case exactly.
    """
    p = _check(n_per_arm, median_days, shape, window_months, selection_hr, treatment_hr, min_followup_months,
               accrual_months, reference_window_months=reference_window_months)
    g = rng(seed)
    n = p["n_per_arm"]
    scale, hr_t, window, alive = _design(p)
    screened = n + int(g.negative_binomial(n, alive)) if alive < 1 else n
    t_treated = _treated_times(g, n, p, scale, hr_t, window)
    t_reference = _reference_times(g, n, p, scale)
    days_end = _censoring_days(g, (2, n), p)
    time_t = np.minimum(t_treated, days_end[0])
    time_r = np.minimum(t_reference, days_end[1])
    return SurvivalResult(time_t, (t_treated <= days_end[0]).astype(int), time_r,
                          (t_reference <= days_end[1]).astype(int), screened, {**p, "seed": seed})


def _rate_ratio(d_t, pt_t, d_r, pt_r):
    """Ratio of event rates (deaths per person-time) and the SE of its log, sqrt(1/D₁ + 1/D₂).

    Works on numbers or arrays; every D must be positive (callers mask arms without deaths).
    """
    hr = (d_t / pt_t) / (d_r / pt_r)
    se = np.sqrt(1 / d_t + 1 / d_r)
    return hr, se


def exponential_hr(result: SurvivalResult, level: float = 0.95) -> dict[str, float]:
    """Hazard ratio as a ratio of event rates (deaths per person-day), with a Wald interval.

    The maximum-likelihood hazard ratio if hazards are constant; SE of its log is
    sqrt(1/D₁ + 1/D₂) (D = deaths). Under other shapes it is a summary rate ratio,
    close to the Cox estimate when the inclusion window is short.
    """
    from scipy import stats

    if not isinstance(result, SurvivalResult):
        raise ValueError(f"result={type(result).__name__} is not allowed: result must be a SurvivalResult.")
    level = chk.probability("level", level)
    d_t, d_r = int(result.event_treated.sum()), int(result.event_reference.sum())
    if d_t == 0 or d_r == 0:
        raise ValueError("result is not allowed: an arm has no deaths, so no rate ratio can be estimated.")
    hr, se = _rate_ratio(d_t, result.time_treated.sum(), d_r, result.time_reference.sum())
    z = stats.norm.isf((1 - level) / 2)
    return {"hr": float(hr), "lower": float(hr * math.exp(-z * se)), "upper": float(hr * math.exp(z * se)),
            "p": float(2 * stats.norm.sf(abs(math.log(hr)) / se)), "deaths_treated": d_t, "deaths_reference": d_r}


def cox_hr(result: SurvivalResult) -> dict[str, float]:
    """Cox proportional-hazards estimate (lifelines ``CoxPHFitter``): HR, 95% CI and p."""
    from lifelines import CoxPHFitter

    if not isinstance(result, SurvivalResult):
        raise ValueError(f"result={type(result).__name__} is not allowed: result must be a SurvivalResult.")
    cph = CoxPHFitter().fit(result.frame(), duration_col="days", event_col="died")
    s = cph.summary.loc["treated"]
    return {"hr": float(s["exp(coef)"]), "lower": float(s["exp(coef) lower 95%"]),
            "upper": float(s["exp(coef) upper 95%"]), "p": float(s["p"])}


def km_curves(result: SurvivalResult) -> dict[str, pd.Series]:
    """Kaplan–Meier survival curves of each arm (lifelines ``KaplanMeierFitter``), indexed by day."""
    from lifelines import KaplanMeierFitter

    if not isinstance(result, SurvivalResult):
        raise ValueError(f"result={type(result).__name__} is not allowed: result must be a SurvivalResult.")
    out = {}
    for arm, t, e in (("treated", result.time_treated, result.event_treated),
                      ("reference", result.time_reference, result.event_reference)):
        km = KaplanMeierFitter().fit(t, e)
        out[arm] = km.survival_function_.iloc[:, 0]
    return out


def median_from_curve(curve: pd.Series) -> float | None:
    """First time at which a survival curve (indexed by day) reaches 0.5, or ``None`` if it never does."""
    if not isinstance(curve, pd.Series):
        raise ValueError(f"curve={type(curve).__name__} is not allowed: curve must be a pandas Series indexed by day.")
    below = curve[curve <= 0.5]
    return None if below.empty else float(below.index[0])


def replicate_hr(
    n_studies: int = 200,
    n_per_arm: int = 67,
    median_days: float = 640.0,
    shape: float = 1.0,
    window_months: float = 4.0,
    selection_hr: float = 1.0,
    treatment_hr: float = 1.0,
    min_followup_months: float = 15.0,
    accrual_months: float = 48.0,
    seed: int = 0,
    reference_window_months: float = 0.0,
) -> pd.DataFrame:
    """Many small studies at once (vectorized): the rate-ratio HR, its p and its 95% limits per study.

    Same model as :func:`simulate_survival` (including ``reference_window_months``);
    uses :func:`exponential_hr`'s estimator.
    Studies in which an arm has no deaths are dropped (rare at these sizes).
    """
    from scipy import stats

    n_studies = chk.integer("n_studies", n_studies, low=1, high=20_000)
    p = _check(n_per_arm, median_days, shape, window_months, selection_hr, treatment_hr, min_followup_months,
               accrual_months, max_n=5_000, reference_window_months=reference_window_months)
    if n_studies * p["n_per_arm"] > 2_000_000:
        raise ValueError(f"n_studies={n_studies!r} is not allowed: n_studies × n_per_arm must be at most 2,000,000.")
    g = rng(seed)
    n = p["n_per_arm"]
    scale, hr_t, window, _ = _design(p)
    t_t = _treated_times(g, (n_studies, n), p, scale, hr_t, window)
    t_r = _reference_times(g, (n_studies, n), p, scale)
    end = _censoring_days(g, (2, n_studies, n), p)
    d_t, d_r = (t_t <= end[0]).sum(1), (t_r <= end[1]).sum(1)
    pt_t, pt_r = np.minimum(t_t, end[0]).sum(1), np.minimum(t_r, end[1]).sum(1)
    ok = (d_t > 0) & (d_r > 0)
    if not ok.any():
        raise ValueError(f"min_followup_months={p['min_followup_months']:g} is not allowed with "
                         f"accrual_months={p['accrual_months']:g} and median_days={p['median_days']:g}: no simulated "
                         "study has a death in both arms, so no hazard ratio can be estimated; lengthen follow-up.")
    hr, se = _rate_ratio(d_t[ok], pt_t[ok], d_r[ok], pt_r[ok])
    z = stats.norm.isf(0.025)
    return pd.DataFrame({"hr": hr, "lower": hr * np.exp(-z * se), "upper": hr * np.exp(z * se),
                         "p": 2 * stats.norm.sf(np.abs(np.log(hr)) / se)})


def _weibull_cdf(t, median_days: float, shape: float):
    scale = _weibull_scale(median_days, shape)
    return 1.0 - np.exp(-((np.asarray(t, float) / scale) ** shape))


def death_window_for_median(median_days: float, reference_median_days: float, shape: float = 1.0) -> float:
    """Window L (days) such that survival times drawn only among deaths within L have the given median.

    With F the Weibull distribution function (``median_days``, ``shape``), the median of
    T given T ≤ L is the t with F(t) = F(L)/2, so L = F⁻¹(2 F(reference_median_days)).
    Selection on a death within L can only shorten survival, so ``reference_median_days``
    must be below ``median_days``.
    """
    m = chk.in_range("median_days", median_days, 30.0, 10_000.0)
    k = chk.in_range("shape", shape, 0.2, 5.0)
    r = chk.in_range("reference_median_days", reference_median_days, 1.0, 10_000.0)
    if r >= m:
        raise ValueError(f"reference_median_days={reference_median_days!r} is not allowed: it must be below "
                         f"median_days={m:g}, since selecting patients who died within a window only shortens survival.")
    target = 2 * float(_weibull_cdf(r, m, k))
    return float(_weibull_quantile(target, m, k))


def reference_death_selection(
    n_studies: int = 200,
    n_per_arm: int = 67,
    median_days: float = 1183.0,
    shape: float = 1.0,
    death_within_days: float = 1676.0,
    min_followup_months: float = 15.0,
    accrual_months: float = 48.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Replicate studies with NO treatment effect in which references were chosen among recorded deaths.

    Model (one illustrative mechanism, not a description of what was done):

    * both arms share one true survival distribution from time zero, Weibull with
      ``median_days`` and ``shape`` (1 = constant hazard): no treatment effect;
    * the treated are enrolled uniformly over ``accrual_months`` and followed to a common
      date ``min_followup_months`` after the last enrollment (administrative censoring);
      no inclusion window (immortal time is simulated separately, :func:`simulate_survival`);
    * references are drawn only among patients who died within ``death_within_days`` of
      their own time zero (inverse-CDF draw from T given T ≤ L), so every reference has a
      recorded death and none is censored.

    Each study is analysed with a lifelines ``CoxPHFitter`` (treated vs reference; Wald
    interval and p from its coefficient and standard error, as lifelines' summary gives).
    Returns one row per study: ``hr``, ``lower``, ``upper``, ``p`` and
    ``reference_median_days`` (all references die, so their Kaplan–Meier median is the
    sample median). ``attrs["treated_km"]`` holds the Kaplan–Meier median and the survival
    at the last follow-up time (%) of all simulated treated patients pooled (lifelines
    ``KaplanMeierFitter``), to compare with what the paper reports for the treated.
    """
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from scipy import stats

    n_studies = chk.integer("n_studies", n_studies, low=1, high=5_000)
    n = chk.integer("n_per_arm", n_per_arm, low=5, high=2_000)
    m = chk.in_range("median_days", median_days, 30.0, 10_000.0)
    k = chk.in_range("shape", shape, 0.2, 5.0)
    L = chk.in_range("death_within_days", death_within_days, 30.0, 36_525.0)
    p = dict(min_followup_months=chk.in_range("min_followup_months", min_followup_months, 0.0, 600.0,
                                              low_inclusive=False),
             accrual_months=chk.in_range("accrual_months", accrual_months, 0.0, 600.0))
    f_L = float(_weibull_cdf(L, m, k))
    if f_L < 0.01:
        raise ValueError(f"death_within_days={death_within_days!r} is not allowed: fewer than 1% of patients would "
                         f"die within it with median_days={m:g}; lengthen the window.")
    g = rng(seed)
    t_t = _weibull_times(g, (n_studies, n), m, k, 1.0)
    end = _censoring_days(g, (n_studies, n), p)
    u = g.random((n_studies, n)) * f_L            # F(T) uniform on (0, F(L)): T given T ≤ L
    t_r = _weibull_quantile(u, m, k)
    time_t, event_t = np.minimum(t_t, end), (t_t <= end).astype(int)
    group = np.r_[np.ones(n, int), np.zeros(n, int)]
    z = stats.norm.isf(0.025)
    rows = []
    for i in range(n_studies):
        frame = pd.DataFrame({"days": np.r_[time_t[i], t_r[i]], "died": np.r_[event_t[i], np.ones(n, int)],
                              "treated": group})
        cph = CoxPHFitter().fit(frame, duration_col="days", event_col="died")
        b, se = float(cph.params_["treated"]), float(cph.standard_errors_["treated"])
        rows.append({"hr": math.exp(b), "lower": math.exp(b - z * se), "upper": math.exp(b + z * se),
                     "p": float(2 * stats.norm.sf(abs(b) / se)), "se_log_hr": se,
                     "reference_median_days": float(np.median(t_r[i]))})
    out = pd.DataFrame(rows)
    km = KaplanMeierFitter().fit(time_t.ravel(), event_t.ravel())
    med = float(km.median_survival_time_)
    out.attrs["treated_km"] = {"median_days": med if math.isfinite(med) else float("nan"),
                               "alive_end_pct": 100 * float(km.survival_function_.iloc[-1, 0])}
    out.attrs["params"] = {"n_per_arm": n, "median_days": m, "shape": k, "death_within_days": L, **p, "seed": seed}
    return out


def summarize_null_hr(studies: pd.DataFrame, threshold: float = 0.30) -> dict[str, float]:
    """Summary of replicate no-effect studies, with Monte Carlo standard errors (MC SE).

    ``median_hr`` (median over studies; MC SE from the normal approximation to the sample
    median of log HR, 1.2533 · SD / √n, carried to the HR scale), ``p_le`` (share of
    studies with HR ≤ ``threshold``), ``p_sig`` (share with p < 0.05 and HR < 1), each with
    the binomial MC SE √(p(1 − p)/n), and ``reference_median_days`` (median over studies)
    when ``studies`` has that column.
    """
    studies = chk.frame("studies", studies, ["hr", "p"], numeric=["hr", "p"])
    if len(studies) < 2:
        raise ValueError(f"studies has {len(studies)} rows, which is not allowed: at least 2 studies are needed.")
    threshold = chk.in_range("threshold", threshold, 0.0, 100.0, low_inclusive=False)
    n = len(studies)
    log_hr = np.log(studies["hr"].to_numpy(float))
    med = float(np.exp(np.median(log_hr)))
    p_le = float((studies["hr"] <= threshold).mean())
    p_sig = float(((studies["p"] < 0.05) & (studies["hr"] < 1)).mean())
    out = {"n_studies": n, "median_hr": med,
           "median_hr_mcse": med * 1.2533 * float(np.std(log_hr, ddof=1)) / math.sqrt(n),
           "p_le": p_le, "p_le_mcse": math.sqrt(p_le * (1 - p_le) / n),
           "p_sig": p_sig, "p_sig_mcse": math.sqrt(p_sig * (1 - p_sig) / n)}
    if "reference_median_days" in studies:
        out["reference_median_days"] = float(studies["reference_median_days"].median())
    return out
