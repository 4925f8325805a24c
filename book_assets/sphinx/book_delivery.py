"""Sphinx extension of the book's delivery layer: what a live widget becomes off-line.

A live ipywidgets panel (``appraisal.widgets.build``) is saved in a notebook as a
widget-view output plus a ``text/plain`` repr such as ``VBox(children=(HTML(...``.

* In the **PDF** no widget can run, and Sphinx would print that repr verbatim: a line
  of code-like noise in the middle of a chapter. This extension replaces it with a
  short sentence that points to the static view just above and to "Running it live".
* In the **HTML** the saved state renders (the controls and the last output appear),
  but moving a control does nothing without a kernel. The extension adds a one-line
  note under every widget saying so, with a link to "Running it live".

Tables in the PDF: ``appraisal.plots.table`` gives every table a ``text/latex`` repr
(an ``xltabular``: a longtable with tabularx columns, so it breaks across pages), but
myst-nb renders any ``text/latex`` output as a *math* block, which
breaks xelatex ("Missing $ inserted") or, with ``text/latex`` switched off, prints the
table as wrapped plain text. Here a ``text/latex`` output that is a table (it begins a
``center``/``tabular*``/``table`` environment) is passed to LaTeX as it is; real math
stays math.

Hidden outputs on paper: an output hidden behind a "Show output" button in HTML (tag
``hide-output``/``hide-cell``) is printed in the PDF, which has no button (sphinx-jupyterbook-latex
would drop it).

Two small fixes of the HTML theme stack (Jupyter Book 1.0.4, sphinx-book-theme 1.x):

* sphinx-thebe's inline configuration script (``const THEBE_JS_URL = ...``) is added
  twice to every page, and the second copy throws "Identifier 'THEBE_JS_URL' has
  already been declared". Duplicate scripts are dropped from each page.
* pydata-sphinx-theme logs "Got invalid theme mode" on every first visit because no
  default colour mode is set; the book sets ``light`` (the figures are drawn on white).

Accessibility: every page loads ``a11y.js`` and ``a11y.css`` (book_assets/web/): small fixes
of the theme's buttons, the bibliography list, the saved widget sliders and the link contrast
on tinted boxes that axe-core finds (WCAG 2.1 AA; scripts/a11y_audit.py, tests/test_book.py).

Loaded through ``sphinx.local_extensions`` in ``_config.yml``. Tests: tests/test_book.py
(the PDF must not contain a widget repr; every widget page links to running_live).
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

#: ``text/plain`` reprs of ipywidgets containers/controls, as saved in a notebook output.
WIDGET_REPR = re.compile(
    r"^\s*(VBox|HBox|GridBox|Box|interactive|Output|Tab|Accordion|Stack|IntSlider|FloatSlider|"
    r"Dropdown|Button|Checkbox|ToggleButtons|SelectionSlider|IntRangeSlider|FloatRangeSlider)\("
)
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
LIVE_PAGE = "chapters/running_live"

PAPER_TEXT = (
    "[Interactive panel: in the web book and in a live notebook, controls appear here. "
    "On paper, read the static view (the table and figure over preset values) just above; "
    "to move the controls yourself, open the chapter's live explorers in a web browser (the web "
    "book's \u201cOpen the live explorers\u201d button; they run in the browser, with no server) or the "
    "notebook with a Python kernel, as the appendix \u201cRunning it live\u201d explains.]"
)
HTML_NOTE = ("Saved view: the controls above respond in a live notebook. The button \u201cOpen the live "
             "explorers of this chapter\u201d (above) runs them in your browser, with nothing to install. ")


def _is_output_text(node: nodes.literal_block) -> bool:
    """True for a cell's plain-text output (myst-nb marks it with the class ``output``)."""
    return "output" in node.get("classes", [])


class WidgetReprForPaper(SphinxPostTransform):
    """LaTeX: replace a saved widget's text repr with a sentence about the static view."""

    default_priority = 5
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(nodes.literal_block)):
            if WIDGET_REPR.match(node.astext()) and _is_output_text(node):
                para = nodes.paragraph(classes=["widget-on-paper"])
                para += nodes.emphasis(text=PAPER_TEXT)
                node.replace_self(para)


TABLE_LATEX = re.compile(r"^\s*(\\begin\{(center|tabular|tabularx|tabulary|longtable|xltabular|table)\}|\\small|"
                         r"\\begingroup\\small\s*\\begin\{xltabular\})")


class LatexTablesAsLatex(SphinxPostTransform):
    """LaTeX: a text/latex output that is a table goes to LaTeX verbatim, not as math."""

    default_priority = 5
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(nodes.math_block)):
            if "text_latex" in node.get("classes", []) and TABLE_LATEX.match(node.astext()):
                node.replace_self(nodes.raw("", node.astext(), format="latex"))


class HiddenOutputsOnPaper(SphinxPostTransform):
    """LaTeX: an output hidden behind "Show output" in HTML is printed in the PDF.

    sphinx-jupyterbook-latex drops every output of a cell tagged ``hide-output`` (and the
    whole of a ``hide-cell``) from the PDF, so a table the web reader opens with a click
    is simply missing on paper. Here such a cell keeps its output (its code stays hidden,
    as for ``hide-input``). Runs before that transform (priority 400).
    """

    default_priority = 350
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(nodes.container)):
            classes = node.get("classes", [])
            for tag in ("tag_hide-output", "tag_hide-cell"):
                if tag in classes:
                    classes.remove(tag)
                    if "tag_hide-input" not in classes:
                        classes.append("tag_hide-input")


class WidgetLiveNote(SphinxPostTransform):
    """HTML: add a one-line "needs a kernel" note with a link under every saved widget view."""

    default_priority = 5
    formats = ("html",)

    def run(self, **kwargs) -> None:
        docname = self.env.path2doc(self.document["source"]) or ""
        for node in list(self.document.findall(nodes.raw)):
            if node.get("format") != "html" or WIDGET_VIEW_MIME not in node.astext():
                continue
            para = nodes.paragraph(classes=["widget-live-note"])
            para += nodes.emphasis(text=HTML_NOTE)
            if docname and docname != LIVE_PAGE and LIVE_PAGE in self.env.all_docs:
                uri = self.app.builder.get_relative_uri(docname, LIVE_PAGE)
                para += nodes.reference("", "How to run it live.", refuri=uri, internal=True)
            # after the output block that holds the widget view (or after the raw node itself)
            anchor = node
            while anchor.parent is not None and "cell_output" not in anchor.parent.get("classes", []) \
                    and not isinstance(anchor.parent, nodes.document):
                anchor = anchor.parent
            anchor.parent.insert(anchor.parent.index(anchor) + 1, para)


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in sorted(scripts, key=lambda js: getattr(js, "priority", 500)):
        key = (str(getattr(js, "filename", js) or ""), repr(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique
    if not context.get("default_mode"):
        context["default_mode"] = "light"


def setup(app):
    app.add_post_transform(WidgetReprForPaper)
    app.add_post_transform(WidgetLiveNote)
    app.add_post_transform(LatexTablesAsLatex)
    app.add_post_transform(HiddenOutputsOnPaper)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.add_js_file("a11y.js", loading_method="defer")
    app.add_css_file("a11y.css")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
