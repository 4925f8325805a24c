"""Survival compared within post-baseline response subgroups (appraisal.simulate.conditioning)."""

from __future__ import annotations

import numpy as np
import pytest

from appraisal.simulate.conditioning import response_subgroup_survival, summarize_subgroups

SUBGROUPS = ("decreased progression", "no change", "increased progression")


def test_deterministic_and_every_pair_classified():
    a = response_subgroup_survival(n_studies=30, seed=3, subgroups=SUBGROUPS)
    b = response_subgroup_survival(n_studies=30, seed=3, subgroups=SUBGROUPS)
    assert a.equals(b)
    # 67 pairs alive at the end of the comparison period in every study, spread over the three subgroups
    assert (a.groupby("study")["pairs"].sum() == 67).all()


def test_no_link_between_course_and_survival_gives_no_bias():
    t = summarize_subgroups(response_subgroup_survival(n_studies=2000, hr_per_point=1.0, seed=1,
                                                       subgroups=SUBGROUPS)).set_index("subgroup")
    assert t["median ratio"].to_numpy() == pytest.approx(1.0, abs=0.05)
    assert (t["share_p_below"] < 0.045).all()  # nominal one-sided 2.5%


def test_linked_survival_makes_responders_live_longer_with_no_effect():
    t = summarize_subgroups(response_subgroup_survival(n_studies=2000, hr_per_point=2.0, seed=1,
                                                       subgroups=SUBGROUPS)).set_index("subgroup")
    assert t.loc["decreased progression", "median ratio"] > 1.25
    assert t.loc["increased progression", "median ratio"] < 0.8    # the mirror image
    assert t.loc["no change", "median ratio"] == pytest.approx(1.0, abs=0.05)
    assert t.loc["decreased progression", "share_p_below"] > 0.08  # well above the nominal 2.5%


def test_stronger_link_more_bias():
    r = [summarize_subgroups(response_subgroup_survival(n_studies=1000, hr_per_point=h, seed=2))
         .set_index("subgroup").loc["decreased progression", "median ratio"] for h in (1.5, 2.0, 3.0)]
    assert r[0] < r[1] < r[2]


def test_medians_are_explicit_under_constant_hazards():
    # no link, no noise: every patient has hazard log 2 / 640 per day after the 6-month period
    r = response_subgroup_survival(n_studies=400, hr_per_point=1.0, seed=4, noise_sd=0.0, min_followup_months=400,
                                   accrual_months=0, subgroups=("no change",))
    assert np.nanmedian(r["median_treated"]) == pytest.approx(6 * 365.25 / 12 + 640, rel=0.05)


@pytest.mark.parametrize("kwargs, match", [
    ({"hr_per_point": 0}, "hr_per_point"),
    ({"subgroups": "no change"}, "subgroups"),
    ({"subgroups": ("responders",)}, "subgroups"),
    ({"n_pairs": 1}, "n_pairs"),
])
def test_bad_input_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        response_subgroup_survival(n_studies=2, **kwargs)


def test_summary_refuses_other_tables():
    with pytest.raises(ValueError, match="table"):
        summarize_subgroups("x")
