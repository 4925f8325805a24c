"""Every comparison the prose of chapters/synthesis.ipynb makes, asserted against computed quantities.

If a data table changes so that a sentence of the chapter would become false (an interval that is
"wider" turns narrower, a size that is "hundreds" becomes thousands), the matching test fails.
Tolerances are stated where a number is pinned.
"""

from __future__ import annotations

import math

import pytest

from appraisal import data, evidence, recompute, sample_size


@pytest.fixture(scope="module")
def results():
    return evidence.study_results().set_index("study")


@pytest.fixture(scope="module")
def widths():
    return evidence.interval_widths(evidence.study_results()).set_index("study")


# ------------------------------------------------------------------ "What does each study show, side by side?"

def test_counts_in_the_opening_paragraph(results):
    # "Of the 5 studies, 2 are randomized, and only one of those is in ALS"
    assert len(results) == 5 and results["randomized"].sum() == 2
    assert ((results["disease"] == "ALS") & results["randomized"]).sum() == 1


def test_se_of_log_ratio_pinned(widths):
    """SE = (ln upper − ln lower) / (2 · 1.959964), to 1e-3 (the chapter prints three decimals)."""
    assert widths.loc["barczewska2020", "se_log"] == pytest.approx(math.log(0.59 / 0.16) / (2 * 1.959964), abs=1e-7)
    assert widths.loc["barczewska2020", "se_log"] == pytest.approx(0.333, abs=1e-3)
    assert widths.loc["uccelli2021", "se_log"] == pytest.approx(0.242, abs=1e-3)
    assert widths.loc["cudkowicz2022", "se_log"] == pytest.approx(0.378, abs=1e-3)
    assert widths.loc["uccelli2021", "se_log"] == recompute.se_from_ci(0.58, 1.50, log=True)


def test_hr_interval_is_wider_than_mesems_on_the_log_scale(widths):
    # "its SE is 0.333, about 1.4 times that of MESEMS" — the referee's finding, the right way round
    assert widths.loc["barczewska2020", "se_log"] > widths.loc["uccelli2021", "se_log"]
    assert widths.loc["barczewska2020", "se_log"] / widths.loc["uccelli2021", "se_log"] == pytest.approx(1.4, abs=0.05)


def test_hr_interval_looks_narrower_on_the_natural_scale(widths):
    # "looks narrower when its limits are subtracted (0.43 against 0.92)"
    assert widths.loc["barczewska2020", "natural_width"] < widths.loc["uccelli2021", "natural_width"]


def _counts_se():
    from appraisal.studies import debamestrocel

    row = debamestrocel.whole_trial().iloc[0]  # 31/95 vs 26/94, the rebuilt counts
    return recompute.se_from_ci(row["lower"], row["upper"], log=True)


def test_mesems_narrowest_debamestrocel_widest_from_p(widths):
    # "Recovered from the published odds ratio and its p-value ... the widest of the three"
    order = list(widths.index)  # interval_widths sorts narrowest first
    assert order == ["uccelli2021", "barczewska2020", "cudkowicz2022"]


def test_debamestrocel_from_counts_lies_between(widths):
    # "Rebuilt from the counts ... between the other two"; "MESEMS is the narrowest" under both (referee M3)
    se = _counts_se()
    assert se == pytest.approx(0.318, abs=1e-3)
    assert widths.loc["uccelli2021", "se_log"] < se < widths.loc["barczewska2020", "se_log"]
    assert se < widths.loc["cudkowicz2022", "se_log"]  # the two versions differ: the ranking depends on it


def test_optimal_information_size_not_met():
    # "needs about N patients per arm, against the 95 per arm the trial treated"
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    p0 = 26 / 94
    n = NormalIndPower().solve_power(proportion_effectsize(p0 + 0.10, p0), power=0.8, alpha=0.05)
    assert n > 3 * 95  # "several times smaller" (certainty.csv reason)


