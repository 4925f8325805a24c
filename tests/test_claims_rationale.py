"""Every comparison the prose of chapters/rationale_dfpp.ipynb makes, asserted against computed quantities.

A change in data/ that would make a sentence of the chapter false makes the matching test fail.
Tolerances are stated where a number is pinned.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from appraisal import data, structured
from appraisal import ppv as P
from appraisal import twobytwo as T
from appraisal.studies import debamestrocel, rationale

R = "debamestrocel_results"


# ------------------------------------------------------------------ the source in brief / regulatory status

def test_more_approved_drugs_now_than_the_sources_two():
    # "As of December 2026, 3 treatments hold a US approval for ALS" against the 2021 summary's "two"
    approved = rationale.approved_in("United States")
    assert approved == ["riluzole", "edaravone", "tofersen"]
    assert len(approved) > 2


def test_amx0035_withdrawal_comes_after_approval_and_approval_withdrawal_after_market_withdrawal():
    a = data.load_table("als_approvals")
    relyvrio = a[a["brand"] == "Relyvrio"].set_index("event")["date"]
    assert relyvrio["approved"] < relyvrio["withdrawn from the market"] < relyvrio["approval withdrawn"]
    assert relyvrio["approval withdrawn"].startswith("2025")
    tofersen = a[a["brand"] == "Qalsody"].iloc[0]
    assert tofersen["event"] == "accelerated approval" and tofersen["date"].startswith("2023-04")


def test_first_fda_msc_approval_is_not_for_als_and_korea_is_conditional():
    a = data.load_table("als_approvals")
    assert not a.loc[a["brand"] == "Ryoncil", "population"].iloc[0].startswith("ALS")
    assert rationale.approved_in("South Korea") == ["lenzumestrocel (autologous bone-marrow MSCs)"]
    assert "United States" in set(a["jurisdiction"]) and "lenzumestrocel" not in " ".join(rationale.approved_in())


# ------------------------------------------------------------------ claims ladder

def test_no_randomized_claim_comes_out_clearly_in_favour():
    """Referee 8 M1: 'none of those came out clearly in favour ... the one about tolerability is clouded' by 10 against
    3 deaths; 'not significant, and too few deaths to tell chance from harm'."""
    cl = rationale.load_claims()
    rct = cl[cl["level"] == "randomized trial"]
    assert not (rct["result"] == "supports").any()
    c2 = cl.set_index("claim_id").loc["C2"]
    assert c2["level"] == "randomized trial" and c2["result"] == "unclear" and "deaths" in c2["best_evidence"]
    d = debamestrocel.deaths()
    assert d.k1 > d.k2 and d.p_fisher > 0.05  # more deaths on debamestrocel, not significant
    assert (d.n1, d.n2) == (95, 94)
    # "the two that matter most for the combination (claims C9 and C10)" are untested
    assert set(cl.loc[cl["result"] == "not tested", "claim_id"]) >= {"C9", "C10"}


# ------------------------------------------------------------------ the debamestrocel phase 3

def test_only_one_count_fits_each_printed_percentage():
    n1, n2 = int(data.value(R, "n_msc")), int(data.value(R, "n_placebo"))
    assert T.counts_for_percentage(data.printed(R, "responders_msc_pct"), n1) == [31]
    assert T.counts_for_percentage(data.printed(R, "responders_placebo_pct"), n2) == [26]


def test_interval_runs_from_a_third_lower_odds_to_more_than_double():
    pub = debamestrocel.whole_trial().iloc[0]
    assert 0.6 < pub.lower < 0.72  # "a one-third lower odds" (to within a few points)
    assert pub.upper > 2.0
    assert pub.lower < 1 < pub.upper


def test_published_or_differs_from_unadjusted_but_p_is_close():
    pub = debamestrocel.whole_trial().iloc[0]
    or_pub, p_pub = data.value(R, "odds_ratio"), data.value(R, "odds_ratio_p")
    assert abs(or_pub - pub.odds_ratio) > 0.05  # more than the printed rounding (0.005)
    assert abs(p_pub - pub.p_wald) < 0.01  # "close to our unadjusted one"


def test_press_release_p_and_counts_do_not_fit_together():
    press = debamestrocel.whole_trial().iloc[1]
    p_press = data.value(R, "press_responders_p")
    assert abs(p_press - data.value(R, "odds_ratio_p")) < 0.01  # "almost the same p"
    assert abs(press.p_wald - p_press) > 0.1  # the press-release counts give a different p
    assert press.k1 != debamestrocel.whole_trial().iloc[0].k1


def test_forest_every_interval_includes_1_and_the_subgroup_is_widest_on_the_log_scale():
    rows = debamestrocel.forest_rows().dropna(subset=["lower"])
    assert ((rows["lower"] < 1) & (rows["upper"] > 1)).all()
    log_width = np.log(rows["upper"]) - np.log(rows["lower"])
    assert rows.loc[log_width.idxmax(), "label"].startswith("subgroup")


def test_subgroup_not_significant_by_any_analysis():
    w_press, s_press = debamestrocel.press_tables()
    assert s_press.p_fisher > 0.05 and data.value(R, "subgroup_odds_ratio_p") > 0.05
    assert s_press.lower < 1
    inter = T.interaction_test(s_press, debamestrocel.complement())
    assert inter.p > 0.05 and inter.lower < 1


def test_trial_powered_for_a_larger_effect_than_seen():
    pw = debamestrocel.power_summary()
    design, gain_seen, mid, sub = pw["power"]
    # "the same gain over the placebo rate actually seen still has 82% power": not underpowered for it
    assert design > 0.8 and gain_seen > 0.8 and gain_seen < design
    # "for ... 10 percentage points the power is only 31%, and in the subgroup even the design's gain has 42%"
    assert mid < 0.5 and sub < 0.5 and mid < sub < gain_seen
    assert data.value(R, "responders_placebo_pct") > data.value(R, "press_assumed_placebo_pct")  # "did much better"


def test_structured_appraisal_wording():
    sj = structured.judgments(["debamestrocel"]).set_index("domain")["judgment"]
    assert sj["Overall"] == "high"  # "the overall judgment is high"
    assert sj["Missing outcome data"] == "high"  # "the RoB 2 algorithm gives high"
    assert sj["Randomization process"] == "some concerns"  # "that alone gives some concerns"
    q = structured.questions("debamestrocel").set_index("item")["answer"]
    assert q["1.2"] == "NI" and q["3.4"] == "NI"  # the two open points the text names
    assert (q["3.1"], q["3.2"], q["3.3"]) == ("PN", "PN", "PY")
    assert len(structured.contradictions("debamestrocel")) == 3  # "in three places"


# ------------------------------------------------------------------ how much should one study move us?

def test_ppv_example_and_exercise():
    assert P.ppv(0.1, 0.8, 0.05, 0.0) > P.ppv(0.1, 0.8, 0.05, 0.3)
    assert P.ppv(0.10, 0.8, 0.05, 0.0) == pytest.approx(2 / 3, abs=0.05)  # "about two-thirds"
    from scipy.optimize import brentq

    u_half = brentq(lambda u: P.ppv(0.10, 0.8, 0.05, u) - 0.5, 0.0, 0.5)
    assert u_half < 0.05  # "below a few percent"


def test_headline_lessons():
    hl = rationale.apply_ppv([0.05, 0.2, 0.5]).set_index("source")
    # the external-control survival result lifts a 5% prior "only" a little
    assert hl.loc["barczewska2020", "prior 0.05"] < 0.1
    # "a large negative randomized trial moves us a lot": from 50% to well under 50%
    assert hl.loc["cudkowicz2022", "prior 0.5"] < 0.15


def test_five_subgroups_above_one_in_five():
    assert 1 - 0.95**5 > 0.2 and 1 - 0.95**3 < 0.2


def test_advisory_committee_voted_overwhelmingly_no():
    no, yes = data.value("debamestrocel_adcomm", "votes_no"), data.value("debamestrocel_adcomm", "votes_yes")
    assert no > 10 * yes
    assert math.isclose(no + yes + data.value("debamestrocel_adcomm", "votes_abstain"), 19)


def test_phase_2_is_the_other_randomized_placebo_study():
    # "The commentary speaks of randomized placebo-controlled studies in the plural"
    msc = data.load_table("als_msc_trials").set_index("trial")
    ph2 = msc.loc["NurOwn phase 2"]
    assert ph2["comparator"] == "placebo" and "randomized" in ph2["design"] and "similar" in ph2["primary_result"]


def test_erratum_subgroup_result_is_borderline_and_secondary():
    # "with p = 0.050 ... at the edge of the 0.05 threshold"; the primary result stayed null
    assert data.value(R, "erratum_subgroup_change_p") == pytest.approx(0.05, abs=1e-9)
    assert data.value(R, "odds_ratio_p") > 0.05
    c = structured.contradictions("debamestrocel")
    assert c["topic"].str.contains("subgroup analyses of the secondary endpoint").any()


def test_missing_outcome_answers_rest_on_the_registry_and_table_4():
    # 196 randomized, 7 not treated; 116 of 145 with a week-28 change ("about a fifth" without one)
    assert data.value(R, "n_randomized") - data.value(R, "n_not_treated_msc") - data.value(R, "n_not_treated_placebo") \
        == data.value(R, "n_treated_total")
    row = debamestrocel.threshold_analyses().set_index("baseline_min").loc[26]
    share = 1 - row["n_change"] / row["n_responder"]
    assert 0.15 < share < 0.25


def test_ladder_title_is_true_of_every_randomized_trial_shown():
    # referee M5: "the blinded randomized MSC trials shown here did not show efficacy on their primary endpoints";
    # the randomized rung holds only blinded trials, and none of its efficacy claims is supported
    cl = rationale.load_claims()
    rct = cl[cl["level"] == "randomized trial"]
    efficacy = rct[rct["claim_id"] != "C2"]  # C2 is about tolerability
    assert not efficacy["result"].str.startswith("supports").any()
    msc = data.load_table("als_msc_trials").set_index("trial")
    assert "double-blind" in msc.loc["NurOwn phase 3", "design"]
    # the one favourable randomized MSC trial (lenzumestrocel phase 2) is open-label and not on the ladder
    assert "open-label" in msc.loc["lenzumestrocel phase 2 (NCT01363401)", "design"]
    assert not cl["best_evidence"].str.contains("lenzumestrocel phase 2").any()
    # referee m7: ROBINS-I vocabulary for the externally controlled comparison
    assert cl.set_index("claim_id").loc["C4", "result"] == "supports (critical risk of bias)"
    overall = structured.judgments(["barczewska2020_signalling"]).set_index("domain")["judgment"]
    assert overall["Overall"] == "critical"


def test_assumed_bias_cancels_for_a_non_significant_result():
    # referee m3: "for a non-significant result u cancels in this model"
    from appraisal.ppv import probability_true_if_not_significant

    for prior in (0.05, 0.2, 0.5):
        for u in (0.0, 0.3, 0.6):
            beta, alpha = 1 - 0.9, 0.05
            ioannidis = prior * (1 - u) * beta / (prior * (1 - u) * beta + (1 - prior) * (1 - u) * (1 - alpha))
            assert ioannidis == pytest.approx(probability_true_if_not_significant(prior, 0.9, alpha), rel=1e-12)
    hl = rationale.apply_ppv([0.5]).set_index("source")
    assert hl.loc["cudkowicz2022", "significant"] in (False, "no")  # the trial's headline was not significant


def test_c5_says_no_clear_reduction_and_quotes_the_printed_interval():
    # referee4 m-g: "no clear reduction (rate ratio 0.94, 0.58-1.50)": a point estimate below 1 with an interval
    # that includes 1, so "no reduction" would overstate and "no clear reduction" is right
    cl = rationale.load_claims().set_index("claim_id")
    c5 = cl.loc["C5", "best_evidence"]
    rr, lo, hi = (data.value("mesems2021_results", q) for q in ("rate_ratio", "rate_ratio_lower", "rate_ratio_upper"))
    assert "no clear reduction" in c5
    assert lo < 1 < hi and rr < 1
    for q in ("rate_ratio", "rate_ratio_lower", "rate_ratio_upper"):
        assert data.printed("mesems2021_results", q) in c5
    # every placeholder was filled
    assert not cl["best_evidence"].str.contains(r"\{", regex=True).any()


def test_claims_placeholder_names_an_unknown_quantity():
    with pytest.raises(ValueError, match="no_such_quantity"):
        rationale._fill_numbers("rate ratio {mesems2021_results.no_such_quantity}")


def test_negative_trial_moves_less_for_a_smaller_important_effect():
    from appraisal import ppv as P
    pw = debamestrocel.power_summary()["power"]
    design = P.probability_true_if_not_significant(0.5, power=pw[0])
    mid = P.probability_true_if_not_significant(0.5, power=pw[2])
    # "moves only from 50% to about 42%" against "about 10%" for the design effect
    assert design < 0.15 < 0.35 < mid < 0.5
    # round 6: the design effect's posterior with the power over the placebo rate actually seen lies between the two
    seen = P.probability_true_if_not_significant(0.5, power=pw[1])
    assert design < seen < mid
    assert seen == pytest.approx(0.16, abs=0.01)  # "about 16%"


def test_table4_cutoffs_show_multiplicity_and_none_survives_holm():
    """Referee 8 M2: 'Of those 9 responder p-values, 3 are below 0.05 (the smallest 0.022), and so are 3 of the
    secondary endpoint's ... 10 looks at one endpoint: Holm's procedure would need the smallest p below 0.005, and it
    rejects 0 of them'; 'the responder analyses of the prespecified subgroup ... do not reach 0.05, while some of the
    post hoc cut-offs of point 3 do'."""
    s = debamestrocel.threshold_summary()
    assert s["n_cutoffs"] == 9 and s["n_family"] == 10
    assert s["n_responder_below"] == 3 and s["n_change_below"] == 3
    assert s["min_p_responder"] == pytest.approx(0.022)
    assert s["holm_first"] == pytest.approx(0.005) and s["n_holm"] == 0
    assert data.value(R, "subgroup_odds_ratio_p") > 0.05  # the prespecified subgroup does not reach 0.05
    t = debamestrocel.threshold_analyses()
    assert (t["n_change"] < t["n_responder"]).all()  # every cut-off misses some week-28 changes
    assert list(t["baseline_min"]) == list(range(26, 35))  # nested cut-offs, one point apart


def test_correction_turned_the_change_analyses_below_its_bound_where_table4_had_not():
    """'as first published' (3 of 9 change p-values below 0.05) against 'the corrected ones reach p <= 0.050 at every
    cut-off from at least 26 to at least 35': the correction's range covers every Table 4 cut-off and the prespecified
    subgroup."""
    t = debamestrocel.threshold_analyses()
    bound = data.value(R, "erratum_cutoffs_change_p_max")
    assert (t["p_change"] > bound).any()
    assert data.value(R, "erratum_cutoffs_min") == t["baseline_min"].min()
    assert data.value(R, "erratum_cutoffs_max") == data.value(R, "subgroup_alsfrs_min")
