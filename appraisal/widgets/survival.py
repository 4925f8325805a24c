"""Explorer: survival counted from enrollment when only patients alive at the third injection are analysed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..simulate.survival import exponential_hr, median_from_curve, simulate_survival
from . import Explorer, Preset, Slider, register, single_panel_margins


def immortal_time(window_months: float, median_days: float, selection_hr: float, shape: float,
                  n_per_arm: int, seed: int) -> dict:
    """Simulate both arms under no treatment effect and estimate the hazard ratio."""
    res = simulate_survival(n_per_arm=n_per_arm, median_days=median_days, shape=shape, window_months=window_months,
                            selection_hr=selection_hr, seed=seed)
    return {"result": res, "hr": exponential_hr(res), "km": _km(res)}


def _km(res) -> dict:
    """Kaplan–Meier curves with statsmodels' ``SurvfuncRight`` (fast enough for a slider;
    the chapter uses lifelines, which gives the same estimates)."""
    from statsmodels.duration.survfunc import SurvfuncRight

    out = {}
    for arm, t, e in (("treated", res.time_treated, res.event_treated),
                      ("reference", res.time_reference, res.event_reference)):
        sf = SurvfuncRight(t, e)
        out[arm] = pd.Series(np.r_[1.0, sf.surv_prob], index=np.r_[0.0, sf.surv_times])
    return out


def _summary(out: dict) -> dict:
    hr = out["hr"]
    med_t, med_r = median_from_curve(out["km"]["treated"]), median_from_curve(out["km"]["reference"])
    return {
        "hazard ratio (no effect)": f"{hr['hr']:.2f}",
        "95% CI": f"{hr['lower']:.2f}–{hr['upper']:.2f}",
        "median treated (days)": "not reached" if med_t is None else round(med_t),
        "median reference (days)": "not reached" if med_r is None else round(med_r),
        "simulated candidates excluded (died in window)": out["result"].n_excluded,
    }


def _draw(out: dict, ax) -> None:
    for arm, colour in (("treated", "#1f77b4"), ("reference", "#ff7f0e")):
        c = out["km"][arm]
        ax.step(c.index.to_numpy(), c.to_numpy(), where="post", color=colour, label=arm)
    w = out["result"].params["window_months"] * 365.25 / 12
    if w > 0:
        ax.axvspan(0, w, color="#2ca02c", alpha=0.12, label="guaranteed alive (treated)")
    ax.set_xlabel("days from enrollment")
    ax.set_ylabel("proportion alive")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, 2000)
    ax.set_xticks([0, 500, 1000, 1500, 2000])  # few fixed ticks: cheaper to draw
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.legend(fontsize=8, loc="upper right")
    single_panel_margins(ax, left=0.13, bottom=0.17, right=0.98, top=0.88)
    ax.set_title(f"No treatment effect: estimated HR = {out['hr']['hr']:.2f}", fontsize=10)


@register
def survival_explorer() -> Explorer:
    """Vary the guaranteed-survival window, the median survival and self-selection; see the HR move."""
    controls = {
        "window_months": Slider(0.0, 12.0, 1.0, 4.0, "guaranteed-survival window (months)"),
        "median_days": Slider(300.0, 1500.0, 20.0, 640.0, "median survival, both arms (days)"),
        "selection_hr": Slider(0.5, 1.0, 0.05, 1.0, "hazard multiplier of self-selected treated"),
        "shape": Slider(0.5, 2.0, 0.25, 1.0, "Weibull shape (1 = constant hazard)"),
    }
    presets = [
        Preset("No selection", {"window_months": 0.0}),
        Preset("Alive at 3rd injection (4 months)", {}),
        Preset("Alive 6 months after 3rd injection (10 months)", {"window_months": 10.0}),
        Preset("4 months + healthier self-selected (×0.7)", {"selection_hr": 0.7}),
    ]
    return Explorer(
        name="survival_explorer",
        title="Immortal time: survival from enrollment with an inclusion window",
        compute=immortal_time,
        controls=controls,
        summarize=_summary,
        draw=_draw,
        presets=presets,
        fixed={"n_per_arm": 800, "seed": 11},
        figsize=(5.0, 2.9),
    )
