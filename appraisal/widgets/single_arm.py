"""Explorers for the single-arm, repeated-injection trial (chapter: repeated intrathecal MSCs).

:func:`null_responders_explorer` simulates untreated patients under the trial's schedule
and responder rule (:mod:`appraisal.simulate.single_arm`) and shows how many "responders"
and what mean "% improvement" appear with no treatment. :func:`metric_explorer` shows the
ratio metric of :mod:`appraisal.progression` for one kind of patient, measured many times.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import progression as prog
from ..plots import COLOURS
from ..simulate import rng as make_rng
from ..simulate.single_arm import riser_trials, simulate_untreated, trial_sized
from . import Choice, Explorer, IntSlider, Preset, Slider, register, single_panel_margins

N_SCREENED = 4000  # simulated patients per move of a control (latency budget); the chapter's baseline uses the same
N_TRIALS = 1000  # resampled trials of the published size per move
RISER_TRIALS = 20_000  # resampled trials for the joint count of responders and risers (a few ms per move)
SEED = 20211030
DISPLAY_RANGE = (-300.0, 300.0)  # x-axis of the histograms; values outside are counted in the title

_INTERVALS = {"3 months": (3.0, 3.0), "3–6 months (as in the trial)": (3.0, 6.0), "6 months": (6.0, 6.0)}
_SHAPES = {"straight line": 1.0, "slowing with time": 0.7, "slightly speeding up (PRO-ACT average)": 1.2,
           "speeding up with time": 1.4}
_BEFORE = {"run-in before injection 1": "run_in", "since symptom onset (48 − score)/months": "onset"}
_RUN_IN = {"1 month": 1.0, "3 months": 3.0, "6 months": 6.0}
_STEEP = {"no": 0, "lost ≥ 1 point in the run-in": 1, "lost ≥ 2 points in the run-in": 2,
          "lost ≥ 3 points in the run-in": 3}


def null_trial(noise_sd: float = 1.0, interval: tuple[float, float] = (3.0, 6.0), shape_exponent: float = 1.0,
               entry_min_score: int = 20, before: str = "run_in", steep_run_in: int = 0,
               run_in_months: float = 3.0, expectation_bias: float = 0.0, observed_responders: int | None = None,
               observed_n: int | None = None, observed_mean: float | None = None,
               observed_rose: int | None = None) -> dict:
    """One untreated simulation plus trial-sized resampling, packed for the explorer.

    Every call uses the same ``N_SCREENED`` patients and ``SEED``, so a setting gives the same
    numbers wherever the chapter shows it. The true between-patient SD of the rate is
    calibrated to the chosen visit noise (:func:`appraisal.simulate.single_arm.calibrated_slope_sd`).
    ``steep_run_in`` = 0 means no enrolment requirement on the run-in; a positive value
    enrols only patients who lost at least that many points in it; ``run_in_months`` is the time
    from screening to the first injection (the run-in that gives the earlier rate). The observed values are
    only carried to the summary and the figure; by default they are the trial's published
    responders, patients analysed and mean improvement (injection 1 → 2) from ``data/petrou2021_results``.
    """
    from ..data import value

    if observed_responders is None:
        observed_responders = int(value("petrou2021_results", "responders_inj1_inj2"))
    if observed_n is None:
        observed_n = int(value("petrou2021_results", "analysed"))
    if observed_mean is None:
        observed_mean = float(value("petrou2021_results", "mean_improvement_inj1_inj2"))
    if observed_rose is None:
        observed_rose = int(value("petrou2021_results", "clinically_improved_after_inj1"))
    res = simulate_untreated(
        N_SCREENED, seed=SEED, noise_sd=noise_sd, interval_months=interval, shape_exponent=shape_exponent,
        entry_min_score=entry_min_score, before=before, run_in_months=run_in_months,
        min_run_in_loss=None if not steep_run_in else steep_run_in, expectation_bias=expectation_bias,
    )
    if res.n_enrolled == 0:
        raise ValueError(f"entry_min_score={entry_min_score!r} is not allowed here: nobody was enrolled; lower it.")
    trials = trial_sized(res, n_patients=observed_n, n_trials=N_TRIALS, seed=SEED)
    risers = riser_trials(res, observed_n, observed_rose, observed_responders, n_trials=RISER_TRIALS, seed=SEED)
    return {"result": res, "trials": trials, "risers": risers, "observed_responders": observed_responders,
            "observed_n": observed_n, "observed_mean": observed_mean, "observed_rose": observed_rose}


def _histogram(ax, values: np.ndarray) -> None:
    """One filled step outline (a single artist: fast to render). Values beyond the display
    range are piled into the end bins for display only; the titles say how many."""
    lo, hi = DISPLAY_RANGE
    counts, edges = np.histogram(np.clip(values, lo, hi), bins=np.linspace(lo, hi, 41))
    ax.stairs(counts, edges, fill=True, color=COLOURS["null"], alpha=0.8)
    # few ticks: tick labels are most of the rendering time (latency budget)
    ax.set_xticks([lo, lo / 2, 0, hi / 2, hi])
    ax.yaxis.set_major_locator(MaxNLocator(4))


def _summary(r: dict) -> dict:
    res, tr = r["result"], r["trials"]
    imp = res.improvements(0)
    return {
        "enrolled": int(res.n_enrolled),
        "responders (%)": round(100 * tr["p"], 1),
        f"P(≥{r['observed_responders']}/{r['observed_n']})": round(tr["prob_at_least"](r["observed_responders"]), 4),
        "undefined (%)": round(100 * res.share_undefined(), 1),
        "median (%)": round(float(np.median(imp)), 1) if imp.size else 0.0,
        "mean (%)": round(float(np.mean(imp)), 1) if imp.size else 0.0,
        f"P(mean ≥ {r['observed_mean']:g}%)": round(float(np.mean(tr["means"] >= r["observed_mean"])), 3)
        if tr["means"].size else 0.0,
        "score rose 1→2 (%)": round(100 * r["risers"]["share_rose"], 1),
        f"P(≥{r['observed_rose']}/{r['observed_n']} rose)": float(f"{r['risers']['p_rose']:.2g}"),
        f"P(≥{r['observed_responders']} resp. and ≥{r['observed_rose']} rose)": float(f"{r['risers']['p_joint']:.2g}"),
    }


def _draw(r: dict, ax) -> None:
    res, tr = r["result"], r["trials"]
    imp = res.improvements(0)
    lo, hi = DISPLAY_RANGE
    outside = int(np.sum((imp < lo) | (imp > hi)))
    _histogram(ax, imp)
    ax.axvline(res.threshold, color="k", ls="--", lw=1)
    ax.axvline(r["observed_mean"], color=COLOURS["observed"], lw=2)
    ax.text(r["observed_mean"], 0.98, " reported trial mean\n (not a patient's value)", color=COLOURS["observed"],
            fontsize=7, va="top",
            transform=ax.get_xaxis_transform())
    ax.text(res.threshold, 0.85, f"{res.threshold:g}% rule ", fontsize=8, ha="right", va="top",
            transform=ax.get_xaxis_transform())
    ax.set_xlim(lo, hi)
    ax.set_xlabel("% improvement, injection 1→2")
    ax.set_ylabel("simulated patients")
    ax.set_title(f"No treatment: {100 * tr['p']:.0f}% 'responders' ({outside} beyond ±300%)", fontsize=10)
    single_panel_margins(ax, left=0.14, bottom=0.17, right=0.94, top=0.86)


@register
def null_responders_explorer() -> Explorer:
    """Untreated patients under the trial's schedule: responders and mean improvement by chance and bias."""
    controls = {
        "noise_sd": Slider(0.0, 3.0, 0.25, 1.0, "visit noise SD (points)"),
        "interval": Choice(_INTERVALS, (3.0, 6.0), "interval between injections"),
        "shape_exponent": Choice(_SHAPES, 1.0, "shape of decline"),
        "entry_min_score": IntSlider(0, 40, 20, "enrol if ALSFRS-R above"),
        "before": Choice(_BEFORE, "run_in", "rate 'before' measured"),
        "run_in_months": Choice(_RUN_IN, 3.0, "run-in length"),
        "steep_run_in": Choice(_STEEP, 0, "enrol only after a steep spell"),
        "expectation_bias": Slider(0.0, 3.0, 0.5, 0.0, "unblinded rating shift (points)"),
    }
    presets = [
        Preset("Noise only", {}),
        Preset("Run-in loss ≥ 3 (3 months)", {"steep_run_in": 3}),
        Preset("Short run-in + steep spell", {"run_in_months": 1.0, "steep_run_in": 2}),
        Preset("Slowing + onset rate", {"shape_exponent": 0.7, "before": "onset"}),
        Preset("Speeding up + onset rate", {"shape_exponent": 1.2, "before": "onset"}),
        Preset("+1 point shift", {"expectation_bias": 1.0}),
        Preset("Slowing + onset + shift", {"shape_exponent": 0.7, "before": "onset", "expectation_bias": 1.0}),
    ]
    return Explorer(
        name="null_responders_explorer",
        title="What 'no effect' looks like in a single-arm responder analysis",
        compute=null_trial,
        controls=controls,
        summarize=_summary,
        draw=_draw,
        presets=presets,
        figsize=(5.0, 3.0),
    )


