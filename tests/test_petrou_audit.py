"""The phase II trial's numbers: data table, responder intervals against known values, audit verdicts."""

from __future__ import annotations

import pytest
from scipy import stats

from appraisal import data
from appraisal.studies import petrou2021 as pa
from appraisal.audit import verdict_counts


def test_published_numbers_in_data():
    v = lambda q: data.value("petrou2021_results", q)  # noqa: E731
    assert (v("enrolled"), v("withdrew_before_first"), v("analysed")) == (20, 1, 19)
    assert (v("responders_inj1_inj2"), v("responders_inj2_inj3"), v("evaluable_inj2_inj3")) == (15, 11, 12)
    assert (v("responders_inj3_inj4"), v("evaluable_inj3_inj4")) == (8, 10)
    assert v("responders_whole_period") == 13
    assert v("mean_improvement_inj1_inj2") == 107.1 and v("mean_improvement_whole_period") == 47.4
    assert (v("clinically_improved_after_inj1"), v("still_improved_after_inj2")) == (7, 5)
    assert data.printed("petrou2021_results", "improvement_range_min") == "+1"


def test_responder_percentages():
    t = pa.responder_table().set_index("interval")
    assert t["percent"].round(1).tolist() == [78.9, 91.7, 80.0, 68.4]


def test_responder_intervals_known_values():
    t = pa.responder_table().set_index("responders")
    # Clopper–Pearson from the beta quantiles (independent of statsmodels), to 1e-6 percent points
    for k, n in [(15, 19), (11, 12), (8, 10), (13, 19)]:
        assert t.loc[k, "exact low"] == pytest.approx(100 * stats.beta.ppf(0.025, k, n - k + 1), abs=1e-6)
        assert t.loc[k, "exact high"] == pytest.approx(100 * stats.beta.ppf(0.975, k + 1, n - k), abs=1e-6)
    # published-style values, to 0.05 percentage points: Wilson 15/19 = 56.7–91.5%, exact 54.4–93.9%
    assert (t.loc[15, "Wilson low"], t.loc[15, "Wilson high"]) == (pytest.approx(56.7, abs=0.05), pytest.approx(91.5, abs=0.05))
    assert (t.loc[15, "exact low"], t.loc[15, "exact high"]) == (pytest.approx(54.4, abs=0.05), pytest.approx(93.9, abs=0.05))
    # 11/12: Wilson 64.6–98.5%
    assert (t.loc[11, "Wilson low"], t.loc[11, "Wilson high"]) == (pytest.approx(64.6, abs=0.05), pytest.approx(98.5, abs=0.05))


def test_audit_verdicts():
    table = pa.petrou_audit()
    counts = verdict_counts(table)
    assert counts == {"consistent": 1, "inconsistent": 0, "not checkable": len(table) - 1}
    row = table.set_index("item").loc["patients analysed"]
    assert row["recomputed"] == 19 and row["verdict"] == "consistent"


def test_audit_catches_a_wrong_count(data_copy):
    path = data_copy / "petrou2021_results.csv"
    path.write_text(path.read_text().replace("\nenrolled,20,20,", "\nenrolled,21,21,"))
    counts = verdict_counts(pa.petrou_audit())
    assert counts["inconsistent"] == 1


def test_constraints_hold_and_can_fail(data_copy):
    assert pa.constraints()["holds"].all()
    path = data_copy / "petrou2021_results.csv"
    path.write_text(path.read_text().replace("\nresponders_inj2_inj3,11,11,", "\nresponders_inj2_inj3,13,13,"))
    assert not pa.constraints()["holds"].iloc[0]


def test_summary_vs_publication_reads_data():
    t = pa.summary_vs_publication()
    assert len(t) >= 5
    assert "11 of 12" in " ".join(t["publication (abstract)"])


def test_bad_level():
    with pytest.raises(ValueError, match=r"level=1.5 is not allowed"):
        pa.responder_table(level=1.5)


def test_mean_above_100_arithmetic():
    # 19 × 107.1 = 2034.9; the 12 who did not rise score at most 100% (8 responders) or 25% (4 non-responders):
    # (2034.9 − 900) / 7 = 162.1%; middling (62.5% and 0%): (2034.9 − 500) / 7 = 219.3%; over the 15 responders:
    # (1606.5 − 800) / 7 = 115.2%. Tolerance 0.05 percentage points (rounding of the hand values).
    a = pa.mean_improvement_arithmetic()
    need = [c for c in a.columns if c.endswith("must average (%)")][0]
    assert a[need].tolist() == pytest.approx([162.13, 219.27, 115.21, 158.07], abs=0.05)
    assert a["sum of improvements"].tolist() == pytest.approx([2034.9, 2034.9, 1606.5, 1606.5])
    assert (a[need] > 100).all()  # whatever the reading, the risers' average is above 100%


