"""The "% improvement in progression rate" metric of single-arm ALS studies, and how it behaves.

A progression rate here is ALSFRS-R **points lost per month** (positive while a patient
declines, negative if the score rises). Comparing the rate in a period after treatment with
the rate in a period before it, the relative improvement is

    improvement = 100 × (rate_before − rate_after) / |rate_before|

so 0% means "declining exactly as before", 100% means "no further loss", more than 100%
means the score went up, and a negative value means faster decline. The denominator is
the patient's own earlier rate: when that rate is close to zero the ratio becomes
arbitrarily large in either direction, and when it is exactly zero the metric is not
defined at all. Because the ALSFRS-R is an integer score and a period lasts only a few
months, rates near zero are common, which is why a mean of such ratios can exceed 100%
while most patients still decline.

A patient is a *responder* when the improvement is above a threshold (25% in the phase II
trial this chapter reads, Petrou et al. 2021).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from . import _checks as chk

__all__ = [
    "rate_of_loss",
    "is_defined",
    "percent_improvement",
    "is_responder",
    "summarize_improvements",
    "improvement_for_before_rates",
    "slope_noise_sd",
    "true_slope_sd",
    "sd_from_se",
    "sem_from_icc",
    "period_for_noise",
]

_METHODS = ("endpoints", "least_squares")


def _as_array(name: str, values, *, ndim: tuple[int, ...] = (0, 1)) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={values!r} is not allowed: {name} must be numbers.") from None
    if arr.ndim not in ndim:
        raise ValueError(f"{name} with shape {arr.shape} is not allowed: {name} must have {' or '.join(map(str, ndim))} dimension(s).")
    if arr.size == 0:
        raise ValueError(f"{name}={values!r} is not allowed: {name} must not be empty.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}={values!r} is not allowed: {name} must be finite numbers (no NaN or infinity).")
    return arr


def rate_of_loss(months, scores, method: str = "endpoints") -> np.ndarray | float:
    """Points lost per month over a period, from visit times and ALSFRS-R scores.

    ``months``: visit times in months, strictly increasing, at least two.
    ``scores``: the scores at those visits, one row per patient (1-D for one patient,
    2-D ``patients × visits`` for many).
    ``method``: ``"endpoints"`` uses the first and last visit only,
    (first − last) / (last time − first time); ``"least_squares"`` is minus the slope of
    an ordinary least-squares line through all visits (:func:`numpy.polyfit`).

    Returns a float for one patient, an array for many. Positive = decline.

    >>> rate_of_loss([0, 3], [40, 37])
    1.0
    """
    chk.one_of("method", method, _METHODS)
    t = _as_array("months", months, ndim=(1,))
    if t.size < 2:
        raise ValueError(f"months={months!r} is not allowed: months must hold at least two visit times.")
    if not np.all(np.diff(t) > 0):
        raise ValueError(f"months={months!r} is not allowed: months must be strictly increasing.")
    y = _as_array("scores", scores, ndim=(1, 2))
    single = y.ndim == 1
    y2 = y[None, :] if single else y
    if y2.shape[1] != t.size:
        raise ValueError(
            f"scores with {y2.shape[1]} visits per patient is not allowed: scores must have one value per visit in months ({t.size})."
        )
    if method == "endpoints":
        rate = (y2[:, 0] - y2[:, -1]) / (t[-1] - t[0])
    else:
        rate = -np.polyfit(t, y2.T, 1)[0]
    return float(rate[0]) if single else rate


def is_defined(rate_before) -> np.ndarray | bool:
    """Where the improvement can be computed: the earlier rate must not be zero."""
    rb = _as_array("rate_before", rate_before, ndim=(0, 1, 2))
    out = rb != 0
    return bool(out) if out.ndim == 0 else out


def percent_improvement(rate_before, rate_after) -> np.ndarray | float:
    """Relative improvement in the progression rate, in percent.

    improvement = 100 × (rate_before − rate_after) / |rate_before|, with both rates in
    points lost per month (see the module docstring). Works element-wise on arrays of
    equal shape. A ``rate_before`` of exactly zero leaves the ratio undefined: this raises
    a :class:`ValueError`; select patients with :func:`is_defined` first and report how
    many were left out.

    >>> percent_improvement(1.0, 0.5)
    50.0
    >>> percent_improvement(0.2, -0.2)   # slow loss before, small gain after
    200.0
    """
    rb = _as_array("rate_before", rate_before, ndim=(0, 1, 2))
    ra = _as_array("rate_after", rate_after, ndim=(0, 1, 2))
    if rb.shape != ra.shape:
        raise ValueError(f"rate_after with shape {ra.shape} is not allowed: rate_after must have the shape of rate_before {rb.shape}.")
    if np.any(rb == 0):
        idx = np.flatnonzero(np.atleast_1d(rb) == 0)[:5].tolist()
        raise ValueError(
            f"rate_before=0 (at positions {idx}) is not allowed: rate_before must be non-zero, because the improvement "
            "divides by it; select patients with is_defined() and report how many were excluded."
        )
    imp = 100.0 * (rb - ra) / np.abs(rb)
    return float(imp) if imp.ndim == 0 else imp


def is_responder(improvement, threshold: float = 25.0) -> np.ndarray | bool:
    """Responder rule: improvement strictly above ``threshold`` percent (Petrou et al. used 25%)."""
    threshold = chk.number("threshold", threshold)
    imp = _as_array("improvement", improvement, ndim=(0, 1, 2))
    out = imp > threshold
    return bool(out) if out.ndim == 0 else out


def summarize_improvements(improvement, threshold: float = 25.0, trim: float = 0.1) -> dict:
    """What a set of improvements looks like: n, mean, median, trimmed mean, range, shares.

    ``trim`` is the proportion cut from each end for the trimmed mean
    (:func:`scipy.stats.trim_mean`). Returns plain Python numbers (safe for ``glue``).
    """
    imp = _as_array("improvement", improvement, ndim=(1,))
    trim = chk.in_range("trim", trim, 0.0, 0.5, high_inclusive=False)
    threshold = chk.number("threshold", threshold)
    return {
        "n": int(imp.size),
        "mean": float(np.mean(imp)),
        "median": float(np.median(imp)),
        "trimmed_mean": float(stats.trim_mean(imp, trim)),
        "min": float(np.min(imp)),
        "max": float(np.max(imp)),
        "share_responders": float(np.mean(imp > threshold)),
        "share_above_100": float(np.mean(imp > 100)),
    }


def improvement_for_before_rates(rate_after: float, rates_before) -> np.ndarray:
    """The improvement a fixed later rate earns against a range of earlier rates.

    Shows the hyperbola 100 × (1 − rate_after / |rate_before|) for positive earlier
    rates: as ``rate_before`` approaches zero the metric runs off to ±infinity.
    ``rates_before`` must be strictly positive.
    """
    ra = chk.number("rate_after", rate_after)
    rb = _as_array("rates_before", rates_before, ndim=(1,))
    if np.any(rb <= 0):
        raise ValueError(f"rates_before={rates_before!r} is not allowed: rates_before must be strictly positive.")
    return percent_improvement(rb, np.full_like(rb, ra))


def slope_noise_sd(noise_sd: float, months: float, visits: int = 2) -> float:
    """SD that visit-to-visit measurement noise adds to one patient's estimated rate (points/month).

    Classical additive measurement error: each visit's score is the true score plus independent
    noise of SD ``noise_sd`` (e.g. Carroll, Ruppert, Stefanski & Crainiceanu, *Measurement Error in
    Nonlinear Models*, 2nd ed., 2006, ch. 1). For ``visits = 2`` (an endpoint rate over ``months``)
    the rate's error is the difference of two errors divided by the period, SD
    ``√2 · noise_sd / months``. For more visits, equally spaced over ``months`` and fitted by least
    squares, it is ``noise_sd / √Σ(tᵢ − t̄)²``.

    >>> round(slope_noise_sd(1.0, 3.0), 3)
    0.471
    """
    noise_sd = chk.non_negative("noise_sd", noise_sd)
    months = chk.positive("months", months)
    visits = chk.integer("visits", visits, low=2, high=10_000)
    if visits == 2:
        return float(np.sqrt(2.0) * noise_sd / months)
    t = np.linspace(0.0, months, visits)
    return float(noise_sd / np.sqrt(np.sum((t - t.mean()) ** 2)))


def true_slope_sd(observed_sd: float, noise_sd: float, months: float, visits: int = 2) -> float:
    """Between-patient SD of the *true* rate, from the SD of *observed* rates, by removing noise variance.

    observed variance = true variance + noise variance of an estimated rate
    (:func:`slope_noise_sd`), so the true SD is ``√(observed_sd² − slope_noise_sd²)``. This
    assumes the noise is independent of the true rate and that the observed rates were each
    estimated over ``months`` from ``visits`` visits (2 to 10,000; ``observed_sd`` up to 10⁶). Raises a :class:`ValueError` when the noise
    alone would exceed the observed spread (the inputs are then inconsistent).

    >>> round(true_slope_sd(1.0, 1.0, 6.0), 3)
    0.972
    """
    observed_sd = chk.in_range("observed_sd", observed_sd, 0.0, 1e6, low_inclusive=False)
    e = slope_noise_sd(noise_sd, months, visits)
    if e >= observed_sd:
        raise ValueError(f"noise_sd={noise_sd!r} is not allowed with observed_sd={observed_sd!r} and months={months!r}: "
                         f"the noise alone gives rates with SD {e:.3g}, at least the observed spread.")
    return float(np.sqrt(observed_sd**2 - e**2))


def sd_from_se(se: float, n: int) -> float:
    """Standard deviation implied by the standard error of a mean: ``se · √n`` (approximate when the
    SE is model-based, e.g. a least-squares mean)."""
    se = chk.positive("se", se)
    n = chk.integer("n", n, low=1, high=chk.MAX_COUNT)
    return float(se * np.sqrt(n))


def sem_from_icc(sd: float, icc: float) -> float:
    """Standard error of measurement from a reliability coefficient: ``sd · √(1 − icc)``
    (classical test theory; e.g. Weir, J Strength Cond Res 2005;19:231–240). ``sd`` is the
    between-person SD of the scores in the population the ICC was measured in."""
    sd = chk.positive("sd", sd)
    icc = chk.in_range("icc", icc, 0.0, 1.0)
    return float(sd * np.sqrt(1.0 - icc))


def period_for_noise(observed_sd: float, true_sd: float, noise_sd: float) -> float:
    """How short the period of an endpoint rate must be (months) for visit noise of SD ``noise_sd``
    to account for the whole gap between an observed SD of rates and a true between-patient SD:
    the ``months`` at which ``√(true_sd² + slope_noise_sd(noise_sd, months)²) = observed_sd``.

    >>> round(period_for_noise(2.3, 0.9, 1.0), 2)
    0.67
    """
    observed_sd = chk.in_range("observed_sd", observed_sd, 0.0, 1e6, low_inclusive=False)
    true_sd = chk.non_negative("true_sd", true_sd)
    noise_sd = chk.positive("noise_sd", noise_sd)
    if true_sd >= observed_sd:
        raise ValueError(f"true_sd={true_sd!r} is not allowed: it must be below observed_sd={observed_sd!r}.")
    return float(np.sqrt(2.0) * noise_sd / np.sqrt(observed_sd**2 - true_sd**2))
