"""Pooling of ratio estimates (appraisal.pooling), pinned against a hand calculation and the referee's numbers."""

import math

import numpy as np
import pytest
from scipy import stats

from appraisal import pooling as P
from appraisal.recompute import se_from_ci
from appraisal.studies import mesems2021 as ms


def test_group_interval_se_adds_variances_of_the_two_log_means():
    se = P.log_ratio_se_from_group_intervals(1.1, 8.8, 4.4, 34.5)
    assert se == pytest.approx(math.hypot(se_from_ci(1.1, 8.8, log=True), se_from_ci(4.4, 34.5, log=True)))
    # the referee's value, and it reproduces Llufriu 2014's published p = 0.064
    assert se == pytest.approx(0.75, abs=0.005)
    p = 2 * stats.norm.sf(abs(math.log(3.1 / 12.3)) / se)
    assert p == pytest.approx(0.064, abs=0.002)


def test_fixed_effect_matches_the_inverse_variance_formula():
    est, se = np.array([0.94, 0.25]), np.array([0.24, 0.75])
    r = P.pool_ratios(est, se, ["a", "b"])
    w = 1 / se ** 2
    mean = float((w * np.log(est)).sum() / w.sum())
    se_pooled = 1 / math.sqrt(w.sum())
    assert r.ratio == pytest.approx(math.exp(mean), rel=1e-9)
    assert r.lower == pytest.approx(math.exp(mean - 1.959964 * se_pooled), rel=1e-6)
    q = float((w * (np.log(est) - mean) ** 2).sum())
    assert r.q == pytest.approx(q, rel=1e-9) and r.q_df == 1
    assert r.q_p == pytest.approx(stats.chi2.sf(q, 1), rel=1e-9)
    assert r.i2 == pytest.approx(max(0.0, (q - 1) / q), rel=1e-9)
    assert r.table["weight_%"].sum() == pytest.approx(100)
    # random effects: wider than the fixed-effect interval when there is heterogeneity
    assert r.upper_re - r.lower_re > r.upper - r.lower


def test_identical_trials_show_no_heterogeneity():
    r = P.pool_ratios([0.8, 0.8, 0.8], [0.2, 0.3, 0.4], ["a", "b", "c"])
    assert r.ratio == pytest.approx(0.8) and r.q == pytest.approx(0, abs=1e-9) and r.i2 == 0 and r.tau2 == 0


def test_mesems_with_llufriu_reproduces_the_referee():
    # referee: pooled rate ratio 0.83 (0.53-1.30), Q = 2.8 (p = 0.09), I2 about 64%
    r = ms.pooled_lesion_trials()
    assert (round(r.ratio, 2), round(r.lower, 2), round(r.upper, 2)) == (0.83, 0.53, 1.30)
    assert r.q == pytest.approx(2.8, abs=0.05) and r.q_p == pytest.approx(0.09, abs=0.01)
    assert r.i2 == pytest.approx(0.64, abs=0.01)
    assert r.table["weight_%"].iloc[0] > 85  # MESEMS carries about nine tenths of the weight


@pytest.mark.parametrize("kwargs", [
    dict(estimates=[0.9], se_logs=[0.2], labels=["a"]),
    dict(estimates=[0.9, -1.0], se_logs=[0.2, 0.2], labels=["a", "b"]),
    dict(estimates=[0.9, 0.8], se_logs=[0.2], labels=["a", "b"]),
    dict(estimates=[0.9, 0.8], se_logs=[0.2, 0.0], labels=["a", "b"]),
    dict(estimates=[0.9, 0.8], se_logs=[0.2, 0.3], labels="ab"),
])
def test_bad_pooling_input_is_refused(kwargs):
    with pytest.raises(ValueError):
        P.pool_ratios(**kwargs)


def test_bad_group_intervals_are_refused():
    with pytest.raises(ValueError, match="lower1"):
        P.log_ratio_se_from_group_intervals(8.8, 1.1, 4.4, 34.5)
    with pytest.raises(ValueError, match="lower2"):
        P.log_ratio_se_from_group_intervals(1.1, 8.8, -1.0, 34.5)
