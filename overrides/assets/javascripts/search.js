/*
 * Search, over the archive's Pagefind index in segments (`mkdocs build` writes them to pagefind/,
 * served from this site, like everything else; search-index.js, loaded when search is first used,
 * searches them):
 *
 * - the header box: results as you type (title, date, category, authors and an
 *   excerpt with the match highlighted), "/" (or Material's "s" and "f", except on a
 *   page that lists papers, where "s" saves: reader.js) and Ctrl+K to focus it from
 *   anywhere, arrows and Enter to pick a result, Enter alone for the search page;
 * - the search page (search/): search-page.js, which this script loads there only (every
 *   page loads this one: a day page's script has a budget).
 *
 * Result text goes into the page as text nodes, never as HTML: only Pagefind's <mark>
 * highlights become elements (an abstract may contain "<img onerror=...>" as text).
 */
(function () {
  "use strict";

  var core = window.archiveCore;
  var el = core.el;
  var archive = JSON.parse((document.getElementById("__archive") || { textContent: "{}" }).textContent);

  // -- the index: search-index.js, loaded when search is first used -----------------------

  var loading = null;
  function searchIndex() {
    loading = loading || core.load("search-index.js").then(function () { return window.archiveSearchIndex; });
    loading.catch(function () { loading = null; });
    return loading;
  }
  // On focus: the bundles a search by best match reads, loaded while the reader types.
  function warm() { searchIndex().then(function (index) { return index.ready(true); }).catch(function () { /* said when a search runs */ }); }

  // Pagefind excerpts are text with <mark> around the matches; decode everything else as text.
  var decoder = document.createElement("textarea");
  function decodeText(fragment) {
    decoder.innerHTML = fragment;  // a textarea parses its content as text: no elements, no scripts
    return decoder.value;
  }
  function excerptInto(node, excerpt) {
    var parts = String(excerpt || "").split(/(<mark>|<\/mark>)/);
    var marked = false;
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === "<mark>") { marked = true; continue; }
      if (parts[i] === "</mark>") { marked = false; continue; }
      if (!parts[i]) continue;
      var text = document.createTextNode(decodeText(parts[i]));
      if (marked) { var m = el("mark"); m.appendChild(text); node.appendChild(m); } else { node.appendChild(text); }
    }
    return node;
  }

  function resultMeta(data) {
    var meta = data.meta || {};
    var bits = [];
    if (meta.date) bits.push(meta.date);
    if (meta.category) bits.push(meta.category);
    if (meta.id) bits.push("arXiv:" + meta.id);
    return bits.join(" · ");
  }

  function resultItem(data, className) {
    var item = el("li", className);
    var link = el("a", "as-title", (data.meta && data.meta.title) || data.url);
    link.href = data.url;
    item.appendChild(link);
    item.appendChild(el("div", "as-meta", resultMeta(data)));
    if (data.meta && data.meta.authors) item.appendChild(el("div", "as-authors", data.meta.authors));
    item.appendChild(excerptInto(el("p", "as-excerpt"), data.excerpt));
    // For the reader's keys and Save button (reader.js; overrides/archive/READER.md).
    if (data.meta && data.meta.date) item.setAttribute("data-date", data.meta.date);
    if (data.meta && data.meta.category) item.setAttribute("data-paper", JSON.stringify({ cat: data.meta.category }));
    return item;
  }

  // -- header search box ------------------------------------------------------------

  function searchPageUrl(query) {
    var url = new URL(archive.search || "search/", location.href);
    if (query) url.searchParams.set("q", query);
    return url.href;
  }

  function setupHeaderBox() {
    var box = document.querySelector("[data-archive-search-box]");
    if (!box) return;
    var input = box.querySelector(".asb-input");
    var form = box.querySelector(".asb-form");
    var panel = box.querySelector(".asb-panel");
    var opener = box.querySelector(".asb-open");
    var timer = null;
    var serial = 0;
    var searching = null;  // the AbortController of the search going on
    var active = -1;

    function open() { box.classList.add("asb--open"); input.focus(); warm(); }
    function closePanel() { panel.hidden = true; active = -1; }
    function close() { closePanel(); box.classList.remove("asb--open"); }
    function options() { return panel.querySelectorAll(".asb-result"); }
    function highlight(index) {
      var items = options();
      for (var i = 0; i < items.length; i++) items[i].classList.toggle("asb-result--active", i === index);
      active = index;
      if (items[index]) items[index].scrollIntoView({ block: "nearest" });
    }

    function stop() {  // the search going on is of no more use: the workers skip what they have not begun of it
      if (searching) searching.abort();
      searching = null;
    }

    function run() {
      var query = input.value.trim();
      var mine = ++serial;
      stop();
      if (!query) { closePanel(); return; }
      var index = null;
      var signal = (searching = new AbortController()).signal;
      searchIndex().then(function (loaded) { index = loaded; return index.search(query, { signal: signal }); }).then(function (found) {
        if (mine !== serial) return null;
        return Promise.all(found.results.slice(0, 6).map(function (r) { return r.data(); })).then(function (datas) {
          if (mine !== serial) return;
          panel.textContent = "";
          var list = el("ol", "asb-results");
          datas.forEach(function (data) { list.appendChild(resultItem(data, "asb-result")); });
          if (found.failed.length) panel.appendChild(el("p", "asb-warning", index.missing(found.failed)));
          if (!datas.length) panel.appendChild(el("p", "asb-empty", "No paper matches “" + query + "”."));
          else panel.appendChild(list);
          var more = el("a", "asb-all", found.total > datas.length ? "All " + found.total + " results, with filters →" : "Open in the search page, with filters →");
          more.href = searchPageUrl(query);
          panel.appendChild(more);
          panel.hidden = false;
          active = -1;
          box.dataset.resultsShown = String(performance.now());
          box.dataset.resultsFor = query;
        });
      }).catch(function (err) {
        panel.textContent = "";
        panel.appendChild(el("p", "asb-empty", "Search is not available here (" + err.message + "). Build the site with `mkdocs build` to index it."));
        panel.hidden = false;
      });
    }

    input.addEventListener("focus", function () { warm(); if (input.value.trim() && panel.childNodes.length) panel.hidden = false; });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      stop();
      timer = setTimeout(run, 120);
      var typed = input.value;  // the words' index chunks fetched while the reader goes on typing (search-index.js, preload)
      searchIndex().then(function (index) { return index.preload(typed); }).catch(function () { /* said when a search runs */ });
    });
    input.addEventListener("keydown", function (event) {
      var items = options();
      if (event.key === "ArrowDown" && items.length) { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp" && items.length) { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === "Enter" && active >= 0 && items[active]) { event.preventDefault(); location.href = items[active].querySelector("a").href; }
      else if (event.key === "Escape") { close(); input.blur(); }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); location.href = searchPageUrl(input.value.trim()); });
    opener.addEventListener("click", open);
    document.addEventListener("click", function (event) { if (!box.contains(event.target)) close(); });

    // "/" (and Material's "s" and "f") or Ctrl/Cmd+K focus the box from anywhere; the single keys only
    // while the reader has not turned them off (reader.js, READER.md).
    window.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      var single = !typing && !event.ctrlKey && !event.metaKey && !event.altKey && !(window.archiveReader && !window.archiveReader.keysOn());
      var shortcut = ((event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey)) ||
        (single && (event.key === "/" || ((event.key === "s" || event.key === "f") && !document.querySelector("[data-papers]"))));
      if (!shortcut) return;
      event.preventDefault();
      event.stopPropagation();
      open();
    }, true);
  }

  // -- the search page: search-page.js, loaded only there ------------------------------

  function setupSearchPage() {
    var root = document.getElementById("archive-search");
    if (!root) return;
    window.archiveSearch = { searchIndex: searchIndex, resultItem: resultItem };
    core.load("search-page.js").catch(function (err) { root.querySelector(".as-status").textContent = "Search is not available here (" + err.message + ")."; });
    // The index (and its first worker) loaded beside search-page.js rather than after it; not for ?like=, which needs none.
    if (!new URLSearchParams(location.search).get("like")) searchIndex().catch(function () { /* said when the page searches */ });
  }

  function start() {
    setupHeaderBox();
    setupSearchPage();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
