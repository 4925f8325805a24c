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


def test_equivalence_needs_more_patients_than_excluding_one_ratio():
    # "Showing equivalence is stricter ... about 566 patients ... (560 to 568 over the rate grid)"
    for r in (1, 3, 6, 12):
        k = L.calibrate_dispersion(LR.se, N_MSC, N_PBO, EST, r)
        assert L.n_for_equivalence(0.7, 1.0, 0.8, r, k) > L.n_to_exclude(0.7, 1.0, 0.8, r, k)
    n_eq = L.n_for_equivalence(0.7, 1.0, 0.8, RATE, K)
    assert n_eq == pytest.approx(566, abs=10)  # the referee's independent TOST formula: about 566
    # "the needed size is a fixed multiple of the number analysed": halving the analysed patients
    # (same published SE) halves the needed size
    k_half = L.calibrate_dispersion(LR.se, N_MSC // 2, N_PBO // 2, EST, RATE)
    n_half = L.n_to_exclude(0.7, 1.0, 0.8, RATE, k_half)
    assert n_half == pytest.approx(L.n_to_exclude(0.7, 1.0, 0.8, RATE, K) / 2, rel=0.05)


def test_null_rejection_a_little_above_nominal_and_simulated_power_a_little_higher():
    # "a little above the nominal 5%"; "the simulated power is a little higher than the analytic one"
    null = L.power_simulated(N_MSC, N_PBO, 1.0, RATE, K, n_trials=2000, seed=100)
    assert 0.05 < null.power < 0.09
    # "about ... standard errors above the nominal 5%: ... not only by chance"
    mcse = math.sqrt(null.power * (1 - null.power) / 2000)
    assert (null.power - 0.05) / mcse > 2
    sim = L.power_simulated(N_MSC, N_PBO, 0.7, RATE, K, n_trials=2000, seed=102)
    ana = L.power_analytic(N_MSC, N_PBO, 0.7, RATE, K)
    assert 0 < sim.power - ana.power < 0.08


def test_fast_estimator_against_the_standard_model():
    # "The point estimates agree; the robust interval is a little narrower than the model's; and the
    # overdispersion estimated from this one trial is far from the value it was simulated with"
    one = L.simulate_trial(N_MSC, N_PBO, ratio=0.7, rate=RATE, dispersion=K, seed=2021)
    fast = L.estimate_ratio(one["msc"], one["placebo"]).iloc[0]
    nb = L.fit_trial(one)
    assert round(fast["ratio"], 2) == round(nb["ratio"], 2)
    assert fast["upper"] / fast["lower"] < nb["upper"] / nb["lower"]
    assert abs(nb["alpha"] - K) > 0.5


def test_certainty_is_low_with_inconsistency_and_imprecision_each_rated_down_once():
    c = evidence.certainty_table().set_index("question_id").loc["ms_inflammation"]
    assert c["certainty"] == "low" and c["imprecision"] == -1 and c["inconsistency"] == -1
    assert c["finding"].startswith("Low certainty that")


def test_risk_of_bias_table_agrees_with_the_signalling_judgments():
    j = structured.judgments(["mesems2021_signalling"]).set_index("domain")["judgment"]
    rob = evidence.risk_of_bias()
    rob = rob[rob["study"] == "uccelli2021"].set_index("domain")["judgment"]
    assert rob.to_dict() == j.to_dict()
    assert j["Overall"] == "some concerns"


def test_missing_data_override_is_declared():
    # "On the book's answers ... the RoB 2 algorithm gives high; the book overrides this to some concerns"
    q = structured.questions("mesems2021_signalling").set_index("item")["answer"]
    algo = structured.rob2_missing_data(q["3.1"], q["3.2"], q["3.3"], q["3.4"])
    t = structured.signalling("mesems2021_signalling")
    row = t[(t["domain"] == "Missing outcome data") & (t["item"] == "judgment")].iloc[0]
    assert algo == "high" and row["answer"] == "some concerns"
    assert "override" in row["support"].lower()
    assert q["3.2"] in ("Y", "PY", "PN", "N", "NA")  # RoB 2 allows no NI for 3.2
    # every other RoB 2 domain judgment is not overridden silently: the certainty row says it
    c = data.load_table("certainty").set_index("question_id").loc["ms_inflammation"]
    assert "not fully assessed" in c["risk_of_bias_reason"] and "overrides" in c["risk_of_bias_reason"]


def test_certainty_without_the_override_would_be_very_low():
    # "If the override is wrong and risk of bias is rated down once, the certainty becomes very low"
    c = data.load_table("certainty").set_index("question_id").loc["ms_inflammation"]
    d = ["risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"]
    ch = [int(c[x]) - (1 if x == "risk_of_bias" else 0) for x in d]
    assert evidence.grade_level(c["start"], ch, int(c["upgrade"] or 0)) == "very low"


def test_mesems_is_the_largest_randomized_trial_found():
    # "larger than the other randomized trials ... that the book checked (144 against 54, 48, 34 and 9)"
    r = lambda q: data.value("ms_randomized_trials", q)  # noqa: E731
    sizes = [v("randomized"), r("harris2024_randomized"), r("petrou2020_randomized"), r("fernandez2018_randomized"),
             r("llufriu_randomized")]
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == len(sizes)
    # the review the summary cites counts more than one randomized trial
    assert data.value("ms_uncontrolled_results", "review_randomized") > 1
    # Llufriu: a trend, not significant
    assert r("llufriu_gel_msc_6m") < r("llufriu_gel_placebo_6m") and r("llufriu_gel_p") > 0.05
    # Harris 2024: "a null primary result": MSC-NPs no better than saline on EDSS Plus
    assert r("harris2024_edss_plus_msc_np") <= r("harris2024_edss_plus_saline")
    assert r("harris2024_msc_np") + r("harris2024_saline") == r("harris2024_randomized")
    # Fernández 2018: fewer infused than randomized
    assert r("fernandez2018_infused") < r("fernandez2018_randomized")


def test_pooled_lesion_evidence_claims():
    from appraisal.studies.mesems2021 import pooled_lesion_trials
    p = pooled_lesion_trials()
    harm = 1 / 0.7
    # "leans towards fewer lesions, though not as far as an appreciable (30%) reduction"
    assert 0.7 < p.ratio < 1
    # "includes an appreciable benefit ... and reaches an increase"; the finding: "from a substantial benefit to a modest increase"
    assert p.lower < 0.7 and 1 < p.upper < harm
    # "MESEMS's own interval ... and the random-effects interval also include an appreciable harm"
    assert HI > harm and p.upper_re > harm and p.lower_re < 0.7
    # "borderline: Q (p below 0.10) and I² above one half"
    assert 0.05 < p.q_p < 0.10 and p.i2 > 0.5
    # "the two intervals overlap"
    t = p.table
    assert t["upper"].iloc[1] > t["lower"].iloc[0]
    # "about a tenth of the weight" / "about nine tenths"
    assert 5 < t["weight_%"].iloc[1] < 15 and 85 < t["weight_%"].iloc[0] < 95
    # "several times smaller than the information size"
    n_pool = v("randomized") + data.value("ms_randomized_trials", "llufriu_randomized")
    assert L.n_to_exclude(0.7, 1.0, 0.8, RATE, K) / n_pool > 3
    # Llufriu's SE from the group intervals reproduces its published p
    from scipy import stats
    p_re = 2 * stats.norm.sf(abs(math.log(t["ratio"].iloc[1])) / t["se_log"].iloc[1])
    assert p_re == pytest.approx(data.value("ms_randomized_trials", "llufriu_gel_p"), abs=0.002)


def test_inconsistency_is_rated_down_once_and_the_random_effects_route_gives_the_same_level():
    """'rated down once ... left not rated down, the certainty would be moderate'; 'on it inconsistency would not be
    rated down and imprecision would be rated down twice: the level is low, the same'."""
    from appraisal.studies import mesems2021
    c = data.load_table("certainty").set_index("question_id").loc["ms_inflammation"]
    assert int(c["inconsistency"]) == -1 and c["inconsistency_reason"].startswith("Rated down once")
    assert "Llufriu" in c["inconsistency_reason"] and "Llufriu" in c["finding"]
    d = ["risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"]
    up = int(c["upgrade"] or 0)
    no_inc = [0 if x == "inconsistency" else int(c[x]) for x in d]
    assert evidence.grade_level(c["start"], no_inc, up) == "moderate"
    re = mesems2021.imprecision_ratings(RATE)["random effects"]["rating"]
    re_route = [0 if x == "inconsistency" else re if x == "imprecision" else int(c[x]) for x in d]
    assert evidence.grade_level(c["start"], re_route, up) == evidence.grade_level(c["start"], [int(c[x]) for x in d], up)


def _pct(series):
    t = series.table().set_index("category")["percent"]
    return {c: float(t[c]) for c in E.CATEGORIES}


def test_edss_null_scenarios_against_the_reported_counts():
    out = E.reported_outcomes()
    bon = out[out["study"].str.startswith("Bonab")].set_index("category")["percent"]
    kw = dict(n=2000, rater_sd=0.5, progression=0.1, years=1.0)
    half = _pct(E.simulate_series(**kw, seed=4))
    std = _pct(E.simulate_series(**kw, threshold="standard", seed=6))
    # "Under the standard threshold with no entry excess, untreated patients give a pattern close to the 2012 series"
    assert all(abs(std[c] - bon[c]) < 10 for c in E.CATEGORIES)
    # the standard threshold counts fewer patients as changed than the half-step rule
    assert std["improved"] < half["improved"] and std["worse"] < half["worse"]


def _grid():
    return E.null_grid((0.3, 0.5, 0.8), (0.0, 0.25, 0.5), E.THRESHOLDS, n=2000, progression=0.1, years=1.0, seed=10)


def test_review_improved_lies_inside_the_grid_range():
    # "untreated series give between ...% and ...% 'improved'. The review's ...% lies inside that range"
    out = E.reported_outcomes()
    rev = float(out[out["study"].str.startswith("Systematic")].set_index("category").loc["improved", "percent"])
    g = _grid()
    assert len(g) == 18
    assert g["improved"].min() < rev < g["improved"].max()
    # the range is wide: the reading cannot rest on one setting
    assert g["improved"].max() - g["improved"].min() > 30


def test_review_count_sampling_spread_is_wide():
    # "even read as a single sample of 103 ... a 95% interval of about 37% to 56%"
    from appraisal.recompute import proportion_ci
    lo, hi = proportion_ci(48, 103)
    assert 0.35 < lo < 0.40 and 0.54 < hi < 0.58
    assert hi - lo > 0.15


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
    # ms-ex-edss: "With no noise nobody improves"; "the 2012 share improved is no higher than what
    # untreated patients show under this setting" (rater SD 0.8)
    out = E.reported_outcomes()
    bon = float(out[(out["study"].str.startswith("Bonab")) & (out["category"] == "improved")]["percent"].iloc[0])
    quiet = E.simulate_series(n=2000, rater_sd=0.0, progression=0.1, years=1.0, seed=1)
    noisy = E.simulate_series(n=2000, rater_sd=0.8, progression=0.1, years=1.0, seed=1)
    assert quiet.counts["improved"] == 0
    assert 100 * noisy.counts["improved"] / 2000 > bon


def test_ms_imprecision_follows_the_books_one_rule_on_the_fixed_effect_interval():
    """The MS chapter: the rule applied to the fixed-effect interval (the model of the whole rating) gives once,
    which is the stored rating; on the random-effects interval twice, and with inconsistency then not rated down
    the level is the same."""
    from appraisal.studies import mesems2021

    r = mesems2021.imprecision_ratings(RATE)
    assert r["random effects"]["rating"] == -2 and r["fixed effect"]["rating"] == -1
    c = data.load_table("certainty").set_index("question_id").loc["ms_inflammation"]
    assert int(c["imprecision"]) == r["fixed effect"]["rating"]
    f = r["fixed effect"]
    assert f["includes_benefit"] and not f["includes_harm"] and f["below_ois"]  # "only the second holds"
    assert evidence.grade_level("high", [0, 0, 0, -2, 0], 0) == evidence.grade_level("high", [0, -1, 0, -1, 0], 0)


def test_the_two_pooling_models_point_differently():
    """'the fixed-effect estimate stays short of an appreciable reduction, while the random-effects estimate goes beyond it'."""
    from appraisal.studies.mesems2021 import pooled_lesion_trials
    p = pooled_lesion_trials()
    assert p.ratio > 0.7 > p.ratio_re
    assert p.lower_re < p.lower and p.upper_re > p.upper


def test_llufriu_estimate_is_a_first_period_comparison_unchanged_without_locf():
    """'compares the two randomized groups before the crossover' (5 against 4); 'without that imputation
    the means were ... a ratio of ... against ...' (the same ratio); both p above 0.05 (a trend)."""
    r = lambda q: data.value("ms_randomized_trials", q)  # noqa: E731
    assert r("llufriu_msc_first") + r("llufriu_placebo_first") == r("llufriu_randomized")
    main = r("llufriu_gel_msc_6m") / r("llufriu_gel_placebo_6m")
    no_locf = r("llufriu_gel_msc_6m_nolocf") / r("llufriu_gel_placebo_6m_nolocf")
    assert round(main, 2) == round(no_locf, 2)  # "the ratio of the means ... is the same in both analyses"
    assert r("llufriu_gel_p") > 0.05 and r("llufriu_gel_p_nolocf") > 0.05
    # the pooled Llufriu ratio is the ratio of the two (model-adjusted) means of the main analysis
    from appraisal.studies.mesems2021 import pooled_lesion_trials
    assert pooled_lesion_trials().table["ratio"].iloc[1] == pytest.approx(main, rel=1e-12)


def test_takeaway_reason_for_imprecision_once():
    """Takeaways: 'rated down once for imprecision (the interval reaches an appreciable benefit, not an appreciable
    harm ...)'; 'On the random-effects interval, which ... like MESEMS's own, reaches both ... imprecision would be
    rated down twice'; 'Its estimate ... points to an appreciable reduction'."""
    from appraisal.studies import mesems2021
    p = mesems2021.pooled_lesion_trials()
    harm = 1 / 0.7
    assert LO < 0.7 and HI > harm and p.lower_re < 0.7 and p.upper_re > harm
    assert p.lower < 0.7 and p.upper < harm
    r = mesems2021.imprecision_ratings(RATE)
    assert r["MESEMS alone"]["rating"] == -2 and r["fixed effect"]["rating"] == -1 and r["random effects"]["rating"] == -2
    assert p.ratio_re < 0.7 < p.ratio


def test_null_rejection_count_and_share_agree():
    """'reject in 127 of 2000 cases, a share of 0.0635 (the table rounds it to three decimals)'."""
    null = L.power_simulated(N_MSC, N_PBO, 1.0, RATE, K, n_trials=2000, seed=100)
    k = round(2000 * null.power)
    assert k == pytest.approx(2000 * null.power, abs=1e-9)


def test_petrou2020_primary_endpoint_favours_both_msc_arms():
    """Referee 8 M1: 'both MSC arms did clearly better than sham: 6.7% (2 of 30) intrathecally and 9.7% (3 of 31)
    intravenously, against 41.9% (13 of 31) on sham (p = 0.0003 and 0.0008)'; the counts are treatment cycles."""
    r = lambda q: data.value("ms_randomized_trials", q)  # noqa: E731
    pct = {a: 100 * r(f"petrou2020_fail_{a}_k") / r(f"petrou2020_fail_{a}_n") for a in ("it", "iv", "sham")}
    assert round(pct["it"], 1) == 6.7 and round(pct["iv"], 1) == 9.7 and round(pct["sham"], 1) == 41.9
    assert pct["it"] < pct["sham"] and pct["iv"] < pct["sham"]
    assert r("petrou2020_fail_p_it") < 0.05 and r("petrou2020_fail_p_iv") < 0.05
    # pooled over both cycles: the denominators add up to more than the 48 patients randomized
    total = sum(r(f"petrou2020_fail_{a}_n") for a in ("it", "iv", "sham"))
    assert total > r("petrou2020_randomized")
    # an exact test on the printed counts agrees that the intravenous arm differs from sham
    from scipy import stats
    p = stats.fisher_exact([[3, 28], [13, 18]])[1]
    assert p < 0.01


def test_cited_review_contradiction_is_recorded():
    """The contradictions table records that the summary cites the review for the opposite of its reading."""
    con = structured.contradictions("mesems2021_contradictions")
    row = con[con["topic"] == "what the cited review concludes"]
    assert len(row) == 1 and "growing evidence supporting" in row["statement_b"].iloc[0]


def test_petrou2020_is_the_strongest_signal_of_the_four_smaller_trials():
    """'the strongest randomized signal in favour of MSCs that the summary leaves out (its p-values are the smallest of
    the four trials)': smaller than Llufriu's trend; Fernández (inconclusive) and Harris (no difference) give none."""
    r = lambda q: data.value("ms_randomized_trials", q)  # noqa: E731
    assert max(r("petrou2020_fail_p_it"), r("petrou2020_fail_p_iv")) < r("llufriu_gel_p")
    assert r("harris2024_edss_plus_msc_np") <= r("harris2024_edss_plus_saline")  # no benefit on its primary outcome
