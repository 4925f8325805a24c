"""Comparisons that condition on what happened after baseline, with no treatment effect.

Barczewska et al. (Stem Cell Rev Rep 2020) compared survival of treated patients and
their matched references *within* subgroups defined by the ALSFRS-R "response": a
treated patient was a "decreased progression" responder when, over the comparison
period, they lost more than 3 points fewer than their own reference. The response is
measured after time zero, and against the reference's own later decline. Because a
slower decline goes with longer survival in ALS (Thakore et al., Muscle Nerve
2018;57:937–945), the subgroup "treated declined slower than their reference" is made
of treated patients selected for a good course and references selected for a bad one.
Their survival then differs although the treatment does nothing: a comparison
conditioned on a post-baseline variable that shares causes with the outcome (the
mechanism of the "responders versus non-responders" fallacy; Anderson JR, Cain KC,
Gelber RD. Analysis of survival by tumor response. J Clin Oncol 1983;1:710–719).

The model:

* ALSFRS-R courses, visit noise, one-to-one matching and the ±threshold response rule
  are those of :func:`appraisal.simulate.matched_pairs.simulate_matched_pairs` (no
  treatment effect by default);
* each patient's hazard of death is constant in time and depends on their true slope
  during follow-up ``b`` (points/month, negative = decline):
  ``hazard = log(2) / median_days · hr_per_point ** (mean_slope − b)``, so a patient
  declining one point/month faster than average dies ``hr_per_point`` times as fast
  (1 = survival unrelated to the course: no bias expected);
* a pair is classified only if both patients are alive at the end of the comparison
  period (``followup_months``), since the response needs their scores then; survival is
  counted from time zero, as in the paper, and drawn given survival to that point;
* follow-up ends at an administrative date, as in :mod:`appraisal.simulate.survival`
  (``min_followup_months`` plus a uniform share of ``accrual_months``), for everyone.

:func:`response_subgroup_survival` returns, for each replicate study and response
subgroup, the median survival of the treated and of their references and a test of
the difference. Because hazards are constant after the comparison period in this
model, the maximum-likelihood estimates are explicit: the death rate is deaths per
person-day after that period, the median is the period plus log(2) / rate, and the
hazard ratio is the ratio of rates with SE(log) = sqrt(1/D₁ + 1/D₂) and a Wald p (as in
:func:`appraisal.simulate.survival.exponential_hr`); this keeps thousands of studies
fast.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import _checks as chk
from . import rng
from .matched_pairs import CATEGORIES, simulate_matched_pairs
from .survival import DAYS_PER_MONTH, _rate_ratio

__all__ = ["response_subgroup_survival", "summarize_subgroups"]


def response_subgroup_survival(
    n_pairs: int = 67,
    n_studies: int = 200,
    hr_per_point: float = 2.0,
    median_days: float = 640.0,
    min_followup_months: float = 15.0,
    accrual_months: float = 48.0,
    subgroups=("decreased progression", "no change"),
    seed: int = 0,
    **pair_params,
) -> pd.DataFrame:
    """Survival of treated vs reference within response subgroups, with no treatment effect.

    ``pair_params`` go to :func:`~appraisal.simulate.matched_pairs.simulate_matched_pairs`
    (``mean_slope``, ``slope_sd``, ``noise_sd``, ``followup_months``, ``treatment_effect``,
    ...). ``n_pairs`` is the number of pairs *classified*: pairs are enrolled until that
    many have both patients alive at the end of the comparison period (as all the
    published pairs were), the others being dropped before classification. One row per study
    and subgroup: ``study``, ``subgroup``, ``pairs``, ``deaths_treated``,
    ``deaths_reference``, ``median_treated`` and ``median_reference`` (days from time
    zero; see the module docstring), ``hr`` (treated vs reference) and ``p`` (Wald, on
    the log scale). Statistics are NaN when an arm of the subgroup has no death.
    """
    from scipy import stats

    n_pairs = chk.integer("n_pairs", n_pairs, low=2, high=10_000)
    n_studies = chk.integer("n_studies", n_studies, low=1, high=20_000)
    hr_per_point = chk.in_range("hr_per_point", hr_per_point, 0.1, 20.0)
    median_days = chk.in_range("median_days", median_days, 30.0, 10_000.0)
    min_followup_months = chk.in_range("min_followup_months", min_followup_months, 0.0, 600.0, low_inclusive=False)
    accrual_months = chk.non_negative("accrual_months", accrual_months)
    if isinstance(subgroups, str) or not subgroups or not set(subgroups) <= set(CATEGORIES.values()):
        raise ValueError(f"subgroups={subgroups!r} is not allowed: give a list drawn from {list(CATEGORIES.values())}.")
    for bad in ("n_studies", "seed", "n_pairs"):
        pair_params.pop(bad, None)
    # enrol more pairs than needed: those with a death before the end of the comparison period
    # cannot be classified; the first n_pairs pairs alive at that point form each study
    n_enrolled = min(3 * n_pairs + 10, 2_000_000 // n_studies)
    pairs = simulate_matched_pairs(n_pairs=n_enrolled, n_studies=n_studies, seed=seed, **pair_params)
    p = pairs.params
    g = rng(seed + 1)
    base = math.log(2) / median_days
    window = p["followup_months"] * DAYS_PER_MONTH
    haz_t = base * hr_per_point ** (p["mean_slope"] - pairs.slope_treated)
    haz_r = base * hr_per_point ** (p["mean_slope"] - pairs.slope_reference)
    alive = (g.random(haz_t.shape) < np.exp(-haz_t * window)) & (g.random(haz_r.shape) < np.exp(-haz_r * window))
    alive &= np.cumsum(alive, axis=1) <= n_pairs
    after_t = g.standard_exponential(haz_t.shape) / haz_t  # days survived after the comparison period
    after_r = g.standard_exponential(haz_r.shape) / haz_r
    end = DAYS_PER_MONTH * (min_followup_months + accrual_months * g.random((2,) + haz_t.shape)) - window
    end = np.maximum(end, 0.0)
    d_t, d_r = after_t <= end[0], after_r <= end[1]
    pt_t, pt_r = np.minimum(after_t, end[0]), np.minimum(after_r, end[1])
    code = {name: c for c, name in CATEGORIES.items()}
    frames = []
    for sg in subgroups:
        m = alive & (pairs.category == code[sg])
        k = m.sum(1)
        dt, dr = (d_t & m).sum(1), (d_r & m).sum(1)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate_t = dt / (pt_t * m).sum(1)
            rate_r = dr / (pt_r * m).sum(1)
            ok = (dt > 0) & (dr > 0)
            hr, se = _rate_ratio(dt, (pt_t * m).sum(1), dr, (pt_r * m).sum(1))
            hr, se = np.where(ok, hr, np.nan), np.where(ok, se, np.nan)
            pval = np.where(ok, 2 * stats.norm.sf(np.abs(np.log(hr)) / se), np.nan)
            med_t = np.where(dt > 0, window + math.log(2) / rate_t, np.nan)
            med_r = np.where(dr > 0, window + math.log(2) / rate_r, np.nan)
        frames.append(pd.DataFrame({"study": np.arange(n_studies), "subgroup": sg, "pairs": k.astype(int),
                                    "deaths_treated": dt.astype(int), "deaths_reference": dr.astype(int),
                                    "median_treated": med_t, "median_reference": med_r, "hr": hr, "p": pval}))
    out = pd.concat(frames, ignore_index=True)
    out.attrs["params"] = {**p, "hr_per_point": hr_per_point, "median_days": median_days,
                           "min_followup_months": min_followup_months, "accrual_months": accrual_months}
    return out


def summarize_subgroups(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per subgroup: mean pairs, median of the studies' medians (treated, reference), their ratio, and P(p < alpha).

    ``table`` is the result of :func:`response_subgroup_survival`. ``share_p_below`` is
    the share of studies with p below ``alpha`` *and* the treated living longer (studies
    without a p count as not significant); ``share_treated_longer`` the share whose
    treated median exceeds the reference median (a median that cannot be estimated
    counts as longest).
    """
    need = {"subgroup", "pairs", "median_treated", "median_reference", "p", "hr"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise ValueError(f"table={type(table).__name__} is not allowed: table must come from response_subgroup_survival.")
    alpha = chk.probability("alpha", alpha)
    rows = []
    for sg, d in table.groupby("subgroup", sort=False):
        mt = d["median_treated"].fillna(np.inf)
        mr = d["median_reference"].fillna(np.inf)
        ok = np.isfinite(d["median_treated"]) & np.isfinite(d["median_reference"])
        rows.append({"subgroup": sg, "mean pairs": float(d["pairs"].mean()),
                     "median treated (days)": float(d.loc[ok, "median_treated"].median()) if ok.any() else float("nan"),
                     "median reference (days)": float(d.loc[ok, "median_reference"].median()) if ok.any() else float("nan"),
                     "share_treated_longer": float((mt > mr).mean()),
                     "share_p_below": float(((d["p"].fillna(1.0) < alpha) & (d["hr"] < 1)).mean())})
    out = pd.DataFrame(rows)
    out["median ratio"] = out["median treated (days)"] / out["median reference (days)"]
    return out
