"""Lesion counts in two randomized groups (MESEMS's primary comparison): limiting cases, the analytic
variance and statsmodels' power against simulation, the calibration to the published interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.rates import power_negbin_ratio_2indep

from appraisal import equivalence as eq
from appraisal.simulate import lesions as L

SE_MESEMS = eq.log_ratio(0.94, 0.58, 1.50).se


def test_counts_are_negative_binomial():
    tr = L.simulate_trial(n_msc=100_000, n_placebo=100_000, ratio=0.5, rate=3.0, dispersion=2.0, seed=1)
    b, a = tr["placebo"][0], tr["msc"][0]
    assert b.mean() == pytest.approx(3.0, rel=0.02) and a.mean() == pytest.approx(1.5, rel=0.02)
    assert b.var() == pytest.approx(3.0 + 2.0 * 9.0, rel=0.05)  # var = μ + kμ²
    assert L.simulate_trial(n_msc=50_000, n_placebo=50_000, dispersion=0.0, seed=2)["placebo"].var() == pytest.approx(3.0, rel=0.05)


def test_analytic_se_is_zhu_lakkis_and_statsmodels():
    se = L.se_log_ratio(69, 75, 0.94, 3.0, 1.8)
    assert se**2 == pytest.approx((1 / (3 * 0.94) + 1.8) / 69 + (1 / 3 + 1.8) / 75)
    # statsmodels' power with the same variance
    res = power_negbin_ratio_2indep(3 * 0.7, 3.0, 69, nobs_ratio=75 / 69, dispersion=1.8, method_var="alt",
                                    return_results=False)
    assert L.power_analytic(69, 75, 0.7, 3.0, 1.8).power == pytest.approx(float(res), abs=1e-12)


@pytest.mark.parametrize("kw", [dict(ratio=1.0), dict(ratio=0.7, dispersion=0.5), dict(ratio=0.6, dispersion=4.0, rate=1.0)])
def test_analytic_se_matches_simulated_spread(kw):
    tr = L.simulate_trial(n_msc=800, n_placebo=800, n_trials=1500, seed=5, **kw)
    est = L.estimate_ratio(tr["msc"], tr["placebo"])
    sd = float(np.log(est["ratio"]).std())
    assert L.se_log_ratio(800, 800, **kw) == pytest.approx(sd, rel=0.06)
    assert float(np.log(est["ratio"]).mean()) == pytest.approx(math.log(kw["ratio"]), abs=0.015)


def test_calibration_reproduces_the_published_se():
    # tolerance: exact inversion of the closed form
    k = L.calibrate_dispersion(SE_MESEMS, 69, 75, ratio=0.94, rate=3.0)
    assert k == pytest.approx(1.767, abs=0.001)
    assert L.se_log_ratio(69, 75, 0.94, 3.0, k) == pytest.approx(SE_MESEMS, rel=1e-10)


@pytest.mark.parametrize("rate", [1.0, 3.0, 6.0, 12.0])
def test_information_size_is_about_520_whatever_the_rate(rate):
    # calibrated to the published SE, the trial needed to exclude a 30% reduction barely depends on the rate assumed
    k = L.calibrate_dispersion(SE_MESEMS, 69, 75, 0.94, rate)
    assert 505 <= L.n_to_exclude(0.7, 1.0, 0.8, rate, k) <= 530


def test_information_size_is_confirmed_by_simulation():
    k = L.calibrate_dispersion(SE_MESEMS, 69, 75, 0.94, 3.0)
    n = L.n_to_exclude(0.7, 1.0, 0.8, 3.0, k)
    assert n == 520
    tr = L.simulate_trial(n // 2, n // 2, 1.0, 3.0, k, n_trials=2000, seed=9)
    share = float((L.estimate_ratio(tr["msc"], tr["placebo"])["lower"] > 0.7).mean())
    assert share == pytest.approx(0.8, abs=0.03)  # simulation error at 2000 trials ≈ 0.009


def test_power_at_mesems_size():
    k = L.calibrate_dispersion(SE_MESEMS, 69, 75, 0.94, 3.0)
    ana = L.power_analytic(69, 75, 0.7, 3.0, k)
    assert ana.power == pytest.approx(0.305, abs=0.005)
    sim = L.power_simulated(69, 75, 0.7, 3.0, k, n_trials=3000, seed=7)
    assert sim.power == pytest.approx(ana.power, abs=0.05)
    assert L.power_analytic(69, 75, 0.5, 3.0, k).power == pytest.approx(0.787, abs=0.005)


def test_null_rejection_near_alpha_in_large_trials_and_a_little_liberal_at_mesems_size():
    big = L.power_simulated(400, 400, 1.0, 3.0, 1.8, n_trials=4000, seed=11)
    assert big.power == pytest.approx(0.05, abs=0.012)
    small = L.power_simulated(69, 75, 1.0, 3.0, 1.8, n_trials=4000, seed=12)
    assert 0.045 <= small.power <= 0.09
    assert L.power_analytic(69, 75, 1.0, 3.0, 1.8).power == pytest.approx(0.05)


def test_fast_estimator_agrees_with_statsmodels_negative_binomial():
    tr = L.simulate_trial(69, 75, 0.8, 3.0, 1.8, seed=3)
    fast = L.estimate_ratio(tr["msc"], tr["placebo"]).iloc[0]
    nb = L.fit_trial(tr)
    assert nb["ratio"] == pytest.approx(fast["ratio"], rel=1e-6)  # one binary covariate: both give the ratio of means
    assert math.log(nb["upper"] / nb["lower"]) == pytest.approx(math.log(fast["upper"] / fast["lower"]), rel=0.15)


def test_deterministic_and_zero_lesions_finite():
    a, b = L.simulate_trial(seed=1), L.simulate_trial(seed=1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert a["msc"].shape == (1, 69) and a["placebo"].shape == (1, 75)
    assert np.isfinite(L.estimate_ratio(np.zeros((1, 5)), np.zeros((1, 6))).to_numpy()).all()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: L.simulate_trial(ratio=0), r"ratio=0 is not allowed"),
        (lambda: L.simulate_trial(dispersion=-1.0), r"dispersion=-1.0 is not allowed"),
        (lambda: L.simulate_trial(rate=0.0), r"rate=0.0 is not allowed"),
        (lambda: L.simulate_trial(n_msc=1), r"n_msc=1 is not allowed"),
        (lambda: L.simulate_trial(n_placebo=1), r"n_placebo=1 is not allowed"),
        (lambda: L.simulate_trial(seed=-1), r"seed=-1 is not allowed"),
        (lambda: L.simulate_trial(n_msc=50000, n_placebo=50000, n_trials=1000), r"n_trials × \(n_msc \+ n_placebo\)=100,000,000 is not allowed"),
        (lambda: L.power_analytic(alpha=1.2), r"alpha=1.2 is not allowed"),
        (lambda: L.n_to_exclude(excluded=1.1, ratio=1.0), r"excluded=1.1 is not allowed"),
        (lambda: L.n_to_exclude(power=1.0), r"power=1.0 is not allowed"),
        (lambda: L.se_log_ratio(1, 10), r"n_msc=1 is not allowed"),
        (lambda: L.calibrate_dispersion(0.01, 69, 75), r"se_log=0.01 is not allowed"),
        (lambda: L.estimate_ratio(np.ones((1, 3)), np.ones((2, 4))), r"msc.shape=\(1, 3\) is not allowed"),
        (lambda: L.estimate_ratio(-np.ones((1, 3)), np.ones((1, 3))), r"msc is not allowed"),
        (lambda: L.fit_trial({"msc": 1}), r"trial is not allowed"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_n_for_equivalence():
    import pytest
    from appraisal.simulate import lesions as L
    n = L.n_for_equivalence(0.7, 1.0, 0.8, 3.0, 1.767)
    assert n == pytest.approx(566, abs=4) and n % 2 == 0
    assert n > L.n_to_exclude(0.7, 1.0, 0.8, 3.0, 1.767)
    with pytest.raises(ValueError, match="margin"):
        L.n_for_equivalence(0.7, 1.5, 0.8, 3.0, 1.767)


def test_a_very_wide_equivalence_margin_needs_only_the_smallest_trial():
    # found by the hostile walker: margin 1/128 (equivalence within 0.008-128) is reached by the smallest trial
    from appraisal.simulate import lesions as L
    assert L.n_for_equivalence(margin=0.0078125) == 4
