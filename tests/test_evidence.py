"""The synthesis tables (evidence map, risk of bias, certainty) and what appraisal.evidence builds from them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from appraisal import data
from appraisal import evidence as E

# The five studies and the sizes the assignment names (read from the chapters' tables, pinned here).
SIZES = {"barczewska2020": 67, "petrou2021": 19, "uccelli2021": 144, "alkhazaali2024": 15, "cudkowicz2022": 189}


def test_every_referenced_quantity_exists():
    refs = E.referenced_quantities()
    assert len(refs) >= 5 * 2
    for _, r in refs.iterrows():
        data.printed(r["table"], r["quantity"])  # raises ValueError if the quantity is missing


def test_one_source_of_truth_for_the_numbers():
    """The map's numbers are the chapters' numbers, read, not copied."""
    res = E.study_results().set_index("study")
    assert res["n"].to_dict() == SIZES
    assert res.loc["uccelli2021", ["estimate", "lower", "upper", "p"]].tolist() == [
        data.value("mesems2021_results", q) for q in ("rate_ratio", "rate_ratio_lower", "rate_ratio_upper",
                                                      "rate_ratio_p")]
    assert res.loc["barczewska2020", ["estimate", "lower", "upper", "p"]].tolist() == [
        data.value("barczewska2020_results", q) for q in ("hr_death", "hr_death_lower", "hr_death_upper",
                                                          "hr_death_p")]
    assert res.loc["cudkowicz2022", "estimate"] == data.value("debamestrocel_results", "odds_ratio")
    assert res.loc["cudkowicz2022", "treated_pct"] == data.value("debamestrocel_results", "responders_msc_pct")


def test_published_values_appear_in_the_map():
    m = E.evidence_map().set_index("Study")
    mesems = m.filter(like="MESEMS", axis=0).iloc[0]
    assert "RR 0.94 (95% CI 0.58 to 1.50), p = 0.78" in mesems["Result"]
    barcz = m.filter(like="Barczewska", axis=0).iloc[0]
    assert "HR 0.30 (95% CI 0.16 to 0.59), p = 0.0004" in barcz["Result"]
    deb = m.filter(like="Debamestrocel", axis=0).iloc[0]
    assert deb["Result"].startswith("33% vs 28% responders; OR 1.33") and "derived from p" in deb["Result"]
    assert "1.25" in deb["Endpoint"] and "{" not in "".join(m.to_numpy().ravel().astype(str))


def test_interval_derived_from_p_matches_hand_computation():
    # Altman & Bland 2011: z = Φ⁻¹(1 − 0.45/2) = 0.7554, SE = ln 1.33 / z = 0.3775, limits 1.33·exp(∓1.96·SE)
    r = E.study_results().set_index("study").loc["cudkowicz2022"]
    assert r["interval"] == "derived from p"
    assert r["lower"] == pytest.approx(0.6346, abs=5e-4)
    assert r["upper"] == pytest.approx(2.7873, abs=5e-4)


def test_responder_proportion_uses_wilson_interval():
    # 15/19 with the Wilson interval: 0.568 to 0.915 (statsmodels proportion_confint, method='wilson')
    r = E.study_results().set_index("study").loc["petrou2021"]
    assert r["estimate"] == pytest.approx(15 / 19)
    assert (r["lower"], r["upper"]) == pytest.approx((0.5667, 0.9149), abs=5e-4)


def test_design_and_tool_agree():
    """Randomized trials are judged with RoB 2, the others with ROBINS-I (for every study appraised so far)."""
    m = data.load_table("evidence_map").set_index("study")["randomized"]
    rob = E.risk_of_bias()
    tools = rob.groupby("study")["tool"].first()
    assert set(tools.index) <= set(m.index)
    for study, tool in tools.items():
        assert tool == ("RoB 2" if m[study] else "ROBINS-I")


def test_every_study_of_the_evidence_map_is_appraised():
    """Fails until every chapter's signalling table is filled: the traffic light must cover all five studies."""
    assert E.unappraised_studies() == []
    assert set(E.risk_of_bias()["study"]) == set(SIZES)


