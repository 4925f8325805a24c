"""Execute notebooks in place on a fresh kernel and save their outputs (for nbval).

    python scripts/execute_notebook.py chapters/primer.ipynb [more.ipynb ...]

Outputs are stored so that nbval can compare the cells marked ``# NBVAL_CHECK_OUTPUT``;
execution timestamps are removed so that re-running leaves little noise in git.

Widget state is kept. Every live panel (``appraisal.widgets.build``) is saved as a
widget-view output that names a widget model; the models themselves live in the
notebook's metadata (``metadata.widgets["application/vnd.jupyter.widget-state+json"]``,
written by nbclient). Without them JupyterLab logs "widget model not found" for every
panel when a student opens the notebook, and shows nothing until the cells run; with
them the last view is drawn at once. The script refuses to save a notebook whose views
name a model that is not in its state (:func:`dangling_views`; also tested in
tests/test_notebooks.py). A view's ``text/plain`` (what JupyterLab shows until the
notebook is trusted or run) becomes a sentence saying how to use the panel, not the
widget's repr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


#: the text/plain of a saved widget view (instead of ``VBox(children=(HTML(value=...``), which
#: JupyterLab shows where it cannot draw the panel: in a notebook it does not trust yet
PLAIN_NOTE = ("Interactive panel: run the notebook's cells (Run > Run All Cells) to use its controls. "
              "The static view above shows the same computation over preset values.")


def dangling_views(nb: Any) -> list[str]:
    """Model ids of widget-view outputs whose model is not in the notebook's saved widget state."""
    state = ((nb.get("metadata", {}).get("widgets") or {}).get(WIDGET_STATE) or {}).get("state") or {}
    missing = []
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id") not in state:
                missing.append(view.get("model_id"))
    return missing


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    missing = dangling_views(nb)
    if missing:
        raise RuntimeError(f"{path}: widget views without a saved model: {missing}")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)
                if WIDGET_VIEW in out.get("data", {}):
                    out["data"]["text/plain"] = PLAIN_NOTE
    nbformat.write(nb, path)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        execute(Path(arg))
        print(f"executed {arg}")
