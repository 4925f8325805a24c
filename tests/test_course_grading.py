"""Otter checks run for real: the instructor solutions pass every check, blank student answers fail.

Apart from tests/test_course_release.py so that pytest-xdist (--dist loadfile) runs the notebook
executions beside the other tests. One kernel per chapter (see the test's docstring).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from appraisal.course import release as R

ROOT = Path(__file__).resolve().parents[1]


def _nb(chapter: str) -> dict:
    return json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8"))


def _run_checks_cell(chapter: str) -> str:
    qs = [R.question_name(label) for label in R.load_checks(chapter)]
    return ("import json as _json\n"
            f"print('CHECKS', _json.dumps({{q: bool(grader.check(q).passed_all) for q in {qs!r}}}))")


def _execute(path: Path, extra: list[str]) -> dict:
    nb = nbformat.read(path, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(src) for src in extra]
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    return json.loads(out.split("CHECKS", 1)[1])


@pytest.mark.parametrize("chapter", R.CHAPTERS)
def test_instructor_solutions_pass_and_blank_student_answers_fail(released, chapter):
    """One kernel per chapter: run the instructor notebook, check everything (public and hidden tests);
    then, in the student folder with the students' tests, run the student's blank answer cells and check
    again. The student notebook's other cells are the instructor's (asserted), so this is the blank run."""
    student_nb = json.loads((released / "student" / chapter / f"{chapter}.ipynb").read_text())
    instr_nb = json.loads((released / "instructor" / chapter / f"{chapter}.ipynb").read_text())
    tagged = lambda c: "otter_answer_cell" in c.get("metadata", {}).get("tags", [])  # noqa: E731
    src = lambda c: "".join(c["source"]) if isinstance(c["source"], list) else c["source"]  # noqa: E731
    body = lambda nb: [src(c) for c in nb["cells"] if c.get("metadata", {}).get(R.BODY)]  # noqa: E731
    n_code = sum(1 for c in _nb(chapter)["cells"] if c["cell_type"] == "code")
    assert body(student_nb) == body(instr_nb), "the student and instructor notebooks differ in the reading text"
    assert n_code > len(body(student_nb)) > 0.5 * n_code
    answers = [src(c) for c in student_nb["cells"] if c["cell_type"] == "code" and tagged(c)]
    assert answers and all(a.strip() for a in answers)
    assert sum("= ..." in a for a in answers) == len(R.load_checks(chapter))
    sdir = json.dumps(str(released / "student" / chapter))
    blank = [f"import os, otter\nos.chdir({sdir})\ngrader = otter.Notebook({json.dumps(chapter + '.ipynb')})",
             *answers, _run_checks_cell(chapter)]
    instr_path = released / "instructor" / chapter / f"{chapter}.ipynb"
    nb = nbformat.read(instr_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_run_checks_cell(chapter)))
    nb.cells += [nbformat.v4.new_code_cell(s) for s in blank]
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(instr_path.parent)}}).execute()

    def result(cell):
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
        return json.loads(text.split("CHECKS", 1)[1])

    passed = result(nb.cells[-len(blank) - 1])
    failed = result(nb.cells[-1])
    assert passed and all(passed.values()), f"{chapter}: instructor solutions fail checks: {passed}"
    assert not any(failed.values()), f"{chapter}: a blank student answer passes a check: {failed}"


def test_a_whole_student_notebook_runs_and_fails_its_checks(released):
    """The student version runs top to bottom with its placeholders (no removed cell was needed later)."""
    chapter = "primer"
    result = _execute(released / "student" / chapter / f"{chapter}.ipynb", [_run_checks_cell(chapter)])
    assert result and not any(result.values())


