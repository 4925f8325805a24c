"""appraisal.simulate.multiplicity: limiting cases, analytic agreement, determinism, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from appraisal import multiple_testing as mt
from appraisal.simulate import multiplicity as sm


def test_equicorrelation_matrix_and_bounds():
    r = sm.equicorrelation(4, 0.3)
    assert r.shape == (4, 4) and np.allclose(np.diag(r), 1) and r[0, 1] == pytest.approx(0.3)
    assert np.linalg.eigvalsh(r).min() > 0
    assert sm.min_correlation(5) == pytest.approx(-0.25)
    assert sm.min_correlation(1) == -1.0
    # just inside the bound is fine; on it is not
    sm.equicorrelation(5, -0.249)
    with pytest.raises(ValueError, match=r"rho=-0.25 is not allowed: with k=5 markers .* \(-0.25, 1\)"):
        sm.equicorrelation(5, -0.25)


def test_correlated_normals_have_the_asked_correlation():
    z = sm.correlated_normals((40_000,), 3, 0.6, np.random.default_rng(1))
    c = np.corrcoef(z, rowvar=False)
    # Monte Carlo SE of a correlation near 0.6 with 40 000 draws is about 0.003
    assert c[0, 1] == pytest.approx(0.6, abs=0.02) and c[1, 2] == pytest.approx(0.6, abs=0.02)


def test_independent_null_fwer_near_analytic():
    # 20 000 null studies of 10 independent markers: MC SE ~ 0.0035, tolerance 4 SE
    s = sm.simulate_prepost(n=15, k=10, rho=0.0, n_sims=20_000, seed=11)
    assert s.fwer(0.05) == pytest.approx(mt.fwer_independent(10, 0.05), abs=4 * s.fwer_se(0.05))
    assert s.fwer(0.01) == pytest.approx(mt.fwer_independent(10, 0.01), abs=0.01)
    # each marker alone is a valid test at 5%
    assert s.significant(0.05).mean(axis=0) == pytest.approx(np.full(10, 0.05), abs=0.012)
    assert s.mean_false_positives(0.05) == pytest.approx(mt.expected_false_positives(10, 0.05), abs=0.03)


def test_changes_shortcut_agrees_with_full_prepost_model():
    a = sm.simulate_prepost(n=15, k=8, rho=0.4, n_sims=10_000, seed=3)
    b = sm.simulate_changes(n=15, k=8, rho=0.4, n_sims=10_000, seed=4)
    se = np.hypot(a.fwer_se(), b.fwer_se())
    assert abs(a.fwer() - b.fwer()) < 4 * se


def test_time_correlation_does_not_change_null_pvalues_much():
    a = sm.simulate_prepost(n=15, k=5, n_sims=8000, seed=2, time_correlation=0.0)
    b = sm.simulate_prepost(n=15, k=5, n_sims=8000, seed=2, time_correlation=0.9)
    assert abs(a.fwer() - b.fwer()) < 4 * np.hypot(a.fwer_se(), b.fwer_se())


def test_one_marker_is_a_plain_test():
    s = sm.simulate_prepost(n=15, k=1, n_sims=20_000, seed=5)
    assert s.fwer(0.05) == pytest.approx(0.05, abs=0.006)
    assert s.fwer_by_markers().shape == (1,)


def test_near_perfect_correlation_behaves_like_one_test():
    s = sm.simulate_changes(n=15, k=20, rho=0.999, n_sims=10_000, seed=6)
    assert s.fwer(0.05) == pytest.approx(0.05, abs=0.02)
    # and correlation lowers the FWER below the independent value
    assert s.fwer(0.05) < mt.fwer_independent(20, 0.05) - 0.3


def test_fwer_by_markers_is_monotone_and_ends_at_fwer():
    s = sm.simulate_changes(n=15, k=12, rho=0.2, n_sims=3000, seed=7)
    curve = s.fwer_by_markers()
    assert np.all(np.diff(curve) >= 0) and curve[-1] == pytest.approx(s.fwer())


def test_large_effect_is_always_found_and_wilcoxon_runs():
    s = sm.simulate_prepost(n=15, k=3, n_sims=500, seed=8, effect=3.0)
    assert s.significant(0.05)[:, 0].mean() > 0.99
    assert s.significant(0.05)[:, 1:].mean() == pytest.approx(0.05, abs=0.03)
    w = sm.simulate_prepost(n=15, k=4, n_sims=1500, seed=9, test="wilcoxon")
    assert w.pvalues.shape == (1500, 4) and np.isfinite(w.pvalues).all()
    assert w.significant(0.05).mean() == pytest.approx(0.05, abs=0.015)


def test_deterministic_with_seed():
    a = sm.simulate_prepost(n=10, k=4, n_sims=200, seed=42)
    b = sm.simulate_prepost(n=10, k=4, n_sims=200, seed=42)
    assert np.array_equal(a.pvalues, b.pvalues)
    assert sm.family_error(k=5, seed=1) .fwer == sm.family_error(k=5, seed=1).fwer


def test_family_error_summary():
    f = sm.family_error(n=15, k=10, rho=0.0, alpha=0.05, n_sims=4000, seed=2)
    assert f.fwer_independent == pytest.approx(mt.fwer_independent(10, 0.05))
    assert f.fwer == pytest.approx(f.fwer_independent, abs=4 * f.fwer_se)
    assert len(f.fwer_by_markers) == 10 and 0 <= f.share_exactly_one <= f.fwer


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 2}, r"n=2 is not allowed"),
        ({"n": 15.5}, r"n=15.5 is not allowed"),
        ({"k": 0}, r"k=0 is not allowed"),
        ({"rho": 1.0}, r"rho=1.0 is not allowed"),
        ({"rho": -1.2}, r"rho=-1.2 is not allowed"),
        ({"k": 10, "rho": -0.2}, r"rho=-0.2 is not allowed: with k=10 markers"),
        ({"rho": float("nan")}, r"rho=nan is not allowed"),
        ({"n_sims": 0}, r"n_sims=0 is not allowed"),
        ({"seed": -1}, r"seed=-1 is not allowed"),
        ({"time_correlation": 1.0}, r"time_correlation=1.0 is not allowed"),
        ({"time_correlation": -0.1}, r"time_correlation=-0.1 is not allowed"),
        ({"test": "z"}, r"test='z' is not allowed"),
        ({"effect": float("inf")}, r"effect=inf is not allowed"),
    ],
)
def test_simulate_prepost_refuses_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sm.simulate_prepost(**{"n_sims": 10, **kwargs})


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sm.simulate_changes(n=1), r"n=1 is not allowed"),
        (lambda: sm.simulate_changes(k=3, rho=-0.6), r"rho=-0.6 is not allowed"),
        (lambda: sm.family_error(alpha=0.0), r"alpha=0.0 is not allowed"),
        (lambda: sm.family_error(alpha=1.0), r"alpha=1.0 is not allowed"),
        (lambda: sm.min_correlation(0), r"k=0 is not allowed"),
        (lambda: sm.check_correlation(3, "0.2"), r"rho='0.2' is not allowed"),
        (lambda: sm.simulate_changes(n_sims=10).share_exactly(11), r"count=11 is not allowed"),
        (lambda: sm.simulate_changes(n_sims=10).fwer(1.5), r"alpha=1.5 is not allowed"),
    ],
)
def test_other_functions_refuse_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_fast_t_pvalues_equal_scipy():
    from scipy import stats

    x = np.random.default_rng(3).standard_normal((50, 15, 4)) + 0.3
    assert np.allclose(sm.one_sample_t_pvalues(x, axis=1), stats.ttest_1samp(x, 0.0, axis=1).pvalue, rtol=1e-10, atol=1e-14)
    with pytest.raises(ValueError, match=r"x.shape\[1\]=1 is not allowed"):
        sm.one_sample_t_pvalues(np.zeros((3, 1, 2)), axis=1)


def test_negative_correlation_uses_cholesky_and_is_right():
    z = sm.correlated_normals((40_000,), 3, -0.3, np.random.default_rng(2))
    c = np.corrcoef(z, rowvar=False)
    assert c[0, 1] == pytest.approx(-0.3, abs=0.02) and c[0, 2] == pytest.approx(-0.3, abs=0.02)
    assert np.std(z, axis=0) == pytest.approx(np.ones(3), abs=0.02)


def test_counts_among_first_markers():
    from appraisal.simulate.multiplicity import simulate_changes

    s = simulate_changes(n=15, k=30, rho=0.0, n_sims=500, seed=11)
    sig = s.significant(0.05)[:, :20].sum(axis=1)
    assert s.share_exactly(1, 0.05, markers=20) == pytest.approx(float((sig == 1).mean()))
    assert s.mean_false_positives(0.05, markers=20) == pytest.approx(float(sig.mean()))
    assert s.mean_false_positives(0.05) == pytest.approx(float(s.significant(0.05).sum(axis=1).mean()))
    with pytest.raises(ValueError, match=r"markers=31 is not allowed"):
        s.mean_false_positives(0.05, markers=31)


# --- the reported pattern: exactly one p < 0.01, every other p > 0.05 ------------------------------

def test_pattern_counts_by_hand():
    p = np.array([
        [0.005, 0.20, 0.60],   # the pattern among 1, 2 and 3 markers
        [0.005, 0.03, 0.60],   # among 1 only: the second is below 0.05
        [0.20, 0.005, 0.90],   # among 2 and 3 (the low one need not be first)
        [0.005, 0.004, 0.90],  # never: two below 0.01
        [0.30, 0.40, 0.50],    # never: none below 0.01
    ])
    s = sm.NullStudies(pvalues=p, n=15, k=3, rho=0.0, test="t", effect=0.0, seed=0)
    assert s.one_below_rest_above_by_markers(0.01, 0.05).tolist() == pytest.approx([3 / 5, 2 / 5, 2 / 5])
    assert s.one_below_rest_above(0.01, 0.05) == pytest.approx(2 / 5)
    assert s.one_below_rest_above(0.01, 0.05, markers=1) == pytest.approx(3 / 5)
    # with below = above it is "exactly one significant"
    assert s.one_below_rest_above(0.05, 0.05) == pytest.approx(s.share_exactly(1, 0.05))


def test_independent_pattern_near_formula():
    # 40 000 null studies of 30 independent markers; MC SE of a share near 0.075 is about 0.0013,
    # tolerance 4 SE at each k checked
    s = sm.simulate_changes(n=15, k=30, rho=0.0, n_sims=40_000, seed=21)
    curve = s.one_below_rest_above_by_markers(0.01, 0.05)
    for k in (1, 5, 10, 20, 30):
        expected = mt.one_below_rest_above(k, 0.01, 0.05)
        assert curve[k - 1] == pytest.approx(expected, abs=4 * s.share_se(expected))


def test_correlation_makes_the_pattern_rarer():
    # strongly correlated markers go low together, so "one low, all others high" becomes rare
    ind = sm.simulate_changes(n=15, k=20, rho=0.0, n_sims=8000, seed=22).one_below_rest_above()
    cor = sm.simulate_changes(n=15, k=20, rho=0.9, n_sims=8000, seed=22).one_below_rest_above()
    assert cor < ind - 0.03


def test_pattern_bad_input():
    s = sm.simulate_changes(n=15, k=4, n_sims=50, seed=1)
    with pytest.raises(ValueError, match=r"below=0.1 is not allowed: below must be at most above=0.05"):
        s.one_below_rest_above(0.1, 0.05)
    with pytest.raises(ValueError, match=r"above=0 is not allowed"):
        s.one_below_rest_above(0.01, 0)
    with pytest.raises(ValueError, match=r"markers=5 is not allowed"):
        s.one_below_rest_above(markers=5)
    with pytest.raises(ValueError, match=r"share=1.5 is not allowed"):
        s.share_se(1.5)


def test_family_error_carries_the_pattern():
    f = sm.family_error(n=15, k=20, rho=0.0, n_sims=4000, seed=3)
    assert (f.below, f.above) == (0.01, 0.05)
    assert f.pattern_independent == pytest.approx(mt.one_below_rest_above(20, 0.01, 0.05))
    assert f.pattern == pytest.approx(f.pattern_by_markers[-1])
    se = np.sqrt(f.pattern_independent * (1 - f.pattern_independent) / f.n_sims)
    assert f.pattern == pytest.approx(f.pattern_independent, abs=4 * se)
    assert len(f.pattern_by_markers) == 20
    # the pattern (one p < 0.01, the rest > 0.05) is one way of having exactly one p < 0.05
    assert f.alpha == 0.05 and f.pattern <= f.share_exactly_one


def test_block_correlation_can_make_the_pattern_more_common_than_the_independent_formula():
    # referee counterexample: 19 independent markers + 41 in one block with rho = 0.95, k = 60
    s = sm.simulate_block_changes(n=15, k_independent=19, k_block=41, rho_block=0.95, n_sims=20000, seed=20240326)
    assert s.k == 60 and s.pvalues.shape == (20000, 60)
    share = s.one_below_rest_above(0.01, 0.05)
    formula = mt.one_below_rest_above(60, 0.01, 0.05)
    assert share > formula + 5 * s.share_se(share)          # clearly MORE common than independence says
    assert share < mt.one_below_rest_above(20, 0.01, 0.05) + 4 * s.share_se(share)  # about 20 effective tests
    # the independent part alone behaves like independent tests
    ind = s.one_below_rest_above_by_markers(0.01, 0.05)[18]
    assert abs(ind - mt.one_below_rest_above(19, 0.01, 0.05)) < 4 * s.share_se(ind)


def test_block_changes_refuse_bad_input():
    with pytest.raises(ValueError, match="rho"):
        sm.simulate_block_changes(k_block=5, rho_block=1.0)
    with pytest.raises(ValueError, match="k_block"):
        sm.simulate_block_changes(k_block=0)


def test_exaggeration_matches_statsmodels_power_and_inflates_effects():
    from statsmodels.stats.power import TTestPower
    e = sm.exaggeration(n=15, effect=0.5, alpha=0.05, n_sims=20000, seed=1)
    exact = TTestPower().power(effect_size=0.5, nobs=15, alpha=0.05)
    assert abs(e.power - exact) < 4 * np.sqrt(exact * (1 - exact) / 20000)
    assert e.exaggeration > 1.3  # significant estimates overstate a half-SD change by about 40%
    big = sm.exaggeration(n=200, effect=0.5, n_sims=4000, seed=2)
    assert big.power > 0.99 and abs(big.exaggeration - 1) < 0.05
    with pytest.raises(ValueError, match="effect"):
        sm.exaggeration(effect=0)


# --- pattern_curve: the chunked run for small shares ----------------------------------------------------

def test_pattern_curve_equals_the_full_simulation_within_one_chunk():
    for rho in (0.0, 0.4, -0.05):
        a = sm.pattern_curve(n=15, k=20, rho=rho, n_sims=3000, seed=11, chunk=3000)
        b = sm.simulate_changes(n=15, k=20, rho=rho, n_sims=3000, seed=11).one_below_rest_above_by_markers(0.01, 0.05)
        assert np.array_equal(a.share, b), rho  # the |t| thresholds give exactly the p-value decisions


def test_pattern_curve_chunking_keeps_the_distribution():
    # a different chunk size splits the random stream differently (each chunk draws its own normals, then
    # its common factors), so the shares differ, but only by Monte Carlo error
    one = sm.pattern_curve(n=10, k=8, rho=0.3, n_sims=4000, seed=5, chunk=4000)
    many = sm.pattern_curve(n=10, k=8, rho=0.3, n_sims=4000, seed=5, chunk=1000)
    assert np.all(np.abs(one.share - many.share) < 4 * np.sqrt(2) * np.maximum(one.se, 1e-3))
    again = sm.pattern_curve(n=10, k=8, rho=0.3, n_sims=4000, seed=5, chunk=1000)
    assert np.array_equal(many.share, again.share)  # deterministic with the seed


def test_pattern_curve_near_formula_and_se():
    c = sm.pattern_curve(n=15, k=20, rho=0.0, n_sims=40_000, seed=2)
    for k in (1, 5, 20):
        f = mt.one_below_rest_above(k, 0.01, 0.05)
        assert abs(c.at(k) - f) < 4 * c.se_at(k), k
    assert c.se_at(20) == pytest.approx(np.sqrt(c.at(20) * (1 - c.at(20)) / 40_000))
    assert c.n_sims == 40_000 and c.k == 20 and c.share.shape == (20,)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_sims": 0}, r"n_sims=0 is not allowed"),
    ({"n_sims": 2_000_001}, r"n_sims=2000001 is not allowed"),
    ({"n_sims": 2_000_000, "k": 60}, r"n_sims × n × k=1,800,000,000 is not allowed"),
    ({"below": 0.1, "above": 0.05}, r"below=0.1 is not allowed: below must be at most above"),
    ({"chunk": 0}, r"chunk=0 is not allowed"),
    ({"chunk": 100_000, "k": 60}, r"n_sims × n × k=90,000,000 is not allowed"),
    ({"rho": 1.0}, r"rho=1.0 is not allowed"),
    ({"n_sims": 20_001, "chunk": 2}, r"chunks \(n_sims / chunk, rounded up\)=10,001 is not allowed"),
])
def test_pattern_curve_refuses_bad_input(kwargs, match):
    args = {"n": 15, "k": 10, "n_sims": 100} | kwargs
    if "chunk" in kwargs and kwargs["chunk"] == 100_000:
        args["n_sims"] = 100_000
    with pytest.raises(ValueError, match=match):
        sm.pattern_curve(**args)
    with pytest.raises(ValueError, match=r"markers=0 is not allowed"):
        sm.pattern_curve(n=15, k=3, n_sims=10).at(0)
