/* The book's own glue between the saved widget views and the vendored files (MIT, like the book).
 *
 * 1. RequireJS base URL. The widget manager (embed-amd.js) finds its icon fonts relative to its
 *    AMD module URL, which RequireJS resolves from the page's folder
 *    (chapters/@jupyter-widgets/html-manager/dist/...: 404). Pointing baseUrl at this folder makes
 *    them resolve to _static/widgets/@jupyter-widgets/html-manager/dist/, where the book ships them.
 *
 * 2. MathJax 2 API. @jupyter-widgets/html-manager 1.0.x typesets widget labels with the MathJax 2 API
 * (MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])); the book loads MathJax 3, which has
 * no MathJax.Hub, so every saved widget view would throw "reading 'Queue'" and stop rendering.
 * This adds a MathJax.Hub.Queue that forwards to MathJax 3's typesetPromise. It is loaded before
 * embed-amd.js (nb_ipywidgets_js in _config.yml) and installs itself again once MathJax 3 has
 * replaced window.MathJax (MathJax is loaded with "defer", so it is there by DOMContentLoaded;
 * the widget manager renders on "load", later). */
(function () {
  var here = document.currentScript && document.currentScript.src.replace(/[^\/]*$/, "");
  if (here && window.require && window.require.config) { window.require.config({ baseUrl: here }); }
  function install() {
    var mj = window.MathJax = window.MathJax || {};
    if (mj.Hub && mj.Hub.Queue) { return; }
    mj.Hub = {
      Queue: function (job) {
        var el = Array.isArray(job) ? job[2] : null;
        var m = window.MathJax;
        if (!el) { return; }
        var go = function () { if (m.typesetPromise) { m.typesetPromise([el]).catch(function () {}); } };
        if (m.startup && m.startup.promise) { m.startup.promise.then(go); } else { go(); }
      }
    };
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
})();
