"""Explorer: EDSS "improved / stable / worse" counts in an untreated series."""

from __future__ import annotations

import numpy as np

from ..data import value
from ..simulate import edss as E
from . import Choice, Explorer, IntSlider, Preset, Slider, register, single_panel_margins


def no_treatment_series(n: int = 103, rater_sd: float = 0.5, progression: float = 0.1, years: float = 1.0,
                        threshold: str = "half", entry_excess: float = 0.0, seed: int = 0) -> dict:
    """One simulated untreated series and its category table (see :func:`appraisal.simulate.edss.simulate_series`)."""
    res = E.simulate_series(n=n, rater_sd=rater_sd, progression=progression, years=years, threshold=threshold,
                            entry_excess=entry_excess, seed=seed)
    return {"result": res, "table": res.table()}


def _summary(r) -> dict:
    t = r["table"].set_index("category")
    n = int(t["count"].sum())
    return {"patients": n, **{f"{c} (%)": f"{float(t.loc[c, 'percent']):.1f}" for c in E.CATEGORIES}}





def _draw(r, ax) -> None:
    t = r["table"]
    x = np.arange(len(t))
    colours = ["#2ca02c", "#7f7f7f", "#d62728"]
    ax.bar(x, t["percent"], color=colours, alpha=0.8)
    ax.errorbar(x, t["percent"], yerr=[t["percent"] - t["ci_low_%"], t["ci_high_%"] - t["percent"]],
                fmt="none", ecolor="k", capsize=3, lw=1)
    ax.set_xticks(x)
    ax.set_xticklabels(list(t["category"]))
    ax.set_ylim(0, 100)
    ax.set_ylabel("untreated patients (%, 95% CI)")
    ax.set_xlabel("EDSS category at follow-up")
    imp = float(t.loc[t["category"] == "improved", "percent"].iloc[0])
    wor = float(t.loc[t["category"] == "worse", "percent"].iloc[0])
    ax.set_title(f"No treatment: {imp:.0f}% 'improved', {wor:.0f}% 'worse'", fontsize=10)
    single_panel_margins(ax, left=0.13, bottom=0.17, right=0.97, top=0.88)


@register
def edss_null_explorer() -> Explorer:
    """Rater noise, progression, follow-up and threshold → EDSS categories with no treatment effect.

    The default number of patients is the review's pooled count (improved + stable + worse).
    """
    n_review = int(sum(value("ms_uncontrolled_results", f"review_edss_{c}") for c in ("improved", "stable", "worse")))
    return Explorer(
        name="edss_null_explorer",
        title="EDSS categories in an untreated series",
        compute=no_treatment_series,
        controls={
            "n": IntSlider(10, 1000, n_review, "patients"),
            "rater_sd": Slider(0.0, 1.5, 0.1, 0.5, "rater noise SD (EDSS points)"),
            "progression": Slider(0.0, 0.6, 0.05, 0.1, "true progression (EDSS points/year)"),
            "years": Slider(0.5, 4.0, 0.5, 1.0, "follow-up (years)"),
            "entry_excess": Slider(0.0, 1.5, 0.25, 0.0, "temporary excess at entry (EDSS points)"),
            "threshold": Choice({"any half step": "half", "standard: 1.0 (0.5 above entry 5.5)": "standard"}, "half",
                                "change that counts"),
        },
        summarize=_summary,
        draw=_draw,
        presets=[
            Preset("Perfect rater, no progression", {"rater_sd": 0.0, "progression": 0.0}),
            Preset("Rater noise 0.5, slow progression", {}),
            Preset("Rater noise 0.5, standard threshold", {"threshold": "standard"}),
            Preset("Noise 0.5, enrolled 0.5 above usual", {"entry_excess": 0.5}),
            Preset("Enrolled 0.5 above usual, standard threshold", {"entry_excess": 0.5, "threshold": "standard"}),
        ],
        fixed={"seed": 0},
        figsize=(5.0, 3.2),
    )
