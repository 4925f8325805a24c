"""The audit table: tolerances from printed decimals, verdicts, bad input."""

from __future__ import annotations

import pytest

from appraisal import audit as au


@pytest.mark.parametrize("printed, tol", [("67.1", 0.05), ("0.0004", 0.00005), ("144", 0.5), ("−0.7", 0.05), ("<0.05", 0.005), ("1,183", 0.5), ("97.0%", 0.05)])
def test_rounding_tolerance(printed, tol):
    assert au.rounding_tolerance(printed) == pytest.approx(tol)


def test_verdicts_for_table1_percentages():
    ok = au.check_percentage("bulbar onset", 16, 67, "23.9")
    bad = au.check_percentage("spinal onset", 51, 67, "67.1")
    assert ok.verdict() == au.CONSISTENT
    assert bad.verdict() == au.INCONSISTENT
    none = au.Check("age of the PRO-ACT pool", None, None, "not reported")
    assert none.verdict() == au.NOT_CHECKABLE


def test_bounds_and_explicit_tolerance():
    assert au.Check("p", "<0.05", 0.03, "from CI").verdict() == au.CONSISTENT
    assert au.Check("p", "<0.05", 0.2, "from CI").verdict() == au.INCONSISTENT
    assert au.Check("p", ">0.05", 0.2, "from CI").verdict() == au.CONSISTENT
    assert au.Check("p", "0.78", 0.79, "from CI", tolerance=0.02).verdict() == au.CONSISTENT
    assert au.Check("p", "0.78", 0.79, "from CI").verdict() == au.INCONSISTENT


def test_half_way_counts_as_rounding():
    assert au.Check("x", "0.3", 0.35, "edge").verdict() == au.CONSISTENT


def test_audit_table_and_counts():
    table = au.audit([au.check_percentage("a", 16, 67, "23.9"), au.check_percentage("b", 51, 67, "67.1"),
                      au.Check("c", None, None, "—")])
    assert list(table["verdict"]) == [au.CONSISTENT, au.INCONSISTENT, au.NOT_CHECKABLE]
    assert au.verdict_counts(table) == {au.CONSISTENT: 1, au.INCONSISTENT: 1, au.NOT_CHECKABLE: 1}
    assert table.loc[1, "difference"] == pytest.approx(76.119 - 67.1, abs=1e-3)


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: au.rounding_tolerance(67.1), r"printed=67.1 is not allowed"),
        (lambda: au.rounding_tolerance("n/a"), r"printed='n/a' is not allowed"),
        (lambda: au.audit(["x"]), r"checks=\['x'\] is not allowed"),
        (lambda: au.Check("x", "1.0", 1.0, "", tolerance=-1).verdict(), r"tolerance=-1 is not allowed"),
        (lambda: au.verdict_counts(None), r"table is not allowed"),
        (lambda: au.check_percentage("x", 70, 67, "100.0"), r"count=70 is not allowed"),
    ],
)
def test_bad_input(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_ratio_consistency_mesems():
    row = au.ratio_consistency("mesems2021_results", "rate_ratio", "MESEMS")
    assert row["estimate (95% CI)"] == "0.94 (0.58–1.50)"
    assert row["p recomputed"] == pytest.approx(0.7985, abs=5e-4)  # published 0.78
    assert row["p printed"] == "0.78"


def test_ratio_consistency_unknown_stem():
    with pytest.raises(ValueError, match=r"stem='nope' is not allowed: table 'mesems2021_results' lacks the quantities"):
        au.ratio_consistency("mesems2021_results", "nope", "x")
