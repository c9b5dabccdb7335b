/*
 * The search index's worker: Pagefind itself, one instance per bundle of the index in segments, answering
 * search-index.js (which starts one to four of them, as module workers) one bundle at a time.
 *
 * Why workers of the site's own rather than Pagefind's: Pagefind in a page runs every instance in one
 * worker of its own and sends every result of every search to the page, each result a handle that, once
 * the page drops it, sends one more message back. At 200,000 papers in 27 bundles, "Le" sent 68,000
 * results across (its 63,721 and those of its exact-word checks, then whole searches); during the next
 * query, 114,000 release messages kept the worker busy (an arXiv id took 1.0 s instead of 0.3; measured
 * by counting the worker's messages). Imported here, pagefind.js finds no page around it and runs its
 * instances in this thread (its own fallback); only what a search shows crosses: each bundle's result ids
 * and scores, its filter counts, and the data of the results the page asks for.
 *
 * Messages: {id, op, args} in, {id, result} or {id, error} out. Ops:
 *   open(bundle)                       the bundle's instance made: its entry, metadata and WebAssembly
 *   preload(path, term)                the index chunks of these words fetched and loaded, while they are typed
 *   answer(key, path, term, options, checks, counts)
 *                                      {ids, scores, filters}: the bundle's answer (below), kept under `key`
 *                                      for data(); nothing once `key` is forgotten. `counts`: its filter index
 *                                      loaded first (fetched beside the words' chunks), so that `filters`
 *                                      counts its results by value
 *   data(key, path, index)             one result's data (Pagefind's: url, meta, excerpt, content, ...)
 *   forget(key)                        a search replaced: its results dropped, its answers still to come skipped
 *
 * Words a bundle lacks: Pagefind answers a word its index does not hold, and that no word of its own
 * begins, with the longest word of its own that begins it (2104.00034 → "21", Humble → "hu"), which one
 * index would not show where another bundle holds the word. So each word (`checks`) is first counted
 * exactly in the bundle (a search of the quoted word with a filter no paper holds, which counts the papers
 * and builds no result); a word the bundle lacks is then counted as Pagefind answers it and as it answers
 * the word followed by "~", which no word can begin: the same papers mean a guess, and the bundle answers
 * nothing (without searching: a guess such as "synth" is thousands of results); other papers mean longer
 * words of its own (a word still being typed, "quan", finds "quantum").
 */
var loading = null;   // pagefind.js, imported from the address `init` gives
var instances = {};   // bundle path -> a promise of its instance
var ready = false;    // an instance has loaded: Pagefind's WebAssembly is instantiated
var booting = null;   // the instance loading alone before that, settled either way
var filters = {};     // bundle path -> a promise: its filter index loaded
var kept = new Map(); // search key -> {bundle path -> Pagefind's results}, for data()
var forgotten = new Set();
var KEPT = 8;         // searches whose results are kept (a page shows one or two at a time)
var NOWHERE = { "archive-nowhere": "" };  // a filter no bundle holds: no result is built, the word's papers are counted

function create(bundle) {
  return loading.then(function (pagefind) {
    var made = pagefind.createInstance({
      basePath: bundle.basePath, baseUrl: bundle.baseUrl, excerptLength: 28,
      metaCacheTag: bundle.cacheTag || null  // its entry file is cached until the bundle changes
    });
    return made.preload("").then(function () { return made; });  // its index and WebAssembly loaded, or why not
  });
}

// Instances made at once before one has loaded would instantiate Pagefind's shared WebAssembly
// concurrently and break it: the first loads alone (if it fails, the next one does), then the others at once.
function made(bundle) {
  if (ready) return create(bundle);
  if (booting) return booting.then(function () { return made(bundle); });
  var attempt = create(bundle);
  booting = attempt.then(function () { ready = true; booting = null; }, function () { booting = null; });
  return attempt;
}

function open(bundle) {
  if (!instances[bundle.path]) {
    instances[bundle.path] = made(bundle);
    instances[bundle.path].catch(function () { delete instances[bundle.path]; });  // tried again by the next search
  }
  return instances[bundle.path].then(function () { return true; });
}

