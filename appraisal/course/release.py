"""Student and instructor notebooks from the chapter notebooks, with otter-grader checks.

Why `otter-grader <https://otter-grader.readthedocs.io/>`_ (and not nbgrader): its student
notebooks check themselves with ``grader.check("name")`` in any plain Jupyter kernel (a laptop,
Binder, a JupyterHub, Colab) and need no hub service, course database or exchange folder;
grading a class later is one command (``otter grade``, or ``otter run`` without Docker).

For each chapter, :func:`master_notebook` turns the chapter into an *otter assign* source
notebook: every exercise found by :mod:`appraisal.course.exercises` becomes a question. An
exercise with an entry in ``chapters/checks/<chapter>.yml`` (the answer is code or a number)
gets a code cell the student fills in (``name = ...``) and tests with a failure message that
teaches; every other exercise becomes a written answer whose model answer stays in the
instructor version. :func:`build` then runs ``otter assign`` and lays the result out as::

    OUT/student/<chapter>/<chapter>.ipynb + tests/         (public checks only)
    OUT/instructor/<chapter>/<chapter>.ipynb + tests/      (solutions, public and hidden checks)
    OUT/instructor/<chapter>/autograder.zip                (for ``otter run`` / ``otter grade``)
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import shutil
import tempfile
from pathlib import Path

import yaml

from . import exercises as X

ROOT = Path(__file__).resolve().parents[2]
CHECKS_DIR = ROOT / "chapters" / "checks"
#: the chapter notebooks that get a student version (the order of the book)
CHAPTERS = ("primer", "wharton_jelly_proact", "repeated_intrathecal", "biomarker_preprint", "mesems",
            "rationale_dfpp", "synthesis")
#: metadata flag on the code cells copied from the chapter's reading text (not from an exercise)
BODY = "coursekit_body"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def question_name(label: str) -> str:
    """An exercise label (``bp-ex-count``) as an otter question name (``bp_ex_count``)."""
    name = re.sub(r"\W", "_", label)
    if not _NAME.match(name):
        raise ValueError(f"label {label!r} does not give a valid question name ({name!r})")
    return name


def load_checks(chapter: str, directory: Path | None = None) -> dict:
    """The checks of one chapter (``chapters/checks/<chapter>.yml``), validated; {} if none."""
    path = Path(directory or CHECKS_DIR) / f"{chapter}.yml"
    if not path.exists():
        return {}
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(spec, dict):
        raise ValueError(f"{path}: expected a mapping of exercise labels, got {type(spec).__name__}")
    for label, entry in spec.items():
        where = f"{path.name}: {label}"
        if not isinstance(entry, dict) or set(entry) - {"answers", "tests"}:
            raise ValueError(f"{where}: needs 'answers' and 'tests' only, got {entry!r:.80}")
        answers, tests = entry.get("answers"), entry.get("tests")
        if not isinstance(answers, dict) or not answers:
            raise ValueError(f"{where}: 'answers' must map answer names to solution expressions")
        for name, expr in answers.items():
            if not _NAME.match(str(name)):
                raise ValueError(f"{where}: answer name {name!r} is not a Python name")
            if not isinstance(expr, str):
                raise ValueError(f"{where}: the solution of {name!r} must be a Python expression as a string "
                                 f"(quote it in YAML), got {type(expr).__name__}")
            compile(expr, f"{where}: {name}", "eval")
        if not isinstance(tests, list) or not tests:
            raise ValueError(f"{where}: 'tests' must be a non-empty list")
        for i, t in enumerate(tests):
            if not isinstance(t, dict) or "code" not in t or "failure_message" not in t:
                raise ValueError(f"{where}: test {i} needs 'code' and 'failure_message'")
            msg = str(t["failure_message"])
            if '"' in msg or "\n" in msg.strip():
                raise ValueError(f"{where}: test {i}: failure_message must be one line without double quotes")
            extra = set(t) - {"code", "failure_message", "args", "hidden", "points"}
            if extra:
                raise ValueError(f"{where}: test {i}: unknown keys {sorted(extra)} "
                                 "(allowed: code, failure_message, args, hidden, points)")
            compile(t["code"], f"{where} test {i}", "exec")
    return spec


def _raw(text: str) -> dict:
    return {"cell_type": "raw", "metadata": {}, "source": text}


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str, tags: list[str] | None = None) -> dict:
    meta = {"tags": tags} if tags else {}
    return {"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [], "source": text}


def _test_cell(qname: str, i: int, test: dict, answers: dict) -> dict:
    args = test.get("args") or list(answers)
    body = "\n".join("    " + ln if ln.strip() else "" for ln in test["code"].rstrip().split("\n"))
    config = {"failure_message": str(test["failure_message"]).strip(),
              "hidden": bool(test.get("hidden", False)), "points": test.get("points", 1)}
    fn = f"test_{qname}_{i}"
    src = ('""" # BEGIN TEST CONFIG\n' + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
           + '""" # END TEST CONFIG\n'
           + f"def {fn}({', '.join(args)}):\n{body}\n{fn}({', '.join(args)})")
    return _code(src)


