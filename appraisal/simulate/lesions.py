"""Gadolinium-enhancing lesion counts in a two-period crossover trial such as MESEMS.

The model
---------
Patient *i* has a lesion-proneness ``G_i`` shared by both periods and a period-specific
flare ``E_ij``; both are gamma variables with mean 1. The cumulative count in period *j*
is Poisson with mean ``rate × G_i × E_ij × ratio^{treated}``. Marginally each period's
count is overdispersed with variance ``rate + dispersion × rate²``, the variance of a
negative binomial (Sormani et al., JNNP 2001;70:494–9, model enhancing-lesion counts
this way); it is exactly negative binomial when ``shared`` is 0 or 1 and close to it in
between (a product of two gamma variables is not quite gamma). ``shared`` is the part of
the overdispersion that belongs to the patient and so repeats across the two periods::

    1 + dispersion = (1 + var G) (1 + var E),   var G = (1 + dispersion)^shared − 1.

``shared = 1`` is a stable patient (all extra variation is between patients, which a
crossover removes); ``shared = 0`` makes the two periods independent.

The analysis
------------
Each patient serves as their own control. Conditioning on the patient's total count
removes ``G_i``: the MSC-period count is then binomial with probability
``ratio / (1 + ratio)`` (no period effect assumed). The estimate of the rate ratio is
``ΣA / ΣB`` (MSC-period over placebo-period totals), with a patient-clustered
(sandwich) standard error for the pooled proportion, carried to the log scale by the
delta method. :func:`fit_trial` fits the same trial with statsmodels (Poisson GEE with
patient clusters and robust errors) as a cross-check.

The analytic variance used by the widget (derived by conditioning on the latent
variables; checked against the simulation in ``tests/test_sim_lesions.py``) is::

    Var(log RR̂) ≈ [ (1 + 1/ratio) / rate + 2 (dispersion − var G) ] / n.

It assumes no period effect and no carry-over, both of which a real analysis must model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .. import _checks as chk
from . import rng

__all__ = [
    "check_params",
    "between_variance",
    "simulate_trial",
    "estimate_ratio",
    "fit_trial",
    "se_log_ratio",
    "PowerResult",
    "power_analytic",
    "power_simulated",
    "n_to_exclude",
    "calibrate_dispersion",
]


#: upper limits of the model's parameters: far beyond any MRI series, and small enough that
#: Poisson means stay representable (NumPy refuses means above about 10^18)
MAX_RATIO, MAX_RATE, MAX_DISPERSION = 100.0, 10_000.0, 1_000.0


def check_params(ratio, rate, dispersion, shared) -> tuple[float, float, float, float]:
    """Check the model's parameters (see the module docstring) and return them as floats.

    ``ratio`` in (0, 100], ``rate`` in (0, 10 000], ``dispersion`` in [0, 1000], ``shared`` in [0, 1].
    """
    ratio = chk.in_range("ratio", ratio, 0.0, MAX_RATIO, low_inclusive=False)
    rate = chk.in_range("rate", rate, 0.0, MAX_RATE, low_inclusive=False)
    dispersion = chk.in_range("dispersion", dispersion, 0.0, MAX_DISPERSION)
    shared = chk.in_range("shared", shared, 0.0, 1.0)
    return ratio, rate, dispersion, shared


def between_variance(dispersion: float, shared: float) -> float:
    """Variance of the patient-level factor ``G``: (1 + dispersion)^shared − 1."""
    dispersion = chk.in_range("dispersion", dispersion, 0.0, MAX_DISPERSION)
    shared = chk.in_range("shared", shared, 0.0, 1.0)
    return (1.0 + dispersion) ** shared - 1.0


def _gamma(gen: np.random.Generator, var: float, size) -> np.ndarray:
    if var == 0:
        return np.ones(size)
    return gen.gamma(1.0 / var, var, size=size)


def simulate_trial(
    n: int = 144, ratio: float = 1.0, rate: float = 3.0, dispersion: float = 3.0, shared: float = 0.5,
    n_trials: int = 1, seed: int = 0,
) -> dict[str, np.ndarray]:
    """Simulate ``n_trials`` crossover trials of ``n`` patients each (vectorized).

    Returns arrays of shape (n_trials, n): ``msc`` and ``placebo`` (cumulative lesion
    counts in each patient's MSC and placebo periods) and ``msc_first`` (True for the
    sequence MSC → placebo; half the patients, at random). ``rate`` is the mean count
    per period on placebo.
    """
    n = chk.integer("n", n, low=2, high=1_000_000)
    n_trials = chk.integer("n_trials", n_trials, low=1, high=1_000_000)
    ratio, rate, dispersion, shared = check_params(ratio, rate, dispersion, shared)
    if n * n_trials > 20_000_000:
        raise ValueError(f"n * n_trials={n * n_trials} is not allowed: n * n_trials must be at most 20000000.")
    g = rng(seed)
    vb = between_variance(dispersion, shared)
    vw = (1.0 + dispersion) / (1.0 + vb) - 1.0
    patient = _gamma(g, vb, (n_trials, n))
    mean_msc = rate * ratio * patient * _gamma(g, vw, (n_trials, n))
    mean_pbo = rate * patient * _gamma(g, vw, (n_trials, n))
    msc_first = np.zeros((n_trials, n), dtype=bool)
    msc_first[:, : n // 2] = True
    msc_first = g.permuted(msc_first, axis=1)
    return {"msc": g.poisson(mean_msc), "placebo": g.poisson(mean_pbo), "msc_first": msc_first}


def estimate_ratio(msc, placebo, level: float = 0.95) -> pd.DataFrame:
    """Within-patient rate ratio ΣA/ΣB with a patient-clustered interval, for each simulated trial.

    ``msc`` and ``placebo`` are arrays (trials × patients) of counts. If a trial has no
    lesions at all in one arm, 0.5 is added to both totals (a continuity correction) so
    that its estimate stays finite. Columns: ``ratio``, ``se_log``, ``lower``, ``upper``,
    ``z``, ``p``.
    """
    a = np.atleast_2d(chk.array("msc", msc, ndim=(1, 2), finite=False))
    b = np.atleast_2d(chk.array("placebo", placebo, ndim=(1, 2), finite=False))
    if a.shape != b.shape or a.shape[1] < 2:
        raise ValueError(f"msc.shape={a.shape} is not allowed: msc and placebo must have the same shape with ≥ 2 patients.")
    if np.any(a < 0) or np.any(b < 0) or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("msc is not allowed: counts must be finite and ≥ 0.")
    level = chk.probability("level", level)
    ta, tb = a.sum(axis=1), b.sum(axis=1)
    zero = (ta == 0) | (tb == 0)
    ta_c, tb_c = np.where(zero, ta + 0.5, ta), np.where(zero, tb + 0.5, tb)
    nt = ta_c + tb_c
    p = ta_c / nt
    resid = a - p[:, None] * (a + b)
    var_p = (resid**2).sum(axis=1) / nt**2
    # a trial with every patient's lesions in one proportion gives var 0: fall back to binomial
    var_p = np.where(var_p > 0, var_p, p * (1 - p) / nt)
    se = np.sqrt(var_p) / (p * (1 - p))
    log_rr = np.log(ta_c / tb_c)
    zq = stats.norm.isf((1 - level) / 2)
    z = log_rr / se
    return pd.DataFrame({
        "ratio": np.exp(log_rr), "se_log": se, "lower": np.exp(log_rr - zq * se),
        "upper": np.exp(log_rr + zq * se), "z": z, "p": 2 * stats.norm.sf(np.abs(z)),
    })


def fit_trial(trial: dict[str, np.ndarray], index: int = 0) -> dict[str, float]:
    """Fit one simulated trial with statsmodels: Poisson GEE, patient clusters, robust SE.

    Long format: two rows per patient (period 1 and 2), covariates treatment and period.
    Returns the rate ratio for MSC vs placebo with its 95% interval and p. Used to check
    that the fast estimator of :func:`estimate_ratio` agrees with a standard model.
    """
    import statsmodels.api as sm

    if not isinstance(trial, dict) or not {"msc", "placebo", "msc_first"} <= set(trial):
        raise ValueError("trial is not allowed: trial must be the dict returned by simulate_trial().")
    index = chk.integer("index", index, low=0, high=trial["msc"].shape[0] - 1)
    a, b, first = trial["msc"][index], trial["placebo"][index], trial["msc_first"][index]
    n = a.size
    y = np.concatenate([a, b])
    treated = np.concatenate([np.ones(n), np.zeros(n)])
    period2 = np.concatenate([~first, first]).astype(float)  # MSC in period 2 when placebo came first
    groups = np.concatenate([np.arange(n), np.arange(n)])
    exog = sm.add_constant(np.column_stack([treated, period2]))
    res = sm.GEE(y, exog, groups=groups, family=sm.families.Poisson(), cov_struct=sm.cov_struct.Exchangeable()).fit()
    est, se = float(res.params[1]), float(res.bse[1])
    return {"ratio": math.exp(est), "lower": math.exp(est - 1.959964 * se), "upper": math.exp(est + 1.959964 * se),
            "p": float(res.pvalues[1])}


def se_log_ratio(n, ratio: float = 1.0, rate: float = 3.0, dispersion: float = 3.0, shared: float = 0.5):
    """Analytic standard error of the log rate ratio for ``n`` patients (module docstring formula).

    ``n`` may be a number or an array (the result then has its shape).
    """
    ratio, rate, dispersion, shared = check_params(ratio, rate, dispersion, shared)
    n_arr = chk.array("n", n)
    if n_arr.size == 0 or not np.all(np.isfinite(n_arr)) or np.any(n_arr < 2):
        raise ValueError(f"n={n!r} is not allowed: n must be at least 2 patients.")
    per_patient = (1 + 1 / ratio) / rate + 2 * (dispersion - between_variance(dispersion, shared))
    se = np.sqrt(per_patient / n_arr)
    return float(se) if np.ndim(n) == 0 else se


@dataclass(frozen=True)
class PowerResult:
    """Power of a crossover trial and the interval it should produce."""

    n: int
    ratio: float
    se_log: float
    power: float
    expected_lower: float  # interval around the true ratio with the expected SE
    expected_upper: float
    n_rejections: int | None = None  # simulation only
    n_trials: int | None = None


def _power_from_se(ratio: float, se, alpha: float):
    zq = stats.norm.isf(alpha / 2)
    shift = abs(math.log(ratio)) / se
    return stats.norm.sf(zq - shift) + stats.norm.cdf(-zq - shift)


def power_analytic(n: int = 144, ratio: float = 0.7, rate: float = 3.0, dispersion: float = 3.0,
                   shared: float = 0.5, alpha: float = 0.05) -> PowerResult:
    """Power of the two-sided Wald test of "ratio = 1" at level ``alpha`` (normal approximation)."""
    n = chk.integer("n", n, low=2, high=10_000_000)
    alpha = chk.in_range("alpha", alpha, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    se = se_log_ratio(n, ratio, rate, dispersion, shared)
    zq = stats.norm.isf(alpha / 2)
    return PowerResult(n, ratio, se, float(_power_from_se(ratio, se, alpha)),
                       math.exp(math.log(ratio) - zq * se), math.exp(math.log(ratio) + zq * se))


def power_simulated(n: int = 144, ratio: float = 0.7, rate: float = 3.0, dispersion: float = 3.0,
                    shared: float = 0.5, alpha: float = 0.05, n_trials: int = 1000, seed: int = 0) -> PowerResult:
    """Power by simulation: the share of ``n_trials`` simulated trials with p < ``alpha``.

    ``expected_lower``/``expected_upper`` are the medians of the simulated limits.
    """
    alpha = chk.in_range("alpha", alpha, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    trial = simulate_trial(n, ratio, rate, dispersion, shared, n_trials, seed)
    est = estimate_ratio(trial["msc"], trial["placebo"], level=1 - alpha)
    k = int((est["p"] < alpha).sum())
    return PowerResult(n, ratio, float(est["se_log"].median()), k / n_trials,
                       float(est["lower"].median()), float(est["upper"].median()), k, n_trials)


def n_to_exclude(excluded: float = 0.7, ratio: float = 1.0, power: float = 0.8, rate: float = 3.0,
                 dispersion: float = 3.0, shared: float = 0.5, level: float = 0.95) -> int:
    """Patients needed so that, with probability ``power``, the interval excludes ``excluded``.

    With a true ratio ``ratio`` (1 = no effect) and ``excluded`` < ``ratio`` (say 0.7, a
    30% reduction), the lower limit of the two-sided ``level`` interval must exceed
    ``excluded``: n = per-patient variance × ((z_level + z_power) / log(ratio/excluded))²
    (the usual normal-approximation sample-size formula, with the per-patient variance
    of the module docstring).
    """
    ratio, rate, dispersion, shared = check_params(ratio, rate, dispersion, shared)
    excluded = chk.positive("excluded", excluded)
    if not excluded < ratio:
        raise ValueError(f"excluded={excluded!r} is not allowed: excluded must be below ratio={ratio!r}.")
    power = chk.probability("power", power)
    level = chk.probability("level", level)
    per_patient = (1 + 1 / ratio) / rate + 2 * (dispersion - between_variance(dispersion, shared))
    zsum = stats.norm.isf((1 - level) / 2) + stats.norm.isf(1 - power)
    return int(math.ceil(per_patient * (zsum / math.log(ratio / excluded)) ** 2))


def calibrate_dispersion(se_log: float, n: int, ratio: float = 1.0, rate: float = 3.0, shared: float = 0.5) -> float:
    """The overdispersion that makes the analytic SE equal ``se_log`` for ``n`` patients.

    Used to tie the simulation to a published interval: given the SE of the log ratio
    recovered from the interval and an assumed lesion rate and shared fraction, solve
    ``se_log_ratio(n, ratio, rate, dispersion, shared) = se_log`` for ``dispersion``
    (scipy's ``brentq``). Raises if the SE is smaller than Poisson noise alone allows.
    """
    se_log = chk.positive("se_log", se_log)
    n = chk.integer("n", n, low=2, high=10_000_000)
    ratio, rate, _, shared = check_params(ratio, rate, 0.0, shared)
    floor = se_log_ratio(n, ratio, rate, 0.0, shared)
    if se_log < floor:
        raise ValueError(
            f"se_log={se_log!r} is not allowed: se_log must be at least {floor:.4g}, the Poisson-only SE for these n and rate."
        )
    if shared < 1.0 and se_log > se_log_ratio(n, ratio, rate, MAX_DISPERSION, shared):
        raise ValueError(f"se_log={se_log!r} is not allowed: it would need an overdispersion above {MAX_DISPERSION:g} "
                         "for these n, rate and shared.")
    if shared == 1.0:
        raise ValueError("shared=1.0 is not allowed: with all variation shared, dispersion does not change the SE; use shared < 1.")
    f = lambda k: se_log_ratio(n, ratio, rate, k, shared) - se_log  # noqa: E731
    hi = 1.0
    while f(hi) < 0:
        hi *= 2
        if hi > 1e6:
            raise ValueError(f"se_log={se_log!r} is not allowed: no dispersion below 1e6 reaches it.")
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-10))
