"""Find the exercises and solutions of a chapter notebook by their sphinx-exercise directives.

The chapters write exercises with `sphinx-exercise <https://ebp-sphinx-exercise.readthedocs.io/>`_
in two forms, both with three or four backticks (or colons):

* plain: ````` ```{exercise} ````` … ````` ``` ````` and ````` ```{solution} LABEL ````` … (markdown only);
* gated: ````` ```{exercise-start} ````` … ````` ```{exercise-end} ````` and
  ````` ```{solution-start} LABEL ````` … ````` ```{solution-end} `````, which may span several cells,
  so that code cells sit inside a solution.

:func:`parse` walks the cells line by line with that grammar and returns the notebook as an
ordered list of :class:`Segment` objects (reading text, exercise prompt, solution content), each
tagged with its exercise label. It never looks at cell positions, so it keeps working when the
chapters' prose changes; a directive it cannot pair (a solution without its exercise, an
exercise with no solution, an unclosed block) raises ``ValueError`` naming the label and cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KINDS = ("exercise", "solution", "exercise-start", "exercise-end", "solution-start", "solution-end")
_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<kind>" + "|".join(re.escape(k) for k in
                   sorted(KINDS, key=len, reverse=True)) + r")\}\s*(?P<arg>.*?)\s*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")


@dataclass
class Segment:
    """A run of notebook content with one role.

    ``role`` is ``"body"`` (reading text and code outside any exercise), ``"exercise"`` (the
    prompt) or ``"solution"``; ``kind`` is ``"markdown"`` or ``"code"``; ``text`` the markdown
    (directive lines removed) or the code cell's source; ``cell`` the original code cell.
    """

    role: str
    kind: str
    text: str
    label: str | None = None
    cell: dict | None = None
    cell_index: int = -1


@dataclass
class Exercise:
    label: str
    prompt: str = ""
    gated: bool = False
    solution_markdown: list[str] = field(default_factory=list)
    solution_code: list[str] = field(default_factory=list)
    has_solution: bool = False


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _close(fence: str) -> re.Pattern:
    return re.compile(r"^" + re.escape(fence) + r"\s*$")


def parse(nb: dict) -> tuple[list[Segment], dict[str, Exercise]]:
    """The notebook as ordered segments, and its exercises by label (in order of appearance)."""
    if not isinstance(nb, dict) or "cells" not in nb:
        raise ValueError(f"nb must be a notebook dict with 'cells', got {type(nb).__name__}")
    segments: list[Segment] = []
    exercises: dict[str, Exercise] = {}
    # state: role and label of the open region; for a directive header, the fence to close it
    role, label = "body", None
    header: dict | None = None          # {'kind', 'fence', 'arg', 'options', 'cell'} while reading options
    block_fence: str | None = None      # plain {exercise}/{solution}: the fence that closes it
    buf: list[str] = []

    def flush(idx: int):
        nonlocal buf
        text = "\n".join(buf).strip("\n")
        if text.strip():
            if segments and segments[-1].kind == "markdown" and segments[-1].role == role \
                    and segments[-1].label == label and segments[-1].cell_index == idx:
                segments[-1].text += "\n" + text
            else:
                segments.append(Segment(role, "markdown", text, label, None, idx))
        buf = []

    def start_region(kind: str, arg: str, options: dict, idx: int):
        nonlocal role, label
        if kind in ("exercise", "exercise-start"):
            lab = options.get("label") or arg
            if not lab:
                raise ValueError(f"cell {idx}: an {{{kind}}} directive without a :label:")
            if lab in exercises:
                raise ValueError(f"cell {idx}: exercise label {lab!r} is used twice")
            exercises[lab] = Exercise(lab, gated=kind.endswith("-start"))
            role, label = "exercise", lab
        else:  # solution / solution-start: the argument names the exercise
            lab = arg.split()[0] if arg else ""
            if lab not in exercises:
                raise ValueError(f"cell {idx}: {{{kind}}} for {lab!r}, which is not an exercise above it "
                                 f"(exercises so far: {sorted(exercises)})")
            if exercises[lab].has_solution:
                raise ValueError(f"cell {idx}: a second solution for {lab!r}")
            exercises[lab].has_solution = True
            role, label = "solution", lab

    for idx, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") == "code":
            if header is not None or block_fence is not None:
                raise ValueError(f"cell {idx}: a code cell inside an unclosed directive ({label!r})")
            flush(idx - 1)
            segments.append(Segment(role, "code", _source(cell), label, cell, idx))
            if role == "solution":
                exercises[label].solution_code.append(_source(cell))
            continue
        if cell.get("cell_type") != "markdown":
            continue
        for line in _source(cell).split("\n"):
            if header is not None:  # reading the options of a directive header
                m = _OPTION.match(line)
                if m:
                    header["options"][m["key"]] = m["value"]
                    continue
                if header["kind"] in ("exercise", "solution"):
                    # plain block: the options are over; the body starts here
                    start_region(header["kind"], header["arg"], header["options"], idx)
                    block_fence, header = header["fence"], None
                    if _close(block_fence).match(line):
                        role, label, block_fence = "body", None, None
                    elif line.strip():
                        buf.append(line)
                    continue
                if not line.strip():
                    continue
                if _close(header["fence"]).match(line):
                    kind = header["kind"]
                    if kind in ("exercise-start", "solution-start"):
                        start_region(kind, header["arg"], header["options"], idx)
                    header = None
                    continue
                raise ValueError(f"cell {idx}: unexpected line inside the {{{header['kind']}}} marker: {line!r}")
            if block_fence is not None:  # inside a plain {exercise} or {solution}
                if _close(block_fence).match(line):
                    flush(idx)
                    role, label, block_fence = "body", None, None
                else:
                    buf.append(line)
                continue
            m = _OPEN.match(line)
            if not m:
                buf.append(line)
                continue
            kind = m["kind"]
            flush(idx)
            if kind in ("exercise-end", "solution-end"):
                want = "exercise" if kind == "exercise-end" else "solution"
                if role != want:
                    raise ValueError(f"cell {idx}: {{{kind}}} without an open {{{want}-start}} (open: {role}, {label!r})")
                role, label = "body", None
            elif role != "body":
                raise ValueError(f"cell {idx}: {{{kind}}} opened inside the {role} of {label!r}")
            header = {"kind": kind, "fence": m["fence"], "arg": m["arg"], "options": {}}
        flush(idx)
    if header is not None or block_fence is not None or role != "body":
        raise ValueError(f"the notebook ends inside the {role} of {label!r}: a directive is not closed")
    for seg in segments:
        if seg.kind != "markdown":
            continue
        if seg.role == "exercise":
            ex = exercises[seg.label]
            ex.prompt = (ex.prompt + "\n\n" + seg.text).strip()
        elif seg.role == "solution":
            exercises[seg.label].solution_markdown.append(seg.text)
    missing = [lab for lab, ex in exercises.items() if not ex.has_solution]
    if missing:
        raise ValueError(f"exercises without a solution: {missing}")
    return segments, exercises


def solution_text(nb: dict) -> list[str]:
    """Every line of solution content (markdown and code) in the notebook, stripped, non-empty."""
    segments, _ = parse(nb)
    return [ln.strip() for s in segments if s.role == "solution" for ln in s.text.split("\n") if ln.strip()]
