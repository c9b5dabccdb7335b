/*
 * The BibTeX entry of a paper's "Cite" block, written from the page's own citation_* meta tags
 * (which reference managers read) instead of being repeated in every page: the same entry as
 * generator/website/cite.py's bibtex() writes, in arXiv's export style. The page gives the fields the
 * meta tags lack: the entry's key (data-key), the primary category (data-class) and, when
 * BibTeX needs it other than as the plain-text citation_title, the title (data-title:
 * generator/text/tex.py's tex_bibtex, math as {$...$}, `&` as \&).
 * tests/test_site_browser.py checks that the two agree on every page it opens.
 * Paper pages load this script (overrides/main.html), and so does the reading list,
 * whose BibTeX export writes its entries with the same `window.archiveCite.entry`.
 */
(function () {
  "use strict";

  function meta(name) {
    var nodes = document.querySelectorAll('meta[name="' + name + '"]');
    return Array.prototype.map.call(nodes, function (node) { return node.getAttribute("content"); });
  }

  // A value with unbalanced braces would break every entry after it in a .bib file.
  function value(text) {
    var depth = 0;
    for (var i = 0; i < text.length && depth >= 0; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    }
    return depth === 0 ? text : text.replace(/\{/g, "(").replace(/\}/g, ")");
  }

  // One entry: [name, value] fields in generator/website/cite.py's order; those without a value are left out.
  function entry(key, fields) {
    var lines = fields.filter(function (f) { return f[1]; }).map(function (f) { return "      " + f[0] + "={" + value(f[1]) + "}"; });
    return "@misc{" + key + ",\n" + lines.join(",\n") + ",\n}";
  }
  window.archiveCite = { entry: entry };

  function fill() {
    var code = document.querySelector("code.language-bibtex[data-key]");
    if (!code || code.textContent) return;
    var id = meta("citation_arxiv_id")[0] || "";
    code.textContent = entry(code.getAttribute("data-key"), [
      ["title", code.getAttribute("data-title") || meta("citation_title")[0]],
      ["author", meta("citation_author").join(" and ")],
      ["year", (meta("citation_publication_date")[0] || "").slice(0, 4)],
      ["eprint", id],
      ["archivePrefix", "arXiv"],
      ["primaryClass", code.getAttribute("data-class")],
      ["url", window.archiveCore.arxivUrl(id)],
      ["doi", meta("citation_doi")[0]]
    ]);
  }

  function start() { fill(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
