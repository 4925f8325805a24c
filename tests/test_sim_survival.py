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


# ----------------------------------------------------------------------------- references chosen among recorded deaths

from appraisal.simulate.survival import death_window_for_median, reference_death_selection, summarize_null_hr  # noqa: E402


def test_death_window_gives_the_target_median():
    # exponential: median of T given T ≤ L is the t with F(t) = F(L)/2
    L = death_window_for_median(1183, 640)
    lam = math.log(2) / 1183
    assert (1 - math.exp(-lam * 640)) == pytest.approx((1 - math.exp(-lam * L)) / 2, rel=1e-12)
    assert L == pytest.approx(1676, abs=1)  # the referee's "L = 4.6 years"
    # Weibull: checked against a large conditional sample from the model itself
    Lw = death_window_for_median(1000, 600, shape=1.5)
    d = reference_death_selection(n_studies=2, n_per_arm=2000, median_days=1000, shape=1.5, death_within_days=Lw, seed=1)
    assert d["reference_median_days"].mean() == pytest.approx(600, rel=0.03)


def test_reference_death_selection_is_seeded_and_shaped():
    a = reference_death_selection(n_studies=5, seed=3)
    b = reference_death_selection(n_studies=5, seed=3)
    assert a.equals(b)
    assert list(a.columns) == ["hr", "lower", "upper", "p", "se_log_hr", "reference_median_days"]
    assert (a["lower"] < a["hr"]).all() and (a["hr"] < a["upper"]).all()
    assert set(a.attrs["treated_km"]) == {"median_days", "alive_end_pct"}


def test_no_selection_limit_gives_no_bias():
    # a window nearly everyone dies within, and follow-up long enough that the treated are nearly all seen to die:
    # both arms then show the same survival, and the Cox HR is near 1 (within Monte Carlo error)
    d = reference_death_selection(n_studies=60, n_per_arm=200, median_days=300, death_within_days=36_000,
                                  min_followup_months=600, accrual_months=0, seed=4)
    s = summarize_null_hr(d)
    assert abs(math.log(s["median_hr"])) < 0.06
    assert s["p_sig"] < 0.1


def test_selection_on_death_lowers_the_hr_more_the_shorter_the_window():
    hrs = [summarize_null_hr(reference_death_selection(n_studies=40, death_within_days=L, seed=5))["median_hr"]
           for L in (1095, 1676, 2922)]
    assert hrs[0] < hrs[1] < hrs[2] < 1
    # the mechanism's treated arm is untouched: its pooled KM median is near the true median
    d = reference_death_selection(n_studies=40, seed=5)
    assert d.attrs["treated_km"]["median_days"] == pytest.approx(1183, rel=0.08)


def test_summarize_null_hr_mc_se():
    import pandas as pd

    d = pd.DataFrame({"hr": [0.2, 0.4, 0.25, 1.2], "p": [0.001, 0.2, 0.01, 0.6]})
    s = summarize_null_hr(d, threshold=0.30)
    assert s["p_le"] == 0.5 and s["p_le_mcse"] == pytest.approx(math.sqrt(0.25 / 4))
    assert s["p_sig"] == 0.5 and s["n_studies"] == 4
    with pytest.raises(ValueError, match="threshold"):
        summarize_null_hr(d, threshold=0)
    with pytest.raises(ValueError, match="studies"):
        summarize_null_hr(d.iloc[:1])
    with pytest.raises(ValueError, match="studies"):
        summarize_null_hr(d.drop(columns="p"))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_studies": 0}, r"n_studies=0 is not allowed"),
        ({"n_per_arm": 2}, r"n_per_arm=2 is not allowed"),
        ({"median_days": 0}, r"median_days=0 is not allowed"),
        ({"shape": 9}, r"shape=9 is not allowed"),
        ({"death_within_days": 10}, r"death_within_days=10 is not allowed"),
        ({"death_within_days": 31, "median_days": 10_000}, r"death_within_days=31 is not allowed"),
        ({"min_followup_months": 0}, r"min_followup_months=0 is not allowed"),
        ({"accrual_months": -1}, r"accrual_months=-1 is not allowed"),
        ({"seed": "x"}, r"seed"),
    ],
)
def test_reference_death_selection_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        reference_death_selection(**{"n_studies": 2, **kwargs})


def test_death_window_bad_input():
    with pytest.raises(ValueError, match=r"reference_median_days=1200 is not allowed"):
        death_window_for_median(1183, 1200)
    with pytest.raises(ValueError, match=r"median_days=5 is not allowed"):
        death_window_for_median(5, 3)
    with pytest.raises(ValueError, match=r"shape=0 is not allowed"):
        death_window_for_median(1183, 640, shape=0)
