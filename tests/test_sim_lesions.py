"""Lesion-count crossover: limiting cases, analytic variance against simulation, statsmodels cross-check."""

from __future__ import annotations

import math

import numpy as np
import pytest

from appraisal.simulate import lesions as L


def test_null_rejection_rate_near_alpha():
    # true ratio 1: the share of trials with p < 0.05 is near 5% (robust SE, large enough n)
    r = L.power_simulated(n=400, ratio=1.0, rate=3.0, dispersion=3.0, shared=0.5, n_trials=4000, seed=11)
    assert r.power == pytest.approx(0.05, abs=0.015)


def test_null_rejection_rate_at_mesems_size_is_slightly_liberal():
    # 144 patients with heavy overdispersion: the sandwich SE is a little small (documented in the chapter)
    r = L.power_simulated(n=144, ratio=1.0, rate=3.0, dispersion=5.5, shared=0.5, n_trials=4000, seed=12)
    assert 0.04 <= r.power <= 0.09


def test_huge_trial_has_power_near_one():
    r = L.power_simulated(n=5000, ratio=0.8, n_trials=200, seed=3)
    assert r.power >= 0.99
    assert L.power_analytic(n=5000, ratio=0.8).power > 0.999


def test_no_overdispersion_gives_poisson_variance():
    # dispersion 0: Var(log RR) = (1 + 1/RR) / (rate n), the conditional-Poisson result
    assert L.se_log_ratio(100, 1.0, 2.0, 0.0, 0.5) == pytest.approx(math.sqrt(2 / (2.0 * 100)))
    # all variation shared between periods: the crossover removes it completely
    assert L.se_log_ratio(100, 1.0, 2.0, 8.0, 1.0) == pytest.approx(L.se_log_ratio(100, 1.0, 2.0, 0.0, 1.0))


@pytest.mark.parametrize("kw", [dict(ratio=1.0), dict(ratio=0.7, shared=0.0), dict(ratio=0.6, dispersion=6.0, shared=0.2, rate=1.0)])
def test_analytic_se_matches_simulated_spread(kw):
    tr = L.simulate_trial(n=1000, n_trials=1500, seed=5, **kw)
    est = L.estimate_ratio(tr["msc"], tr["placebo"])
    sd = float(np.log(est["ratio"]).std())
    assert L.se_log_ratio(1000, **kw) == pytest.approx(sd, rel=0.06)
    # and the estimator is unbiased for the log ratio
    assert float(np.log(est["ratio"]).mean()) == pytest.approx(math.log(kw["ratio"]), abs=0.01)


def test_analytic_power_matches_simulation():
    sim = L.power_simulated(n=144, ratio=0.7, rate=3.0, dispersion=3.0, shared=0.5, n_trials=3000, seed=7)
    ana = L.power_analytic(n=144, ratio=0.7, rate=3.0, dispersion=3.0, shared=0.5)
    assert ana.power == pytest.approx(sim.power, abs=0.05)


def test_sample_size_to_exclude_30_percent_is_confirmed_by_simulation():
    n = L.n_to_exclude(0.7, 1.0, 0.8, rate=3.0, dispersion=3.0, shared=0.5)
    tr = L.simulate_trial(n=n, ratio=1.0, rate=3.0, dispersion=3.0, shared=0.5, n_trials=2000, seed=9)
    share = float((L.estimate_ratio(tr["msc"], tr["placebo"])["lower"] > 0.7).mean())
    assert share == pytest.approx(0.8, abs=0.04)


def test_calibration_inverts_the_se():
    k = L.calibrate_dispersion(0.2424, 144, ratio=0.94, rate=3.0, shared=0.5)
    assert L.se_log_ratio(144, 0.94, 3.0, k, 0.5) == pytest.approx(0.2424, rel=1e-8)


def test_fast_estimator_agrees_with_statsmodels_gee():
    tr = L.simulate_trial(n=144, ratio=0.8, seed=3)
    fast = L.estimate_ratio(tr["msc"], tr["placebo"]).iloc[0]
    gee = L.fit_trial(tr)
    assert gee["ratio"] == pytest.approx(fast["ratio"], rel=0.03)
    assert math.log(gee["upper"] / gee["lower"]) == pytest.approx(math.log(fast["upper"] / fast["lower"]), rel=0.1)


def test_deterministic_and_balanced_sequences():
    a = L.simulate_trial(n=10, seed=1)
    b = L.simulate_trial(n=10, seed=1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert a["msc_first"].sum() == 5


def test_zero_lesions_stay_finite():
    est = L.estimate_ratio(np.zeros((1, 5)), np.zeros((1, 5)))
    assert np.isfinite(est.to_numpy()).all()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: L.simulate_trial(ratio=0), r"ratio=0 is not allowed"),
        (lambda: L.simulate_trial(ratio=-0.5), r"ratio=-0.5 is not allowed"),
        (lambda: L.simulate_trial(dispersion=-1.0), r"dispersion=-1.0 is not allowed"),
        (lambda: L.simulate_trial(shared=1.5), r"shared=1.5 is not allowed"),
        (lambda: L.simulate_trial(rate=0.0), r"rate=0.0 is not allowed"),
        (lambda: L.simulate_trial(n=1), r"n=1 is not allowed"),
        (lambda: L.simulate_trial(seed=-1), r"seed=-1 is not allowed"),
        (lambda: L.simulate_trial(n=100000, n_trials=1000), r"n \* n_trials=100000000 is not allowed"),
        (lambda: L.power_analytic(alpha=1.2), r"alpha=1.2 is not allowed"),
        (lambda: L.n_to_exclude(excluded=1.1, ratio=1.0), r"excluded=1.1 is not allowed"),
        (lambda: L.n_to_exclude(power=1.0), r"power=1.0 is not allowed"),
        (lambda: L.se_log_ratio(1), r"n=1 is not allowed"),
        (lambda: L.calibrate_dispersion(0.01, 144), r"se_log=0.01 is not allowed"),
        (lambda: L.calibrate_dispersion(0.3, 144, shared=1.0), r"shared=1.0 is not allowed"),
        (lambda: L.estimate_ratio(np.ones((1, 3)), np.ones((1, 4))), r"is not allowed: msc and placebo must have the same shape"),
        (lambda: L.estimate_ratio(-np.ones((1, 3)), np.ones((1, 3))), r"msc is not allowed"),
        (lambda: L.fit_trial({"msc": 1}), r"trial is not allowed"),
        (lambda: L.between_variance(-1, 0.5), r"dispersion=-1 is not allowed"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
