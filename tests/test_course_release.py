"""The student release: exercises found by their directives, no solution text for students,
instructor solutions that pass every check, and blank student answers that fail them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from appraisal.course import exercises as X
from appraisal.course import release as R

ROOT = Path(__file__).resolve().parents[1]


def _nb(chapter: str) -> dict:
    return json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# the parser, on the chapters and on made-up notebooks
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chapter", R.CHAPTERS)
def test_every_exercise_of_every_chapter_has_its_solution(chapter):
    segments, exercises = X.parse(_nb(chapter))
    assert len(exercises) >= 3
    for label, ex in exercises.items():
        assert ex.prompt.strip(), label
        assert ex.solution_markdown or ex.solution_code, label
    body = "\n".join(s.text for s in segments if s.role == "body")
    assert "{solution" not in body and "{exercise" not in body, "a directive was left in the reading text"


def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text):
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": text}


def test_parser_reads_both_forms_and_is_keyed_on_labels_not_positions():
    nb = {"cells": [
        _md("# T\n\n## Exercises\n\n````{exercise}\n:label: a\nPrompt A with\n```python\ncode\n```\n````\n\n"
            "````{solution} a\n:class: dropdown\nAnswer A.\n````\n\n```{exercise-start}\n:label: b\n```\nPrompt B\n"
            "```{exercise-end}\n```\n\n```{solution-start} b\n:class: dropdown\n```"),
        _code("x = 1"),
        _md("Because x.\n```{solution-end}\n```\n\n## Key takeaways\n\n- one"),
    ]}
    segments, ex = X.parse(nb)
    assert list(ex) == ["a", "b"]
    assert "```python" in ex["a"].prompt and ex["a"].solution_markdown == ["Answer A."]
    assert ex["b"].gated and ex["b"].solution_code == ["x = 1"] and ex["b"].solution_markdown == ["Because x."]
    assert [s.role for s in segments][-1] == "body" and "Key takeaways" in segments[-1].text
    # insert a cell in front: same exercises
    _, ex2 = X.parse({"cells": [_md("New intro."), *nb["cells"]]})
    assert {k: v.solution_code for k, v in ex2.items()} == {k: v.solution_code for k, v in ex.items()}


@pytest.mark.parametrize("cells, message", [
    ([_md("```{solution} nowhere\nx\n```")], "not an exercise"),
    ([_md("```{exercise}\n:label: a\nq\n```")], "without a solution"),
    ([_md("```{exercise-start}\n:label: a\n```\nq\n")], "not closed"),
    ([_md("```{exercise}\n:label: a\nq\n```\n```{exercise}\n:label: a\nq\n```")], "used twice"),
    ([_md("```{solution-end}\n```")], "without an open"),
])
def test_parser_names_what_is_wrong(cells, message):
    with pytest.raises(ValueError, match=message):
        X.parse({"cells": cells})


@pytest.mark.parametrize("chapter", R.CHAPTERS)
def test_checks_are_valid_and_name_real_exercises(chapter):
    checks = R.load_checks(chapter)
    _, exercises = X.parse(_nb(chapter))
    assert set(checks) <= set(exercises)
    assert checks, f"{chapter}: no exercise with automatic checks"


def test_checks_for_an_unknown_label_are_refused():
    with pytest.raises(ValueError, match="not exercise labels"):
        R.master_notebook(_nb("primer"), "primer", {"no-such-label": {"answers": {"x": "1"}, "tests": []}})


# ---------------------------------------------------------------------------------------------
# the generated release
# ---------------------------------------------------------------------------------------------

def _text(nb) -> str:
    parts = []
    for c in nb["cells"]:
        parts.append("".join(c["source"]) if isinstance(c["source"], list) else c["source"])
        for o in c.get("outputs", []):
            parts.append(json.dumps(o))
    return "\n".join(parts)


@pytest.mark.parametrize("chapter", R.CHAPTERS)
def test_release_layout(released, chapter):
    student, instructor = released / "student" / chapter, released / "instructor" / chapter
    assert (student / f"{chapter}.ipynb").is_file() and (instructor / f"{chapter}.ipynb").is_file()
    names = {R.question_name(label) for label in R.load_checks(chapter)}
    assert {p.stem for p in (student / "tests").glob("*.py")} == names
    assert {p.stem for p in (instructor / "tests").glob("*.py")} == names
    assert list(instructor.glob("*autograder*.zip")), "no autograder zip for otter run / otter grade"
    for test in (student / "tests").glob("*.py"):
        assert "hidden=True" not in test.read_text(), f"a hidden test reached the students: {test}"


@pytest.mark.parametrize("chapter", R.CHAPTERS)
def test_no_solution_text_leaks_into_the_student_notebook(released, chapter):
    nb = _nb(chapter)
    segments, exercises = X.parse(nb)
    body = "\n".join(s.text for s in segments if s.role != "solution")
    student = _text(json.loads((released / "student" / chapter / f"{chapter}.ipynb").read_text()))
    instructor = _text(json.loads((released / "instructor" / chapter / f"{chapter}.ipynb").read_text()))
    lines = {ln.strip() for s in segments if s.role == "solution" for ln in s.text.split("\n")}
    lines = {ln for ln in lines if len(ln) >= 20 and ln not in body}
    assert lines, chapter
    leaked = sorted(ln for ln in lines if ln in student)
    assert not leaked, f"solution text in the student notebook of {chapter}: {leaked[:3]}"
    missing = sorted(ln for ln in lines if ln not in instructor)
    assert not missing, f"solution text missing from the instructor notebook of {chapter}: {missing[:3]}"
    for entry in R.load_checks(chapter).values():
        for name, expr in entry["answers"].items():
            assert f"{name} = ..." in student
            # the model answer may appear only where the chapter's own text (not a solution) has it
            assert expr not in student or expr in body, f"{chapter}: the answer to {name} leaks into the student notebook"
    for label in exercises:  # every exercise is still there for the student
        assert f"(`{label}`)" in student


def test_release_script_builds_into_the_folder(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_release.py"), "--out", str(tmp_path),
                           "primer"], capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "student" / "primer" / "primer.ipynb").is_file()
    assert (tmp_path / "instructor" / "primer" / "primer.ipynb").is_file()
    assert (tmp_path / "README.md").is_file()
