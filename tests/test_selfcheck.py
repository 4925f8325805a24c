"""Self-check questions: the data files, their computed answers, the rendering and the insertion script."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from pathlib import Path

import pytest

from appraisal.course import release, selfcheck

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = release.CHAPTERS


def _script():
    spec = importlib.util.spec_from_file_location("add_selfcheck_cells", ROOT / "scripts" / "add_selfcheck_cells.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_three_to_six_valid_questions(chapter):
    qs = selfcheck.load(chapter)
    assert 3 <= len(qs) <= 6
    assert {q["type"] for q in qs} <= set(selfcheck.TYPES)
    assert all(q["explanation"].strip() for q in qs)


def test_the_quiz_set_mixes_multiple_choice_and_numeric():
    kinds = [q["type"] for c in CHAPTERS for q in selfcheck.load(c)]
    assert kinds.count("numeric") >= 7 and kinds.count("multiple_choice") >= 14


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_computed_answers_are_accepted_and_mistakes_are_not(chapter):
    """The accepted range holds the computed value; no 'common mistake' range overlaps it."""
    for q in selfcheck.load(chapter):
        if q["type"] != "numeric":
            continue
        v = q["value"]
        right = [a for a in q["answers"] if a.get("correct")]
        assert len(right) == 1 and right[0]["range"][0] <= v < right[0]["range"][1], q["question"]
        for a in q["answers"]:
            if "range" in a and not a.get("correct"):
                lo, hi = a["range"]
                assert hi < right[0]["range"][0] or lo > right[0]["range"][1], (
                    f"{chapter}: the mistake range {a['range']} overlaps the right answer {v:.4g}")


def test_numbers_from_the_book_match_the_package():
    """Numeric answers that use the book's numbers agree with the package (the corrected readings)."""
    from appraisal import data, recompute

    def value(ch, needle):
        return next(q["value"] for q in selfcheck.load(ch) if needle in q["question"])

    se_wj = recompute.se_from_ci(data.value("barczewska2020_results", "hr_death_lower"),
                                 data.value("barczewska2020_results", "hr_death_upper"), log=True)
    se_ms = recompute.se_from_ci(data.value("mesems2021_results", "rate_ratio_lower"),
                                 data.value("mesems2021_results", "rate_ratio_upper"), log=True)
    assert value("wharton_jelly_proact", "standard error of the log hazard ratio") == pytest.approx(se_wj)
    assert value("mesems", "standard error of the log rate ratio") == pytest.approx(se_ms)
    assert se_wj > se_ms  # the WJ-MSC interval is the wider one on the log scale (issue 10, correction 2)
    assert value("synthesis", "How many times wider") == pytest.approx(se_wj / se_ms)
    pattern = value("biomarker_preprint", "k = 10")
    assert pattern == pytest.approx(10 * 0.01 * 0.95 ** 9) and pattern < 1 - 0.95 ** 10
    assert max(k * 0.01 * 0.95 ** (k - 1) for k in range(1, 200)) < 0.076  # 'at most about 7.5%'


@pytest.mark.parametrize("broken, message", [
    ([], "3 to 6"),
    ([{"type": "essay", "question": "q", "explanation": "e", "answers": [{}]}] * 3, "type must be"),
    ([{"type": "multiple_choice", "question": "q", "explanation": "e",
       "answers": [{"answer": "a", "correct": True, "feedback": "f"}, {"answer": "b", "correct": True, "feedback": "f"}]}] * 3,
     "exactly one correct"),
    ([{"type": "numeric", "question": "q", "explanation": "e", "compute": "1", "tolerance": 0.1,
       "answers": [{"type": "range", "range": [0, 1], "correct": False, "feedback": "f"}]}] * 3, "default"),
    ([{"type": "numeric", "question": "q", "explanation": "", "compute": "1", "tolerance": 0.1,
       "answers": [{"type": "default", "feedback": "f"}]}] * 3, "explanation"),
])
def test_validation_rejects_broken_quiz_files(broken, message):
    with pytest.raises(ValueError, match=message):
        selfcheck.validate(broken, "test")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_quiz_renders_offline_with_a_pdf_alternative(chapter):
    bundle = selfcheck.show(chapter)._repr_mimebundle_()
    html = bundle["text/html"]
    assert "<script>" in html and "show_questions" in html
    assert not re.search(r"(?:src|href)\s*=\s*['\"]?(?:https?:)?//", html), "the quiz loads something from a network"
    assert "cdn." not in html
    md = bundle["text/markdown"]
    for q in selfcheck.load(chapter):
        assert q["question"] in md
        assert q["explanation"] not in md  # the answers are in the appendix, not next to the questions


def test_the_answer_key_page_covers_every_chapter():
    page = (ROOT / "chapters" / "selfcheck_answers.md").read_text(encoding="utf-8")
    assert sorted(re.findall(r"```\{selfcheck-answers\}\s+(\w+)", page)) == sorted(CHAPTERS)
    for chapter in CHAPTERS:
        key = selfcheck.answer_key_markdown(chapter)
        for q in selfcheck.load(chapter):
            assert q["explanation"] in key


def test_insertion_script_is_idempotent_and_places_the_section(tmp_path):
    mod = _script()
    nb = json.loads((ROOT / "chapters" / "primer.ipynb").read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"] if c.get("metadata", {}).get("coursekit") != "selfcheck"]
    once = mod.refresh(copy.deepcopy(nb), "primer")
    twice = mod.refresh(copy.deepcopy(once), "primer")
    assert once == twice
    src = ["".join(c["source"]) for c in once["cells"]]
    i = next(k for k, s in enumerate(src) if s.startswith("## Self-check"))
    assert 'selfcheck.show("primer")' in src[i + 1] and src[i + 2].startswith("## Key takeaways")
    assert once["cells"][i + 1]["metadata"]["tags"] == ["hide-input"]
    # nothing else changed: removing the inserted cells and re-joining split text gives the original text
    rest = "".join(s for c, s in zip(once["cells"], src) if c["metadata"].get("coursekit") != "selfcheck")
    assert rest.replace("\n", "") == "".join("".join(c["source"]) for c in nb["cells"]).replace("\n", "")


def test_insertion_script_refuses_a_notebook_without_takeaways():
    mod = _script()
    with pytest.raises(ValueError, match="Key takeaways"):
        mod.refresh({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Title"}]}, "primer")


def test_chapter_notebooks_have_current_selfcheck_cells():
    """After a quiz or a chapter changes, `python scripts/add_selfcheck_cells.py` must be re-run."""
    mod = _script()
    stale = []
    for chapter in CHAPTERS:
        path = ROOT / "chapters" / f"{chapter}.ipynb"
        old = path.read_text(encoding="utf-8")
        if mod._dump(mod.refresh(json.loads(old), chapter)) != old:
            stale.append(chapter)
    assert not stale, f"run `python scripts/add_selfcheck_cells.py` (stale or missing self-check cells: {stale})"


def test_the_right_answer_is_not_always_in_the_same_place():
    positions = [[a["correct"] for a in q["answers"]].index(True)
                 for c in CHAPTERS for q in selfcheck.load(c) if q["type"] == "multiple_choice"]
    assert len(set(positions)) >= 3 and max(positions.count(p) for p in set(positions)) < 0.5 * len(positions)
