"""The book builds with warnings as errors, and the built pages are all there.

The HTML build runs once per test session into a temporary folder (a fresh
execution cache, so changed data are always re-executed).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.build


def _jb() -> str:
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else shutil.which("jupyter-book")


@pytest.fixture(scope="module")
def html_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    proc = subprocess.run(
        [_jb(), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=900,
    )
    log = proc.stdout[-6000:] + proc.stderr[-6000:]
    assert proc.returncode == 0, f"jupyter-book build failed (warnings are errors):\n{log}"
    return out / "_build" / "html"


def _toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc["parts"]:
        pages += [c["file"] for c in part["chapters"]]
    return pages


def test_every_toc_page_is_built(html_build):
    for page in _toc_pages():
        name = "index" if page == _toc_pages()[0] else page
        assert (html_build / f"{name}.html").exists() or (html_build / f"{page}.html").exists(), page


def test_landing_page_has_the_notice(html_build):
    text = (html_build / "intro.html").read_text()
    assert "not medical advice" in text


def test_no_unexecuted_or_error_output(html_build):
    for page in _toc_pages():
        path = html_build / f"{page}.html"
        if path.exists():
            html = path.read_text()
            assert "Traceback (most recent call last)" not in html, page
            assert "could not convert" not in html, page


def test_status_page_lists_notebooks(html_build):
    html = (html_build / "chapters" / "status.html").read_text()
    assert "chapters/primer" in html
