"""Explorer: the ±3-point response rule applied to matched pairs when the treatment does nothing (or a little)."""

from __future__ import annotations

import numpy as np

from .. import data
from ..simulate.matched_pairs import CATEGORIES, failure_slope, simulate_matched_pairs
from . import Explorer, Preset, Slider, register, single_panel_margins

_TABLE = "barczewska2020_results"
_OBSERVED = {"decreased progression": "response_decreased_n", "no change": "response_nochange_n",
             "increased progression": "response_increased_n"}


def observed_split() -> dict[str, float]:
    """The published category split (percent of treated patients), recomputed from the counts."""
    n = data.value(_TABLE, "n_treated")
    return {name: 100 * data.value(_TABLE, q) / n for name, q in _OBSERVED.items()}


def null_pairs(noise_sd: float, slope_sd: float, match_tol: float, followup_months: float, slope_change_sd: float,
               mean_slope: float, n_pairs: int, n_studies: int, seed: int, treatment_effect: float = 0.0) -> dict:
    """Simulate the matched pairs (no effect unless ``treatment_effect``) and fit the failure-on-early-response slope."""
    res = simulate_matched_pairs(n_pairs=n_pairs, n_studies=n_studies, mean_slope=mean_slope, slope_sd=slope_sd,
                                 slope_change_sd=slope_change_sd, noise_sd=noise_sd, match_tol=match_tol,
                                 followup_months=followup_months, treatment_effect=treatment_effect, seed=seed)
    return {"result": res, "split": {k: 100 * v for k, v in res.split().items()}, "fit": failure_slope(res)}


def _summary(out: dict) -> dict:
    # numbers as formatted text, so that the live table shows them as the static one does
    s = out["split"]
    fit = out["fit"]
    return {
        "decreased % (no effect)": f"{s['decreased progression']:.1f}",
        "no change % (no effect)": f"{s['no change']:.1f}",
        "increased % (no effect)": f"{s['increased progression']:.1f}",
        "failure slope per point (no effect)": "not estimable" if fit is None else f"{fit['slope']:.2f}",
    }


def _draw(out: dict, ax) -> None:
    names = list(CATEGORIES.values())
    obs = observed_split()
    x = np.arange(len(names))
    ax.bar(x - 0.2, [out["split"][n] for n in names], 0.4, color="#7f7f7f", label="simulated")
    ax.bar(x + 0.2, [obs[n] for n in names], 0.4, color="#d62728", label=f"published ({int(data.value(_TABLE, 'n_treated'))} treated)")
    ax.set_xticks(x, ["decreased\nprogression", "no change", "increased\nprogression"])
    ax.set_ylabel("patients in category (%)")
    ax.set_ylim(0, 100)
    ax.set_yticks([0, 25, 50, 75, 100])  # few fixed ticks: cheaper to draw
    ax.legend(fontsize=8, loc="upper right")
    single_panel_margins(ax, left=0.13, bottom=0.2, right=0.98, top=0.88)
    fit = out["fit"]
    slope = "not estimable" if fit is None else f"{fit['slope']:.2f}"
    eff = out["result"].params["treatment_effect"]
    lead = "No effect" if eff == 0 else f"Benefit {eff:g}/month"
    ax.set_title(f"{lead}: {out['split']['decreased progression']:.0f}% 'improve'; failure slope {slope}",
                 fontsize=10)


@register
def matched_pairs_explorer() -> Explorer:
    """Vary noise, slope spread, matching tolerance, follow-up and a true benefit; see the category split."""
    mean = -data.value("natural_history", "proact_mean_decline")
    controls = {
        "noise_sd": Slider(0.0, 4.0, 0.25, 1.5, "visit noise SD (points)"),
        "slope_sd": Slider(0.0, 1.5, 0.1, 0.8, "between-patient slope SD (points/month)"),
        "match_tol": Slider(0.0, 1.0, 0.1, 0.1, "matching tolerance (points/month)"),
        "followup_months": Slider(2.0, 12.0, 1.0, 6.0, "follow-up (months)"),
        "slope_change_sd": Slider(0.0, 1.0, 0.1, 0.3, "slope drift SD (points/month)"),
        "treatment_effect": Slider(0.0, 0.5, 0.05, 0.0, "true benefit (points/month slower)"),
    }
    presets = [
        Preset("Book defaults", {}),
        Preset("No noise, no drift", {"noise_sd": 0.0, "slope_change_sd": 0.0}),
        Preset("Noisy visits (SD 3)", {"noise_sd": 3.0}),
        Preset("Short follow-up (2 months)", {"followup_months": 2.0}),
        Preset("Modest true benefit (0.2/month)", {"treatment_effect": 0.2}),
    ]
    return Explorer(
        name="matched_pairs_explorer",
        title="Response categories with no treatment effect (or a modest one)",
        compute=null_pairs,
        controls=controls,
        summarize=_summary,
        draw=_draw,
        presets=presets,
        fixed={"mean_slope": mean, "n_pairs": int(data.value(_TABLE, "n_treated")), "n_studies": 20, "seed": 3},
        figsize=(5.0, 2.9),
    )
