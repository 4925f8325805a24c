"""Explorers for the rating scales (primer chapter)."""

from __future__ import annotations

from ..scales import DOMAIN_THRESHOLD, alsfrs_r_items, ft9_stage
from . import Explorer, IntSlider, Preset, register, single_panel_margins

_ITEMS = [f"item{i}" for i in range(1, 13)]


def ft9_from_items(**items: int):
    """FT9 result from keyword item scores ``item1`` … ``item12`` (a thin adapter)."""
    missing = [k for k in _ITEMS if k not in items]
    if missing:
        raise ValueError(f"items={sorted(items)!r} is not allowed: give all of item1 … item12 (missing {missing}).")
    return ft9_stage([items[k] for k in _ITEMS])


def _summary(r) -> dict:
    return {
        "ALSFRS-R total (0–48)": r.total,
        **{f"{d} (0–12)": s for d, s in r.domains.items()},
        "FT9 stage (1–5)": r.stage,
    }


def _draw(r, ax) -> None:
    names = list(r.domains)
    scores = [r.domains[n] for n in names]
    low = [s < DOMAIN_THRESHOLD for s in scores]
    # colour is not the only carrier: a domain below the threshold is also hatched and labelled
    bars = ax.barh(names, scores, color=["#c0392b" if b else "#2e86c1" for b in low])
    for bar, b, s in zip(bars, low, scores):
        if b:
            bar.set_hatch("///")
            bar.set_edgecolor("white")
        ax.text(min(s, 11.6) + 0.15 if s < 11 else s - 0.25, bar.get_y() + bar.get_height() / 2,
                f"{s}" + (" (below)" if b else ""), va="center", ha="left" if s < 11 else "right", fontsize=8,
                color="black" if s < 11 else "white")
    ax.axvline(DOMAIN_THRESHOLD - 0.5, color="k", ls="--", lw=1)
    ax.set_xlim(0, 12)
    ax.set_xlabel(f"domain score (points of 12); hatched red: below {DOMAIN_THRESHOLD}")
    ax.set_ylim(len(names) - 0.5, -0.5)  # first domain on top (set, not toggled: safe with shared axes)
    ax.set_title(f"ALSFRS-R {r.total}/48, FT9 stage {r.stage}", fontsize=10)
    single_panel_margins(ax, left=0.2, right=0.97, bottom=0.17, top=0.9)


def _profile(bulbar, upper, lower, breathing) -> dict:
    return {f"item{i + 1}": s for i, s in enumerate([*bulbar, *upper, *lower, *breathing])}


@register
def ft9_explorer() -> Explorer:
    """Twelve item sliders → total ALSFRS-R score, domain subtotals and FT9 stage."""
    names = alsfrs_r_items().sort_values("item")["name"].tolist()
    controls = {k: IntSlider(0, 4, 4, f"{i + 1}. {names[i]}") for i, k in enumerate(_ITEMS)}
    presets = [
        Preset("Early, limb onset", _profile([4, 4, 4], [3, 3, 3], [4, 4, 4], [4, 4, 4])),
        Preset("Bulbar onset", _profile([2, 2, 2], [4, 4, 4], [4, 4, 4], [4, 4, 4])),
        Preset("Same total (36), two domains", _profile([4, 4, 4], [2, 2, 2], [2, 2, 2], [4, 4, 4])),
        Preset("Advanced", _profile([2, 2, 2], [1, 1, 1], [0, 1, 1], [3, 3, 2])),
    ]
    return Explorer(
        name="ft9_explorer",
        title="ALSFRS-R items → FT9 stage",
        compute=ft9_from_items,
        controls=controls,
        summarize=_summary,
        draw=_draw,
        presets=presets,
        figsize=(5.4, 3.0),
    )
