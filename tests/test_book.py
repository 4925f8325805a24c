"""The book as readers get it: HTML (checked in a real browser) and PDF.

One HTML build runs per test module, with warnings as errors, into a temporary folder
(a fresh execution cache, so changed data are always re-executed). The PDF build
writes into the same folder and so reuses that execution cache. The browser tests
drive Debian's Chromium (``/usr/bin/chromium``) with Playwright against the HTML served
on 127.0.0.1 and block every other host, so they never need a network.

Where TeX Live or Chromium is missing these tests are skipped with the reason -- except
in CI (``CI=true``), where a missing tool is a failure.

Screenshots of every page go to ``_build/screenshots/`` in the repository (override
with ``BOOK_SCREENSHOTS=/some/folder``) so that a person can look at them.
"""

from __future__ import annotations

import functools
import html as _html
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import socket
import tempfile
import threading
import time
import unicodedata
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.build
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

#: Resources the built HTML may load from a network, each with the reason. The browser
#: test blocks every request that is not to 127.0.0.1 and fails on any blocked request
#: whose URL does not start with one of these prefixes. MathJax, RequireJS and the widget
#: manager are served from the book itself (book_assets/web/), so the list is empty:
#: reading needs no network. (Launch buttons, DOI links and the Binder/Colab/JupyterHub
#: pages are links a reader follows, not resources a page loads.)
NEEDS_NETWORK: dict[str, str] = {}

#: text/plain reprs of ipywidgets that must never reach the PDF (see book_assets/sphinx/book_delivery.py)
WIDGET_REPR = re.compile(r"\b(VBox|HBox|interactive|IntSlider|FloatSlider|Dropdown)\(children=|\bVBox\(|\binteractive\(")


def _script(name: str):
    """A module from scripts/ (the accessibility audit, the notebook executor)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


A11Y = _script("a11y_audit")


def _jb() -> str:
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else shutil.which("jupyter-book")


def _missing(what: str, reason: str):
    """Skip with the reason, or fail in CI where every tool must be there."""
    if IN_CI:
        pytest.fail(f"{what} is missing in CI ({reason}): .ci/run must install it (scripts/system-packages.sh).")
    pytest.skip(f"{what} is not installed ({reason}); see scripts/system-packages.sh")


# --------------------------------------------------------------------------------------
# builds
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def book_out(tmp_path_factory) -> Path:
    """The --path-output folder of this module's builds (HTML, then PDF into the same one)."""
    return tmp_path_factory.mktemp("book")


