"""The widget pattern every chapter uses.

An :class:`Explorer` bundles

* ``compute`` – a pure function from parameters to a result (lives in a computing
  module such as :mod:`appraisal.simulate` or :mod:`appraisal.recompute`);
* ``controls`` – a description of each parameter's control (:class:`Slider`,
  :class:`IntSlider`, :class:`Choice`), not the widget itself;
* ``draw`` – draws a result on a Matplotlib axes; ``summarize`` – turns a result
  into a row of plain numbers for a table;
* ``presets`` – a few labelled parameter sets for the static view.

Three thin functions use it: :func:`build` makes the live ipywidgets view (needs a
kernel), :func:`static_table` and :func:`static_figure` show the same function over
the presets for HTML and PDF readers, and :func:`callback` is exactly what one
move of a control costs (the benchmarks time it).

Topic modules in this package define factories decorated with :func:`register`, so
the benchmarks and tests find every explorer without a list to keep up to date.
"""

from __future__ import annotations

import importlib
import io
import math
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

import matplotlib


import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import _checks as chk

__all__ = [
    "Slider",
    "IntSlider",
    "Choice",
    "Preset",
    "Explorer",
    "register",
    "all_explorers",
    "defaults",
    "callback",
    "build",
    "label_width",
    "readout_decimals",
    "describe",
    "figure_html",
    "static_table",
    "static_figure",
    "sample_params",
    "single_panel_margins",
]


@dataclass(frozen=True)
class Slider:
    """A float slider: ``min`` ≤ value ≤ ``max`` in steps of ``step``."""

    min: float
    max: float
    step: float
    value: float
    label: str

    def sample(self, rng: np.random.Generator) -> float:
        k = int(round((self.max - self.min) / self.step))
        return float(round(self.min + self.step * int(rng.integers(0, k + 1)), 10))


