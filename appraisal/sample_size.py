"""How many patients a randomized ALS trial on the ALSFRS-R slope would need.

The design: two parallel arms of equal size, each patient's monthly ALSFRS-R decline
(slope) as the outcome, compared between arms with a two-sided test. The treatment is
assumed to slow the mean decline by a fraction ``slowing`` (0.25 = 25% slower), so the
difference to detect is ``slowing × mean_decline`` points/month, and the standardized
effect size is that difference divided by the between-patient SD of slopes
(Cohen's *d*) :cite:`cohen1988`.

The number of completers per arm comes from statsmodels' ``TTestIndPower`` (two-sample
t-test, the default) or ``NormalIndPower`` (normal approximation,
``n = 2 (z_{1-α/2} + z_{1-β})² / d²``). Patients who drop out before the slope can be
estimated are assumed to be lost at random, so enrolment is inflated to
``ceil(completers / (1 − dropout))`` per arm — a common planning rule that ignores the
partial information dropouts contribute in a mixed model.

The defaults for the mean decline and its SD are the PRO-ACT figures of
:cite:`atassi2014`, read from ``data/natural_history``. That SD describes how much
monthly decline varies between patients in pooled trial data; a trial that estimates
each slope over a longer period with a mixed model will often see less variation, which
is why the SD is a control and not a constant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from . import _checks as chk
from . import data

__all__ = ["TrialSize", "natural_history_defaults", "effect_size", "patients_per_arm", "power_for_total"]

_METHODS = ("t", "normal")
_SOLVERS = {"t": TTestIndPower(), "normal": NormalIndPower()}


@dataclass(frozen=True)
class TrialSize:
    """A sample-size answer with its inputs.

    ``completers_exact`` is the real-valued solution; ``completers_per_arm`` rounds it
    up; ``enrolled_per_arm`` adds the dropouts; ``total`` is both arms enrolled.
    """

    mean_decline: float
    sd_slope: float
    slowing: float
    dropout: float
    alpha: float
    power: float
    method: str
    difference: float
    effect_size: float
    completers_exact: float
    completers_per_arm: int
    enrolled_per_arm: int
    total: int


def natural_history_defaults() -> dict[str, float]:
    """Mean monthly ALSFRS-R decline and its between-patient SD in PRO-ACT (Atassi 2014), from data/."""
    return {
        "mean_decline": float(data.value("natural_history", "proact_mean_decline")),
        "sd_slope": float(data.value("natural_history", "proact_sd_decline")),
    }


def _check_design(mean_decline, sd_slope, slowing, dropout, alpha, power=None, method="t"):
    # the ALSFRS-R spans 48 points: a monthly decline or SD beyond that is no ALS trial
    mean_decline = chk.in_range("mean_decline", mean_decline, 0.0, 48.0, low_inclusive=False)
    sd_slope = chk.in_range("sd_slope", sd_slope, 0.0, 48.0, low_inclusive=False)
    slowing = chk.in_range("slowing", slowing, 0.0, 1.0, low_inclusive=False)
    dropout = chk.in_range("dropout", dropout, 0.0, 1.0, high_inclusive=False)
    alpha = chk.in_range("alpha", alpha, 0.0, 0.5, low_inclusive=False)
    chk.one_of("method", method, _METHODS)
    if power is not None:
        power = chk.in_range("power", power, alpha, 1.0, low_inclusive=False, high_inclusive=False)
    return mean_decline, sd_slope, slowing, dropout, alpha, power


def effect_size(mean_decline: float, sd_slope: float, slowing: float) -> float:
    """Standardized effect (Cohen's d): ``slowing × mean_decline / sd_slope``."""
    mean_decline, sd_slope, slowing, *_ = _check_design(mean_decline, sd_slope, slowing, 0.0, 0.05)
    return slowing * mean_decline / sd_slope


def _with_defaults(mean_decline, sd_slope):
    """Fill a missing mean decline or SD of slopes from the PRO-ACT natural history (Atassi 2014)."""
    if mean_decline is None or sd_slope is None:
        d = natural_history_defaults()
        mean_decline = d["mean_decline"] if mean_decline is None else mean_decline
        sd_slope = d["sd_slope"] if sd_slope is None else sd_slope
    return mean_decline, sd_slope


def patients_per_arm(
    mean_decline: float | None = None,
    sd_slope: float | None = None,
    slowing: float = 0.25,
    dropout: float = 0.2,
    alpha: float = 0.05,
    power: float = 0.8,
    method: str = "t",
) -> TrialSize:
    """Patients per arm for a two-arm trial to detect a ``slowing`` of mean ALSFRS-R decline.

    Parameters
    ----------
    mean_decline, sd_slope
        Mean monthly ALSFRS-R decline without treatment and the between-patient SD of
        monthly slopes (points/month, both > 0). ``None`` takes the PRO-ACT values of
        :func:`natural_history_defaults`.
    slowing
        Fraction by which treatment slows the mean decline, in (0, 1].
    dropout
        Fraction of enrolled patients without an analysable slope, in [0, 1).
    alpha
        Two-sided significance level, in (0, 0.5].
    power
        Probability of a significant result if the effect is real, in (alpha, 1).
    method
        ``"t"`` (statsmodels ``TTestIndPower``) or ``"normal"`` (``NormalIndPower``).

    Raises
    ------
    ValueError
        Naming the argument, the value and what is allowed.
    """
    mean_decline, sd_slope = _with_defaults(mean_decline, sd_slope)
    mean_decline, sd_slope, slowing, dropout, alpha, power = _check_design(
        mean_decline, sd_slope, slowing, dropout, alpha, power, method)
    es = slowing * mean_decline / sd_slope
    n = float(_SOLVERS[method].solve_power(effect_size=es, alpha=alpha, power=power, ratio=1.0,
                                           alternative="two-sided"))
    if not math.isfinite(n) or n <= 0 or n > 1e9:
        raise ValueError(f"slowing={slowing!r} is not allowed with mean_decline={mean_decline!r} and "
                         f"sd_slope={sd_slope!r}: the effect size d={es:.3g} is too small for any trial "
                         "(statsmodels found no sample size below 10^9 per arm).")
    completers = math.ceil(n - 1e-9)
    enrolled = math.ceil(completers / (1.0 - dropout) - 1e-9)
    return TrialSize(mean_decline, sd_slope, slowing, dropout, alpha, power, method,
                     difference=slowing * mean_decline, effect_size=es, completers_exact=n,
                     completers_per_arm=completers, enrolled_per_arm=enrolled, total=2 * enrolled)


def power_for_total(
    total,
    mean_decline: float | None = None,
    sd_slope: float | None = None,
    slowing: float = 0.25,
    dropout: float = 0.2,
    alpha: float = 0.05,
    method: str = "t",
) -> np.ndarray:
    """Power of a trial that enrols ``total`` patients (split equally), after dropout.

    ``total`` may be a number or an array (each ≥ 4, so that each arm keeps at least
    two completers for a t-test). Returns an array of the same shape.
    """
    mean_decline, sd_slope = _with_defaults(mean_decline, sd_slope)
    mean_decline, sd_slope, slowing, dropout, alpha, _ = _check_design(
        mean_decline, sd_slope, slowing, dropout, alpha, None, method)
    arr = np.atleast_1d(chk.array("total", total, max_size=1_000_000))
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 4):
        raise ValueError(f"total={total!r} is not allowed: total must be finite numbers of patients, each at least 4.")
    completers = arr / 2.0 * (1.0 - dropout)
    if np.any(completers < 2):
        raise ValueError(f"total={total!r} is not allowed with dropout={dropout!r}: each arm needs at least 2 completers.")
    es = slowing * mean_decline / sd_slope
    out = np.asarray(_SOLVERS[method].power(effect_size=es, nobs1=completers, alpha=alpha, ratio=1.0,
                                            alternative="two-sided"), dtype=float)
    bad = np.isnan(out)
    if bad.any():
        # statsmodels' noncentral t returns NaN when power is within rounding of 1 (very large trials);
        # there the t and normal distributions coincide, so the normal power is used for those points.
        out[bad] = _SOLVERS["normal"].power(effect_size=es, nobs1=completers[bad], alpha=alpha, ratio=1.0,
                                            alternative="two-sided")
    if np.isnan(out).any():
        raise ValueError(f"total={total!r} is not allowed: statsmodels returned no power for some of these sizes.")
    return out.reshape(np.shape(total))