def metric_samples(rate_before: float = 1.0, rate_after: float = 1.0, noise_sd: float = 1.0,
                   months: float = 3.0, n: int = 2000, seed: int = 7) -> dict:
    """Improvements of ``n`` identical patients measured with noise (for :func:`metric_explorer`).

    Each period's rate is estimated from two visits ``months`` apart whose scores carry
    independent normal noise with SD ``noise_sd``; the true rates are the same for all.
    Patients whose estimated earlier rate is exactly 0 are counted, not kept.
    """
    from .. import _checks as chk

    rate_before = chk.number("rate_before", rate_before)
    rate_after = chk.number("rate_after", rate_after)
    noise_sd = chk.non_negative("noise_sd", noise_sd)
    months = chk.positive("months", months)
    n = chk.integer("n", n, low=1, high=100_000)
    gen = make_rng(seed)
    # difference of two noisy visits: noise SD √2·noise_sd, divided by the period length
    e = gen.standard_normal((2, n)) * np.sqrt(2) * noise_sd / months
    rb, ra = rate_before + e[0], rate_after + e[1]
    ok = prog.is_defined(rb)
    imp = prog.percent_improvement(rb[ok], ra[ok])
    true = prog.percent_improvement(rate_before, rate_after) if rate_before != 0 else None
    return {"improvement": imp, "n_undefined": int(n - ok.sum()), "true": true, "rate_before": rate_before,
            "rate_after": rate_after}


