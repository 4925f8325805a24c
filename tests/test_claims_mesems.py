"""Every comparison the MS chapter's prose makes, asserted against the computed quantities.

If a data change or a model change flips one of these, the chapter's wording is wrong and this
test fails. Each test names the sentence it protects.
"""

from __future__ import annotations

import math

import pytest

from appraisal import data, equivalence as eq, evidence, structured
from appraisal.simulate import edss as E
from appraisal.simulate import lesions as L
from appraisal.widgets.lesions import calibrated_dispersion

M = "mesems2021_results"
v = lambda q: data.value(M, q)  # noqa: E731
EST, LO, HI = v("rate_ratio"), v("rate_ratio_lower"), v("rate_ratio_upper")
LR = eq.log_ratio(EST, LO, HI)
N_MSC, N_PBO = int(v("msc_first")), int(v("placebo_first"))
RATE = 3.0
K = L.calibrate_dispersion(LR.se, N_MSC, N_PBO, EST, RATE)


def test_interval_spans_appreciable_benefit_and_harm():
    # "includes both an appreciable benefit (... below 0.7) and an appreciable harm (... above 1/0.7)"
    assert LO < 0.7 and HI > 1 / 0.7
    # "Still compatible: a 30% reduction"; "A halving ... p = ..." (ruled out)
    assert eq.p_for_ratio(LR, 0.7) > 0.05 > eq.p_for_ratio(LR, 0.5)


def test_explorer_uses_the_chapter_calibration():
    assert calibrated_dispersion(RATE) == pytest.approx(K, rel=1e-12)


def test_information_size_hardly_moves_with_the_assumed_rate():
    # "the trial needed to exclude a 30% reduction stays between ... and ... patients"
    sizes = [L.n_to_exclude(0.7, 1.0, 0.8, r, L.calibrate_dispersion(LR.se, N_MSC, N_PBO, EST, r)) for r in (1, 3, 6, 12)]
    assert max(sizes) - min(sizes) <= 0.03 * min(sizes)


def test_information_size_is_several_times_mesems():
    # "falls far short of its information size"; "several times smaller"; "about 520"
    n = L.n_to_exclude(0.7, 1.0, 0.8, RATE, K)
    assert n / v("randomized") > 3
    assert n == pytest.approx(520, abs=10)


def test_null_rejection_a_little_above_nominal_and_simulated_power_a_little_higher():
    # "a little above the nominal 5%"; "the simulated power is a little higher than the analytic one"
    null = L.power_simulated(N_MSC, N_PBO, 1.0, RATE, K, n_trials=2000, seed=100)
    assert 0.05 < null.power < 0.09
    sim = L.power_simulated(N_MSC, N_PBO, 0.7, RATE, K, n_trials=2000, seed=102)
    ana = L.power_analytic(N_MSC, N_PBO, 0.7, RATE, K)
    assert 0 < sim.power - ana.power < 0.08


def test_certainty_is_low_and_imprecision_rated_down_twice():
    c = evidence.certainty_table().set_index("question_id").loc["ms_inflammation"]
    assert c["certainty"] == "low" and c["imprecision"] == -2
    assert c["finding"].startswith("Low certainty that")


def test_risk_of_bias_table_agrees_with_the_signalling_judgments():
    j = structured.judgments(["mesems2021_signalling"]).set_index("domain")["judgment"]
    rob = evidence.risk_of_bias()
    rob = rob[rob["study"] == "uccelli2021"].set_index("domain")["judgment"]
    assert rob.to_dict() == j.to_dict()
    assert j["Overall"] == "some concerns"


def _pct(series):
    t = series.table().set_index("category")["percent"]
    return {c: float(t[c]) for c in E.CATEGORIES}


def test_edss_null_scenarios_against_the_reported_counts():
    out = E.reported_outcomes()
    rev = out[out["study"].str.startswith("Systematic")].set_index("category")["percent"]
    bon = out[out["study"].str.startswith("Bonab")].set_index("category")["percent"]
    kw = dict(n=2000, rater_sd=0.5, progression=0.1, years=1.0)
    half = _pct(E.simulate_series(**kw, seed=4))
    std = _pct(E.simulate_series(**kw, threshold="standard", seed=6))
    half_rtm = _pct(E.simulate_series(**kw, entry_excess=0.5, seed=5))
    std_rtm = _pct(E.simulate_series(**kw, threshold="standard", entry_excess=0.5, seed=7))
    # "Under the standard threshold with no entry excess, untreated patients give a pattern close to the 2012 series"
    assert all(abs(std[c] - bon[c]) < 10 for c in E.CATEGORIES)
    # "The review's ... improved is more than untreated patients give under that standard setting"
    assert rev["improved"] > std["improved"] + 10
    # "... and with the half-step rule alone; it is reached only when both the half-step rule and the
    # enrolment excess are assumed"
    assert half["improved"] < rev["improved"] and std_rtm["improved"] < rev["improved"]
    assert half_rtm["improved"] >= rev["improved"]
    # the standard threshold counts fewer patients as changed than the half-step rule
    assert std["improved"] < half["improved"] and std["worse"] < half["worse"]


def test_pooled_review_counts_have_no_interval():
    out = E.reported_outcomes()
    pooled = out[out["study"].str.startswith("Systematic")]
    assert pooled["ci_low_%"].isna().all() and pooled["ci_high_%"].isna().all()
    assert out[~out["study"].str.startswith("Systematic")]["ci_low_%"].notna().all()


def test_ahsct_candidates_equal_the_summary_figure_after_rounding():
    # "Two published figures equal 87% after rounding, both relapse-free survival at 5 years"
    a = lambda q: data.value("ahsct_results", q)  # noqa: E731
    claim = a("summary_claim_pfs_10y")
    assert round(a("burman_relapse_free_5y")) == claim and round(a("haltms_relapse_free_5y")) == claim
    assert a("burman_edss_progression_free_5y") < claim  # EDSS progression-free was lower
    # "NEDA is the strictest": lower than the relapse-free figures
    assert a("silfverberg_neda_5y") < a("burman_relapse_free_5y")


def test_safety_statements_have_no_counts():
    # "Of the ... safety statements, ... come with a count"
    s = structured.safety("mesems2021_safety")
    assert int(s["n"].notna().sum()) == 0 and len(s) >= 5


def test_se_from_interval():
    assert LR.se == pytest.approx((math.log(HI) - math.log(LO)) / (2 * 1.959964), rel=1e-5)


def test_signalling_questions_come_in_domain_order():
    # the chapter's table lists the questions domain by domain (1.x, 2.x, ... 5.x)
    q = structured.questions("mesems2021_signalling")
    firsts = [int(i.split(".")[0]) for i in q["item"]]
    assert firsts == sorted(firsts)


def test_edss_exercise_claims():
    # ms-ex-edss: "With no noise nobody improves"; "the 2012 share improved is well within what untreated
    # patients would show" (rater SD 0.8)
    out = E.reported_outcomes()
    bon = float(out[(out["study"].str.startswith("Bonab")) & (out["category"] == "improved")]["percent"].iloc[0])
    quiet = E.simulate_series(n=2000, rater_sd=0.0, progression=0.1, years=1.0, seed=1)
    noisy = E.simulate_series(n=2000, rater_sd=0.8, progression=0.1, years=1.0, seed=1)
    assert quiet.counts["improved"] == 0
    assert 100 * noisy.counts["improved"] / 2000 > bon
