/* "More like this" (search/?like=<arXiv id>): the paper's related papers, as its own page
 * lists them (#related, computed at build time by generator/website/related.py): one page fetched,
 * no index. search-page.js loads this file on the search page only when the URL asks for it,
 * and calls window.archiveLike(root, id). Paper ids and addresses are core.js's.
 * Text from the fetched page goes in as text nodes, never as HTML.
 */
(function () {
  "use strict";

  var core = window.archiveCore;
  var el = core.el;

  function likeItem(link, meta) {
    var item = el("li", "as-result");
    var url = new URL(link.getAttribute("href"), link.baseURI);
    var title = el("a", "as-title", link.textContent);
    title.href = url.href;
    item.appendChild(title);
    var id = core.paperId(url.href);
    var facts = meta.split(" · ");  // the paper page's "date · similarity"
    var text = facts.length === 2 ? facts[0] + " · similarity " + facts[1] : meta;
    item.appendChild(el("div", "as-meta", text + (id ? " · arXiv:" + id : "")));
    if (id) {
      var more = el("a", "as-like", "More like this");
      more.href = "?like=" + encodeURIComponent(id);
      item.appendChild(more);
    }
    return item;
  }

  // List the related papers of `id` in the search page's results (its page is fetched, parsed, read as text).
  window.archiveLike = function (root, id) {
    var status = root.querySelector(".as-status");
    var list = root.querySelector(".as-results");
    id = id.replace(/v\d+$/, "");  // 2504.18298v2: the paper, whatever its version
    var path = core.paperUrl(id);
    if (!path) {
      status.textContent = "“" + id + "” is not an arXiv id: nothing to compare with.";
      return Promise.resolve();
    }
    var url = new URL(path, core.root);
    status.textContent = "Finding papers like arXiv:" + id + "…";
    return fetch(url.href).then(function (response) {
      if (response.status === 404) throw new Error("no archived paper has the id " + id);
      if (!response.ok) throw new Error("its page answered " + response.status);
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var base = page.createElement("base");
      base.href = url.href;  // the page's relative links, from where it lives
      page.head.appendChild(base);
      var heading = page.querySelector("h1");
      var links = page.querySelectorAll("#related li");
      status.textContent = "";
      var paper = el("a", "as-like-paper", heading ? heading.textContent : "arXiv:" + id);
      paper.href = url.href;
      status.appendChild(document.createTextNode(links.length ? "Papers like " : "No archived paper is related to "));
      status.appendChild(paper);
      status.appendChild(document.createTextNode(links.length ? ", most similar first (" + links.length + "):" : "."));
      list.textContent = "";
      for (var i = 0; i < links.length; i++) {
        var link = links[i].querySelector("a");
        var meta = links[i].querySelector("span");
        if (link) list.appendChild(likeItem(link, meta ? meta.textContent : ""));
      }
      root.dataset.likeShown = id;
    }).catch(function (err) {
      status.textContent = "More like this is not available here (" + err.message + ").";
    });
  };
})();