def _metric_summary(r: dict) -> dict:
    s = prog.summarize_improvements(r["improvement"])
    return {
        "true (%)": "undefined" if r["true"] is None else round(r["true"], 1),
        "median (%)": round(s["median"], 1),
        "mean (%)": round(s["mean"], 1),
        "trimmed mean (%)": round(s["trimmed_mean"], 1),
        "> 25% (%)": round(100 * s["share_responders"], 1),
        "min (%)": round(s["min"]),
        "max (%)": round(s["max"]),
    }


def _metric_draw(r: dict, ax) -> None:
    imp = r["improvement"]
    lo, hi = DISPLAY_RANGE
    _histogram(ax, imp)
    if r["true"] is not None:
        ax.axvline(r["true"], color=COLOURS["neutral"], lw=2)
    mean = float(np.mean(imp))
    ax.axvline(float(np.clip(mean, lo, hi)), color=COLOURS["observed"], lw=1.5, ls="-.")
    ax.axvline(float(np.median(imp)), color="k", lw=1, ls=":")
    ax.set_xlim(lo, hi)
    ax.text(0.01, 0.97, f"green: true\nred dash-dot: mean {mean:.0f}%\nblack dotted: median",
            transform=ax.transAxes, fontsize=7, va="top")
    ax.set_xlabel("% improvement (axis cut at ±300%)")
    ax.set_ylabel("measured patients")
    ax.set_title(f"True rates {r['rate_before']:g} → {r['rate_after']:g} points/month", fontsize=10)
    single_panel_margins(ax, left=0.14, bottom=0.17, right=0.94, top=0.86)


@register
def metric_explorer() -> Explorer:
    """One kind of patient measured many times: how noisy the % improvement is."""
    controls = {
        "rate_before": Slider(0.1, 3.0, 0.1, 1.0, "true rate before (points/month)"),
        "rate_after": Slider(0.0, 3.0, 0.1, 1.0, "true rate after (points/month)"),
        "noise_sd": Slider(0.0, 3.0, 0.25, 1.0, "visit noise SD (points)"),
        "months": Slider(1.0, 6.0, 1.0, 3.0, "months per period"),
    }
    presets = [
        Preset("Average decline, no change", {}),
        Preset("Slow decline, no change", {"rate_before": 0.3, "rate_after": 0.3}),
        Preset("Real 50% slowing", {"rate_before": 1.0, "rate_after": 0.5}),
        Preset("Slow decline, 6-month periods", {"rate_before": 0.3, "rate_after": 0.3, "months": 6.0}),
    ]
    return Explorer(
        name="metric_explorer",
        title="The % improvement of one kind of patient, measured with visit noise",
        compute=metric_samples,
        controls=controls,
        summarize=_metric_summary,
        draw=_metric_draw,
        presets=presets,
        figsize=(5.0, 3.0),
    )
