/* Accessibility fixes of the theme stack and of the saved widget views (MIT, like the book).
 * Measured with axe-core (scripts/a11y_audit.py; the browser test in tests/test_book.py fails on
 * any serious or critical WCAG 2.1 AA finding). Each fix is idempotent and re-applied while the
 * page changes (FontAwesome swaps icons for SVGs, the widget manager draws after "load").
 *
 * 1. Search buttons (pydata-sphinx-theme): aria-label "Search" hides the visible text
 *    "Search Ctrl+K" (label-content-name-mismatch). Without it the name is the visible text.
 * 2. Colour-mode button: the visible icon's SVG <title> ("Light") is not in the button's name
 *    "Color mode". The name becomes "Color mode: Light" (the mode shown, kept up to date); the
 *    icons themselves are aria-hidden.
 * 3. "Show code cell source" toggles (<summary aria-label="Toggle hidden content">): the name
 *    becomes the visible text.
 * 4. Bibliography (docutils citation list, role="list"): its entries carry the deprecated role
 *    doc-biblioentry, so the list has no list items (aria-required-children). They become listitem.
 * 5. Widget sliders (noUi handles, role="slider") get the slider's visible description as their
 *    accessible name (aria-input-field-name); so do widget text boxes and drop-downs without one.
 */
(function () {
  function text(el) { return el ? (el.textContent || "").replace(/\s+/g, " ").trim() : ""; }
  function fix(root) {
    root.querySelectorAll(".search-button__button[aria-label]").forEach(function (b) {
      if (text(b)) { b.removeAttribute("aria-label"); }
    });
    root.querySelectorAll(".theme-switch-button").forEach(function (b) {
      var mode = document.documentElement.dataset.mode || "light";
      var icon = b.querySelector("[data-mode='" + mode + "']");
      var shown = icon ? (text(icon.querySelector("title")) || icon.getAttribute("title") || mode) : mode;
      var name = "Color mode: " + shown;
      if (b.getAttribute("aria-label") !== name) { b.setAttribute("aria-label", name); }
      b.querySelectorAll("svg, i").forEach(function (i) {
        if (i.getAttribute("aria-hidden") !== "true") { i.setAttribute("aria-hidden", "true"); }
      });
    });
    root.querySelectorAll("details > summary[aria-label]").forEach(function (s) {
      if (text(s)) { s.removeAttribute("aria-label"); }
    });
    root.querySelectorAll(".citation-list[role='list'] > .citation[role='doc-biblioentry']").forEach(function (c) {
      c.setAttribute("role", "listitem");
    });
    root.querySelectorAll(".jupyter-widgets [role='slider']:not([aria-label]), " +
                         ".jupyter-widgets select:not([aria-label]), .jupyter-widgets input:not([aria-label])")
      .forEach(function (el) {
        var box = el.closest(".widget-inline-hbox, .widget-slider, .widget-dropdown, .widget-text");
        var name = box ? text(box.querySelector(".widget-label")) : "";
        if (name) { el.setAttribute("aria-label", name); }
      });
    // 6. Any other form field without a name (e.g. the self-check quizzes' answer boxes):
    //    named from its placeholder, or from the quiz question it belongs to.
    root.querySelectorAll("input:not([type='hidden']):not([aria-label]):not([aria-labelledby]), " +
                         "select:not([aria-label]), textarea:not([aria-label])").forEach(function (el) {
      if (el.id && document.querySelector("label[for='" + el.id + "']")) { return; }
      if (el.closest("label")) { return; }
      var q = el.closest(".Quiz, [id$='-quiz'], .quiz, div");
      var qtext = q ? text(q.querySelector(".QuizQuestion, .question, p, span")) : "";
      var name = el.getAttribute("placeholder") || (qtext ? "Answer: " + qtext.slice(0, 80) : "Answer");
      el.setAttribute("aria-label", name);
    });
  }
  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fix(document); });
  }
  function start() {
    fix(document);
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
    new MutationObserver(schedule).observe(document.documentElement, { attributes: true,
                                                                       attributeFilter: ["data-mode"] });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
