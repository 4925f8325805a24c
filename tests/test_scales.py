"""ALSFRS-R totals, FT9 staging and EDSS steps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraisal import scales


def test_full_score_is_stage_1():
    r = scales.ft9_stage([4] * 12)
    assert (r.total, r.stage, r.involved) == (48, 1, ())


def test_zero_score_is_stage_5():
    r = scales.ft9_stage([0] * 12)
    assert (r.total, r.stage) == (0, 5)
    assert set(r.domains) == {"bulbar", "upper limb", "lower limb", "breathing"}


def test_nine_is_not_involved_eight_is():
    nine = [3, 3, 3] + [4] * 9
    eight = [3, 3, 2] + [4] * 9
    assert scales.ft9_stage(nine).stage == 1
    assert scales.ft9_stage(eight).stage == 2
    assert scales.ft9_stage(eight).involved == ("bulbar",)


def test_same_total_different_stage():
    a = [4, 4, 4, 2, 2, 2, 2, 2, 2, 4, 4, 4]
    b = [4, 4, 4, 4, 4, 4, 0, 0, 0, 4, 4, 4]
    assert scales.alsfrs_r_total(a) == scales.alsfrs_r_total(b) == 36
    assert scales.ft9_stage(a).stage == 3 and scales.ft9_stage(b).stage == 2


@given(st.lists(st.integers(0, 4), min_size=12, max_size=12))
def test_stage_properties(items):
    r = scales.ft9_stage(items)
    assert 1 <= r.stage <= 5
    assert r.total == sum(items) == sum(r.domains.values())
    assert r.stage == 1 + sum(v < 9 for v in r.domains.values())


def test_edss_steps():
    assert scales.EDSS_STEPS[:3] == (0.0, 1.0, 1.5)
    assert scales.EDSS_STEPS[-1] == 10.0 and len(scales.EDSS_STEPS) == 20
    assert scales.edss_round(0.4) == 0.0 and scales.edss_round(0.6) == 1.0
    assert scales.edss_round(3.74) == 3.5 and scales.edss_round(3.76) == 4.0


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: scales.ft9_stage([4] * 11), r"scores=.* is not allowed: scores must be 12 item scores"),
        (lambda: scales.ft9_stage([5] + [4] * 11), r"scores\[0\] \(item 1\)=5 is not allowed: .* from 0 to 4"),
        (lambda: scales.ft9_stage([-1] + [4] * 11), r"item 1\)=-1 is not allowed"),
        (lambda: scales.ft9_stage([2.5] + [4] * 11), r"item 1\)=2.5 is not allowed: .* whole number"),
        (lambda: scales.alsfrs_r_total(["4"] * 12), r"is not allowed"),
        (lambda: scales.edss_round(10.5), r"value=10.5 is not allowed"),
    ],
)
def test_bad_input(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
