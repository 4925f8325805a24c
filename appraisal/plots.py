"""Shared helpers for the book's figures and tables.

:func:`table` wraps a DataFrame so that it shows as an HTML table in the browser and a
LaTeX table in the PDF (a bare DataFrame would fall back to plain text in the PDF).
:func:`style` sets one Matplotlib look for every chapter.
"""

from __future__ import annotations

import html as _html

import matplotlib as mpl
import pandas as pd

from . import _checks as chk

__all__ = ["COLOURS", "style", "DisplayTable", "table", "forest"]

COLOURS = {
    "treated": "#1f77b4",
    "reference": "#ff7f0e",
    "null": "#7f7f7f",
    "observed": "#d62728",
    "neutral": "#2ca02c",
}


def style() -> None:
    """Apply the book's Matplotlib defaults (readable sizes, no top/right spines, PNG output)."""
    mpl.rcParams.update(
        {
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "font.size": 10,
            "axes.titlesize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.constrained_layout.use": True,
        }
    )


def _fmt(v, digits: int) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int) or (hasattr(v, "dtype") and getattr(v.dtype, "kind", "") in "iu"):
        return f"{int(v):,}".replace(",", " ") if abs(int(v)) >= 10000 else str(int(v))
    if isinstance(v, float):
        return f"{v:.{digits}g}" if abs(v) < 1e-3 and v != 0 else f"{v:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{v:.0f}"
    return str(v)


def _latex_escape(text: str) -> str:
    repl = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(repl.get(c, c) for c in text)


class DisplayTable:
    """A DataFrame with an HTML and a LaTeX representation (see :func:`table`)."""

    def __init__(self, frame: pd.DataFrame, caption: str | None, digits: int, index: bool):
        self.frame, self.caption, self.digits, self.index = frame, caption, digits, index

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        f = self.frame.reset_index() if self.index else self.frame
        head = [str(c) for c in f.columns]
        body = [[_fmt(v, self.digits) for v in row] for row in f.itertuples(index=False)]
        return head, body

    def _repr_html_(self) -> str:
        head, body = self._cells()
        cap = f"<caption>{_html.escape(self.caption)}</caption>" if self.caption else ""
        th = "".join(f"<th>{_html.escape(h)}</th>" for h in head)
        rows = "".join("<tr>" + "".join(f"<td>{_html.escape(c)}</td>" for c in r) + "</tr>" for r in body)
        return f'<table class="table appraisal-table">{cap}<thead><tr>{th}</tr></thead><tbody>{rows}</tbody></table>'

    def _repr_latex_(self) -> str:
        head, body = self._cells()
        width = max(1, len(head))
        cols = "".join(r">{\raggedright\arraybackslash}X" for _ in head)
        lines = [r"\begin{center}\small", r"\begin{tabularx}{\linewidth}{" + cols + "}", r"\hline"]
        lines.append(" & ".join(r"\textbf{" + _latex_escape(h) + "}" for h in head) + r" \\ \hline")
        lines += [" & ".join(_latex_escape(c) for c in r) + r" \\" for r in body]
        lines += [r"\hline", r"\end{tabularx}"]
        if self.caption:
            lines.append(r"\par\smallskip\emph{" + _latex_escape(self.caption) + "}")
        lines.append(r"\end{center}")
        del width
        return "\n".join(lines)

    def __repr__(self) -> str:
        text = self.frame.to_string(index=self.index)
        return f"{self.caption}\n{text}" if self.caption else text


def table(frame: pd.DataFrame, caption: str | None = None, digits: int = 3, index: bool = False) -> DisplayTable:
    """Show a DataFrame as a table in both HTML and PDF.

    ``digits`` is the number of decimals for floats (trailing zeros dropped); the
    index is shown as a first column when ``index=True``.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame={type(frame).__name__} is not allowed: frame must be a pandas DataFrame.")
    chk.integer("digits", digits, low=0, high=12)
    if caption is not None:
        chk.text("caption", caption)
    index = chk.flag("index", index)
    return DisplayTable(frame, caption, digits, index)


def forest(ax, labels, estimates, lowers, uppers, *, reference: float | None = None, log: bool = False,
           xlabel: str = "", colour: str = COLOURS["treated"]) -> None:
    """Draw estimates with their intervals as horizontal lines, one row per label (top to bottom)."""
    chk.axes("ax", ax)
    labels = [chk.text(f"labels[{i}]", s) for i, s in enumerate(chk.string_list("labels", labels, min_len=1))]
    est, lo, hi = (list(chk.array(name, v, ndim=1)) for name, v in
                   (("estimates", estimates), ("lowers", lowers), ("uppers", uppers)))
    if reference is not None:
        reference = chk.number("reference", reference)
    log = chk.flag("log", log)
    chk.text("xlabel", xlabel)
    chk.text("colour", colour, empty=False)
    if not mpl.colors.is_color_like(colour):
        raise ValueError(f"colour={colour!r} is not allowed: colour must be a Matplotlib colour such as '#1f77b4'.")
    if log and min(lo) <= 0:
        raise ValueError(f"lowers={lo!r} is not allowed with log=True: every limit must be positive on a log axis.")
    if not len(labels) == len(est) == len(lo) == len(hi):
        raise ValueError("labels, estimates, lowers and uppers are not allowed: they must have the same length.")
    for i, (l, h) in enumerate(zip(lo, hi)):
        if not l <= est[i] <= h:
            raise ValueError(f"estimates[{i}]={est[i]} is not allowed: it must lie within [{l}, {h}].")
    y = list(range(len(labels)))[::-1]
    ax.hlines(y, lo, hi, color=colour, lw=2)
    ax.plot(est, y, "o", color=colour)
    if reference is not None:
        ax.axvline(reference, color="k", lw=1, ls="--")
    if log:
        ax.set_xscale("log")
    ax.set_yticks(y, labels)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
