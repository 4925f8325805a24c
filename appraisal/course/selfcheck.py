"""Self-check questions: stored as data, shown in the page with instant feedback, listed in the PDF.

Each chapter's questions live in ``chapters/quizzes/<chapter>.json``: a list in the format of
`jupyterquiz <https://github.com/jmshea/jupyterquiz>`_ (``multiple_choice`` with ``answers`` of
``answer``/``correct``/``feedback``; ``numeric`` with ``range`` answers and a ``default``
feedback), plus two fields of this book:

* ``explanation`` (every question): why the right answer is right; printed in the answer key.
* ``compute`` and ``tolerance`` (numeric questions): the right answer as a Python expression
  evaluated with the book's package (names: ``appraisal``, ``data``, ``recompute``, ``mt``
  (multiple_testing), ``ppv``, ``sample_size``, ``scipy``, ``math``), so a number taken from
  ``data/`` is never retyped. The accepted range is value ± tolerance. Wrong-answer ranges
  listed under ``answers`` give feedback on common mistakes.

:func:`show` renders a chapter's questions with jupyterquiz's own JavaScript, inlined in the
output (nothing is loaded from a network, so the static HTML works offline and with no kernel),
with a ``text/markdown`` alternative that lists the questions for the PDF. The answers with
their explanations are printed by :func:`answer_key_markdown` (the book's answer-key page).
"""

from __future__ import annotations

import html
import json
import math
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUIZ_DIR = ROOT / "chapters" / "quizzes"
TYPES = ("multiple_choice", "numeric")
_CDN_MATHJAX = "script.src = 'https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js';"
#: jupyterquiz's default palette (its display_quiz defines it inside the function)
COLOURS = {
    "--jq-multiple-choice-bg": "#392061", "--jq-mc-button-bg": "#fafafa", "--jq-mc-button-border": "#e0e0e0e0",
    "--jq-mc-button-inset-shadow": "#555555", "--jq-many-choice-bg": "#f75c03ff", "--jq-numeric-bg": "#392061ff",
    "--jq-numeric-input-bg": "#c0c0c0", "--jq-numeric-input-label": "#101010", "--jq-numeric-input-shadow": "#999999",
    "--jq-string-bg": "#4c1a57", "--jq-incorrect-color": "#c80202", "--jq-correct-color": "#009113",
    "--jq-text-color": "#fafafa", "--jq-link-color": "#9abafa",
}
_EXTRA = ("explanation", "compute", "tolerance", "unit")


def _namespace() -> dict:
    import scipy.stats  # noqa: F401  (exposed as scipy.stats)
    import scipy

    import appraisal
    from appraisal import data, multiple_testing, ppv, recompute, sample_size
    return {"appraisal": appraisal, "data": data, "recompute": recompute, "mt": multiple_testing, "ppv": ppv,
            "sample_size": sample_size, "scipy": scipy, "math": math, "__builtins__": {"int": int, "float": float,
                                                                                        "abs": abs, "round": round}}


def path(chapter: str, directory: Path | str | None = None) -> Path:
    return Path(directory or QUIZ_DIR) / f"{chapter}.json"


def validate(questions, where: str = "questions") -> None:
    """Raise ``ValueError`` naming the question and field when a quiz file is malformed."""
    if not isinstance(questions, list) or not 3 <= len(questions) <= 6:
        raise ValueError(f"{where}: expected a list of 3 to 6 questions, got "
                         f"{len(questions) if isinstance(questions, list) else type(questions).__name__}")
    for i, q in enumerate(questions, 1):
        w = f"{where}, question {i}"
        if not isinstance(q, dict):
            raise ValueError(f"{w}: expected an object, got {type(q).__name__}")
        if q.get("type") not in TYPES:
            raise ValueError(f"{w}: type must be one of {TYPES}, got {q.get('type')!r}")
        for key in ("question", "explanation"):
            if not isinstance(q.get(key), str) or not q[key].strip():
                raise ValueError(f"{w}: needs a non-empty {key!r}")
        answers = q.get("answers")
        if not isinstance(answers, list) or not answers:
            raise ValueError(f"{w}: needs a list of 'answers'")
        if q["type"] == "multiple_choice":
            if len(answers) < 2 or sum(bool(a.get("correct")) for a in answers) != 1:
                raise ValueError(f"{w}: a multiple-choice question needs at least two answers, exactly one correct")
            for a in answers:
                if not a.get("answer") or not a.get("feedback"):
                    raise ValueError(f"{w}: every answer needs 'answer' and 'feedback' (the explanation the reader sees)")
        else:
            if "compute" in q:
                tol = q.get("tolerance")
                if not isinstance(tol, (int, float)) or tol <= 0:
                    raise ValueError(f"{w}: 'compute' needs a positive 'tolerance', got {tol!r}")
                compile(q["compute"], w, "eval")
            elif not any(a.get("correct") and "range" in a for a in answers):
                raise ValueError(f"{w}: a numeric question needs 'compute' or a correct 'range' answer")
            if not any(a.get("type") == "default" and a.get("feedback") for a in answers):
                raise ValueError(f"{w}: a numeric question needs a 'default' answer with feedback")
            for a in answers:
                if "range" in a and (len(a["range"]) != 2 or not a["range"][0] < a["range"][1]):
                    raise ValueError(f"{w}: a range must be [low, high] with low < high, got {a['range']!r}")


