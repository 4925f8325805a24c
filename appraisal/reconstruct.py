"""Rebuild a published model or test from the numbers printed about it.

* :func:`fit_logistic_curve` recovers the intercept and slope of a logistic model from
  a printed table of predicted probabilities (statsmodels OLS on the logits, or a
  binomial GLM on the proportions), and says how well the refit reproduces each
  printed value.
* :func:`feasible_logistic_range` finds every intercept and slope compatible with all
  printed probabilities at once (linear programming on the logit scale).
* :func:`linear_test_from_ci` gives the SE, z and p implied by a symmetric interval
  for a coefficient (Altman DG, Bland JM. How to obtain the P value from a confidence
  interval. BMJ 2011;343:d2304), on the natural scale.
* :func:`p_bounds_from_rounded_ci` says how far a p recomputed from a rounded interval
  can move when every printed number is only known to its last digit.
* :func:`power_two_proportions` checks a power statement for a difference between two
  proportions, with the arcsine approximation (statsmodels) or Fisher's exact test.
* :func:`hr_from_medians` gives the hazard ratio two medians imply under constant hazards.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from . import _checks as chk
from .audit import rounding_tolerance
from .recompute import test_from_ratio_ci, z_for_level

__all__ = [
    "logit",
    "CurveFit",
    "fit_logistic_curve",
    "feasible_logistic_range",
    "failure_probability",
    "slope_band",
    "LinearTest",
    "linear_test_from_ci",
    "p_bounds_from_rounded_ci",
    "ratio_p_bounds",
    "power_two_proportions",
    "hr_from_medians",
]


def logit(p):
    """log(p / (1 − p)) for probabilities strictly between 0 and 1 (scalar or array)."""
    arr = chk.array("p", p, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    out = special.logit(arr)
    return float(out) if out.ndim == 0 else out


def _xs_percent(x, percent, min_len: int) -> tuple[np.ndarray, np.ndarray]:
    xs = chk.array("x", x, ndim=1, min_size=min_len, max_size=100_000)
    ps = chk.array("percent", percent, ndim=1, min_size=min_len, max_size=100_000)
    if xs.ndim != 1 or xs.shape != ps.shape or len(xs) < min_len or not np.all(np.isfinite(xs)):
        raise ValueError(f"x={x!r} is not allowed: x and percent must be finite, 1-D, of the same length "
                         f"(at least {min_len}).")
    if np.any(~np.isfinite(ps)) or np.any((ps <= 0) | (ps >= 100)):
        raise ValueError(f"percent={percent!r} is not allowed: percent must lie strictly inside (0, 100).")
    return xs, ps


def _tolerances(printed, n: int) -> tuple[list[str] | None, np.ndarray]:
    if printed is None:
        return None, np.full(n, 0.05)
    items = chk.string_list("printed", printed, length=n)
    printed_s = []
    for i, s in enumerate(items):
        if not isinstance(s, str):  # a number given instead of its printed text: read it as printed
            s = repr(chk.number(f"printed[{i}]", s))
        chk.printed_number(f"printed[{i}]", s, percent=True)
        printed_s.append(s)
    return printed_s, np.array([rounding_tolerance(s) for s in printed_s])


@dataclass(frozen=True)
class CurveFit:
    """A logistic curve p(x) = 1 / (1 + exp(−(intercept + slope · x))) refitted to printed values."""

    intercept: float
    slope: float
    method: str
    table: pd.DataFrame  # x, printed %, fitted %, difference, tolerance, within_rounding

    @property
    def odds_ratio(self) -> float:
        """Multiplier of the odds per unit of x: exp(slope)."""
        return math.exp(self.slope)

    @property
    def max_abs_difference(self) -> float:
        """Largest |fitted − printed| in percentage points."""
        return float(self.table["difference"].abs().max())

    @property
    def n_within_rounding(self) -> int:
        return int(self.table["within_rounding"].sum())

    @property
    def all_within_rounding(self) -> bool:
        return bool(self.table["within_rounding"].all())


def fit_logistic_curve(x, percent, printed=None, method: str = "glm") -> CurveFit:
    """Refit a logistic curve to a table of printed probabilities (in percent).

    ``method="glm"`` fits a binomial GLM with logit link to the proportions themselves
    (:class:`statsmodels.api.GLM`, a fractional-response fit, which weights each value
    by its binomial variance); ``"ols"`` regresses logit(p) on x by ordinary least
    squares (:class:`statsmodels.api.OLS`), which lets the rounding of probabilities
    near 0 or 1 — large on the logit scale — pull the line. No standard errors are
    returned: they would describe the fit to printed numbers, not the study, whose data
    we do not have. ``printed`` (the strings as printed) sets each value's rounding
    tolerance; by default one decimal place is assumed.
    """
    # submodules, not statsmodels.api: the api pulls in compiled modules the browser build lacks
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    chk.one_of("method", method, ["glm", "ols"])
    xs, ps = _xs_percent(x, percent, 3)
    printed_s, tol = _tolerances(printed, len(xs))
    if printed_s is None:
        printed_s = [f"{v:.1f}" for v in ps]
    X = add_constant(xs)
    if method == "ols":
        res = OLS(logit(ps / 100), X).fit()
    else:
        res = GLM(ps / 100, X, family=families.Binomial()).fit()
    b0, b1 = (float(v) for v in res.params)
    fitted = 100 * special.expit(b0 + b1 * xs)
    diff = fitted - ps
    table = pd.DataFrame({"x": xs, "printed %": printed_s, "fitted %": fitted, "difference": diff,
                          "tolerance": tol, "within_rounding": np.abs(diff) <= tol * (1 + 1e-9)})
    return CurveFit(b0, b1, method, table)


def feasible_logistic_range(x, percent, printed=None) -> dict[str, tuple[float, float]]:
    """Every intercept and slope of a logistic curve that reproduces *all* printed values.

    Each printed probability p (in percent, rounded to its last decimal) confines
    intercept + slope · x to the interval [logit(p − h), logit(p + h)], h = half a unit
    of the last decimal. Together these are linear constraints on (intercept, slope);
    linear programming (:func:`scipy.optimize.linprog`) finds the smallest and largest
    of each. Raises ``ValueError`` if no straight line on the logit scale fits them all.
    """
    from scipy.optimize import linprog

    xs, ps = _xs_percent(x, percent, 2)
    _, h = _tolerances(printed, len(xs))
    lo = special.logit(np.clip((ps - h) / 100, 1e-12, None))
    hi = special.logit(np.clip((ps + h) / 100, None, 1 - 1e-12))
    design = np.c_[np.ones_like(xs), xs]
    A, b = np.vstack([design, -design]), np.r_[hi, -lo]
    out = {}
    for j, name in enumerate(("intercept", "slope")):
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(2)
            c[j] = sign
            r = linprog(c, A_ub=A, b_ub=b, bounds=[(None, None)] * 2, method="highs")
            if r.status != 0:
                raise ValueError("percent is not allowed: no logistic curve reproduces every printed value within rounding.")
            ends.append(float(r.x[j]))
        out[name] = (min(ends), max(ends))
    return out


def failure_probability(x, intercept: float, slope: float):
    """Probability 1 / (1 + exp(−(intercept + slope · x))) (scalar or array)."""
    intercept = chk.number("intercept", intercept)
    slope = chk.number("slope", slope)
    arr = chk.array("x", x)
    out = special.expit(intercept + slope * arr)
    return float(out) if out.ndim == 0 else out


def slope_band(x, intercept: float, slope_lower: float, slope_upper: float):
    """Lowest and highest probability over slopes in [slope_lower, slope_upper], intercept fixed.

    Only the slope's interval is published, so this band shows the uncertainty of the
    slope alone: it pinches to zero width at x = 0, where the (unreported) uncertainty
    of the intercept would dominate. Returns ``(low, high)`` (arrays or floats).
    """
    slope_lower, slope_upper = chk.ordered_interval("slope_lower", slope_lower, "slope_upper", slope_upper)
    a = failure_probability(x, intercept, slope_lower)
    b = failure_probability(x, intercept, slope_upper)
    return np.minimum(a, b), np.maximum(a, b)


@dataclass(frozen=True)
class LinearTest:
    """SE, z and two-sided p implied by an estimate and its symmetric interval."""

    se: float
    z: float
    p: float
    midpoint: float  # centre of the interval: should equal the estimate


def linear_test_from_ci(estimate: float, lower: float, upper: float, level: float = 0.95) -> LinearTest:
    """z and p for a coefficient from its interval: SE = (upper − lower) / (2 z_level).

    Altman & Bland, BMJ 2011;343:d2304, on the natural (not log) scale, with the exact
    normal tail from scipy.
    """
    estimate = chk.number("estimate", estimate)
    lower, upper = chk.ordered_interval("lower", lower, "upper", upper)
    if not lower <= estimate <= upper:
        raise ValueError(f"estimate={estimate!r} is not allowed: estimate must lie within [lower, upper] = [{lower}, {upper}].")
    se = (upper - lower) / (2 * z_for_level(level))
    z = estimate / se
    return LinearTest(se, z, float(2 * stats.norm.sf(abs(z))), (lower + upper) / 2)


def p_bounds_from_rounded_ci(estimate: str, lower: str, upper: str, scale: str = "log",
                             level: float = 0.95) -> tuple[float, float]:
    """Smallest and largest p recomputed from an interval when each printed number
    may be anything that rounds to it.

    Arguments are the numbers *as printed* (strings such as ``"0.30"`` or ``"−0.1"``);
    each is varied by ± half a unit of its last decimal, and p is evaluated at every
    corner of that box (p is monotone in each argument, so the corners give its range).
    ``scale="log"`` is for ratios (:func:`appraisal.recompute.test_from_ratio_ci`),
    ``"linear"`` for coefficients (:func:`linear_test_from_ci`).
    """
    chk.one_of("scale", scale, ["log", "linear"])
    vals = []
    for name, s in (("estimate", estimate), ("lower", lower), ("upper", upper)):
        v, h = chk.printed_number(name, s)
        if scale == "log":
            chk.positive(name, v)
        vals.append((max(v - h, 1e-12) if scale == "log" else v - h, v + h))
    ps = []
    for e, lo, hi in itertools.product(*vals):
        if lo < e < hi:
            t = test_from_ratio_ci(e, lo, hi, level) if scale == "log" else linear_test_from_ci(e, lo, hi, level)
            ps.append(t.p)
    if not ps:
        raise ValueError(f"estimate={estimate!r} is not allowed: it must lie inside the interval [{lower}, {upper}].")
    return float(min(ps)), float(max(ps))


def ratio_p_bounds(estimate: str, lower: str, upper: str, level: float = 0.95) -> tuple[float, float]:
    """:func:`p_bounds_from_rounded_ci` for a ratio (HR, OR, RR): log scale."""
    return p_bounds_from_rounded_ci(estimate, lower, upper, "log", level)


def power_two_proportions(p1: float, p2: float, n_per_group: int, alpha: float = 0.05,
                          method: str = "fisher", alternative: str = "two-sided") -> float:
    """Power of a test comparing two proportions with ``n_per_group`` in each group.

    ``alternative``: ``"two-sided"`` (default) or ``"greater"`` (one-sided, group 1's
    proportion above group 2's; exact methods only).

    ``"arcsine"``: normal approximation on Cohen's h (statsmodels ``NormalIndPower``
    with ``proportion_effectsize``). The exact methods sum the binomial probabilities of
    every 2×2 table whose two-sided p-value is at most ``alpha``: ``"fisher"`` (scipy
    ``fisher_exact``, conditional), and the unconditional ``"boschloo"`` (scipy
    ``boschloo_exact``, whose two-sided p is twice the smaller one-sided p) and
    ``"barnard"`` (scipy ``barnard_exact``, Wald statistic with pooled variance).
    Fisher's version tests every pair of counts, so it is limited to ``n_per_group`` ≤ 100
    (a few seconds), the unconditional ones to ≤ 30; the arcsine version takes up to
    1,000,000. References: Boschloo RD, Statistica Neerlandica 1970;24:1–35; Barnard GA,
    Biometrika 1947;34:123–38.
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    p1 = chk.probability("p1", p1, open_interval=False)
    p2 = chk.probability("p2", p2, open_interval=False)
    chk.one_of("method", method, ["fisher", "arcsine", "boschloo", "barnard"])
    chk.one_of("alternative", alternative, ["two-sided", "greater"])
    if alternative != "two-sided" and method == "arcsine":
        raise ValueError(f"alternative={alternative!r} is not allowed with method='arcsine': the one-sided version "
                         "is offered for the exact methods only.")
    high = {"arcsine": 1_000_000, "fisher": 100}.get(method, 30)
    n = chk.integer("n_per_group", n_per_group, low=2, high=high)
    alpha = chk.probability("alpha", alpha)
    if method == "arcsine":
        if p1 == p2:
            return alpha
        h = abs(proportion_effectsize(p1, p2))
        return float(NormalIndPower().power(effect_size=h, nobs1=n, alpha=alpha, ratio=1.0))
    if method == "fisher":
        def pvalue(a, b):
            return stats.fisher_exact([[a, n - a], [b, n - b]], alternative=alternative).pvalue
    else:
        test = stats.boschloo_exact if method == "boschloo" else stats.barnard_exact

        def pvalue(a, b):  # columns are the two binomial samples (scipy's layout)
            return test([[a, b], [n - a, n - b]], alternative=alternative).pvalue
    k = np.arange(n + 1)
    w1, w2 = stats.binom.pmf(k, n, p1), stats.binom.pmf(k, n, p2)
    power = 0.0
    for a in k[w1 > 1e-12]:
        for b in k[w2 > 1e-12]:
            if pvalue(int(a), int(b)) <= alpha:
                power += w1[a] * w2[b]
    return float(power)


def hr_from_medians(median_treated: float, median_reference: float) -> float:
    """Hazard ratio (treated / reference) implied by two medians if each hazard is constant.

    With exponential survival, median = ln 2 / rate, so HR = median_reference / median_treated.
    """
    mt = chk.positive("median_treated", median_treated)
    mr = chk.positive("median_reference", median_reference)
    return mr / mt