def test_p15_grid_pinned():
    # seeded (the explorer's N and seed); tolerances: the noise-only cell to 0.1 percentage point, P to 5%
    from appraisal.widgets import single_arm as saw
    g = pa.p15_grid(n=saw.N_SCREENED, seed=saw.SEED)
    assert len(g) == 3 * len(pa.NOISE_GRID) * len(pa.BEFORE_SETTINGS)
    cell = g[(g["anchor"] == "edaravone placebo arm") & (g["noise_sd"] == 1.0) & (g["before rate"] == "run-in 3 months")]
    assert float(cell["responders (%)"].iloc[0]) == pytest.approx(36.35, abs=0.1)
    assert float(cell["responders (%)"].iloc[0]) == pytest.approx(100 * saw.null_trial()["trials"]["p"])
    assert float(g["P"].max()) == pytest.approx(4.70e-3, rel=0.05)
    assert float(g["P high"].max()) < 0.01
    assert float(g["P"].min()) < 1e-7


def test_structured_tables_are_what_the_synthesis_reads():
    from appraisal import evidence, structured
    j = structured.judgments(["petrou2021"]).set_index("domain")
    rob = evidence.risk_of_bias()
    rob = rob[rob["study"] == "petrou2021"].set_index("domain")
    assert (j.loc[rob.index, "judgment"] == rob["judgment"]).all()
    assert (j.loc[rob.index, "reason"] == rob["reason"]).all()
    saf = structured.safety("petrou2021")
    first = saf.iloc[0]
    # 0 serious events in 19: exact one-sided 95% bound 1 − 0.05^(1/19) = 14.6% (tolerance 0.05 points)
    assert (first["events"], first["n"]) == (0, 19)
    assert first["upper bound %"] == pytest.approx(100 * (1 - 0.05 ** (1 / 19)), abs=0.05)
    assert len(structured.contradictions("petrou2021")) >= 5


def test_rtm_grid_pinned_and_seeded():
    # the referee's independent run of the book's simulator (seed 20211030, n = 4000): 1-month run-in, noise 1,
    # enrolled after a loss of >= 2 points -> 79.5% untreated responders, P(>=15/19) = 0.65, later 81% and 90%
    # (tolerance: 0.1 percentage points and 0.005, i.e. the rounding of the report)
    from appraisal.widgets import single_arm as saw
    g = pa.rtm_grid(n=saw.N_SCREENED, seed=saw.SEED, run_ins=(1.0, 3.0), noise_sds=(1.0,), losses=(0, 2))
    c = g[(g["run-in (months)"] == 1.0) & (g["loss ≥ (points)"] == 2.0)].iloc[0]
    assert c["% 1→2"] == pytest.approx(79.5, abs=0.1) and c["P 1→2"] == pytest.approx(0.65, abs=0.005)
    assert c["% 2→3"] == pytest.approx(81, abs=0.5) and c["% 3→4"] == pytest.approx(90, abs=0.5)
    assert c["enrolled (% of eligible)"] == pytest.approx(38, abs=0.5)
    # with no requirement the grid repeats the noise-only run (3-month run-in: 36.35%)
    none = g[(g["run-in (months)"] == 3.0) & (g["loss ≥ (points)"] == 0)].iloc[0]
    assert none["% 1→2"] == pytest.approx(100 * saw.null_trial()["trials"]["p"])
    assert (g["P 1→2 low"] <= g["P 1→2"]).all() and (g["P 1→2"] <= g["P 1→2 high"]).all()
    assert pa.rtm_grid(n=1000, seed=3, run_ins=(1.0,), noise_sds=(1.0,), losses=(2,)).equals(
        pa.rtm_grid(n=1000, seed=3, run_ins=(1.0,), noise_sds=(1.0,), losses=(2,)))
    with pytest.raises(ValueError, match="run_ins"):
        pa.rtm_grid(run_ins=(0.0,))
    with pytest.raises(ValueError, match="losses"):
        pa.rtm_grid(losses=(-1,))
