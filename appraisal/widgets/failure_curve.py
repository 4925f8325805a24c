"""Explorer: Table 3's failure probability for a chosen early response, with the slope's uncertainty."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import _checks as chk
from .. import data
from ..reconstruct import failure_probability, fit_logistic_curve, slope_band
from ..recompute import z_for_level
from . import Choice, Explorer, IntSlider, Preset, register, single_panel_margins

_R = "barczewska2020_results"




def _table3():
    t = data.load_table("barczewska2020_table3").sort_values("early_response")
    return t["early_response"].to_numpy(float), t["failure_probability_percent"].to_numpy(float), t["printed"].tolist()


@lru_cache(maxsize=4)
def _fit(mtime_key: str):
    """The GLM refit of Table 3 (cached: it depends only on the data)."""
    x, pct, printed = _table3()
    return x, pct, printed, fit_logistic_curve(x, pct, printed, method="glm")


def slope_interval(kind: str) -> tuple[float, float]:
    """The slope interval: as printed, or rebuilt from the printed estimate and p (normal theory)."""
    from scipy import stats

    if kind == "printed":
        return data.value(_R, "early_response_lower"), data.value(_R, "early_response_upper")
    if kind == "from_p":
        est, p = data.value(_R, "early_response_estimate"), data.value(_R, "early_response_p")
        se = abs(est) / stats.norm.isf(p / 2)
        return est - z_for_level(0.95) * se, est + z_for_level(0.95) * se
    raise ValueError(f"kind={kind!r} is not allowed: kind must be one of 'printed', 'from_p'.")


def failure_at(early_response: int, interval: str) -> dict:
    """Refitted Table 3 curve, its value at ``early_response`` and the slope-only band."""
    chk.integer("early_response", early_response, low=-48, high=48)
    x, pct, printed, fit = _fit(str(data.data_dir()))
    lo_s, hi_s = slope_interval(interval)
    p = failure_probability(early_response, fit.intercept, fit.slope)
    lo, hi = slope_band(early_response, fit.intercept, lo_s, hi_s)
    row = np.flatnonzero(x == early_response)
    return {"x": early_response, "p": p, "lo": float(lo), "hi": float(hi), "fit": fit, "table": (x, pct),
            "printed": printed[row[0]] if len(row) else None, "slopes": (lo_s, hi_s)}


def _summary(out: dict) -> dict:
    return {
        "early response (points)": int(out["x"]),
        "Table 3 (%)": out["printed"] if out["printed"] is not None else "—",
        "refitted (%)": f"{100 * out['p']:.1f}",
        "slope-only band (%)": f"{100 * out['lo']:.1f}–{100 * out['hi']:.1f}",
    }


def _draw(out: dict, ax) -> None:
    x, pct = out["table"]
    grid = np.linspace(-15, 15, 121)
    fit = out["fit"]
    lo, hi = slope_band(grid, fit.intercept, *out["slopes"])
    # no legend (text layout is the slowest part of a redraw): line = refitted curve, dots = Table 3 as printed,
    # shading = slope within its 95% interval; the chapter says so beside the figure
    ax.fill_between(grid, 100 * lo, 100 * hi, color="#1f77b4", alpha=0.2)
    ax.plot(grid, 100 * failure_probability(grid, fit.intercept, fit.slope), color="#1f77b4")
    ax.plot(x, pct, "o", ms=3, color="k")
    ax.plot([out["x"]], [100 * out["p"]], "D", color="#d62728", ms=7)
    ax.set_xlabel("early response, treated − reference (points)")
    ax.set_ylabel("failure probability (%)")
    ax.set_ylim(0, 100)
    ax.set_xticks([-15, -10, -5, 0, 5, 10, 15])  # few fixed ticks: cheaper to draw
    ax.set_yticks([0, 25, 50, 75, 100])
    single_panel_margins(ax)
    ax.set_title(f"Early response {out['x']:+d}: failure {100 * out['p']:.0f}% "
                 f"(band {100 * out['lo']:.0f}–{100 * out['hi']:.0f}%)", fontsize=10)


@register
def failure_curve_explorer() -> Explorer:
    """Pick an early response; see Table 3's failure probability and the band from the slope's interval."""
    controls = {
        "early_response": IntSlider(-15, 15, 3, "early response (points)"),
        "interval": Choice({"95% CI as printed": "printed", "95% CI rebuilt from p": "from_p"}, "printed",
                           "slope interval"),
    }
    presets = [
        Preset("Early response −5", {"early_response": -5}),
        Preset("Early response 0", {"early_response": 0}),
        Preset("Early response +3", {"early_response": 3}),
        Preset("Early response +10", {"early_response": 10}),
    ]
    return Explorer(
        name="failure_curve_explorer",
        title="Table 3: failure probability by early response",
        compute=failure_at,
        controls=controls,
        summarize=_summary,
        draw=_draw,
        presets=presets,
        figsize=(5.0, 2.9),
    )
