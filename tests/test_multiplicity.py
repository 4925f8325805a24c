"""appraisal.multiple_testing: analytic family-wise error, Holm and BH against statsmodels, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from appraisal import data
from appraisal import multiple_testing as mt


def test_fwer_independent_known_values():
    # 1 - 0.95**10 = 0.401263..., 1 - 0.99**30 = 0.260300...: hand-computed, tolerance 1e-6
    assert mt.fwer_independent(10, 0.05) == pytest.approx(0.4012631, abs=1e-6)
    assert mt.fwer_independent(30, 0.01) == pytest.approx(0.2602996, abs=1e-6)
    assert mt.fwer_independent(1, 0.05) == pytest.approx(0.05, abs=1e-12)


def test_fwer_independent_increases_with_k():
    values = [mt.fwer_independent(k, 0.05) for k in range(1, 50)]
    assert all(b > a for a, b in zip(values, values[1:]))
    assert values[-1] < 1


def test_expected_false_positives_and_counts():
    assert mt.expected_false_positives(20, 0.05) == pytest.approx(1.0)
    assert mt.n_comparisons(10, fluids=2, follow_up_visits=3) == 60
    assert mt.n_comparisons(1) == 1


def test_holm_matches_statsmodels():
    p = [0.009, 0.2, 0.6, 0.04, 0.03]
    got = mt.holm(p)
    reject, adj, _, _ = multipletests(p, alpha=0.05, method="holm")
    assert np.allclose(got["p_adjusted"], adj, atol=1e-12)
    assert list(got["significant"]) == list(reject)
    # hand-checked: smallest p times k
    assert got["p_adjusted"].iloc[0] == pytest.approx(0.045, abs=1e-12)


def test_bh_matches_statsmodels_and_hand_values():
    p = [0.009, 0.06, 0.07]
    got = mt.benjamini_hochberg(p, labels=["a", "b", "c"])
    reject, adj, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
    assert np.allclose(got["p_adjusted"], adj, atol=1e-12)
    # hand-checked: 0.009*3/1 = 0.027; 0.06*3/2 = 0.09 -> min with 0.07 = 0.07
    assert list(np.round(got["p_adjusted"], 6)) == [0.027, 0.07, 0.07]
    assert list(got["test"]) == ["a", "b", "c"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=40))
def test_adjusted_never_below_raw_and_bh_not_above_holm(p):
    h = mt.holm(p)
    b = mt.benjamini_hochberg(p)
    assert (h["p_adjusted"] >= h["p"] - 1e-12).all()
    assert (b["p_adjusted"] <= h["p_adjusted"] + 1e-12).all()


def test_reported_bound_survives_holm_only_for_few_comparisons():
    # the preprint prints p < 0.01: certain to survive Holm at 0.05 only if k <= 5
    bound = data.value("alkhazaali2024_results", "p_tnf_alpha_csf")
    assert bound == 0.01
    survives = [k for k in range(1, 40) if bound <= mt.holm_threshold_for_smallest(k, 0.05) + 1e-15]
    assert survives == [1, 2, 3, 4, 5]


def test_reported_numbers_loaded():
    assert data.value("alkhazaali2024_results", "n_patients") == 15
    assert data.value("alkhazaali2024_results", "follow_up_months") == 3
    assert data.printed("alkhazaali2024_results", "p_tnf_alpha_csf") == "<0.01"
    assert data.printed("alkhazaali2024_results", "p_other_markers") == ">0.05"


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: mt.fwer_independent(0, 0.05), r"k=0 is not allowed"),
        (lambda: mt.fwer_independent(2.5, 0.05), r"k=2.5 is not allowed"),
        (lambda: mt.fwer_independent(5, 1.5), r"alpha=1.5 is not allowed"),
        (lambda: mt.expected_false_positives(5, 0), r"alpha=0 is not allowed"),
        (lambda: mt.n_comparisons(0), r"markers=0 is not allowed"),
        (lambda: mt.n_comparisons(3, fluids=0), r"fluids=0 is not allowed"),
        (lambda: mt.n_comparisons(3, follow_up_visits=-1), r"follow_up_visits=-1 is not allowed"),
        (lambda: mt.adjust([0.1, 1.2]), r"pvalues=.* is not allowed: every p-value must be .* 1.2"),
        (lambda: mt.adjust([0.1, float("nan")]), r"pvalues=.* is not allowed"),
        (lambda: mt.adjust([]), r"pvalues=\[\] is not allowed"),
        (lambda: mt.adjust(["a"]), r"pvalues=\['a'\] is not allowed"),
        (lambda: mt.adjust([0.1], method="sidak"), r"method='sidak' is not allowed"),
        (lambda: mt.adjust([0.1], alpha=0), r"alpha=0 is not allowed"),
        (lambda: mt.holm([0.1, 0.2], labels=["x"]), r"labels=\['x'\] is not allowed"),
        (lambda: mt.benjamini_hochberg([0.1], alpha=-1), r"alpha=-1 is not allowed"),
        (lambda: mt.holm_threshold_for_smallest(0), r"k=0 is not allowed"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_illustrative_family():
    p = mt.illustrative_family(0.009, 10, seed=3)
    assert p.shape == (10,) and p[0] == 0.009 and (p[1:] > 0.05).all() and (p[1:] < 1).all()
    assert np.array_equal(p, mt.illustrative_family(0.009, 10, seed=3))
    assert mt.illustrative_family(0.01, 1).tolist() == [0.01]
    # with every other p above 0.05, Holm and BH both reduce to k * smallest for the first test
    for k in (2, 5, 10, 20):
        q = mt.illustrative_family(0.004, k, seed=k)
        expected = min(1.0, k * 0.004)
        assert mt.holm(q)["p_adjusted"].iloc[0] == pytest.approx(expected)
        assert mt.benjamini_hochberg(q)["p_adjusted"].iloc[0] <= expected + 1e-12


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"smallest": 0.0, "k": 3}, r"smallest=0.0 is not allowed"),
        ({"smallest": 0.06, "k": 3}, r"smallest=0.06 is not allowed: smallest must be below others_above=0.05"),
        ({"smallest": 0.01, "k": 0}, r"k=0 is not allowed"),
        ({"smallest": 0.01, "k": 3, "others_above": 1.0}, r"others_above=1.0 is not allowed"),
        ({"smallest": 0.01, "k": 3, "seed": -2}, r"seed=-2 is not allowed"),
    ],
)
def test_illustrative_family_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mt.illustrative_family(**kwargs)


def test_adjust_leaves_the_garbage_collector_as_it_was():
    import gc

    before = gc.get_freeze_count()
    mt.holm([0.01, 0.2, 0.3])
    assert gc.get_freeze_count() == before


# --- the reported pattern: exactly one p below `below`, every other above `above` -------------------

def test_one_below_rest_above_known_values():
    # k · 0.01 · 0.95^(k−1), hand-computed: k = 1 → 0.01; k = 10 → 0.0630249; k = 20 → 0.0754707;
    # k = 60 → 0.6 · 0.95^59 = 0.0290967; tolerance 1e-6
    assert mt.one_below_rest_above(1) == pytest.approx(0.01, abs=1e-12)
    assert mt.one_below_rest_above(10) == pytest.approx(0.0630249, abs=1e-6)
    assert mt.one_below_rest_above(20, 0.01, 0.05) == pytest.approx(0.0754707, abs=1e-6)
    assert mt.one_below_rest_above(60) == pytest.approx(0.0290967, abs=1e-6)


def test_one_below_rest_above_is_a_multinomial_probability():
    # three cells per test: p < a (prob a), a ≤ p ≤ b (prob b − a), p > b (prob 1 − b);
    # the pattern is the multinomial count (1, 0, k − 1); also binom.pmf(1, k, a) · ((1 − b)/(1 − a))^(k − 1)
    from scipy import stats

    for k in (1, 2, 5, 19, 20, 40):
        for a, b in ((0.01, 0.05), (0.005, 0.1), (0.05, 0.05)):
            expected = stats.multinomial.pmf([1, 0, k - 1], k, [a, b - a, 1 - b])
            assert mt.one_below_rest_above(k, a, b) == pytest.approx(expected, rel=1e-9)
            via_binom = stats.binom.pmf(1, k, a) * ((1 - b) / (1 - a)) ** (k - 1)
            assert mt.one_below_rest_above(k, a, b) == pytest.approx(via_binom, rel=1e-9)


def test_with_one_level_it_is_the_binomial_exactly_one():
    from scipy import stats

    for k in (3, 10, 20):
        assert mt.one_below_rest_above(k, 0.05, 0.05) == pytest.approx(stats.binom.pmf(1, k, 0.05), rel=1e-12)


def test_pattern_is_not_the_family_wise_rate():
    # for every k ≥ 2 the pattern is rarer than "at least one p < 0.01", which is rarer than "at least one p < 0.05"
    for k in range(2, 80):
        assert mt.one_below_rest_above(k) < mt.fwer_independent(k, 0.01) < mt.fwer_independent(k, 0.05)
    # k = 1: the pattern is simply p < 0.01
    assert mt.one_below_rest_above(1) == pytest.approx(mt.fwer_independent(1, 0.01))


def test_pattern_maximum_over_k():
    # 19 · 0.01 · 0.95^18 = 20 · 0.01 · 0.95^19 = 0.0754707 (a tie, since 20 · 0.95 = 19); tolerance 1e-6
    ks, value = mt.one_below_rest_above_max(0.01, 0.05)
    assert ks == [19, 20]
    assert value == pytest.approx(0.0754707, abs=1e-6)
    brute = max(mt.one_below_rest_above(k) for k in range(1, 500))
    assert value == pytest.approx(brute, rel=1e-12)
    # no tie when (1 − b)/b is not whole: b = 0.03 → k = 33
    ks, value = mt.one_below_rest_above_max(0.01, 0.03)
    assert ks == [33] and value == pytest.approx(max(mt.one_below_rest_above(k, 0.01, 0.03) for k in range(1, 500)))
    # a large `above` puts the maximum at k = 1
    assert mt.one_below_rest_above_max(0.01, 0.9)[0] == [1]


def test_pattern_rises_then_falls():
    values = [mt.one_below_rest_above(k) for k in range(1, 61)]
    assert all(b > a for a, b in zip(values[:18], values[1:19]))  # rising up to k = 19
    assert all(b < a for a, b in zip(values[19:], values[20:]))  # falling from k = 20


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: mt.one_below_rest_above(0), r"k=0 is not allowed"),
        (lambda: mt.one_below_rest_above(3.5), r"k=3.5 is not allowed"),
        (lambda: mt.one_below_rest_above(5, 0.0, 0.05), r"below=0.0 is not allowed"),
        (lambda: mt.one_below_rest_above(5, 0.01, 1.0), r"above=1.0 is not allowed"),
        (lambda: mt.one_below_rest_above(5, 0.1, 0.05), r"below=0.1 is not allowed: below must be at most above=0.05"),
        (lambda: mt.one_below_rest_above_max(0.2, 0.05), r"below=0.2 is not allowed"),
        (lambda: mt.one_below_rest_above_max(0.01, "0.05"), r"above='0.05' is not allowed"),
    ],
)
def test_pattern_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
