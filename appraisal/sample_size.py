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
:cite:`atassi2014`, read from ``data/natural_history``. That SD (2.3 points/month)
describes the spread of individual slopes in pooled trial data, many estimated from few
visits, so it mixes true between-patient differences with measurement noise. The SDs
reported for trial populations are smaller: about 0.6 for the true between-patient
spread in a population cohort :cite:`vaneijk2019`, about 1.1 for observed on-trial
slopes in CENTAUR :cite:`paganoni2020`. The answer depends on the square of the SD, so
it is shown over that range (:func:`slope_sds`, :func:`size_over_sd`,
:func:`sd_for_total`, :func:`size_by_sd_figure`), never at one setting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from . import _checks as chk
from . import data

__all__ = ["TrialSize", "natural_history_defaults", "effect_size", "patients_per_arm", "power_for_total",
           "slope_sds", "size_over_sd", "sd_for_total", "size_by_sd_figure"]

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
    if power is None:  # _check_design lets None through (power_for_total has no power); here it is required
        raise ValueError("power=None is not allowed: power must be a probability between alpha and 1.")
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


# ------------------------------------------------------------------ how the size moves with the SD of slopes

def slope_sds(directory=None) -> "pd.DataFrame":
    """The published SDs of the monthly ALSFRS-R slope (``data/alsfrs_slope_sd``), each resolved to a number.

    A row gives its SD printed (``how = "printed"``), as a standard error of a mean with
    its n (``SD = SE × √n``, ``how = "derived: SE × √n"``; approximate when the SE comes
    from a model), or as a pointer to the table that already holds it (``how = "read
    from <table>"``). Exactly one of the three per row, else :class:`ValueError`.
    Columns: ``key, descriptor, kind, population, sd, how, source, location, note``.
    """
    import pandas as pd

    t = data.load_table("alsfrs_slope_sd", directory)
    out = []
    for r in t.itertuples(index=False):
        has_sd = not pd.isna(r.sd)
        has_se = not pd.isna(r.se)
        has_ref = isinstance(r.ref_table, str) and bool(r.ref_table)
        if has_sd + has_se + has_ref != 1:
            raise ValueError(f"key={r.key!r} is not allowed: give exactly one of sd, (se, n) or (ref_table, "
                             "ref_quantity).")
        if has_sd:
            sd, how = float(r.sd), "printed"
        elif has_se:
            if pd.isna(r.n):
                raise ValueError(f"key={r.key!r} is not allowed: an SE needs its n to give an SD.")
            sd, how = float(r.se) * math.sqrt(int(r.n)), "derived: SE × √n"
        else:
            sd, how = float(data.value(r.ref_table, r.ref_quantity, directory)), f"read from {r.ref_table}"
        out.append({"key": r.key, "descriptor": r.descriptor, "kind": r.kind, "population": r.population,
                    "sd": sd, "how": how, "source": r.source, "location": r.location, "note": r.note})
    return pd.DataFrame(out)


def size_over_sd(
    sds,
    mean_decline: float | None = None,
    slowing: float = 0.25,
    dropout: float = 0.2,
    alpha: float = 0.05,
    power: float = 0.8,
    method: str = "t",
) -> "pd.DataFrame":
    """:func:`patients_per_arm` at each SD of slopes in ``sds`` (the other inputs fixed).

    Columns ``sd, effect_size, completers_per_arm, enrolled_per_arm, total``.
    """
    import pandas as pd

    arr = np.atleast_1d(np.asarray(sds, dtype=float))
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"sds={sds!r} is not allowed: sds must be positive finite SDs of slopes (points/month).")
    rows = []
    for sd in arr:
        r = patients_per_arm(mean_decline=mean_decline, sd_slope=float(sd), slowing=slowing, dropout=dropout,
                             alpha=alpha, power=power, method=method)
        rows.append({"sd": float(sd), "effect_size": r.effect_size, "completers_per_arm": r.completers_per_arm,
                     "enrolled_per_arm": r.enrolled_per_arm, "total": r.total})
    return pd.DataFrame(rows)