def _imprecision():
    """The chapter's computation: ALS function (both intervals) and MS, by evidence.imprecision_rating."""
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    from appraisal import equivalence as eq
    from appraisal.simulate import lesions as L
    from appraisal.studies import debamestrocel

    counts = debamestrocel.whole_trial().iloc[0]
    p0 = counts["k2"] / counts["n2"]
    ois = math.ceil(NormalIndPower().solve_power(proportion_effectsize(p0 + 0.10, p0), power=0.8, alpha=0.05))
    n = int(max(counts["n1"], counts["n2"]))
    res = evidence.study_results().set_index("study").loc["cudkowicz2022"]
    als = {name: evidence.imprecision_rating(lo, hi, n=n, ois=ois, benefit="above", control_risk=p0, difference=0.10)
           for name, (lo, hi) in {"p": (res["lower"], res["upper"]), "counts": (counts["lower"], counts["upper"])}.items()}
    from appraisal.studies import mesems2021
    v = lambda q: float(data.value("mesems2021_results", q))  # noqa: E731
    n1, n2 = int(v("msc_first")), int(v("placebo_first"))
    k = L.calibrate_dispersion(eq.log_ratio(v("rate_ratio"), v("rate_ratio_lower"), v("rate_ratio_upper")).se, n1, n2,
                               ratio=v("rate_ratio"), rate=3.0)
    pool = mesems2021.pooled_lesion_trials()
    n_pool = n1 + n2 + int(data.value("ms_randomized_trials", "llufriu_randomized"))
    # the MS rating's one model: the fixed-effect pool of MESEMS and Llufriu 2014
    ms = evidence.imprecision_rating(pool.lower, pool.upper, n=n_pool,
                                     ois=L.n_to_exclude(0.7, 1.0, 0.8, 3.0, k), benefit="below", ratio_threshold=0.7)
    return als, ms


def test_one_imprecision_rule_computed_for_both_randomized_questions():
    # referee M2: the ALS interval reaches an appreciable benefit but not an appreciable harm -> -1, under both intervals
    als, ms = _imprecision()
    raw = data.load_table("certainty").set_index("question_id")
    for r in als.values():
        assert r["harm_bound"] == pytest.approx(0.561, abs=1e-3) and r["benefit_bound"] == pytest.approx(1.580, abs=1e-3)
        assert r["lower"] > r["harm_bound"]  # "reaches the benefit threshold but not the harm threshold"
        assert r["upper"] > r["benefit_bound"]
        assert r["includes_benefit"] and not r["includes_harm"] and r["below_ois"] and r["rating"] == -1
        assert r["n"] * 3 < r["ois"]  # "several times smaller" (certainty.csv reason)
    assert int(raw.loc["als_function", "imprecision"]) == als["p"]["rating"]  # stored rating = computed rating
    # the MS question by the same function on the fixed-effect pool: benefit reached, harm not, below its information
    # size -> -1 (its row)
    assert ms["includes_benefit"] and not ms["includes_harm"] and ms["below_ois"] and ms["rating"] == -1
    assert int(raw.loc["ms_inflammation", "imprecision"]) == ms["rating"]
    # the reason's "10 percentage points" is the difference the chapter uses
    assert "10 percentage points" in raw.loc["als_function", "imprecision_reason"]


def test_als_function_rests_on_the_randomized_trial_only():
    # referee M3: the studies column lists only the trial, so worst RoB ("high") agrees with risk of bias −1
    c = evidence.certainty_table().set_index("question_id")
    assert c.loc["als_function", "studies"] == ["cudkowicz2022"]
    assert c.loc["als_function", "worst_overall_rob"] == "high" and c.loc["als_function", "risk_of_bias"] == -1
    assert c.loc["als_function", "certainty"] == "very low"  # "Final level stays very low"


def test_critical_risk_studies_leave_survival_and_biomarkers_without_usable_evidence():
    # "Done strictly, that would leave survival and the biomarkers with no usable evidence at all"
    c = evidence.certainty_table().set_index("question_id")
    empty = [q for q, r in c.iterrows() if r["studies"] and not r["without_critical"]]
    assert empty == ["als_survival", "als_biomarkers"]
    for q in empty:
        assert c.loc[q, "worst_overall_rob"] == "critical"


def test_very_low_rows_state_no_direction():
    # referee M4: "the evidence is very uncertain about …; the estimate points to …"
    c = evidence.certainty_table().set_index("question_id")
    for q, r in c[c["certainty"] == "very low"].iterrows():
        assert r["statement"].startswith("Very low certainty: the evidence is very uncertain about"), q
        assert "points to" in r["statement"] and r["reads_as"].startswith("very uncertain"), q
        assert " that MSCs" not in r["statement"] and "prolong survival in ALS," not in r["statement"], q


def test_immortal_window_is_computed_from_the_schedule():
    # "a guaranteed survival window from enrolment to the third injection, at least N months"
    v = lambda q: data.value("barczewska2020_results", q)  # noqa: E731
    assert (v("injections") - 1) * v("injection_interval_months") == 4
    # "the week-28 change is analysed in 116 patients, against 145 in the responder analysis"
    from appraisal.studies import debamestrocel
    row = debamestrocel.threshold_analyses().set_index("baseline_min").loc[26]
    assert row["n_change"] < row["n_responder"]


