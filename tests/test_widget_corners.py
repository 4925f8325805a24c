"""Every explorer works at every corner of its controls, and the live view never shows a traceback.

Corners: all controls at their minimum, all at their maximum, the two alternating mixes
(min/max/min/… and max/min/max/…), and each control alone at its minimum and at its
maximum with the others at their defaults (for a drop-down: its first and last option).
At each corner one full control move (:func:`appraisal.widgets.callback`: compute,
summarize, draw, render) must succeed with a summary free of None and NaN. A corner
that cannot be computed must be excluded by the controls themselves, not left to crash.
"""

from __future__ import annotations

import math

import pytest

from appraisal import widgets as W

EXPLORERS = W.all_explorers()


def _ends(spec):
    if isinstance(spec, W.Choice):
        vals = list(spec.options.values())
        return vals[0], vals[-1]
    return spec.min, spec.max


def corners(explorer: W.Explorer) -> list[tuple[str, dict]]:
    names = list(explorer.controls)
    ends = {k: _ends(explorer.controls[k]) for k in names}
    out = [
        ("all at minimum", {k: ends[k][0] for k in names}),
        ("all at maximum", {k: ends[k][1] for k in names}),
        ("mixed min/max", {k: ends[k][i % 2] for i, k in enumerate(names)}),
        ("mixed max/min", {k: ends[k][(i + 1) % 2] for i, k in enumerate(names)}),
    ]
    for k in names:
        out.append((f"{k} at minimum", {k: ends[k][0]}))
        out.append((f"{k} at maximum", {k: ends[k][1]}))
    return out


def _clean(v) -> bool:
    if v is None:
        return False
    if isinstance(v, float):
        return math.isfinite(v)
    return True


@pytest.mark.parametrize("key", EXPLORERS)
def test_every_corner_of_the_controls_works(key):
    ex = EXPLORERS[key]()
    for label, params in corners(ex):
        try:
            row, png = W.callback(ex, **params)
        except Exception as err:  # noqa: BLE001 - any exception at a corner is a failure
            pytest.fail(f"{ex.name} at corner '{label}' {params}: {type(err).__name__}: {err}")
        bad = {k: v for k, v in row.items() if not _clean(v)}
        assert not bad, f"{ex.name} at corner '{label}': summary holds {bad}"
        if ex.draw is not None:
            assert png[:4] == b"\x89PNG", f"{ex.name} at corner '{label}': no figure"


def _broken(exc):
    def compute(x=1):
        raise exc

    return W.Explorer(name="broken", title="broken", compute=compute,
                      controls={"x": W.IntSlider(0, 2, 1, "x")}, summarize=lambda r: {"x": r})


@pytest.mark.parametrize("exc, shown", [(RuntimeError("boom"), "could not be shown (RuntimeError: boom)"),
                                        (ZeroDivisionError("0"), "could not be shown (ZeroDivisionError"),
                                        (ValueError("x=1 is not allowed"), "These settings are not allowed: x=1")])
def test_live_view_shows_exceptions_as_messages(exc, shown, capsys):
    pytest.importorskip("ipywidgets")
    box = W.build(_broken(exc))  # interactive_output runs the update once at once: it must not raise
    out = box.children[-1]
    text = capsys.readouterr().out + "".join(o.get("text", "") for o in out.outputs)
    assert shown in text
