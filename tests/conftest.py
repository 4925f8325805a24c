"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture()
def data_copy(tmp_path, monkeypatch) -> Path:
    """A private copy of data/ that a test may break; APPRAISAL_DATA_DIR points at it."""
    import shutil

    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    monkeypatch.setenv("APPRAISAL_DATA_DIR", str(dest))
    return dest


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """The course release (student notebooks, instructor solutions, autograder), built once per module."""
    from appraisal.course import release as R

    out = tmp_path_factory.mktemp("release")
    R.build(out)
    return out
