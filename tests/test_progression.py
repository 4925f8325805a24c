"""The % improvement in progression rate: hand-checked series, its blow-up near zero, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from appraisal import progression as prog


def test_rate_of_loss_hand_series():
    # 40 → 37 in 3 months: 1 point lost per month
    assert prog.rate_of_loss([0, 3], [40, 37]) == pytest.approx(1.0)
    # a rise is a negative loss
    assert prog.rate_of_loss([0, 4], [30, 32]) == pytest.approx(-0.5)
    # endpoints ignore the middle visit; least squares uses it
    t, y = [0, 3, 6], [40, 35, 37]
    assert prog.rate_of_loss(t, y) == pytest.approx(0.5)
    assert prog.rate_of_loss(t, y, method="least_squares") == pytest.approx(-stats.linregress(t, y).slope)
    # many patients at once (rows)
    rates = prog.rate_of_loss([0, 2], [[40, 38], [20, 21]])
    assert rates.tolist() == pytest.approx([1.0, -0.5])


def test_percent_improvement_hand_values():
    # 1.0 → 0.5 points/month: half the loss, 50%
    assert prog.percent_improvement(1.0, 0.5) == pytest.approx(50.0)
    # no further loss: 100%; a rise after: above 100%
    assert prog.percent_improvement(1.0, 0.0) == pytest.approx(100.0)
    assert prog.percent_improvement(0.2, -0.2) == pytest.approx(200.0)
    # faster loss: negative
    assert prog.percent_improvement(1.0, 1.5) == pytest.approx(-50.0)
    # an improving patient before (negative rate) who declines after: very negative
    assert prog.percent_improvement(-0.5, 1.0) == pytest.approx(-300.0)


def test_hand_checked_patient_from_scores():
    # before: 42 → 39 over 3 months (1/month); after: 39 → 38 over 4 months (0.25/month) → 75%
    before = prog.rate_of_loss([0, 3], [42, 39])
    after = prog.rate_of_loss([3, 7], [39, 38])
    assert prog.percent_improvement(before, after) == pytest.approx(75.0)
    assert prog.is_responder(75.0)
    assert not prog.is_responder(25.0)  # the rule is "more than 25%"


def test_blow_up_near_zero():
    rb = np.array([1.0, 0.1, 0.01, 0.001])
    imp = prog.improvement_for_before_rates(1.0, rb)
    assert imp.tolist() == pytest.approx([0.0, -900.0, -9900.0, -99900.0])
    # a single slow patient drags the mean far from the median
    values = np.array([50, 60, 40, 30, -900.0])
    s = prog.summarize_improvements(values)
    assert s["median"] == 40 and s["mean"] == pytest.approx(-144.0)


def test_mean_above_100_possible_with_non_responders():
    # 14 modest responders (50%), 4 non-responders and one patient whose slow earlier rate turned into a small gain
    values = np.r_[np.full(14, 50.0), [-10, 0, 10, 20, 1300.0]]
    s = prog.summarize_improvements(values)
    assert s["mean"] > 100 and s["share_responders"] == pytest.approx(15 / 19)
    assert s["median"] == 50


@given(st.floats(0.05, 5), st.floats(-5, 5))
def test_improvement_property(rb, ra):
    imp = prog.percent_improvement(rb, ra)
    assert imp == pytest.approx(100 * (1 - ra / rb))
    assert (imp > 25) == (ra < 0.75 * rb) or abs(ra - 0.75 * rb) < 1e-9


def test_zero_before_rate_is_refused_and_flagged():
    assert prog.is_defined([1.0, 0.0, -1.0]).tolist() == [True, False, True]
    with pytest.raises(ValueError, match=r"rate_before=0 \(at positions \[1\]\) is not allowed"):
        prog.percent_improvement([1.0, 0.0], [0.5, 0.5])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: prog.rate_of_loss([0], [40]), r"months=\[0\] is not allowed"),
        (lambda: prog.rate_of_loss([0, 0], [40, 39]), r"strictly increasing"),
        (lambda: prog.rate_of_loss([0, 3], [40, np.nan]), r"scores=.* is not allowed: scores must be finite"),
        (lambda: prog.rate_of_loss([0, 3, 6], [40, 39]), r"scores with 2 visits per patient is not allowed"),
        (lambda: prog.rate_of_loss([0, 3], [40, 39], method="slope"), r"method='slope' is not allowed"),
        (lambda: prog.percent_improvement([1.0, 2.0], [1.0]), r"rate_after with shape \(1,\) is not allowed"),
        (lambda: prog.percent_improvement("a", 1.0), r"rate_before='a' is not allowed"),
        (lambda: prog.is_responder(50, threshold=float("nan")), r"threshold=nan is not allowed"),
        (lambda: prog.summarize_improvements([1.0, 2.0], trim=0.5), r"trim=0.5 is not allowed"),
        (lambda: prog.summarize_improvements([]), r"improvement=\[\] is not allowed"),
        (lambda: prog.improvement_for_before_rates(1.0, [0.0, 1.0]), r"rates_before=.* is not allowed"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_slope_noise_and_true_sd_hand_values():
    # endpoint rate over 3 months with visit noise SD 1: √2/3 = 0.4714
    assert prog.slope_noise_sd(1.0, 3.0) == pytest.approx(2 ** 0.5 / 3)
    # least squares through 0, 3, 6 months: 1/√18
    assert prog.slope_noise_sd(1.0, 6.0, visits=3) == pytest.approx(1 / 18 ** 0.5)
    assert prog.true_slope_sd(1.0, 1.0, 6.0) == pytest.approx((1 - 2 / 36) ** 0.5)
    assert prog.true_slope_sd(1.0, 0.0, 6.0) == 1.0
    assert prog.sd_from_se(0.66, 66) == pytest.approx(5.362, abs=0.001)
    assert prog.sem_from_icc(6.0, 0.96) == pytest.approx(1.2)
    # PRO-ACT's 2.3 could be noise around a true SD of 0.9 only for rates over about 0.67 months
    assert prog.period_for_noise(2.3, 0.9, 1.0) == pytest.approx(0.668, abs=0.001)
    months = prog.period_for_noise(2.3, 0.9, 1.0)
    assert (0.9**2 + prog.slope_noise_sd(1.0, months) ** 2) ** 0.5 == pytest.approx(2.3)


def test_noise_helpers_refuse_bad_input():
    with pytest.raises(ValueError, match="noise_sd=3.0 is not allowed"):
        prog.true_slope_sd(0.5, 3.0, 3.0)
    with pytest.raises(ValueError, match="icc=1.5 is not allowed"):
        prog.sem_from_icc(6.0, 1.5)
    with pytest.raises(ValueError, match="true_sd=3.0 is not allowed"):
        prog.period_for_noise(2.3, 3.0, 1.0)
    with pytest.raises(ValueError, match="months=0 is not allowed"):
        prog.slope_noise_sd(1.0, 0)