function filterIndex(path, inst) {
  if (!filters[path]) {
    filters[path] = inst.filters();
    filters[path].catch(function () { delete filters[path]; });
  }
  return filters[path];
}

function instance(path) {
  return instances[path] || Promise.reject(new Error("pagefind/" + path + " is not open"));
}

function forget(key) {
  kept.delete(key);
  forgotten.add(key);
  if (forgotten.size > 256) forgotten.delete(forgotten.values().next().value);
}

function keep(key, path, results) {
  var searches = kept.get(key);
  if (!searches) {
    kept.set(key, searches = {});
    if (kept.size > KEPT) kept.delete(kept.keys().next().value);
  }
  searches[path] = results;
}

// The bundles' searches run one after another in this thread, each at once once its index is loaded: a pause
// before each lets a message in between, so that a search replaced (forget) stops at the next bundle.
var paused = [];
var resume = new MessageChannel();
resume.port1.onmessage = function () { paused.shift()(true); };
function pause() {
  return new Promise(function (resolve) { paused.push(resolve); resume.port2.postMessage(null); });
}

// How many papers of the bundle a query finds: a search with a filter no bundle holds, which builds no result.
function count(inst, query) {
  return inst.search(query, { filters: NOWHERE }).then(function (found) { return found.unfilteredResultCount; });
}

// Whether the bundle answers `word`, which it lacks, with its own longer words (Pagefind's answer to letters
// being typed: "quan" finds "quantum") rather than with a guess (its longest word that begins `word`).
// `word~` cannot begin any word, so Pagefind answers it with that guess: the same papers, or other ones.
function extended(inst, word) {
  return Promise.all([count(inst, word), count(inst, word + "~"), count(inst, word + " " + word + "~")]).then(function (n) {
    return !(n[0] === n[1] && n[1] === n[2]);  // equal: the same papers (one set holds the other, both as large)
  });
}

// Whether the bundle can answer the query's words (`checks`): each held exactly, or by longer words.
function answers(inst, checks) {
  return Promise.all(checks.map(function (word) { return count(inst, '"' + word + '"'); })).then(function (exact) {
    var lacking = checks.filter(function (word, i) { return !exact[i]; });
    return Promise.all(lacking.map(function (word) { return extended(inst, word); }));
  }).then(function (extensions) { return extensions.every(Boolean); });
}

// One bundle's answer to a search: its result ids and scores, best first (or in the order `options.sort`
// asks), and its counts per filter value within them; nothing where it lacks a word (the header comment).
function answer(key, path, term, options, checks, counts) {
  var none = { ids: [], scores: [], filters: {} };
  return pause().then(function () {
    return forgotten.has(key) ? null : instance(path);
  }).then(function (inst) {
    if (!inst) return null;
    return Promise.all([answers(inst, checks), counts && filterIndex(path, inst)]).then(function (both) { return both[0] && pause(); }).then(function (go) {
      return go && !forgotten.has(key) ? inst.search(term, options) : null;
    });
  }).then(function (found) {
    if (!found || forgotten.has(key)) return none;
    keep(key, path, found.results);
    return {
      ids: found.results.map(function (r) { return r.id; }),
      scores: found.results.map(function (r) { return r.score; }),
      filters: found.filters || {}
    };
  });
}

function data(key, path, index) {
  var results = (kept.get(key) || {})[path];
  if (!results || !results[index]) return Promise.reject(new Error("this search was replaced by another"));
  return results[index].data();
}

var ops = {
  init: function (url) { loading = loading || import(url); return loading.then(function () { return true; }); },
  open: open,
  preload: function (path, term) { return instance(path).then(function (inst) { return inst.preload(term); }).then(function () { return true; }); },
  answer: answer,
  data: data,
  forget: function (key) { forget(key); return true; }
};

self.addEventListener("message", function (event) {
  var message = event.data;
  Promise.resolve().then(function () { return ops[message.op].apply(null, message.args); }).then(function (result) {
    self.postMessage({ id: message.id, result: result });
  }, function (err) {
    self.postMessage({ id: message.id, error: String((err && err.message) || err) });
  });
});