def _assignment_config(chapter: str) -> str:
    config = {
        "name": chapter,
        "init_cell": True,
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": False,          # the repository's tests execute both versions instead
        "generate": True,            # autograder.zip for `otter run` / `otter grade`
        "tests": {"files": True, "ok_format": False},
    }
    return "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)


def master_notebook(nb: dict, chapter: str, checks: dict | None = None) -> dict:
    """The chapter as an otter-assign source notebook (outputs cleared, exercises as questions)."""
    checks = load_checks(chapter) if checks is None else checks
    segments, exercises = X.parse(nb)
    unknown = sorted(set(checks) - set(exercises))
    if unknown:
        raise ValueError(f"chapters/checks/{chapter}.yml has checks for {unknown}, which are not exercise "
                         f"labels of chapters/{chapter}.ipynb (labels: {list(exercises)})")
    cells = [_raw(_assignment_config(chapter)),
             _md(f"*Student version of the chapter notebook `{chapter}.ipynb`, made by `scripts/release`. "
                 "Run the cells from the top (Run → Run All Cells), then work through the exercises at the end. "
                 "Cells with `grader.check(...)` tell you whether your answer is right and, if not, what to "
                 "look at again. Written answers go in the cells marked for them.*")]
    number = 0
    for pos, seg in enumerate(segments):
        if seg.role == "body":
            if seg.kind == "code":
                cell = copy.deepcopy(seg.cell)
                cell["outputs"], cell["execution_count"] = [], None
                cell.setdefault("metadata", {}).pop("execution", None)
                cell["metadata"][BODY] = True  # a cell of the reading text: the same in both versions
                cells.append(cell)
            else:
                cells.append(_md(seg.text))
            continue
        ex = exercises[seg.label]
        if seg.role == "exercise":
            if seg.kind == "code":
                raise ValueError(f"{chapter}: a code cell inside the prompt of {ex.label!r}")
            first = pos == 0 or segments[pos - 1].label != ex.label or segments[pos - 1].role != "exercise"
            if not first:
                continue  # the prompt was written whole at its first segment
            number += 1
            entry = checks.get(ex.label)
            head = f"# BEGIN QUESTION\nname: {question_name(ex.label)}\n"
            head += (f"points: {sum(t.get('points', 1) for t in entry['tests'])}\n" if entry else "manual: true\npoints: 1\n")
            cells.append(_raw(head))
            cells.append(_md(f"**Exercise {number}** (`{ex.label}`)\n\n{ex.prompt}"))
            continue
        # solution segments: write the whole solution at its first segment
        first = segments[pos - 1].label != ex.label or segments[pos - 1].role != "solution"
        if not first:
            continue
        entry = checks.get(ex.label)
        cells.append(_raw("# BEGIN SOLUTION"))
        own = [s for s in segments if s.role == "solution" and s.label == ex.label]
        code_parts = [s.text for s in own if s.kind == "code"]
        if entry:
            lines = ["# Your code here: compute the answer, then set the name(s) below."]
            if code_parts:
                lines += ["# BEGIN SOLUTION NO PROMPT", *"\n\n".join(code_parts).split("\n"), "# END SOLUTION"]
            lines += [f"{name} = {expr}  # SOLUTION" for name, expr in entry["answers"].items()]
            cells.append(_code("\n".join(lines)))
            md = [s.text for s in own if s.kind == "markdown"]
            if md:
                cells.append(_md("**Model answer.** " + "\n\n".join(md)))
        else:
            for s in own:
                if s.kind == "code":
                    cells.append(_code("# Your code here (then write your answer below).\n"
                                       "# BEGIN SOLUTION NO PROMPT\n" + s.text + "\n# END SOLUTION"))
                else:
                    cells.append(_md("**Model answer.** " + s.text))
        cells.append(_raw("# END SOLUTION"))
        if entry:
            cells.append(_raw("# BEGIN TESTS"))
            cells += [_test_cell(question_name(ex.label), i, t, entry["answers"]) for i, t in enumerate(entry["tests"])]
            cells.append(_raw("# END TESTS"))
        cells.append(_raw("# END QUESTION"))
        if entry and any(s.kind == "markdown" for s in own):
            cells.append(_md(f"*Your explanation for exercise {number} (not checked automatically; your "
                             "instructor has a model answer):*\n\n_Type your answer here, replacing this text._"))
    seen: set[str] = set()
    for i, cell in enumerate(cells):  # nbformat 4.5 cell ids, unique
        if not cell.get("id") or cell["id"] in seen:
            cell["id"] = f"coursekit-{i}"
        seen.add(cell["id"])
    out = {"cells": cells, "metadata": copy.deepcopy(nb.get("metadata", {})), "nbformat": 4, "nbformat_minor": 5}
    out["metadata"].setdefault("kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"})
    return out