@pytest.fixture(scope="module")
def html_build(book_out) -> Path:
    proc = subprocess.run(
        [_jb(), "build", str(ROOT), "--path-output", str(book_out), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=900,
    )
    log = proc.stdout[-6000:] + proc.stderr[-6000:]
    assert proc.returncode == 0, f"jupyter-book build failed (warnings are errors):\n{log}"
    return book_out / "_build" / "html"


@pytest.fixture(scope="module")
def pdf_build(html_build, book_out) -> Path:
    """Build the PDF with the pdflatex builder (xelatex via latexmk), reusing the HTML build's cache."""
    for tool in ("xelatex", "latexmk", "makeindex"):
        if shutil.which(tool) is None:
            _missing(tool, "the PDF is built with xelatex from TeX Live")
    for tool in ("pdftotext", "pdfimages"):
        if shutil.which(tool) is None:
            _missing(tool, "the PDF checks use poppler-utils")
    proc = subprocess.run(
        [_jb(), "build", str(ROOT), "--path-output", str(book_out), "--builder", "pdflatex", "-W", "-n",
         "--keep-going"],
        capture_output=True, text=True, timeout=900,
    )
    latex = book_out / "_build" / "latex"
    texlog = latex / "msc-evidence-appraisal.log"
    errors = ""
    if texlog.exists():
        lines = texlog.read_text(errors="replace").splitlines()
        errors = "\n".join("\n".join(lines[i:i + 6]) for i, ln in enumerate(lines) if ln.startswith("!"))[:4000]
    assert proc.returncode == 0, (
        f"PDF build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-3000:]}\nTeX errors:\n{errors}")
    pdf = latex / "msc-evidence-appraisal.pdf"
    assert pdf.exists(), f"no PDF at {pdf}"
    return pdf


# --------------------------------------------------------------------------------------
# what the book should contain, derived from _toc.yml and the built HTML (no fixed lists)
# --------------------------------------------------------------------------------------

def _toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc["parts"]:
        pages += [c["file"] for c in part["chapters"]]
    return pages


def _notebook_pages() -> list[str]:
    return [p for p in _toc_pages() if (ROOT / f"{p}.ipynb").exists()]


def _page_html(html_build: Path, page: str) -> str:
    return (html_build / f"{page}.html").read_text()


def _main_content(html: str) -> str:
    """The article body of a built page (without the theme's navigation and header)."""
    m = re.search(r'<article class="bd-article"[^>]*>(.*?)</article>', html, re.S)
    return m.group(1) if m else html


def _h1(html: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", _main_content(html), re.S)
    assert m, "page has no <h1>"
    text = re.sub(r"<[^>]+>", "", m.group(1))
    return _html.unescape(text).replace("#", "").strip()


def _content_images(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*>", _main_content(html))


def _norm(text: str) -> str:
    """Compare titles with PDF text: fold case, quotes, dashes, hyphenation and white space."""
    text = unicodedata.normalize("NFKC", text)
    for a, b in {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                 "\u2011": "-", "\ufb01": "fi", "\ufb02": "fl"}.items():
        text = text.replace(a, b)
    text = re.sub(r"-\s*\n\s*", "-", text)
    text = re.sub(r"^\s*\d+(\.\d+)*\.?\s+", "", text)  # a section number in front of a title
    return re.sub(r"\s+", " ", text).strip().casefold()


# --------------------------------------------------------------------------------------
# HTML: static checks
# --------------------------------------------------------------------------------------

def test_every_toc_page_is_built(html_build):
    for page in _toc_pages():
        assert (html_build / f"{page}.html").exists(), page
    assert (html_build / "index.html").exists()


def test_landing_page_has_the_notice(html_build):
    text = (html_build / "intro.html").read_text()
    assert "not medical advice" in text


def test_no_unexecuted_or_error_output(html_build):
    for page in _toc_pages():
        html = _page_html(html_build, page)
        assert "Traceback (most recent call last)" not in html, page
        assert "could not convert" not in html, page


def test_status_page_lists_notebooks(html_build):
    html = (html_build / "chapters" / "status.html").read_text()
    assert "chapters/primer" in html


def test_no_page_loads_a_script_or_style_from_a_network(html_build):
    """Offline reading: every <script src>/<link href> of every page points into the book."""
    external = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="((?:https?:)?//[^"]+)"', re.I)
    for page in [*_toc_pages(), "search", "genindex"]:
        path = html_build / f"{page}.html"
        if not path.exists():
            continue
        found = [u for u in external.findall(path.read_text()) if not u.startswith(tuple(NEEDS_NETWORK))]
        assert not found, f"{page}.html loads {found} from a network (vendor it into book_assets/web/)"


def test_no_static_folder_named_underscore_static():
    """Jupyter Book injects every .js of a root _static/ (and of html_static_path) into every page."""
    assert not (ROOT / "_static").exists(), "use book_assets/web/, not _static/ (see book_assets/README.md)"


def test_vendored_assets_are_the_configured_ones(html_build):
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    static = html_build / "_static"
    assert (static / cfg["mathjax_path"]).is_file(), cfg["mathjax_path"]
    for js in cfg["nb_ipywidgets_js"]:
        assert (static / js).is_file(), js


def test_launch_buttons_on_every_notebook_page(html_build):
    """Binder, JupyterHub and Colab links, all built from the one repository.url setting."""
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = cfg["repository"]["url"].rstrip("/")
    org_repo = repo.split("github.com/")[-1]
    branch = cfg["repository"]["branch"]
    hub = cfg["launch_buttons"]["jupyterhub_url"].rstrip("/")
    assert cfg["launch_buttons"]["binderhub_url"] and hub and cfg["launch_buttons"]["colab_url"]
    for page in _notebook_pages():
        html = _html.unescape(_page_html(html_build, page))
        assert f"mybinder.org/v2/gh/{org_repo}/{branch}?urlpath=lab/tree/{page}.ipynb" in html, page
        assert f"colab.research.google.com/github/{org_repo}/blob/{branch}/{page}.ipynb" in html, page
        name = org_repo.split("/")[-1]
        assert (f"{hub}/hub/user-redirect/git-pull?repo={quote(repo)}"
                f"&urlpath=lab/tree/{name}/{page}.ipynb&branch={branch}") in html, page


def test_widget_pages_say_how_to_run_live(html_build):
    """Every saved widget view is followed by the note and link added by book_delivery."""
    for page in _toc_pages():
        html = _page_html(html_build, page)
        views = html.count('type="application/vnd.jupyter.widget-view+json"')
        if views:
            assert html.count('class="widget-live-note"') == views, page
            assert "running_live.html" in html, page


# --------------------------------------------------------------------------------------
# HTML in a real browser (Playwright + Debian's Chromium, no network)
# --------------------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def server(html_build):
    handler = functools.partial(_QuietHandler, directory=str(html_build))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _missing(CHROMIUM, "the browser test drives Debian's Chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements.txt
        _missing("playwright", "pip install -r requirements.txt")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _screenshot_dir() -> Path:
    d = Path(os.environ.get("BOOK_SCREENSHOTS", ROOT / "_build" / "screenshots"))
    d.mkdir(parents=True, exist_ok=True)
    return d


_PAGE_PROBE = """() => {
  const article = document.querySelector('article.bd-article') || document.body;
  const imgs = [...article.querySelectorAll('img')].map(i => ({
      src: i.getAttribute('src'), alt: (i.getAttribute('alt') || '').trim(),
      complete: i.complete, width: i.naturalWidth,
      inWidget: !!i.closest('.jupyter-widgets, .jp-OutputArea, .widget-output')}));
  const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  const rendered = views.map(s => {
      const box = s.nextElementSibling && s.nextElementSibling.matches('.jupyter-widgets, .widget-subarea, .jp-OutputArea, .lm-Widget, div')
          ? s.nextElementSibling : s.parentElement.querySelector('.jupyter-widgets, .lm-Widget');
      if (!box) return 0;
      const r = box.getBoundingClientRect(); return r.width * r.height;});
  const maths = article.querySelectorAll('.math').length;
  const mjx = article.querySelectorAll('mjx-container').length;
  const rawTex = [...article.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container')).length;
  return {title: document.title, imgs, views: views.length, rendered, maths, mjx, rawTex,
          tracks: sliderTracks(article),
          h1: (article.querySelector('h1') || {}).textContent || ''};
}"""

#: for every widget panel (a VBox of controls), the left edge of each slider's track
_SLIDER_TRACKS = """function sliderTracks(root) {
  return [...root.querySelectorAll('.widget-vbox')]
    .filter(box => !box.parentElement.closest('.widget-vbox'))
    .map(box => [...box.querySelectorAll(':scope > .widget-slider')]
      .map(s => { const t = s.querySelector('.slider-container, .noUi-target');
                  const r = t ? t.getBoundingClientRect() : null;
                  return r && r.width > 0 ? Math.round(r.left * 10) / 10 : null; })
      .filter(x => x !== null))
    .filter(lefts => lefts.length > 1);
}"""
_PAGE_PROBE = _PAGE_PROBE.replace("() => {", "() => {\n  " + _SLIDER_TRACKS, 1)


def _visit(browser, base: str, path: str, shot: Path | None = None) -> dict:
    """Open one page with every non-local request blocked; report what happened."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    report = {"errors": [], "console": [], "blocked": [], "failed": [], "lite": []}

    def route(r):
        if r.request.url.startswith(base):
            if r.request.url.startswith(f"{base}/lite/"):
                report["lite"].append(r.request.url)
            r.continue_()
        else:
            report["blocked"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: report["errors"].append(f"{e}\n{getattr(e, 'stack', '') or ''}".strip()))
    page.on("console", lambda m: report["console"].append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: report["failed"].append(r.url) if r.url.startswith(base) else None)
    page.on("response", lambda r: report["failed"].append(f"{r.status} {r.url}")
            if r.url.startswith(base) and r.status >= 400 else None)
    resp = page.goto(f"{base}/{path}", wait_until="load")
    report["status"] = resp.status if resp else None
    try:  # MathJax typesets after load; widgets render after their scripts run
        page.wait_for_function("() => !window.MathJax || !MathJax.startup || MathJax.startup.promise", timeout=5000)
        page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    except Exception as err:  # noqa: BLE001 - reported below as a failure of the page
        report["errors"].append(f"MathJax did not finish: {err}")
    if 'widget-view+json' in page.content():
        try:
            page.wait_for_selector(".jupyter-widgets", timeout=10000)
        except Exception:  # noqa: BLE001
            pass
    page.wait_for_timeout(200)
    report.update(page.evaluate(_PAGE_PROBE))
    report["axe"] = A11Y.run_axe(page)  # after the widgets and the book's a11y.js have run
    if shot is not None:  # JPEG: a full-page PNG of a long chapter costs seconds to encode
        page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=75)
    ctx.close()
    return report


@pytest.fixture(scope="module")
def visits(browser, server, html_build) -> dict[str, dict]:
    """Every page of the table of contents visited once (and screenshotted)."""
    shots = _screenshot_dir()
    for old in [*shots.glob("*.jpg"), *shots.glob("*.png")]:  # pages that left the toc
        old.unlink()
    out = {}
    for page in _toc_pages():
        out[page] = _visit(browser, server, f"{page}.html", shots / f"{page.replace('/', '__')}.jpg")
        if out[page]["errors"]:
            # A JavaScript error seen once under a loaded CI machine (a race in the widget manager's
            # start-up) must show again on a second visit to count; the first one's text is kept.
            again = _visit(browser, server, f"{page}.html")
            if not again["errors"]:
                print(f"\n{page}: JavaScript error on the first visit only: {out[page]['errors']}")
                again["flaky"] = out[page]["errors"]
                out[page] = again
    print(f"\nScreenshots of every page: {shots}")
    return out


def test_every_explorer_chapter_opens_its_live_notebook(html_build):
    """Each chapter with explorers has the "Open the live explorers" button, and it opens that
    chapter's live notebook in the live site the book build made (tests/test_live.py runs them)."""
    live = sorted((ROOT / "chapters" / "live").glob("*.ipynb"))
    assert live, "no live notebooks (python book_assets/sphinx/live_site.py notebooks)"
    for nb in live:
        html = _page_html(html_build, f"chapters/{nb.stem}")
        opens = re.findall(r"window\.open\('([^']+)'\)", html)
        assert len(opens) == 1 and opens[0].endswith(f"?path=chapters/live/{nb.stem}.ipynb"), (nb.stem, opens)
        assert "Open the live explorers of this chapter" in html, nb.stem
        assert (html_build / "chapters" / opens[0].split("?")[0]).resolve().is_file(), opens[0]
        assert (html_build / "lite" / "files" / "chapters" / "live" / nb.name).is_file(), nb.name
    lite = html_build / "lite"
    assert (lite / "static" / "pyodide" / "pyodide.asm.wasm").is_file()
    assert next((lite / "pypi").glob("appraisal-*.whl"), None) is not None
    config = json.loads((lite / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True and kernel["pyodideUrl"].startswith("./static/pyodide/")
    assert [e["name"] for e in config["federated_extensions"]] == [
        "@jupyter-widgets/jupyterlab-manager", "@jupyterlite/pyodide-kernel-extension"]


@pytest.mark.browser
def test_reading_a_page_loads_nothing_of_the_live_site(visits):
    """A reader who never presses the button downloads none of the Pyodide payload."""
    loaded = {page: r["lite"] for page, r in visits.items() if r["lite"]}
    assert not loaded, loaded


@pytest.mark.browser
def test_every_toc_page_loads_in_the_browser(visits):
    for page, r in visits.items():
        assert r["status"] == 200, (page, r["status"])
        assert r["h1"].strip(), f"{page}: no visible title"
        assert not r["failed"], f"{page}: local resources failed to load: {r['failed']}"


@pytest.mark.browser
def test_every_image_has_loaded_and_has_alt_text(visits):
    problems = []
    for page, r in visits.items():
        for img in r["imgs"]:
            if not img["complete"] or img["width"] <= 0:
                problems.append(f"{page}: image did not load: {img['src']}")
            name = Path(img["src"] or "").name if not (img["src"] or "").startswith("data:") else ""
            if img["inWidget"] and not img["alt"]:  # a saved widget's figure: appraisal.widgets.build gives it alt text
                problems.append(f"{page}: a widget's figure has no alt text (show it with widgets.figure_html)")
                continue
            if not img["alt"] or (name and img["alt"].endswith(name)) or img["alt"].endswith((".png", ".jpg", ".svg")):
                problems.append(f"{page}: image without real alt text (alt={img['alt']!r}): {img['src']} "
                                "-- set cell metadata mystnb.image.alt")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_no_javascript_errors_and_no_network(visits):
    problems = []
    for page, r in visits.items():
        problems += [f"{page}: JavaScript error: {e}" for e in r["errors"]]
        unexpected = [u for u in r["blocked"] if not u.startswith(tuple(NEEDS_NETWORK))]
        problems += [f"{page}: needs the network for {u} (vendor it, or list it in NEEDS_NETWORK)" for u in unexpected]
        if not r["blocked"]:  # console errors caused by a documented blocked request are expected
            problems += [f"{page}: console error: {c}" for c in r["console"]]
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_math_is_typeset_offline(visits, browser, server, html_build):
    """Math on every page is typeset by the vendored MathJax; and that MathJax works at all."""
    for page, r in visits.items():
        if r["maths"]:
            assert r["mjx"] >= r["maths"] and r["rawTex"] == 0, \
                f"{page}: {r['rawTex']} of {r['maths']} math elements not typeset by the vendored MathJax"
    # self-check, also when no chapter has math yet: typeset one formula with _static/mathjax/
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    ctx = browser.new_context()
    page = ctx.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server) else r.abort())
    page.goto(f"{server}/genindex.html", wait_until="load")
    page.evaluate("""src => new Promise((ok, fail) => {
        document.querySelector('article, body').insertAdjacentHTML('afterbegin',
            '<p id="mj-check" class="math">\\\\(\\\\hat p = k/n\\\\)</p>');
        if (window.MathJax && MathJax.typesetPromise) { return MathJax.typesetPromise().then(ok, fail); }
        window.MathJax = {startup: {pageReady: () => MathJax.startup.defaultPageReady().then(ok, fail)}};
        const s = document.createElement('script'); s.src = src; s.onerror = fail; document.head.appendChild(s);
    })""", f"_static/{cfg['mathjax_path']}")
    typeset = page.locator("#mj-check mjx-container").count()
    ctx.close()
    assert typeset == 1, "the vendored MathJax did not typeset a test formula"


@pytest.mark.browser
def test_widget_static_and_saved_views_are_visible(browser, server, visits, html_build):
    """Every page with a widget shows its static view (table + figure) and the saved widget state."""
    for page, r in visits.items():
        if not r["views"]:
            continue
        assert all(area > 0 for area in r["rendered"]), f"{page}: a saved widget view did not render: {r['rendered']}"
        html = _main_content(_page_html(html_build, page))
        first_view = html.index("application/vnd.jupyter.widget-view+json")
        before = html[:first_view]
        assert "<table" in before and "<img" in before, f"{page}: no static view (table and figure) before the widget"


@pytest.mark.browser
def test_no_serious_or_critical_accessibility_violations(visits):
    """axe-core (vendored) over every page: WCAG 2.1 A/AA rules, nothing serious or critical."""
    results = {page: r["axe"] for page, r in visits.items()}
    found = A11Y.blocking(results)
    counts = A11Y.counts(results)
    print(f"\naxe-core {A11Y.axe_version()} over {len(results)} pages: {json.dumps(counts, sort_keys=True)}")
    assert not found, "serious/critical accessibility violations (axe-core):\n" + "\n".join(found)


@pytest.mark.browser
def test_status_page_lists_the_current_moderate_findings(visits, html_build):
    """chapters/_a11y_moderate.inc (included by the status page) names exactly the rules found now."""
    results = {page: r["axe"] for page, r in visits.items()}
    now, listed = A11Y.listed_pairs(results), A11Y.read_listing()
    stale = f"run `python {Path('scripts') / 'a11y_audit.py'}` after `bash scripts/build` to regenerate it"
    assert not now - listed, f"moderate/minor findings not listed on the status page: {sorted(now - listed)}; {stale}"
    assert not listed - now, f"the status page lists findings that are gone: {sorted(listed - now)}; {stale}"
    assert "axe-core" in _main_content(_page_html(html_build, "chapters/status")), "status page does not include the list"


@pytest.mark.browser
def test_explorer_slider_tracks_line_up(visits):
    """Every control of one explorer has the same label width, so the slider tracks start together."""
    problems = []
    for page, r in visits.items():
        for lefts in r["tracks"]:
            if max(lefts) - min(lefts) > 1.5:
                problems.append(f"{page}: slider tracks start at {sorted(set(lefts))} px")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------
# The stored notebooks opened in JupyterLab, as a student opens them
# --------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _widget_notebooks() -> list[Path]:
    return [p for p in sorted((ROOT / "chapters").glob("*.ipynb")) if "widget-view+json" in p.read_text()]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 over a copy of the notebooks (trusted, as after a student's own run).

    Private settings, data and workspace folders: nothing of the user's is read or written;
    notebooks render fully (no windowing) and JupyterLab fetches no news.
    """
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None and shutil.which("jupyter-lab") is None:
        _missing("jupyter-lab", "pip install -r requirements.txt")
    base = tmp_path_factory.mktemp("lab")
    root, data, settings, work = (base / d for d in ("notebooks", "data", "settings", "workspaces"))
    for d in (root, data, settings / "@jupyterlab" / "notebook-extension", settings / "@jupyterlab" / "apputils-extension",
              work):
        d.mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    for nb in _widget_notebooks():
        shutil.copy(nb, root / nb.name)
    env = {**os.environ, "JUPYTER_DATA_DIR": str(data), "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(work), "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    # trusted: a student's own notebook after a run (an untrusted one shows the text note, not the panel)
    subprocess.run([sys.executable, "-m", "jupyter", "trust", *map(str, root.glob("*.ipynb"))], env=env,
                   check=True, capture_output=True, timeout=60)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--allow-root",
         "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--ServerApp.root_dir={root}", "--LabApp.extension_manager=readonly", "--LabApp.news_url="],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except Exception:  # noqa: BLE001 - not up yet
                if time.time() > deadline or proc.poll() is not None:
                    pytest.fail("JupyterLab did not start within 60 s")
                time.sleep(0.5)
        yield url, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


_LAB_PROBE = """() => {
  const text = document.body.innerText;
  const panels = [...document.querySelectorAll('.jp-OutputArea-output .widget-vbox')]
      .filter(b => !b.parentElement.closest('.widget-vbox'));
  return {missing: text.includes('model not found'), panels: panels.length,
          tracks: panels.map(box => [...box.querySelectorAll(':scope > .widget-slider')].map(s => {
              const t = s.querySelector('.slider-container, .noUi-target');
              const r = t ? t.getBoundingClientRect() : null;
              return r && r.width > 0 ? Math.round(r.left * 10) / 10 : null;}).filter(x => x !== null))
            .filter(l => l.length > 1)};
}"""


@pytest.mark.browser
def test_stored_notebooks_open_in_jupyterlab_without_widget_errors(browser, jupyterlab):
    """Each stored notebook with a widget panel opens in JupyterLab with its panels drawn from the
    saved widget state: no "widget model not found", and the slider tracks of a panel line up."""
    url, root = jupyterlab
    problems = []
    for nb in sorted(root.glob("*.ipynb")):
        views = nb.read_text().count('"application/vnd.jupyter.widget-view+json"')
        ctx = browser.new_context(viewport={"width": 1300, "height": 900})
        page = ctx.new_page()
        logs = []
        page.on("console", lambda m: logs.append(m.text))
        page.on("pageerror", lambda e: logs.append(str(e)))
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
        page.goto(f"{url}/lab/tree/{nb.name}?reset", wait_until="load")
        state = {"missing": False, "panels": 0, "tracks": []}
        try:
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60000)
            deadline = time.time() + 30
            while time.time() < deadline:
                state = page.evaluate(_LAB_PROBE)
                if state["missing"] or state["panels"] >= 1 and not any("model not found" in x for x in logs):
                    page.wait_for_timeout(1500)  # let every panel of the notebook finish
                    state = page.evaluate(_LAB_PROBE)
                    break
                page.wait_for_timeout(500)
        finally:
            ctx.close()
        errors = [x for x in logs if "model not found" in x]
        if errors or state["missing"]:
            problems.append(f"{nb.name}: widget model not found ({len(errors)} console errors)")
        elif views and state["panels"] == 0:
            # not drawn within the wait (seen for one long notebook on a loaded 2-core machine): reported,
            # not failed; what this test guards is that no saved view points at a missing model
            print(f"note: {nb.name}: {views} saved widget views, no panel drawn within 30 s")
        for lefts in state["tracks"]:
            if max(lefts) - min(lefts) > 1.5:
                problems.append(f"{nb.name}: slider tracks start at {sorted(set(lefts))} px")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_search_finds_a_term(browser, server, html_build):
    """The search page finds a word taken from the first chapter's title."""
    title = _h1(_page_html(html_build, _toc_pages()[1]))
    term = max(re.findall(r"[A-Za-z]{5,}", title), key=len)
    ctx = browser.new_context()
    page = ctx.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server) else r.abort())
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/search.html?q={term}", wait_until="load")
    page.wait_for_selector("#search-results ul.search li", timeout=15000)
    hits = page.locator("#search-results ul.search li").count()
    page.screenshot(path=str(_screenshot_dir() / "search.jpg"), type="jpeg", quality=75)
    ctx.close()
    assert hits > 0, f"search for {term!r} found nothing"
    assert not errors, errors


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_text(pdf_build) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf_build), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.pdf
def test_pdf_has_every_chapter_title(pdf_text, html_build):
    text = _norm(pdf_text)
    missing = [t for t in (_h1(_page_html(html_build, p)) for p in _toc_pages()) if _norm(t) not in text]
    assert not missing, f"titles missing from the PDF text: {missing}"


