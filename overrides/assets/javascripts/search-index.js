/*
 * The archive's search index, in segments (generator/website/outputs/search.py): one Pagefind bundle
 * per announcement period, listed newest first in pagefind/segments.json. search.js loads this file
 * when search is first used; the header box and the search page use `window.archiveSearchIndex`.
 *
 * - One pagefind.js is imported and each bundle gets a Pagefind instance of its own, made when a
 *   search first needs it. The first one is loaded alone before any other is made: instances made at
 *   once instantiate Pagefind's shared WebAssembly concurrently and break it. (Not `mergeIndex`: it
 *   sorts by date within each bundle only, and one missing bundle breaks every search.)
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
 * - Words a bundle lacks: Pagefind answers a word its index does not hold with the longest word of
 *   its own that begins it (2104.00034 → "21", Humble → "hu"), which one index would not show where
 *   another bundle holds the word. So each word is also looked up exactly in each bundle; a bundle
 *   lacking one keeps its results only when its best result holds the whole word inside a longer
 *   one (a word still being typed, "quan", still finds "quantum"). A word found nowhere finds
 *   nothing, rather than those guesses. Whole words, arXiv ids and surnames find what one index
 *   finds; letters being typed past a stem ("testi": testing is indexed as "test") may find more
 *   where a bundle answers with the shorter word.
 */
(function () {
  "use strict";

  var core = window.archiveCore;
  var listing = null;
  var module = null;
  var booting = null;
  var made = {};

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

  function pagefind() {
    module = module || import(new URL("pagefind/pagefind.js", core.root).href);
    module.catch(function () { module = null; });
    return module;
  }

  function create(seg) {
    return pagefind().then(function (pf) {
      var instance = pf.createInstance({
        basePath: new URL("pagefind/" + seg.path, core.root).pathname, baseUrl: core.root.pathname, excerptLength: 28,
        metaCacheTag: String(seg.fingerprint || "").slice(0, 16) || null  // its entry file is cached until the bundle changes
      });
      return instance.preload("").then(function () { return instance; });  // its index and WebAssembly loaded, or why not
    });
  }

  // The first instance loads Pagefind's WebAssembly alone (the first of `segs` that loads at all).
  function boot(segs, at) {
    if (at >= segs.length) { booting = null; return Promise.resolve(); }
    var seg = segs[at];
    made[seg.path] = made[seg.path] || create(seg);
    return made[seg.path].then(function () {}, function () { return boot(segs, at + 1); });
  }
  function instance(seg, segs) {
    if (made[seg.path]) return made[seg.path];
    booting = booting || boot(segs, 0);
    return booting.then(function () { return made[seg.path] = made[seg.path] || create(seg); });
  }

  // Words as Pagefind reads them: lower case, no accents, no punctuation.
  function words(term) {
    return String(term || "").toLowerCase().normalize("NFD").replace(/\p{M}/gu, "")
      .replace(/[\p{Pd}\p{Pe}\p{Pf}\p{Pi}\p{Po}\p{Ps}]/gu, "").split(/\s+/).filter(Boolean);
  }
  function plain(word) { return words(word).join(""); }

  // One bundle's answer, without the results of words it lacks (above): {results, filters} or an empty one.
  function answer(inst, term, options) {
    var wanted = words(term);
    var searches = [inst.search(term, options)].concat(wanted.map(function (word) { return inst.search('"' + word + '"'); }));
    return Promise.all(searches).then(function (found) {
      var main = found[0];
      var lacking = wanted.filter(function (word, i) { return !found[i + 1].results.length; });
      if (!lacking.length || !main.results.length) return main;
      return main.results[0].data().then(function (data) {
        var text = String(data.content || "").split(/\s+/);
        var matched = (data.weighted_locations || []).map(function (loc) { return plain(text[loc.location] || ""); });
        var covered = lacking.every(function (word) { return matched.some(function (token) { return token.indexOf(word) >= 0; }); });
        return covered ? main : { results: [], filters: {}, guessed: true };
      });
    });
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
   * search(term, {filters, sort: "" | "date-desc" | "date-asc", counts, page}) -> a promise of
   *   {results, complete, total, filters, failed, more(n), stop()}:
   * results in the page's order so far (Pagefind's, each with data() and its bundle's name as
   * `segment`); complete once every bundle that can hold one has answered; total: the count (null
   * while unknown); filters: the counts within the results, once complete; failed: the bundles that
   * could not be loaded; more(n): a promise that at least n results are in, or all; stop(): search no
   * further bundle (a newer search replaced this one). Without words, results are newest first.
   * `counts` loads each bundle's filters before its search (the search page shows their counts).
   */
  function search(term, options) {
    options = options || {};
    var query = term && String(term).trim() ? String(term).trim() : null;
    var filters = options.filters || {};
    var pagefindOptions = { filters: filters };
    var dated = options.sort === "date-desc" || options.sort === "date-asc" || !query;
    if (dated) pagefindOptions.sort = { date: options.sort === "date-asc" ? "asc" : "desc" };
    return segments().then(function (all) {
      var segs = eligible(all, filters);
      if (options.sort === "date-asc") segs = segs.slice().reverse();
      var found = { results: [], complete: !segs.length, total: query ? null : known(segs, filters), filters: null, failed: [], more: null };
      var counts = {};
      var stopped = false;
      found.stop = function () { stopped = true; };

      function one(seg) {
        return instance(seg, segs).then(function (inst) {
          return (options.counts ? inst.filters() : Promise.resolve()).then(function () { return answer(inst, query, pagefindOptions); });
        }).then(function (got) {
          sum(counts, got.filters);
          return got.results.map(function (result) { result.segment = seg.name; return result; });
        }, function () {
          found.failed.push(seg);
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
      function step() {  // the next bundle in date order
        var seg = segs[next++];
        return one(seg).then(function (list) {
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

  // What a reader is told of the bundles that could not be loaded.
  function missing(failed) {
    if (!failed.length) return "";
    var periods = failed.map(function (seg) { return seg.first === seg.last ? seg.first : seg.first + " to " + seg.last; });
    return "Part of the search index could not be loaded: papers first announced " + periods.join(", ") + " are missing from these results.";
  }

  window.archiveSearchIndex = {
    // Pagefind and the newest bundle loaded (`all`: every bundle, as a search by best match needs them: the header box, on focus).
    ready: function (all) {
      return segments().then(function (segs) {
        return Promise.all((all ? segs : segs.slice(0, 1)).map(function (seg) { return instance(seg, segs).catch(function () {}); }));
      });
    },
    segments: segments,
    totals: totals,
    search: search,
    missing: missing
  };
})();
