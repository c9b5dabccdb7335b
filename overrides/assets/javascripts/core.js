/*
 * The small core the site's scripts share, loaded first on every page (mkdocs.yml), as
 * `window.archiveCore` (overrides/archive/READER.md, "The scripts' core"):
 *
 *   root                  the site's root, a URL (Material's config on the page gives it)
 *   el(tag, class, text)  a new element; text goes in as a text node, never as HTML
 *   all(selector, scope)  querySelectorAll as an array
 *   plural(n, word)       "1 paper", "2 papers"
 *   ID                    an arXiv id without its version: 2609.26811, hep-th/9901001
 *   paperUrl(id)          its page's address from the site root (generator/archive/paths.py
 *                         paper_path): papers/2609/2609.26811/ (papers/….html without
 *                         directory URLs), papers/hep-th/9901001/; null for what is no id
 *   paperId(href)         the inverse: the id of a paper page's address, or null
 *   sitePath(href)        an address of this site from its root, without query or hash
 *   arxivUrl(id, kind)    the paper on arXiv: "abs", "pdf" or "html"
 *   readJSON(key)         this browser's localStorage: null when absent, undefined when
 *   writeJSON(key, value) unreadable; writing returns false when the browser kept nothing
 *   load(name)            one of the site's scripts (assets/javascripts/<name>), added to the
 *                         page once: a promise. Callers name it in quotes ("like.js"), so that
 *                         the build gives it its fingerprint (generator/website/assets.py).
 */
(function () {
  "use strict";

  function json(id) {
    try { return JSON.parse(document.getElementById(id).textContent); } catch (err) { return {}; }
  }
  var root = new URL(String(json("__config").base || ".").replace(/\/?$/, "/"), location.href);
  // The page's search address says how the site addresses pages: search/ or search/index.html.
  var directoryUrls = !/index\.html$/.test(json("__archive").search || "");
  var ID = /^(\d{4}\.\d{4,5}|[a-z]+(-[a-z]+)?(\.[A-Z]{2})?\/\d{7})$/;
  var PAPER_PAGE = /^papers\/(?:\d{4}\/)?(.+?)(?:\/|\/index\.html|\.html)$/;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function sitePath(href) {
    var url = new URL(href, location.href);
    url.hash = url.search = "";
    return url.href.indexOf(root.href) === 0 ? url.href.slice(root.href.length) : url.pathname;
  }

  function paperUrl(id) {
    if (!ID.test(id)) return null;
    return "papers/" + (/^\d/.test(id) ? id.slice(0, 4) + "/" : "") + id + (directoryUrls ? "/" : ".html");
  }

  function paperId(href) {
    var match = PAPER_PAGE.exec(sitePath(href));
    return match && ID.test(match[1]) ? match[1] : null;
  }

  var scripts = {};
  function load(name) {
    return scripts[name] = scripts[name] || new Promise(function (resolve, reject) {
      var script = el("script");
      script.src = new URL("assets/javascripts/" + name, root).href;
      script.onload = resolve;
      script.onerror = function () { delete scripts[name]; reject(new Error(name.split("?")[0] + " did not load")); };
      document.head.appendChild(script);
    });
  }

  window.archiveCore = {
    root: root,
    el: el,
    all: function (selector, scope) { return Array.prototype.slice.call((scope || document).querySelectorAll(selector)); },
    plural: function (n, word) { return n + " " + word + (n === 1 ? "" : "s"); },
    ID: ID,
    paperUrl: paperUrl,
    paperId: paperId,
    sitePath: sitePath,
    arxivUrl: function (id, kind) { return "https://arxiv.org/" + (kind || "abs") + "/" + id; },
    readJSON: function (key) {
      try {
        var raw = localStorage.getItem(key);
        return raw == null ? null : JSON.parse(raw);
      } catch (err) { return undefined; }
    },
    writeJSON: function (key, value) {
      try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (err) { return false; }
    },
    load: load
  };
})();
