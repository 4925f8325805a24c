"""EDSS null model: limiting cases, rounding to the scale, reported table, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from appraisal.scales import EDSS_STEPS, edss_round
from appraisal.simulate import edss as E


def test_zero_noise_zero_progression_everyone_stable():
    for threshold in E.THRESHOLDS:
        r = E.simulate_series(n=500, rater_sd=0.0, progression=0.0, threshold=threshold, seed=1)
        assert r.counts == {"improved": 0, "stable": 500, "worse": 0}


def test_vectorized_rounding_matches_scalar_edss_round():
    x = np.random.default_rng(0).uniform(0, 10, 2000)
    assert np.array_equal(E.round_to_steps(x), np.array([edss_round(v) for v in x]))
    assert set(E.round_to_steps(x)) <= set(EDSS_STEPS)


def test_noise_alone_gives_improvement_and_worsening_in_balance():
    r = E.simulate_series(n=20000, rater_sd=0.5, progression=0.0, seed=2)
    assert r.counts["improved"] > 0.2 * 20000
    assert r.counts["improved"] == pytest.approx(r.counts["worse"], rel=0.06)


def test_progression_without_noise_makes_everyone_worse_after_a_full_point():
    r = E.simulate_series(n=1000, rater_sd=0.0, progression=1.0, years=1.0, threshold="half", seed=3,
                          baseline_low=3.0, baseline_high=6.0)
    assert r.counts["worse"] == 1000


def test_standard_threshold_counts_fewer_changes_than_half_steps():
    half = E.simulate_series(n=5000, threshold="half", seed=4)
    std = E.simulate_series(n=5000, threshold="standard", seed=4)
    assert std.counts["stable"] > half.counts["stable"]


def test_table_has_intervals_and_sums_to_n():
    t = E.simulate_series(n=50, seed=5).table()
    assert t["count"].sum() == 50 and t["percent"].sum() == pytest.approx(100)
    assert ((t["ci_low_%"] <= t["percent"]) & (t["percent"] <= t["ci_high_%"])).all()


def test_reported_outcomes_show_denominators():
    t = E.reported_outcomes()
    bonab = t[t["study"].str.startswith("Bonab")]
    assert bonab["count"].tolist() == [4, 12, 6]
    assert set(bonab["assessed"]) == {22} and set(bonab["entered"]) == {25}
    review = t[t["study"].str.startswith("Systematic")]
    assert review["count"].tolist() == [48, 39, 16] and set(review["assessed"]) == {103}
    iac = t[t["study"].str.startswith("Iacobaeus")].iloc[0]
    assert (iac["count"], iac["assessed"], iac["entered"]) == (3, 5, 7)
    assert iac["percent"] == pytest.approx(60.0)


def test_deterministic():
    a, b = E.simulate_series(seed=9), E.simulate_series(seed=9)
    assert np.array_equal(a.entry, b.entry) and a.counts == b.counts


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n=0), r"n=0 is not allowed"),
        (dict(rater_sd=-0.1), r"rater_sd=-0.1 is not allowed"),
        (dict(progression=5.0), r"progression=5.0 is not allowed"),
        (dict(years=-1.0), r"years=-1.0 is not allowed"),
        (dict(threshold="one"), r"threshold='one' is not allowed"),
        (dict(baseline_low=11.0), r"baseline_low=11.0 is not allowed"),
        (dict(baseline_low=6.0, baseline_high=4.0), r"baseline_high=4.0 is not allowed"),
        (dict(seed=-2), r"seed=-2 is not allowed"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        E.simulate_series(**kwargs)


def test_round_to_steps_refuses_out_of_range():
    with pytest.raises(ValueError, match=r"values=.* is not allowed"):
        E.round_to_steps([11.0])
    with pytest.raises(ValueError, match=r"values=.* is not allowed"):
        E.round_to_steps([np.nan])


def test_entry_excess_creates_improvement_by_regression_to_the_mean():
    plain = E.simulate_series(n=5000, rater_sd=0.0, progression=0.0, seed=6)
    bumped = E.simulate_series(n=5000, rater_sd=0.0, progression=0.0, entry_excess=1.0, seed=6)
    assert plain.counts["improved"] == 0
    assert bumped.counts["improved"] == 5000  # a full point at entry that resolves: all "improve"
    with pytest.raises(ValueError, match=r"entry_excess=-0.5 is not allowed"):
        E.simulate_series(entry_excess=-0.5)


def test_null_grid_shape_and_seed():
    from appraisal.simulate.edss import null_grid
    g = null_grid((0.0, 0.5), (0.0,), ("half",), n=500, seed=3)
    assert list(g.columns) == ["rater_sd", "entry_excess", "threshold", "improved", "stable", "worse"]
    assert len(g) == 2 and g.loc[0, "improved"] == 0
    assert (g[["improved", "stable", "worse"]].sum(axis=1).round(9) == 100).all()
    assert g.equals(null_grid((0.0, 0.5), (0.0,), ("half",), n=500, seed=3))
    import pytest
    with pytest.raises(ValueError, match="thresholds"):
        null_grid(thresholds=("loose",))
