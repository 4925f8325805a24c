"""What a ratio's confidence interval rules out: compatibility curves and equivalence tests.

A published ratio (rate ratio, hazard ratio, odds ratio) with its confidence interval
carries, on the log scale, an estimate and a standard error. From those two numbers:

* :func:`compatibility_curve` gives the two-sided p-value for every hypothesised ratio
  (the "p-value function" or "compatibility curve"): ratios with a large p are well
  compatible with the data, ratios with p below 0.05 lie outside the 95% interval.
* :func:`tost_ratio` runs the two one-sided tests (TOST) of Schuirmann (J Pharmacokinet
  Biopharm 1987;15:657–80) for a margin (lower, upper) around 1: equivalence ("no effect
  larger than the margin") is declared at level α when both one-sided nulls are rejected,
  which is the same as the (1 − 2α) interval lying wholly inside the margin.
* :func:`smallest_margin` is the narrowest symmetric margin (m, 1/m) for which the data
  would declare equivalence.
* :func:`p_range_under_rounding` asks whether a printed p can be recovered from printed,
  rounded limits: it scans every estimate and limit that would round to the printed ones.

The standard error comes from the interval width as in Altman & Bland (BMJ 2011;343:d2304),
via :func:`appraisal.recompute.se_from_ci`; normal tails come from :mod:`scipy.stats`.
Statsmodels' TOST functions need raw data, which the published papers do not give; the
summary-statistic version here is the normal (Wald) form of the same test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import _checks as chk
from .recompute import se_from_ci, z_for_level

__all__ = [
    "LogRatio",
    "log_ratio",
    "p_for_ratio",
    "compatibility_curve",
    "interval_at_level",
    "TOSTResult",
    "tost_ratio",
    "smallest_margin",
    "p_range_under_rounding",
]


@dataclass(frozen=True)
class LogRatio:
    """A ratio on the log scale: estimate, standard error and the interval it came from."""

    estimate: float
    lower: float
    upper: float
    level: float
    log_estimate: float
    se: float


def log_ratio(estimate: float, lower: float, upper: float, level: float = 0.95) -> LogRatio:
    """Check a printed ratio and interval and return its log estimate and standard error.

    The interval must be positive, ordered and contain the estimate; ``level`` is its
    coverage (0.95 for a 95% interval).
    """
    estimate = chk.positive("estimate", estimate)
    lower = chk.positive("lower", lower)
    upper = chk.positive("upper", upper)
    chk.ordered_interval("lower", lower, "upper", upper)
    level = chk.probability("level", level)
    if not lower <= estimate <= upper:
        raise ValueError(
            f"estimate={estimate!r} is not allowed: estimate must lie within [lower, upper] = [{lower}, {upper}]."
        )
    se = se_from_ci(lower, upper, level, log=True)
    return LogRatio(estimate, lower, upper, level, math.log(estimate), se)


def p_for_ratio(lr: LogRatio, ratio) -> np.ndarray | float:
    """Two-sided p-value of the hypothesis "true ratio = ``ratio``" (normal approximation).

    ``ratio`` may be a number or an array of positive numbers.
    """
    chk.instance("lr", lr, LogRatio, "LogRatio from log_ratio()")
    arr = chk.array("ratio", ratio, low=0.0, low_inclusive=False)
    z = (lr.log_estimate - np.log(arr)) / lr.se
    p = 2 * stats.norm.sf(np.abs(z))
    return float(p) if np.ndim(ratio) == 0 else p


def compatibility_curve(
    estimate: float, lower: float, upper: float, level: float = 0.95, ratios=None, n: int = 400
) -> pd.DataFrame:
    """The p-value (compatibility) curve of a ratio: one row per hypothesised ratio.

    By default the ratios run on a log grid from a third of the lower limit to three
    times the upper limit. Columns: ``ratio``, ``p`` (two-sided) and ``z``.
    """
    lr = log_ratio(estimate, lower, upper, level)
    if ratios is None:
        n = chk.integer("n", n, low=10, high=100_000)
        ratios = np.exp(np.linspace(math.log(lower / 3), math.log(upper * 3), n))
    ratios = chk.array("ratios", ratios, ndim=1, low=0.0, low_inclusive=False, max_size=1_000_000)
    p = p_for_ratio(lr, ratios)
    return pd.DataFrame({"ratio": ratios, "p": np.atleast_1d(p), "z": (lr.log_estimate - np.log(ratios)) / lr.se})


def interval_at_level(estimate: float, lower: float, upper: float, new_level: float, level: float = 0.95) -> tuple[float, float]:
    """The interval at another coverage (e.g. the 90% interval behind a 5% TOST) from a printed one."""
    lr = log_ratio(estimate, lower, upper, level)
    new_level = chk.probability("new_level", new_level)
    half = z_for_level(new_level) * lr.se
    return math.exp(lr.log_estimate - half), math.exp(lr.log_estimate + half)


@dataclass(frozen=True)
class TOSTResult:
    """Two one-sided tests for a ratio against the margin (margin_lower, margin_upper)."""

    margin_lower: float
    margin_upper: float
    alpha: float
    p_lower: float  # H0: ratio <= margin_lower
    p_upper: float  # H0: ratio >= margin_upper
    p_tost: float  # the larger of the two
    ci_lower: float  # the (1 - 2 alpha) interval
    ci_upper: float
    equivalent: bool

    @property
    def decision(self) -> str:
        if self.equivalent:
            return "equivalence shown"
        return "not shown"


def _check_margin(margin_lower, margin_upper) -> tuple[float, float]:
    margin_lower = chk.positive("margin_lower", margin_lower)
    if margin_upper is None:
        margin_upper = 1.0 / margin_lower
    margin_upper = chk.positive("margin_upper", margin_upper)
    if not margin_lower < 1.0:
        raise ValueError(
            f"margin_lower={margin_lower!r} is not allowed: margin_lower must be in (0, 1) so that the margin includes 1."
        )
    if not margin_upper > 1.0:
        raise ValueError(
            f"margin_upper={margin_upper!r} is not allowed: margin_upper must be in (1, inf) so that the margin includes 1."
        )
    return margin_lower, margin_upper


def tost_ratio(
    estimate: float,
    lower: float,
    upper: float,
    margin_lower: float,
    margin_upper: float | None = None,
    alpha: float = 0.05,
    level: float = 0.95,
) -> TOSTResult:
    """Equivalence of a ratio to 1 within (``margin_lower``, ``margin_upper``) by two one-sided tests.

    Schuirmann's TOST (J Pharmacokinet Biopharm 1987;15:657–80) in its normal form on the
    log scale: z₁ = (log est − log margin_lower)/SE tests H0 "ratio ≤ margin_lower",
    z₂ = (log margin_upper − log est)/SE tests H0 "ratio ≥ margin_upper"; each one-sided
    p = 1 − Φ(z). Equivalence is declared when both p < ``alpha``, i.e. when the
    (1 − 2α) interval lies inside the margin. ``margin_upper`` defaults to
    1/``margin_lower`` (a margin symmetric on the log scale). The margin must include 1.
    """
    lr = log_ratio(estimate, lower, upper, level)
    margin_lower, margin_upper = _check_margin(margin_lower, margin_upper)
    alpha = chk.in_range("alpha", alpha, 0.0, 0.5, low_inclusive=False, high_inclusive=False)
    z1 = (lr.log_estimate - math.log(margin_lower)) / lr.se
    z2 = (math.log(margin_upper) - lr.log_estimate) / lr.se
    p1, p2 = float(stats.norm.sf(z1)), float(stats.norm.sf(z2))
    half = float(stats.norm.isf(alpha)) * lr.se
    lo, hi = math.exp(lr.log_estimate - half), math.exp(lr.log_estimate + half)
    return TOSTResult(margin_lower, margin_upper, alpha, p1, p2, max(p1, p2), lo, hi, bool(max(p1, p2) < alpha))


def smallest_margin(estimate: float, lower: float, upper: float, alpha: float = 0.05, level: float = 0.95) -> float:
    """The largest m < 1 such that the symmetric margin (m, 1/m) would just declare equivalence.

    Equal to exp(−max(|log L|, |log U|)) where (L, U) is the (1 − 2α) interval: any
    margin narrower than (m, 1/m) cannot be met by these data.
    """
    alpha = chk.in_range("alpha", alpha, 0.0, 0.5, low_inclusive=False, high_inclusive=False)
    lo, hi = interval_at_level(estimate, lower, upper, 1 - 2 * alpha, level)
    return math.exp(-max(abs(math.log(lo)), abs(math.log(hi))))


def p_range_under_rounding(estimate: str, lower: str, upper: str, level: float = 0.95, grid: int = 21) -> tuple[float, float]:
    """Smallest and largest two-sided p compatible with a ratio and interval as printed (rounded).

    Each of the three printed numbers may have been anything within half a unit of its
    last printed digit; the p-value (recomputed as in Altman & Bland 2011) is evaluated
    on a ``grid`` × ``grid`` × ``grid`` lattice of such values. If the published p lies in
    the returned range, rounding alone can explain any gap between it and the p
    recomputed from the printed numbers.
    """
    grid = chk.integer("grid", grid, low=2, high=101)
    level = chk.probability("level", level)
    axes, ends = [], {}
    for name, text in (("estimate", estimate), ("lower", lower), ("upper", upper)):
        centre, h = chk.printed_number(name, text)
        centre = chk.positive(name, centre)
        ends[name] = (centre - h, centre + h)
        axes.append(np.linspace(centre - h, centre + h, grid))
    if ends["lower"][0] <= 0:
        raise ValueError(f"lower={lower!r} is not allowed: lower must stay positive within its rounding.")
    if not ends["lower"][1] < ends["upper"][0]:
        raise ValueError(f"lower={lower!r} is not allowed: lower must lie below upper={upper!r}, even after rounding.")
    if not (ends["lower"][0] <= ends["estimate"][1] and ends["estimate"][0] <= ends["upper"][1]):
        raise ValueError(f"estimate={estimate!r} is not allowed: it must lie within its interval [{lower}, {upper}].")
    e, lo, hi = np.meshgrid(*axes, indexing="ij")
    se = (np.log(hi) - np.log(lo)) / (2 * z_for_level(level))
    p = 2 * stats.norm.sf(np.abs(np.log(e)) / se)
    return float(p.min()), float(p.max())
