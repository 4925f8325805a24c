"""Insert (or refresh) the "Self-check" section of every chapter notebook. Idempotent.

    python scripts/add_selfcheck_cells.py                 # the seven chapter notebooks
    python scripts/add_selfcheck_cells.py chapters/mesems.ipynb
    python scripts/add_selfcheck_cells.py --check         # exit 1 if a notebook needs the script

For each chapter with a quiz file (``chapters/quizzes/<chapter>.json``) the script

1. removes the cells it inserted before (they carry ``"coursekit": "selfcheck"`` in their metadata);
2. finds the ``## Key takeaways`` heading (splitting its markdown cell there if the heading does not
   start the cell) and inserts before it a markdown cell (``## Self-check``) and a code cell, tagged
   ``hide-input``, that shows the quiz (``selfcheck.show("<chapter>")``);
3. stores that cell's output (the same bundle a kernel would produce) so the saved notebook is
   complete without re-running it.

The exercise and solution cells need no tags: ``scripts/release`` finds them by their
sphinx-exercise directives and labels. The rest of each notebook is left byte-for-byte as it was.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appraisal.course import release, selfcheck  # noqa: E402

MARK = "selfcheck"
TAKEAWAYS = re.compile(r"^##\s+Key takeaways\s*$", re.M)
INTRO = ("## Self-check\n\n"
         "A few questions on this chapter's lesson. In the web book and in a running notebook, click an "
         "answer (or type a number and press Enter) to see whether it is right and why. The PDF lists "
         "the questions here and the answers with their explanations in the appendix "
         "{doc}`selfcheck_answers`.")


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def selfcheck_cells(chapter: str) -> list[dict]:
    bundle = selfcheck.show(chapter)._repr_mimebundle_()
    md = {"cell_type": "markdown", "metadata": {"coursekit": MARK}, "source": _lines(INTRO)}
    code = {"cell_type": "code", "execution_count": 1,  # a stored output needs a count (nbval: no "unrun cell with outputs")
            "metadata": {"coursekit": MARK, "tags": ["hide-input"]},
            "outputs": [{"output_type": "display_data", "metadata": {},
                         "data": {k: _lines(v) for k, v in bundle.items()}}],
            "source": _lines(f'from appraisal.course import selfcheck\n\nselfcheck.show("{chapter}")')}
    return [md, code]


def refresh(nb: dict, chapter: str) -> dict:
    cells = [c for c in nb["cells"] if c.get("metadata", {}).get("coursekit") != MARK]
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        m = TAKEAWAYS.search(_src(cell))
        if not m:
            continue
        text = _src(cell)
        if m.start() > 0:  # split: the text before the heading stays in its cell
            before = dict(cell, source=_lines(text[:m.start()].rstrip("\n")))
            after = {"cell_type": "markdown", "metadata": {}, "source": _lines(text[m.start():])}
            cells[i:i + 1] = [before, after]
            i += 1
        cells[i:i] = selfcheck_cells(chapter)
        break
    else:
        raise ValueError(f"{chapter}: no markdown cell with a '## Key takeaways' heading")
    return dict(nb, cells=cells)


def _dump(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or [ROOT / "chapters" / f"{c}.ipynb" for c in release.CHAPTERS]
    stale = []
    for path in paths:
        chapter = path.stem
        old = path.read_text(encoding="utf-8")
        new = _dump(refresh(json.loads(old), chapter))
        if new != old:
            stale.append(str(path))
            if not check:
                path.write_text(new, encoding="utf-8")
        print(f"{'needs refresh' if check and new != old else 'up to date' if new == old else 'refreshed'}: {path}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
