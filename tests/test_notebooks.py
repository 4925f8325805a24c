"""Stored notebooks as a student opens them (fast: reads chapters/*.ipynb, runs nothing).

Every saved widget view must name a widget model that the notebook's metadata holds
(``metadata.widgets["application/vnd.jupyter.widget-state+json"]``), else JupyterLab
logs "widget model not found" and draws nothing where the panel should be.
``scripts/execute_notebook.py`` saves that state; re-run it on a notebook this test names.
The opening itself is checked in JupyterLab by tests/test_book.py (marker ``browser``).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _executor():
    spec = importlib.util.spec_from_file_location("execute_notebook", ROOT / "scripts" / "execute_notebook.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


EXEC = _executor()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_dangling_widget_views(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    missing = EXEC.dangling_views(nb)
    assert not missing, (f"{path.name}: {len(missing)} widget view(s) name a model that is not saved in the "
                         f"notebook (JupyterLab: 'widget model not found'); run "
                         f"`python scripts/execute_notebook.py chapters/{path.name}`")


def test_dangling_views_are_detected():
    view = {"output_type": "display_data",
            "data": {EXEC.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0}}}
    nb = {"metadata": {}, "cells": [{"cell_type": "code", "outputs": [view]}]}
    assert EXEC.dangling_views(nb) == ["abc"]
    nb["metadata"]["widgets"] = {EXEC.WIDGET_STATE: {"state": {"abc": {}}, "version_major": 2, "version_minor": 0}}
    assert EXEC.dangling_views(nb) == []