def correct_value(q: dict) -> float | None:
    """The right answer of a numeric question (computed when it has ``compute``)."""
    if q.get("type") != "numeric":
        return None
    if "compute" in q:
        return float(eval(q["compute"], _namespace()))  # noqa: S307 - instructors' own data
    lo, hi = next(a["range"] for a in q["answers"] if a.get("correct") and "range" in a)
    return (lo + hi) / 2


def load(chapter: str, directory: Path | str | None = None) -> list[dict]:
    """A chapter's questions, validated, numeric answers computed: jupyterquiz's format + extras."""
    p = path(chapter, directory)
    if not p.exists():
        raise ValueError(f"chapter {chapter!r} has no quiz file {p}")
    questions = json.loads(p.read_text(encoding="utf-8"))
    validate(questions, str(p.name))
    out, n_mc = [], 0
    for q in questions:
        q = json.loads(json.dumps(q))
        if q["type"] == "numeric" and "compute" in q:
            v, tol = correct_value(q), q["tolerance"]
            q["value"] = v
            q["answers"].insert(0, {"type": "range", "range": [v - tol, v + tol], "correct": True,
                                    "feedback": "Correct. " + q["explanation"]})
        elif q["type"] == "numeric":
            q["value"] = correct_value(q)
        else:  # a fixed order (the same in the page, the PDF and the key) that moves the right answer around
            right = next(a for a in q["answers"] if a["correct"])
            others = [a for a in q["answers"] if a is not right]
            pos = (n_mc + zlib.crc32(chapter.encode("utf-8"))) % len(q["answers"])
            q["answers"] = others[:pos] + [right] + others[pos:]
            n_mc += 1
        out.append(q)
    return out


def _for_jupyterquiz(q: dict) -> dict:
    return {k: v for k, v in q.items() if k not in _EXTRA + ("value",)}


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def questions_markdown(chapter: str, directory=None) -> str:
    """The questions (without answers) as Markdown: the PDF's view of the quiz."""
    lines = []
    for i, q in enumerate(load(chapter, directory), 1):
        lines.append(f"{i}. {q['question']}")
        if q["type"] == "multiple_choice":
            for letter, a in zip("abcdefgh", q["answers"]):
                lines.append(f"   - ({letter}) {a['answer']}")
        else:
            lines.append(f"   - Answer with a number{', in ' + q['unit'] if q.get('unit') else ''}.")
        lines.append("")
    return "\n".join(lines)


def answer_key_markdown(chapter: str, directory=None) -> str:
    """Each question with its answer and explanation, as Markdown (the answer-key page)."""
    lines = []
    for i, q in enumerate(load(chapter, directory), 1):
        lines.append(f"{i}. {q['question']}")
        lines.append("")
        if q["type"] == "multiple_choice":
            letter, a = next((ltr, a) for ltr, a in zip("abcdefgh", q["answers"]) if a["correct"])
            lines.append(f"   **Answer ({letter}):** {a['answer']}")
        else:
            tol = q.get("tolerance")
            unit = f" {q['unit']}" if q.get("unit") else ""
            extra = f" (accepted within ±{_fmt(tol)})" if tol else ""
            lines.append(f"   **Answer:** {_fmt(q['value'])}{unit}{extra}")
        lines.append("")
        lines.append(f"   {q['explanation']}")
        lines.append("")
    return "\n".join(lines)


def quiz_html(chapter: str, directory=None) -> str:
    """The quiz as one HTML fragment: container, styles and jupyterquiz's script, all inline."""
    from jupyterquiz.dynamic.renderer import build_script, build_styles, render_div

    div_id = "selfcheck_" + "".join(c if c.isalnum() else "_" for c in chapter)
    questions = [_for_jupyterquiz(q) for q in load(chapter, directory)]
    prefix = (f"var questions{div_id}=" + json.dumps(questions, ensure_ascii=False)
              + ";\n\nif (typeof Question === 'undefined') {\n")
    div = render_div(div_id, False, False, False, 1_000_000, 700, 10, "left") + "</div>"
    styles = build_styles(div_id, COLOURS)
    script = build_script(prefix, True, "", div_id, True)
    # jupyterquiz falls back to loading MathJax from a CDN when a page's MathJax is not ready;
    # the book reads offline (its own MathJax typesets the page), so that fallback is cut out.
    script = script.replace(_CDN_MATHJAX, "return; // book: no MathJax from a network")
    if "http://" in script or "https://" in script:
        raise RuntimeError("the jupyterquiz script would load something from a network; update quiz_html")
    return (f'<div class="selfcheck" data-chapter="{html.escape(chapter)}">{div}{styles}'
            f"<script>\n{script}\n</script></div>")


class SelfCheck:
    """A displayable quiz: HTML (interactive) for pages and notebooks, Markdown for the PDF."""

    def __init__(self, chapter: str, directory=None):
        self.chapter, self.directory = chapter, directory
        load(chapter, directory)  # fail early on a bad file

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": quiz_html(self.chapter, self.directory),
                "text/markdown": questions_markdown(self.chapter, self.directory),
                "text/plain": f"Self-check questions for {self.chapter} (interactive in the web book and "
                              "in Jupyter; listed in the PDF)."}


def show(chapter: str, directory=None) -> SelfCheck:
    """The chapter's self-check quiz as the value of a notebook cell: ``selfcheck.show("primer")``."""
    return SelfCheck(chapter, directory)
