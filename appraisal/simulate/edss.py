"""EDSS "improved / stable / worse" counts in an uncontrolled series when treatment does nothing.

Model (a teaching null model, not a fitted natural history):

* each patient's true disability at entry is drawn uniformly between ``baseline_low``
  and ``baseline_high`` (EDSS units);
* it drifts upward by ``progression`` EDSS points per year, for ``years``;
* each examination adds rater (and day-to-day) noise, normal with SD ``rater_sd``
  EDSS points, independently at entry and at follow-up;
* optionally, the entry examination carries a temporary excess of ``entry_excess``
  points (patients enrolled during or soon after a relapse, or because they had just
  worsened) that has resolved by follow-up: regression to the mean built in;
* the examiner reports the nearest EDSS step (0, 1.0, 1.5, …, 10; Kurtzke, Neurology
  1983;33:1444–52), using :data:`appraisal.scales.EDSS_STEPS`. The latent value is kept
  within the scale's range [0, 10] before rounding, since no score lies outside it.

A patient is "worse" if the follow-up score exceeds the entry score by at least the
threshold, "improved" if it is lower by at least the threshold, otherwise "stable".
Thresholds: ``"half"`` (any change of one half step or more) or ``"standard"`` (1.0
point when the entry score is at most 5.5, 0.5 above it: the usual definition of a
clinically meaningful EDSS change, Kragt et al., Mult Scler 2006;12:782–6, applied here
in both directions, to improvement as to worsening).

The uncontrolled studies do not say which threshold they used; the point of the model
is that with no treatment effect at all, noise and rounding alone give all three
categories.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _checks as chk
from ..data import reported
from ..recompute import proportion_ci
from ..scales import EDSS_STEPS
from . import rng

__all__ = ["THRESHOLDS", "CATEGORIES", "round_to_steps", "EDSSResult", "simulate_series", "null_grid", "reported_outcomes"]

THRESHOLDS = ("half", "standard")
CATEGORIES = ("improved", "stable", "worse")
_STEPS = np.asarray(EDSS_STEPS, dtype=float)
_MIDPOINTS = (_STEPS[1:] + _STEPS[:-1]) / 2


def round_to_steps(values) -> np.ndarray:
    """Vectorized nearest EDSS step for latent values in [0, 10] (ties go up).

    Same steps as :func:`appraisal.scales.edss_round`, for arrays.
    """
    arr = chk.array("values", values, low=0.0, high=10.0)
    return _STEPS[np.searchsorted(_MIDPOINTS, arr, side="right")]


@dataclass(frozen=True)
class EDSSResult:
    """Simulated entry and follow-up scores and the category counts."""

    entry: np.ndarray
    follow_up: np.ndarray
    category: np.ndarray  # strings from CATEGORIES
    counts: dict[str, int]
    params: dict

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """Counts, percentages and Wilson intervals per category."""
        n = len(self.category)
        rows = []
        for c in CATEGORIES:
            k = self.counts[c]
            lo, hi = proportion_ci(k, n, level)
            rows.append({"category": c, "count": k, "percent": 100 * k / n, "ci_low_%": 100 * lo, "ci_high_%": 100 * hi})
        return pd.DataFrame(rows)


def simulate_series(
    n: int = 22, rater_sd: float = 0.5, progression: float = 0.1, years: float = 1.0,
    threshold: str = "half", baseline_low: float = 3.0, baseline_high: float = 6.5, seed: int = 0,
    entry_excess: float = 0.0,
) -> EDSSResult:
    """Simulate one uncontrolled series of ``n`` untreated patients (see the module docstring)."""
    n = chk.integer("n", n, low=1, high=1_000_000)
    rater_sd = chk.non_negative("rater_sd", rater_sd)
    progression = chk.in_range("progression", progression, -2.0, 2.0)
    years = chk.non_negative("years", years)
    entry_excess = chk.in_range("entry_excess", entry_excess, 0.0, 3.0)
    chk.one_of("threshold", threshold, THRESHOLDS)
    baseline_low = chk.in_range("baseline_low", baseline_low, 0.0, 10.0)
    baseline_high = chk.in_range("baseline_high", baseline_high, 0.0, 10.0)
    if baseline_high < baseline_low:
        raise ValueError(
            f"baseline_high={baseline_high!r} is not allowed: baseline_high must be at least baseline_low={baseline_low!r}."
        )
    g = rng(seed)
    true0 = g.uniform(baseline_low, baseline_high, n)
    true1 = true0 + progression * years
    entry = round_to_steps(np.clip(true0 + entry_excess + g.normal(0, 1, n) * rater_sd, 0, 10))
    follow = round_to_steps(np.clip(true1 + g.normal(0, 1, n) * rater_sd, 0, 10))
    change = follow - entry
    if threshold == "half":
        step = np.full(n, 0.5)
    else:
        step = np.where(entry <= 5.5, 1.0, 0.5)
    eps = 1e-9
    cat = np.where(change >= step - eps, "worse", np.where(change <= -step + eps, "improved", "stable"))
    counts = {c: int((cat == c).sum()) for c in CATEGORIES}
    params = dict(n=n, rater_sd=rater_sd, progression=progression, years=years, threshold=threshold,
                  baseline_low=baseline_low, baseline_high=baseline_high, seed=seed, entry_excess=entry_excess)
    return EDSSResult(entry, follow, cat, counts, params)


def null_grid(rater_sds=(0.3, 0.5, 0.8), entry_excesses=(0.0, 0.25, 0.5), thresholds=THRESHOLDS,
              n: int = 2000, progression: float = 0.1, years: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Percent improved / stable / worse in untreated series over a grid of the unknown settings.

    One row per combination of rater noise, entry excess and threshold, each simulated by
    :func:`simulate_series` with its own seed (``seed`` + row number), so the range over
    the grid, not one chosen setting, is what a reading can rest on.
    """
    rater_sds = [chk.in_range(f"rater_sds[{i}]", v, 0.0, 5.0)
                 for i, v in enumerate(chk.string_list("rater_sds", rater_sds, min_len=1))]
    entry_excesses = [chk.in_range(f"entry_excesses[{i}]", v, 0.0, 5.0)
                      for i, v in enumerate(chk.string_list("entry_excesses", entry_excesses, min_len=1))]
    thresholds = chk.string_list("thresholds", thresholds, min_len=1)
    seed = chk.seed("seed", seed)
    chk.size_limit("len(rater_sds) × len(entry_excesses) × len(thresholds)",
                   len(rater_sds) * len(entry_excesses) * len(thresholds), 200, "simulated settings")
    if not thresholds or any(t not in THRESHOLDS for t in thresholds):
        raise ValueError(f"thresholds={thresholds!r} is not allowed: each must be one of {THRESHOLDS}.")
    rows = []
    i = 0
    for sd in rater_sds:
        for ex in entry_excesses:
            for th in thresholds:
                res = simulate_series(n=n, rater_sd=sd, progression=progression, years=years, threshold=th,
                                      entry_excess=ex, seed=seed + i)
                i += 1
                rows.append({"rater_sd": float(sd), "entry_excess": float(ex), "threshold": th,
                             **{c: 100 * res.counts[c] / n for c in CATEGORIES}})
    return pd.DataFrame(rows)


