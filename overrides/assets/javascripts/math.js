/*
 * Math in the archive's pages, typeset in the browser by KaTeX (served from this site).
 * The site marks every math span when it renders a page (generator/text/tex.py for arXiv's text,
 * generator/text/markdown.py for AI summaries): a `span.tex-math` holds the TeX as written,
 * delimiters included (`$x$`, `\(x\)`; `$$x$$` and `\[x\]` also carry `tex-display`).
 * Only those elements are typeset, each by katex.render on its text less the delimiters:
 * no text is scanned for dollars, so "$5 million" stays a dollar amount. KaTeX (its
 * script, styles and fonts) is loaded only when a page holds such an element, at load or
 * later: window.archiveRenderMath(element) typesets what a script adds (an entry
 * expanded in place) and loads KaTeX then if it must; math in a closed <details>
 * is typeset when it is opened.
 */
(function () {
  "use strict";

  var here = document.currentScript.src;  // assets/javascripts/math.js: KaTeX is at ../vendor/katex/
  var katex = null;

  function load(path, tag) {
    return new Promise(function (resolve, reject) {
      var node = document.createElement(tag);
      node.onload = resolve;
      node.onerror = reject;
      if (tag === "script") {
        node.src = new URL(path, here).href;
        document.head.appendChild(node);
        return;
      }
      node.rel = "stylesheet";
      node.href = new URL(path, here).href;
      // Before the site's own styles (they size .katex), as if the page had linked it.
      document.head.insertBefore(node, document.querySelector('link[rel=stylesheet][href*="assets/stylesheets/archive"]'));
    });
  }

  function loadKatex() {
    if (!katex) {
      load("../vendor/katex/katex.min.css", "link");
      katex = load("../vendor/katex/katex.min.js", "script");
    }
    return katex;
  }

  function typeset(node) {
    var source = node.textContent;
    var cut = source.charAt(0) === "$" && source.charAt(1) !== "$" ? 1 : 2;  // `$` or `$$`, `\(`, `\[`
    try {
      window.katex.render(source.slice(cut, source.length - cut), node, {
        displayMode: node.classList.contains("tex-display"),
        throwOnError: false  // TeX KaTeX cannot read is shown as written, in red
      });
      node.classList.add("tex-done");
    } catch (err) { /* leave the TeX as text */ }
  }

  // Typeset the math elements in `root` (an element or the document), and `root` itself if it is one.
  // Math inside a closed <details> waits until it is opened: KaTeX loads only for math a reader sees.
  window.archiveRenderMath = function (root) {
    if (!root) return;
    var found = Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll(".tex-math:not(.tex-done)") : []);
    if (root.matches && root.matches(".tex-math:not(.tex-done)")) found.unshift(root);
    found = found.filter(function (node) { return !node.closest("details:not([open])"); });
    if (!found.length) return;
    loadKatex().then(function () { found.forEach(typeset); }, function () { /* KaTeX could not be loaded: the TeX stays as text */ });
  };

  function start() { window.archiveRenderMath(document.body); }
  // `toggle` does not bubble: listen in the capture phase, for every <details> of the page.
  document.addEventListener("toggle", function (event) { if (event.target.open) window.archiveRenderMath(event.target); }, true);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
