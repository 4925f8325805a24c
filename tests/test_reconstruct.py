"""Table 3's logistic curve, p-values from printed intervals, the power statement (appraisal.reconstruct)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from appraisal import data
from appraisal import reconstruct as R

R_TABLE = "barczewska2020_results"


@pytest.fixture(scope="module")
def table3():
    t = data.load_table("barczewska2020_table3")
    return t["early_response"].to_numpy(float), t["failure_probability_percent"].to_numpy(float), t["printed"].tolist()


def test_glm_refit_reproduces_every_printed_probability(table3):
    fit = R.fit_logistic_curve(*table3, method="glm")
    assert fit.n_within_rounding == 31 and fit.all_within_rounding
    assert fit.max_abs_difference <= 0.05


def test_refit_slope_matches_reported_estimate(table3):
    fit = R.fit_logistic_curve(*table3, method="glm")
    # the paper prints −0.33 per point on the log-odds of failure; the table's slope is −0.336
    assert fit.slope == pytest.approx(data.value(R_TABLE, "early_response_estimate"), abs=0.01)
    assert fit.slope == pytest.approx(-0.3358, abs=5e-4)
    assert fit.intercept == pytest.approx(1.145, abs=2e-3)
    assert fit.odds_ratio == pytest.approx(math.exp(fit.slope))


def test_ols_on_logits_is_close_but_misses_some_values(table3):
    fit = R.fit_logistic_curve(*table3, method="ols")
    assert fit.slope == pytest.approx(-0.3355, abs=5e-4)
    assert 25 <= fit.n_within_rounding < 31  # rounding near 0% and 100% is large on the logit scale


def test_feasible_range_is_narrow_and_excludes_printed_slope(table3):
    feas = R.feasible_logistic_range(*table3)
    lo, hi = feas["slope"]
    assert -0.3365 < lo < hi < -0.3355
    assert round(hi, 2) == -0.34  # no slope reproducing the table rounds to −0.33
    i_lo, i_hi = feas["intercept"]
    assert 1.14 < i_lo < i_hi < 1.15


def test_feasible_range_fails_when_no_curve_fits():
    with pytest.raises(ValueError, match="no logistic curve"):
        R.feasible_logistic_range([0, 1, 2], [50.0, 10.0, 50.0])


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_limiting_case_exact_curve_recovered():
    x = np.arange(-5, 6, dtype=float)
    p = 100 / (1 + np.exp(-(0.5 - 0.4 * x)))
    fit = R.fit_logistic_curve(x, p, [f"{v:.6f}" for v in p])
    assert fit.slope == pytest.approx(-0.4, abs=1e-6) and fit.intercept == pytest.approx(0.5, abs=1e-6)


def test_failure_probability_and_band():
    assert R.failure_probability(0, 0.0, -1.0) == pytest.approx(0.5)
    lo, hi = R.slope_band(np.array([-2.0, 0.0, 2.0]), 1.0, -0.58, -0.10)
    assert np.all(lo <= hi)
    assert lo[1] == hi[1]  # the slope-only band pinches at x = 0


def test_linear_test_from_printed_interval():
    t = R.linear_test_from_ci(-0.33, -0.58, -0.10)
    assert t.se == pytest.approx(0.1224, abs=1e-4)
    assert t.p == pytest.approx(0.00704, abs=2e-5)
    assert t.midpoint == pytest.approx(-0.34)


def test_hr_p_bounds_contain_printed_p():
    lo, hi = R.ratio_p_bounds("0.30", "0.16", "0.59")
    assert lo < data.value(R_TABLE, "hr_death_p") < hi
    assert lo == pytest.approx(1.56e-4, rel=0.02) and hi == pytest.approx(5.39e-4, rel=0.02)


def test_early_response_p_bounds_contain_printed_p():
    lo, hi = R.p_bounds_from_rounded_ci("−0.33", "−0.58", "−0.1", "linear")
    assert lo < data.value(R_TABLE, "early_response_p") < hi


def test_power_statement():
    # the paper: 90% power with 11 per group for 40% vs 0% survival
    assert R.power_two_proportions(0.4, 0.0, 11, method="arcsine") == pytest.approx(0.8947, abs=1e-3)
    assert R.power_two_proportions(0.4, 0.0, 11, method="fisher") == pytest.approx(0.4672, abs=1e-3)
    assert R.power_two_proportions(0.4, 0.0, 67, method="fisher") > 0.9999
    # exact unconditional tests (scipy): Boschloo with the doubled one-sided p, Barnard's Wald test
    assert R.power_two_proportions(0.4, 0.0, 11, method="boschloo") == pytest.approx(0.4672, abs=1e-3)
    assert R.power_two_proportions(0.4, 0.0, 11, method="barnard") == pytest.approx(0.7037, abs=1e-3)


def test_power_limiting_cases():
    assert R.power_two_proportions(0.3, 0.3, 20, method="arcsine") == pytest.approx(0.05)
    assert R.power_two_proportions(0.3, 0.3, 20, method="fisher") <= 0.05  # exact test is conservative


def test_hr_from_medians():
    assert R.hr_from_medians(1183, 640) == pytest.approx(0.541, abs=1e-3)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: R.logit(1.2), r"p=1.2 is not allowed"),
        (lambda: R.fit_logistic_curve([0, 1, 2], [10, 20, 30], method="probit"), r"method='probit' is not allowed"),
        (lambda: R.fit_logistic_curve([0, 1], [10, 20]), r"x=\[0, 1\] is not allowed"),
        (lambda: R.fit_logistic_curve([0, 1, 2], [10, 0, 30]), r"percent=.* is not allowed"),
        (lambda: R.fit_logistic_curve([0, 1, 2], [10, 20, 30], printed=["1"]), r"printed=\['1'\] is not allowed"),
        (lambda: R.feasible_logistic_range([0, 1], [10, 120]), r"percent=.* is not allowed"),
        (lambda: R.failure_probability(1, float("nan"), -1), r"intercept=nan is not allowed"),
        (lambda: R.failure_probability([1, np.inf], 0, -1), r"x=.* is not allowed"),
        (lambda: R.slope_band(1, 0, -0.1, -0.5), r"slope_lower=-0.1 is not allowed"),
        (lambda: R.linear_test_from_ci(-0.9, -0.58, -0.1), r"estimate=-0.9 is not allowed"),
        (lambda: R.linear_test_from_ci(-0.3, -0.1, -0.58), r"lower=-0.1 is not allowed"),
        (lambda: R.p_bounds_from_rounded_ci(0.3, "0.16", "0.59"), r"estimate=0.3 is not allowed"),
        (lambda: R.p_bounds_from_rounded_ci("0.3", "0.16", "0.59", scale="sqrt"), r"scale='sqrt' is not allowed"),
        (lambda: R.p_bounds_from_rounded_ci("abc", "0.16", "0.59"), r"estimate='abc' is not allowed"),
        (lambda: R.p_bounds_from_rounded_ci("0.9", "0.16", "0.59"), r"estimate='0.9' is not allowed"),
        (lambda: R.ratio_p_bounds("-0.3", "0.16", "0.59"), r"estimate=-0.3 is not allowed"),
        (lambda: R.power_two_proportions(1.4, 0, 11), r"p1=1.4 is not allowed"),
        (lambda: R.power_two_proportions(0.4, 0, 1), r"n_per_group=1 is not allowed"),
        (lambda: R.power_two_proportions(0.4, 0, 31, method="barnard"), r"n_per_group=31 is not allowed"),
        (lambda: R.power_two_proportions(0.4, 0, 11, method="pearson"), r"method='pearson' is not allowed"),
        (lambda: R.power_two_proportions(0.4, 0, 11, alpha=0), r"alpha=0 is not allowed"),
        (lambda: R.power_two_proportions(0.4, 0, 11, method="z"), r"method='z' is not allowed"),
        (lambda: R.hr_from_medians(0, 640), r"median_treated=0 is not allowed"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()
