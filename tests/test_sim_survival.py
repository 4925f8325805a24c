"""The immortal-time survival simulation (appraisal.simulate.survival): known answers and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from appraisal.simulate.survival import (
    DAYS_PER_MONTH,
    SurvivalResult,
    cox_hr,
    exponential_hr,
    km_curves,
    replicate_hr,
    simulate_survival,
)


def test_no_selection_gives_hazard_ratio_near_one():
    r = simulate_survival(n_per_arm=3000, window_months=0, seed=1)
    e = exponential_hr(r)
    se = math.sqrt(1 / e["deaths_treated"] + 1 / e["deaths_reference"])
    assert abs(math.log(e["hr"])) < 3 * se  # within Monte Carlo error
    assert r.n_excluded == 0


def test_no_selection_replicates_are_calibrated():
    d = replicate_hr(n_studies=2000, n_per_arm=100, window_months=0, seed=2)
    assert abs(np.log(d["hr"]).mean()) < 0.02
    assert 0.035 < (d["p"] < 0.05).mean() < 0.065  # the test keeps its 5% size


def test_treated_are_alive_through_the_window():
    r = simulate_survival(n_per_arm=500, window_months=4, seed=3)
    assert r.time_treated.min() > 4 * DAYS_PER_MONTH
    assert r.n_excluded > 0


def test_window_lowers_hr_as_theory_says():
    # constant hazard, no censoring (very long follow-up): rate ratio = 1 / (1 + λ w)
    r = simulate_survival(n_per_arm=20000, window_months=6, min_followup_months=600, accrual_months=0, seed=4)
    lam = math.log(2) / 640
    expected = 1 / (1 + lam * 6 * DAYS_PER_MONTH)
    assert exponential_hr(r)["hr"] == pytest.approx(expected, rel=0.03)


def test_cox_and_km_with_lifelines():
    r = simulate_survival(n_per_arm=800, window_months=10, seed=5)
    c = cox_hr(r)
    assert c["lower"] < c["hr"] < c["upper"] < 1  # no treatment effect, yet a "protective" HR
    km = km_curves(r)
    assert km["treated"].iloc[0] == 1.0
    assert km["treated"].loc[: 10 * DAYS_PER_MONTH].min() == 1.0  # nobody analysed dies in the window


def test_real_effect_and_selection_move_hr_the_same_way():
    a = exponential_hr(simulate_survival(n_per_arm=4000, window_months=0, treatment_hr=0.7, seed=6))["hr"]
    b = exponential_hr(simulate_survival(n_per_arm=4000, window_months=0, selection_hr=0.7, seed=6))["hr"]
    assert a == pytest.approx(0.7, abs=0.05) and b == pytest.approx(a)


def test_medians_follow_the_parameter():
    r = simulate_survival(n_per_arm=4000, window_months=0, median_days=900, shape=1.5,
                          min_followup_months=600, accrual_months=0, seed=7)
    assert np.median(r.time_reference) == pytest.approx(900, rel=0.05)


def test_replicates_with_window_are_biased_below_one():
    d = replicate_hr(n_studies=500, window_months=4, seed=8)
    assert d["hr"].median() < 0.9
    assert list(d.columns) == ["hr", "lower", "upper", "p"]


def test_frame_layout():
    r = simulate_survival(n_per_arm=10, seed=9)
    f = r.frame()
    assert list(f.columns) == ["days", "died", "treated"] and len(f) == 20 and f["treated"].sum() == 10


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_per_arm": 1}, r"n_per_arm=1 is not allowed"),
        ({"median_days": 0}, r"median_days=0 is not allowed"),
        ({"shape": 0}, r"shape=0 is not allowed"),
        ({"window_months": -1}, r"window_months=-1 is not allowed"),
        ({"window_months": 60, "median_days": 100}, r"window_months=60 is not allowed"),
        ({"selection_hr": 0}, r"selection_hr=0 is not allowed"),
        ({"treatment_hr": float("inf")}, r"treatment_hr=inf is not allowed"),
        ({"min_followup_months": 0}, r"min_followup_months=0 is not allowed"),
        ({"accrual_months": -2}, r"accrual_months=-2 is not allowed"),
        ({"seed": 1.5}, r"seed=1.5 is not allowed"),
    ],
)
def test_bad_input_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_survival(**kwargs)
    with pytest.raises(ValueError, match=match):
        replicate_hr(n_studies=2, **kwargs)


def test_estimators_refuse_other_objects():
    for f in (exponential_hr, cox_hr, km_curves):
        with pytest.raises(ValueError, match=r"result=list is not allowed"):
            f([])
    with pytest.raises(ValueError, match=r"n_studies=0 is not allowed"):
        replicate_hr(n_studies=0)
    with pytest.raises(ValueError, match=r"level=2 is not allowed"):
        exponential_hr(simulate_survival(n_per_arm=10), level=2)


def test_no_deaths_is_refused():
    r = simulate_survival(n_per_arm=5, median_days=10000, shape=5, min_followup_months=0.1, accrual_months=0, seed=0)
    assert isinstance(r, SurvivalResult)
    with pytest.raises(ValueError, match="no deaths"):
        exponential_hr(r)


def test_median_from_curve():
    import pandas as pd

    from appraisal.simulate.survival import median_from_curve

    assert median_from_curve(pd.Series([1.0, 0.8, 0.5, 0.2], index=[0, 10, 20, 30])) == 20.0
    assert median_from_curve(pd.Series([1.0, 0.9], index=[0, 10])) is None
    with pytest.raises(ValueError, match=r"curve=list is not allowed"):
        median_from_curve([1.0, 0.4])


def test_reference_window_conditions_the_references_and_defaults_to_none():
    base = simulate_survival(n_per_arm=300, window_months=4, seed=5)
    same = simulate_survival(n_per_arm=300, window_months=4, seed=5, reference_window_months=0.0)
    assert np.array_equal(base.time_reference, same.time_reference)  # default reproduces the one-sided case
    r = simulate_survival(n_per_arm=500, window_months=4, reference_window_months=6, seed=3)
    assert r.time_reference.min() > 6 * DAYS_PER_MONTH
    e = exponential_hr(simulate_survival(n_per_arm=5000, window_months=4, reference_window_months=4, seed=4))
    assert e["hr"] == pytest.approx(1.0, abs=0.06)  # equal windows: no bias
    d = replicate_hr(n_studies=200, n_per_arm=67, window_months=4, reference_window_months=6, seed=2)
    assert np.median(d["hr"]) > 1


@pytest.mark.parametrize("bad", [-1, 61, float("nan"), "6", None])
def test_reference_window_bad_input_names_the_argument(bad):
    with pytest.raises((ValueError, TypeError), match="reference_window_months"):
        simulate_survival(n_per_arm=50, reference_window_months=bad)
    with pytest.raises((ValueError, TypeError), match="reference_window_months"):
        replicate_hr(n_studies=5, reference_window_months=bad)


def test_reference_window_too_long_for_the_median_is_refused():
    with pytest.raises(ValueError, match="reference_window_months"):
        simulate_survival(n_per_arm=50, median_days=60, reference_window_months=60)