def _otter_assign(master: Path, dest: Path) -> None:
    """``otter assign --no-pdfs --no-run-tests MASTER DEST``, in this process (otter's imports are slow)."""
    from otter.assign import main as assign

    with contextlib.chdir(master.parent):
        try:
            assign(str(master), str(dest), no_pdfs=True, no_run_tests=True)
        except Exception as err:  # noqa: BLE001 - re-raised with the notebook's name
            raise RuntimeError(f"otter assign failed for {master.name}: {err}") from err


def build(out: Path | str, chapters=CHAPTERS, chapters_dir: Path | None = None) -> dict[str, dict[str, Path]]:
    """Write the student and instructor releases of ``chapters`` under ``out``; return their paths."""
    out = Path(out)
    src = Path(chapters_dir or ROOT / "chapters")
    written: dict[str, dict[str, Path]] = {}
    for kind in ("student", "instructor"):
        shutil.rmtree(out / kind, ignore_errors=True)
    for chapter in chapters:
        if chapter not in CHAPTERS:
            raise ValueError(f"chapter {chapter!r} is not one of {CHAPTERS}")
        nb = json.loads((src / f"{chapter}.ipynb").read_text(encoding="utf-8"))
        master = master_notebook(nb, chapter)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / f"{chapter}.ipynb").write_text(json.dumps(master, indent=1, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
            _otter_assign(tmp / f"{chapter}.ipynb", tmp / "dist")
            student, instructor = out / "student" / chapter, out / "instructor" / chapter
            shutil.copytree(tmp / "dist" / "student", student)
            shutil.copytree(tmp / "dist" / "autograder", instructor)
            shutil.copy(tmp / f"{chapter}.ipynb", instructor / f"{chapter}-otter-source.ipynb")
        written[chapter] = {"student": student / f"{chapter}.ipynb", "instructor": instructor / f"{chapter}.ipynb"}
    return written