def test_every_judgment_has_a_reason_and_questions_behind_it():
    rob = E.risk_of_bias()
    assert rob["reason"].str.len().min() > 20
    for study, g in rob.groupby("study"):
        tool = g["tool"].iloc[0]
        assert len(g) == len(E.ROB2_DOMAINS if tool == "RoB 2" else E.ROBINS_I_DOMAINS)
        assert (g.loc[g["domain"] != "Overall", "n_questions"] >= 1).all()


def test_judgments_are_read_from_the_signalling_tables():
    """risk_of_bias() is appraisal.structured.judgments() of the filled tables, checked: one origin."""
    from appraisal import structured

    filled = [t for t in structured.signalling_tables() if not data.load_table(t).empty]
    assert "debamestrocel_signalling" in filled
    direct = structured.judgments(filled)
    rob = E.risk_of_bias()
    key = ["study", "domain"]
    merged = rob.merge(direct, on=key, suffixes=("", "_direct"))
    assert len(merged) == len(rob) == len(direct)
    assert (merged["judgment"] == merged["judgment_direct"]).all()


def test_debamestrocel_judgments_pinned():
    """The book's RoB 2 judgments of the debamestrocel phase 3 (data/debamestrocel_signalling.csv)."""
    rob = E.risk_of_bias().set_index(["study", "domain"])["judgment"]
    assert rob.loc[("cudkowicz2022", "Randomization process")] == "some concerns"  # concealment: no information
    assert rob.loc[("cudkowicz2022", "Missing outcome data")] == "high"  # the RoB 2 algorithm (referee M1)
    assert rob.loc[("cudkowicz2022", "Measurement of the outcome")] == "low"
    assert rob.loc[("cudkowicz2022", "Overall")] == "high"


@pytest.mark.parametrize("answers, expected", [
    (("Y", "NA", "NA", "NA"), "low"), (("PN", "PY", "NA", "NA"), "low"), (("NI", "N", "PN", "NA"), "low"),
    (("NI", "PN", "PY", "PN"), "some concerns"), (("NI", "PN", "PY", "NI"), "high"), (("N", "N", "Y", "Y"), "high"),
])
def test_rob2_missing_data_algorithm(answers, expected):
    from appraisal import structured

    assert structured.rob2_missing_data(*answers) == expected


def test_rob2_missing_data_refuses_bad_answers():
    from appraisal import structured

    with pytest.raises(ValueError, match=r"a31=.* is not allowed"):
        structured.rob2_missing_data("maybe", "NA", "NA", "NA")
    with pytest.raises(ValueError, match=r"a32=.* is not allowed"):
        structured.rob2_missing_data("NI", "NI", "PY", "NI")  # 3.2 has no "no information" answer


def test_debamestrocel_missing_data_judgment_follows_the_algorithm():
    """The domain-3 judgment is the one the RoB 2 algorithm gives for its answers (no override)."""
    from appraisal import structured

    q = structured.questions("debamestrocel")
    a = q[q["domain"] == "Missing outcome data"].set_index("item")["answer"]
    rob = E.risk_of_bias().set_index(["study", "domain"])["judgment"]
    assert structured.rob2_missing_data(a["3.1"], a["3.2"], a["3.3"], a["3.4"]) == \
        rob.loc[("cudkowicz2022", "Missing outcome data")]


def test_traffic_light_draws_one_panel_per_tool():
    rob = E.risk_of_bias()
    fig = E.traffic_light(rob)
    assert len(fig.axes) == rob["tool"].nunique()
    plt.close(fig)


def test_traffic_light_keeps_colour_and_symbol():
    fig = E.traffic_light(E.risk_of_bias())
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert "!" in texts  # some concerns carries a symbol as well as a colour
    plt.close(fig)


def test_results_figure_draws_the_ratio_studies():
    ax = E.results_figure(E.study_results())
    assert len(ax.get_yticklabels()) == 3
    plt.close(ax.figure)


