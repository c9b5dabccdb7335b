/*
 * The archive's search index, in segments (generator/website/outputs/search.py): one Pagefind bundle
 * per announcement period, listed newest first in pagefind/segments.json. search.js loads this file
 * when search is first used; the header box and the search page use `window.archiveSearchIndex`.
 *
 * - Pagefind runs in workers of this site's own (search-worker.js: as many as the machine has cores, up
 *   to 4, started when this file loads), one instance per bundle, made when a search first needs it (the
 *   header box makes them all on focus), the bundles given to the workers in turn. Only what a search
 *   shows crosses to the page: each bundle's result ids and scores, its filter counts, the data of the
 *   results shown. A search replaced (stop(), or its AbortSignal) is forgotten by the workers, which
 *   skip the bundles they have not begun. (Not `mergeIndex`: it sorts by date within each bundle only,
 *   and one missing bundle breaks every search.)
 * - Best match: the bundles are searched together and their results merged by score (each bundle
 *   scores with its own statistics; BENCHMARKS.md, "Search in segments", compares with one index).
 * - By date: the bundles hold disjoint periods, so they are searched one after another, newest (or
 *   oldest) first, each sorted by Pagefind, until the page is full: true date order across the
 *   archive. A search without words never goes further than the page needs (such a search reads a
 *   bundle's whole index); the search page completes the count of one with words in the background.
 * - A year filter searches the bundles of that year only, any filter only the bundles whose papers hold
 *   one of its values (the manifest's counts): a rare category does not read the whole archive.
 * - Filter counts: the manifest's (each bundle's papers per value, read from the bundle at build)
 *   until a search is complete; then the sum of the bundles' counts within its results.
 * - A bundle that cannot be loaded (a 404) is named in the answer (`failed`); the others answer.
 * - Common words (COMMON: "of", "the", "for", ...) are left out of a query that has other words: every
 *   paper holds them, so they change almost nothing that is found, and their index is the largest a
 *   bundle has (every bundle's "of" for "mixture of experts": 3 MB, seconds of work). The papers found
 *   then hold every other word. A query in quotes is a phrase and keeps all its words; a query of
 *   common words only keeps them.
 * - Words a bundle lacks: Pagefind answers a word its index does not hold, and that no word of its own
 *   begins, with the longest word of its own that begins it (2104.00034 → "21", Humble → "hu"), which one
 *   index would not show where another bundle holds the word. Such a bundle answers nothing (the worker
 *   tells a guess from longer words of its own by counting papers: its header says how). A word found
 *   nowhere finds nothing, rather than those guesses; letters being typed find the words they begin.
 *   Whole words, arXiv ids and surnames find what one index finds; letters being typed past a stem
 *   ("testi": testing is indexed as "test") may find more where a bundle answers with the shorter word.
 * - preload(term): the index chunks of the words typed so far, fetched while the reader types (the
 *   header box calls it on each key, its search waits for a pause), as Pagefind's own search box does.
 */