def _counts_lohi():
    from appraisal.studies import debamestrocel

    row = debamestrocel.whole_trial().iloc[0]
    return row["lower"], row["upper"]


def test_only_the_non_randomized_study_lies_far_from_1(results):
    # figure title; "The randomized trials found no clear effect"
    ratios = results[results["effect_measure"].str.endswith("ratio") & results["lower"].notna()]
    excludes_1 = ratios[(ratios["upper"] < 1) | (ratios["lower"] > 1)]
    assert list(excludes_1.index) == ["barczewska2020"]
    assert not results.loc["barczewska2020", "randomized"]
    rand = ratios[ratios["randomized"]]
    assert ((rand["lower"] < 1) & (rand["upper"] > 1)).all()


def test_matched_comparison_has_the_largest_effect(results):
    ratios = results[results["effect_measure"].str.endswith("ratio")]
    size = ratios["estimate"].map(lambda x: abs(math.log(x)))
    assert size.idxmax() == "barczewska2020"


# ------------------------------------------------------------------ "How sure can we be, question by question?"

def test_certainty_wording_follows_the_table():
    """The chapter glues each statement; it must start with the computed level (MS row included)."""
    c = evidence.certainty_table().set_index("question_id")
    for q, r in c.iterrows():
        assert r["statement"].lower().startswith(r["certainty"]), q
    # "rated down for inconsistency and imprecision (<changes_ms>)": those two domains and no other
    assert c.loc["ms_inflammation", "changes"] == "inconsistency −1; imprecision −1"
    assert c.loc["ms_inflammation", "direction"] == "little or no effect"
    # "the estimate points to a benefit", at the lowest level there is
    assert c.loc["als_survival", "direction"] == "benefit" and c.loc["als_survival", "certainty"] == "very low"


# ------------------------------------------------------------------ "What would a decisive ALS trial need?"

@pytest.fixture(scope="module")
def sd_table():
    sds = sample_size.slope_sds()
    return sds.assign(total=sample_size.size_over_sd(sds["sd"])["total"].to_numpy()).set_index("key")


def test_trial_population_sds_are_smaller_than_the_proact_spread(sd_table):
    proact = sd_table.loc["proact_pooled", "sd"]
    others = sd_table.drop(index="proact_pooled")
    assert (others["sd"] < proact).all()
    # "The slopes observed over a 24-week trial lie between" the true SD and the PRO-ACT spread
    assert sd_table.loc["vaneijk_all", "sd"] < sd_table.loc["centaur_active", "sd"] < proact
    # "Slopes before enrolment ... are tighter still"
    assert sd_table.loc[["centaur_pre", "proact_matched_pre"], "sd"].max() < sd_table.loc["vaneijk_all", "sd"]
    # "The SD of the change in slope ... is larger again"
    assert sd_table.loc["oh2018_change", "sd"] > sd_table.loc["centaur_active", "sd"]


def test_hundreds_at_trial_population_sds_thousands_only_at_proact(sd_table):
    trial_pop = sd_table[sd_table["kind"].isin(["true between-patient", "observed on-trial slope"])]
    assert trial_pop["total"].between(100, 999).all()
    assert sd_table.loc["proact_pooled", "total"] >= 2000  # "thousands"
    assert (sd_table.drop(index="proact_pooled")["total"] < 2000).all()  # "only at the noisy PRO-ACT spread"
    assert 100 <= sample_size.patients_per_arm(sd_slope=1.0).total < 1000  # "an SD of 1 ... hundreds"


def test_recent_trials_against_the_range(sd_table):
    trial_pop = sd_table[sd_table["kind"].isin(["true between-patient", "observed on-trial slope"])]
    lo, hi = trial_pop["total"].min(), trial_pop["total"].max()
    n = data.load_table("als_trial_sizes").set_index("trial")["n"]
    assert lo <= n["PHOENIX"] <= hi  # "PHOENIX enrolled 664, inside that range"
    assert n["VALOR"] < lo and n["CENTAUR"] < lo  # "smaller than its lower end"
    assert sample_size.sd_for_total(n["PHOENIX"]) == pytest.approx(1.05, abs=0.005)


def test_every_book_study_is_smaller_than_the_smallest_trial_population_size(results, sd_table):
    trial_pop = sd_table[sd_table["kind"].isin(["true between-patient", "observed on-trial slope"])]
    assert results["n"].max() < trial_pop["total"].min()


