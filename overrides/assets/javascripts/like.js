/* "More like this" (search/?like=<arXiv id>): the paper's related papers, as its own page
 * lists them (#related, computed at build time by generator/website/related.py): one page fetched,
 * no index. search.js loads this file on the search page only when the URL asks for it,
 * and calls window.archiveLike(root, id, {el, siteRoot, directoryUrls}).
 * Text from the fetched page goes in as text nodes, never as HTML.
 */
(function () {
  "use strict";

  var tools = null;
  var el = null;

  var NEW_STYLE_ID = /^\d{4}\.\d{4,5}$/;
  var OLD_STYLE_ID = /^([a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?)\/(\d{7})$/;

  // The paper's page, as generator/archive/paths.py `paper_path` places it: papers/2504/2504.18298/, papers/hep-th/9901001/.
  function paperPageUrl(id) {
    var old = OLD_STYLE_ID.exec(id);
    var path = old ? "papers/" + old[1] + "/" + old[2] : NEW_STYLE_ID.test(id) ? "papers/" + id.slice(0, 4) + "/" + id : null;
    if (!path) return null;
    return new URL(path + (tools.directoryUrls ? "/" : ".html"), tools.siteRoot);
  }

  // The arXiv id of a paper page's URL (the inverse of paperPageUrl).
  function paperId(url) {
    var match = /papers\/([^/]+)\/([^/]+?)(?:\.html|\/)?$/.exec(url.pathname);
    if (!match) return null;
    var id = NEW_STYLE_ID.test(match[2]) ? match[2] : match[1] + "/" + match[2];
    return NEW_STYLE_ID.test(id) || OLD_STYLE_ID.test(id) ? id : null;
  }

  function likeItem(link, meta) {
    var item = el("li", "as-result");
    var url = new URL(link.getAttribute("href"), link.baseURI);
    var title = el("a", "as-title", link.textContent);
    title.href = url.href;
    item.appendChild(title);
    var id = paperId(url);
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
  window.archiveLike = function (root, id, given) {
    tools = given;
    el = given.el;
    var status = root.querySelector(".as-status");
    var list = root.querySelector(".as-results");
    id = id.replace(/v\d+$/, "");  // 2504.18298v2: the paper, whatever its version
    var url = paperPageUrl(id);
    if (!url) {
      status.textContent = "“" + id + "” is not an arXiv id: nothing to compare with.";
      return Promise.resolve();
    }
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