@pytest.mark.parametrize(
    "start, changes, upgrade, expected",
    [
        ("high", [0, 0, 0, 0, 0], 0, "high"),
        ("high", [0, 0, 0, -1, 0], 0, "moderate"),
        ("high", [0, 0, -1, -1, 0], 0, "low"),
        ("high", [-2, -1, 0, 0, 0], 0, "very low"),
        ("high", [-2, -2, -2, 0, 0], 0, "very low"),  # GRADE has no level below very low
        ("low", [0, 0, 0, 0, 0], 0, "low"),
        ("low", [0, 0, 0, 0, 0], 2, "high"),
        ("low", [-1, 0, 0, 0, 0], 0, "very low"),
        ("high", [0, 0, 0, 0, 0], 2, "high"),  # nothing above high
        ("no studies", [0, 0, 0, 0, 0], 0, "no evidence"),
    ],
)
def test_grade_level(start, changes, upgrade, expected):
    assert E.grade_level(start, changes, upgrade) == expected


@pytest.mark.parametrize(
    "args, pattern",
    [
        (("medium", [0]), r"start='medium' is not allowed: start must be one of 'high', 'low', 'no studies'"),
        (("high", [-3, 0, 0, 0, 0]), r"changes\[0\]=-3 is not allowed"),
        (("high", [0, 1, 0, 0, 0]), r"changes\[1\]=1 is not allowed"),
        (("high", [0, 0, 0, 0, 0], 3), r"upgrade=3 is not allowed"),
        (("high", [0]), r"changes=\[0\] is not allowed: changes must be a list of exactly 5 items"),
        (("high", [0] * 7), r"changes=.* is not allowed: changes must be a list of exactly 5 items"),
    ],
)
def test_grade_level_refuses_bad_input(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        E.grade_level(*args)


def test_certainty_table_computes_the_levels():
    c = E.certainty_table().set_index("question_id")
    raw = data.load_table("certainty").set_index("question_id")
    for q, r in raw.iterrows():  # whatever the table says, the level is computed, never stored
        changes = [int(r[d]) for d in ("risk_of_bias", "inconsistency", "indirectness", "imprecision",
                                       "publication_bias")]
        assert c.loc[q, "certainty"] == E.grade_level(r["start"], changes, int(r["upgrade"]))
    assert c.loc["ms_inflammation", "certainty"] == "low"  # inconsistency and imprecision each rated down once (MS chapter)
    assert c.loc["als_function", "certainty"] == "very low"  # imprecision −1 by the computed rule (referee M2, round 3)
    assert c.loc["als_survival", "certainty"] == "very low"
    assert c.loc["als_combination", "certainty"] == "no evidence"
    assert c.loc["als_function", "changes"] == "risk of bias −1; indirectness −1; imprecision −1"
    assert c.loc["als_combination", "changes"] == "none"
    assert "certainty" not in data.load_table("certainty").columns  # computed, never stored


def test_worst_overall_rob_follows_the_traffic_light():
    c = E.certainty_table().set_index("question_id")
    overall = E.risk_of_bias().query("domain == 'Overall'").set_index("study")["judgment"]
    for q, r in c.iterrows():
        judged = [overall[s] for s in r["studies"] if s in overall.index]
        want = max(judged, key=lambda j: E.SEVERITY[j]) if judged else "—"
        assert r["worst_overall_rob"] == want


def test_every_certainty_statement_has_a_direction():
    """Certainty *of what*: every question has a direction and a statement that starts from the computed level."""
    c = E.certainty_table().set_index("question_id")
    assert set(c.index) == set(data.load_table("certainty")["question_id"])
    for q, r in c.iterrows():
        assert r["direction"] in E.DIRECTIONS, q
        assert r["statement"].lower().startswith(r["certainty"]), q
        assert r["certainty_of"] in r["statement"]
    assert c.loc["ms_inflammation", "direction"] == "little or no effect"
    assert c.loc["als_function", "statement"].startswith("Very low certainty: the evidence is very uncertain about")
    assert c.loc["ms_inflammation", "statement"].startswith("Low certainty that")


def test_imprecision_rating_conditions_and_rule():
    r = E.imprecision_rating(0.635, 2.787, n=95, ois=344, benefit="above", control_risk=26 / 94, difference=0.10)
    assert r["harm_bound"] == pytest.approx(0.5609, abs=1e-4) and r["benefit_bound"] == pytest.approx(1.5799, abs=1e-4)
    assert (r["includes_benefit"], r["includes_harm"], r["spans_both"], r["below_ois"], r["rating"]) == \
        (True, False, False, True, -1)
    both = E.imprecision_rating(0.58, 1.50, n=144, ois=520, benefit="below", ratio_threshold=0.7)
    assert (both["benefit_bound"], both["spans_both"], both["rating"]) == (0.7, True, -2)
    assert E.imprecision_rating(0.58, 1.50, n=600, ois=520, benefit="below", ratio_threshold=0.7)["rating"] == -1
    assert E.imprecision_rating(0.9, 1.1, n=600, ois=520, benefit="below", ratio_threshold=0.7)["rating"] == 0
    assert E.imprecision_rating(0.9, 1.1, n=60, ois=520, benefit="below", ratio_threshold=0.7)["rating"] == -1
    # a harm on the other side: benefit below 1, an interval reaching only 1/0.7 reaches harm only
    h = E.imprecision_rating(0.8, 1.6, n=600, ois=520, benefit="below", ratio_threshold=0.7)
    assert (h["includes_benefit"], h["includes_harm"], h["rating"]) == (False, True, 0)


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"lower": 2.0, "upper": 1.0}, r"lower=2.0 is not allowed"),
        ({"benefit": "up"}, r"benefit='up' is not allowed"),
        ({"ratio_threshold": 0.7, "difference": 0.1, "control_risk": 0.3}, r"not allowed together or both missing"),
        ({"ratio_threshold": None}, r"not allowed together or both missing"),
        ({"ratio_threshold": None, "difference": 0.1}, r"control_risk=None is not allowed"),
        ({"ratio_threshold": None, "difference": 0.5, "control_risk": 0.3}, r"difference=0.5 is not allowed"),
        ({"ratio_threshold": 1.4}, r"ratio_threshold=1.4 is not allowed"),
        ({"n": 0}, r"n=0 is not allowed"),
    ],
)
def test_imprecision_rating_refuses_bad_input(kwargs, pattern):
    args = {"lower": 0.5, "upper": 1.5, "n": 100, "ois": 200, "benefit": "below", "ratio_threshold": 0.7} | kwargs
    with pytest.raises(ValueError, match=pattern):
        E.imprecision_rating(args.pop("lower"), args.pop("upper"), **args)


