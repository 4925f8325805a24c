"""Figures of the multiple-sclerosis chapter (each draws on a Matplotlib axes it is given)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import _checks as chk

__all__ = ["crossover_design", "compatibility", "category_intervals"]


def crossover_design(ax, msc_first: int, placebo_first: int, crossover_week: float, followup_weeks: float,
                     scan_weeks=(4, 12, 24)) -> None:
    """Draw a two-sequence, two-period crossover: who got what when, and when the MRI scans fell.

    Scans of the first period are drawn at ``scan_weeks``; the second period is drawn with
    the same offsets after the crossover (hollow markers), an assumption the caption states.
    """
    msc_first = chk.integer("msc_first", msc_first, low=1)
    placebo_first = chk.integer("placebo_first", placebo_first, low=1)
    crossover_week = chk.positive("crossover_week", crossover_week)
    followup_weeks = chk.positive("followup_weeks", followup_weeks)
    if followup_weeks <= crossover_week:
        raise ValueError(f"followup_weeks={followup_weeks!r} is not allowed: followup_weeks must exceed crossover_week={crossover_week!r}.")
    colours = {"MSC": "#1f77b4", "placebo": "#bbbbbb"}
    rows = [(f"MSC → placebo\n(n = {msc_first})", ["MSC", "placebo"]),
            (f"placebo → MSC\n(n = {placebo_first})", ["placebo", "MSC"])]
    for y, (label, arms) in zip((1, 0), rows):
        for k, arm in enumerate(arms):
            start = 0 if k == 0 else crossover_week
            end = crossover_week if k == 0 else followup_weeks
            ax.barh(y, end - start, left=start, height=0.5, color=colours[arm], edgecolor="k", lw=0.6)
            ax.text((start + end) / 2, y, arm, ha="center", va="center", fontsize=9,
                    color="white" if arm == "MSC" else "black", fontweight="bold")
        ax.plot([0, crossover_week], [y + 0.32] * 2, "v", color="k", ms=6)
        ax.plot(list(scan_weeks), [y - 0.32] * len(scan_weeks), "^", color="#d62728", ms=6)
        ax.plot([crossover_week + s for s in scan_weeks], [y - 0.32] * len(scan_weeks), "^", mfc="none",
                color="#d62728", ms=6)
    ax.axvline(crossover_week, color="k", ls="--", lw=0.8)
    ax.set_yticks([1, 0])
    ax.set_yticklabels([r[0] for r in rows])
    ax.set_ylim(-0.7, 1.7)
    ax.set_xlim(-1, followup_weeks + 1)
    ax.set_xticks(sorted({0, *scan_weeks, crossover_week, followup_weeks}))
    ax.set_xlabel("weeks since randomization")
    ax.grid(False)
    ax.text(0.5, 1.0, "▼ infusion (MSC or placebo)     ▲ MRI scan (filled: reported weeks; hollow: assumed)",
            transform=ax.transAxes, ha="center", va="bottom", fontsize=8)


def compatibility(ax, curve: pd.DataFrame, estimate: float, lower: float, upper: float,
                  marks=(0.5, 0.7)) -> None:
    """Draw a p-value (compatibility) curve on a log ratio axis with the interval and marked ratios."""
    if not isinstance(curve, pd.DataFrame) or not {"ratio", "p"} <= set(curve.columns):
        raise ValueError("curve is not allowed: curve must be the DataFrame from equivalence.compatibility_curve().")
    ax.plot(curve["ratio"], curve["p"], color="#1f77b4", lw=1.8)
    ax.hlines(0.05, lower, upper, color="#d62728", lw=4)
    ax.text(upper * 1.04, 0.05, "95% interval", color="#d62728", va="center", fontsize=8)
    ax.axvline(1.0, color="k", lw=0.8, ls=":")
    ax.plot([estimate], [1.0], "o", color="#1f77b4")
    for m in marks:
        p = float(np.interp(math.log(m), np.log(curve["ratio"]), curve["p"]))
        ax.plot([m], [p], "s", color="#ff7f0e")
        ax.annotate(f"ratio {m:g}: p = {p:.2f}", (m, p), xytext=(-8, 6), textcoords="offset points", fontsize=8,
                    ha="right")
    ax.set_xscale("log")
    ticks = [0.3, 0.5, 0.7, 1, 1.5, 2, 3]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlim(curve["ratio"].min(), curve["ratio"].max())
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("hypothesised true rate ratio, MSC vs placebo (log scale)")
    ax.set_ylabel("two-sided p-value")


def category_intervals(ax, table: pd.DataFrame, label_col: str = "study") -> None:
    """Percent improved / stable / worse with 95% intervals, one group of points per study."""
    need = {label_col, "category", "percent", "ci_low_%", "ci_high_%"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise ValueError(f"table is not allowed: table must have the columns {sorted(need)}.")
    cats = ["improved", "stable", "worse"]
    groups = list(dict.fromkeys(table[label_col]))
    width = 0.8 / len(groups)
    markers = ["o", "s", "D", "^", "v"]
    for g, (name, marker) in enumerate(zip(groups, markers)):
        sub = table[table[label_col] == name].set_index("category")
        xs, ys, lo, hi = [], [], [], []
        for i, c in enumerate(cats):
            if c in sub.index:
                xs.append(i - 0.4 + width * (g + 0.5))
                ys.append(sub.loc[c, "percent"])
                lo.append(sub.loc[c, "percent"] - sub.loc[c, "ci_low_%"])
                hi.append(sub.loc[c, "ci_high_%"] - sub.loc[c, "percent"])
        ax.errorbar(xs, ys, yerr=[lo, hi], fmt=marker, capsize=3, label=name, ms=5)
    ax.set_xticks(range(len(cats)))
    ax.set_xticklabels(cats)
    ax.set_ylim(0, 100)
    ax.set_ylabel("patients (%, Wilson 95% CI)")
    ax.set_xlabel("EDSS category at follow-up")
    ax.legend(fontsize=7, loc="upper right")
