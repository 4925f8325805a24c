"""Recomputation toolkit: hand-checked values, library cross-checks, properties and bad input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from appraisal import recompute as rc


def test_percentage_hand_values():
    assert rc.percentage(15, 19) == pytest.approx(78.947, abs=1e-3)
    assert rc.percentage(51, 67) == pytest.approx(76.119, abs=1e-3)  # Table 1 prints 67.1
    assert rc.percentage(0, 67) == 0.0


def test_proportion_ci_known_values():
    # Wilson 15/19: textbook formula by hand
    p, n, z = 15 / 19, 19, stats.norm.isf(0.025)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert rc.proportion_ci(15, 19) == pytest.approx((centre - half, centre + half), abs=1e-9)
    # Clopper–Pearson from the beta distribution
    lo, hi = rc.proportion_ci(15, 19, method="exact")
    assert lo == pytest.approx(stats.beta.ppf(0.025, 15, 5), abs=1e-9)
    assert hi == pytest.approx(stats.beta.ppf(0.975, 16, 4), abs=1e-9)


def test_se_z_p_from_mesems_interval():
    r = rc.test_from_ratio_ci(0.94, 0.58, 1.50)
    assert r.se == pytest.approx((math.log(1.5) - math.log(0.58)) / (2 * 1.959964), rel=1e-5)
    assert r.p == pytest.approx(0.79, abs=0.01)  # published p = 0.78
    assert r.centre_ratio == pytest.approx(math.sqrt(0.58 * 1.5))


def test_hr_barczewska_p():
    r = rc.test_from_ratio_ci(0.30, 0.16, 0.59)
    assert 0.0001 < r.p < 0.001


def test_ci_from_p_round_trip():
    lo, hi = rc.ratio_ci_from_p(0.5, 0.01)
    r = rc.test_from_ratio_ci(0.5, lo, hi)
    assert r.p == pytest.approx(0.01, rel=1e-6)


def test_zero_event_upper():
    assert rc.zero_event_upper(67, method="rule_of_three") == pytest.approx(3 / 67)
    assert rc.zero_event_upper(67) == pytest.approx(1 - 0.05 ** (1 / 67), rel=1e-9)
    assert rc.zero_event_upper(1) == pytest.approx(0.95)


def test_std_diffs():
    assert rc.std_diff_proportions(0.5, 0.5) == 0
    assert rc.std_diff_proportions(0.6, 0.4) == pytest.approx(0.2 / math.sqrt(0.24))
    assert rc.std_diff_proportions(0.0, 0.0) == 0
    assert rc.std_diff_means(10, 2, 8, 2) == pytest.approx(1.0)


def test_wan2014_quartiles_and_range():
    # Wan et al. 2014 formulas evaluated by hand for n = 67
    n = 67
    eta = stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    xi = stats.norm.ppf((n - 0.375) / (n + 0.25))
    m, s = rc.mean_sd_from_quantiles(n, 57, q1=53, q3=63)
    assert m == pytest.approx((53 + 57 + 63) / 3)
    assert s == pytest.approx(10 / (2 * eta))
    m, s = rc.mean_sd_from_quantiles(n, 57, minimum=36, maximum=78)
    assert m == pytest.approx((36 + 2 * 57 + 78) / 4)
    assert s == pytest.approx(42 / (2 * xi))
    m, s = rc.mean_sd_from_quantiles(n, 57, q1=53, q3=63, minimum=36, maximum=78)
    assert m == pytest.approx((36 + 2 * 53 + 2 * 57 + 2 * 63 + 78) / 8)
    assert s == pytest.approx(42 / (4 * xi) + 10 / (4 * eta))


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from(["wilson", "exact"]))
def test_ci_contains_estimate_and_is_in_unit_interval(kn, method):
    k, n = kn
    lo, hi = rc.proportion_ci(k, n, method=method)
    assert 0 <= lo <= k / n <= hi <= 1


@given(st.floats(0.05, 20), st.floats(0.01, 3))
def test_ratio_interval_round_trip(est, spread):
    lo, hi = est * math.exp(-spread), est * math.exp(spread)
    r = rc.test_from_ratio_ci(est, lo, hi)
    assert r.centre_ratio == pytest.approx(est, rel=1e-9)
    if abs(math.log(est)) > 1e-3 and r.p > 1e-12:
        lo2, hi2 = rc.ratio_ci_from_p(est, r.p)
        assert (lo2, hi2) == pytest.approx((lo, hi), rel=1e-6)


@given(st.integers(1, 10_000))
def test_zero_event_exact_below_rule_of_three(n):
    assert rc.zero_event_upper(n) <= min(1.0, 3 / n) + 1e-12


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: rc.percentage(20, 19), r"count=20 is not allowed: count must be at most total=19"),
        (lambda: rc.percentage(-1, 19), r"count=-1 is not allowed"),
        (lambda: rc.percentage(1, 0), r"total=0 is not allowed"),
        (lambda: rc.percentage(1.5, 3), r"count=1.5 is not allowed: count must be a whole number"),
        (lambda: rc.proportion_ci(3, 10, level=1.2), r"level=1.2 is not allowed"),
        (lambda: rc.proportion_ci(3, 10, method="wald"), r"method='wald' is not allowed"),
        (lambda: rc.test_from_ratio_ci(0.94, 1.50, 0.58), r"lower=1.5 is not allowed: lower must be below upper"),
        (lambda: rc.test_from_ratio_ci(-0.9, 0.5, 1.5), r"estimate=-0.9 is not allowed"),
        (lambda: rc.test_from_ratio_ci(0.3, 0.0, 0.59), r"lower=0.0 is not allowed"),
        (lambda: rc.test_from_ratio_ci(2.0, 0.5, 1.5), r"estimate=2.0 is not allowed: estimate must lie within"),
        (lambda: rc.ratio_ci_from_p(0.5, 0), r"p=0 is not allowed"),
        (lambda: rc.ratio_ci_from_p(0.5, 1.0), r"p=1.0 is not allowed"),
        (lambda: rc.ratio_ci_from_p(1.0, 0.5), r"estimate=1.0 is not allowed"),
        (lambda: rc.zero_event_upper(0), r"n=0 is not allowed"),
        (lambda: rc.zero_event_upper(10, level=0.9, method="rule_of_three"), r"level=0.9 is not allowed"),
        (lambda: rc.std_diff_proportions(1.2, 0.5), r"p1=1.2 is not allowed"),
        (lambda: rc.std_diff_means(1, 0, 1, 1), r"sd1=0 is not allowed"),
        (lambda: rc.se_from_ci(1, 1), r"lower=1 is not allowed"),
        (lambda: rc.se_from_ci(float("nan"), 1), r"lower=nan is not allowed"),
        (lambda: rc.mean_sd_from_quantiles(67, 57, q1=53), r"give both quartiles"),
        (lambda: rc.mean_sd_from_quantiles(67, 70, q1=53, q3=63), r"median=70 is not allowed"),
        (lambda: rc.mean_sd_from_quantiles(67, 57), r"give the quartiles, the range, or both"),
        (lambda: rc.mean_sd_from_quantiles(1, 57, q1=53, q3=63), r"n=1 is not allowed"),
    ],
)
def test_bad_input_names_argument(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
