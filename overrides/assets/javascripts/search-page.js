/*
 * The search page (search/), loaded by search.js there only, with what it shares
 * (window.archiveSearch: searchIndex, resultItem; the rest is core.js's):
 *
 * - results of the index (search-index.js, in segments) as in the header box, filters by
 *   category, tag and year with counts, sorting by date, more results on demand; its state is
 *   in the URL (?q=...&category=...&sort=date-desc), so a search can be bookmarked. A search
 *   by date shows its first page as soon as the newest segments fill it; with words, the
 *   rest of the archive is then searched in the background for the count ("so far" until then);
 *   without words, the count is the archive's where its segments tell it, and More reads on;
 *   a segment that cannot be loaded is named in a warning and the others still answer;
 * - "More like this" (search/?like=<arXiv id>): that paper's related papers, as its own
 *   page lists them (#related, computed at build time): one page fetched, no index.
 *
 * Result text goes into the page as text nodes, never as HTML (search.js's resultItem).
 */
(function () {
  "use strict";

  var core = window.archiveCore;
  var el = core.el, plural = core.plural, searchIndex = window.archiveSearch.searchIndex, resultItem = window.archiveSearch.resultItem;

  // -- "More like this": search/?like=<arXiv id>, in like.js (loaded only then) -----------

  function showLike(root, id) {
    core.load("like.js").then(function () { window.archiveLike(root, id); }, function (err) {
      root.querySelector(".as-status").textContent = "More like this is not available here (" + err.message + ").";
    });
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
    var warning = root.querySelector(".as-warning");
    var list = root.querySelector(".as-results");
    var moreButton = root.querySelector(".as-more");
    var params = new URLSearchParams(location.search);
    var chosen = {};
    FILTERS.forEach(function (f) { chosen[f[0]] = params.getAll(f[0]); });
    input.value = params.get("q") || "";
    sortSelect.value = params.get("sort") || "";
    var found = null;
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

    function statusText() {
      var order = sortSelect.value === "date-asc" ? "oldest first" : "newest first";
      // Common words the index left out of the query (search-index.js, COMMON): said, with how to keep them.
      var omitted = found.omitted.length ? " · " + found.omitted.map(function (word) { return "“" + word + "”"; }).join(", ") +
        " left out (too common; in quotes, the query keeps every word)" : "";
      if (found.total != null) return plural(found.total, "paper") + omitted;
      if (input.value.trim()) return plural(found.results.length, "paper") + " so far, counting the rest…" + omitted;
      return plural(found.results.length, "paper") + " shown, " + order + "; more on request";
    }
    function showStatus() {
      status.textContent = statusText();
      warning.textContent = index.missing(found.failed);
      warning.hidden = !found.failed.length;
    }

    function showMore() {
      var mine = found;
      return found.more(shown + PAGE).then(function () {
        if (mine !== found) return null;
        var slice = found.results.slice(shown, shown + PAGE);
        shown += slice.length;
        moreButton.hidden = found.complete && shown >= found.results.length;
        return Promise.all(slice.map(function (r) { return r.data(); })).then(function (datas) {
          if (mine !== found) return;
          datas.forEach(function (data) { list.appendChild(resultItem(data, "as-result")); });
          if (window.archiveReader) window.archiveReader.enhance(list);
          showStatus();
        });
      });
    }

    var index = null;
    function search() {
      saveState();
      var mine = ++serial;
      var query = input.value.trim();
      var filters = activeFilters();
      var hasFilters = Object.keys(filters).length > 0;
      if (found) found.stop();
      if (!query && !hasFilters && !sortSelect.value) {
        found = null;
        list.textContent = "";
        moreButton.hidden = true;
        warning.hidden = true;
        status.textContent = "Type a title word, an author, an arXiv id, or pick a filter.";
        renderFilters(null);
        return Promise.resolve();
      }
      status.textContent = "Searching…";
      delete root.dataset.countDone;
      return searchIndex().then(function (loaded) {
        index = loaded;
        return index.search(query, { filters: filters, sort: sortSelect.value, counts: true, page: PAGE });
      }).then(function (answer) {
        if (mine !== serial) { answer.stop(); return null; }
        found = answer;
        shown = 0;
        list.textContent = "";
        renderFilters(found.complete ? found.filters : null);
        return showMore().then(function () {
          root.dataset.resultsShown = String(performance.now());
          if (found.complete) root.dataset.countDone = root.dataset.resultsShown;
          else if (query) {  // the count and the filters' counts, from the segments not searched yet
            var counting = found;
            found.more(Infinity).then(function () {
              if (counting !== found || !found.complete) return;
              renderFilters(found.filters);
              showStatus();
              moreButton.hidden = shown >= found.results.length;
              root.dataset.countDone = String(performance.now());
            });
          }
        });
      }).catch(function (err) {
        status.textContent = "Search is not available here (" + err.message + ").";
      });
    }

    var started = false;
    function begin() {  // the index, the archive's filter counts (from its segments' list), then the page's search
      started = true;
      return searchIndex().then(function (loaded) { return loaded.totals(); }).then(function (counts) {
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

  setupSearchPage();
})();
