"""Every registered explorer: its static views render, its callback runs, bad parameters are refused.

Explorers are found through the registry, so a chapter's new explorer is tested here
without editing this file.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from appraisal import widgets as W

EXPLORERS = W.all_explorers()


def test_registry_is_not_empty():
    assert "appraisal.widgets.scales.ft9_explorer" in EXPLORERS


@pytest.mark.parametrize("key", EXPLORERS)
def test_static_views(key):
    ex = EXPLORERS[key]()
    assert len(ex.presets) >= 2, "a static view needs a few presets"
    table = W.static_table(ex)
    assert isinstance(table, pd.DataFrame) and len(table) == len(ex.presets)
    assert table.notna().all().all(), "summaries must not carry NaN"
    if ex.draw is not None:
        fig = W.static_figure(ex)
        assert len([a for a in fig.axes if a.get_visible()]) >= len(ex.presets)
        plt.close(fig)


@pytest.mark.parametrize("key", EXPLORERS)
def test_callback_over_sampled_params(key):
    ex = EXPLORERS[key]()
    for seed in range(5):
        row, png = W.callback(ex, **W.sample_params(ex, seed))
        assert row and all(v is not None for v in row.values())
        if ex.draw is not None:
            assert png[:4] == b"\x89PNG"


@pytest.mark.parametrize("key", EXPLORERS)
def test_deterministic(key):
    ex = EXPLORERS[key]()
    params = W.sample_params(ex, 7)
    assert W.callback(ex, **params)[0] == W.callback(ex, **params)[0]


@pytest.mark.parametrize("key", EXPLORERS)
def test_live_view_builds(key):
    pytest.importorskip("ipywidgets")
    box = W.build(EXPLORERS[key]())
    assert len(box.children) == len(EXPLORERS[key]().controls) + 2


def test_unknown_parameter_is_refused():
    ex = EXPLORERS["appraisal.widgets.scales.ft9_explorer"]()
    with pytest.raises(ValueError, match=r"params=\['item13'\] is not allowed"):
        W.callback(ex, item13=2)


def test_bad_parameter_value_is_refused():
    ex = EXPLORERS["appraisal.widgets.scales.ft9_explorer"]()
    with pytest.raises(ValueError, match=r"item 1\)=7 is not allowed"):
        W.callback(ex, item1=7)


def test_static_view_needs_presets():
    ex = EXPLORERS["appraisal.widgets.scales.ft9_explorer"]()
    with pytest.raises(ValueError, match=r"presets=\[\] is not allowed"):
        W.static_table(ex, presets=[])


@pytest.mark.parametrize("key", sorted(EXPLORERS))
def test_slider_readouts_show_every_grid_value_exactly(key):
    """The number a reader sees beside a slider is the value the computation gets (step 0.25 -> 2 decimals)."""
    ex = EXPLORERS[key]()
    for name, spec in ex.controls.items():
        if isinstance(spec, W.Slider):
            fmt = f"{{:.{W.readout_decimals(spec)}f}}"
            k = round((spec.max - spec.min) / spec.step)
            for i in range(k + 1):
                v = spec.min + i * spec.step
                assert abs(float(fmt.format(v)) - v) < 1e-9, f"{name}: {v} reads {fmt.format(v)}"
