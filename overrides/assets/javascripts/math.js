/*
 * Math in the archive's pages, typeset in the browser by KaTeX's auto-render (served
 * from this site): the $...$, $$...$$, \(...\) and \[...\] that the generator leaves
 * as text in titles, abstracts, summaries and paper lists. Elsewhere (navigation,
 * tables) a dollar sign stays a dollar sign. KaTeX (its script, fonts and styles) is
 * loaded only by a page that has math, when it has it: most pages have none.
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
  var DELIMITER = /\$|\\\(|\\\[/;
  var here = document.currentScript.src;  // assets/javascripts/math.js: KaTeX is at ../vendor/katex/
  var archive = JSON.parse((document.getElementById("__archive") || { textContent: "{}" }).textContent);
  var SELECTOR = ".arxiv-tex, .ai-summary, .as-title, .paper-list > li > a" + (archive.kind === "day" ? ", article ol > li" : "");

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
      var first = document.querySelector('link[rel=stylesheet][href*="assets/stylesheets/archive"]');
      document.head.insertBefore(node, first);
    });
  }
  function loadKatex() {
    if (!katex) {
      load("../vendor/katex/katex.min.css", "link");
      katex = load("../vendor/katex/katex.min.js", "script").then(function () {
        return load("../vendor/katex/contrib/auto-render.min.js", "script");
      });
    }
    return katex;
  }

  // Typeset the math in `root` (an element or the document); search.js calls it for its results.
  window.archiveRenderMath = function (root) {
    if (!root) return;
    var found = root.matches && root.matches(SELECTOR) ? [root] : root.querySelectorAll(SELECTOR);
    var nodes = [];
    for (var i = 0; i < found.length; i++) if (DELIMITER.test(found[i].textContent)) nodes.push(found[i]);
    if (!nodes.length) return;
    loadKatex().then(function () {
      for (var j = 0; j < nodes.length; j++) {
        try { window.renderMathInElement(nodes[j], OPTIONS); } catch (err) { /* leave the TeX as text */ }
      }
    }, function () { /* KaTeX could not be loaded: the TeX stays as text */ });
  };

  function start() { window.archiveRenderMath(document.querySelector("article") || document.body); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
