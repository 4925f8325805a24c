"""Measure the book's speed on this machine and write benchmarks/results.md.

    python benchmarks/run.py                 # everything (the test command takes ~3 min)
    python benchmarks/run.py --no-test-command
    python benchmarks/run.py --only widgets  # or: notebooks, test-command

1. Widget callbacks: every registered explorer's ``widgets.callback`` (compute,
   summarize, draw, render PNG) over N ≥ 30 parameter sets drawn from its controls,
   after one warm-up call. Budget: median ≤ 50 ms, p95 ≤ 100 ms.
2. Notebooks: each chapter notebook executed on a fresh kernel, next to a fresh kernel
   that only imports the same modules the chapter ended up importing, in the same run. The ratio is
   what the lesson's own computation costs. Budget: ratio ≤ 2.
3. The README test command (``bash scripts/test``), wall time. Budget: ≤ 180 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT_MD = ROOT / "benchmarks" / "results.md"
OUT_JSON = ROOT / "benchmarks" / "results.json"
BUDGET = {"median_ms": 50.0, "p95_ms": 100.0, "nb_ratio": 2.0, "test_s": 180.0}


def bench_widgets(n_calls: int) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from appraisal import widgets as W

    rows = []
    for key, factory in W.all_explorers().items():
        ex = factory()
        W.callback(ex)  # warm-up: imports, caches, first figure
        times, cpu = [], []
        for seed in range(n_calls):
            params = W.sample_params(ex, seed)
            t0, c0 = time.perf_counter(), time.process_time()
            W.callback(ex, **params)
            times.append(1000 * (time.perf_counter() - t0))
            cpu.append(1000 * (time.process_time() - c0))
        med, p95 = statistics.median(times), float(np.percentile(times, 95))
        rows.append({
            "explorer": key.replace("appraisal.widgets.", ""), "calls": n_calls,
            "median_ms": round(med, 1), "p95_ms": round(p95, 1),
            "cpu_median_ms": round(statistics.median(cpu), 1), "load_avg_1min": round(__import__("os").getloadavg()[0], 1),
            "ok": med <= BUDGET["median_ms"] and p95 <= BUDGET["p95_ms"],
        })
        print(f"  {rows[-1]}", flush=True)
    return rows


_MODULES_CELL = "import sys as _s, json as _j\nprint(_j.dumps(sorted(m for m in _s.modules if not m.startswith('_'))))"


def _with_module_report(nb) -> nbformat.NotebookNode:
    """A copy of the notebook with a last cell that prints every module it ended up importing."""
    full = nbformat.from_dict(json.loads(json.dumps(nb)))
    full.cells.append(nbformat.v4.new_code_cell(_MODULES_CELL))
    return full


def _imports_only(modules: list[str]) -> nbformat.NotebookNode:
    """A notebook that imports exactly the modules the chapter imported, and nothing else.

    The chapter's own computation is what remains: the libraries it pulls in, directly
    or inside the package's functions (lifelines, statsmodels, scipy.optimize ...), are
    start-up cost, as is myst-nb's one-off set-up on the first ``glue()``.
    """
    code = "\n".join([
        "%matplotlib inline",
        "import importlib",
        f"for _m in {modules!r}:",
        "    try:",
        "        importlib.import_module(_m)",
        "    except Exception:",
        "        pass",
        "from myst_nb import glue",
        "glue('_benchmark_warm_up', 0, display=False)",
    ])
    bare = nbformat.v4.new_notebook()
    bare.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    bare.cells = [nbformat.v4.new_code_cell(code)]
    return bare


def _run(nb, cwd: Path) -> float:
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return time.perf_counter() - t0


def _imported_modules(executed) -> list[str]:
    for out in executed.cells[-1].get("outputs", []):
        if out.get("name") == "stdout":
            return json.loads(out["text"])
    raise RuntimeError("the module report cell printed nothing")


def bench_notebooks() -> list[dict]:
    rows = []
    # one throwaway kernel first: the first start after a while pays for cold file caches
    _run(_imports_only(["numpy", "pandas", "matplotlib.pyplot"]), ROOT / "chapters")
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if not any(c.cell_type == "code" for c in nb.cells):
            continue
        full = _with_module_report(nb)
        full_s = _run(full, path.parent)
        bare_s = _run(_imports_only(_imported_modules(full)), path.parent)
        rows.append({"notebook": path.name, "imports_only_s": round(bare_s, 2), "notebook_s": round(full_s, 2),
                     "ratio": round(full_s / bare_s, 2), "ok": full_s / bare_s <= BUDGET["nb_ratio"]})
        print(f"  {rows[-1]}", flush=True)
    return rows


def bench_test_command() -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run(["bash", "scripts/test", "-q"], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    tail = [l for l in proc.stdout.splitlines() if l.strip()][-1:] or [""]
    row = {"command": "bash scripts/test", "wall_s": round(wall, 1), "exit_code": proc.returncode,
           "summary": tail[0], "ok": proc.returncode == 0 and wall <= BUDGET["test_s"]}
    print(f"  {row}", flush=True)
    return row


def _md_table(rows: list[dict]) -> str:
    if not rows:
        return "(none)\n"
    cols = list(rows[0])
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        out.append("| " + " | ".join(("yes" if v else "**NO**") if isinstance(v, bool) else str(v) for v in r.values()) + " |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=30, help="callback calls per explorer (at least 30)")
    ap.add_argument("--no-test-command", action="store_true", help="skip timing the whole test command")
    ap.add_argument("--only", choices=["widgets", "notebooks", "test-command"])
    args = ap.parse_args()
    if args.calls < 30:
        ap.error(f"--calls={args.calls} is not allowed: at least 30 calls give a stable p95")
    old = json.loads(OUT_JSON.read_text()) if OUT_JSON.exists() else {}
    res = dict(old)
    res["machine"] = f"{platform.node() and 'this machine'}: {platform.processor() or platform.machine()}, " \
                     f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}"
    res["date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if args.only in (None, "widgets"):
        print("widget callbacks:", flush=True)
        res["widgets"] = bench_widgets(args.calls)
    if args.only in (None, "notebooks"):
        print("notebooks:", flush=True)
        res["notebooks"] = bench_notebooks()
    if args.only == "test-command" or (args.only is None and not args.no_test_command):
        print("test command:", flush=True)
        res["test_command"] = [bench_test_command()]
    OUT_JSON.write_text(json.dumps(res, indent=2) + "\n")
    md = [
        "# Benchmarks",
        "",
        f"Measured {res['date']} on {res['machine']} with `python benchmarks/run.py`.",
        f"Budgets: widget callback median ≤ {BUDGET['median_ms']:.0f} ms and p95 ≤ {BUDGET['p95_ms']:.0f} ms; "
        f"notebook ≤ {BUDGET['nb_ratio']:.0f}× a kernel that runs only its imports; "
        f"test command ≤ {BUDGET['test_s']:.0f} s (environment already installed).",
        "",
        "## Widget callbacks (compute + summary + figure rendered to PNG)",
        "",
        _md_table(res.get("widgets", [])),
        "## Notebooks against an imports-only kernel (both include kernel start)",
        "",
        "The imports-only kernel imports every module the chapter ended up importing (directly or inside the package's functions) and makes one `glue()` call (myst-nb's one-off set-up); the ratio is what the lesson's own computation costs.",
        "",
        _md_table(res.get("notebooks", [])),
        "## The README test command",
        "",
        _md_table(res.get("test_command", [])),
    ]
    OUT_MD.write_text("\n".join(md))
    print(f"wrote {OUT_MD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
