"""Shared helpers for the book's figures and tables.

:func:`table` wraps a DataFrame so that it shows as an HTML table in the browser and a
LaTeX table in the PDF (a bare DataFrame would fall back to plain text in the PDF); in
the PDF a long table breaks across pages with its header repeated.
:func:`style` sets one Matplotlib look for every chapter.
"""

from __future__ import annotations

import html as _html

import matplotlib as mpl
import pandas as pd

from . import _checks as chk

__all__ = ["COLOURS", "style", "DisplayTable", "table", "forest", "rounded", "glue"]

COLOURS = {
    "treated": "#1f77b4",
    "reference": "#ff7f0e",
    "null": "#7f7f7f",
    "observed": "#d62728",
    "neutral": "#2ca02c",
}


def rounded(value, digits: int):
    """``value`` rounded to ``digits`` decimals, as plain Python numbers (for glue and printing).

    A float computed on another CPU can differ in its last bits (vectorized ``exp``/``log``,
    summation order), and a stored notebook output written with all seventeen digits then
    changes on every re-execution. Rounded to the precision the prose shows, it does not.
    Integers (and bools, strings, None) pass through; lists, tuples and dicts are rounded
    element by element; NumPy scalars become Python numbers.

    >>> rounded(14.262500000000012, 1), rounded({"a": 0.123456}, 3)
    (14.3, {'a': 0.123})
    """
    import math

    import numpy as np

    digits = chk.integer("digits", digits, low=0, high=15)
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"value={v!r} is not allowed: a glued or printed number must be finite.")
        out = round(v, digits)
        return 0.0 if out == 0 else out  # no "-0.0"
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(rounded(v, digits) for v in value)
    if isinstance(value, np.ndarray):
        return [rounded(v, digits) for v in value.tolist()]
    raise chk.ArgumentTypeError(f"value={chk._short(value)} is not allowed: value must be a number (or a list, "
                                "tuple or dict of numbers).")


def glue(name: str, value, digits: int | None = None) -> None:
    """myst-nb ``glue`` of a number rounded to ``digits`` decimals (not displayed in the cell).

    Use the same ``digits`` as the prose's format (``{glue:text}`key:.1f``` → ``digits=1``),
    so that the stored output is the same on every machine. Integers and text are glued
    as they are; a float without ``digits`` is refused, since its last digits are not stable.
    """
    from myst_nb import glue as _glue

    chk.text("name", name, empty=False)
    if digits is None:
        if isinstance(value, float):
            raise ValueError(f"digits=None is not allowed for the float {name}={value!r}: give the decimals the prose "
                             "shows, so that the stored output does not change from one CPU to another.")
    else:
        value = rounded(value, digits)
    _glue(name, value, display=False)


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

    #: the PDF's text width in characters of the table font (\\small, about 4.6 pt a character
    #: on a 450 pt line) and the space between two columns (2 \\tabcolsep = 12 pt), in characters
    LINE_CHARS, GAP_CHARS = 98.0, 2.6

    def _column_weights(self, head: list[str], body: list[list[str]]) -> list[float]:
        """Relative column widths for the PDF, as tabularx ``\\hsize`` factors (they sum to the
        number of columns).

        Every column first gets the width of its longest word plus one character (bold in
        the header), so no word sticks out of its cell; the rest of the line goes to the columns in proportion
        to how much longer their longest line is (capped at 40 characters).
        """
        n = len(head)
        cells = [[r[j] for r in body] for j in range(n)]
        least = [max([len(w) * 1.15 + 1 for w in head[j].split()] + [len(w) + 1 for c in cells[j] for w in c.split()] + [4.0])
                 for j in range(n)]
        want = [max(least[j], min(40.0, max([len(head[j]) * 1.15] + [len(c) for c in cells[j]]))) for j in range(n)]
        room = self.LINE_CHARS - self.GAP_CHARS * n - sum(least)
        extra = [w - m for w, m in zip(want, least)]
        if room <= 0 or sum(extra) == 0:
            width = least if room <= 0 else [m + room / n for m in least]
        else:
            share = min(1.0, room / sum(extra))
            width = [m + e * share for m, e in zip(least, extra)]
            spare = room - sum(e * share for e in extra)
            width = [w + spare * w / sum(width) for w in width]
        return [n * w / sum(width) for w in width]

    def _repr_latex_(self) -> str:
        """An ``xltabular`` (a longtable with tabularx columns) as wide as the text.

        It breaks across pages with its header row repeated on every page, so a long
        table never runs past the bottom of a page, and its columns share
        ``\\linewidth`` in proportion to their text, so a wide table never runs past the
        margin. Needs ``\\usepackage{xltabular}`` in the LaTeX preamble (_config.yml).
        """
        head, body = self._cells()
        n = max(1, len(head))
        weights = self._column_weights(head, body) if head else [1.0]
        cols = "".join(r">{\raggedright\arraybackslash\hsize=" + f"{w:.3f}" + r"\hsize\linewidth=\hsize}X"
                       for w in weights)
        header = " & ".join(r"\textbf{" + _latex_escape(h) + "}" for h in head) + r" \\"
        lines = [r"\begingroup\small", r"\begin{xltabular}{\linewidth}{" + cols + "}"]
        if self.caption:
            lines.append(r"\multicolumn{" + str(n) + r"}{@{}p{\linewidth}@{}}{\normalsize\emph{"
                         + _latex_escape(self.caption) + r"}} \\[2pt]")
        lines += [r"\hline", header, r"\hline", r"\endfirsthead"]
        lines += [r"\multicolumn{" + str(n) + r"}{@{}l@{}}{\emph{(continued)}} \\", r"\hline", header,
                  r"\hline", r"\endhead"]
        lines += [r"\hline", r"\multicolumn{" + str(n) + r"}{@{}r@{}}{\emph{(continued on the next page)}} \\",
                  r"\endfoot", r"\hline", r"\endlastfoot"]
        lines += [" & ".join(_latex_escape(c) for c in r) + r" \\" for r in body]
        lines += [r"\end{xltabular}", r"\endgroup"]
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
