"""Explorer: would the MESEMS interval establish "no meaningful effect" for a chosen margin?"""

from __future__ import annotations

import math

import numpy as np

from .. import equivalence as eq
from ..data import value
from . import Choice, Explorer, Preset, Slider, register, single_panel_margins


_RATIOS = np.exp(np.linspace(math.log(0.3), math.log(3.0), 200))


def mesems_tost(margin_lower: float = 0.7, alpha: float = 0.05, estimate: float = 0.94, lower: float = 0.58,
                upper: float = 1.50) -> dict:
    """TOST of a rate ratio and its 95% interval against the margin (m, 1/m), plus its p-value curve.

    The explorer fixes ``estimate``, ``lower`` and ``upper`` to the MESEMS values read from
    ``data/mesems2021_results`` when it is built.
    """
    res = eq.tost_ratio(estimate, lower, upper, margin_lower, None, alpha)
    curve = eq.compatibility_curve(estimate, lower, upper, ratios=_RATIOS)
    return {"estimate": estimate, "tost": res, "curve": curve}


def _summary(r) -> dict:
    t = r["tost"]
    return {
        "margin": f"{t.margin_lower:.2f} to {t.margin_upper:.2f}",
        f"{100 * (1 - 2 * t.alpha):.0f}% interval": f"{t.ci_lower:.2f} to {t.ci_upper:.2f}",
        "p (ratio ≤ lower margin)": f"{t.p_lower:.3f}",
        "p (ratio ≥ upper margin)": f"{t.p_upper:.3f}",
        "equivalence": t.decision,
    }





_TICKS = [0.3, 0.5, 0.7, 1, 1.4, 2, 3]


def _draw(r, ax) -> None:
    """Drawn on a linear axis in log(ratio) with ratio tick labels: a log scale without its slow locators."""
    t, c = r["tost"], r["curve"]
    colour = "#2ca02c" if t.equivalent else "#d62728"
    lg = np.log
    ax.axvspan(lg(t.margin_lower), lg(t.margin_upper), color="#cccccc", alpha=0.5, lw=0)
    ax.plot(lg(c["ratio"].to_numpy()), c["p"].to_numpy(), color="#1f77b4", lw=1.5)
    ax.hlines(2 * t.alpha, lg(t.ci_lower), lg(t.ci_upper), color=colour, lw=4)
    ax.axvline(0.0, color="k", lw=0.8, ls=":")
    ax.text(lg(t.margin_lower) + 0.03, 0.97, "margin", ha="left", va="top", fontsize=8)
    ax.text(lg(t.ci_upper * 1.05), 2 * t.alpha, f"{100 * (1 - 2 * t.alpha):.0f}% interval", va="center", fontsize=8,
            color=colour)
    ax.set_xticks(lg(_TICKS))
    ax.set_xticklabels([f"{x:g}" for x in _TICKS])
    ax.set_xlim(lg(0.3), lg(3.0))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("true rate ratio, MSC vs placebo (log scale)")
    ax.set_ylabel("two-sided p-value")
    verdict = "inside the margin: equivalence shown" if t.equivalent else "crosses the margin: not shown"
    ax.set_title(f"Interval {verdict}", fontsize=10)
    single_panel_margins(ax, left=0.14, bottom=0.18, right=0.97, top=0.88)


@register
def equivalence_explorer() -> Explorer:
    """Margin slider → two one-sided tests on the MESEMS rate ratio 0.94 (0.58–1.50)."""
    return Explorer(
        name="equivalence_explorer",
        title="MESEMS: equivalence (two one-sided tests) for a margin you choose",
        compute=mesems_tost,
        controls={
            "margin_lower": Slider(0.40, 0.95, 0.05, 0.70, "lower margin m (upper = 1/m)"),
            "alpha": Choice({"5% (90% interval)": 0.05, "2.5% (95% interval)": 0.025, "10% (80% interval)": 0.10},
                            0.05, "one-sided α"),
        },
        summarize=_summary,
        draw=_draw,
        presets=[
            Preset("Margin 0.80–1.25", {"margin_lower": 0.80}),
            Preset("Margin 0.70–1.43 (30% reduction, its reciprocal)", {"margin_lower": 0.70}),
            Preset("Margin 0.60–1.67", {"margin_lower": 0.60}),
            Preset("Margin 0.50–2.00", {"margin_lower": 0.50}),
        ],
        fixed={q: value("mesems2021_results", f"rate_ratio{s}") for q, s in
               (("estimate", ""), ("lower", "_lower"), ("upper", "_upper"))},
        figsize=(5.6, 3.4),
    )