@dataclass(frozen=True)
class IntSlider:
    """A whole-number slider."""

    min: int
    max: int
    value: int
    label: str
    step: int = 1

    def sample(self, rng: np.random.Generator) -> int:
        return int(self.min + self.step * int(rng.integers(0, (self.max - self.min) // self.step + 1)))


@dataclass(frozen=True)
class Choice:
    """A drop-down: ``options`` maps the label shown to the value passed on."""

    options: dict[str, Any]
    value: Any
    label: str

    def sample(self, rng: np.random.Generator) -> Any:
        vals = list(self.options.values())
        return vals[int(rng.integers(0, len(vals)))]


@dataclass(frozen=True)
class Preset:
    """A labelled set of parameters for the static view (others take their defaults)."""

    label: str
    params: dict[str, Any]


@dataclass
class Explorer:
    """A pure computation with the description of its controls, drawing and presets."""

    name: str
    title: str
    compute: Callable[..., Any]
    controls: dict[str, Slider | IntSlider | Choice]
    summarize: Callable[[Any], dict[str, Any]]
    draw: Callable[[Any, Any], None] | None = None
    presets: list[Preset] = field(default_factory=list)
    fixed: dict[str, Any] = field(default_factory=dict)
    figsize: tuple[float, float] = (6.0, 3.6)
    describe: Callable[[Any], str] | None = None  # one sentence: what the figure shows (alt text)


_REGISTRY: dict[str, Callable[[], Explorer]] = {}


def register(factory: Callable[[], Explorer]) -> Callable[[], Explorer]:
    """Decorator: record an explorer factory so benchmarks and tests find it."""
    if not callable(factory) or not hasattr(factory, "__name__"):
        raise chk.ArgumentTypeError(f"factory={factory!r} is not allowed: factory must be a function returning an Explorer.")
    _REGISTRY[f"{factory.__module__}.{factory.__name__}"] = factory
    return factory


def all_explorers() -> dict[str, Callable[[], Explorer]]:
    """Every registered explorer factory, after importing every topic module here."""
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return dict(sorted(_REGISTRY.items()))


def _explorer(explorer) -> Explorer:
    return chk.instance("explorer", explorer, Explorer, "widgets.Explorer (call the factory, e.g. ppv_explorer())")


def _presets(explorer: Explorer, presets) -> list[Preset]:
    presets = explorer.presets if presets is None else presets
    presets = chk.string_list("presets", presets)
    for i, p in enumerate(presets):
        chk.instance(f"presets[{i}]", p, Preset, "widgets.Preset")
    if not presets:
        raise ValueError(f"presets={presets!r} is not allowed: {explorer.name} needs at least one preset.")
    return presets


def defaults(explorer: Explorer) -> dict[str, Any]:
    """Parameters at the controls' starting values, plus the fixed ones."""
    _explorer(explorer)
    return {**explorer.fixed, **{k: c.value for k, c in explorer.controls.items()}}


def _params(explorer: Explorer, overrides: dict[str, Any]) -> dict[str, Any]:
    unknown = set(overrides) - set(explorer.controls) - set(explorer.fixed)
    if unknown:
        allowed = ", ".join(sorted(set(explorer.controls) | set(explorer.fixed)))
        raise ValueError(f"params={sorted(unknown)!r} is not allowed: {explorer.name} takes {allowed}.")
    return {**defaults(explorer), **overrides}


def sample_params(explorer: Explorer, seed: int) -> dict[str, Any]:
    """Random control values (for benchmarks and property tests)."""
    _explorer(explorer)
    rng = np.random.default_rng(chk.seed("seed", seed))
    return {**explorer.fixed, **{k: c.sample(rng) for k, c in explorer.controls.items()}}


def single_panel_margins(ax, left: float = 0.13, bottom: float = 0.2, right: float = 0.98, top: float = 0.86) -> None:
    """Fixed margins instead of the constrained layout when ``ax`` is alone in its figure.

    Call it at the end of an explorer's ``draw``. The constrained layout measures every
    text several times and costs about a third of a live redraw (15–20 ms here); a single
    panel with known labels does not need it. Multi-panel figures (the static views)
    keep their layout engine. Margins are figure fractions.
    """
    chk.axes("ax", ax)
    left, bottom = chk.in_range("left", left, 0.0, 1.0), chk.in_range("bottom", bottom, 0.0, 1.0)
    right, top = chk.in_range("right", right, 0.0, 1.0), chk.in_range("top", top, 0.0, 1.0)
    if not (left < right and bottom < top):
        raise ValueError(f"left={left!r} is not allowed: margins need left < right={right!r} and "
                         f"bottom={bottom!r} < top={top!r}.")
    fig = ax.figure
    if len(fig.axes) == 1:
        # No engine at all: with any engine, even a placeholder, savefig draws twice. The
        # rc_context stops set_layout_engine(None) from falling back to the rcParams default
        # (the book's style turns the constrained layout on).
        with matplotlib.rc_context({"figure.constrained_layout.use": False, "figure.autolayout": False}):
            fig.set_layout_engine(None)
        ax.set_position([left, bottom, right - left, top - bottom])


def _figure(explorer: Explorer, result: Any):
    fig, ax = plt.subplots(figsize=explorer.figsize, layout="constrained")
    explorer.draw(result, ax)
    return fig


def callback(explorer: Explorer, **params: Any) -> tuple[dict[str, Any], bytes | None]:
    """What one move of a control does: compute, summarize, draw and render to PNG.

    Returns the summary row and the PNG bytes (``None`` when the explorer has no
    drawing). The figure is closed afterwards.
    """
    _explorer(explorer)
    result = explorer.compute(**_params(explorer, params))
    row = explorer.summarize(result)
    png = None
    if explorer.draw is not None:
        fig = _figure(explorer, result)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=72)
        plt.close(fig)
        png = buf.getvalue()
    return row, png


#: the widest label column an explorer gets (longer labels are cut with an ellipsis; the
#: full label stays the control's tooltip and accessible name)
MAX_LABEL_CH = 48


def label_width(explorer: Explorer) -> str:
    """One CSS width for every control label of an explorer, from its longest label.

    ipywidgets sizes each label to its own text by default (``description_width:
    initial``), so each slider's track starts where its own label ends and the tracks of
    one explorer do not line up. With one width (in ``ch``, the width of a digit, plus
    one for the colon) they start at the same place.
    """
    explorer = _explorer(explorer)
    longest = max((len(c.label) for c in explorer.controls.values()), default=0)
    return f"{min(longest + 2, MAX_LABEL_CH)}ch"


def readout_decimals(spec: Slider) -> int:
    """Decimals the slider's readout needs to show every value of its grid exactly.

    The grid is ``min + k·step``: a step of 0.25 needs two decimals (one would show 2.25
    as "2.3", and a reader would take the wrong setting for the one computed).
    """
    from decimal import Decimal

    chk.instance("spec", spec, Slider, "widgets.Slider")
    exponents = [Decimal(repr(float(x))).normalize().as_tuple().exponent for x in (spec.step, spec.min)]
    return max(0, *(-e for e in exponents if isinstance(e, int)))


def _widget(name: str, spec, description_width: str = "initial"):
    import ipywidgets as w

    style = {"description_width": description_width}
    common = dict(description=spec.label, tooltip=spec.label, style=style, layout=w.Layout(width="95%"))
    if isinstance(spec, Slider):
        decimals = readout_decimals(spec)
        return w.FloatSlider(value=spec.value, min=spec.min, max=spec.max, step=spec.step,
                             readout_format=f".{decimals}f", continuous_update=False, **common)
    if isinstance(spec, IntSlider):
        return w.IntSlider(value=spec.value, min=spec.min, max=spec.max, step=spec.step, continuous_update=False,
                           **common)
    if isinstance(spec, Choice):
        common["layout"] = w.Layout(width="auto", max_width="95%")
        return w.Dropdown(options=list(spec.options.items()), value=spec.value, **common)
    raise ValueError(f"controls[{name!r}]={spec!r} is not allowed: use Slider, IntSlider or Choice.")


def _number(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def describe(explorer: Explorer, result: Any, params: dict[str, Any] | None = None) -> str:
    """The alt text of a live figure: what it shows, in words and the numbers behind it.

    An explorer's own ``describe(result)`` sentence comes first when it has one; then the
    summary row (the same numbers as the table above the figure) and the settings.
    """
    parts = [explorer.title.rstrip(".") + "."]
    if explorer.describe is not None:
        parts.append(explorer.describe(result).strip())
    row = explorer.summarize(result)
    parts.append("Result: " + "; ".join(f"{k} {_number(v)}" for k, v in row.items()) + ".")
    if params:
        labels = {k: c.label for k, c in explorer.controls.items()}
        shown = [f"{labels[k]} {_number(v)}" for k, v in params.items() if k in labels]
        if shown:
            parts.append("Settings: " + "; ".join(shown) + ".")
    return " ".join(parts)


def figure_html(png: bytes, alt: str) -> str:
    """An ``<img>`` with alt text for a PNG (a bare image output has no alt text)."""
    import base64
    import html as _html

    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_html.escape(alt, quote=True)}" style="max-width:100%">'


def build(explorer: Explorer):
    """The live view: controls above, summary table and figure below (needs a kernel).

    Any exception raised while computing, summarizing or drawing a setting is shown as
    a message inside the widget (the live view never shows a traceback); a refused
    setting (``ValueError``) says which argument and what is allowed. Every control's
    label has the same width (:func:`label_width`), so the slider tracks line up; the
    figure is shown as an image with alt text (:func:`describe`).
    """
    import ipywidgets as w
    from IPython.display import display

    _explorer(explorer)

    width = label_width(explorer)
    controls = {k: _widget(k, spec, width) for k, spec in explorer.controls.items()}
    out = w.Output()

    def update(**params):
        with out:
            out.clear_output(wait=True)
            fig = None
            try:
                result = explorer.compute(**{**explorer.fixed, **params})
                row = explorer.summarize(result)
                if explorer.draw is not None:
                    fig = _figure(explorer, result)
            except (ValueError, TypeError) as err:  # shown to the reader, not raised from a callback
                if fig is not None:
                    plt.close(fig)
                print(f"These settings are not allowed: {err}")
                return
            except Exception as err:  # noqa: BLE001 - a live view must never show a traceback
                if fig is not None:
                    plt.close(fig)
                print(f"These settings could not be shown ({type(err).__name__}: {err}). "
                      "Move a control back towards its default.")
                return
            display(pd.DataFrame([row]).style.hide(axis="index").format(precision=3))
            if fig is not None:
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=100)
                plt.close(fig)
                alt = describe(explorer, result, params)
                display({"text/html": figure_html(buf.getvalue(), alt), "text/plain": alt}, raw=True)

    # interactive_output calls ``update`` now and on every change; ``update`` draws into ``out``
    w.interactive_output(update, controls)
    return w.VBox([w.HTML(f"<b>{explorer.title}</b>"), *controls.values(), out])


def static_table(explorer: Explorer, presets: list[Preset] | None = None) -> pd.DataFrame:
    """The summary row for each preset, as one table (for HTML and PDF readers)."""
    presets = _presets(_explorer(explorer), presets)
    rows = []
    for p in presets:
        result = explorer.compute(**_params(explorer, p.params))
        rows.append({"scenario": p.label, **explorer.summarize(result)})
    return pd.DataFrame(rows).set_index("scenario")


def static_figure(explorer: Explorer, presets: list[Preset] | None = None, ncols: int = 2, sharey: bool = True):
    """One panel per preset, each drawn by ``explorer.draw`` and titled by the preset."""
    _explorer(explorer)
    if explorer.draw is None:
        raise ValueError(f"explorer={explorer.name!r} is not allowed: it has no draw function for a figure.")
    presets = _presets(explorer, presets)
    ncols = chk.integer("ncols", ncols, low=1, high=12)
    sharey = chk.flag("sharey", sharey)
    ncols = min(ncols, len(presets))
    nrows = math.ceil(len(presets) / ncols)
    w, h = explorer.figsize
    fig, axes = plt.subplots(nrows, ncols, figsize=(w * ncols * 0.85, h * nrows * 0.9), squeeze=False,
                             sharey=sharey, layout="constrained")
    for ax, p in zip(axes.flat, presets):
        explorer.draw(explorer.compute(**_params(explorer, p.params)), ax)
        drawn = ax.get_title()
        norm = drawn.replace("\u2212", "-")
        same = p.label.replace("\u2212", "-") in norm
        ax.set_title(drawn if same else (f"{p.label}\n{drawn}" if drawn else p.label), fontsize=10)
    for ax in list(axes.flat)[len(presets):]:
        ax.set_visible(False)
    return fig
