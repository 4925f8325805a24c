"""How alike are matched groups? Balance tables, standardized differences and tolerance tables.

A matched comparison is only as good as the similarity of the groups it compares on
the characteristics that affect the outcome. This module rebuilds a published
"patient characteristics" table from its counts, puts a standardized difference
beside every characteristic (Austin PC. Balance diagnostics for comparing the
distribution of baseline covariates between treatment groups in propensity-score
matched samples. Stat Med 2009;28:3083–3107), estimates means and SDs of
characteristics printed only as medians with quartiles and range (Wan et al., BMC Med
Res Methodol 2014;14:135, via :func:`appraisal.recompute.mean_sd_from_quantiles`) and
turns statements such as "52 of 67 pairs were within ±5 years" into proportions with
confidence intervals.

All functions are pure; the tables they take are the ones in ``data/`` (see
:mod:`appraisal.data`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _checks as chk
from .recompute import mean_sd_from_quantiles, percentage, proportion_ci, std_diff_means, std_diff_proportions

__all__ = [
    "IMBALANCE_THRESHOLD",
    "rebuild_categorical",
    "category_sums",
    "summarize_continuous",
    "balance_table",
    "Tolerance",
    "tolerance_table",
    "love_plot",
    "QUANTILE_MEAN_WEIGHTS",
    "extreme_value_leverage",
    "replace_statistic",
]

#: weight of each printed statistic in the Wan et al. 2014 mean estimate, by the numbers used:
#: all five (scenario C2: (a + 2q1 + 2m + 2q3 + b) / 8), quartiles (C3: (q1 + m + q3) / 3),
#: range (C1: (a + 2m + b) / 4). The weights do not depend on the sample size.
QUANTILE_MEAN_WEIGHTS = {
    "all": {"min": 1 / 8, "q1": 2 / 8, "median": 2 / 8, "q3": 2 / 8, "max": 1 / 8},
    "quartiles": {"q1": 1 / 3, "median": 1 / 3, "q3": 1 / 3},
    "range": {"min": 1 / 4, "median": 2 / 4, "max": 1 / 4},
}

#: A standardized difference above this is usually read as a sign of imbalance (Austin 2009).
IMBALANCE_THRESHOLD = 0.1

_CATEGORICAL_COLUMNS = ("characteristic", "level", "group", "count", "denominator", "printed_percent")
_CONTINUOUS_COLUMNS = ("characteristic", "group", "statistic", "value")


_NUMERIC = ("count", "denominator", "value", "std_diff")


def _need_columns(name: str, frame, columns) -> pd.DataFrame:
    return chk.frame(name, frame, columns, numeric=[c for c in columns if c in _NUMERIC])


def rebuild_categorical(table: pd.DataFrame) -> pd.DataFrame:
    """A categorical characteristics table with each printed percentage recomputed from its count.

    ``table`` has the columns of ``data/barczewska2020_table1.csv``. The result adds
    ``recomputed`` (100 × count / denominator), ``difference`` (recomputed − printed)
    and ``matches_rounding`` (within half a unit of the printed last decimal).
    """
    t = _need_columns("table", table, _CATEGORICAL_COLUMNS).copy()
    t["printed"] = t["printed_percent"].astype(str)
    t["recomputed"] = [percentage(int(c), int(n)) for c, n in zip(t["count"], t["denominator"])]
    t["difference"] = t["recomputed"] - t["printed"].astype(float)
    t["matches_rounding"] = t["difference"].abs() <= 0.05 * (1 + 1e-9)
    return t[["characteristic", "level", "group", "count", "denominator", "printed", "recomputed", "difference",
              "matches_rounding"]].reset_index(drop=True)


def category_sums(table: pd.DataFrame) -> pd.DataFrame:
    """For each characteristic and group: the sum of the counts and of the printed percentages.

    Complete categories must add up to the denominator and to 100% (within rounding of
    the parts: at most half a unit per printed percentage).
    """
    t = _need_columns("table", table, _CATEGORICAL_COLUMNS).copy()
    t["printed_value"] = t["printed_percent"].astype(float)
    g = t.groupby(["characteristic", "group"], sort=False)
    out = g.agg(levels=("level", "size"), count_sum=("count", "sum"), denominator=("denominator", "first"),
                printed_percent_sum=("printed_value", "sum")).reset_index()
    out["count_sum"] = out["count_sum"].astype(int)
    out["denominator"] = out["denominator"].astype(int)
    out["printed_percent_sum"] = out["printed_percent_sum"].round(1)
    out["counts_complete"] = out["count_sum"] == out["denominator"]
    out["percent_complete"] = (out["printed_percent_sum"] - 100).abs() <= 0.05 * out["levels"] + 1e-9
    return out


_USES = {"all": ("q1", "q3", "min", "max"), "quartiles": ("q1", "q3"), "range": ("min", "max")}


def summarize_continuous(table: pd.DataFrame, n: dict[str, int], use: str = "all") -> pd.DataFrame:
    """Estimated mean and SD of each continuous characteristic from its median, quartiles and range.

    Uses Wan et al. 2014 through :func:`appraisal.recompute.mean_sd_from_quantiles`:
    ``use="all"`` is their scenario C2 (median, quartiles and range), ``"quartiles"``
    scenario C3, ``"range"`` scenario C1. The estimators assume a roughly normal
    (symmetric) distribution; for skewed quantities, or when a few extreme values
    stretch the range, the scenarios can disagree. ``n`` maps each group to its size.
    """
    t = _need_columns("table", table, _CONTINUOUS_COLUMNS)
    chk.one_of("use", use, list(_USES))
    if not isinstance(n, dict) or not n:
        raise ValueError(f"n={n!r} is not allowed: n must map each group to its size, e.g. {{'treated': 67}}.")
    rows = []
    for (char, group), sub in t.groupby(["characteristic", "group"], sort=False):
        if group not in n:
            raise ValueError(f"n={n!r} is not allowed: n has no size for group {group!r}.")
        size = chk.integer(f"n[{group!r}]", n[group], low=2)
        s = dict(zip(sub["statistic"], sub["value"].astype(float)))
        need = {"median", "q1", "q3", "min", "max"} - set(s)
        if need:
            raise ValueError(f"table is not allowed: {char}/{group} lacks the statistics {sorted(need)}.")
        keep = _USES[use]
        mean, sd = mean_sd_from_quantiles(
            size, s["median"],
            q1=s["q1"] if "q1" in keep else None, q3=s["q3"] if "q3" in keep else None,
            minimum=s["min"] if "min" in keep else None, maximum=s["max"] if "max" in keep else None)
        rows.append({"characteristic": char, "group": group, "n": size, "median": s["median"], "q1": s["q1"],
                     "q3": s["q3"], "min": s["min"], "max": s["max"], "mean_est": mean, "sd_est": sd})
    return pd.DataFrame(rows)


def balance_table(categorical: pd.DataFrame, continuous: pd.DataFrame | None = None,
                  groups: tuple[str, str] = ("treated", "reference"), use: str = "all") -> pd.DataFrame:
    """Standardized difference (first group minus second) for every characteristic.

    Categorical levels use recomputed proportions (count / denominator) and
    :func:`appraisal.recompute.std_diff_proportions`; continuous characteristics use the
    Wan et al. 2014 mean and SD estimates (``use`` as in :func:`summarize_continuous`)
    and :func:`appraisal.recompute.std_diff_means`.
    The column ``imbalanced`` is ``|d| > 0.1`` (Austin 2009).
    """
    _need_columns("categorical", categorical, _CATEGORICAL_COLUMNS)
    if continuous is not None:
        _need_columns("continuous", continuous, _CONTINUOUS_COLUMNS)
    chk.one_of("use", use, list(_USES))
    if not (isinstance(groups, tuple) and len(groups) == 2 and groups[0] != groups[1]):
        raise ValueError(f"groups={groups!r} is not allowed: groups must be two different group names.")
    a, b = groups
    present = set(categorical["group"])
    for g in groups:
        if g not in present:
            raise ValueError(f"groups={groups!r} is not allowed: group {g!r} is not in the table (it has {sorted(present)}).")
    rows = []
    for (char, level), sub in categorical.groupby(["characteristic", "level"], sort=False):
        by = {r["group"]: (int(r["count"]), int(r["denominator"])) for _, r in sub.iterrows()}
        pa, pb = by[a][0] / by[a][1], by[b][0] / by[b][1]
        rows.append({"characteristic": f"{char}: {level}", "kind": "proportion",
                     f"{a}": 100 * pa, f"{b}": 100 * pb, "std_diff": std_diff_proportions(pa, pb)})
    if continuous is not None:
        n = {g: int(categorical.loc[categorical["group"] == g, "denominator"].iloc[0]) for g in groups}
        est = summarize_continuous(continuous, n, use).set_index(["characteristic", "group"])
        label = {"all": "Wan 2014, all five", "quartiles": "Wan 2014, quartiles", "range": "Wan 2014, range"}[use]
        for char in dict.fromkeys(continuous["characteristic"]):
            ea, eb = est.loc[(char, a)], est.loc[(char, b)]
            rows.append({"characteristic": f"{char} (mean, {label})", "kind": "mean",
                         f"{a}": float(ea["mean_est"]), f"{b}": float(eb["mean_est"]),
                         "std_diff": std_diff_means(ea["mean_est"], ea["sd_est"], eb["mean_est"], eb["sd_est"])})
    out = pd.DataFrame(rows)
    out["imbalanced"] = out["std_diff"].abs() > IMBALANCE_THRESHOLD
    return out


@dataclass(frozen=True)
class Tolerance:
    """One matching-tolerance statement: ``count`` of ``total`` pairs within ``label``."""

    label: str
    count: int
    total: int
    printed_percent: str | None = None


def tolerance_table(statements: list[Tolerance], level: float = 0.95) -> pd.DataFrame:
    """Proportion of pairs within each tolerance, recomputed, with a Wilson interval.

    The interval treats the pairs as a sample from the pairs this matching procedure
    would produce; it describes how precisely the proportion is known, not whether the
    matching was adequate.
    """
    if not isinstance(statements, (list, tuple)) or not statements or not all(isinstance(s, Tolerance) for s in statements):
        raise ValueError(f"statements={statements!r} is not allowed: statements must be a non-empty list of Tolerance.")
    level = chk.probability("level", level)
    rows = []
    for s in statements:
        lo, hi = proportion_ci(s.count, s.total, level=level, method="wilson")
        rows.append({"tolerance": s.label, "pairs within": s.count, "pairs": s.total,
                     "printed %": s.printed_percent if s.printed_percent is not None else "—",
                     "recomputed %": percentage(s.count, s.total),
                     f"{round(100 * level)}% CI low %": 100 * lo, f"{round(100 * level)}% CI high %": 100 * hi})
    return pd.DataFrame(rows)


def love_plot(balance: pd.DataFrame, ax, threshold: float = IMBALANCE_THRESHOLD, muted=None,
              muted_label: str = "less reliable estimate") -> None:
    """Draw a balance ("Love") plot: one dot per characteristic at its standardized difference.

    ``muted`` (optional, one boolean per row) draws those rows as hollow grey circles,
    for estimates the reader should weigh less (labelled ``muted_label``).
    """
    _need_columns("balance", balance, ("characteristic", "std_diff"))
    threshold = chk.positive("threshold", threshold)
    chk.axes("ax", ax)
    d = balance["std_diff"].to_numpy(dtype=float)
    y = np.arange(len(d))
    if muted is not None:
        muted = chk.string_list("muted", muted)  # a list of booleans, one per row
        if not all(isinstance(m, (bool, np.bool_)) for m in muted):
            raise ValueError(f"muted={muted!r} is not allowed: it must be a list of True/False, one per row.")
    mute = np.zeros(len(d), bool) if muted is None else np.asarray(muted, dtype=bool)
    if mute.shape != d.shape:
        raise ValueError(f"muted has {mute.size} values, which is not allowed: it needs one per row ({d.size}).")
    colours = np.where(np.abs(d) > threshold, "#d62728", "#1f77b4")
    ax.axvspan(-threshold, threshold, color="#2ca02c", alpha=0.12, label=f"|d| ≤ {threshold:g}")
    ax.axvline(0, color="k", lw=0.8)
    ax.scatter(d[~mute], y[~mute], c=colours[~mute], zorder=3)
    if mute.any():
        ax.scatter(d[mute], y[mute], facecolors="none", edgecolors="#7f7f7f", zorder=3, label=muted_label)
    ax.set_yticks(y, balance["characteristic"])
    ax.set_ylim(len(d) - 0.5, -0.5)
    lim = max(0.25, float(np.abs(d).max()) * 1.2)
    ax.set_xlim(-lim, lim)
    ax.set_xlabel("standardized difference, treated − reference (SD units)")
    ax.legend(loc="lower right", fontsize=8)


def extreme_value_leverage(n: int, shift: float, use: str = "all") -> dict[str, float]:
    """How far one patient's extreme value moves an estimated mean, against how far it moves the real one.

    If the most extreme patient of ``n`` (the printed minimum or maximum) had a value
    ``shift`` units further out, the sample mean would move by ``shift / n``; a Wan et
    al. (2014) estimate that uses the range moves by ``shift`` × the weight of the
    minimum in :data:`QUANTILE_MEAN_WEIGHTS` (1/8 with all five numbers, 1/4 with the
    range alone, 0 with the quartiles), whatever ``n`` is. Returns ``sample_mean_shift``,
    ``estimate_shift`` and their ratio ``leverage`` (NaN when the estimate ignores the
    extremes).
    """
    n = chk.integer("n", n, low=2)
    shift = chk.number("shift", shift)
    chk.one_of("use", use, list(QUANTILE_MEAN_WEIGHTS))
    w = QUANTILE_MEAN_WEIGHTS[use].get("min", 0.0)
    real, est = shift / n, shift * w
    return {"sample_mean_shift": real, "estimate_shift": est,
            "leverage": est / real if real != 0 and w > 0 else float("nan")}


def replace_statistic(table: pd.DataFrame, characteristic: str, group: str, statistic: str,
                      value: float) -> pd.DataFrame:
    """A copy of a continuous-characteristics table with one printed statistic replaced (for sensitivity checks)."""
    t = _need_columns("table", table, _CONTINUOUS_COLUMNS).copy()
    value = chk.number("value", value)
    m = (t["characteristic"] == characteristic) & (t["group"] == group) & (t["statistic"] == statistic)
    if m.sum() != 1:
        raise ValueError(f"characteristic={characteristic!r}, group={group!r}, statistic={statistic!r} is not allowed: "
                         f"it matches {int(m.sum())} rows of the table; it must match exactly one.")
    t["value"] = t["value"].astype(float)
    t.loc[m, "value"] = value
    return t
