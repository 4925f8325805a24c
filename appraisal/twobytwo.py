"""Rebuild the 2×2 tables behind printed percentages, and what they imply.

Trial reports often print "33% vs 28%" with the arm sizes but not the counts. Because
a percentage is a rounded count divided by a known denominator, only a few counts are
possible (the idea behind the GRIM test: Brown NJL, Heathers JAJ. Soc Psychol
Personal Sci 2017;8:363–9). When even the arm sizes are missing, as for a subgroup
whose total alone is printed, every split of the total can be tried.

From each consistent table the odds ratio, its Woolf (log) interval and Wald p are
computed by :class:`statsmodels.stats.contingency_tables.Table2x2`, Fisher's exact p
by :func:`scipy.stats.fisher_exact`, and Pearson's χ² p by statsmodels. These are
*unadjusted* analyses: a published odds ratio from a covariate-adjusted logistic
model, or one that imputes missing outcomes, will differ from them, and the chapter
says so instead of forcing agreement.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2

from . import _checks as chk
from .audit import rounding_tolerance

__all__ = [
    "counts_for_percentage",
    "OddsRatio",
    "odds_ratio_2x2",
    "implied_odds_ratio",
    "two_arm_tables",
    "consistent_splits",
    "Interaction",
    "interaction_test",
    "power_two_proportions",
    "compact",
]


#: largest arm size: counts_for_percentage tries every count 0..n (memory and time grow with n)
MAX_ARM = 1_000_000
#: largest subgroup total for consistent_splits, which tries every split and every count (quadratic in n_total)
MAX_SPLIT_TOTAL = 500


def _percent_value(name: str, printed: str) -> float:
    return chk.printed_number(name, printed, percent=True)[0]


def counts_for_percentage(printed: str, n: int) -> list[int]:
    """Every count ``k`` of ``n`` whose percentage rounds to the printed one.

    ``printed`` is the percentage as printed ("33%", "34.7"); the tolerance is half a
    unit in its last decimal place (:func:`appraisal.audit.rounding_tolerance`), so
    "33%" accepts 32.5 ≤ 100k/n ≤ 33.5. ``n`` is at most :data:`MAX_ARM` (1,000,000).

    >>> counts_for_percentage("33%", 95)
    [31]
    """
    value = _percent_value("printed", printed)
    n = chk.integer("n", n, low=1, high=MAX_ARM)
    tol = rounding_tolerance(printed.strip())
    k = np.arange(n + 1)
    ok = np.abs(100.0 * k / n - value) <= tol * (1 + 1e-9)
    return [int(x) for x in k[ok]]


@dataclass(frozen=True)
class OddsRatio:
    """Unadjusted odds ratio of arm 1 vs arm 2 from a 2×2 table, with interval and p-values."""

    k1: int
    n1: int
    k2: int
    n2: int
    pct1: float
    pct2: float
    odds_ratio: float
    lower: float
    upper: float
    p_wald: float
    p_chi2: float
    p_fisher: float


def odds_ratio_2x2(k1: int, n1: int, k2: int, n2: int, level: float = 0.95) -> OddsRatio:
    """Odds ratio (arm 1 vs arm 2) of ``k1/n1`` and ``k2/n2`` events, by statsmodels and scipy.

    Interval: Woolf's log-odds-ratio interval (``Table2x2.oddsratio_confint``); p: the Wald
    test of the log odds ratio (``oddsratio_pvalue``), Pearson's χ² without continuity
    correction, and Fisher's exact test. A table with an empty cell gets 0.5 added to
    every cell (statsmodels' ``shift_zeros``) so the ratio stays finite.
    """
    k1, n1 = chk.count_within("k1", k1, "n1", n1, max_total=MAX_ARM)
    k2, n2 = chk.count_within("k2", k2, "n2", n2, max_total=MAX_ARM)
    level = chk.probability("level", level)
    cells = np.array([[k1, n1 - k1], [k2, n2 - k2]], dtype=float)
    table = Table2x2(cells, shift_zeros=True)
    lo, hi = table.oddsratio_confint(alpha=1 - level)
    p_chi2 = table.test_nominal_association().pvalue if (k1 + k2) not in (0, n1 + n2) else 1.0
    return OddsRatio(
        k1=k1, n1=n1, k2=k2, n2=n2,
        pct1=100.0 * k1 / n1, pct2=100.0 * k2 / n2,
        odds_ratio=float(table.oddsratio), lower=float(lo), upper=float(hi),
        p_wald=float(table.oddsratio_pvalue()), p_chi2=float(p_chi2),
        p_fisher=float(stats.fisher_exact(cells.astype(int))[1]) if (cells >= 0).all() else float("nan"),
    )


def implied_odds_ratio(pct1: float, pct2: float) -> float:
    """Odds ratio implied by two percentages alone: (p1/(1−p1)) / (p2/(1−p2)).

    >>> round(implied_odds_ratio(35, 16), 2)
    2.83
    """
    p1 = chk.in_range("pct1", pct1, 0.0, 100.0, low_inclusive=False, high_inclusive=False) / 100
    p2 = chk.in_range("pct2", pct2, 0.0, 100.0, low_inclusive=False, high_inclusive=False) / 100
    return (p1 / (1 - p1)) / (p2 / (1 - p2))


def two_arm_tables(printed1: str, n1: int, printed2: str, n2: int, level: float = 0.95) -> pd.DataFrame:
    """All 2×2 tables consistent with two printed percentages and known arm sizes.

    One row per pair of counts (usually one or two), with the odds ratio, interval and
    p-values of :func:`odds_ratio_2x2`. Empty if no count fits (a GRIM-type
    inconsistency).
    """
    _percent_value("printed1", printed1)
    _percent_value("printed2", printed2)
    n1 = chk.integer("n1", n1, low=1, high=MAX_ARM)
    n2 = chk.integer("n2", n2, low=1, high=MAX_ARM)
    rows = [asdict(odds_ratio_2x2(a, n1, b, n2, level))
            for a in counts_for_percentage(printed1, n1) for b in counts_for_percentage(printed2, n2)]
    return pd.DataFrame(rows, columns=list(OddsRatio.__dataclass_fields__))


def consistent_splits(n_total: int, printed1: str, printed2: str, min_arm: int = 1, level: float = 0.95) -> pd.DataFrame:
    """Every split of ``n_total`` into two arms, and counts, that reproduce both printed percentages.

    Use it when a report prints a subgroup's total size and the two percentages but not
    the arm sizes. ``min_arm`` is the smallest arm size tried (≥ 1). Every split and every
    count is tried, so the work grows with the square of ``n_total``: it is limited to
    :data:`MAX_SPLIT_TOTAL` (500, about two seconds).
    """
    n_total = chk.integer("n_total", n_total, low=2, high=MAX_SPLIT_TOTAL)
    min_arm = chk.integer("min_arm", min_arm, low=1, high=n_total // 2)
    _percent_value("printed1", printed1)
    _percent_value("printed2", printed2)
    frames = [two_arm_tables(printed1, n1, printed2, n_total - n1, level) for n1 in range(min_arm, n_total - min_arm + 1)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(OddsRatio.__dataclass_fields__))
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class Interaction:
    """Ratio of two odds ratios (subgroup vs the rest) with its interval and p."""

    ratio: float
    lower: float
    upper: float
    z: float
    p: float


def interaction_test(a: OddsRatio, b: OddsRatio, level: float = 0.95) -> Interaction:
    """Do two odds ratios differ? Ratio of odds ratios, its interval and two-sided p.

    Altman DG, Bland JM. Interaction revisited: the difference between two estimates.
    BMJ 2003;326:219: log ratio = log OR_a − log OR_b, SE = sqrt(SE_a² + SE_b²) with each
    SE the Woolf SE from statsmodels (``Table2x2.log_oddsratio_se``); p from the normal.
    A subgroup claim rests on this test, not on the subgroup's own p-value.
    """
    chk.instance("a", a, OddsRatio, "OddsRatio from odds_ratio_2x2()")
    chk.instance("b", b, OddsRatio, "OddsRatio from odds_ratio_2x2()")
    level = chk.probability("level", level)

    def log_se(r: OddsRatio) -> float:
        t = Table2x2(np.array([[r.k1, r.n1 - r.k1], [r.k2, r.n2 - r.k2]], dtype=float), shift_zeros=True)
        return float(t.log_oddsratio_se)

    diff = np.log(a.odds_ratio) - np.log(b.odds_ratio)
    se = float(np.hypot(log_se(a), log_se(b)))
    z = float(diff / se)
    zc = float(stats.norm.isf((1 - level) / 2))
    return Interaction(float(np.exp(diff)), float(np.exp(diff - zc * se)), float(np.exp(diff + zc * se)), z,
                       float(2 * stats.norm.sf(abs(z))))


def power_two_proportions(p1: float, p2: float, n1: int, n2: int, alpha: float = 0.05) -> float:
    """Power of a two-sided test comparing two proportions, by statsmodels.

    Uses Cohen's effect size h = 2·asin(√p1) − 2·asin(√p2)
    (:func:`statsmodels.stats.proportion.proportion_effectsize`) and
    :class:`statsmodels.stats.power.NormalIndPower` with ``ratio = n2/n1``.
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    p1 = chk.probability("p1", p1)
    p2 = chk.probability("p2", p2)
    n1 = chk.integer("n1", n1, low=2)
    n2 = chk.integer("n2", n2, low=2)
    alpha = chk.probability("alpha", alpha)
    h = proportion_effectsize(p1, p2)
    return float(NormalIndPower().power(effect_size=abs(h), nobs1=n1, alpha=alpha, ratio=n2 / n1, alternative="two-sided"))


def compact(frame: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """A narrow, readable view of tables from :func:`two_arm_tables` / :func:`consistent_splits`.

    One column "responders" ("31/95 vs 26/94"), one "odds ratio (95% CI)", the Wald
    and Fisher p-values; a ``source`` column, if present, is kept first.
    """
    need = ["k1", "n1", "k2", "n2", "odds_ratio", "lower", "upper", "p_wald", "p_fisher"]
    chk.frame("frame", frame, need, numeric=need)
    digits = chk.integer("digits", digits, low=0, high=6)
    out = pd.DataFrame({
        "responders (treated vs placebo)": [f"{int(r.k1)}/{int(r.n1)} vs {int(r.k2)}/{int(r.n2)}" for r in frame.itertuples()],
        "odds ratio (95% CI)": [f"{r.odds_ratio:.{digits}f} ({r.lower:.{digits}f} to {r.upper:.{digits}f})" for r in frame.itertuples()],
        "p (Wald)": [f"{r.p_wald:.{digits}f}" for r in frame.itertuples()],
        "p (Fisher)": [f"{r.p_fisher:.{digits}f}" for r in frame.itertuples()],
    })
    if "source" in frame.columns:
        out.insert(0, "percentages from", list(frame["source"]))
    return out
