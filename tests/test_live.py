"""The live site: every explorer runs in the reader's browser (JupyterLite + Pyodide).

The live site is built here on its own (``live_site.build_site``: the same lite folder,
configuration and live notebooks as the book build's ``_build/html/lite``; the book build
itself is checked in tests/test_book.py), served on 127.0.0.1, and opened in Debian's
Chromium with every other host blocked. For each chapter's live notebook the test runs all
cells, then for every explorer

* checks that the summary table the browser shows equals the one CPython computes for the
  same settings (the controls' values as the page shows them), within one unit of the last
  digit shown (the table prints 3 decimals; Pyodide carries other releases of numpy, scipy
  and pandas than this environment);
* moves one control with the keyboard and waits until the table or figure changes, then
  compares the numbers again.

No error may reach the browser console and no request may leave 127.0.0.1. One browser
context serves all chapters (its cache warms after the first), as a reader's browser does.

Also here, without a browser: the local Pyodide copy passes its verification, and a
tampered copy fails it; the live notebooks are up to date.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import math
import os
import re
import shutil
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
pytestmark = [pytest.mark.build, pytest.mark.browser]

KERNEL_TIMEOUT_MS = 240_000   # first chapter: load Pyodide, install the packages, run every cell
MOVE_TIMEOUT_MS = 60_000


def _live_site_module():
    spec = importlib.util.spec_from_file_location("live_site", ROOT / "book_assets" / "sphinx" / "live_site.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


LS = _live_site_module()


def _missing(what: str, reason: str):
    if IN_CI:
        pytest.fail(f"{what} is missing in CI ({reason}): .ci/run must install it (scripts/system-packages.sh).")
    pytest.skip(f"{what} is not installed ({reason})")


# --------------------------------------------------------------------------------------
# without a browser
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def prepared() -> dict:
    return LS.prepare()


@pytest.fixture(scope="module")
def generated() -> None:
    """The live notebooks are build products (git-ignored): generate them as a build does."""
    LS.live_notebooks()


def test_live_notebooks_are_up_to_date(generated):
    """chapters/live/ holds one live notebook per chapter with explorers, as generated (a second run changes nothing)."""
    assert LS.live_notebooks(check=True) == [], "run: python book_assets/sphinx/live_site.py notebooks"


def test_every_registered_explorer_has_a_live_notebook(generated):
    from appraisal import widgets as W

    live = set()
    for nb in (ROOT / "chapters").glob("*.ipynb"):
        if (LS.LIVE_DIR / nb.name).exists():
            live |= set(LS.chapter_explorers(nb))
    assert live == set(W.all_explorers())


def test_local_pyodide_matches_the_official_lock(prepared):
    core, lock = LS._npm_files()
    assert LS.verify(LS.LITE_DIR / "static" / "pyodide", lock, core) == []


def test_a_tampered_pyodide_file_is_refused(prepared, tmp_path):
    """The verification can fail: one changed byte in a package file, an extra file, an edited lock entry."""
    core, lock = LS._npm_files()
    copy = tmp_path / "pyodide"
    shutil.copytree(LS.LITE_DIR / "static" / "pyodide", copy)
    local = json.loads((copy / "pyodide-lock.json").read_text())
    victim = copy / local["packages"]["numpy"]["file_name"]
    blob = bytearray(victim.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    victim.write_bytes(bytes(blob))
    (copy / "extra.whl").write_bytes(b"not official")
    local["packages"]["scipy"]["sha256"] = "0" * 64
    (copy / "pyodide-lock.json").write_text(json.dumps(local))
    problems = LS.verify(copy, lock, core)
    assert any(victim.name in p for p in problems), problems
    assert any("extra.whl" in p for p in problems), problems
    assert any("'scipy'" in p for p in problems), problems


def test_site_size_is_reported_and_under_100_mb(prepared):
    total = sum(prepared["bytes"].values())
    assert total < 100e6, prepared["bytes"]


def test_the_appraisal_wheel_carries_the_data_and_its_manifest(prepared):
    import zipfile

    wheel = next((LS.LITE_DIR / "pypi").glob("appraisal-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    manifest = json.loads(zipfile.ZipFile(wheel).read("appraisal/_data/validated.json"))
    from appraisal import data

    assert set(manifest) == set(data.list_tables())
    assert all(f"appraisal/_data/{t}.csv" in names for t in manifest)


# --------------------------------------------------------------------------------------
# in the browser
# --------------------------------------------------------------------------------------

#: paths the browser asks for by itself, not the site: Chromium requests /favicon.ico of the
#: origin for a page without an icon link (JupyterLite's pages have none); its 404 is harmless
BROWSER_OWN = ("/favicon.ico",)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    misses: list[str] = []

    def log_message(self, *args):
        pass

    def send_error(self, code, *args, **kwargs):
        type(self).misses.append(f"{code} {self.path}")
        super().send_error(code, *args, **kwargs)


@pytest.fixture(scope="module")
def site(tmp_path_factory, prepared) -> Path:
    root = tmp_path_factory.mktemp("live")
    LS.build_site(root / "lite", prepare_assets=False)
    return root


@pytest.fixture(scope="module")
def server(site):
    _QuietHandler.misses = []
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def context(server):
    if not Path(CHROMIUM).exists():
        _missing(CHROMIUM, "the live test drives Debian's Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        ctx = browser.new_context(viewport={"width": 1300, "height": 1000})
        ctx.blocked = []
        local = (server, "data:", "blob:")

        def route(r):
            if r.request.url.startswith(local):
                r.continue_()
            else:
                ctx.blocked.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        yield ctx
        browser.close()


def open_live(context, server: str, chapter: str):
    """Open a chapter's live notebook, run every cell; return (page, console errors, seconds)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    t0 = time.perf_counter()
    page.goto(f"{server}/lite/notebooks/index.html?path=chapters/live/{chapter}.ipynb")
    page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')",
                           timeout=60_000)
    page.wait_for_function(
        "window.jupyterapp.shell.currentWidget && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session", timeout=60_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    return page, errors, t0


def explorer_cells(page, n: int, timeout_ms: int = KERNEL_TIMEOUT_MS):
    """Wait until ``n`` explorers show a summary table; return their cell elements."""
    page.wait_for_function(
        f"document.querySelectorAll('.jp-CodeCell .widget-vbox .widget-output table').length >= {n}"
        " || document.querySelector('.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]"
        " .jp-RenderedText pre')?.innerText.includes('Error')",
        timeout=timeout_ms)
    errors = page.eval_on_selector_all(".jp-OutputArea-output", "els => els.map(e => e.innerText)"
                                       ".filter(t => /Traceback|Error:/.test(t))")
    assert not errors, "a cell raised in the browser:\n" + "\n".join(errors)[:3000]
    cells = [c for c in page.query_selector_all(".jp-CodeCell") if c.query_selector(".widget-vbox .widget-output table")]
    assert len(cells) == n
    return cells


def _table(cell) -> tuple[list[str], list[str]]:
    heads = [h.inner_text().strip() for h in cell.query_selector_all(".widget-output table thead th")]
    vals = [d.inner_text().strip() for d in cell.query_selector_all(".widget-output table tbody td")]
    return heads, vals


def _output_state(cell) -> str:
    out = cell.query_selector(".widget-vbox .widget-output")
    return out.inner_html() if out else ""


def _control_values(cell, explorer) -> dict:
    """The explorer's parameters as the page shows them (slider readouts, drop-down choices)."""
    from appraisal import widgets as W

    params = dict(explorer.fixed)
    boxes = cell.query_selector_all(".widget-vbox > .widget-slider, .widget-vbox > .widget-dropdown")
    assert len(boxes) == len(explorer.controls), "one element per control"
    for (name, spec), box in zip(explorer.controls.items(), boxes):
        if isinstance(spec, W.Choice):
            label = box.eval_on_selector("select", "s => s.options[s.selectedIndex].text")
            params[name] = spec.options[label.replace("\xa0", " ")]  # shown with no-break spaces
        else:
            text = box.query_selector(".widget-readout").inner_text().strip().replace("\u2212", "-")  # a typographic minus
            params[name] = int(text) if isinstance(spec, W.IntSlider) else float(text)
    return params


def _cpython_table(explorer, params) -> tuple[list[str], list[str]]:
    """The summary table CPython renders for these settings, as the live view formats it."""
    import pandas as pd

    row = explorer.summarize(explorer.compute(**params))
    parser = _Cells()
    parser.feed(pd.DataFrame([row]).style.hide(axis="index").format(precision=3).to_html())
    return parser.cells["th"], parser.cells["td"]


class _Cells(HTMLParser):
    """The texts of a table's header and data cells, as a browser parses them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells, self._in = {"th": [], "td": []}, None

    def handle_starttag(self, tag, attrs):
        if tag in self.cells:
            self._in = tag
            self.cells[tag].append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self.cells[tag][-1] = self.cells[tag][-1].strip()
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.cells[self._in][-1] += data


def _same_number_text(a: str, b: str) -> bool:
    """Equal, or numbers that differ by at most one unit of the last digit shown."""
    if a == b:
        return True
    na, nb = re.findall(r"-?\d+(?:\.\d+)?", a.replace("\u2212", "-")), re.findall(r"-?\d+(?:\.\d+)?", b.replace("\u2212", "-"))
    if len(na) != len(nb) or not na or re.sub(r"-?\d+(?:\.\d+)?", "#", a) != re.sub(r"-?\d+(?:\.\d+)?", "#", b):
        return False
    for x, y in zip(na, nb):
        decimals = len(x.split(".")[1]) if "." in x else 0
        if abs(float(x) - float(y)) > 1.0001 * 10 ** -decimals:
            return False
    return True


def assert_matches_cpython(cell, explorer, where: str):
    params = _control_values(cell, explorer)
    browser = _table(cell)
    native = _cpython_table(explorer, params)
    assert browser[0] == native[0], f"{where}: columns differ: {browser[0]} vs {native[0]}"
    bad = [(h, x, y) for h, x, y in zip(native[0], browser[1], native[1]) if not _same_number_text(x, y)]
    assert not bad and len(browser[1]) == len(native[1]), f"{where} at {params}: browser vs CPython {bad}"


_WATCH = """c => { const o = c.querySelector('.widget-vbox .widget-output');
  window.__moves = {last: null, start: null};
  if (window.__obs) window.__obs.disconnect();
  window.__obs = new MutationObserver(() => { window.__moves.last = performance.now(); });
  window.__obs.observe(o, {childList: true, subtree: true, attributes: true, characterData: true}); }"""


def redraw_ms(page, cell, move, quiet_ms: int = 1500, timeout_ms: int = MOVE_TIMEOUT_MS) -> float:
    """Move a control (``move()``) and wait until the explorer's output has changed and then
    stayed still for ``quiet_ms``; return the milliseconds from the release to its last change.

    The output changes more than once per move (ipywidgets clears it, then the table and the
    figure arrive), so the last change is what the reader waits for.
    """
    page.evaluate(_WATCH, cell)
    before = _output_state(cell)
    what = move()
    page.evaluate("window.__moves.start = performance.now()")
    page.wait_for_function("([c, b, q]) => { const o = c.querySelector('.widget-vbox .widget-output');"
                           " const m = window.__moves; return o && o.querySelector('table') && o.innerHTML !== b"
                           " && m.last !== null && performance.now() - m.last > q; }",
                           arg=[cell, before, quiet_ms], timeout=timeout_ms)
    ms = page.evaluate("Math.max(0, window.__moves.last - window.__moves.start)")
    assert _output_state(cell) != before, f"moving the {what} changed nothing"
    return ms


def move_one_control(page, cell) -> str:
    """Move the explorer's first control (a slider drag or the next drop-down option); say what moved."""
    handle = cell.query_selector(".widget-vbox > .widget-slider .noUi-handle")
    if handle is not None:
        # drag the handle with the mouse, as a reader does (ipywidgets' slider takes no arrow keys);
        # towards the middle of the track, so a handle at either end moves too
        handle.scroll_into_view_if_needed()
        track = cell.query_selector(".widget-vbox > .widget-slider .noUi-target").bounding_box()
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        dx = track["width"] * (0.2 if x < track["x"] + track["width"] / 2 else -0.2)
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx / 2, y, steps=4)
        page.mouse.move(x + dx, y, steps=4)
        page.mouse.up()
        return f"slider (dragged {dx:+.0f} px)"
    select = cell.query_selector(".widget-vbox > .widget-dropdown select")
    n = select.eval_on_selector("xpath=.", "s => s.options.length")
    i = select.eval_on_selector("xpath=.", "s => s.selectedIndex")
    select.select_option(index=(i + 1) % n)
    return "drop-down"


