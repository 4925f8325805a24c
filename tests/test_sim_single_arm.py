"""No-effect simulation of the single-arm trial: limiting cases, regression to the mean, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from appraisal import data, progression as prog
from appraisal.simulate.single_arm import (ANCHORS, calibrated_slope_sd, natural_history_defaults, null_grid,
                                           riser_trials, simulate_untreated, slope_sd_anchors, trial_sized)


def test_defaults_come_from_natural_history():
    d = natural_history_defaults()
    assert d["mean_decline"] == 1.02 and d["observed_sd_proact"] == 2.3
    # the true spread is calibrated, not the PRO-ACT observed SD (which already contains noise)
    assert d["slope_sd"] == pytest.approx(0.934, abs=0.001)
    assert simulate_untreated(200, seed=1).params["slope_sd"] == pytest.approx(d["slope_sd"])


def test_anchors_pinned_against_published_spreads():
    # edaravone placebo: SE 0.66 × √66 = 5.36 points per 24 weeks = 0.971 points/month (published: 5.3 per 24 wk
    # implied, tolerance 0.01 points/month); CENTAUR placebo: 0.16 × √48 = 1.109 points/month (tolerance 0.01)
    t = slope_sd_anchors(1.0).set_index("anchor")
    assert list(t.index) == list(ANCHORS)
    assert t.loc["edaravone placebo arm", "observed SD"] == pytest.approx(0.971, abs=0.01)
    assert t.loc["CENTAUR placebo arm", "observed SD"] == pytest.approx(1.109, abs=0.01)
    assert t.loc["population cohort", "true SD"] == data.value("natural_history", "vaneijk_between_patient_sd_a")
    # noise of 1 point (+ rounding) over 24 weeks removed: 0.934 and 1.076 (tolerance 0.002)
    assert t.loc["edaravone placebo arm", "true SD"] == pytest.approx(0.934, abs=0.002)
    assert t.loc["CENTAUR placebo arm", "true SD"] == pytest.approx(1.076, abs=0.002)
    # every anchor is far below the PRO-ACT observed SD
    assert (t["true SD"] < data.value("natural_history", "proact_sd_decline") / 2).all()


def test_calibration_tracks_noise_and_keeps_observed_spread():
    sds = [calibrated_slope_sd(nz) for nz in (0.0, 1.0, 2.0)]
    assert sds[0] > sds[1] > sds[2] > 0
    # away from the floor of the scale, a 6-month rate is the true rate plus the noise of an endpoint rate
    # (visit noise 1 point and rounding: √(1 + 1/12) · √2 / 6 = 0.245 points/month; tolerance 0.02)
    r = simulate_untreated(20000, seed=3, noise_sd=1.0, interval_months=(6.0, 6.0), entry_min_score=30)
    away = r.observed[:, 2] >= 10
    err = r.rate_after[away, 0] - r.true_rate[away]
    assert np.std(err) == pytest.approx(prog.slope_noise_sd((1 + 1 / 12) ** 0.5, 6.0), abs=0.02)
    # the observed 6-month rates then spread about as the placebo arm's (0.97/month); the floor trims the fast
    # progressors' rates, so the simulated spread is a little narrower: between 0.7 and 1.1
    assert 0.7 < np.std(r.rate_after[:, 0]) < 1.1
    with pytest.raises(ValueError, match="anchor='PRO-ACT' is not allowed"):
        calibrated_slope_sd(1.0, "PRO-ACT")


def test_null_grid_matches_single_runs_and_is_seeded():
    settings = [{"noise_sd": 1.0}, {"noise_sd": 2.0, "run_in_months": 1.0}]
    g = null_grid(settings, 19, 15, n=3000, seed=4)
    r = simulate_untreated(3000, seed=4, noise_sd=1.0)
    assert g.loc[0, "responders (%)"] == pytest.approx(100 * r.responder_share(0))
    assert g.loc[0, "P(≥15)"] == pytest.approx(trial_sized(r, 19, 10, seed=0)["prob_at_least"](15))
    assert (g["P low"] <= g["P(≥15)"]).all() and (g["P(≥15)"] <= g["P high"]).all()
    assert g.loc[1, "P(≥15)"] > g.loc[0, "P(≥15)"]  # more noise and a shorter run-in: more responders
    assert null_grid(settings, 19, 15, n=3000, seed=4).equals(g)
    with pytest.raises(ValueError, match="settings=\\[\\] is not allowed"):
        null_grid([], 19, 15)


def test_zero_noise_linear_decline_gives_no_responders():
    # no visit noise, no rounding, same straight-line rate for everyone, nobody near the floor of 0:
    # every interval repeats the run-in
    r = simulate_untreated(3000, seed=1, noise_sd=0.0, round_scores=False, slope_sd=0.0, shape_exponent=1.0,
                           entry_min_score=30)
    assert r.n_enrolled > 0 and r.defined.all()
    assert np.allclose(r.improvement, 0.0, atol=1e-9)
    assert r.responder_share(0) == 0.0 and r.responder_share("whole") == 0.0


def test_floor_of_the_scale_looks_like_improvement():
    # the same noiseless course, but patients who reach 0 can lose no more: their rate "improves"
    r = simulate_untreated(3000, seed=1, noise_sd=0.0, round_scores=False, slope_sd=0.0, entry_min_score=20,
                           mean_decline=3.0)
    at_floor = r.observed[:, -1] == 0
    assert at_floor.any()
    assert np.all(r.improvement_whole[at_floor] > 0)
    assert np.allclose(r.improvement_whole[~at_floor], 0.0, atol=1e-9)


def test_slowing_course_looks_like_improvement():
    r = simulate_untreated(3000, seed=1, noise_sd=0.0, round_scores=False, slope_sd=0.0, shape_exponent=0.7,
                           entry_min_score=30)
    assert np.all(r.improvement[:, 0] > 0)


def test_rounding_alone_makes_responders():
    # the same patients measured on the whole-point scale: quantization creates apparent changes
    r = simulate_untreated(3000, seed=1, noise_sd=0.0, round_scores=True, slope_sd=0.0)
    assert r.responder_share(0) > 0.05


def test_deterministic_and_seeded():
    a = simulate_untreated(500, seed=3)
    b = simulate_untreated(500, seed=3)
    c = simulate_untreated(500, seed=4)
    assert np.array_equal(a.observed, b.observed)
    assert not np.array_equal(a.observed, c.observed) or a.n_enrolled != c.n_enrolled


def test_scores_are_whole_and_bounded():
    r = simulate_untreated(2000, seed=2, noise_sd=3.0)
    assert np.all(r.observed == np.rint(r.observed))
    assert r.observed.min() >= 0 and r.observed.max() <= 48


def test_entry_criteria_are_applied():
    r = simulate_untreated(2000, seed=5, entry_min_score=30)
    assert np.all(r.observed[:, 0] > 30)
    strict = simulate_untreated(2000, seed=5, age_range=(50, 55))
    assert strict.n_enrolled < simulate_untreated(2000, seed=5).n_enrolled


def test_noise_alone_stays_far_below_observed():
    # the published default course: straight decline, visit noise, 3–6 month intervals
    r = simulate_untreated(4000, seed=11)
    share = r.responder_share(0)
    assert 0.25 < share < 0.5
    assert trial_sized(r, 19, 500, seed=1)["prob_at_least"](15) < 0.01


def test_enrolment_after_steep_spell_regresses_to_the_mean():
    base = simulate_untreated(4000, seed=12)
    steep = simulate_untreated(4000, seed=12, min_run_in_loss=3)
    assert steep.responder_share(0) > base.responder_share(0) + 0.1
    # the selected run-in overstates the true rate, and the next interval falls back
    kw = dict(noise_sd=1.5)
    base, steep = simulate_untreated(6000, seed=12, **kw), simulate_untreated(6000, seed=12, min_run_in_loss=3, **kw)
    assert abs(np.mean(base.rate_before - base.true_rate)) < 0.05
    assert np.mean(steep.rate_before - steep.true_rate) > 0.3
    assert np.mean(steep.rate_after[:, 0]) < np.mean(steep.rate_before) - 0.3


def test_expectation_bias_raises_first_interval_only():
    base = simulate_untreated(4000, seed=13)
    biased = simulate_untreated(4000, seed=13, expectation_bias=2.0)
    assert biased.responder_share(0) > base.responder_share(0) + 0.1
    assert abs(biased.responder_share(1) - base.responder_share(1)) < 0.02


def test_trial_sized_binomial_matches_resampling():
    r = simulate_untreated(4000, seed=14)
    t = trial_sized(r, 19, 4000, seed=2)
    assert np.mean(t["counts"]) == pytest.approx(19 * t["p"], abs=0.2)
    assert t["prob_at_least"](0) == pytest.approx(1.0)


def test_riser_trials_binomial_resampling_and_joint():
    r = simulate_untreated(4000, seed=14, noise_sd=2.0, expectation_bias=1.0)
    out = riser_trials(r, 19, 3, 8, n_trials=20_000, seed=2)
    assert out["share_rose"] == pytest.approx(r.share_score_rose(2, 1))
    assert out["expected"] == pytest.approx(19 * out["share_rose"])
    # binomial and resampled tails agree (Monte Carlo SE of the resampled one is below 0.004 here)
    assert out["p_rose_resampled"] == pytest.approx(out["p_rose"], abs=0.015)
    # a joint count is at most either marginal, and its upper bound lies above it
    assert out["p_joint"] <= out["p_rose_resampled"]
    assert out["p_joint"] <= out["p_joint_high"] and out["p_joint_se"] >= 0
    # limiting cases: at least 0 risers is certain; without k_responders there is no joint entry
    assert riser_trials(r, 19, 0, n_trials=100)["p_rose"] == pytest.approx(1.0)
    assert "p_joint" not in riser_trials(r, 19, 3, n_trials=100)
    # a patient rises only if the score at the later visit is above the earlier one: the reverse order differs
    back = riser_trials(r, 19, 3, visit=1, reference=2, n_trials=100)
    assert back["share_rose"] == pytest.approx(float(np.mean(r.observed[:, 1] > r.observed[:, 2])))
    # "any later visit" counts a rise at any visit after the reference: at least the single-visit share
    anyv = riser_trials(r, 19, 3, visit="any", n_trials=100)
    assert anyv["share_rose"] == pytest.approx(float(np.mean((r.observed[:, 2:] > r.observed[:, [1]]).any(axis=1))))
    assert anyv["share_rose"] >= out["share_rose"] and anyv["p_rose"] >= out["p_rose"]
    # seeded
    assert riser_trials(r, 19, 3, 8, n_trials=500, seed=5) == riser_trials(r, 19, 3, 8, n_trials=500, seed=5)


def test_riser_trials_bad_input():
    r = simulate_untreated(200, seed=1)
    with pytest.raises(ValueError, match=r"k_rose=20 is not allowed"):
        riser_trials(r, 19, 20)
    with pytest.raises(ValueError, match=r"visit=9 is not allowed"):
        riser_trials(r, 19, 3, visit=9)
    with pytest.raises(ValueError, match=r"visit='all' is not allowed"):
        riser_trials(r, 19, 3, visit="all")
    with pytest.raises(ValueError, match=r"result=.* is not allowed"):
        riser_trials("trial", 19, 3)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"noise_sd": -1.0}, r"noise_sd=-1.0 is not allowed"),
        ({"interval_months": (0.0, 3.0)}, r"interval_months\[0\]=0.0 is not allowed"),
        ({"interval_months": (6.0, 3.0)}, r"interval_months=\(6.0, 3.0\) is not allowed"),
        ({"interval_months": 3.0}, r"interval_months=3.0 is not allowed"),
        ({"run_in_months": 0}, r"run_in_months=0 is not allowed"),
        ({"before": "baseline"}, r"before='baseline' is not allowed"),
        ({"entry_min_score": 48}, r"entry_min_score=48 is not allowed"),
        ({"mean_decline": 0.0}, r"mean_decline=0.0 is not allowed"),
        ({"slope_sd": -0.1}, r"slope_sd=-0.1 is not allowed"),
        ({"shape_exponent": 5.0}, r"shape_exponent=5.0 is not allowed"),
        ({"seed": -1}, r"seed=-1 is not allowed"),
        ({"round_scores": 1}, r"round_scores=1 is not allowed"),
        ({"min_run_in_loss": -2}, r"min_run_in_loss=-2 is not allowed"),
        ({"age_range": (70, 20)}, r"age_range=\(70, 20\) is not allowed"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_untreated(100, **kwargs)


def test_bad_screening_range():
    with pytest.raises(ValueError, match=r"screening_score_range=\(20, 48\) is not allowed"):
        simulate_untreated(100, screening_score_range=(20, 48))


def test_bad_sample_size():
    with pytest.raises(ValueError, match=r"n=0 is not allowed"):
        simulate_untreated(0)


def test_trial_sized_bad_input():
    r = simulate_untreated(200, seed=1)
    with pytest.raises(ValueError, match=r"n_patients=0 is not allowed"):
        trial_sized(r, 0)
    with pytest.raises(ValueError, match=r"interval=7 is not allowed"):
        trial_sized(r, 19, interval=7)
    with pytest.raises(ValueError, match=r"interval=5 is not allowed"):
        r.improvements(5)
