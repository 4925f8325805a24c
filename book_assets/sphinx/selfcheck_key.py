"""Sphinx directive ``selfcheck-answers``: a chapter's self-check answers, generated from its quiz file.

    ```{selfcheck-answers} primer
    ```

renders every question of ``chapters/quizzes/primer.json`` with its answer (numeric answers
computed from ``data/`` by :mod:`appraisal.course.selfcheck`) and its explanation, in every
builder (HTML and the PDF). The page that uses it is ``chapters/selfcheck_answers.md``.
"""

from __future__ import annotations

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


class SelfCheckAnswers(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self):
        from appraisal.course import selfcheck

        chapter = self.arguments[0]
        try:
            text = selfcheck.answer_key_markdown(chapter)
        except ValueError as err:
            raise self.error(f"selfcheck-answers {chapter}: {err}") from err
        self.env.note_dependency(str(selfcheck.path(chapter)))
        container = nodes.container(classes=["selfcheck-answers"])
        self.state.nested_parse(StringList(text.splitlines(), source=str(selfcheck.path(chapter))),
                                self.content_offset, container)
        return [container]


def setup(app):
    app.add_directive("selfcheck-answers", SelfCheckAnswers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