def test_certainty_without_a_direction_is_refused(data_copy):
    path = data_copy / "certainty_direction.csv"
    path.write_text("\n".join(ln for ln in path.read_text().splitlines() if not ln.startswith("als_survival")) + "\n")
    with pytest.raises(ValueError, match=r"question_id='als_survival' is not allowed: it has no row in "
                                         r"certainty_direction"):
        E.certainty_table()


# ----------------------------------------------------------------------------- broken copies of the data

def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


DEB = "debamestrocel_signalling.csv"


def test_overall_milder_than_worst_domain_is_refused(data_copy):
    _edit(data_copy / DEB, "Overall,judgment,,high", "Overall,judgment,,low")
    with pytest.raises(ValueError, match=r"debamestrocel_signalling: study='cudkowicz2022': overall "
                                         r"judgment='low' is not allowed"):
        E.risk_of_bias()


def test_judgment_of_the_other_tool_is_refused(data_copy):
    _edit(data_copy / DEB, "Measurement of the outcome,judgment,,low", "Measurement of the outcome,judgment,,serious")
    with pytest.raises(ValueError, match=r"judgment='serious' is not allowed; RoB 2 judgments are"):
        E.risk_of_bias()


def test_missing_domain_is_refused(data_copy):
    path = data_copy / DEB
    lines = [ln for ln in path.read_text().splitlines() if ",Missing outcome data," not in ln]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"domain='Missing outcome data' has 0 judgment rows"):
        E.risk_of_bias()


