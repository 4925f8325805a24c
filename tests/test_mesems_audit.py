"""The MS chapter's number audit: each verdict pinned, with the published numbers it rests on."""

from __future__ import annotations

import pytest

from appraisal import audit, data
from appraisal.studies import mesems2021 as ms_audit


@pytest.fixture(scope="module")
def table():
    return audit.audit(ms_audit.checks()).set_index("item")


def test_published_numbers_are_as_printed():
    v = lambda q: data.value("mesems2021_results", q)  # noqa: E731
    assert (v("randomized"), v("msc_first"), v("placebo_first")) == (144, 69, 75)
    assert (v("rate_ratio"), v("rate_ratio_lower"), v("rate_ratio_upper"), v("rate_ratio_p")) == (0.94, 0.58, 1.50, 0.78)
    assert data.printed("mesems2021_results", "rate_ratio_upper") == "1.50"


def test_mesems_checks(table):
    assert table.loc["MESEMS: randomized = MSC first + placebo first", "verdict"] == audit.CONSISTENT
    row = table.loc["MESEMS: rate ratio = geometric centre of its interval"]
    assert row["recomputed"] == pytest.approx(0.9327, abs=1e-4) and row["verdict"] == audit.CONSISTENT
    row = table.loc["MESEMS: p from the interval (Altman & Bland)"]
    # recomputed p 0.80 vs printed 0.78: within what rounding of the printed interval allows
    assert row["recomputed"] == pytest.approx(0.7985, abs=1e-4)
    assert row["difference"] == pytest.approx(0.0185, abs=1e-4) and row["verdict"] == audit.CONSISTENT


def test_uncontrolled_checks(table):
    assert table.loc["Review: manuscripts = uncontrolled + randomized + case report", "verdict"] == audit.CONSISTENT
    row = table.loc["Review: patients with an EDSS category"]
    assert row["recomputed"] == 103 and row["verdict"] == audit.NOT_CHECKABLE
    assert table.loc["Bonab: assessed = treated − left the study", "verdict"] == audit.CONSISTENT
    assert table.loc["Bonab: categories add up to those assessed", "verdict"] == audit.CONSISTENT
    row = table.loc["Summary: categories add up to the patients it names"]
    assert row["recomputed"] == 22 and row["difference"] == -3 and row["verdict"] == audit.INCONSISTENT
    assert table.loc["Iacobaeus: worse at 48 weeks, % of completers", "recomputed"] == pytest.approx(60.0)


def test_ahsct_checks(table):
    assert table.loc["Summary: AHSCT progression-free survival at 10 years", "verdict"] == audit.NOT_CHECKABLE
    assert table.loc["Summary's figure vs Burman 2014 EDSS progression-free survival at 5 years", "verdict"] == audit.INCONSISTENT
    assert table.loc["Summary's figure vs Burman 2014 relapse-free survival at 5 years", "verdict"] == audit.CONSISTENT
    # a second published figure equals it after rounding (86.9% relapse-free at 5 years): the source is not known
    row = table.loc["Summary's figure vs HALT-MS relapse-free survival at 5 years"]
    assert row["recomputed"] == pytest.approx(86.9) and row["verdict"] == audit.CONSISTENT


def test_verdict_counts(table):
    assert audit.verdict_counts(table.reset_index()) == {"consistent": 8, "inconsistent": 2, "not checkable": 3}


def test_rounding_band_bad_input():
    with pytest.raises(ValueError, match=r"lower='1.6' is not allowed"):
        ms_audit.rounding_band_of_centre("1.6", "1.5")