(function () {
  "use strict";

  var core = window.archiveCore;
  var listing = null;
  var WORKERS = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
  var threads = [];  // the workers started
  var owner = {};    // bundle path -> the worker that holds its instance
  var given = 0;     // bundles given to a worker so far
  var opened = {};   // bundle path -> a promise: its instance made in its worker
  var searches = 0;

  // Words left out of a query that has other words (above): English words nearly every paper holds.
  var COMMON = ["a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "has", "have", "in", "into", "is",
    "it", "its", "of", "on", "or", "our", "that", "the", "their", "these", "this", "those", "to", "was", "we", "were", "which", "with"];

  // The bundles, newest first: [{name, path, first, last, papers, fingerprint, filters}].
  function segments() {
    listing = listing || fetch(new URL("pagefind/segments.json", core.root).href, { cache: "no-cache" }).then(function (response) {
      if (!response.ok) throw new Error("pagefind/segments.json answered " + response.status);
      return response.json();
    }).then(function (list) {
      if (!Array.isArray(list)) throw new Error("pagefind/segments.json is not a list");
      return list.filter(function (s) { return s && typeof s.name === "string" && /^[\w.-]+\/$/.test(s.path); });
    });
    listing.catch(function () { listing = null; });  // tried again by the next search
    return listing;
  }

  // The workers (search-worker.js), as many as the machine has cores, up to 4: each holds the instances of some
  // bundles (given in turn as they are opened), so a search by best match uses every core. `at` starts one.
  function worker(at) {
    if (threads[at]) return threads[at];
    var pending = {};
    var next = 0;
    var started = new Worker(new URL("assets/javascripts/search-worker.js", core.root).href, { type: "module" });
    started.addEventListener("message", function (event) {
      var waiting = pending[event.data.id];
      delete pending[event.data.id];
      if (!waiting) return;
      if ("error" in event.data) waiting.reject(new Error(event.data.error));
      else waiting.resolve(event.data.result);
    });
    started.addEventListener("error", function () {  // it did not start: what waits on it fails; the next search starts it again
      Object.keys(pending).forEach(function (id) { pending[id].reject(new Error("the search worker did not start")); });
      pending = {};
      if (threads[at] !== thread) return;
      threads[at] = null;
      Object.keys(owner).forEach(function (path) { if (owner[path] === at) delete opened[path]; });
    });
    var thread = threads[at] = {
      post: function (op, args) {
        return new Promise(function (resolve, reject) {
          var id = ++next;
          pending[id] = { resolve: resolve, reject: reject };
          started.postMessage({ id: id, op: op, args: args });
        });
      }
    };
    thread.post("init", [new URL("pagefind/pagefind.js", core.root).href]);
    return thread;
  }
  function post(seg, op, args) {
    if (!(seg.path in owner)) owner[seg.path] = given++ % WORKERS;
    return worker(owner[seg.path]).post(op, args);
  }
  // A search replaced: every worker drops its results and skips what it has not begun of it.
  function forget(key) {
    threads.forEach(function (thread) { if (thread) thread.post("forget", [key]).catch(function () {}); });
  }

  // A bundle's instance in its worker (made once; a failure is tried again by the next search).
  function instance(seg) {
    if (!opened[seg.path]) {
      opened[seg.path] = post(seg, "open", [{
        path: seg.path, basePath: new URL("pagefind/" + seg.path, core.root).pathname, baseUrl: core.root.pathname,
        cacheTag: String(seg.fingerprint || "").slice(0, 16)
      }]);
      opened[seg.path].catch(function () { delete opened[seg.path]; });
    }
    return opened[seg.path];
  }
  // Words as Pagefind reads them: lower case, no accents, no punctuation.
  function words(term) {
    return String(term || "").toLowerCase().normalize("NFD").replace(/\p{M}/gu, "")
      .replace(/[\p{Pd}\p{Pe}\p{Pf}\p{Pi}\p{Po}\p{Ps}]/gu, "").split(/\s+/).filter(Boolean);
  }

  // What a query asks Pagefind: {term (null: no words), checks (the words each bundle counts exactly), omitted}.
  function prepare(text) {
    text = String(text || "").trim();
    if (!text) return { term: null, checks: [], omitted: [] };
    if (/^".+"$/.test(text)) return { term: text, checks: [], omitted: [] };  // a phrase: Pagefind finds its words in a row, or nothing
    var typed = text.split(/\s+/);
    var kept = typed.filter(function (word) { return COMMON.indexOf(words(word).join("")) < 0; });
    if (!kept.length) kept = typed;
    var term = kept.join(" ");
    return { term: term, checks: words(term), omitted: typed.filter(function (word) { return kept.indexOf(word) < 0; }) };
  }

  function sum(into, counts) {
    Object.keys(counts || {}).forEach(function (name) {
      var group = into[name] = into[name] || {};
      Object.keys(counts[name]).forEach(function (value) { group[value] = (group[value] || 0) + counts[name][value]; });
    });
    return into;
  }

  // The archive's papers per filter value (the manifest's): what the filters show before a search.
  function totals() {
    return segments().then(function (segs) { return segs.reduce(function (all, seg) { return sum(all, seg.filters); }, {}); });
  }

  // A search's bundles, in the order to search them: a year filter leaves out the other years, and any
  // filter the bundles whose papers hold none of its values (the manifest's counts): they cannot answer.
  function eligible(segs, filters) {
    var years = (filters.year || {}).any;
    var groups = Object.keys(filters).filter(function (name) { return name !== "year" && (filters[name].any || []).length; });
    return segs.filter(function (seg) {
      if (years && years.length && years.indexOf(String(seg.first).slice(0, 4)) < 0) return false;
      return groups.every(function (name) {
        var held = (seg.filters || {})[name];
        return !held || filters[name].any.some(function (value) { return held[value] > 0; });
      });
    });
  }

  // The papers a search without words finds, where the manifest tells (no filter, or one value of one
  // filter besides the year, which the bundles searched already hold); else null.
  function known(segs, filters) {
    var groups = Object.keys(filters).filter(function (name) { return name !== "year" && (filters[name].any || []).length; });
    if (groups.length > 1 || (groups.length && filters[groups[0]].any.length > 1)) return null;
    return segs.reduce(function (total, seg) {
      return total + (groups.length ? ((seg.filters || {})[groups[0]] || {})[filters[groups[0]].any[0]] || 0 : seg.papers || 0);
    }, 0);
  }

  /*
   * search(term, {filters, sort: "" | "date-desc" | "date-asc", counts, page, signal}) -> a promise of
   *   {results, complete, total, filters, failed, omitted, more(n), stop()}:
   * results in the page's order so far (Pagefind's order, each {id, score, segment: its bundle's name,
   * data()}); complete once every bundle that can hold one has answered; total: the count (null while
   * unknown); filters: the counts within the results, once complete; failed: the bundles that could not
   * be loaded; omitted: the common words left out of the query; more(n): a promise that at least n
   * results are in, or all; stop(): search no further bundle and forget the results (a newer search
   * replaced this one; so does `signal`, an AbortSignal, when aborted). Without words, results are newest
   * first. `counts` loads each bundle's filter index with its search (the search page shows the counts).
   */
  function search(term, options) {
    options = options || {};
    var query = prepare(term);
    var filters = options.filters || {};
    var pagefindOptions = { filters: filters };
    var dated = options.sort === "date-desc" || options.sort === "date-asc" || !query.term;
    if (dated) pagefindOptions.sort = { date: options.sort === "date-asc" ? "asc" : "desc" };
    var key = ++searches;
    return segments().then(function (all) {
      var segs = eligible(all, filters);
      if (options.sort === "date-asc") segs = segs.slice().reverse();
      var found = { results: [], complete: !segs.length, total: query.term ? null : known(segs, filters), filters: null, failed: [],
                    omitted: query.omitted, more: null };
      var counts = {};
      var stopped = false;
      found.stop = function () {
        if (stopped) return;
        stopped = true;
        forget(key);
      };
      if (options.signal) {
        if (options.signal.aborted) found.stop();
        else options.signal.addEventListener("abort", found.stop, { once: true });
      }

      function one(seg) {
        if (stopped) return Promise.resolve([]);
        return instance(seg).then(function () {
          return post(seg, "answer", [key, seg.path, query.term, pagefindOptions, query.checks, !!options.counts]);
        }).then(function (got) {
          sum(counts, got.filters);
          return got.ids.map(function (id, at) {
            return { id: id, score: got.scores[at], segment: seg.name, data: function () { return post(seg, "data", [key, seg.path, at]); } };
          });
        }, function () {
          if (!stopped) found.failed.push(seg);
          return [];
        });
      }
      function finish() {
        found.complete = true;
        found.total = found.results.length;
        found.filters = counts;
      }
      if (!segs.length) finish();

      if (!dated) {  // best match: every bundle at once, merged by score
        found.more = function () { return Promise.resolve(found); };
        return Promise.all(segs.map(one)).then(function (lists) {
          found.results = [].concat.apply([], lists).sort(function (a, b) { return b.score - a.score; });
          finish();
          return found;
        });
      }
      var next = 0;
      var running = null;
      var begun = [];  // the bundles' answers begun, in date order
      function begin(at) { return begun[at] = begun[at] || one(segs[at]); }
      function step() {  // the next bundle in date order
        var at = next++;
        return begin(at).then(function (list) {
          // With words, the next bundles (as many as there are workers) are begun once this one has answered: the
          // count reads them all anyway, and begun sooner they slowed the first page (0.77 s against 0.68 at 200,000
          // papers); without words, a bundle is read only when the page needs it (it reads the bundle's whole index).
          for (var ahead = at + 1; query.term && !stopped && ahead <= Math.min(segs.length - 1, at + WORKERS); ahead++) begin(ahead);
          Array.prototype.push.apply(found.results, list);
          if (next >= segs.length) finish();
        });
      }
      found.more = function (n) {
        if (found.complete || stopped || found.results.length >= n) return Promise.resolve(found);  // not behind a count going on
        running = (running || Promise.resolve()).then(function loop() {
          return found.complete || stopped || found.results.length >= n ? found : step().then(loop);
        });
        return running;
      };
      return found.more(options.page || 20);
    });
  }

  // The index chunks of a query's words fetched and loaded in every bundle a search by best match reads (the
  // header box, as the reader types): its search then finds them there. Not a word's first letters: each one
  // would read another chunk of every bundle.
  var PRELOADED = 4;
  function preload(term) {
    var query = prepare(term);
    var typed = words(query.term).filter(function (word) { return word.length >= PRELOADED; }).join(" ");
    if (!typed) return Promise.resolve();
    return segments().then(function (segs) {
      return Promise.all(segs.map(function (seg) {
        return instance(seg).then(function () { return post(seg, "preload", [seg.path, typed]); }).catch(function () {});
      }));
    });
  }

  // What a reader is told of the bundles that could not be loaded.
  function missing(failed) {
    if (!failed.length) return "";
    var periods = failed.map(function (seg) { return seg.first === seg.last ? seg.first : seg.first + " to " + seg.last; });
    return "Part of the search index could not be loaded: papers first announced " + periods.join(", ") + " are missing from these results.";
  }

  window.archiveSearchIndex = {
    // The bundles' instances made in their workers: the newest, or (`all`) every one, as a search by best match reads
    // them (the header box, on focus).
    ready: function (all) {
      return segments().then(function (segs) {
        return Promise.all((all ? segs : segs.slice(0, 1)).map(function (seg) { return instance(seg).catch(function () {}); }));
      });
    },
    segments: segments,
    totals: totals,
    search: search,
    preload: preload,
    missing: missing
  };
  worker(0);  // the first bundle's worker imports pagefind.js while the manifest is fetched
})();
