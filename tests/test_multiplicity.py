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