def test_exercise_plan_exceeds_debamestrocel_and_is_close_to_phoenix(results):
    plan = sample_size.patients_per_arm(sd_slope=1.0, slowing=0.3, dropout=0.25, power=0.9)
    assert plan.total > 3 * results.loc["cudkowicz2022", "n"]  # "several times"
    phoenix = data.load_table("als_trial_sizes").set_index("trial").loc["PHOENIX", "n"]
    assert abs(plan.total - phoenix) / phoenix < 0.15  # "close to PHOENIX's"
    # the exercise calls SD 1.0 "in the range reported for trial populations"
    sds = sample_size.slope_sds().set_index("key")["sd"]
    assert sds["vaneijk_all"] <= 1.0 <= sds["centaur_active"]


# ------------------------------------------------------------------ "Beyond the five sources"

def test_no_completed_phase_3_msc_trial_in_als_met_its_primary_endpoint():
    msc = data.load_table("als_msc_trials")
    done = msc[(msc["phase"] == 3) & (msc["n_meaning"] != "planned")]
    assert len(done) == 2
    assert done["primary_result"].str.contains("not met").all()


def test_the_one_favourable_randomized_msc_trial_was_open_label():
    msc = data.load_table("als_msc_trials")
    done = msc[msc["n_meaning"] != "planned"]
    favourable = done[~done["primary_result"].str.contains("not met|similar")]
    assert list(favourable["trial"]) == ["lenzumestrocel phase 2 (NCT01363401)"]
    assert "open-label" in favourable["design"].iloc[0] and "no sham" in favourable["design"].iloc[0]
    # "The book's five sources contain one randomized MSC trial in ALS. At least four more ..."
    assert int(msc["in_book"].sum()) == 1 and int((~msc["in_book"]).sum()) >= 4


def test_first_fda_approved_msc_product_is_not_for_als():
    appr = data.load_table("als_approvals")
    ryoncil = appr[appr["brand"] == "Ryoncil"].iloc[0]
    assert ryoncil["jurisdiction"] == "United States" and "not ALS" in ryoncil["population"]
    korea = appr[appr["brand"] == "Neuronata-R"].iloc[0]
    assert korea["jurisdiction"] == "South Korea" and korea["event"] == "conditional approval"
    assert korea["population"] == "ALS"


def test_ms_imprecision_twice_on_mesems_alone_and_on_the_random_effects_pool():
    """Synthesis prose: 'On MESEMS alone, or on the random-effects interval ..., the rule gives twice: the level is
    the same'; the fixed-effect interval, the one rated, gives once."""
    from appraisal.studies import mesems2021

    r = {k: v["rating"] for k, v in mesems2021.imprecision_ratings().items()}
    assert r["random effects"] == r["MESEMS alone"] == -2
    assert r["fixed effect"] == -1
    row = data.load_table("certainty").set_index("question_id").loc["ms_inflammation"]
    stored = [int(row[d]) for d in ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")]
    other = [stored[0], 0, stored[2], -2, stored[4]]
    assert evidence.grade_level("high", stored, 0) == evidence.grade_level("high", other, 0)


def test_alsummit_table_and_text_agree_on_the_subgroup():
    """Referee4 m-b: the table, like the text, says the sponsor called the subgroup both post hoc and pre-defined."""
    msc = data.load_table("als_msc_trials").set_index("trial")
    row = msc.loc["ALSUMMIT (phase 3, NCT04745299)"]
    assert "post hoc then pre-defined" in row["primary_result"]
    assert "29 May and 4 June 2025" in row["location"]
    assert "only in post-hoc" not in row["primary_result"]
    assert "corestem2025b" in row["sources"].split(";")


def test_exercise_grade_rejudged_inconsistency_raises_the_certainty():
    """Ex. 'syn-ex-grade': with imprecision gone, inconsistency as it stands (rated down once) gives one level; no
    longer rated down, the level above it (the solution names both)."""
    levels = ["very low", "low", "moderate", "high"]
    row = evidence.certainty_table().set_index("question_id").loc["ms_inflammation"]
    assert int(row["inconsistency"]) == -1  # the solution's "it is rated down once now"
    base = [row["risk_of_bias"], row["inconsistency"], row["indirectness"], 0, row["publication_bias"]]
    rejudged = [row["risk_of_bias"], 0, row["indirectness"], 0, row["publication_bias"]]
    a, b = evidence.grade_level("high", base, 0), evidence.grade_level("high", rejudged, 0)
    assert levels.index(b) == levels.index(a) + 1
