/*
 * Math in the archive's pages, typeset in the browser by KaTeX's auto-render (served
 * from this site): the $...$, $$...$$, \(...\) and \[...\] that the generator leaves
 * as text in titles, abstracts, summaries and paper lists. Elsewhere (navigation,
 * tables) a dollar sign stays a dollar sign.
 */
(function () {
  "use strict";

  var OPTIONS = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
      { left: "$", right: "$", display: false }
    ],
    throwOnError: false,
    ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option", "input"]
  };
  var archive = JSON.parse((document.getElementById("__archive") || { textContent: "{}" }).textContent);
  var SELECTOR = ".arxiv-tex, .ai-summary, .as-title, .paper-list > li > a" + (archive.kind === "day" ? ", article ol > li" : "");

  // Typeset the math in `root` (an element or the document); search.js calls it for its results.
  window.archiveRenderMath = function (root) {
    if (typeof window.renderMathInElement !== "function" || !root) return;
    var nodes = root.matches && root.matches(SELECTOR) ? [root] : root.querySelectorAll(SELECTOR);
    for (var i = 0; i < nodes.length; i++) {
      try { window.renderMathInElement(nodes[i], OPTIONS); } catch (err) { /* leave the TeX as text */ }
    }
  };

  function start() { window.archiveRenderMath(document.querySelector("article") || document.body); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
