"""Gadolinium-enhancing lesion counts compared between two randomized groups (MESEMS's primary analysis).

The design
----------
MESEMS randomized patients to MSCs first or placebo first and crossed them over at week
24, but its primary efficacy endpoint compared the two *randomized groups* over the first
24 weeks, before the crossover (lesions summed over the scans at weeks 4, 12 and 24); the
within-patient comparisons across both periods were secondary objectives (protocol:
Uccelli et al., Trials 2019;20:263; report: Uccelli et al., Lancet Neurol 2021;20:917–29).
So the primary comparison is a two-arm, parallel-group comparison of counts, and this
module models exactly that. Carry-over cannot touch it: nobody had crossed over yet.

The model
---------
Each patient's cumulative count is negative binomial, generated as a gamma–Poisson
mixture: Poisson with mean ``rate × G`` (placebo) or ``rate × ratio × G`` (MSC), where
``G`` is gamma with mean 1 and variance ``dispersion``. The count then has variance
``μ + dispersion × μ²``, the model Sormani et al. (JNNP 2001;70:494–9) fitted to
enhancing-lesion counts. ``rate`` is the mean cumulative count on placebo.

The analysis
------------
:func:`estimate_ratio` (vectorized, used in the simulations) estimates the rate ratio as
the ratio of the two group means, with the robust (sandwich) variance of the log ratio,
``s²_A / (n_A ȳ_A²) + s²_B / (n_B ȳ_B²)``: this is what a Poisson regression on the
group indicator with robust standard errors gives, and it stays valid under any
overdispersion. :func:`fit_trial` fits the same trial with statsmodels' negative-binomial
regression (maximum likelihood, dispersion estimated) as a cross-check.

Precision and power
-------------------
The large-sample variance of the log rate ratio (Zhu & Lakkis, Stat Med 2014;33:376–87)::

    Var(log RR̂) ≈ (1/μ_A + dispersion) / n_A + (1/μ_B + dispersion) / n_B,

with μ_A = rate × ratio and μ_B = rate. :func:`power_analytic` and :func:`n_to_exclude`
use statsmodels' implementation of the same method
(:func:`statsmodels.stats.rates.power_negbin_ratio_2indep`, ``method_var="alt"``);
:func:`se_log_ratio` writes the formula out so that it can be vectorized over n and
inverted in :func:`calibrate_dispersion`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.stats.rates import power_equivalence_neginb_2indep, power_negbin_ratio_2indep

from .. import _checks as chk
from . import rng

__all__ = [
    "check_params",
    "simulate_trial",
    "estimate_ratio",
    "fit_trial",
    "se_log_ratio",
    "PowerResult",
    "power_analytic",
    "power_simulated",
    "n_to_exclude",
    "calibrate_dispersion",
    "n_for_equivalence",
]


#: upper limits of the model's parameters: far beyond any MRI series, and small enough that
#: Poisson means stay representable (NumPy refuses means above about 10^18)
MAX_RATIO, MAX_RATE, MAX_DISPERSION = 100.0, 10_000.0, 1_000.0
#: simulated patients in one call (trials × patients per trial)
MAX_PATIENTS = 20_000_000


def check_params(ratio, rate, dispersion) -> tuple[float, float, float]:
    """Check the model's parameters (see the module docstring) and return them as floats.

    ``ratio`` in (0, 100], ``rate`` in (0, 10 000], ``dispersion`` in [0, 1000].
    """
    ratio = chk.in_range("ratio", ratio, 0.0, MAX_RATIO, low_inclusive=False)
    rate = chk.in_range("rate", rate, 0.0, MAX_RATE, low_inclusive=False)
    dispersion = chk.in_range("dispersion", dispersion, 0.0, MAX_DISPERSION)
    return ratio, rate, dispersion


def _groups(n_msc, n_placebo, high: int = 10_000_000) -> tuple[int, int]:
    return chk.integer("n_msc", n_msc, low=2, high=high), chk.integer("n_placebo", n_placebo, low=2, high=high)


def _counts(gen: np.random.Generator, mean: float, dispersion: float, size) -> np.ndarray:
    if dispersion == 0:
        return gen.poisson(mean, size=size)
    return gen.poisson(mean * gen.gamma(1.0 / dispersion, dispersion, size=size))


def simulate_trial(
    n_msc: int = 69, n_placebo: int = 75, ratio: float = 1.0, rate: float = 3.0, dispersion: float = 2.0,
    n_trials: int = 1, seed: int = 0,
) -> dict[str, np.ndarray]:
    """Simulate ``n_trials`` two-arm trials (vectorized): cumulative lesion counts per patient.

    Returns ``msc`` (shape ``(n_trials, n_msc)``) and ``placebo`` (``(n_trials, n_placebo)``):
    each patient's count summed over the first period's scans. ``rate`` is the mean count
    on placebo; ``dispersion`` is k in var = μ + kμ².
    """
    n_msc, n_placebo = _groups(n_msc, n_placebo, high=1_000_000)
    n_trials = chk.integer("n_trials", n_trials, low=1, high=1_000_000)
    chk.size_limit("n_trials × (n_msc + n_placebo)", n_trials * (n_msc + n_placebo), MAX_PATIENTS,
                   "simulated patients in all; a few seconds of work")
    ratio, rate, dispersion = check_params(ratio, rate, dispersion)
    total = (n_msc + n_placebo) * n_trials
    if total > 20_000_000:
        raise ValueError(f"(n_msc + n_placebo) * n_trials={total} is not allowed: it must be at most 20000000.")
    g = rng(seed)
    return {"msc": _counts(g, rate * ratio, dispersion, (n_trials, n_msc)),
            "placebo": _counts(g, rate, dispersion, (n_trials, n_placebo))}


def estimate_ratio(msc, placebo, level: float = 0.95) -> pd.DataFrame:
    """Rate ratio (ratio of group means) with a robust interval, for each simulated trial.

    ``msc`` and ``placebo`` are arrays (trials × patients; the two may differ in patients).
    A group with no lesions at all gets 0.5 added to its total (a continuity correction),
    and a group whose counts are all equal gets the Poisson variance of its mean, so every
    estimate stays finite. Columns: ``ratio``, ``se_log``, ``lower``, ``upper``, ``z``, ``p``.
    """
    a = np.atleast_2d(chk.array("msc", msc, ndim=(1, 2), finite=False))
    b = np.atleast_2d(chk.array("placebo", placebo, ndim=(1, 2), finite=False))
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0] or a.shape[1] < 2 or b.shape[1] < 2:
        raise ValueError(f"msc.shape={a.shape} is not allowed: msc and placebo must have the same number of trials "
                         f"(rows) and ≥ 2 patients each (placebo.shape={b.shape}).")
    if np.any(a < 0) or np.any(b < 0) or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("msc is not allowed: counts must be finite and ≥ 0.")
    level = chk.probability("level", level)
    na, nb = a.shape[1], b.shape[1]
    ta, tb = a.sum(axis=1), b.sum(axis=1)
    ma, mb = np.where(ta == 0, 0.5, ta) / na, np.where(tb == 0, 0.5, tb) / nb
    va, vb = a.var(axis=1, ddof=1), b.var(axis=1, ddof=1)
    va, vb = np.where(va > 0, va, ma), np.where(vb > 0, vb, mb)  # no spread at all: Poisson variance
    se = np.sqrt(va / (na * ma**2) + vb / (nb * mb**2))
    log_rr = np.log(ma / mb)
    zq = stats.norm.isf((1 - level) / 2)
    z = log_rr / se
    return pd.DataFrame({
        "ratio": np.exp(log_rr), "se_log": se, "lower": np.exp(log_rr - zq * se),
        "upper": np.exp(log_rr + zq * se), "z": z, "p": 2 * stats.norm.sf(np.abs(z)),
    })


def fit_trial(trial: dict[str, np.ndarray], index: int = 0) -> dict[str, float]:
    """Fit one simulated trial with statsmodels' negative-binomial regression (NB2, maximum likelihood).

    One row per patient, covariate: the randomized group. Returns the rate ratio for MSC
    vs placebo with its 95% Wald interval, p, and the estimated dispersion ``alpha``
    (k of var = μ + kμ²). Used to check :func:`estimate_ratio` against a standard model.
    """
    import warnings

    # submodules, not statsmodels.api: the api pulls in compiled modules the browser build lacks
    from statsmodels.discrete.discrete_model import NegativeBinomial
    from statsmodels.tools.tools import add_constant

    if not isinstance(trial, dict) or not {"msc", "placebo"} <= set(trial):
        raise ValueError("trial is not allowed: trial must be the dict returned by simulate_trial().")
    index = chk.integer("index", index, low=0, high=trial["msc"].shape[0] - 1)
    a, b = trial["msc"][index], trial["placebo"][index]
    y = np.concatenate([a, b]).astype(float)
    exog = add_constant(np.concatenate([np.ones(a.size), np.zeros(b.size)]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = NegativeBinomial(y, exog, loglike_method="nb2").fit(disp=0, maxiter=200)
    est, se = float(res.params[1]), float(res.bse[1])
    z = stats.norm.isf(0.025)
    return {"ratio": math.exp(est), "lower": math.exp(est - z * se), "upper": math.exp(est + z * se),
            "p": float(res.pvalues[1]), "alpha": float(res.params[-1])}


def se_log_ratio(n_msc, n_placebo, ratio: float = 1.0, rate: float = 3.0, dispersion: float = 2.0):
    """Large-sample SE of the log rate ratio (Zhu & Lakkis 2014; module docstring).

    ``n_msc`` and ``n_placebo`` may be numbers or arrays of the same shape (the result then
    has that shape).
    """
    ratio, rate, dispersion = check_params(ratio, rate, dispersion)
    na = chk.array("n_msc", n_msc, ndim=(0, 1, 2))
    nb = chk.array("n_placebo", n_placebo, ndim=(0, 1, 2))
    for name, arr, given in (("n_msc", na, n_msc), ("n_placebo", nb, n_placebo)):
        if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 2):
            raise ValueError(f"{name}={given!r} is not allowed: {name} must be at least 2 patients.")
    var = (1 / (rate * ratio) + dispersion) / na + (1 / rate + dispersion) / nb
    se = np.sqrt(var)
    return float(se) if se.ndim == 0 else se


@dataclass(frozen=True)
class PowerResult:
    """Power of a two-arm comparison of lesion counts and the interval it should produce."""

    n_msc: int
    n_placebo: int
    ratio: float
    se_log: float
    power: float
    expected_lower: float  # interval around the true ratio with the expected SE
    expected_upper: float
    n_rejections: int | None = None  # simulation only
    n_trials: int | None = None


def power_analytic(n_msc: int = 69, n_placebo: int = 75, ratio: float = 0.7, rate: float = 3.0,
                   dispersion: float = 2.0, alpha: float = 0.05) -> PowerResult:
    """Power of the two-sided Wald test of "ratio = 1" at level ``alpha``.

    Computed by statsmodels' ``power_negbin_ratio_2indep`` (Zhu & Lakkis 2014, variance
    under the alternative), which equals the normal approximation with :func:`se_log_ratio`.
    """
    n_msc, n_placebo = _groups(n_msc, n_placebo)
    ratio, rate, dispersion = check_params(ratio, rate, dispersion)
    alpha = chk.in_range("alpha", alpha, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    se = se_log_ratio(n_msc, n_placebo, ratio, rate, dispersion)
    if ratio == 1.0:
        power = alpha
    else:
        power = float(power_negbin_ratio_2indep(rate * ratio, rate, n_msc, nobs_ratio=n_placebo / n_msc, value=1,
                                                alpha=alpha, dispersion=dispersion, method_var="alt",
                                                return_results=False))
    zq = stats.norm.isf(alpha / 2)
    return PowerResult(n_msc, n_placebo, ratio, se, power,
                       math.exp(math.log(ratio) - zq * se), math.exp(math.log(ratio) + zq * se))


def power_simulated(n_msc: int = 69, n_placebo: int = 75, ratio: float = 0.7, rate: float = 3.0,
                    dispersion: float = 2.0, alpha: float = 0.05, n_trials: int = 1000, seed: int = 0) -> PowerResult:
    """Power by simulation: the share of ``n_trials`` simulated trials with p < ``alpha``.

    ``se_log`` is the median simulated SE; ``expected_lower``/``expected_upper`` are the
    medians of the simulated limits.
    """
    alpha = chk.in_range("alpha", alpha, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    trial = simulate_trial(n_msc, n_placebo, ratio, rate, dispersion, n_trials, seed)
    est = estimate_ratio(trial["msc"], trial["placebo"], level=1 - alpha)
    k = int((est["p"] < alpha).sum())
    return PowerResult(int(n_msc), int(n_placebo), float(ratio), float(est["se_log"].median()), k / n_trials,
                       float(est["lower"].median()), float(est["upper"].median()), k, n_trials)


def n_to_exclude(excluded: float = 0.7, ratio: float = 1.0, power: float = 0.8, rate: float = 3.0,
                 dispersion: float = 2.0, level: float = 0.95) -> int:
    """Patients in all (1:1) so that, with probability ``power``, the interval excludes ``excluded``.

    With a true ratio ``ratio`` (1 = no effect) and ``excluded`` below it (say 0.7, a 30%
    reduction), the lower limit of the two-sided ``level`` interval must exceed
    ``excluded``: the one-sided test of "ratio ≤ excluded" at (1 − level)/2 must reject.
    The per-group size is found with scipy's ``brentq`` on statsmodels'
    ``power_negbin_ratio_2indep`` (``value=excluded``, ``alternative="larger"``), rounded
    up; the total is twice that.
    """
    ratio, rate, dispersion = check_params(ratio, rate, dispersion)
    excluded = chk.positive("excluded", excluded)
    if not excluded < ratio:
        raise ValueError(f"excluded={excluded!r} is not allowed: excluded must be below ratio={ratio!r}.")
    power = chk.probability("power", power)
    level = chk.probability("level", level)
    a = (1 - level) / 2

    def gap(n1: float) -> float:
        return float(power_negbin_ratio_2indep(rate * ratio, rate, n1, nobs_ratio=1, value=excluded, alpha=a,
                                               dispersion=dispersion, alternative="larger", method_var="alt",
                                               return_results=False)) - power

    return _total_for_power(gap, power, low=1.0)


def n_for_equivalence(margin: float = 0.7, ratio: float = 1.0, power: float = 0.8, rate: float = 3.0,
                      dispersion: float = 2.0, alpha: float = 0.05) -> int:
    """Patients in all (1:1) for two one-sided tests at ``alpha`` to show equivalence with ``power``.

    The equivalence margins are ``margin`` and ``1/margin`` (0.7 gives 0.70–1.43). This
    answers a different question from :func:`n_to_exclude`: there one limit of the 95%
    interval must exclude one ratio; here the 90% interval (two one-sided 5% tests,
    Schuirmann 1987) must lie inside *both* margins, which needs more patients. Per-group
    size from scipy's ``brentq`` on statsmodels' ``power_equivalence_neginb_2indep``
    (``method_var="alt"``), rounded up; the total is twice that.
    """
    ratio, rate, dispersion = check_params(ratio, rate, dispersion)
    margin = chk.positive("margin", margin)
    if not margin < ratio < 1 / margin:
        raise ValueError(f"margin={margin!r} is not allowed: the true ratio={ratio!r} must lie strictly between "
                         "margin and 1/margin.")
    power = chk.probability("power", power)
    alpha = chk.probability("alpha", alpha)

    def gap(n1: float) -> float:
        return float(power_equivalence_neginb_2indep(rate * ratio, rate, n1, margin, 1 / margin, nobs_ratio=1,
                                                     alpha=alpha, dispersion=dispersion, method_var="alt",
                                                     return_results=False)) - power

    return _total_for_power(gap, power, low=2.0)


def calibrate_dispersion(se_log: float, n_msc: int = 69, n_placebo: int = 75, ratio: float = 1.0,
                         rate: float = 3.0) -> float:
    """The dispersion k that makes :func:`se_log_ratio` equal ``se_log`` (closed form).

    Used to tie the model to a published interval: given the SE of the log ratio recovered
    from the interval, the group sizes and an assumed placebo lesion rate, solve
    ``se_log² = (1/μ_A + k)/n_A + (1/μ_B + k)/n_B`` for k. Raises if the SE is smaller than
    Poisson noise alone allows.
    """
    se_log = chk.in_range("se_log", se_log, 0.0, 10.0, low_inclusive=False)  # an SE of a log ratio above 10 is no trial
    n_msc, n_placebo = _groups(n_msc, n_placebo)
    ratio, rate, _ = check_params(ratio, rate, 0.0)
    poisson = 1 / (rate * ratio * n_msc) + 1 / (rate * n_placebo)
    if se_log**2 < poisson:
        raise ValueError(f"se_log={se_log!r} is not allowed: se_log must be at least {math.sqrt(poisson):.4g}, "
                         "the Poisson-only SE for these group sizes and rate.")
    return float((se_log**2 - poisson) / (1 / n_msc + 1 / n_placebo))


def _total_for_power(gap, power: float, low: float) -> int:
    """Patients in all (1:1) where ``gap(n per group)`` (power minus the target) crosses zero.

    Doubles an upper bracket from 4 per group, then solves with scipy's ``brentq``; the
    per-group size is rounded up. If ``low`` per group already reaches the power, that is the answer.
    """
    if gap(low) >= 0:  # the smallest trial allowed already has the power (say, a very wide equivalence margin)
        return 2 * int(math.ceil(low))
    hi = 4.0
    while gap(hi) < 0:
        hi *= 2
        if hi > 1e9:
            raise ValueError(f"power={power!r} is not allowed: no trial below 2e9 patients reaches it.")
    n1 = optimize.brentq(gap, low, hi, xtol=1e-6)
    return 2 * int(math.ceil(n1 - 1e-9))
