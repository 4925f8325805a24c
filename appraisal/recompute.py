"""Recompute published numbers from the numbers printed beside them.

Every function is pure and checks its arguments (see :mod:`appraisal._checks`).
Intervals and tests come from statsmodels and scipy; the few formulas written here
are cited in their docstrings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from . import _checks as chk

__all__ = [
    "percentage",
    "count_words",
    "proportion_ci",
    "z_for_level",
    "se_from_ci",
    "RatioTest",
    "test_from_ratio_ci",
    "ratio_ci_from_p",
    "zero_event_upper",
    "std_diff_proportions",
    "std_diff_means",
    "mean_sd_from_quantiles",
]


def percentage(count: int, total: int) -> float:
    """Percentage ``100 * count / total`` of a count out of its denominator.

    >>> round(percentage(15, 19), 1)
    78.9
    """
    count, total = chk.count_within("count", count, "total", total)
    return 100.0 * count / total


def count_words(count: int, *, at_most: bool = False) -> str:
    """A count as prose: ``"none"`` for 0, else the number (``"at most 3"`` with ``at_most``).

    >>> count_words(0), count_words(4), count_words(2, at_most=True)
    ('none', '4', 'at most 2')
    """
    count = chk.integer("count", count, low=0)
    at_most = chk.flag("at_most", at_most)
    if count == 0:
        return "none"
    return f"at most {count}" if at_most else str(count)


def proportion_ci(count: int, total: int, level: float = 0.95, method: str = "wilson") -> tuple[float, float]:
    """Two-sided confidence interval for a proportion, as fractions in [0, 1].

    ``method`` is ``"wilson"`` (Wilson score) or ``"exact"`` (Clopper–Pearson),
    both computed by :func:`statsmodels.stats.proportion.proportion_confint`.
    """
    count, total = chk.count_within("count", count, "total", total)
    level = chk.probability("level", level)
    chk.one_of("method", method, ["wilson", "exact"])
    lo, hi = proportion_confint(count, total, alpha=1 - level, method="beta" if method == "exact" else "wilson")
    # statsmodels' Wilson limits can miss 0/1 by floating-point noise (e.g. 5.6e-17 for 0/3)
    p_hat = count / total
    return float(min(lo, p_hat)), float(max(hi, p_hat))


def z_for_level(level: float = 0.95) -> float:
    """Standard-normal quantile for a two-sided interval (1.96 for 95%)."""
    level = chk.probability("level", level)
    return float(stats.norm.isf((1 - level) / 2))


def se_from_ci(lower: float, upper: float, level: float = 0.95, log: bool = False) -> float:
    """Standard error recovered from a symmetric (or, with ``log=True``, log-symmetric) interval.

    SE = (upper − lower) / (2 z), on the log scale for ratios
    (Altman DG, Bland JM. How to obtain the P value from a confidence interval.
    BMJ 2011;343:d2304).
    """
    lower, upper = chk.ordered_interval("lower", lower, "upper", upper)
    log = chk.flag("log", log)
    if log:
        chk.positive("lower", lower)
        lower, upper = math.log(lower), math.log(upper)
    return (upper - lower) / (2 * z_for_level(level))


@dataclass(frozen=True)
class RatioTest:
    """Result of :func:`test_from_ratio_ci`: log estimate, its SE, z and two-sided p."""

    log_estimate: float
    se: float
    z: float
    p: float
    centre_ratio: float  # geometric midpoint of the interval: the estimate the interval implies


def test_from_ratio_ci(estimate: float, lower: float, upper: float, level: float = 0.95) -> RatioTest:
    """z and two-sided p for a ratio (HR, OR, RR) from its confidence interval.

    Follows Altman & Bland (BMJ 2011;343:d2304): SE of the log ratio from the
    interval width, z = log(estimate) / SE, p from the normal distribution (the exact
    normal tail from :mod:`scipy.stats` rather than their closed-form approximation).
    ``centre_ratio`` is the geometric mean of the limits, which should match the
    estimate if the interval was computed on the log scale.
    """
    estimate = chk.positive("estimate", estimate)
    lower = chk.positive("lower", lower)
    upper = chk.positive("upper", upper)
    chk.ordered_interval("lower", lower, "upper", upper)
    if not lower <= estimate <= upper:
        raise ValueError(
            f"estimate={estimate!r} is not allowed: estimate must lie within [lower, upper] = [{lower}, {upper}]."
        )
    se = se_from_ci(lower, upper, level, log=True)
    z = math.log(estimate) / se
    p = float(2 * stats.norm.sf(abs(z)))
    return RatioTest(math.log(estimate), se, z, p, math.sqrt(lower * upper))


def ratio_ci_from_p(estimate: float, p: float, level: float = 0.95) -> tuple[float, float]:
    """Confidence interval for a ratio from the ratio and its two-sided p-value.

    Altman DG, Bland JM. How to obtain the confidence interval from a P value.
    BMJ 2011;343:d2090: z from p, SE = |log(estimate)| / z, limits exp(log est ± z_level SE).
    The normal quantile is exact (scipy) rather than their approximation.
    """
    estimate = chk.positive("estimate", estimate)
    p = chk.probability("p", p)
    level = chk.probability("level", level)
    if estimate == 1.0:
        raise ValueError("estimate=1.0 is not allowed: estimate must differ from 1 to recover an interval from p.")
    z = float(stats.norm.isf(p / 2))
    se = abs(math.log(estimate)) / z
    half = z_for_level(level) * se
    # a p close to 1 (z near 0) or an extreme estimate gives limits beyond floating point: refuse, do not overflow
    if not math.isfinite(half) or abs(math.log(estimate)) + half > 700:
        raise ValueError(f"p={p!r} is not allowed with estimate={estimate!r}: the interval it implies is too wide to "
                         "represent (p too close to 1 or the estimate too extreme); p must be further from 1.")
    return math.exp(math.log(estimate) - half), math.exp(math.log(estimate) + half)


def zero_event_upper(n: int, level: float = 0.95, method: str = "exact") -> float:
    """Upper confidence bound for a risk when 0 events were seen in ``n`` people.

    ``"rule_of_three"``: 3/n (Hanley JA, Lippman-Hand A. JAMA 1983;249:1743–5), an
    approximation to the one-sided 95% bound. ``"exact"``: the one-sided
    Clopper–Pearson bound 1 − (1 − level)^(1/n), from scipy's beta quantile.
    """
    n = chk.integer("n", n, low=1, high=chk.MAX_COUNT)
    level = chk.probability("level", level)
    chk.one_of("method", method, ["exact", "rule_of_three"])
    if method == "rule_of_three":
        if not math.isclose(level, 0.95):
            raise ValueError(f"level={level!r} is not allowed: the rule of three is for level 0.95 only.")
        return min(1.0, 3.0 / n)
    return float(stats.beta.ppf(level, 1, n))


def std_diff_proportions(p1: float, p2: float) -> float:
    """Standardized difference of two proportions (Austin PC. Stat Med 2009;28:3083–3107).

    d = (p1 − p2) / sqrt((p1(1 − p1) + p2(1 − p2)) / 2); 0 when both are 0 or both 1.
    """
    p1 = chk.probability("p1", p1, open_interval=False)
    p2 = chk.probability("p2", p2, open_interval=False)
    pooled = (p1 * (1 - p1) + p2 * (1 - p2)) / 2
    if pooled == 0:
        return 0.0
    return (p1 - p2) / math.sqrt(pooled)


def std_diff_means(mean1: float, sd1: float, mean2: float, sd2: float) -> float:
    """Standardized difference of two means (Austin 2009): (m1 − m2) / sqrt((s1² + s2²)/2)."""
    mean1, mean2 = chk.number("mean1", mean1), chk.number("mean2", mean2)
    sd1, sd2 = chk.positive("sd1", sd1), chk.positive("sd2", sd2)
    if max(sd1, sd2) < 1e150:
        return (mean1 - mean2) / math.sqrt((sd1**2 + sd2**2) / 2)
    return (mean1 - mean2) / (math.hypot(sd1, sd2) / math.sqrt(2))  # hypot: no overflow for huge SDs


def mean_sd_from_quantiles(
    n: int,
    median: float,
    q1: float | None = None,
    q3: float | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> tuple[float, float]:
    """Estimate a sample mean and SD from its median with quartiles and/or range.

    Wan X, Wang W, Liu J, Tong T. Estimating the sample mean and standard deviation
    from the sample size, median, range and/or interquartile range. BMC Med Res
    Methodol 2014;14:135. Scenario C1 (range), C3 (quartiles) or C2 (both) is chosen
    from the arguments given. The estimators assume a roughly normal distribution.
    """
    n = chk.integer("n", n, low=2)
    m = chk.number("median", median)
    has_iqr = q1 is not None or q3 is not None
    has_range = minimum is not None or maximum is not None
    if has_iqr and (q1 is None or q3 is None):
        raise ValueError(f"q1={q1!r}, q3={q3!r} is not allowed: give both quartiles or neither.")
    if has_range and (minimum is None or maximum is None):
        raise ValueError(f"minimum={minimum!r}, maximum={maximum!r} is not allowed: give both ends of the range or neither.")
    if not (has_iqr or has_range):
        raise ValueError("q1=None, minimum=None is not allowed: give the quartiles, the range, or both.")
    xi_range = 2 * stats.norm.ppf((n - 0.375) / (n + 0.25))
    xi_iqr = 2 * stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    if has_iqr:
        q1, q3 = chk.ordered_interval("q1", q1, "q3", q3)
        if not q1 <= m <= q3:
            raise ValueError(f"median={median!r} is not allowed: median must lie within [q1, q3] = [{q1}, {q3}].")
    if has_range:
        a, b = chk.ordered_interval("minimum", minimum, "maximum", maximum)
        if not a <= m <= b:
            raise ValueError(f"median={median!r} is not allowed: median must lie within [minimum, maximum] = [{a}, {b}].")
    if has_iqr and has_range:
        mean = (a + 2 * q1 + 2 * m + 2 * q3 + b) / 8
        sd = (b - a) / (2 * xi_range) + (q3 - q1) / (2 * xi_iqr)
    elif has_iqr:
        mean = (q1 + m + q3) / 3
        sd = (q3 - q1) / xi_iqr
    else:
        mean = (a + 2 * m + b) / 4
        sd = (b - a) / xi_range
    return float(mean), float(sd)
