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
4. Live in the browser (``--only live``): the live site built alone, served on 127.0.0.1 and
   opened in Chromium. Time from opening a chapter's live notebook (what the chapter's button
   does) and running its cells to its first live explorer, with a cold browser cache and
   warm (the same chapter again); then, for every explorer, the time from releasing one
   control to the redrawn output, over several moves. Budgets: first explorer ≤ 20 s cold
   and ≤ 8 s warm; a move median ≤ 500 ms.

The native callback is also reported as a ratio to a bare figure of the explorer's size
(a bar chart rendered to PNG) timed in the same run, since absolute milliseconds differ
between machines (aim: ≤ 1.2 times that floor).
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
BUDGET = {"median_ms": 50.0, "p95_ms": 100.0, "nb_ratio": 2.0, "test_s": 180.0, "floor_ratio": 1.2,
          "live_cold_s": 20.0, "live_warm_s": 8.0, "move_median_ms": 500.0}


def _bare_figure_ms(figsize, n: int) -> float:
    """Median time to draw a bare bar chart of this size and render it to PNG (the floor)."""
    import io

    import matplotlib.pyplot as plt

    times = []
    for i in range(n + 1):
        t0 = time.perf_counter()
        fig, ax = plt.subplots(figsize=figsize)
        ax.bar(["a", "b", "c"], [1, 2 + i % 2, 3])
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        plt.close(fig)
        if i:  # the first one warms up
            times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times)


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
        floor = _bare_figure_ms(ex.figsize, n_calls)
        rows.append({
            "explorer": key.replace("appraisal.widgets.", ""), "calls": n_calls,
            "median_ms": round(med, 1), "p95_ms": round(p95, 1),
            "bare_figure_ms": round(floor, 1), "ratio_to_bare": round(med / floor, 2),
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


def bench_live(moves: int) -> dict:
    """The live site in Chromium: first live explorer (cold and warm cache), control moves."""
    import importlib.util
    import tempfile

    spec = importlib.util.spec_from_file_location("test_live", ROOT / "tests" / "test_live.py")
    T = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT))
    spec.loader.exec_module(T)
    from playwright.sync_api import sync_playwright

    from appraisal import widgets as W

    factories = W.all_explorers()
    site = Path(tempfile.mkdtemp(prefix="live-bench-"))
    T.LS.build_site(site / "lite")
    import functools
    import http.server
    import threading

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(T._QuietHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    server = f"http://127.0.0.1:{httpd.server_address[1]}"
    starts, move_rows = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=T.CHROMIUM, args=T.CHROMIUM_ARGS)
        for nb in sorted(T.LS.LIVE_DIR.glob("*.ipynb")):
            keys = T.LS.chapter_explorers(ROOT / "chapters" / f"{nb.stem}.ipynb")
            ctx = browser.new_context(viewport={"width": 1300, "height": 1000})  # a cold cache
            row = {"chapter": nb.stem}
            for label in ("cold", "warm"):
                page, _errors, t0 = T.open_live(ctx, server, nb.stem)
                page.wait_for_function("document.querySelectorAll('.jp-CodeCell .widget-vbox .widget-output table')"
                                       ".length >= 1", timeout=T.KERNEL_TIMEOUT_MS)
                row[f"first_explorer_{label}_s"] = round(time.perf_counter() - t0, 1)
                if label == "warm":
                    cells = T.explorer_cells(page, len(keys))
                    for key, cell in zip(keys, cells):
                        times = []
                        for _ in range(moves):  # release to the output's last change (tests/test_live.py)
                            times.append(T.redraw_ms(page, cell, lambda: T.move_one_control(page, cell)))
                        med, p95 = statistics.median(times), float(np.percentile(times, 95))
                        move_rows.append({"explorer": key.replace("appraisal.widgets.", ""), "moves": moves,
                                          "median_ms": round(med), "p95_ms": round(p95),
                                          "ok": med <= BUDGET["move_median_ms"]})
                        print(f"  {move_rows[-1]}", flush=True)
                page.close()
            row["ok"] = (row["first_explorer_cold_s"] <= BUDGET["live_cold_s"]
                         and row["first_explorer_warm_s"] <= BUDGET["live_warm_s"])
            starts.append(row)
            print(f"  {row}", flush=True)
            ctx.close()
        browser.close()
    httpd.shutdown()
    report = json.loads((ROOT / "book_assets" / "lite" / "assets-report.json").read_text())
    size = sum(p.stat().st_size for p in (site / "lite").rglob("*") if p.is_file())
    import shutil

    shutil.rmtree(site, ignore_errors=True)
    return {"start": starts, "moves": move_rows,
            "size": [{"part": k, "MB": round(v / 1e6, 1)} for k, v in report["bytes"].items()]
            + [{"part": "the whole live site (lite/)", "MB": round(size / 1e6, 1)}]}


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
    ap.add_argument("--only", choices=["widgets", "notebooks", "test-command", "live"])
    ap.add_argument("--moves", type=int, default=10, help="control moves per explorer in the browser")
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
    if args.only in (None, "live"):
        print("live in the browser:", flush=True)
        res["live"] = bench_live(args.moves)
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
        f"`ratio_to_bare`: the callback's median over a bare bar chart of the same size rendered to PNG in the same run (aim ≤ {BUDGET['floor_ratio']}).",
        "",
        _md_table(res.get("widgets", [])),
        "## Notebooks against an imports-only kernel (both include kernel start)",
        "",
        "The imports-only kernel imports every module the chapter ended up importing (directly or inside the package's functions) and makes one `glue()` call (myst-nb's one-off set-up); the ratio is what the lesson's own computation costs.",
        "",
        _md_table(res.get("notebooks", [])),
        "## Live in the browser (JupyterLite + Pyodide in Chromium, served on 127.0.0.1)",
        "",
        f"From opening a chapter's live notebook and running its cells to its first live explorer: a cold browser cache (a new profile) and warm (the same chapter again). Budgets: ≤ {BUDGET['live_cold_s']:.0f} s cold, ≤ {BUDGET['live_warm_s']:.0f} s warm.",
        "",
        _md_table(res.get("live", {}).get("start", [])),
        f"One control move (release to redrawn output), every explorer, warm. Budget: median ≤ {BUDGET['move_median_ms']:.0f} ms.",
        "",
        _md_table(res.get("live", {}).get("moves", [])),
        "What the live site adds to the built HTML:",
        "",
        _md_table(res.get("live", {}).get("size", [])),
        "## The README test command",
        "",
        _md_table(res.get("test_command", [])),
    ]
    OUT_MD.write_text("\n".join(md))
    print(f"wrote {OUT_MD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
