"""appraisal.structured: signalling questions, contradictions and safety statements stored as data."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from appraisal import structured as S

HEADER = "study,tool,outcome,domain,item,question,answer,support,location\n"
ROBINS = ["Confounding", "Selection of participants", "Classification of interventions",
          "Deviations from intended interventions", "Missing data", "Measurement of outcomes",
          "Selection of the reported result"]


def _write(d, name, text, like):
    (d / f"{name}.csv").write_text(text, encoding="utf-8")
    src = (d / f"{like}.resource.json").read_text(encoding="utf-8")
    (d / f"{name}.resource.json").write_text(src.replace(like, name), encoding="utf-8")


def _signalling_rows(overall="serious", judgment="serious", answer="PN"):
    rows = []
    for dom in ROBINS:
        rows.append(f"toy2020,ROBINS-I,function,{dom},1.1,a question,{answer},a reason,Methods")
        rows.append(f"toy2020,ROBINS-I,function,{dom},judgment,,{judgment},a reason,")
    rows.append(f"toy2020,ROBINS-I,function,Overall,judgment,,{overall},worst domain,")
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture()
def toy(data_copy):
    _write(data_copy, "toy2020_signalling", _signalling_rows(), "petrou2021_signalling")
    return data_copy


def test_judgments_from_a_complete_table(toy):
    j = S.judgments(["toy2020"], directory=toy)
    assert list(j["domain"]) == ROBINS + ["Overall"]
    assert set(j["judgment"]) == {"serious"}
    assert list(j["n_questions"]) == [1] * 7 + [0]
    q = S.questions("toy2020", directory=toy)
    assert len(q) == 7 and "judgment" not in set(q["item"])


@pytest.mark.parametrize("mutate, message", [
    (lambda t: t.replace("toy2020,ROBINS-I,function,Missing data,1.1,a question,PN,a reason,Methods\n", ""),
     "no signalling question"),
    (lambda t: t.replace("Missing data,judgment,,serious", "Missing data,judgment,,high"), "not allowed"),
    (lambda t: t.replace("Overall,judgment,,serious", "Overall,judgment,,moderate"), "at least as serious"),
    (lambda t: t.replace("Confounding,1.1,a question,PN", "Confounding,1.1,a question,low"), "answer='low'"),
])
def test_broken_signalling_tables_are_refused(data_copy, mutate, message):
    _write(data_copy, "toy2020_signalling", mutate(_signalling_rows()), "petrou2021_signalling")
    with pytest.raises(ValueError, match=message):
        S.signalling("toy2020", directory=data_copy)


def test_safety_bounds(data_copy):
    _write(data_copy, "toy2020_safety",
           "statement,location,events,n,follow_up\nno serious event,Results,0,19,12 months\n"
           "two infections,Results,2,19,12 months\nsafe (no count),Abstract,,,\n", "petrou2021_safety")
    s = S.safety("toy2020", directory=data_copy).set_index("statement")
    # zero of 19: one-sided exact 95% bound 1 - 0.05**(1/19) = 14.6%; rule of three 15.8%
    assert s.loc["no serious event", "upper bound %"] == pytest.approx(100 * (1 - 0.05 ** (1 / 19)), abs=1e-9)
    # two of 19: Clopper–Pearson two-sided 95% upper limit 33.1% (scipy beta quantile)
    from scipy import stats
    assert s.loc["two infections", "upper bound %"] == pytest.approx(100 * stats.beta.ppf(0.975, 3, 17), abs=1e-9)
    assert pd.isna(s.loc["safe (no count)", "upper bound %"])


def test_safety_refuses_events_above_n(data_copy):
    _write(data_copy, "toy2020_safety", "statement,location,events,n,follow_up\nx,Results,5,3,\n", "petrou2021_safety")
    with pytest.raises(ValueError, match="events"):
        S.safety("toy2020", directory=data_copy)


def test_bad_names():
    with pytest.raises(TypeError, match="name="):
        S.signalling(3)


@pytest.mark.parametrize("name", S.signalling_tables())
def test_every_source_table_passes_the_structured_checks(name):
    t = S.signalling(name)
    assert (t["item"] != "judgment").sum() >= 7, f"{name}: too few signalling questions answered"
    prefix = name[: -len("_signalling")]
    S.contradictions(prefix) if (S.data.data_dir() / f"{prefix}_contradictions.csv").exists() else None
    if (S.data.data_dir() / f"{prefix}_safety.csv").exists():
        s = S.safety(prefix)
        assert s["upper bound %"].dropna().between(0, 100).all()


def test_rob2_missing_data_algorithm():
    from appraisal.structured import rob2_missing_data as f
    assert f("Y", "NA", "NA", "NA") == "low"
    assert f("NI", "PY", "NA", "NA") == "low"
    assert f("N", "N", "PN", "NA") == "low"
    assert f("NI", "PN", "PY", "PN") == "some concerns"
    assert f("NI", "PN", "PY", "NI") == "high"
    assert f("N", "N", "NI", "Y") == "high"
    import pytest
    with pytest.raises(ValueError, match="a32"):
        f("NI", "NI", "PY", "NI")  # NI is not an allowed answer to 3.2
