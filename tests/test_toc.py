"""Every chapter file is in _toc.yml and every _toc.yml entry exists."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for ch in part.get("chapters", []):
            files.append(ch["file"])
            files.extend(s["file"] for s in ch.get("sections", []))
    return files


def _resolve(entry: str) -> list[Path]:
    return [p for p in (ROOT / f"{entry}{ext}" for ext in (".md", ".ipynb")) if p.exists()]


def test_every_toc_entry_exists():
    missing = [f for f in _toc_files() if not _resolve(f)]
    assert not missing, f"_toc.yml names files that do not exist: {missing}"


def test_every_toc_entry_is_unambiguous():
    doubled = [f for f in _toc_files() if len(_resolve(f)) > 1]
    assert not doubled, f"both .md and .ipynb exist for: {doubled}"


def test_every_chapter_is_in_toc():
    listed = {str(Path(f)) for f in _toc_files()}
    pages = [p for p in (ROOT / "chapters").rglob("*") if p.suffix in {".md", ".ipynb"} and ".ipynb_checkpoints" not in p.parts
             and "live" not in p.relative_to(ROOT / "chapters").parts[:1]]  # live notebooks: the live site, not pages
    absent = [str(p.relative_to(ROOT)) for p in pages if str(p.relative_to(ROOT).with_suffix("")) not in listed]
    assert not absent, f"chapter files missing from _toc.yml: {absent}"


def test_toc_is_jupyter_book_1_format():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert toc["format"] == "jb-book"
    assert not (ROOT / "myst.yml").exists(), "myst.yml belongs to Jupyter Book 2; this book is 1.x"