def test_unknown_judgment_word_fails_validation(data_copy):
    _edit(data_copy / DEB, "Measurement of the outcome,judgment,,low", "Measurement of the outcome,judgment,,fine")
    with pytest.raises(data.DataValidationError, match=r"column 'answer'"):
        E.risk_of_bias()


def test_a_changed_answer_reaches_the_traffic_light(data_copy):
    _edit(data_copy / DEB, "Measurement of the outcome,judgment,,low",
          "Measurement of the outcome,judgment,,some concerns")
    rob = E.risk_of_bias().set_index(["study", "domain"])["judgment"]
    assert rob.loc[("cudkowicz2022", "Measurement of the outcome")] == "some concerns"


def test_a_study_in_two_tables_is_refused(data_copy):
    rows = (data_copy / DEB).read_text().splitlines()[1:]
    other = data_copy / "petrou2021_signalling.csv"
    header = other.read_text().splitlines()[0]
    kept = [ln for ln in other.read_text().splitlines()[1:] if ln]
    other.write_text("\n".join([header, *kept, *rows]) + "\n")
    with pytest.raises(ValueError, match=r"study='cudkowicz2022' is not allowed: its judgments appear in more than "
                                         r"one signalling table"):
        E.risk_of_bias()


def test_empty_signalling_tables_are_skipped(data_copy):
    """Tables not yet filled are left out; with none filled, the certainty table still builds."""
    from appraisal import structured

    for name in structured.signalling_tables():
        path = data_copy / f"{name}.csv"
        path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(ValueError, match=r"names=\[\] is not allowed"):
        E.risk_of_bias()
    assert sorted(E.unappraised_studies()) == sorted(SIZES)
    assert set(E.certainty_table()["worst_overall_rob"]) == {"—"}


def test_only_filled_tables_are_read(data_copy):
    from appraisal import structured

    for name in structured.signalling_tables():
        if name != "debamestrocel_signalling":
            path = data_copy / f"{name}.csv"
            path.write_text(path.read_text().splitlines()[0] + "\n")
    assert set(E.risk_of_bias()["study"]) == {"cudkowicz2022"}
    assert "cudkowicz2022" not in E.unappraised_studies()


def test_renamed_quantity_is_caught(data_copy):
    _edit(data_copy / "mesems2021_results.csv", "rate_ratio_lower,", "rr_lower,")
    with pytest.raises(ValueError, match=r"quantity='rate_ratio_lower' is not allowed"):
        E.evidence_map()


def test_certainty_with_unknown_study_is_refused(data_copy):
    _edit(data_copy / "certainty.csv", "barczewska2020,low", "nobody2020,low")
    with pytest.raises(ValueError, match=r"studies='nobody2020' is not allowed"):
        E.certainty_table()


def test_no_studies_needs_an_empty_list(data_copy):
    _edit(data_copy / "certainty.csv", ",,no studies,", ",petrou2021,no studies,")
    with pytest.raises(ValueError, match=r"start='no studies' is not allowed"):
        E.certainty_table()


def test_fill_placeholders():
    assert E.fill_placeholders("{mesems2021_results:randomized} randomized") == "144 randomized"
    assert E.fill_placeholders("no placeholder") == "no placeholder"
    with pytest.raises(ValueError, match=r"quantity='nope' is not allowed"):
        E.fill_placeholders("{mesems2021_results:nope}")
    with pytest.raises(ValueError, match=r"text=3 is not allowed"):
        E.fill_placeholders(3)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match=r"tool='GRADE' is not allowed"):
        E.rob_matrix(E.risk_of_bias(), "GRADE")
    with pytest.raises(ValueError, match=r"results is not allowed"):
        E.results_figure(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match=r"level=1.5 is not allowed"):
        E.study_results(level=1.5)
    with pytest.raises(ValueError, match=r"rob is not allowed"):
        E.traffic_light(E.risk_of_bias().assign(tool="other"))
    with pytest.raises(ValueError, match=r"names='x' is not allowed"):
        E.risk_of_bias(names="x")


