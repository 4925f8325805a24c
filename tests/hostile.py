"""The hostile-argument walker behind ``tests/test_properties.py`` (also runnable as a script).

Every public function (every name in a module's ``__all__`` that is a function) is
called with good arguments, then with one argument at a time replaced by a hostile
value: NaN, ±inf, huge, negative, zero, empty, a wrong type, a rounded text such as
"nan" or "1e400", and swapped bounds. An outcome is acceptable when it is

* a result holding only finite numbers (no NaN or infinity anywhere, no empty table
  unless the function documents one), or
* a :class:`ValueError` / :class:`TypeError` whose message names one of the
  function's arguments,

within :data:`TIME_LIMIT` seconds. Anything else (another exception, a NaN, a time-out,
a MemoryError) is a failure. ``python tests/hostile.py`` prints every failure.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import re
import signal
import time
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

TIME_LIMIT = 20.0  # seconds per call: a refused size must be refused up front (a hang fails; a busy
#                   2-core machine does not: the slowest calls here take a few seconds unloaded)

MODULES = [
    "data", "recompute", "audit", "equivalence", "matching", "multiple_testing", "ppv", "progression",
    "reconstruct", "sample_size", "scales", "twobytwo", "evidence", "structured", "plots",
    "pooling", "simulate", "simulate.edss", "simulate.lesions", "simulate.matched_pairs", "simulate.multiplicity",
    "simulate.single_arm", "simulate.survival", "widgets",
    "studies.petrou2021", "studies.debamestrocel", "studies.alkhazaali2024", "studies.barczewska2020",
    "studies.rationale", "studies.mesems2021",
]

#: functions allowed to return an empty table: they document it as an answer
EMPTY_ALLOWED = {"twobytwo.two_arm_tables", "twobytwo.consistent_splits", "data.list_tables",
                 "structured.signalling_tables", "twobytwo.counts_for_percentage"}
#: functions whose result may hold None / NaN by design (documented "not estimable" or "not reported")
NAN_ALLOWED = {"evidence.study_results", "structured.safety", "audit.audit", "studies.barczewska2020.barczewska2020_audit",
               "studies.petrou2021.petrou_audit", "evidence.certainty_table", "studies.rationale.load_claims",
               "simulate.matched_pairs.failure_slopes_by_study", "data.load_table", "data.reported",
               "structured.signalling", "structured.questions", "structured.judgments", "structured.contradictions",
               "matching.tolerance_table", "studies.alkhazaali2024.claims_ledger", "studies.petrou2021.constraints",
               "studies.petrou2021.summary_vs_publication", "studies.debamestrocel.forest_rows",
               "studies.rationale.headline_results", "studies.rationale.apply_ppv", "evidence.referenced_quantities",
               "audit.style_audit", "studies.barczewska2020.compact", "studies.debamestrocel.power_summary",
               "simulate.edss.reported_outcomes"}
#: not walked: they change global state by design (registering an explorer, setting rcParams)
SKIP = {"widgets.register", "plots.style", "widgets.build", "plots.glue"}


class Timeout(BaseException):
    """Raised by :func:`time_limit`; a BaseException so that no ``except Exception`` in the package swallows it."""


@contextmanager
def time_limit(seconds: float):
    def handler(signum, frame):
        raise Timeout(f"took more than {seconds:g} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def public_functions() -> dict[str, Any]:
    import frictionless  # noqa: F401 - its import (seconds on a busy machine) must not count against a call

    out = {}
    for m in MODULES:
        mod = importlib.import_module(f"appraisal.{m}")
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            key = f"{m}.{name}"
            if inspect.isfunction(obj) and key not in SKIP:
                out[key] = obj
    return out


# ------------------------------------------------------------------------------------------- good arguments

_CACHE: dict[str, Any] = {}


def _lazy(key: str, make):
    if key not in _CACHE:
        _CACHE[key] = make()
    return _CACHE[key]


def _ax():
    import matplotlib.pyplot as plt

    plt.close("all")
    return plt.subplots()[1]


def _good_by_name() -> dict[str, Any]:
    from appraisal import data
    from appraisal.equivalence import log_ratio
    from appraisal.simulate import lesions, matched_pairs, single_arm, survival
    from appraisal.twobytwo import odds_ratio_2x2
    from appraisal.widgets.ppv import ppv_explorer

    return {
        "count": 3, "total": 10, "level": 0.95, "lower": 0.5, "upper": 1.5, "estimate": 0.9, "p": 0.04,
        "n": 20, "p1": 0.3, "p2": 0.5, "mean1": 1.0, "sd1": 1.0, "mean2": 0.0, "sd2": 1.0, "median": 5.0,
        "q1": 3.0, "q3": 7.0, "printed": "67.1", "item": "item", "checks": lambda: [],
        "table": lambda: data.load_table("barczewska2020_table1"), "stem": "rate_ratio", "label": "label",
        "lr": lambda: log_ratio(0.9, 0.5, 1.5), "ratio": 1.2, "new_level": 0.9, "margin_lower": 0.7,
        "k": 5, "alpha": 0.05, "markers": 3, "pvalues": [0.01, 0.2, 0.5], "smallest": 0.01,
        "odds": 1.0, "prior": 0.2, "priors": [0.1, 0.5], "months": [0, 3, 6], "scores": [40, 38, 35],
        "rate_before": [1.0, 0.5], "rate_after": [0.5, 0.5], "improvement": [10.0, 50.0, -20.0],
        "rates_before": [0.5, 1.0], "x": [-5.0, 0.0, 5.0], "percent": [20.0, 50.0, 80.0],
        "intercept": 0.1, "slope": 0.2, "slope_lower": 0.1, "slope_upper": 0.3, "n_per_group": 10,
        "median_treated": 300.0, "median_reference": 400.0, "mean_decline": 1.0, "sd_slope": 0.8,
        "slowing": 0.25, "total": 10, "value": 4.0, "n1": 20, "n2": 20, "k1": 5, "k2": 8,
        "pct1": 35.0, "pct2": 16.0, "printed1": "33%", "printed2": "28%", "n_total": 30,
        "a": lambda: odds_ratio_2x2(5, 20, 8, 20), "b": lambda: odds_ratio_2x2(6, 20, 4, 20),
        "frame": lambda: __import__("appraisal.twobytwo", fromlist=["x"]).two_arm_tables("33%", 95, "28%", 94),
        "text": "{mesems2021_results:randomized} patients", "results": lambda: __import__(
            "appraisal.evidence", fromlist=["x"]).study_results(),
        "pairs": [("mesems2021_results", "rate_ratio", "MESEMS")],
        "rob": lambda: __import__("appraisal.evidence", fromlist=["x"]).risk_of_bias(), "tool": "RoB 2",
        "start": "low", "changes": [0, -1, 0, 0, 0], "name": "natural_history",
        "quantity": "proact_mean_decline", "ax": _ax, "values": [1.2, 3.7],
        "rate": 3.0, "dispersion": 3.0, "shared": 0.5, "n_msc": 20, "n_placebo": 22, "msc": [[1, 2, 0], [3, 1, 2]],
        "placebo": [[2, 2, 1], [3, 3, 2]], "trial": lambda: _lazy("trial", lambda: lesions.simulate_trial(
            n_msc=20, n_placebo=20, n_trials=2)), "se_log": 0.2,
        "result": None,  # set per module below
        "size": (4, 3), "rho": 0.2, "generator": lambda: np.random.default_rng(0),
        "n_patients": 15, "curve": lambda: _lazy("km", lambda: survival.km_curves(
            survival.simulate_survival(n_per_arm=50)))["treated"],
        "explorer": lambda: _lazy("ex", ppv_explorer), "seed": 0, "scores_items": None,
        "statements": lambda: [__import__("appraisal.matching", fromlist=["x"]).Tolerance("±5", 52, 67)],
        "balance": lambda: __import__("pandas").DataFrame({"characteristic": ["a", "b"], "std_diff": [0.05, -0.2]}),
        "categorical": lambda: data.load_table("barczewska2020_table1"),
        "msc_first": 5, "placebo_first": 4, "crossover_week": 24.0, "followup_weeks": 48.0,
        "claims": lambda: __import__("appraisal.studies.rationale", fromlist=["x"]).load_claims(),
        "rows": lambda: __import__("appraisal.studies.debamestrocel", fromlist=["x"]).forest_rows(),
        "labels_list": None, "estimates": [0.9], "lowers": [0.5], "uppers": [1.5],
        "left": 0.13, "bottom": 0.2, "right": 0.98, "top": 0.86, "ncols": 2, "digits": 3,
    }


def _results_by_module():
    from appraisal.simulate import matched_pairs, single_arm, survival

    return {
        "simulate.survival": lambda: _lazy("surv", lambda: survival.simulate_survival(n_per_arm=50)),
        "simulate.matched_pairs": lambda: _lazy("mp", lambda: matched_pairs.simulate_matched_pairs(
            n_pairs=20, n_studies=2)),
        "simulate.single_arm": lambda: _lazy("sa", lambda: single_arm.simulate_untreated(200)),
    }


#: per-function arguments that differ from the name-based defaults
_OVERRIDES: dict[str, dict[str, Any]] = {
    "equivalence.p_range_under_rounding": {"estimate": "0.94", "lower": "0.58", "upper": "1.50"},
    "reconstruct.p_bounds_from_rounded_ci": {"estimate": "0.94", "lower": "0.58", "upper": "1.50"},
    "reconstruct.ratio_p_bounds": {"estimate": "0.94", "lower": "0.58", "upper": "1.50"},
    "evidence.p_range_from_printed_ci": {"estimate": "0.94", "lower": "0.58", "upper": "1.50"},
    "studies.mesems2021.rounding_band_of_centre": {"lower": "0.58", "upper": "1.50"},
    "recompute.mean_sd_from_quantiles": {"q1": 3.0, "q3": 7.0},
    "matching.summarize_continuous": {"table": lambda: __import__("appraisal.data", fromlist=["x"]).load_table(
        "barczewska2020_table1_continuous"), "n": {"treated": 67, "reference": 67}},
    "audit.audit": {"checks": lambda: [__import__("appraisal.audit", fromlist=["x"]).check_percentage("a", 3, 10, "30")]},
    "audit.verdict_counts": {"table": lambda: __import__("appraisal.audit", fromlist=["x"]).audit(
        [__import__("appraisal.audit", fromlist=["x"]).check_percentage("a", 3, 10, "30")])},
    "audit.style_audit": {"table": lambda: __import__("appraisal.audit", fromlist=["x"]).audit(
        [__import__("appraisal.audit", fromlist=["x"]).check_percentage("a", 3, 10, "30")])},
    "audit.ratio_consistency": {"table": "mesems2021_results"},
    "audit.check_percentage": {"printed": "30.0"},
    "studies.barczewska2020.compact": {"table": lambda: __import__(
        "appraisal.studies.barczewska2020", fromlist=["x"]).barczewska2020_audit()},
    "studies.mesems2021.compatibility": {"curve": lambda: __import__("appraisal.equivalence", fromlist=["x"]
                                                                     ).compatibility_curve(0.94, 0.58, 1.5)},
    "studies.mesems2021.category_intervals": {"table": lambda: __import__(
        "appraisal.simulate.edss", fromlist=["x"]).reported_outcomes()},
    "plots.table": {"frame": lambda: pd.DataFrame({"a": [1.0, 2.0]})},
    "plots.forest": {"labels": ["a"]},
    "scales.alsfrs_r_total": {"scores": [4] * 12},
    "scales.ft9_stage": {"scores": [4] * 12},
    "simulate.multiplicity.one_sample_t_pvalues": {"x": lambda: np.random.default_rng(0).normal(size=(4, 6))},
    "simulate.lesions.se_log_ratio": {"n": 144},
    "simulate.lesions.calibrate_dispersion": {"n": 144},
    "simulate.single_arm.simulate_untreated": {"n": 200},
    "simulate.survival.simulate_survival": {"n_per_arm": 100},
    "simulate.lesions.power_simulated": {"n_trials": 50},
    "simulate.multiplicity.simulate_prepost": {"n_sims": 100},
    "simulate.multiplicity.simulate_changes": {"n_sims": 100},
    "simulate.multiplicity.family_error": {"n_sims": 100},
    "simulate.multiplicity.pattern_curve": {"n_sims": 100},
    "simulate.survival.replicate_hr": {"n_studies": 20},
    # small sizes for the slow simulations, so that a valid hostile value (seed=0.0) on a loaded CI machine
    # still answers within TIME_LIMIT (reference_death_selection's default takes ~8 s unloaded)
    "simulate.survival.reference_death_selection": {"n_studies": 10},
    "studies.petrou2021.p15_grid": {"n": 300},
    "studies.petrou2021.shape_grid": {"n": 300},
    "studies.petrou2021.rtm_grid": {"n": 300},
    "studies.petrou2021.riser_grid": {"n": 300, "n_trials": 200, "n_mean_trials": 100},
    "studies.petrou2021.effect_contrast": {"n": 300, "n_trials": 200, "n_mean_trials": 100},
    "studies.petrou2021.plateau_check": {"n": 300},
    "simulate.matched_pairs.simulate_matched_pairs": {"n_studies": 2},
    "simulate.single_arm.trial_sized": {"n_trials": 50},
    "simulate.single_arm.riser_trials": {"k_rose": 3, "k_responders": 5, "n_trials": 50},
    "reconstruct.power_two_proportions": {"n_per_group": 10},
    "widgets.single_panel_margins": {},
    "structured.signalling": {"name": "petrou2021"},
    "structured.questions": {"name": "petrou2021"},
    "structured.contradictions": {"name": "petrou2021"},
    "structured.safety": {"name": "petrou2021"},
    "structured.judgments": {"names": None},
    "twobytwo.compact": {},
    "ppv.ppv_table": {"priors": [0.1, 0.5]},
    "evidence.rob_matrix": {"tool": "RoB 2"},
    "matching.love_plot": {},
    "data.describe": {"name": "natural_history"},
    "progression.slope_noise_sd": {"noise_sd": 1.0, "months": 3.0},
    "progression.true_slope_sd": {"observed_sd": 2.3, "noise_sd": 1.0, "months": 3.0},
    "progression.sd_from_se": {"se": 0.66, "n": 66},
    "progression.sem_from_icc": {"sd": 6.1, "icc": 0.95},
    "progression.period_for_noise": {"observed_sd": 2.3, "true_sd": 0.93, "noise_sd": 1.0},
    "pooling.pool_ratios": {"estimates": [0.94, 0.25], "se_logs": [0.24, 0.75], "labels": ["a", "b"]},
    "pooling.log_ratio_se_from_group_intervals": {"lower1": 1.1, "upper1": 8.8, "lower2": 4.4, "upper2": 34.5},
    "simulate.single_arm.null_grid": {"settings": [{"noise_sd": 1.0}], "n_patients": 19, "k": 15, "n": 500},
}

#: pairs of arguments that must be ordered: their swap is a hostile call
ORDERED = [("lower", "upper"), ("q1", "q3"), ("minimum", "maximum"), ("slope_lower", "slope_upper"),
           ("baseline_low", "baseline_high"), ("smallest", "others_above"), ("crossover_week", "followup_weeks"),
           ("early_months", "followup_months"),
           ("lower1", "upper1"), ("lower2", "upper2")]


def _resolve(v):
    return v() if callable(v) and not isinstance(v, type) else v


def good_kwargs(key: str, fn) -> dict[str, Any] | None:
    """Good arguments for ``fn`` (required ones from the name table, the rest their defaults), or None."""
    by_name = _lazy("by_name", _good_by_name)
    module = key.rsplit(".", 1)[0]
    results = _results_by_module()
    over = _OVERRIDES.get(key, {})
    kwargs: dict[str, Any] = {}
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name in over:
            kwargs[p.name] = _resolve(over[p.name])
        elif p.name == "result" and module in results:
            kwargs[p.name] = results[module]()
        elif p.default is not p.empty:
            kwargs[p.name] = p.default
        elif p.name in by_name and by_name[p.name] is not None:
            kwargs[p.name] = _resolve(by_name[p.name])
        else:
            return None
    if key == "plots.forest":
        kwargs.update(estimates=[0.9], lowers=[0.5], uppers=[1.5])
    return kwargs


# ------------------------------------------------------------------------------------------- hostile values

NAN, INF = float("nan"), float("inf")
HOSTILE_SCALARS: list[tuple[str, Any]] = [
    ("nan", NAN), ("inf", INF), ("-inf", -INF), ("huge float", 1e300), ("huge int", 10**12),
    ("negative", -1), ("negative float", -0.5), ("zero", 0), ("zero float", 0.0), ("empty str", ""),
    ("empty list", []), ("wrong type", object()), ("text", "abc"), ("text nan", "nan"), ("text inf", "inf"),
    ("text 1e400", "1e400"), ("bool", True), ("nan list", [NAN, 1.0]), ("inf list", [1.0, INF]),
    ("ragged", [[1.0, 2.0], [3.0]]), ("empty frame", pd.DataFrame()),
]


def hostile_frames(good: pd.DataFrame) -> list[tuple[str, Any]]:
    """Corrupted copies of a good table: NaN in a number column, a column missing, no rows."""
    out: list[tuple[str, Any]] = [("no rows", good.iloc[0:0].copy())]
    num = [c for c in good.columns if pd.api.types.is_float_dtype(good[c])]
    if num:
        bad = good.copy()
        bad.loc[bad.index[0], num[0]] = NAN
        out.append(("NaN cell", bad))
        bad = good.copy()
        bad.loc[bad.index[0], num[0]] = INF
        out.append(("inf cell", bad))
    if len(good.columns) > 1:
        out.append(("column missing", good.drop(columns=good.columns[-1])))
    return out


# ------------------------------------------------------------------------------------------- judging outcomes


def non_finite(obj, depth: int = 0) -> str | None:
    """Where a result holds a NaN or infinity (a path), or None if it holds none."""
    if depth > 6:
        return None
    if isinstance(obj, bool) or obj is None or isinstance(obj, (str, bytes)):
        return None
    if isinstance(obj, (float, int, np.floating, np.integer)):
        return None if math.isfinite(float(obj)) else repr(obj)
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc" and not np.all(np.isfinite(obj)):
            return "array"
        return None
    if isinstance(obj, pd.DataFrame):
        for c in obj.columns:
            col = obj[c]
            if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
                vals = col.to_numpy(dtype=float, na_value=np.nan)
                if not np.all(np.isfinite(vals)):
                    return f"column {c!r}"
        return None
    if isinstance(obj, pd.Series):
        if pd.api.types.is_numeric_dtype(obj) and not pd.api.types.is_bool_dtype(obj):
            if not np.all(np.isfinite(obj.to_numpy(dtype=float, na_value=np.nan))):
                return "series"
        return None
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            w = non_finite(getattr(obj, f.name), depth + 1)
            if w:
                return f"{f.name}: {w}"
        return None
    if isinstance(obj, dict):
        for k, v in obj.items():
            w = non_finite(v, depth + 1)
            if w:
                return f"[{k!r}]: {w}"
        return None
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj[:1000]):
            w = non_finite(v, depth + 1)
            if w:
                return f"[{i}]: {w}"
    return None


def empty(obj) -> bool:
    return isinstance(obj, (pd.DataFrame, pd.Series)) and len(obj) == 0


def names_an_argument(message: str, names) -> bool:
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", message) for n in names)


def judge(key: str, fn, kwargs: dict[str, Any]) -> str | None:
    """Call ``fn(**kwargs)``; return a description of what went wrong, or None if all is well."""
    import warnings

    from matplotlib.axes import Axes

    names = list(inspect.signature(fn).parameters)
    kwargs = {k: (_ax() if isinstance(v, Axes) else v) for k, v in kwargs.items()}  # a fresh axes per call
    t0 = time.perf_counter()
    try:
        with time_limit(TIME_LIMIT), warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            out = fn(**kwargs)
    except (ValueError, TypeError) as err:
        msg = str(err)
        if not names_an_argument(msg, names):
            return f"{type(err).__name__} naming no argument: {msg[:200]}"
        return None
    except Timeout:
        return f"no answer within {TIME_LIMIT:g} s"
    except Exception as err:  # noqa: BLE001 - the point of the walker
        return f"{type(err).__name__}: {str(err)[:200]}"
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    if key not in NAN_ALLOWED:
        where = non_finite(out)
        if where:
            return f"non-finite result ({where})"
    if empty(out) and key not in EMPTY_ALLOWED:
        return "empty table"
    del t0
    return None


def hostile_calls(key: str, fn, good: dict[str, Any]):
    """Yield (label, kwargs) for every hostile variant of the good call."""
    for name, v in list(good.items()):
        values = list(HOSTILE_SCALARS)
        if isinstance(v, pd.DataFrame):
            values += hostile_frames(v)
        for label, hv in values:
            yield f"{name}={label}", {**good, name: hv}
    for a, b in ORDERED:
        if a in good and b in good and good[a] is not None and good[b] is not None:
            yield f"swapped {a}/{b}", {**good, a: good[b], b: good[a]}


def walk(keys=None, verbose: bool = False):
    """Run every hostile call; return (n_functions, n_calls, failures, no_baseline)."""
    funcs = public_functions()
    failures, no_baseline, calls = [], [], 0
    for key, fn in funcs.items():
        if keys is not None and key not in keys:
            continue
        good = good_kwargs(key, fn)
        if good is None:
            no_baseline.append((key, "no good arguments known"))
            continue
        problem = judge(key, fn, dict(good))
        if problem:
            no_baseline.append((key, f"good call fails: {problem}"))
            continue
        for label, kwargs in hostile_calls(key, fn, good):
            calls += 1
            problem = judge(key, fn, kwargs)
            if problem:
                failures.append((key, label, problem))
                if verbose:
                    print(f"FAIL {key}({label}): {problem}", flush=True)
    return len(funcs), calls, failures, no_baseline


if __name__ == "__main__":
    import sys

    import matplotlib

    matplotlib.use("Agg")
    n_funcs, n_calls, failures, nob = walk(set(sys.argv[1:]) or None, verbose=True)
    for k, why in nob:
        print(f"NO BASELINE {k}: {why}")
    print(f"{n_funcs} functions, {n_calls} hostile calls, {len(failures)} failures, {len(nob)} without baseline")