def sd_for_total(
    total: float,
    mean_decline: float | None = None,
    slowing: float = 0.25,
    dropout: float = 0.2,
    alpha: float = 0.05,
    power: float = 0.8,
    method: str = "t",
) -> float:
    """The largest SD of slopes at which a 1:1 trial enrolling ``total`` patients still reaches ``power``.

    Solved with :func:`scipy.optimize.brentq` on :func:`power_for_total`, which falls as
    the SD grows. Answers "which spread of slopes would a trial of this size have been
    planned for?".
    """
    from scipy.optimize import brentq

    mean_decline, _ = _with_defaults(mean_decline, 1.0)
    mean_decline, _, slowing, dropout, alpha, power = _check_design(mean_decline, 1.0, slowing, dropout, alpha,
                                                                   power, method)
    total = chk.positive("total", total)
    if total / 2 * (1 - dropout) < 2:
        raise ValueError(f"total={total!r} is not allowed with dropout={dropout!r}: each arm needs at least 2 "
                         "completers.")

    def gap(sd):
        return float(power_for_total(total, mean_decline, sd, slowing, dropout, alpha, method)) - power

    lo, hi = 1e-3, 48.0  # the SD range _check_design allows (ALSFRS-R points per month)
    if gap(hi) > 0 or gap(lo) < 0:
        raise ValueError(f"total={total!r} is not allowed: no SD between {lo} and {hi} gives power {power}.")
    return float(brentq(gap, lo, hi, xtol=1e-9))


_KIND_MARKERS = {"individual slopes in pooled data": "s", "true between-patient": "o",
                 "observed on-trial slope": "D", "pre-enrolment slope": "v", "change in slope": "^"}


def size_by_sd_figure(published, trials=None, mean_decline: float | None = None, slowing: float = 0.25,
                      dropout: float = 0.2, alpha: float = 0.05, power: float = 0.8, ax=None):
    """Total enrolment against the SD of slopes, with each published SD and recent trial sizes marked.

    ``published`` is :func:`slope_sds`; ``trials`` an optional DataFrame with ``trial``
    and ``n`` (sizes drawn as horizontal lines). Log scale for the size. Markers differ by
    what the SD describes, so the figure reads without colour.
    """
    import matplotlib.pyplot as plt
    import pandas as pd
    from matplotlib.ticker import NullFormatter, NullLocator

    if not isinstance(published, pd.DataFrame) or not {"sd", "kind", "descriptor"} <= set(published):
        raise ValueError("published is not allowed: published must be the DataFrame returned by slope_sds().")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 4.2), layout="constrained")
    grid = np.linspace(0.3, 2.5, 89)
    curve = size_over_sd(grid, mean_decline, slowing, dropout, alpha, power)
    ax.plot(curve["sd"], curve["total"], color="#1f77b4", lw=2, label="total needed")
    at = size_over_sd(published["sd"], mean_decline, slowing, dropout, alpha, power)
    for kind, marker in _KIND_MARKERS.items():
        m = (published["kind"] == kind).to_numpy()
        if m.any():
            ax.plot(at["sd"][m], at["total"][m], marker, ms=8, mfc="white", mec="k", mew=1.4, ls="", label=kind)
    if trials is not None:
        for k, (n, g) in enumerate(sorted(trials.groupby("n")["trial"], key=lambda kv: kv[0])):
            ax.axhline(n, color="grey", lw=0.8, ls="--")
            below = k % 2 == 0 and k < len(trials) - 1  # alternate sides so close lines keep legible labels
            ax.text(grid[-1], n * (0.96 if below else 1.04), f"{', '.join(g)} ({n})", fontsize=7.5, ha="right",
                    va="top" if below else "bottom", color="0.3")
    ax.set_yscale("log")
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ticks = [50, 100, 200, 500, 1000, 2000, 5000]
    ax.set_yticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel("SD of the monthly ALSFRS-R slope between patients (points/month)")
    ax.set_ylabel("patients to enrol, both arms (log scale)")
    ax.legend(fontsize=7.5, loc="upper left", frameon=False)
    return ax
