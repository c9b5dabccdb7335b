/*
 * Search, over the Pagefind index `mkdocs build` writes to pagefind/ (served from this
 * site, like everything else):
 *
 * - the header box: results as you type (title, date, category, authors and an
 *   excerpt with the match highlighted), "/" (or Material's "s" and "f", except on a
 *   page that lists papers, where "s" saves: reader.js) and Ctrl+K to focus it from
 *   anywhere, arrows and Enter to pick a result, Enter alone for the search page;
 * - the search page (search/): the same results, filters by category, tag and
 *   year with counts, sorting by date, more results on demand; its state is in the
 *   URL (?q=...&category=...&sort=date-desc), so a search can be bookmarked;
 * - "More like this" (search/?like=<arXiv id>): that paper's related papers, as its own
 *   page lists them (#related, computed at build time): one page fetched, no index.
 *
 * Result text goes into the page as text nodes, never as HTML: only Pagefind's <mark>
 * highlights become elements (an abstract may contain "<img onerror=...>" as text).
 */
(function () {
  "use strict";

  var materialConfig = JSON.parse(document.getElementById("__config").textContent);
  var archive = JSON.parse((document.getElementById("__archive") || { textContent: "{}" }).textContent);
  var siteRoot = new URL(materialConfig.base.replace(/\/?$/, "/"), location.href);

  // -- Pagefind -------------------------------------------------------------------

  var pagefindPromise = null;
  function pagefind() {
    if (!pagefindPromise) {
      pagefindPromise = import(new URL("pagefind/pagefind.js", siteRoot).href).then(function (pf) {
        return Promise.resolve(pf.options({ baseUrl: siteRoot.pathname, excerptLength: 28 })).then(function () {
          pf.init();
          return pf;
        });
      });
    }
    return pagefindPromise;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

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
    var active = -1;

    function open() { box.classList.add("asb--open"); input.focus(); pagefind(); }
    function closePanel() { panel.hidden = true; active = -1; }
    function close() { closePanel(); box.classList.remove("asb--open"); }
    function options() { return panel.querySelectorAll(".asb-result"); }
    function highlight(index) {
      var items = options();
      for (var i = 0; i < items.length; i++) items[i].classList.toggle("asb-result--active", i === index);
      active = index;
      if (items[index]) items[index].scrollIntoView({ block: "nearest" });
    }

    function run() {
      var query = input.value.trim();
      var mine = ++serial;
      if (!query) { closePanel(); return; }
      pagefind().then(function (pf) { return pf.search(query); }).then(function (search) {
        if (mine !== serial || !search) return null;
        return Promise.all(search.results.slice(0, 6).map(function (r) { return r.data(); })).then(function (datas) {
          if (mine !== serial) return;
          panel.textContent = "";
          var list = el("ol", "asb-results");
          datas.forEach(function (data) { list.appendChild(resultItem(data, "asb-result")); });
          if (window.archiveRenderMath) window.archiveRenderMath(list);
          if (!datas.length) panel.appendChild(el("p", "asb-empty", "No paper matches “" + query + "”."));
          else panel.appendChild(list);
          var more = el("a", "asb-all", search.results.length > datas.length ? "All " + search.results.length + " results, with filters →" : "Open in the search page, with filters →");
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

    input.addEventListener("focus", function () { pagefind(); if (input.value.trim() && panel.childNodes.length) panel.hidden = false; });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
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

    // "/" (and Material's "s" and "f") or Ctrl/Cmd+K focus the box from anywhere.
    window.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      var shortcut = ((event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey)) ||
        (!typing && !event.ctrlKey && !event.metaKey && !event.altKey && (event.key === "/" || ((event.key === "s" || event.key === "f") && !document.querySelector("[data-papers]"))));
      if (!shortcut) return;
      event.preventDefault();
      event.stopPropagation();
      open();
    }, true);
  }

  // -- "More like this": search/?like=<arXiv id>, in like.js (loaded only then) -----------

  function showLike(root, id) {
    var script = document.createElement("script");
    script.src = new URL("assets/javascripts/like.js", siteRoot).href;
    script.onload = function () { window.archiveLike(root, id, { el: el, siteRoot: siteRoot, directoryUrls: !/index\.html$/.test(archive.search || "") }); };
    script.onerror = function () { root.querySelector(".as-status").textContent = "More like this is not available here (like.js did not load)."; };
    document.head.appendChild(script);
  }

  // -- search page -------------------------------------------------------------------

  var FILTERS = [["category", "Category"], ["tag", "Tag"], ["year", "Year"]];
  var PAGE = 20;

  function setupSearchPage() {
    var root = document.getElementById("archive-search");
    if (!root) return;
    var form = root.querySelector(".as-form");
    var input = root.querySelector(".as-input");
    var sortSelect = root.querySelector(".as-sort select");
    var filtersBox = root.querySelector(".as-filters");
    var status = root.querySelector(".as-status");
    var list = root.querySelector(".as-results");
    var moreButton = root.querySelector(".as-more");
    var params = new URLSearchParams(location.search);
    var chosen = {};
    FILTERS.forEach(function (f) { chosen[f[0]] = params.getAll(f[0]); });
    input.value = params.get("q") || "";
    sortSelect.value = params.get("sort") || "";
    var results = [];
    var shown = 0;
    var serial = 0;
    var timer = null;
    var allCounts = null;

    function activeFilters() {
      var filters = {};
      FILTERS.forEach(function (f) { if (chosen[f[0]].length) filters[f[0]] = { any: chosen[f[0]].slice() }; });
      return filters;
    }

    function saveState() {
      var next = new URLSearchParams();
      if (input.value.trim()) next.set("q", input.value.trim());
      if (sortSelect.value) next.set("sort", sortSelect.value);
      FILTERS.forEach(function (f) { chosen[f[0]].forEach(function (v) { next.append(f[0], v); }); });
      var query = next.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    }

    function renderFilters(counts) {
      filtersBox.textContent = "";
      FILTERS.forEach(function (f) {
        var name = f[0];
        var values = Object.keys((allCounts && allCounts[name]) || {});
        if (!values.length) return;
        if (name === "year") values.sort().reverse();
        else values.sort(function (a, b) { return (allCounts[name][b] - allCounts[name][a]) || a.localeCompare(b); });
        var group = el("fieldset", "as-filter");
        group.dataset.filter = name;
        group.appendChild(el("legend", null, f[1]));
        var listBox = el("div", "as-filter__values");
        values.forEach(function (value) {
          var label = el("label", "as-filter__value");
          var box = el("input");
          box.type = "checkbox";
          box.value = value;
          box.checked = chosen[name].indexOf(value) >= 0;
          box.addEventListener("change", function () {
            var at = chosen[name].indexOf(value);
            if (box.checked && at < 0) chosen[name].push(value);
            if (!box.checked && at >= 0) chosen[name].splice(at, 1);
            search();
          });
          var count = counts && counts[name] ? counts[name][value] || 0 : allCounts[name][value];
          label.appendChild(box);
          label.appendChild(el("span", "as-filter__name", value));
          label.appendChild(el("span", "as-filter__count", String(count)));
          if (!count && !box.checked) label.classList.add("as-filter__value--empty");
          listBox.appendChild(label);
        });
        group.appendChild(listBox);
        filtersBox.appendChild(group);
      });
    }

    function showMore() {
      var slice = results.slice(shown, shown + PAGE);
      shown += slice.length;
      moreButton.hidden = shown >= results.length;
      return Promise.all(slice.map(function (r) { return r.data(); })).then(function (datas) {
        datas.forEach(function (data) { list.appendChild(resultItem(data, "as-result")); });
        // The reader reads each title before math is typeset in it.
        if (window.archiveReader) window.archiveReader.enhance(list);
        if (window.archiveRenderMath) window.archiveRenderMath(list);
      });
    }

    function search() {
      saveState();
      var mine = ++serial;
      var query = input.value.trim();
      var filters = activeFilters();
      var hasFilters = Object.keys(filters).length > 0;
      if (!query && !hasFilters && !sortSelect.value) {
        list.textContent = "";
        moreButton.hidden = true;
        status.textContent = "Type a title word, an author, an arXiv id, or pick a filter.";
        renderFilters(null);
        return Promise.resolve();
      }
      var options = { filters: filters };
      if (sortSelect.value === "date-desc") options.sort = { date: "desc" };
      if (sortSelect.value === "date-asc") options.sort = { date: "asc" };
      status.textContent = "Searching…";
      return pagefind().then(function (pf) { return pf.search(query || null, options); }).then(function (found) {
        if (mine !== serial || !found) return;
        results = found.results;
        shown = 0;
        list.textContent = "";
        renderFilters(found.filters);
        status.textContent = results.length === 1 ? "1 paper" : results.length + " papers";
        return showMore().then(function () { root.dataset.resultsShown = String(performance.now()); });
      }).catch(function (err) {
        status.textContent = "Search is not available here (" + err.message + ").";
      });
    }

    var started = false;
    function begin() {  // load the index and its filters, then run the search the page holds
      started = true;
      return pagefind().then(function (pf) { return pf.filters(); }).then(function (counts) {
        allCounts = counts || {};
        renderFilters(null);
        return search();
      }).catch(function (err) { status.textContent = "Search is not available here (" + err.message + ")."; });
    }
    function run() { return started ? search() : begin(); }

    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 150); });
    sortSelect.addEventListener("change", run);
    moreButton.addEventListener("click", showMore);
    // ?like=<id> lists that paper's related papers; the index loads only once the reader searches from there.
    if (params.get("like") && !input.value) showLike(root, params.get("like").trim());
    else begin();
  }

  function start() {
    setupHeaderBox();
    setupSearchPage();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
