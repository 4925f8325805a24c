"""Every table in data/ validates against its schema; broken copies fail with a clear message."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from appraisal import data


@pytest.mark.parametrize("name", data.list_tables())
def test_table_validates(name):
    data.validate_table(name)
    frame = data.load_table(name)
    assert len(frame) > 0


@pytest.mark.parametrize("name", data.list_tables())
def test_table_cites_a_known_source(name):
    keys = set(data.load_table("sources")["key"])
    desc = data.describe(name)
    cited = [s["title"] for s in desc.get("sources", [])]
    assert desc.get("title") and desc.get("description"), f"{name}: needs a title and description"
    if name != "sources":
        assert cited, f"{name}: the descriptor must name its source(s)"
        assert set(cited) <= keys, f"{name}: unknown source keys {set(cited) - keys}"


def test_every_csv_has_a_descriptor(root):
    csvs = {p.stem for p in (root / "data").glob("*.csv")}
    assert csvs == set(data.list_tables())


def test_source_keys_are_in_bibliography(root):
    bib = (root / "references.bib").read_text()
    for key in data.load_table("sources")["key"]:
        assert f"{{{key}," in bib, f"{key} is not in references.bib"


def test_bibliography_parses_and_holds_every_source(root):
    # a lost brace in one entry makes sphinxcontrib-bibtex abort the whole book build; catch it here
    from pybtex.database import parse_file

    entries = parse_file(str(root / "references.bib")).entries
    missing = set(data.load_table("sources")["key"]) - set(entries)
    assert not missing, f"sources.csv keys without a parsed BibTeX entry: {sorted(missing)}"


def test_reported_tables_have_printed_matching_value():
    # the loader's gate checks every value against its printed text (appraisal.data._gate); here the
    # rule is applied to every reported-layout table that has rows
    for name in data.list_tables():
        desc = data.describe(name)
        cols = {f["name"] for f in desc["schema"]["fields"]}
        if not set(data.REPORTED_COLUMNS) <= cols:
            continue
        t = data.reported(name)
        for q, row in t.iterrows():
            assert data._printed_matches(row["printed"], float(row["value"]), row["unit"]), f"{name}.{q}"


def test_value_is_plain_python_number():
    v = data.value("mesems2021_results", "rate_ratio")
    assert type(v) is float and v == 0.94
    n = data.value("mesems2021_results", "randomized")
    assert type(n) is int and n == 144


def test_missing_value_names_file_row_and_column(data_copy):
    path = data_copy / "mesems2021_results.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(",144,", ",,", 1) if ",144," in lines[3] else lines[3]
    lines[1] = lines[1].replace("randomized,144,", "randomized,,")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(data.DataValidationError) as err:
        data.load_table("mesems2021_results")
    msg = str(err.value)
    assert "mesems2021_results.csv" in msg and "row 2" in msg and "column 'value'" in msg


def test_wrong_type_is_reported(data_copy):
    path = data_copy / "barczewska2020_table3.csv"
    text = path.read_text().replace("15,2.0,2.0", "fifteen,2.0,2.0")
    path.write_text(text)
    with pytest.raises(data.DataValidationError, match=r"row 2, column 'early_response'"):
        data.load_table("barczewska2020_table3")


def test_out_of_range_is_reported(data_copy):
    path = data_copy / "barczewska2020_table3.csv"
    path.write_text(path.read_text().replace("15,2.0,2.0", "15,200.0,2.0"))
    with pytest.raises(data.DataValidationError, match=r"column 'failure_probability_percent'"):
        data.load_table("barczewska2020_table3")


def test_not_in_enum_is_reported(data_copy):
    path = data_copy / "barczewska2020_table1.csv"
    path.write_text(path.read_text().replace(",treated,", ",treatd,", 1))
    with pytest.raises(data.DataValidationError, match=r"column 'group'"):
        data.load_table("barczewska2020_table1")


def test_unknown_table_names_the_argument():
    with pytest.raises(ValueError, match=r"name='nope' is not allowed"):
        data.load_table("nope")


def test_unknown_quantity_names_the_argument():
    with pytest.raises(ValueError, match=r"quantity='nope' is not allowed"):
        data.value("mesems2021_results", "nope")


def test_descriptor_path_must_match(data_copy):
    p = data_copy / "natural_history.resource.json"
    d = json.loads(p.read_text())
    d["path"] = "other.csv"
    p.write_text(json.dumps(d))
    with pytest.raises(data.DataValidationError, match="must be 'natural_history.csv'"):
        data.load_table("natural_history")


def test_load_returns_a_copy():
    a = data.load_table("sources")
    a.loc[0, "key"] = "changed"
    assert data.load_table("sources").loc[0, "key"] != "changed"
    assert isinstance(a, pd.DataFrame)
