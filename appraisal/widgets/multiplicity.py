"""Explorer for the biomarker-preprint chapter: how many false positives do many markers give?

The reader chooses the number of markers tested before and after treatment, their
common correlation, the significance level and the number of patients; the
explorer simulates studies in which nothing changes
(:func:`appraisal.simulate.multiplicity.family_error`) and shows, as markers are
added, two different chances: that of at least one "significant" marker (the
family-wise rate, next to its formula for independent tests, ``1 − (1 − α)^k``), and
that of the pattern the preprint reports, exactly one marker below its printed bound
and every other above the other printed bound (``k · 0.01 · 0.95^(k − 1)`` for
independent tests). The two bounds are read from ``data/alkhazaali2024_results``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import data
from ..plots import COLOURS
from ..simulate.multiplicity import FamilyError, family_error
from . import Choice, Explorer, IntSlider, Preset, Slider, register, single_panel_margins

_SOURCE = "alkhazaali2024_results"


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
        "exactly one p<α": round(r.share_exactly_one, 3),
        f"pattern: 1 p<{r.below:g}, rest >{r.above:g}, simulated": round(r.pattern, 3),
        "pattern, formula k·a·(1−b)^(k−1)": round(r.pattern_independent, 3),
    }


def _draw(r: FamilyError, ax) -> None:
    single_panel_margins(ax, left=0.14, bottom=0.15, right=0.97, top=0.90)
    j = np.arange(1, r.k + 1)
    analytic = 1.0 - (1.0 - r.alpha) ** j  # = fwer_independent(j, alpha), vectorized for speed
    pattern = j * r.below * (1.0 - r.above) ** (j - 1)  # = one_below_rest_above(j, below, above), vectorized
    ax.plot(j, analytic, color=COLOURS["null"], ls="--", lw=1.5)
    ax.plot(j, r.fwer_by_markers, color=COLOURS["observed"], lw=2)
    ax.plot(j, pattern, color=COLOURS["null"], ls="--", lw=1.5)
    ax.plot(j, r.pattern_by_markers, color=COLOURS["treated"], lw=2)
    ax.axhline(r.alpha, color="k", lw=0.8, ls=":")
    # short direct labels instead of a legend: on this machine text costs about 0.1 ms a character
    ax.text(0.02, 0.97, f"red: ≥1 p<α\nblue: 1 p<{r.below:g}, rest >{r.above:g}\ndashed: formulas",
            transform=ax.transAxes, va="top", fontsize=8)
    ax.set_xlim(0.5, max(r.k, 2) + 0.5)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("markers tested (k)")
    ax.set_ylabel("probability, no effect")
    ax.set_title(f"ρ = {r.rho:.1f}: ≥1 p<α {100 * r.fwer:.0f}%; pattern {100 * r.pattern:.0f}%", fontsize=10)


@register
def multiplicity_explorer() -> Explorer:
    """Markers, correlation, α and n → family-wise error, and the reported pattern, of a one-arm before–after study."""
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
        title="How often does a study in which nothing changes find a 'significant' marker, or the reported pattern?",
        compute=family_error,
        controls=controls,
        summarize=_summary,
        draw=_draw,
        presets=presets,
        fixed={"n_sims": 600, "seed": 2024,
               "below": float(data.value(_SOURCE, "p_tnf_alpha_csf")),
               "above": float(data.value(_SOURCE, "p_other_markers"))},
        figsize=(5.6, 3.4),
    )
