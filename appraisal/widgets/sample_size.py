"""Explorer: patients per arm for a randomized ALS trial on the ALSFRS-R slope (synthesis chapter).

The computation is :func:`appraisal.sample_size.patients_per_arm` (statsmodels power);
the figure draws the power of a trial against its total enrolment, with the required
size and the sizes of the studies the book appraises marked for scale. The SD of slopes
starts at the observed on-trial SD derived from CENTAUR and the presets span the
published SDs of ``data/alsfrs_slope_sd`` (true between-patient spread, on-trial
slopes, the noisy PRO-ACT spread of individual slopes), because the answer moves with
the square of that SD.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import evidence
from ..sample_size import TrialSize, natural_history_defaults, patients_per_arm, power_for_total, slope_sds
from . import Choice, Explorer, Preset, Slider, defaults, register

_N_GRID = np.geomspace(10, 20000, 160)


@dataclass(frozen=True)
class SizeResult:
    """A :class:`~appraisal.sample_size.TrialSize` plus the power curve for the figure."""

    size: TrialSize
    totals: np.ndarray
    power_curve: np.ndarray
    studies: tuple[tuple[str, int], ...]


def _compute_factory(studies: tuple[tuple[str, int], ...]):
    def compute(mean_decline, sd_slope, slowing, dropout, alpha, power, method="t"):
        size = patients_per_arm(mean_decline=mean_decline, sd_slope=sd_slope, slowing=slowing, dropout=dropout,
                                alpha=alpha, power=power, method=method)
        curve = power_for_total(_N_GRID, mean_decline=mean_decline, sd_slope=sd_slope, slowing=slowing,
                                dropout=dropout, alpha=alpha, method=method)
        return SizeResult(size, _N_GRID, curve, studies)

    return compute


def _summary(r: SizeResult) -> dict:
    s = r.size
    return {
        "Δ (points per month)": round(s.difference, 3),
        "d": round(s.effect_size, 3),
        "completers per arm": s.completers_per_arm,
        "enrolled per arm": s.enrolled_per_arm,
        "total enrolled": s.total,
    }


_TICKS = (10, 100, 1000, 10000)


def _short(label: str) -> str:
    """'MESEMS (Uccelli 2021)' → 'MESEMS'; 'Petrou 2021 (repeated …)' → 'Petrou'."""
    return label.split(" (")[0].replace(" phase 3", "").split(" 20")[0]


def _draw(r: SizeResult, ax) -> None:
    from matplotlib.ticker import NullLocator

    s = r.size
    ax.plot(r.totals, r.power_curve, color="#1f77b4", lw=2)
    ax.axhline(s.power, color="grey", lw=0.8, ls=":")
    ax.vlines([n for _, n in r.studies], 0, 1, color="#d62728", lw=0.9, alpha=0.8)
    if s.total <= r.totals[-1]:
        ax.axvline(s.total, color="#1f77b4", lw=1.2, ls="--")
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())  # minor log ticks cost more time than they add
    ax.set_xticks(_TICKS, [str(t) for t in _TICKS])
    ax.set_xlim(r.totals[0], r.totals[-1])
    ax.set_ylim(0, 1.02)
    ax.set_yticks([0, 0.5, 0.8, 1.0], ["0", "0.5", "0.8", "1"])  # few tick labels keep a redraw cheap
    # the studies are named once under the static figure (study_legend), not on every redraw: text is costly
    ax.set_xlabel("total patients enrolled (log scale); red: the book's studies", fontsize=8)
    ax.set_ylabel("power (probability p < α)")
    ax.set_title(f"{s.total} patients needed (dashed line)", fontsize=10)


def study_legend(explorer: Explorer) -> str:
    """One line naming the red lines: 'Alkhazaali 15 · Petrou 19 · …' (sizes read from data/)."""
    result = explorer.compute(**defaults(explorer))
    return "Red lines, the book's studies (patients): " + ", ".join(f"{_short(label)} {n}" for label, n in result.studies)


@register
def sample_size_explorer() -> Explorer:
    """Mean decline, SD of slopes, % slowing, dropout, α and power → patients per arm."""
    nh = natural_history_defaults()
    studies = tuple(sorted(evidence.study_sizes().items(), key=lambda kv: kv[1]))
    sds = slope_sds().set_index("key")["sd"]
    on_trial = round(float(sds["centaur_active"]), 1)  # slider steps of 0.1
    true_sd = round(float(sds["vaneijk_all"]), 1)
    controls = {
        "mean_decline": Slider(0.3, 2.0, 0.01, nh["mean_decline"], "mean decline (points/month)"),
        "sd_slope": Slider(0.3, 3.0, 0.1, on_trial, "SD of slopes (points/month)"),
        "slowing": Slider(0.1, 0.6, 0.05, 0.25, "slowing of decline (fraction)"),
        "dropout": Slider(0.0, 0.5, 0.05, 0.2, "dropout (fraction)"),
        "alpha": Choice({"0.05": 0.05, "0.025": 0.025, "0.01": 0.01}, 0.05, "α (two-sided)"),
        "power": Slider(0.5, 0.95, 0.05, 0.8, "power"),
    }
    presets = [
        Preset(f"SD {true_sd:g}: true between-patient spread", {"sd_slope": true_sd}),
        Preset(f"SD {on_trial:g}: observed on-trial slopes", {}),
        Preset(f"SD {on_trial:g}, 50% slowing", {"slowing": 0.5}),
        Preset(f"SD {nh['sd_slope']:g}: PRO-ACT spread of individual slopes", {"sd_slope": nh["sd_slope"]}),
    ]
    return Explorer(
        name="sample_size_explorer",
        title="Patients needed for a randomized trial on the ALSFRS-R slope",
        compute=_compute_factory(studies),
        controls=controls,
        summarize=_summary,
        draw=_draw,
        presets=presets,
        fixed={"method": "t"},
        figsize=(4.8, 3.2),
    )
