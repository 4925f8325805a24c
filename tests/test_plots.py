"""appraisal.plots.table: the LaTeX a table gets in the PDF."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from appraisal import plots


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"quantity": [f"row {i} with a longer label" for i in range(rows)],
                         "reported": [1.5] * rows, "verdict": ["agrees within tolerance"] * rows})


def test_latex_is_a_longtable_with_repeated_header():
    tex = plots.table(_frame(60), caption="Number audit")._repr_latex_()
    assert r"\begin{xltabular}{\linewidth}" in tex and r"\end{xltabular}" in tex
    # the header is written twice: once for the first page, once repeated on every later page
    assert tex.count(r"\textbf{quantity}") == 2
    assert r"\endfirsthead" in tex and r"\endhead" in tex and r"\endlastfoot" in tex
    assert "Number audit" in tex
    assert r"\begin{center}" not in tex, "a centre environment cannot break across pages"
    assert tex.count(r" \\") >= 60


def test_column_widths_fill_the_line_and_follow_the_text():
    tex = plots.table(_frame(3))._repr_latex_()
    factors = [float(x) for x in re.findall(r"\\hsize=([\d.]+)\\hsize", tex)]
    assert len(factors) == 3
    assert sum(factors) == pytest.approx(3, abs=0.01), "tabularx needs hsize factors that sum to the column count"
    assert factors[0] > factors[1], "the long-text column is wider than the number column"


def test_latex_escapes_special_characters():
    tex = plots.table(pd.DataFrame({"a_b": ["50%", "x & y"]}))._repr_latex_()
    assert r"a\_b" in tex and r"50\%" in tex and r"x \& y" in tex


def test_table_refuses_a_non_frame():
    with pytest.raises(ValueError, match="frame"):
        plots.table([1, 2])