@pytest.mark.pdf
def test_pdf_has_no_unresolved_references(pdf_text):
    assert "??" not in pdf_text, "unresolved reference (??) in the PDF: " + \
        pdf_text[max(0, pdf_text.index("??") - 200):pdf_text.index("??") + 50]


@pytest.mark.pdf
def test_pdf_has_every_figure(pdf_build, html_build):
    """As many raster images in the PDF as figures in the HTML (every figure and static view made it)."""
    expected = sum(len(_content_images(_page_html(html_build, p))) for p in _toc_pages())
    listing = subprocess.run(["pdfimages", "-list", str(pdf_build)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    images = [ln for ln in listing if ln.split()[2] == "image"]
    tex = (pdf_build.parent / "msc-evidence-appraisal.tex").read_text()
    included = len(re.findall(r"\\(?:sphinx)?includegraphics", tex))
    assert included == expected, f"{included} images in the LaTeX, {expected} in the HTML"
    assert len(images) == expected, f"{len(images)} images in the PDF, {expected} in the HTML"


@pytest.mark.pdf
def test_pdf_shows_no_widget_repr_or_raw_html(pdf_text):
    """HTML-only outputs leave no hole: no ipywidgets text repr, no raw HTML/LaTeX in the text."""
    m = WIDGET_REPR.search(pdf_text)
    assert m is None, "a widget's text repr reached the PDF: " + pdf_text[m.start():m.start() + 120]
    for junk in ("<table", "<div", "\\begin{", "\\textbf{", "<IPython.core", "<Figure size"):
        assert junk not in pdf_text, f"{junk!r} printed in the PDF"


# --------------------------------------------------------------------------------------
# PDF: nothing runs off a page (tables break across pages, every page keeps its footer)
# --------------------------------------------------------------------------------------

def _pdf_words(pdf: Path) -> list[dict]:
    """Every page of the PDF: its size and its words with their boxes (pdftotext -bbox).

    pdftotext drops characters that lie outside the page, so text printed past the
    bottom of a page is missing here.
    """
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for w, h, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xml, re.S):
        words = [{"x0": float(a), "y0": float(b), "x1": float(c), "y1": float(d), "text": _html.unescape(t)}
                 for a, b, c, d, t in re.findall(
                     r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body)]
        pages.append({"width": float(w), "height": float(h), "words": words})
    return pages


def _footer_line(pages: list[dict]) -> float:
    """The top of the footer line: the lowest text line that most pages share."""
    lows = [round(max(w["y0"] for w in p["words"])) for p in pages if p["words"]]
    return float(max(set(lows), key=lows.count))


def _tokens(text: str) -> list[str]:
    text = _norm(text).replace("\u2212", "-")
    return re.findall(r"\w+", text)


def _html_tables(html: str) -> list[list[str]]:
    """The cell texts of the last row of every table in a page's article (no scripts, no widget state)."""
    body = re.sub(r"<script\b.*?</script>", "", _main_content(html), flags=re.S)
    rows = []
    for table in re.findall(r"<table\b.*?</table>", body, re.S):
        trs = re.findall(r"<tr\b.*?</tr>", table, re.S)
        if trs:
            cells = re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", trs[-1], re.S)
            rows.append([_html.unescape(re.sub(r"<[^>]+>", " ", c)) for c in cells])
    return rows


def _with_hyphenated(words: list[dict]) -> list[dict]:
    """The words plus, for a word hyphenated at a line end ("regres-"), it joined with each word
    that starts the next line of the same table cell ("sion")."""
    extra = []
    for w in words:
        if len(w["text"]) > 2 and w["text"].endswith("-") and w["text"][-2].isalpha():
            for v in words:
                if 4 < v["y0"] - w["y0"] < 16 and w["x0"] - 300 < v["x0"] <= w["x0"] + 1:
                    extra.append({**v, "text": w["text"][:-1] + v["text"]})
    return words + extra


_ROW_SPAN = 320.0  # pt: the tallest table row the book prints (a 17-line cell is ~175 pt)


def _row_on_a_page(tokens: list[str], pages: list[dict], footer: float) -> tuple[int, str] | None:
    """(page number, where) of a page whose text area holds every token within a row's height.

    Short numeric tokens can also meet by chance on an unrelated page; so a match outside the
    text area is reported only if no page holds the row inside it.
    """
    need = set(tokens)
    outside = None
    for n, page in enumerate(pages, start=1):
        at: dict[str, list[dict]] = {}
        for w in _with_hyphenated(page["words"]):
            for t in _tokens(w["text"]):
                if t in need:
                    at.setdefault(t, []).append(w)
        if set(at) != need:
            continue
        anchor = min(need, key=lambda t: len(at[t]))
        for a in at[anchor]:
            # a row cannot break across pages, but one long cell can run to ~30 lines (~300 pt)
            near = [[w for w in at[t] if abs(w["y0"] - a["y0"]) <= _ROW_SPAN] for t in need]
            if all(near):
                worst = max((min(ws, key=lambda w: abs(w["y0"] - a["y0"])) for ws in near), key=lambda w: w["y1"])
                inside = worst["y1"] <= footer - 2 and all(
                    0 <= w["x0"] and w["x1"] <= page["width"] for ws in near for w in ws)
                if inside:
                    return n, "inside"
                if outside is None:
                    outside = (n, f"outside the text area ({worst['text']!r} ends at y={worst['y1']})")
    return outside


@pytest.mark.pdf
def test_pdf_log_has_no_overfull_vbox(pdf_build):
    """TeX reports no box taller than the page (e.g. a table that cannot break)."""
    log = pdf_build.with_suffix(".log").read_text(errors="replace")
    found = [ln for ln in log.splitlines() if ln.startswith("Overfull \\vbox")]
    assert not found, f"{len(found)} overfull vbox(es) in the PDF build: {found[:5]}"


@pytest.mark.pdf
def test_pdf_every_table_ends_on_a_page(pdf_build, html_build):
    """The last row of every table of the book is printed inside a page's text area."""
    pages = _pdf_words(pdf_build)
    footer = _footer_line(pages)
    problems, checked = [], 0
    for page in _toc_pages():
        for cells in _html_tables(_page_html(html_build, page)):
            tokens = _tokens(" ".join(cells))
            if not tokens:
                continue
            checked += 1
            found = _row_on_a_page(tokens, pages, footer)
            if found is None:
                problems.append(f"{page}: last row {cells} not found on any PDF page")
            elif found[1] != "inside":
                problems.append(f"{page}: last row {cells} on PDF page {found[0]} {found[1]}")
    assert checked, "no tables found in the HTML"
    assert not problems, f"{len(problems)} of {checked} tables:\n" + "\n".join(problems)


@pytest.mark.pdf
def test_pdf_every_page_keeps_its_footer(pdf_build):
    """Every page after the title page has its footer line (with a page number) and nothing below it."""
    pages = _pdf_words(pdf_build)
    footer = _footer_line(pages)
    number = re.compile(r"^(\d+|[ivxlc]+)$")
    problems = []
    for n, page in enumerate(pages[1:], start=2):
        if not page["words"]:
            continue
        foot = [w for w in page["words"] if abs(w["y0"] - footer) <= 1.5]
        below = [w["text"] for w in page["words"] if w["y0"] > footer + 1.5]
        crowding = [w["text"] for w in page["words"] if w not in foot and w["y1"] > footer - 4]
        if not any(number.match(w["text"]) for w in foot):
            problems.append(f"page {n}: no footer with a page number at y={footer}")
        if below or crowding:
            problems.append(f"page {n}: text below or on the footer line: {(below + crowding)[:8]}")
    assert not problems, "\n".join(problems[:20])
# Self-check quizzes (jupyterquiz, inlined): every chapter's quiz renders and answers back
# --------------------------------------------------------------------------------------

def _quiz_pages() -> list[str]:
    from appraisal.course import release
    return [f"chapters/{c}" for c in release.CHAPTERS]


def _answer_and_read(page, qwrap, *, label=None, value=None) -> tuple[str, str]:
    """Click an answer (multiple choice) or type a number + Enter; return (feedback class, text)."""
    fb = qwrap.locator(".Feedback")
    if label is not None:
        label.click()
    else:
        box = qwrap.locator("input.Input-text")
        box.fill(str(value))
        box.press("Enter")
    page.wait_for_timeout(50)
    return fb.get_attribute("class") or "", fb.inner_text().strip()


@pytest.mark.browser
def test_every_selfcheck_quiz_renders_and_gives_the_right_feedback(browser, server, html_build):
    """For each chapter: as many questions as its quiz file; a wrong answer is marked incorrect with its
    own feedback, the right one is marked correct with the explanation -- offline, no kernel."""
    from appraisal.course import selfcheck

    problems = []
    for page_name in _quiz_pages():
        chapter = page_name.split("/")[-1]
        questions = selfcheck.load(chapter)
        ctx = browser.new_context(viewport={"width": 1200, "height": 900})
        page = ctx.new_page()
        blocked, errors = [], []
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server)
                   else (blocked.append(r.request.url), r.abort()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server}/{page_name}.html", wait_until="load")
        quiz = page.locator(f".selfcheck[data-chapter='{chapter}']")
        try:
            quiz.locator(".Quiz").first.wait_for(timeout=5000)
        except Exception:  # noqa: BLE001
            problems.append(f"{chapter}: no rendered quiz (run scripts/add_selfcheck_cells.py?)")
            ctx.close()
            continue
        wraps = quiz.locator(".Quiz")
        if wraps.count() != len(questions):
            problems.append(f"{chapter}: {wraps.count()} questions rendered, {len(questions)} in the quiz file")
        for i, q in enumerate(questions[:wraps.count()]):
            w = wraps.nth(i)
            if q["type"] == "multiple_choice":
                wrong = next(a for a in q["answers"] if not a["correct"])
                right = next(a for a in q["answers"] if a["correct"])
                cls, text = _answer_and_read(page, w, label=w.locator("label.MCButton", has_text=wrong["answer"]))
                if "incorrect" not in cls or text != wrong["feedback"]:
                    problems.append(f"{chapter} q{i + 1}: wrong answer gave {cls!r} {text[:60]!r}")
                cls, text = _answer_and_read(page, w, label=w.locator("label.MCButton", has_text=right["answer"]))
                if "correct" not in cls.split() or text != right["feedback"]:
                    problems.append(f"{chapter} q{i + 1}: right answer gave {cls!r} {text[:60]!r}")
            else:
                tol = q["tolerance"]
                cls, text = _answer_and_read(page, w, value=q["value"] + 10 * tol + 1000)
                if "incorrect" not in cls:
                    problems.append(f"{chapter} q{i + 1}: a wrong number was not marked incorrect ({cls!r})")
                cls, text = _answer_and_read(page, w, value=round(q["value"] + tol / 3, 6))
                if "correct" not in cls.split() or q["explanation"][:40] not in text:
                    problems.append(f"{chapter} q{i + 1}: the right number gave {cls!r} {text[:60]!r}")
        page.screenshot(path=str(_screenshot_dir() / f"selfcheck__{chapter}.jpg"), type="jpeg", quality=70,
                        clip=None, full_page=False)
        ctx.close()
        problems += [f"{chapter}: JavaScript error {e}" for e in errors]
        problems += [f"{chapter}: the quiz page requested {u}" for u in blocked if not u.startswith(tuple(NEEDS_NETWORK))]
    assert not problems, "\n".join(problems)


def test_answer_key_page_lists_every_answer(html_build):
    from appraisal.course import selfcheck

    html = _html.unescape(re.sub(r"<[^>]+>", "", (html_build / "chapters" / "selfcheck_answers.html").read_text()))
    def norm(t: str) -> str:  # Sphinx turns straight quotes into typographic ones
        for a, b in {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}.items():
            t = t.replace(a, b)
        return re.sub(r"\s+", " ", t)

    html = norm(html)
    for page_name in _quiz_pages():
        for q in selfcheck.load(page_name.split("/")[-1]):
            assert norm(q["explanation"])[:60] in html, q["question"][:60]
