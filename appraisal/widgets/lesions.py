"""Explorer: power and precision of a MESEMS-like crossover on lesion counts (analytic approximation).

The widget uses the closed-form variance of :mod:`appraisal.simulate.lesions`; the tests
check it against the simulation.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..data import value
from ..simulate import lesions as L
from . import Explorer, IntSlider, Preset, Slider, register, single_panel_margins

_N_GRID = np.unique(np.round(np.geomspace(20, 3000, 80)).astype(int))


def crossover_power(ratio: float = 0.7, dispersion: float = 5.5, rate: float = 3.0, n: int = 144,
                    shared: float = 0.5, alpha: float = 0.05) -> dict:
    """Power at ``n`` patients, the power curve over n, and the n that rules out a 30% reduction if MSCs do nothing."""
    res = L.power_analytic(n, ratio, rate, dispersion, shared, alpha)
    se = L.se_log_ratio(_N_GRID, ratio, rate, dispersion, shared)
    zq = stats.norm.isf(alpha / 2)
    shift = abs(np.log(ratio)) / se
    curve = stats.norm.sf(zq - shift) + stats.norm.cdf(-zq - shift)  # same formula as power_analytic
    need = L.n_to_exclude(0.7, 1.0, 0.8, rate, dispersion, shared, 1 - alpha)
    return {"result": res, "n_grid": _N_GRID, "curve": np.asarray(curve), "n_exclude_30": need}


def _summary(r) -> dict:
    res = r["result"]
    return {
        "true ratio": f"{res.ratio:.2f}",
        "patients": res.n,
        "power": f"{res.power:.2f}",
        "typical 95% interval": f"{res.expected_lower:.2f} to {res.expected_upper:.2f}",
        "n to rule out a 30% cut (80%)": r["n_exclude_30"],
    }





_TICKS = [20, 50, 100, 200, 500, 1000, 2000]


def _draw(r, ax) -> None:
    """Drawn on a linear axis in log10(n) with patient-count tick labels (faster than a log scale)."""
    res = r["result"]
    lg = np.log10
    ax.plot(lg(r["n_grid"]), r["curve"], color="#1f77b4", lw=1.5)
    ax.axhline(0.8, color="#7f7f7f", ls="--", lw=0.8)
    ax.axvline(lg(res.n), color="#d62728", lw=1)
    ax.plot([lg(res.n)], [res.power], "o", color="#d62728")
    ax.set_xticks(lg(_TICKS))
    ax.set_xticklabels([str(x) for x in _TICKS])
    ax.set_xlim(lg(20), lg(3000))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("patients in the crossover (log scale)")
    ax.set_ylabel("power (two-sided α = 0.05)")
    ax.set_title(f"Ratio {res.ratio:.2f}: power {100 * res.power:.0f}% with {res.n} patients", fontsize=10)
    single_panel_margins(ax, left=0.14, bottom=0.18, right=0.97, top=0.88)


@register
def lesion_power_explorer() -> Explorer:
    """True ratio, overdispersion, lesion rate, sample size → power and expected interval."""
    return Explorer(
        name="lesion_power_explorer",
        title="A MESEMS-like crossover: power and expected interval",
        compute=crossover_power,
        controls={
            "ratio": Slider(0.40, 1.20, 0.05, 0.70, "true rate ratio"),
            "dispersion": Slider(0.0, 10.0, 0.5, 5.5, "overdispersion k (var = μ + kμ²)"),
            "rate": Slider(0.5, 10.0, 0.5, 3.0, "mean lesions per 24-week period (placebo)"),
            "n": IntSlider(20, 1000, int(value("mesems2021_results", "randomized")), "patients", step=4),
        },
        summarize=_summary,
        draw=_draw,
        presets=[
            Preset("MESEMS size, 30% reduction", {"ratio": 0.70}),
            Preset("MESEMS size, 50% reduction", {"ratio": 0.50}),
            Preset("MESEMS size, 15% reduction", {"ratio": 0.85}),
            Preset("Less overdispersion (k = 1)", {"ratio": 0.70, "dispersion": 1.0}),
        ],
        fixed={"shared": 0.5, "alpha": 0.05},
        figsize=(5.6, 3.4),
    )
