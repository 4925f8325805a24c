"""Explorer for the biomarker-preprint chapter: how many false positives do many markers give?

The reader chooses the number of markers tested before and after treatment, their
common correlation, the significance level and the number of patients; the
explorer simulates studies in which nothing changes
(:func:`appraisal.simulate.multiplicity.family_error`) and shows the chance of at
least one "significant" marker as markers are added, next to the analytic curve for
independent tests, ``1 − (1 − α)^k``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from ..plots import COLOURS
from ..simulate.multiplicity import FamilyError, family_error
from . import Choice, Explorer, IntSlider, Preset, Slider, register, single_panel_margins


def _summary(r: FamilyError) -> dict:
    return {
        "k": r.k,
        "ρ": round(r.rho, 2),
        "α": r.alpha,
        "n": r.n,
        "P(≥1 p<α) simulated": round(r.fwer, 3),
        "MC SE": round(r.fwer_se, 3),
        "1−(1−α)^k": round(r.fwer_independent, 3),
        "mean false +": round(r.mean_false_positives, 2),
        "exactly one": round(r.share_exactly_one, 3),
    }


def _draw(r: FamilyError, ax) -> None:
    single_panel_margins(ax, left=0.14, bottom=0.15, right=0.97, top=0.90)
    j = np.arange(1, r.k + 1)
    analytic = 1.0 - (1.0 - r.alpha) ** j  # = fwer_independent(j, alpha), vectorized for speed
    ax.plot(j, analytic, color=COLOURS["null"], ls="--", lw=1.5)
    ax.plot(j, r.fwer_by_markers, color=COLOURS["observed"], lw=2)
    ax.axhline(r.alpha, color="k", lw=0.8, ls=":")
    # short direct labels instead of a legend: on this machine text costs about 0.1 ms a character
    ax.text(0.02, 0.97, "red: simulated\ngrey dashed: 1−(1−α)^k\ndotted: α", transform=ax.transAxes,
            va="top", fontsize=8)
    ax.set_xlim(0.5, max(r.k, 2) + 0.5)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("markers tested (k)")
    ax.set_ylabel("P(≥ 1 p < α), no effect")
    ax.set_title(f"ρ = {r.rho:.1f}: {100 * r.fwer:.0f}% find ≥ 1 p < {r.alpha:g}", fontsize=10)


@register
def multiplicity_explorer() -> Explorer:
    """Markers, correlation, α and n → family-wise error of a one-arm before–after study."""
    controls = {
        "k": IntSlider(1, 30, 10, "markers tested (k)"),
        "rho": Slider(0.0, 0.9, 0.1, 0.0, "correlation between markers (ρ)"),
        "alpha": Choice({"0.05": 0.05, "0.01": 0.01}, 0.05, "significance level α"),
        "n": IntSlider(5, 30, 15, "patients (n)"),
    }
    presets = [
        Preset("10 independent markers", {"k": 10, "rho": 0.0}),
        Preset("10 markers, ρ = 0.5", {"k": 10, "rho": 0.5}),
        Preset("30 independent markers", {"k": 30, "rho": 0.0}),
        Preset("30 markers, α = 0.01", {"k": 30, "rho": 0.0, "alpha": 0.01}),
    ]
    return Explorer(
        name="multiplicity_explorer",
        title="How often does a study in which nothing changes find a 'significant' marker?",
        compute=family_error,
        controls=controls,
        summarize=_summary,
        draw=_draw,
        presets=presets,
        fixed={"n_sims": 600, "seed": 2024},
        figsize=(5.6, 3.4),
    )
