"""Pooling ratio estimates from several trials, and the heterogeneity a certainty rating must rule on.

When a second trial answers the same question, a certainty rating has to say how the two fit
together (GRADE's *inconsistency* domain :cite:`guyatt2008`). This module pools ratio estimates
(rate, risk, odds or hazard ratios) on the log scale by inverse-variance weighting and reports
Cochran's Q, its p-value and I², all computed by
:func:`statsmodels.stats.meta_analysis.combine_effects`. The DerSimonian–Laird random-effects
estimate is returned beside the fixed-effect one; with two or three trials the between-trial
variance it needs is estimated very poorly, which the caller should say.

:func:`log_ratio_se_from_group_intervals` recovers the standard error of a log ratio of two group
means when a paper gives only each group's mean with its own 95% interval (intervals symmetric on
the log scale, groups independent: the variances of the two log means add).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.meta_analysis import combine_effects

from . import _checks as chk
from .recompute import se_from_ci, z_for_level

__all__ = ["Pooled", "log_ratio_se_from_group_intervals", "pool_ratios"]


def log_ratio_se_from_group_intervals(lower1: float, upper1: float, lower2: float, upper2: float,
                                      level: float = 0.95) -> float:
    """SE of ln(mean₁/mean₂) from each group's own interval, the groups taken as independent.

    Each group's interval gives the SE of its log mean, (ln upper − ln lower) / (2 z)
    :cite:`altman2011p`; the SE of the difference of two independent log means is the root of the
    sum of their squares. (Within-patient correlation, as in a crossover, would make the true SE
    smaller; this is then an upper value.)
    """
    lower1, upper1 = chk.ordered_interval("lower1", lower1, "upper1", upper1)
    lower2, upper2 = chk.ordered_interval("lower2", lower2, "upper2", upper2)
    chk.positive("lower1", lower1)
    chk.positive("lower2", lower2)
    level = chk.probability("level", level)
    se1 = se_from_ci(lower1, upper1, level=level, log=True)
    se2 = se_from_ci(lower2, upper2, level=level, log=True)
    return float(math.hypot(se1, se2))


@dataclass(frozen=True)
class Pooled:
    """Pooled ratio (fixed effect and random effects), heterogeneity, and the per-trial table.

    ``table`` has one row per trial: ``trial``, ``ratio``, ``lower``, ``upper``, ``se_log`` and
    ``weight_%`` (fixed-effect weight in percent).
    """

    ratio: float
    lower: float
    upper: float
    ratio_re: float
    lower_re: float
    upper_re: float
    q: float
    q_df: int
    q_p: float
    i2: float
    tau2: float
    table: pd.DataFrame


def pool_ratios(estimates, se_logs, labels, level: float = 0.95) -> Pooled:
    """Inverse-variance pooling of ratio estimates on the log scale (statsmodels ``combine_effects``).

    ``estimates`` are the ratios (positive), ``se_logs`` the standard errors of their logarithms,
    ``labels`` one name per trial. Returns a :class:`Pooled` with the fixed-effect ratio and its
    ``level`` interval, the DerSimonian–Laird random-effects ratio and interval, Cochran's Q with its
    degrees of freedom and chi-squared p-value, I² (as a fraction, 0–1; 0 when Q ≤ df) and τ²
    (truncated at 0, when the random-effects result equals the fixed-effect one).
    At least two trials are needed.
    """
    est = chk.array("estimates", estimates, ndim=1, min_size=2, max_size=10_000, low=0, low_inclusive=False, high=1e6)
    se = chk.array("se_logs", se_logs, ndim=1, min_size=2, max_size=10_000, low=0, low_inclusive=False, high=100)
    if se.size != est.size:
        raise ValueError(f"se_logs={se_logs!r} is not allowed: give one SE per estimate ({est.size}).")
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__") or len(labels) != est.size:
        raise ValueError(f"labels={labels!r} is not allowed: give one name per estimate ({est.size}).")
    labels = [str(x) for x in labels]
    level = chk.probability("level", level)
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):  # identical estimates: Q = 0, and I² is 0 (set below)
        res = combine_effects(np.log(est), se ** 2, method_re="chi2", alpha=alpha, row_names=labels)
    frame = res.summary_frame(alpha=alpha)
    fe, re_ = frame.loc["fixed effect"], frame.loc["random effect"]
    tau2 = float(res.tau2)
    if tau2 <= 0:  # statsmodels does not truncate the moment estimate at 0; with τ² = 0 random = fixed effect
        tau2, re_ = 0.0, fe
    homog = res.test_homogeneity()
    # I² = max(0, (Q − df)/Q) (Higgins and Thompson 2002), as statsmodels computes it, but 0 when Q = 0
    i2 = float(res.i2) if homog.statistic > homog.df else 0.0
    z = z_for_level(level)
    w = np.asarray(res.weights_rel_fe, dtype=float)
    table = pd.DataFrame({
        "trial": labels, "ratio": est, "lower": np.exp(np.log(est) - z * se), "upper": np.exp(np.log(est) + z * se),
        "se_log": se, "weight_%": 100 * w,
    })
    return Pooled(
        ratio=float(np.exp(fe["eff"])), lower=float(np.exp(fe["ci_low"])), upper=float(np.exp(fe["ci_upp"])),
        ratio_re=float(np.exp(re_["eff"])), lower_re=float(np.exp(re_["ci_low"])), upper_re=float(np.exp(re_["ci_upp"])),
        q=float(homog.statistic), q_df=int(homog.df), q_p=float(homog.pvalue), i2=i2, tau2=tau2,
        table=table,
    )