def test_p_range_from_printed_ci_brackets_published_p():
    # MESEMS: RR 0.94 (0.58 to 1.50), printed p = 0.78; Barczewska: HR 0.30 (0.16 to 0.59), printed p = 0.0004
    lo, hi = E.p_range_from_printed_ci("0.94", "0.58", "1.50")
    assert lo == pytest.approx(0.7789, abs=1e-3) and hi == pytest.approx(0.8177, abs=1e-3)
    lo, hi = E.p_range_from_printed_ci("0.30", "0.16", "0.59")
    assert lo < 0.0004 < hi and hi == pytest.approx(0.00054, abs=2e-5)
    assert E.p_range_from_printed_ci("1.00", "0.5", "2.0")[1] == 1.0  # estimate may be exactly 1


def test_rounding_audit_verdicts():
    t = E.rounding_audit([("barczewska2020_results", "hr_death", "HR"), ("mesems2021_results", "rate_ratio", "RR")])
    assert list(t["verdict"]) == ["consistent", "consistent"]


def test_rounding_audit_flags_a_misprint(data_copy):
    _edit(data_copy / "mesems2021_results.csv", "rate_ratio_p,0.78,0.78", "rate_ratio_p,0.03,0.03")
    t = E.rounding_audit([("mesems2021_results", "rate_ratio", "RR")])
    assert t.loc[0, "verdict"] == "inconsistent"


@pytest.mark.parametrize(
    "args, pattern",
    [
        ((0.94, "0.58", "1.50"), r"estimate=0.94 is not allowed"),
        (("0.94", "1.50", "0.58"), r"lower='1.50' is not allowed"),
        (("0.94", "0.00", "1.50"), r"lower='0.00' is not allowed"),
        (("3.0", "0.58", "1.50"), r"estimate='3.0' is not allowed: it must lie inside"),
    ],
)
def test_p_range_refuses_bad_input(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        E.p_range_from_printed_ci(*args)


def test_rounding_audit_refuses_bad_input():
    with pytest.raises(ValueError, match=r"pairs=\[\] is not allowed"):
        E.rounding_audit([])
    with pytest.raises(ValueError, match=r"pairs item .* is not allowed"):
        E.rounding_audit([("mesems2021_results", "rate_ratio")])


def test_signalling_questions_follow_each_tools_domain_order():
    """structured.questions sorts by the study's own tool (D2 of RoB 2 is D4 of ROBINS-I)."""
    from appraisal import structured

    q = structured.questions("debamestrocel")
    domains = list(dict.fromkeys(q["domain"]))
    assert domains == [d for d in E.ROB2_DOMAINS if d != "Overall"]


def test_traffic_light_rings_provisional_judgments_and_says_so():
    """A judgment whose reason starts 'Provisional' gets a dashed ring and a legend entry (referee 8, rationale M3)."""
    import matplotlib
    matplotlib.use("Agg")
    rob = E.risk_of_bias()
    fig = E.traffic_light(rob)
    labels = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
    assert any("provisional" in lab for lab in labels)
    assert rob["reason"].fillna("").str.startswith("Provisional").any()
    fig2 = E.traffic_light(rob.assign(reason="settled"))
    labels2 = [t.get_text() for lg in fig2.legends for t in lg.get_texts()]
    assert not any("provisional" in lab for lab in labels2)


def test_certainty_if_recomputes_with_domains_rejudged_and_refuses_unknown_ones():
    assert E.certainty_if("ms_inflammation") == E.certainty_table().set_index("question_id").loc["ms_inflammation",
                                                                                                 "certainty"]
    assert E.certainty_if("ms_inflammation", inconsistency=0) == "moderate"
    assert E.certainty_if("ms_inflammation", inconsistency=0, imprecision=-2) == "low"
    with pytest.raises(ValueError, match="question_id"):
        E.certainty_if("no_such_question")
    with pytest.raises(ValueError, match="bias="):
        E.certainty_if("ms_inflammation", bias=-1)
