"""Matched pairs with no treatment effect: what a "response" rule finds when nothing works.

The design simulated is that of a one-to-one matched comparison with external
reference patients (as in Barczewska et al., Stem Cell Rev Rep 2020):

* every patient, treated or reference, loses ALSFRS-R points along their own straight
  line: a personal slope drawn from a normal distribution across patients
  (``mean_slope``, ``slope_sd``); during the comparison period the slope may drift
  from its earlier value (``slope_change_sd``, standing in for the curvilinear
  trajectories described in PRO-ACT);
* each visit's score carries independent measurement noise (``noise_sd`` points);
* the pre-treatment slope is estimated from two visits ``pre_months`` apart and
  rounded to ``slope_rounding`` points/month, as it would be printed;
* each treated patient is given one reference drawn at random, with replacement, from a
  large pool of patients whose estimated slope lies within ``match_tol`` of theirs (the
  nearest one if none does);
* from time zero both are followed: the "early response" is the treated patient's
  change minus the reference's change after ``early_months``, the "final" difference
  after ``followup_months``; the final difference is classified with the ±``threshold``
  rule (above +threshold: "decreased progression"; below −threshold: "increased
  progression"; otherwise "no change").

By default (``treatment_effect = 0``) the treatment does nothing, so every patient
"truly" belongs in "no change":
any other category, and any association between early and final differences, is made
by the design (measurement noise, differences in slopes that matching did not remove,
and the early and final differences sharing the same reference and the same
time-zero visit). ``treatment_effect`` (points/month, positive = slower decline) adds a
true benefit to the treated patients' slopes during follow-up, to see what a modest
effect would give. Everything is vectorized over ``n_studies`` replicate studies.

:func:`split_tail_probabilities` says how often the replicate studies produce a
published category split or a more extreme one (each category alone, and jointly);
:func:`category_grid` repeats that over a grid of assumptions (visit noise, slope
drift, true effect), because the answer depends on settings nobody measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _checks as chk
from . import rng

__all__ = ["CATEGORIES", "MatchedPairsResult", "simulate_matched_pairs", "failure_slope", "failure_slopes_by_study",
           "split_tail_probabilities", "category_grid"]

#: Category codes: +1 decreased progression (treated lost fewer points), 0 no change, −1 increased.
CATEGORIES = {1: "decreased progression", 0: "no change", -1: "increased progression"}


@dataclass(frozen=True)
class MatchedPairsResult:
    """Simulated treated-minus-reference differences, shape ``(n_studies, n_pairs)``."""

    early: np.ndarray          # ALSFRS-R points, treated change − reference change after early_months
    final: np.ndarray          # the same after followup_months
    category: np.ndarray       # +1 / 0 / −1 from the ±threshold rule applied to ``final``
    pre_slope_gap: np.ndarray  # |estimated pre-treatment slope, treated − reference| (points/month)
    threshold: float
    params: dict
    slope_treated: np.ndarray | None = None    # true slope during follow-up (points/month), treated
    slope_reference: np.ndarray | None = None  # the same for each treated patient's matched reference

    @property
    def failure(self) -> np.ndarray:
        """1 where the pair is not classed as "decreased progression" (the outcome of Table 3)."""
        return (self.category != 1).astype(int)

    def split(self) -> dict[str, float]:
        """Fraction of all simulated pairs in each category."""
        return {name: float(np.mean(self.category == code)) for code, name in CATEGORIES.items()}

    def split_by_study(self) -> pd.DataFrame:
        """Count in each category for every replicate study."""
        return pd.DataFrame({name: (self.category == code).sum(axis=1) for code, name in CATEGORIES.items()})


def simulate_matched_pairs(
    n_pairs: int = 67,
    n_studies: int = 1,
    mean_slope: float = -1.0,
    slope_sd: float = 0.8,
    slope_change_sd: float = 0.3,
    noise_sd: float = 1.5,
    match_tol: float = 0.1,
    pre_months: float = 6.0,
    early_months: float = 2.0,
    followup_months: float = 6.0,
    threshold: float = 3.0,
    slope_rounding: float = 0.1,
    pool_factor: int = 5,
    treatment_effect: float = 0.0,
    seed: int = 0,
) -> MatchedPairsResult:
    """Simulate ``n_studies`` matched-pair studies of ``n_pairs`` pairs under no treatment effect.

    Units: slopes in ALSFRS-R points per month (negative = decline), noise in points,
    times in months. ``slope_rounding = 0`` keeps estimated slopes unrounded;
    ``match_tol = 0`` matches to the nearest pool patient. ``treatment_effect`` is added
    to the treated patients' slopes during follow-up only (0 = no effect). See the module
    docstring for the model. Sizes: ``n_pairs × n_studies`` ≤ 2,000,000 and
    ``n_pairs × n_studies × pool_factor`` ≤ 10,000,000 (the reference pool).
    """
    n_pairs = chk.integer("n_pairs", n_pairs, low=2, high=100_000)
    n_studies = chk.integer("n_studies", n_studies, low=1, high=10_000)
    mean_slope = chk.in_range("mean_slope", mean_slope, -10.0, 10.0)
    slope_sd = chk.non_negative("slope_sd", slope_sd)
    slope_change_sd = chk.non_negative("slope_change_sd", slope_change_sd)
    noise_sd = chk.non_negative("noise_sd", noise_sd)
    match_tol = chk.non_negative("match_tol", match_tol)
    pre_months = chk.positive("pre_months", pre_months)
    early_months = chk.positive("early_months", early_months)
    followup_months = chk.positive("followup_months", followup_months)
    if early_months > followup_months:
        raise ValueError(f"early_months={early_months!r} is not allowed: early_months must be at most "
                         f"followup_months={followup_months!r}.")
    threshold = chk.non_negative("threshold", threshold)
    slope_rounding = chk.non_negative("slope_rounding", slope_rounding)
    pool_factor = chk.integer("pool_factor", pool_factor, low=1, high=100)
    treatment_effect = chk.in_range("treatment_effect", treatment_effect, -5.0, 5.0)
    if n_pairs * n_studies > 2_000_000:
        raise ValueError(f"n_studies={n_studies!r} is not allowed: n_pairs × n_studies must be at most 2,000,000.")
    # the reference pool holds n_pairs × n_studies × pool_factor simulated patients (4 visits each)
    chk.size_limit("n_pairs × n_studies × pool_factor", n_pairs * n_studies * pool_factor, 10_000_000,
                   "simulated reference patients; about 10 s here at the limit")
    g = rng(seed)
    n_t = n_pairs * n_studies
    n_r = n_t * pool_factor

    def patients(n: int, effect: float = 0.0):
        pre = mean_slope + slope_sd * g.standard_normal(n)
        during = pre + slope_change_sd * g.standard_normal(n) + effect
        e = noise_sd * g.standard_normal((4, n))  # visits at −pre, 0, early, followup
        est = pre + (e[1] - e[0]) / pre_months
        if slope_rounding > 0:
            est = np.round(est / slope_rounding) * slope_rounding
        change_early = during * early_months + e[2] - e[1]
        change_final = during * followup_months + e[3] - e[1]
        return est, change_early, change_final, during

    t_est, t_early, t_final, t_during = patients(n_t, treatment_effect)
    r_est, r_early, r_final, r_during = patients(n_r)
    order = np.argsort(r_est, kind="stable")
    pool = r_est[order]
    eps = 1e-9
    lo = np.searchsorted(pool, t_est - match_tol - eps, side="left")
    hi = np.searchsorted(pool, t_est + match_tol + eps, side="right")
    count = hi - lo
    pick = lo + np.floor(g.random(n_t) * np.maximum(count, 1)).astype(int)
    # no candidate within tolerance: take the nearest pool patient
    none = count == 0
    if none.any():
        right = np.clip(lo[none], 0, n_r - 1)
        left = np.clip(lo[none] - 1, 0, n_r - 1)
        pick[none] = np.where(np.abs(pool[left] - t_est[none]) <= np.abs(pool[right] - t_est[none]), left, right)
    pick = np.clip(pick, 0, n_r - 1)
    ref = order[pick]
    early = t_early - r_early[ref]
    final = t_final - r_final[ref]
    category = np.where(final > threshold, 1, np.where(final < -threshold, -1, 0))
    shape = (n_studies, n_pairs)
    params = dict(n_pairs=n_pairs, n_studies=n_studies, mean_slope=mean_slope, slope_sd=slope_sd,
                  slope_change_sd=slope_change_sd, noise_sd=noise_sd, match_tol=match_tol, pre_months=pre_months,
                  early_months=early_months, followup_months=followup_months, threshold=threshold,
                  slope_rounding=slope_rounding, pool_factor=pool_factor, treatment_effect=treatment_effect, seed=seed)
    return MatchedPairsResult(early.reshape(shape), final.reshape(shape), category.reshape(shape),
                              np.abs(t_est - r_est[ref]).reshape(shape), threshold, params,
                              t_during.reshape(shape), r_during[ref].reshape(shape))


def failure_slope(result: MatchedPairsResult) -> dict[str, float] | None:
    """Logistic regression of failure (not "decreased progression") on the early response.

    Fitted with :class:`statsmodels.api.Logit` over all simulated pairs. Returns the
    slope (log-odds of failure per ALSFRS-R point of early response), its standard
    error and the intercept, or ``None`` when the slope cannot be estimated (every pair
    in one outcome, or the outcomes perfectly separated by the early response).
    """
    import warnings

    # submodules, not statsmodels.api: the api pulls in compiled modules the browser build lacks
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.tools import add_constant

    if not isinstance(result, MatchedPairsResult):
        raise ValueError(f"result={type(result).__name__} is not allowed: result must be a MatchedPairsResult.")
    y = result.failure.ravel()
    x = result.early.ravel()
    if y.min() == y.max() or np.ptp(x) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = Logit(y, add_constant(x)).fit(disp=0, maxiter=50)
        except Exception:  # perfect separation and similar: no finite estimate
            return None
    b0, b1 = (float(v) for v in fit.params)
    se = float(fit.bse[1])
    if not (np.isfinite(b1) and np.isfinite(se)) or abs(b1) > 50:
        return None
    return {"intercept": b0, "slope": b1, "se": se}


def failure_slopes_by_study(result: MatchedPairsResult) -> pd.DataFrame:
    """The failure-on-early-response logistic slope fitted separately in each replicate study.

    One row per study: ``slope`` and ``se`` (``None`` where not estimable) and
    ``estimable`` (False when every pair had the same outcome or the outcomes were
    perfectly separated), so that no NaN travels on unannounced. One logistic fit per
    study: at most 1,000 studies (a few seconds).
    """
    if not isinstance(result, MatchedPairsResult):
        raise ValueError(f"result={type(result).__name__} is not allowed: result must be a MatchedPairsResult.")
    chk.size_limit("result's n_studies", result.early.shape[0], 1_000, "one logistic fit per study")
    rows = []
    for i in range(result.early.shape[0]):
        sub = MatchedPairsResult(result.early[i:i + 1], result.final[i:i + 1], result.category[i:i + 1],
                                 result.pre_slope_gap[i:i + 1], result.threshold, result.params)
        fit = failure_slope(sub)
        rows.append({"study": i, "slope": None if fit is None else fit["slope"],
                     "se": None if fit is None else fit["se"], "estimable": fit is not None})
    return pd.DataFrame(rows)


def split_tail_probabilities(result: MatchedPairsResult, decreased: int, increased: int) -> dict[str, float]:
    """How often the replicate studies give a split like a published one (``decreased``, ``increased``) or a more extreme one.

    Returns, over the studies of ``result``: the mean count in each category
    (``mean_decreased``, ``mean_nochange``, ``mean_increased``); ``p_decreased_ge`` =
    P(D ≥ decreased); ``p_increased_le`` = P(I ≤ increased); ``p_nochange_ge`` =
    P(no change ≥ the published no-change count); ``p_joint`` = P(D ≥ decreased and
    I ≤ increased), the published pattern or one more favourable on both counts (a
    one-sided event); ``p_joint_either`` adds its mirror image (I ≥ decreased and D ≤
    increased), the two-sided version; ``p_asymmetry`` = P(|D − I| ≥ |decreased − increased|), a split at least as uneven in
    either direction. Each is a share of simulated studies (Monte Carlo error about
    sqrt(p(1 − p) / n_studies)).
    """
    if not isinstance(result, MatchedPairsResult):
        raise ValueError(f"result={type(result).__name__} is not allowed: result must be a MatchedPairsResult.")
    n = result.category.shape[1]
    decreased = chk.integer("decreased", decreased, low=0, high=n)
    increased = chk.integer("increased", increased, low=0, high=n - decreased)
    nochange = n - decreased - increased
    s = result.split_by_study()
    d, c, i = (s[k].to_numpy() for k in ("decreased progression", "no change", "increased progression"))
    return {
        "mean_decreased": float(d.mean()), "mean_nochange": float(c.mean()), "mean_increased": float(i.mean()),
        "p_decreased_ge": float(np.mean(d >= decreased)), "p_increased_le": float(np.mean(i <= increased)),
        "p_nochange_ge": float(np.mean(c >= nochange)),
        "p_joint": float(np.mean((d >= decreased) & (i <= increased))),
        "p_joint_either": float(np.mean(((d >= decreased) & (i <= increased)) | ((i >= decreased) & (d <= increased)))),
        "p_asymmetry": float(np.mean(np.abs(d - i) >= abs(decreased - increased))),
    }


def category_grid(decreased: int, increased: int, settings: dict | None = None,
                  noise_sd=(0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0), treatment_effect=(0.0,), slope_change_sd=None,
                  n_studies: int = 2000, seed: int = 0) -> pd.DataFrame:
    """:func:`split_tail_probabilities` over a grid of visit-noise SDs, true effects and slope drifts.

    One row per combination of ``noise_sd`` × ``treatment_effect`` × ``slope_change_sd``
    (``None``: keep the value in ``settings`` or the default), with the settings, the mean
    percentage in each category and the tail probabilities. ``settings`` holds the other
    arguments of :func:`simulate_matched_pairs` (the grid's values override its
    ``noise_sd``, ``treatment_effect`` and ``slope_change_sd``). Every setting uses the
    same ``seed`` (common random numbers), so neighbouring rows differ by the setting,
    not by luck.
    """
    def as_list(name, x):
        vals = list(x) if isinstance(x, (list, tuple, np.ndarray)) else [x]
        if not vals:
            raise ValueError(f"{name}={x!r} is not allowed: give at least one value.")
        return vals

    noises = as_list("noise_sd", noise_sd)
    effects = as_list("treatment_effect", treatment_effect)
    drifts = as_list("slope_change_sd", slope_change_sd)
    if settings is not None and not isinstance(settings, dict):
        raise ValueError(f"settings={settings!r} is not allowed: settings must be a dict of simulate_matched_pairs "
                         f"arguments, or None.")
    params = {k: v for k, v in (settings or {}).items() if k not in ("noise_sd", "treatment_effect", "n_studies", "seed")}
    rows = []
    for drift in drifts:
        extra = {} if drift is None else {"slope_change_sd": drift}  # overrides settings
        for eff in effects:
            for ns in noises:
                r = simulate_matched_pairs(n_studies=n_studies, seed=seed, noise_sd=ns, treatment_effect=eff,
                                           **{**params, **extra})
                t = split_tail_probabilities(r, decreased, increased)
                n = r.category.shape[1]
                rows.append({"noise_sd": float(ns), "treatment_effect": float(eff),
                             "slope_change_sd": float(r.params["slope_change_sd"]),
                             "decreased %": 100 * t["mean_decreased"] / n, "no change %": 100 * t["mean_nochange"] / n,
                             "increased %": 100 * t["mean_increased"] / n, **{k: t[k] for k in t if k.startswith("p_")}})
    return pd.DataFrame(rows)
