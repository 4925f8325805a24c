"""Compatibility curve and TOST for a ratio from its interval: hand values, decisions, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from appraisal import equivalence as eq

# MESEMS primary result as printed: 0.94 (0.58-1.50), p = 0.78
EST, LO, HI = 0.94, 0.58, 1.50
SE_HAND = (math.log(1.50) - math.log(0.58)) / (2 * 1.959964)  # 0.24240


def test_se_z_p_from_interval_by_hand():
    lr = eq.log_ratio(EST, LO, HI)
    assert lr.se == pytest.approx(SE_HAND, rel=1e-6)
    assert lr.se == pytest.approx(0.2424, abs=5e-5)
    z = math.log(0.94) / SE_HAND
    assert z == pytest.approx(-0.2553, abs=5e-4)
    assert eq.p_for_ratio(lr, 1.0) == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-7)  # 1.959964 rounded
    # the published p (0.78) is within 0.02 of the p recomputed from the rounded interval (0.80)
    assert eq.p_for_ratio(lr, 1.0) == pytest.approx(0.78, abs=0.02)


def test_p_range_under_rounding_contains_published_p():
    lo, hi = eq.p_range_under_rounding("0.94", "0.58", "1.50")
    assert lo <= 0.78 <= hi
    assert lo == pytest.approx(0.779, abs=0.002) and hi == pytest.approx(0.818, abs=0.002)


def test_compatibility_curve_hits_alpha_at_the_limits_and_1_at_the_estimate():
    c = eq.compatibility_curve(EST, LO, HI, ratios=[LO, EST, HI])
    assert c["p"].tolist() == pytest.approx([0.05, 1.0, 0.05], abs=0.01)  # limits were rounded
    full = eq.compatibility_curve(EST, LO, HI)
    assert len(full) == 400 and full["p"].max() <= 1.0 and (full["p"] > 0).all()


def test_ninety_percent_interval_by_hand():
    lo, hi = eq.interval_at_level(EST, LO, HI, 0.90)
    half = stats.norm.isf(0.05) * SE_HAND
    assert (lo, hi) == pytest.approx((0.94 * math.exp(-half), 0.94 * math.exp(half)), rel=1e-6)
    assert (lo, hi) == pytest.approx((0.631, 1.401), abs=0.001)


@pytest.mark.parametrize("margin, expected", [(0.50, True), (0.60, True), (0.64, False), (0.70, False), (0.80, False)])
def test_tost_decisions_on_both_sides_of_the_interval(margin, expected):
    r = eq.tost_ratio(EST, LO, HI, margin)
    assert r.equivalent is expected
    # decision equals "90% interval inside the margin"
    assert r.equivalent == (r.ci_lower > margin and r.ci_upper < 1 / margin)


def test_tost_each_side_can_fail_alone():
    # asymmetric margins: the lower side passes, the upper side fails, and vice versa
    r = eq.tost_ratio(EST, LO, HI, 0.5, 1.3)
    assert r.p_lower < 0.05 and r.p_upper > 0.05 and not r.equivalent
    r = eq.tost_ratio(EST, LO, HI, 0.7, 3.0)
    assert r.p_lower > 0.05 and r.p_upper < 0.05 and not r.equivalent
    assert r.p_tost == max(r.p_lower, r.p_upper)


def test_smallest_margin_is_the_boundary():
    m = eq.smallest_margin(EST, LO, HI)
    assert m == pytest.approx(0.6309, abs=1e-3)
    assert eq.tost_ratio(EST, LO, HI, m - 1e-6).equivalent
    assert not eq.tost_ratio(EST, LO, HI, m + 1e-6).equivalent


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(estimate=0.0), r"estimate=0.0 is not allowed"),
        (dict(estimate=-1), r"estimate=-1 is not allowed"),
        (dict(lower=1.6), r"lower=1.6 is not allowed"),
        (dict(estimate=2.0), r"estimate=2.0 is not allowed: estimate must lie within"),
        (dict(margin_lower=1.2), r"margin_lower=1.2 is not allowed: .*includes 1"),
        (dict(margin_lower=0.8, margin_upper=0.9), r"margin_upper=0.9 is not allowed: .*includes 1"),
        (dict(margin_lower=0.0), r"margin_lower=0.0 is not allowed"),
        (dict(alpha=0.6), r"alpha=0.6 is not allowed"),
    ],
)
def test_tost_bad_input(kwargs, message):
    args = dict(estimate=EST, lower=LO, upper=HI, margin_lower=0.7)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        eq.tost_ratio(**args)


def test_other_bad_input():
    lr = eq.log_ratio(EST, LO, HI)
    with pytest.raises(ValueError, match=r"ratio=.* is not allowed"):
        eq.p_for_ratio(lr, -1.0)
    with pytest.raises(ValueError, match=r"lr=.* is not allowed"):
        eq.p_for_ratio((0.94, 0.2), 1.0)
    with pytest.raises(ValueError, match=r"new_level=1.5 is not allowed"):
        eq.interval_at_level(EST, LO, HI, 1.5)
    with pytest.raises(ValueError, match=r"estimate='abc' is not allowed"):
        eq.p_range_under_rounding("abc", "0.58", "1.50")
    with pytest.raises(ValueError, match=r"n=3 is not allowed"):
        eq.compatibility_curve(EST, LO, HI, n=3)
    with pytest.raises(ValueError, match=r"alpha=0 is not allowed"):
        eq.smallest_margin(EST, LO, HI, alpha=0)
    with pytest.raises(ValueError, match=r"level=1.0 is not allowed"):
        eq.log_ratio(EST, LO, HI, level=1.0)


def test_p_curve_is_symmetric_on_log_scale():
    lr = eq.log_ratio(1.0, 0.5, 2.0)
    p = eq.p_for_ratio(lr, np.array([0.7, 1 / 0.7]))
    assert p[0] == pytest.approx(p[1], rel=1e-12)