def test_every_explorer_runs_and_moves_live_in_the_browser(context, server):
    from appraisal import widgets as W

    factories = W.all_explorers()
    seen, timings = [], {}
    for nb in sorted(LS.LIVE_DIR.glob("*.ipynb")):
        chapter = nb.stem
        keys = LS.chapter_explorers(ROOT / "chapters" / f"{chapter}.ipynb")
        page, errors, t0 = open_live(context, server, chapter)
        cells = explorer_cells(page, len(keys))
        timings[chapter] = time.perf_counter() - t0
        for key, cell in zip(keys, cells):
            explorer = factories[key]()
            assert_matches_cpython(cell, explorer, f"{key} (start)")
            moved = []
            redraw_ms(page, cell, lambda: moved.append(move_one_control(page, cell)) or moved[-1])
            if explorer.draw is not None:
                assert cell.query_selector(".widget-vbox .widget-output img[alt]"), f"{key}: no figure after the move"
            assert_matches_cpython(cell, explorer, f"{key} (after moving the {moved[0]})")
            seen.append(key)
        misses = [m for m in _QuietHandler.misses if m.split(" ", 1)[1] not in BROWSER_OWN]
        assert not misses, f"{chapter}: the site lacks files the page asked for: {misses[:10]}"
        if len(misses) == 0:  # the console reports each 404 without its address: all were BROWSER_OWN
            errors = [e for e in errors if not e.startswith("Failed to load resource: the server responded with a status of 404")]
        assert not errors, f"{chapter}: browser console errors: {errors[:5]}"
        page.close()
    assert not context.blocked, f"requests to other hosts: {context.blocked[:10]}"
    assert sorted(seen) == sorted(factories), "every registered explorer was moved"
    print("seconds from opening to every explorer live:", {k: round(v, 1) for k, v in timings.items()})
