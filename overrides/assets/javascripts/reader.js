/*
 * The morning read, in the browser; overrides/archive/READER.md is the markup contract.
 *
 * - Lists of papers: j/k select (aria-current), o or Enter open, x expands an entry in
 *   place (its whole abstract, and its AI summary read from its paper page), s saves,
 *   ? shows the keys. Keys never fire while typing or with Ctrl, Alt or Meta held.
 * - The reading list, in this browser's localStorage: Save buttons on entries and paper
 *   pages; the reading-list page shows it, removes, exports BibTeX (the paper pages'
 *   Cite entries) and ids, and imports ids from any text.
 * - "New since your last visit" on the home page, and read marks on entries.
 *
 * Every request stays on this site. Text from arXiv reaches the page as text nodes only.
 */
(function () {
  "use strict";

  var LIST_KEY = "arxiv-archive:reading-list:v1";
  var READ_KEY = "arxiv-archive:read:v1";
  var VISIT_KEY = "arxiv-archive:visit:v1";
  var READ_KEPT = 5000;
  var IMPORT_MAX = 500;
  var ID = /^(\d{4}\.\d{4,5}|[a-z]+(-[a-z]+)?(\.[A-Z]{2})?\/\d{7})$/;
  // Ids anywhere in a text: 2609.26811, arXiv:2609.26811v2, …/abs/hep-th/9901001, math.GT/0309136v1.
  var IDS_IN_TEXT = /(?<![\w.])(\d\d(?:0[1-9]|1[0-2])\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?\/\d\d(?:0[1-9]|1[0-2])\d{3})(?:v\d+)?(?!\d)/g;
  var DATE = /^\d{4}-\d\d-\d\d$/;

  var config = {};
  try { config = JSON.parse(document.getElementById("__config").textContent); } catch (err) { /* no Material config: links relative to the page */ }
  var root = new URL(String(config.base || ".").replace(/\/?$/, "/"), location.href);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  function button(text, className, label) {
    var node = el("button", "reader-button " + className, text);
    node.type = "button";
    if (label) node.setAttribute("aria-label", label);
    return node;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function all(selector, scope) { return Array.prototype.slice.call((scope || document).querySelectorAll(selector)); }
  function absUrl(id) { return "https://arxiv.org/abs/" + id; }
  function typeset(node) { if (typeof window.archiveRenderMath === "function") window.archiveRenderMath(node); }

  // -- storage ----------------------------------------------------------------------

  // null when absent, undefined when unreadable (not JSON, or storage turned off).
  function readJSON(key) {
    try {
      var raw = localStorage.getItem(key);
      return raw == null ? null : JSON.parse(raw);
    } catch (err) { return undefined; }
  }
  function writeJSON(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (err) {
      say("This browser did not keep the change: its storage is full or turned off.");
      return false;
    }
  }

  function text(value) { return typeof value === "string" && value.length < 5000 ? value : undefined; }

  // A paper record from anything (page data, storage of any age): checked field by field.
  function clean(raw) {
    if (typeof raw === "string") raw = { id: raw };
    if (!raw || typeof raw !== "object" || !ID.test(raw.id)) return null;
    var rec = { id: raw.id };
    ["title", "cat", "doi", "bibtitle"].forEach(function (key) { if (text(raw[key])) rec[key] = raw[key]; });
    if (/^[^\s{},"#%'()=]+$/.test(raw.bibkey)) rec.bibkey = raw.bibkey;
    // Stored links stay inside the site: no scheme, no other host.
    if (text(raw.url) && !/[:\\]|^\/\//.test(raw.url)) rec.url = raw.url;
    if (Array.isArray(raw.authors)) rec.authors = raw.authors.filter(text);
    if (raw.more > 0) rec.more = Math.floor(raw.more);
    if (DATE.test(raw.date)) rec.date = raw.date;
    if (raw.missing) rec.missing = 1;
    rec.saved = typeof raw.saved === "number" ? raw.saved : 0;
    return rec;
  }

  function loadList() {
    var data = readJSON(LIST_KEY);
    if (data === undefined || (data !== null && !Array.isArray(data))) {
      // Set what cannot be read aside (it may matter to someone) and start an empty list.
      try {
        localStorage.setItem(LIST_KEY + ":unreadable", localStorage.getItem(LIST_KEY));
        localStorage.removeItem(LIST_KEY);
      } catch (err) { /* storage turned off: nothing to set aside */ }
      return [];
    }
    var seen = {};
    return (data || []).map(clean).filter(function (rec) { return rec && !seen[rec.id] && (seen[rec.id] = 1); });
  }
  function find(list, id) {
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return i;
    return -1;
  }

  function readIds() {
    var data = readJSON(READ_KEY);
    return Array.isArray(data) ? data.filter(function (id) { return ID.test(id); }) : [];
  }
  function markRead(id) {
    var ids = readIds().filter(function (other) { return other !== id; });
    ids.push(id);
    writeJSON(READ_KEY, ids.slice(-READ_KEPT));
  }

  // -- status messages ----------------------------------------------------------------

  var status = null;
  var statusTimer = 0;
  function say(message) {
    if (!status) return;
    status.textContent = message;
    status.classList.add("is-shown");
    clearTimeout(statusTimer);
    if (status.classList.contains("reader-toast")) {
      statusTimer = setTimeout(function () { status.classList.remove("is-shown"); status.textContent = ""; }, 5000);
    }
  }

  // -- paper records on the page --------------------------------------------------------

  function siteUrl(href) {
    var url = new URL(href, location.href);
    url.hash = url.search = "";
    return url.href.indexOf(root.href) === 0 ? url.href.slice(root.href.length) : url.pathname;
  }
  function recordOf(node) {
    if (node.readerRecord === undefined) {
      try { node.readerRecord = clean(JSON.parse(node.getAttribute("data-paper"))); } catch (err) { node.readerRecord = null; }
      var link = node.querySelector("a.entry-title");
      if (node.readerRecord && link) node.readerRecord.url = siteUrl(link.href);
    }
    return node.readerRecord;
  }

  function saveButton(rec, text) {
    var node = button(text, "reader-save", text + ": " + (rec.title || rec.id));
    node.setAttribute("aria-pressed", "false");
    node.addEventListener("click", function () { toggleSave(rec); });
    node.readerId = rec.id;
    return node;
  }

  function toggleSave(rec) {
    var list = loadList();
    var at = find(list, rec.id);
    if (at < 0) {
      var copy = clean(rec);
      copy.saved = Date.now();
      list.unshift(copy);
    } else {
      list.splice(at, 1);
    }
    if (!writeJSON(LIST_KEY, list)) return;
    refresh();
    say((at < 0 ? "Saved to your reading list: " : "Removed from your reading list: ") + (rec.title || rec.id));
  }

  function tag(entry, className, label) {
    if (entry.querySelector("." + className)) return;
    var link = entry.querySelector("a.entry-title");
    var node = el("span", "reader-tag " + className, label);
    if (link) link.insertAdjacentElement("afterend", node); else entry.insertBefore(node, entry.firstChild);
  }

  // Save buttons and read marks follow storage (another tab, the back button, a click).
  function refresh() {
    var list = loadList();
    var saved = {};
    list.forEach(function (rec) { saved[rec.id] = 1; });
    all(".reader-save").forEach(function (node) { node.setAttribute("aria-pressed", saved[node.readerId] ? "true" : "false"); });
    var read = {};
    readIds().forEach(function (id) { read[id] = 1; });
    all(".paper-entry[data-paper]").forEach(function (entry) {
      var rec = recordOf(entry);
      if (rec && read[rec.id]) { entry.classList.add("is-read"); tag(entry, "reader-tag--read", "Read"); }
    });
    if (listPage) renderList();
  }

  // -- entries: buttons, expansion -----------------------------------------------------------

  function enhance(scope) {
    all(".paper-entry[data-paper]", scope).forEach(function (entry) {
      var rec = recordOf(entry);
      if (!rec || entry.readerDone) return;
      entry.readerDone = true;
      var title = rec.title || rec.id;
      var expand = button("Expand", "reader-expand", "Expand: " + title);
      expand.setAttribute("aria-expanded", "false");
      expand.addEventListener("click", function () { toggleExpand(entry); });
      var actions = el("span", "reader-actions");
      actions.appendChild(expand);
      actions.appendChild(saveButton(rec, "Save"));
      (entry.querySelector(".entry-links") || entry).appendChild(actions);
    });
    refresh();
  }

  function toggleExpand(entry) {
    var open = !entry.classList.contains("is-expanded");
    entry.classList.toggle("is-expanded", open);
    all(".reader-expand", entry).forEach(function (node) { node.setAttribute("aria-expanded", String(open)); });
    if (!open || entry.readerExpanded) return;
    entry.readerExpanded = true;
    var abstract = entry.querySelector(".entry-abstract");
    if (abstract) typeset(abstract);
    var gist = entry.querySelector(".entry-gist");
    if (gist || (abstract && abstract.hasAttribute("data-more"))) fillFromPage(entry, abstract, gist);
  }

  // A list may carry only the abstract's start and the summary's gist (the page-size budget):
  // the rest is read from the paper page, once.
  function fillFromPage(entry, abstract, gist) {
    var rec = recordOf(entry);
    var box = gist && el("div", "entry-summary ai-summary", "Loading the AI summary…");
    if (box) gist.insertAdjacentElement("afterend", box);
    fetchPage(rec.url).then(function (doc) {
      var full = doc.querySelector(".paper-abstract");
      if (abstract && abstract.hasAttribute("data-more") && full) {
        abstract.textContent = full.textContent;
        abstract.removeAttribute("data-more");
        typeset(abstract);
      }
      var source = doc.querySelector(".ai-summary");
      if (!box) return;
      if (!source) throw new Error("no summary");
      box.textContent = "";
      // Sanitized when the site was built (generator/sanitize.py); <summary> is the box's caption.
      all(":scope > :not(summary)", source).forEach(function (node) { box.appendChild(document.importNode(node, true)); });
      typeset(box);
    }).catch(function () {
      var target = box || el("p", "entry-summary");
      if (!box) abstract.insertAdjacentElement("afterend", target);
      target.textContent = "The rest is on the ";
      var link = el("a", "", "paper page");
      link.href = new URL(rec.url, root).href;
      target.appendChild(link);
      target.appendChild(document.createTextNode("."));
    });
  }

  var pages = {};
  function fetchPage(url) {
    var href = new URL(url, root).href;
    if (!pages[href]) {
      pages[href] = fetch(href, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + href);
        return response.text();
      }).then(function (html) { return new DOMParser().parseFromString(html, "text/html"); });
      pages[href].catch(function () { delete pages[href]; });
    }
    return pages[href];
  }

  // -- keys ------------------------------------------------------------------------------

  var selected = null;
  function entries() {
    return all(".paper-entry[data-paper]").filter(function (entry) { return entry.getClientRects().length; });
  }
  function select(entry) {
    if (selected) { selected.removeAttribute("aria-current"); selected.classList.remove("is-selected"); }
    selected = entry;
    entry.setAttribute("aria-current", "true");
    entry.classList.add("is-selected");
    entry.tabIndex = -1;
    // Focus follows the selection, so Tab goes on from the selected paper's links.
    entry.focus({ preventScroll: true });
    entry.scrollIntoView({ block: "nearest" });
  }
  function open(entry) {
    var link = entry.querySelector("a.entry-title");
    if (!link) return;
    markRead(recordOf(entry).id);
    location.href = link.href;
  }

  function help() { return document.getElementById("reader-keys"); }
  var helpReturn = null;
  function openHelp() {
    var dialog = help();
    if (!dialog || dialog.open) return;
    helpReturn = document.activeElement;
    dialog.showModal();
  }

  function onKey(event) {
    var target = event.target;
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var dialog = help();
    if (dialog && dialog.open) return;  // the dialog is modal: Escape or its button close it
    var key = event.key;
    var list = entries();
    var at = list.indexOf(selected);
    if (key === "?" && dialog) {
      openHelp();
    } else if ((key === "j" || key === "k") && list.length) {
      select(list[at < 0 ? 0 : Math.max(0, Math.min(list.length - 1, at + (key === "j" ? 1 : -1)))]);
    } else if (at < 0) {
      return;
    } else if (key === "o" || (key === "Enter" && (target === selected || target === document.body))) {
      open(selected);
    } else if (key === "x") {
      toggleExpand(selected);
    } else if (key === "s") {
      toggleSave(recordOf(selected));
    } else {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();  // search.js takes "s" too: on a list, it saves
  }

  // -- home: new since your last visit -------------------------------------------------------

  function markNew(note) {
    var days = {};
    try { days = JSON.parse(note.getAttribute("data-days")) || {}; } catch (err) { days = {}; }
    var dated = all(".paper-entry[data-paper]").filter(function (entry) { return recordOf(entry) && recordOf(entry).date; });
    var dates = Object.keys(days).filter(function (day) { return DATE.test(day); });
    var newest = dates.concat(dated.map(function (entry) { return recordOf(entry).date; })).sort().pop();
    if (!newest) return;
    var visit = readJSON(VISIT_KEY) || {};
    var seen = DATE.test(visit.seen) ? visit.seen : "";
    var before = DATE.test(visit.before) ? visit.before : "";
    if (!seen) {
      writeJSON(VISIT_KEY, { seen: newest });  // a first visit: nothing is new yet
      return;
    }
    if (newest > seen) {
      before = seen;
      writeJSON(VISIT_KEY, { seen: newest, before: before });
    }
    if (!before) return;
    var fresh = dated.filter(function (entry) { return recordOf(entry).date > before; });
    fresh.forEach(function (entry) { entry.classList.add("is-new"); tag(entry, "reader-tag--new", "New"); });
    var count = dates.length
      ? dates.reduce(function (sum, day) { return sum + (day > before ? Number(days[day]) || 0 : 0); }, 0)
      : fresh.length;
    note.textContent = count
      ? plural(count, "new paper") + " since your last visit" + (fresh.length < count ? ", " + fresh.length + " of them below." : ".")
      : "Nothing new since your last visit.";
    note.hidden = false;
  }

  // -- the reading-list page ------------------------------------------------------------------

  var listPage = null;

  function paperUrl(id) {
    var prefix = /^\d{4}\./.test(id) ? id.slice(0, 4) + "/" : "";
    return listPage.getAttribute("data-paper-url").replace("{path}", prefix + id);
  }

  // A paper's record from its page here: the contract's data, then its citation_* tags.
  function fetchRecord(id) {
    var url = paperUrl(id);
    return fetchPage(url).then(function (doc) {
      var holder = doc.querySelector(".reader-paper[data-paper]");
      var rec = (holder && recordOf(holder)) || { id: id };
      var meta = function (name) { return all('meta[name="citation_' + name + '"]', doc).map(function (node) { return node.content; }); };
      if (rec.id !== id) rec = { id: id };
      rec.title = rec.title || meta("title")[0];
      if (!rec.authors || rec.more) { rec.authors = meta("author"); delete rec.more; }
      rec.date = rec.date || (meta("publication_date")[0] || "").replace(/\//g, "-");
      rec.doi = rec.doi || meta("doi")[0];
      rec.url = url;
      if (!rec.title) throw new Error("not a paper page");
      return clean(rec);
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
    var list = loadList();
    var now = Date.now();
    records.slice().reverse().forEach(function (rec) {
      var at = find(list, rec.id);
      if (at >= 0) {
        if (rec.missing && list[at].title) return;  // keep what a list entry gave
        rec.saved = list[at].saved;
        list[at] = rec;
      } else if (atTop) {
        rec.saved = now;
        list.unshift(rec);
      }
    });
    writeJSON(LIST_KEY, list);
    refresh();
  }

  function idsIn(value) {
    var ids = [];
    String(value).replace(IDS_IN_TEXT, function (match, id) { if (ids.indexOf(id) < 0) ids.push(id); return match; });
    return ids;
  }

  function importText(value, done) {
    var ids = idsIn(value).slice(0, IMPORT_MAX);
    if (!ids.length) { say("No arXiv id found in that text."); return; }
    var list = loadList();
    var todo = ids.filter(function (id) { var at = find(list, id); return at < 0 || list[at].missing; });
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

  // Unbalanced braces would break every later entry of the .bib file (as sitegen/layout.py).
  function balanced(value) {
    var depth = 0;
    for (var i = 0; i < value.length && depth >= 0; i++) depth += value[i] === "{" ? 1 : value[i] === "}" ? -1 : 0;
    return depth === 0 ? value : value.replace(/\{/g, "(").replace(/\}/g, ")");
  }

  // The paper page's Cite entry, in its field order; keys made unique within the file.
  function bibtex(list) {
    var used = {};
    return list.map(function (rec) {
      var base = rec.bibkey || "arXiv:" + rec.id;
      var key = base;
      for (var n = 1; used[key]; n++) key = base + String.fromCharCode(97 + n);
      used[key] = 1;
      var authors = (rec.authors || []).join(" and ");
      var fields = [
        ["title", rec.bibtitle || rec.title],
        ["author", authors && rec.more ? authors + " and others" : authors],
        ["year", (rec.date || "").slice(0, 4)],
        ["eprint", rec.id],
        ["archivePrefix", "arXiv"],
        ["primaryClass", rec.cat],
        ["url", absUrl(rec.id)],
        ["doi", rec.doi]
      ].filter(function (field) { return field[1]; });
      return "@misc{" + key + ",\n" + fields.map(function (field) { return "      " + field[0] + "={" + balanced(field[1]) + "}"; }).join(",\n") + ",\n}";
    }).join("\n\n") + "\n";
  }

  function exportList(format, action) {
    var list = loadList();
    if (!list.length) { say("Your reading list is empty: nothing to export."); return; }
    var content = format === "bib" ? bibtex(list) : list.map(function (rec) { return rec.id; }).join("\n") + "\n";
    var what = format === "bib" ? "BibTeX of " + plural(list.length, "paper") : plural(list.length, "arXiv id");
    if (action === "download") {
      var link = el("a");
      link.href = URL.createObjectURL(new Blob([content], { type: format === "bib" ? "application/x-bibtex" : "text/plain" }));
      link.download = format === "bib" ? "reading-list.bib" : "reading-list.txt";
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
    var list = loadList();
    items.textContent = "";
    count.textContent = list.length
      ? plural(list.length, "saved paper") + ", newest first."
      : "No saved papers yet. Save papers with their Save button, or with s on a list of papers.";
    list.forEach(function (rec) {
      var item = el("li", "reading-item");
      var title = el("a", "reading-title arxiv-tex", rec.title || "arXiv:" + rec.id);
      title.href = rec.missing ? absUrl(rec.id) : new URL(rec.url || paperUrl(rec.id), root).href;
      var meta = [authorsText(rec), rec.date, "arXiv:" + rec.id].filter(Boolean);
      if (rec.missing) meta.push("not in this archive: the link goes to arXiv");
      var remove = button("Remove", "reader-remove", "Remove: " + (rec.title || rec.id));
      remove.addEventListener("click", function () {
        var now = loadList();
        var at = find(now, rec.id);
        if (at < 0) return;
        now.splice(at, 1);
        if (!writeJSON(LIST_KEY, now)) return;
        refresh();
        focusAfterRemoval(at);
        say("Removed from your reading list: " + (rec.title || rec.id));
      });
      item.appendChild(title);
      item.appendChild(el("p", "reading-meta", meta.join(" · ")));
      item.appendChild(remove);
      items.appendChild(item);
    });
    typeset(items);
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
    renderList();
    // Papers saved from a list lack what only their page has (all authors); imported ids may lack all.
    var partial = loadList().filter(function (rec) { return !rec.missing && (!rec.bibkey || rec.more || !rec.title); });
    if (partial.length) eachLimited(partial.map(function (rec) { return rec.id; }), 4, fetchRecord).then(function (records) { merge(records, false); });
  }

  // -- start ------------------------------------------------------------------------------

  function start() {
    status = document.querySelector("[data-reader-status]");
    if (!status) {
      status = el("div", "reader-toast");
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    listPage = document.getElementById("reading-list");
    if (listPage) setupListPage();

    var paper = document.querySelector(".reader-paper[data-paper]");
    var rec = paper && recordOf(paper);
    if (rec) {
      rec.url = siteUrl(location.href);
      markRead(rec.id);
      paper.appendChild(saveButton(rec, "Save to reading list"));
    }

    enhance(document);
    var note = document.querySelector("[data-reader-new]");
    if (note) markNew(note);

    var dialog = help();
    if (dialog) {
      dialog.addEventListener("close", function () { if (helpReturn && helpReturn.focus) helpReturn.focus(); });
      dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });  // the backdrop
    }
    all("[data-reader-keys-open]").forEach(function (node) {
      node.hidden = false;
      node.addEventListener("click", openHelp);
    });

    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.entry-title");
      var entry = link && link.closest(".paper-entry[data-paper]");
      if (entry && recordOf(entry)) markRead(recordOf(entry).id);
    });
    window.addEventListener("storage", function (event) { if (!event.key || event.key.indexOf("arxiv-archive:") === 0) refresh(); });
    window.addEventListener("pageshow", function (event) { if (event.persisted) refresh(); });
  }

  window.addEventListener("keydown", onKey, true);
  window.archiveReader = { enhance: enhance };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