def reported_outcomes() -> pd.DataFrame:
    """The uncontrolled studies' EDSS categories as one tidy table, from ``data/ms_uncontrolled_results``.

    One row per study and category, with the number assessed, the number who entered,
    the percentage of those assessed, and where it stands. A single study's row carries
    its Wilson 95% interval; the review's counts are pooled across heterogeneous
    uncontrolled studies whose patients may overlap (the single series may be inside the
    review's totals), so they are not one binomial sample and get no interval (NaN).
    """
    t = reported("ms_uncontrolled_results")
    studies = [
        ("Systematic review (uncontrolled studies, pooled)", True, "review_edss_improved", "review_edss_stable",
         "review_edss_worse", None),
        ("Bonab 2012, 12 months", False, "bonab_improved", "bonab_unchanged", "bonab_worse", "bonab_treated"),
    ]
    rows = []
    for label, pooled, qi, qs, qw, q_entered in studies:
        counts = {c: int(t.loc[q, "value"]) for c, q in zip(CATEGORIES, (qi, qs, qw))}
        assessed = sum(counts.values())
        entered = int(t.loc[q_entered, "value"]) if q_entered else None
        for c, q in zip(CATEGORIES, (qi, qs, qw)):
            lo, hi = (np.nan, np.nan) if pooled else proportion_ci(counts[c], assessed)
            rows.append({"study": label, "category": c, "count": counts[c], "assessed": assessed,
                         "entered": entered, "percent": 100 * counts[c] / assessed,
                         "ci_low_%": 100 * lo, "ci_high_%": 100 * hi, "location": t.loc[q, "location"]})
    worse, completed = int(t.loc["iacobaeus_worse_48w", "value"]), int(t.loc["iacobaeus_completed_48w", "value"])
    lo, hi = proportion_ci(worse, completed)
    rows.append({"study": "Iacobaeus 2019, 48 weeks", "category": "worse", "count": worse, "assessed": completed,
                 "entered": int(t.loc["iacobaeus_treated", "value"]), "percent": 100 * worse / completed,
                 "ci_low_%": 100 * lo, "ci_high_%": 100 * hi, "location": t.loc["iacobaeus_worse_48w", "location"]})
    return pd.DataFrame(rows)
