"""The no-effect matched-pair simulation (appraisal.simulate.matched_pairs): known answers and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from appraisal.simulate.matched_pairs import CATEGORIES, MatchedPairsResult, failure_slope, simulate_matched_pairs


def test_shapes_and_determinism():
    a = simulate_matched_pairs(n_pairs=10, n_studies=3, seed=5)
    b = simulate_matched_pairs(n_pairs=10, n_studies=3, seed=5)
    assert a.early.shape == a.final.shape == a.category.shape == (3, 10)
    assert np.array_equal(a.final, b.final)
    assert not np.array_equal(a.final, simulate_matched_pairs(n_pairs=10, n_studies=3, seed=6).final)


def test_zero_noise_and_exact_matching_gives_no_misclassification():
    r = simulate_matched_pairs(n_studies=20, noise_sd=0, slope_change_sd=0, match_tol=0, slope_rounding=0,
                               pool_factor=50, seed=1)
    assert r.split()["no change"] == 1.0
    assert np.abs(r.final).max() < 1.0
    assert failure_slope(r) is None  # every pair is a "failure": nothing to regress


def test_identical_patients_give_zero_differences():
    r = simulate_matched_pairs(n_studies=5, slope_sd=0, slope_change_sd=0, noise_sd=0, seed=2)
    assert np.allclose(r.final, 0) and np.allclose(r.early, 0)
    assert np.all(r.pre_slope_gap == 0)


def test_defaults_produce_spurious_responders_and_a_negative_failure_slope():
    r = simulate_matched_pairs(n_studies=300, seed=0)
    split = r.split()
    assert sum(split.values()) == pytest.approx(1.0)
    # symmetric under no effect, and far from "all no change"
    assert split["decreased progression"] == pytest.approx(split["increased progression"], abs=0.02)
    assert 0.2 < split["decreased progression"] < 0.4
    fit = failure_slope(r)
    assert fit is not None and -0.6 < fit["slope"] < -0.3


def test_more_noise_more_spurious_categories():
    quiet = simulate_matched_pairs(n_studies=200, noise_sd=0.5, seed=3).split()["no change"]
    noisy = simulate_matched_pairs(n_studies=200, noise_sd=3.0, seed=3).split()["no change"]
    assert noisy < quiet


def test_matching_respects_tolerance():
    r = simulate_matched_pairs(n_studies=50, match_tol=0.3, seed=4)
    assert r.pre_slope_gap.max() <= 0.3 + 1e-9
    assert (r.pre_slope_gap <= 0.3 + 1e-9).mean() == 1.0


def test_split_by_study_counts_every_pair():
    r = simulate_matched_pairs(n_pairs=67, n_studies=4, seed=9)
    t = r.split_by_study()
    assert list(t.columns) == list(CATEGORIES.values())
    assert (t.sum(axis=1) == 67).all()
    assert r.failure.shape == (4, 67)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_pairs": 1}, r"n_pairs=1 is not allowed"),
        ({"n_studies": 0}, r"n_studies=0 is not allowed"),
        ({"noise_sd": -1.0}, r"noise_sd=-1.0 is not allowed"),
        ({"slope_sd": float("nan")}, r"slope_sd=nan is not allowed"),
        ({"slope_change_sd": -0.1}, r"slope_change_sd=-0.1 is not allowed"),
        ({"match_tol": -0.5}, r"match_tol=-0.5 is not allowed"),
        ({"mean_slope": 20.0}, r"mean_slope=20.0 is not allowed"),
        ({"pre_months": 0}, r"pre_months=0 is not allowed"),
        ({"early_months": 8.0, "followup_months": 6.0}, r"early_months=8.0 is not allowed"),
        ({"threshold": -3}, r"threshold=-3 is not allowed"),
        ({"slope_rounding": -0.1}, r"slope_rounding=-0.1 is not allowed"),
        ({"pool_factor": 0}, r"pool_factor=0 is not allowed"),
        ({"seed": -1}, r"seed=-1 is not allowed"),
        ({"n_pairs": 100_000, "n_studies": 100}, r"n_studies=100 is not allowed"),
    ],
)
def test_bad_input_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_matched_pairs(**kwargs)


def test_failure_slope_refuses_other_objects():
    with pytest.raises(ValueError, match=r"result=dict is not allowed"):
        failure_slope({})
    assert isinstance(simulate_matched_pairs(n_pairs=5), MatchedPairsResult)


# ----------------------------------------------------------------------------- tail probabilities, grid, true effect

from appraisal.simulate.matched_pairs import category_grid, split_tail_probabilities  # noqa: E402


def test_zero_effect_leaves_the_null_draws_unchanged():
    a = simulate_matched_pairs(n_studies=4, seed=9)
    b = simulate_matched_pairs(n_studies=4, seed=9, treatment_effect=0.0)
    assert np.array_equal(a.final, b.final)
    assert a.slope_treated.shape == a.slope_reference.shape == (4, 67)


def test_true_effect_shifts_differences_by_effect_times_followup():
    a = simulate_matched_pairs(n_studies=50, seed=4)
    b = simulate_matched_pairs(n_studies=50, seed=4, treatment_effect=0.5)
    # same random numbers: the final difference grows by exactly effect × follow-up (6 months)
    assert np.allclose(b.final - a.final, 0.5 * 6.0)
    assert np.allclose(b.early - a.early, 0.5 * 2.0)
    assert b.split()["decreased progression"] > a.split()["decreased progression"]


def test_tail_probabilities_known_answers():
    r = simulate_matched_pairs(n_studies=500, seed=2)
    t = split_tail_probabilities(r, 0, 67)
    assert t["p_decreased_ge"] == 1.0 and t["p_increased_le"] == 1.0 and t["p_joint"] == 1.0
    t = split_tail_probabilities(r, 21, 13)
    assert t["p_joint"] <= min(t["p_decreased_ge"], t["p_increased_le"])
    assert t["mean_decreased"] + t["mean_nochange"] + t["mean_increased"] == pytest.approx(67)
    # symmetric null: P(D ≥ k) equals P(I ≥ k) within Monte Carlo error
    s = r.split_by_study()
    assert np.mean(s["decreased progression"] >= 21) == pytest.approx(np.mean(s["increased progression"] >= 21), abs=0.06)


def test_tail_probabilities_refuse_bad_counts():
    r = simulate_matched_pairs(n_studies=2, seed=2)
    with pytest.raises(ValueError, match="increased"):
        split_tail_probabilities(r, 60, 10)
    with pytest.raises(ValueError, match="result"):
        split_tail_probabilities("r", 1, 1)


def test_grid_rows_and_monotone_noise():
    g = category_grid(21, 13, noise_sd=(0.0, 1.5, 3.0), treatment_effect=(0.0, 0.3), n_studies=300, seed=1)
    assert len(g) == 6
    null = g[g["treatment_effect"] == 0].set_index("noise_sd")
    assert null.loc[0.0, "no change %"] > null.loc[1.5, "no change %"] > null.loc[3.0, "no change %"]
    assert null.loc[3.0, "p_increased_le"] < null.loc[0.0, "p_increased_le"]
    eff = g[g["treatment_effect"] == 0.3].set_index("noise_sd")
    assert (eff["decreased %"] > null["decreased %"]).all()
    with pytest.raises(ValueError, match="noise_sd"):
        category_grid(21, 13, noise_sd=[])
