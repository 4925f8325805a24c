"""Reported versus recomputed: a table with a verdict for every published number.

A :class:`Check` pairs a number as printed with the same number recomputed from
other printed numbers, and states the tolerance within which the two count as the
same. :func:`audit` turns a list of checks into a table a chapter can show.

Verdicts
    ``consistent`` – the difference is within the stated tolerance (by default half a
    unit in the last printed decimal place, i.e. rounding);
    ``inconsistent`` – it is not;
    ``not checkable`` – nothing printed lets us recompute the number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import _checks as chk
from .recompute import percentage

__all__ = ["CONSISTENT", "INCONSISTENT", "NOT_CHECKABLE", "VERDICTS", "rounding_tolerance", "Check",
           "check_percentage", "audit", "verdict_counts", "style_audit", "ratio_consistency"]

CONSISTENT = "consistent"
INCONSISTENT = "inconsistent"
NOT_CHECKABLE = "not checkable"
VERDICTS = (CONSISTENT, INCONSISTENT, NOT_CHECKABLE)


def rounding_tolerance(printed: str) -> float:
    """Half a unit in the last decimal place of a number as printed.

    ``"67.1"`` → 0.05, ``"0.0004"`` → 0.00005, ``"144"`` → 0.5. Thousands separators,
    a leading ``<``/``>``, and a trailing ``%`` are ignored.
    """
    return chk.printed_number("printed", printed)[1]


@dataclass(frozen=True)
class Check:
    """One published number and its recomputation.

    ``tolerance`` is absolute, in the unit of the number. When it is ``None`` it is
    taken from ``printed`` by :func:`rounding_tolerance`.
    """

    item: str
    printed: str | None
    recomputed: float | None
    how: str
    location: str = ""
    tolerance: float | None = None
    note: str = field(default="")

    @property
    def reported(self) -> float | None:
        if self.printed is None:
            return None
        text = self.printed.strip().lstrip("<>=≤≥ ").rstrip("%").replace(",", "").replace("−", "-")
        return float(text)

    @property
    def tol(self) -> float | None:
        if self.tolerance is not None:
            return chk.non_negative("tolerance", self.tolerance)
        return None if self.printed is None else rounding_tolerance(self.printed)

    def verdict(self) -> str:
        if self.printed is None or self.recomputed is None:
            return NOT_CHECKABLE
        bound = self.printed.strip()
        reported, recomputed = self.reported, float(self.recomputed)
        if bound.startswith("<"):
            return CONSISTENT if recomputed < reported + self.tol else INCONSISTENT
        if bound.startswith(">"):
            return CONSISTENT if recomputed > reported - self.tol else INCONSISTENT
        # a tiny epsilon so that exact half-way cases count as rounding
        return CONSISTENT if abs(recomputed - reported) <= self.tol * (1 + 1e-9) else INCONSISTENT


def check_percentage(item: str, count: int, total: int, printed: str, location: str = "", note: str = "") -> Check:
    """A printed percentage against ``100 * count / total``."""
    for name, v in (("item", item), ("printed", printed), ("location", location), ("note", note)):
        chk.text(name, v)
    chk.printed_number("printed", printed, percent=True)
    return Check(
        item=item,
        printed=printed,
        recomputed=percentage(count, total),
        how=f"100 × {count}/{total}",
        location=location,
        note=note,
    )


def audit(checks: list[Check]) -> pd.DataFrame:
    """Table of checks: item, where it stands, printed, recomputed, difference, tolerance, verdict, how."""
    if not isinstance(checks, (list, tuple)) or not all(isinstance(c, Check) for c in checks):
        raise chk.ArgumentTypeError(f"checks={chk._short(checks)} is not allowed: checks must be a list of appraisal.audit.Check.")
    if not checks:
        raise ValueError("checks=[] is not allowed: checks must hold at least one Check (an audit of nothing is no audit).")
    rows = []
    for c in checks:
        diff = None if c.printed is None or c.recomputed is None else float(c.recomputed) - c.reported
        rows.append(
            {
                "item": c.item,
                "where": c.location,
                "printed": c.printed if c.printed is not None else "—",
                "recomputed": None if c.recomputed is None else float(c.recomputed),
                "difference": diff,
                "tolerance": c.tol,
                "verdict": c.verdict(),
                "how": c.how,
                "note": c.note,
            }
        )
    return pd.DataFrame(rows, columns=["item", "where", "printed", "recomputed", "difference", "tolerance", "verdict", "how", "note"])


def verdict_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many checks of an :func:`audit` table got each verdict (plain ints, for glue)."""
    if "verdict" not in getattr(table, "columns", []):
        raise ValueError("table is not allowed: table must be the DataFrame returned by audit().")
    counts = table["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


def style_audit(table: pd.DataFrame, digits: int = 3):
    """A pandas Styler that colours verdicts, for display in a chapter (HTML and LaTeX)."""
    chk.frame("table", table, ["recomputed", "difference", "tolerance", "verdict"])
    digits = chk.integer("digits", digits, low=0, high=12)
    colours = {CONSISTENT: "#d9f0d3", INCONSISTENT: "#f4cccc", NOT_CHECKABLE: "#eeeeee"}
    return (
        table.style.format({"recomputed": f"{{:.{digits}g}}", "difference": f"{{:+.{digits}g}}", "tolerance": "{:.2g}"}, na_rep="—")
        .map(lambda v: f"background-color: {colours.get(v, '')}", subset=["verdict"])
        .hide(axis="index")
    )


def ratio_consistency(table: str, stem: str, label: str, level: float = 0.95) -> dict:
    """Recompute a reported ratio's p from its interval, and its interval from its p.

    Reads ``STEM``, ``STEM_lower``, ``STEM_upper`` and ``STEM_p`` from the reported-layout
    table ``table`` in ``data/`` and returns one row (a dict of plain values) with the
    standard error of the log ratio, the recomputed p, the printed p and the interval
    recomputed from the printed p (Altman & Bland, BMJ 2011;343:d2304 and d2090).
    """
    from .data import printed, reported, value
    from .recompute import ratio_ci_from_p, test_from_ratio_ci

    chk.text("table", table, empty=False)
    chk.text("stem", stem, empty=False)
    chk.text("label", label)
    known = reported(table).index
    missing = [f"{stem}{s}" for s in ("", "_lower", "_upper", "_p") if f"{stem}{s}" not in known]
    if missing:
        raise ValueError(f"stem={stem!r} is not allowed: table {table!r} lacks the quantities {missing}.")

    est, lo, hi = (value(table, f"{stem}{s}") for s in ("", "_lower", "_upper"))
    r = test_from_ratio_ci(est, lo, hi, level)
    back = ratio_ci_from_p(est, value(table, f"{stem}_p"), level)
    return {
        "result": label,
        "estimate (95% CI)": f"{printed(table, stem)} ({printed(table, stem + '_lower')}–{printed(table, stem + '_upper')})",
        "SE of log ratio": float(r.se),
        "p recomputed": float(r.p),
        "p printed": printed(table, f"{stem}_p"),
        "95% CI recomputed from p": f"{back[0]:.2f}–{back[1]:.2f}",
    }
