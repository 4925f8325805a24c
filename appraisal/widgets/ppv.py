"""Explorer for the rationale chapter: how far should one "significant" result move us?

The reader sets the prior probability that a treatment works, the study's power, the
significance level and Ioannidis's bias ``u``; the explorer shows the positive
predictive value (PPV) of a significant result, the same without bias, and the
probability that the treatment works after a NON-significant result. Computation is
:func:`appraisal.ppv.ppv_scenario` (closed form: far inside the latency budget).
"""

from __future__ import annotations

from ..ppv import PPVResult, ppv_scenario
from . import Choice, Explorer, Preset, Slider, register, single_panel_margins


def _summary(r: PPVResult) -> dict:
    return {
        "prior": round(r.prior, 3),
        "power": round(r.power, 3),
        "bias u": round(r.bias, 3),
        "real if significant": round(r.ppv, 3),
        "(no bias)": round(r.ppv_no_bias, 3),
        "real if not significant": round(r.if_not_significant, 3),
    }




def _draw(r: PPVResult, ax) -> None:
    ax.plot([0, 1], [0, 1], color="#7f7f7f", ls=":", lw=1)
    ax.plot(r.priors, r.curve_no_bias, color="#1f77b4", ls="--", lw=1.2, label="significant, no bias")
    ax.plot(r.priors, r.curve, color="#d62728", lw=2, label=f"significant, bias {r.bias:.2f}")
    ax.plot([r.prior], [r.ppv], "o", color="#d62728", ms=6)
    ax.plot([r.prior], [r.if_not_significant], "v", color="#2ca02c", ms=6, label="not significant")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ticks = [0, 0.25, 0.5, 0.75, 1]
    labels = ["0", "25%", "50%", "75%", "100%"]
    ax.set_xticks(ticks, labels)
    ax.set_yticks(ticks, labels)
    ax.set_xlabel("prior probability that the treatment works")
    ax.set_ylabel("probability it works, after the study")
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    ax.set_title(f"A significant result moves {r.prior:.0%} to {r.ppv:.0%}", fontsize=10)
    single_panel_margins(ax, left=0.14, bottom=0.18, right=0.97, top=0.88)


PRESETS = [
    Preset("Long shot: new cell therapy, small biased study", {"prior": 0.05, "power": 0.3, "alpha": 0.05, "bias": 0.4}),
    Preset("Plausible idea, well-run RCT", {"prior": 0.3, "power": 0.8, "alpha": 0.05, "bias": 0.1}),
    Preset("Same RCT, more flexible analysis", {"prior": 0.3, "power": 0.8, "alpha": 0.05, "bias": 0.4}),
    Preset("Confirmatory RCT after a positive one", {"prior": 0.5, "power": 0.9, "alpha": 0.05, "bias": 0.05}),
]


@register
def ppv_explorer() -> Explorer:
    """Prior, power, α and bias → probability that a 'significant' (or not) finding is real."""
    controls = {
        "prior": Slider(0.0, 0.99, 0.01, 0.1, "prior probability it works"),  # prior 1 with power 1: no non-significant result
        "power": Slider(0.15, 1.0, 0.05, 0.8, "power (1 − β)"),
        "alpha": Choice({"0.05": 0.05, "0.01": 0.01, "0.005": 0.005, "0.1": 0.1}, 0.05, "significance level α"),
        "bias": Slider(0.0, 0.8, 0.05, 0.1, "bias u (Ioannidis)"),
    }
    return Explorer(
        name="ppv_explorer",
        title="How far should one study move us? (PPV, Ioannidis 2005)",
        compute=ppv_scenario,
        controls=controls,
        summarize=_summary,
        draw=_draw,
        presets=PRESETS,
        figsize=(5.2, 3.8),
    )
