"""Explorer: power and precision of MESEMS's primary, between-group comparison of lesion counts.

MESEMS's primary analysis compared the two randomized groups over the first 24 weeks
(before the crossover), so the explorer models two parallel groups of negative-binomial
counts (:mod:`appraisal.simulate.lesions`, analytic approximation; the tests check it
against the simulation). Defaults: the randomized group sizes and the overdispersion that
reproduces the published interval at the default lesion rate, both read from
``data/mesems2021_results`` when the explorer is built.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..data import value
from ..equivalence import log_ratio
from ..simulate import lesions as L
from . import Explorer, IntSlider, Preset, Slider, register, single_panel_margins

_N_GRID = np.unique(np.round(np.geomspace(10, 2000, 80)).astype(int))  # patients per group
_M = "mesems2021_results"


def parallel_power(ratio: float = 0.7, dispersion: float = 1.8, rate: float = 3.0, n_per_group: int = 72,
                   alpha: float = 0.05) -> dict:
    """Power with ``n_per_group`` patients in each arm, the power curve over n, and the trial that rules out a 30% cut."""
    res = L.power_analytic(n_per_group, n_per_group, ratio, rate, dispersion, alpha)
    se = L.se_log_ratio(_N_GRID, _N_GRID, ratio, rate, dispersion)
    zq = stats.norm.isf(alpha / 2)
    shift = abs(np.log(ratio)) / se
    curve = stats.norm.sf(zq - shift) + stats.norm.cdf(-zq - shift)  # same normal approximation as power_analytic
    need = L.n_to_exclude(0.7, 1.0, 0.8, rate, dispersion, 1 - alpha)
    return {"result": res, "n_grid": _N_GRID, "curve": np.asarray(curve), "n_exclude_30": need}


def _summary(r) -> dict:
    res = r["result"]
    return {
        "true ratio": f"{res.ratio:.2f}",
        "patients per group": res.n_msc,
        "power": f"{res.power:.2f}",
        "typical 95% interval": f"{res.expected_lower:.2f} to {res.expected_upper:.2f}",
        "patients in all to rule out a 30% cut (80%)": r["n_exclude_30"],
    }


_TICKS = [10, 20, 50, 100, 200, 500, 1000, 2000]


def _draw(r, ax) -> None:
    """Drawn on a linear axis in log10(n) with patient-count tick labels (faster than a log scale)."""
    res = r["result"]
    lg = np.log10
    ax.plot(lg(r["n_grid"]), r["curve"], color="#1f77b4", lw=1.5)
    ax.axhline(0.8, color="#7f7f7f", ls="--", lw=0.8)
    ax.axvline(lg(res.n_msc), color="#d62728", lw=1)
    ax.plot([lg(res.n_msc)], [res.power], "o", color="#d62728")
    ax.set_xticks(lg(_TICKS))
    ax.set_xticklabels([str(x) for x in _TICKS])
    ax.set_xlim(lg(10), lg(2000))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("patients per randomized group (log scale)")
    ax.set_ylabel("power (two-sided α = 0.05)")
    ax.set_title(f"True ratio {res.ratio:.2f}, {res.n_msc} per group: power {100 * res.power:.0f}%", fontsize=10)
    single_panel_margins(ax, left=0.14, bottom=0.18, right=0.97, top=0.88)


def calibrated_dispersion(rate: float = 3.0) -> float:
    """The overdispersion that reproduces the MESEMS interval's SE at the placebo lesion ``rate``."""
    lr = log_ratio(value(_M, "rate_ratio"), value(_M, "rate_ratio_lower"), value(_M, "rate_ratio_upper"))
    return L.calibrate_dispersion(lr.se, int(value(_M, "msc_first")), int(value(_M, "placebo_first")),
                                  value(_M, "rate_ratio"), rate)


@register
def lesion_power_explorer() -> Explorer:
    """True ratio, overdispersion, lesion rate, group size → power and expected interval of the primary comparison."""
    n_mean = int(round(value(_M, "randomized") / 2))
    k0 = round(calibrated_dispersion(3.0), 1)
    return Explorer(
        name="lesion_power_explorer",
        title="MESEMS's primary comparison (two randomized groups, weeks 0–24): power and expected interval",
        compute=parallel_power,
        controls={
            "ratio": Slider(0.40, 1.20, 0.05, 0.70, "true rate ratio"),
            "dispersion": Slider(0.0, 6.0, 0.1, k0, "overdispersion k (var = μ + kμ²)"),
            "rate": Slider(0.5, 12.0, 0.5, 3.0, "mean lesions per patient, weeks 4–24 (placebo)"),
            "n_per_group": IntSlider(10, 1000, n_mean, "patients per group", step=2),
        },
        summarize=_summary,
        draw=_draw,
        presets=[
            Preset("MESEMS size, 30% reduction", {"ratio": 0.70}),
            Preset("MESEMS size, 50% reduction", {"ratio": 0.50}),
            Preset("Less overdispersion (k = 0.5)", {"ratio": 0.70, "dispersion": 0.5}),
            Preset("Three times the size, 30% reduction", {"ratio": 0.70, "n_per_group": 3 * n_mean}),
        ],
        fixed={"alpha": 0.05},
        figsize=(5.6, 3.4),
    )
