/*
 * The reading-list page (reading-list/; overrides/archive/reading-list.html): the papers saved in
 * this browser (by reader.js, whose list and records this script uses: `window.archiveReader`),
 * removed one by one, exported as BibTeX (the paper pages' Cite entries), as arXiv ids, or as the
 * YAML lines that make them interests in config.yml (`interests.papers`), imported from ids in
 * any text. Papers saved from a list are completed from their pages (all authors, BibTeX key).
 * Loaded by that page only, after cite.js (its entries are the Cite block's: `window.archiveCite`);
 * overrides/archive/READER.md is the contract.
 */
(function () {
  "use strict";

  var R = window.archiveReader;
  if (!R) return;
  var core = window.archiveCore;
  var el = core.el, all = core.all, plural = core.plural, list = R.list, say = R.say;
  var IMPORT_MAX = 500;
  // Ids anywhere in a text: 2609.26811, arXiv:2609.26811v2, …/abs/hep-th/9901001, math.GT/0309136v1.
  var IDS_IN_TEXT = /(?<![\w.])(\d\d(?:0[1-9]|1[0-2])\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?\/\d\d(?:0[1-9]|1[0-2])\d{3})(?:v\d+)?(?!\d)/g;
  // What YAML would read as a line break (or cannot hold) inside a comment: a title stays on its line.
  var NOT_IN_A_LINE = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]+/g;
  var FORMATS = {
    bib: { file: "reading-list.bib", type: "application/x-bibtex", what: function (n) { return "BibTeX of " + plural(n, "paper"); } },
    ids: { file: "reading-list.txt", type: "text/plain", what: function (n) { return plural(n, "arXiv id"); } },
    yaml: { file: "interests.yml", type: "text/yaml", what: function (n) { return "config.yml lines of " + plural(n, "paper"); } }
  };

  var listPage = null;
  var completing = Promise.resolve();  // the saved papers being completed from their pages

  // A paper's record from its page here.
  function fetchRecord(id) {
    var url = core.paperUrl(id);
    return R.fetchPage(url).then(function (doc) {
      var rec = R.pageRecord(doc, url);
      if (!rec || rec.id !== id || !rec.title) throw new Error("not a paper page");
      return rec;
    }).catch(function () { return { id: id, missing: 1 }; });
  }

  function eachLimited(items, limit, work) {
    var results = [];
    var next = 0;
    function worker() {
      if (next >= items.length) return Promise.resolve();
      var i = next++;
      return work(items[i]).then(function (result) { results[i] = result; return worker(); });
    }
    var workers = [];
    for (var k = 0; k < Math.min(limit, items.length); k++) workers.push(worker());
    return Promise.all(workers).then(function () { return results; });
  }

  // Put fetched records into the stored list (which may have changed meanwhile).
  function merge(records, atTop) {
    var saved = list.load();
    var now = Date.now();
    records.slice().reverse().forEach(function (rec) {
      var at = list.find(saved, rec.id);
      if (at >= 0) {
        if (rec.missing && saved[at].title) return;  // keep what a list entry gave
        rec.saved = saved[at].saved;
        saved[at] = rec;
      } else if (atTop) {
        rec.saved = now;
        saved.unshift(rec);
      }
    });
    list.save(saved);
    R.refresh();
  }

  function idsIn(value) {
    var ids = [];
    String(value).replace(IDS_IN_TEXT, function (match, id) { if (ids.indexOf(id) < 0) ids.push(id); return match; });
    return ids;
  }

  function importText(value, done) {
    var ids = idsIn(value).slice(0, IMPORT_MAX);
    if (!ids.length) { say("No arXiv id found in that text."); return; }
    var saved = list.load();
    var todo = ids.filter(function (id) { var at = list.find(saved, id); return at < 0 || saved[at].missing; });
    say("Importing " + plural(todo.length, "paper") + "…");
    eachLimited(todo, 4, fetchRecord).then(function (records) {
      merge(records, true);
      var missing = records.filter(function (rec) { return rec.missing; }).length;
      var already = ids.length - todo.length;
      say("Imported " + plural(records.length, "paper") +
        (missing ? "; " + missing + " not in this archive, listed with a link to arXiv" : "") +
        (already ? "; " + already + " already in your list" : "") + ".");
      if (done) done();
    });
  }

  function authorsText(rec) {
    var names = rec.authors || [];
    var shown = names.slice(0, 6).join(", ");
    return names.length > 6 || rec.more ? shown + " et al." : shown;
  }

  // The paper page's Cite entry (cite.js writes both); keys made unique within the file.
  function bibtex(list) {
    var used = {};
    return list.map(function (rec) {
      var base = rec.bibkey || "arXiv:" + rec.id;
      var key = base;
      for (var n = 1; used[key]; n++) key = base + String.fromCharCode(97 + n);
      used[key] = 1;
      var authors = (rec.authors || []).join(" and ");
      return window.archiveCite.entry(key, [
        ["title", rec.bibtitle || rec.title],
        ["author", authors && rec.more ? authors + " and others" : authors],
        ["year", (rec.date || "").slice(0, 4)],
        ["eprint", rec.id],
        ["archivePrefix", "arXiv"],
        ["primaryClass", rec.cat],
        ["url", core.arxivUrl(rec.id)],
        ["doi", rec.doi]
      ]);
    }).join("\n\n") + "\n";
  }

  // Once the saved papers are complete (their authors and keys read from their pages).
  function exportList(format, action) {
    completing.then(function () { exportNow(format, action); });
  }
  // The lines to paste under `interests:` → `papers:` in config.yml: each id quoted (YAML would read
  // 2609.10010 as a number), its title as a comment on its line.
  function yamlLines(saved) {
    return "    # From the reading list: paste under `papers:` of `interests:` in config.yml\n" + saved.map(function (rec) {
      var title = (rec.title || "").replace(NOT_IN_A_LINE, " ").trim();
      return '    - "' + rec.id + '"' + (title ? "  # " + title : "");
    }).join("\n") + "\n";
  }

  function exportNow(format, action) {
    var saved = list.load();
    if (!saved.length) { say("Your reading list is empty: nothing to export."); return; }
    var content = format === "bib" ? bibtex(saved) : format === "yaml" ? yamlLines(saved) : saved.map(function (rec) { return rec.id; }).join("\n") + "\n";
    var what = FORMATS[format].what(saved.length);
    if (action === "download") {
      var link = el("a");
      link.href = URL.createObjectURL(new Blob([content], { type: FORMATS[format].type }));
      link.download = FORMATS[format].file;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
      say("Downloaded the " + what + ".");
      return;
    }
    var output = listPage.querySelector("[data-reader-output]");
    output.value = content;
    (navigator.clipboard ? navigator.clipboard.writeText(content) : Promise.reject(new Error("no clipboard"))).then(function () {
      say("Copied the " + what + " to the clipboard.");
    }, function () {
      // No clipboard here (a page served over plain http): the text is shown, selected.
      output.parentNode.hidden = false;
      output.focus();
      output.select();
      say("This browser did not allow copying: the " + what + " is selected below; copy it with Ctrl+C.");
    });
  }

  function renderList() {
    var items = listPage.querySelector("[data-reader-items]");
    var count = listPage.querySelector("[data-reader-count]");
    var saved = list.load();
    items.textContent = "";
    count.textContent = saved.length
      ? plural(saved.length, "saved paper") + ", newest first."
      : "No saved papers yet. Save papers with their Save button, or with s on a list of papers.";
    saved.forEach(function (rec) {
      var item = el("li", "reading-item");
      var title = el("a", "reading-title arxiv-tex", rec.title || "arXiv:" + rec.id);
      title.href = rec.missing ? core.arxivUrl(rec.id) : new URL(rec.url || core.paperUrl(rec.id), core.root).href;
      var meta = [authorsText(rec), rec.date, "arXiv:" + rec.id].filter(Boolean);
      if (rec.missing) meta.push("not in this archive: the link goes to arXiv");
      var remove = R.button("Remove", "reader-remove", "Remove: " + (rec.title || rec.id));
      remove.addEventListener("click", function () {
        var now = list.load();
        var at = list.find(now, rec.id);
        if (at < 0) return;
        now.splice(at, 1);
        if (!list.save(now)) return;
        R.refresh();
        focusAfterRemoval(at);
        say("Removed from your reading list: " + (rec.title || rec.id));
      });
      item.appendChild(title);
      item.appendChild(el("p", "reading-meta", meta.join(" · ")));
      item.appendChild(remove);
      items.appendChild(item);
    });
    R.typeset(items);
  }

  // Keep the keyboard where it was: on the next paper's Remove button, or on the count.
  function focusAfterRemoval(at) {
    var buttons = all(".reader-remove", listPage);
    var next = buttons[Math.min(at, buttons.length - 1)];
    var count = listPage.querySelector("[data-reader-count]");
    if (next) { next.focus(); } else { count.tabIndex = -1; count.focus(); }
  }

  function setupListPage() {
    listPage.querySelector("[data-reader-ui]").hidden = false;
    all("[data-export]", listPage).forEach(function (node) {
      node.addEventListener("click", function () { exportList(node.getAttribute("data-export"), node.getAttribute("data-action")); });
    });
    var form = listPage.querySelector("[data-reader-import]");
    var area = form.querySelector("textarea");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      importText(area.value, function () { area.value = ""; });
    });
    var file = form.querySelector("input[type=file]");
    file.addEventListener("change", function () {
      if (file.files[0]) file.files[0].text().then(function (value) { importText(value, function () { file.value = ""; }); });
    });
    // The setting that turns single-key shortcuts off (reader.js), shown here too: the keys act on every page.
    var keys = listPage.querySelector("[data-reader-keys-setting]");
    R.keysSetting(keys);
    R.onChange(function () { keys.checked = R.keysOn(); });  // changed in another tab
    renderList();
    // Papers saved from a list have their id, title and date: the rest (authors, BibTeX key) is on their page.
    var partial = list.load().filter(function (rec) { return !rec.missing && (!rec.bibkey || rec.more || !rec.title || !rec.authors); });
    if (partial.length) completing = eachLimited(partial.map(function (rec) { return rec.id; }), 4, fetchRecord).then(function (records) { merge(records, false); });
  }

  function start() {
    listPage = document.getElementById("reading-list");
    if (!listPage) return;
    R.onChange(renderList);
    setupListPage();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
