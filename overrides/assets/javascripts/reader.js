/*
 * The morning read, in the browser; overrides/archive/READER.md is the markup contract.
 *
 * - Lists of papers: j/k select (aria-current), o or Enter open, x expands an entry in
 *   place (its whole abstract, and its AI summary read from its paper page), s saves,
 *   ? shows the keys. Keys never fire while typing or with Ctrl, Alt or Meta held; a setting
 *   (the key help, the reading-list page) turns every single-key shortcut of the site off.
 * - The reading list, in this browser's localStorage: Save buttons on entries and paper
 *   pages (the reading-list page itself is reading-list.js, which uses `archiveReader`).
 * - "New since your last visit" on the home page, and read marks on entries.
 *
 * Every request stays on this site. Text from arXiv reaches the page as text nodes only.
 */
(function () {
  "use strict";

  var core = window.archiveCore;
  var el = core.el, all = core.all, plural = core.plural, root = core.root, ID = core.ID, readJSON = core.readJSON;
  var LIST_KEY = "arxiv-archive:reading-list:v1";
  var READ_KEY = "arxiv-archive:read:v1";
  var VISIT_KEY = "arxiv-archive:visit:v1";
  var KEYS_KEY = "arxiv-archive:keys:v1";
  var READ_KEPT = 5000;
  var DATE = /^\d{4}-\d\d-\d\d$/;
  // Entries: the items of a list marked data-papers (READER.md).
  var ENTRY = "[data-papers] > li";

  function button(text, className, label) {
    var node = el("button", "reader-button " + className, text);
    node.type = "button";
    if (label) node.setAttribute("aria-label", label);
    return node;
  }
  // Math in what a script adds (an expanded abstract): math.js is loaded by the pages that show math, else here.
  function typeset(node) {
    if (typeof window.archiveRenderMath === "function") return window.archiveRenderMath(node);
    if (node.querySelector(".tex-math")) core.load("math.js").then(function () { window.archiveRenderMath(node); });
  }

  // -- storage ----------------------------------------------------------------------

  function writeJSON(key, value) {
    if (core.writeJSON(key, value)) return true;
    say("This browser did not keep the change: its storage is full or turned off.");
    return false;
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
  function saveList(list) { return writeJSON(LIST_KEY, list); }
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

  // An entry's paper: its title link gives the id (from the address), the title and the page;
  // the list (or the entry) its announcement date; data-paper, when present, anything more.
  function recordOf(entry) {
    if (entry.readerRecord === undefined) {
      var link = entry.querySelector(":scope > a");
      var url = link && core.sitePath(link.href);
      var dated = entry.closest("[data-date]");
      var raw = { id: link && core.paperId(link.href), title: link && link.textContent.trim(), date: dated && dated.getAttribute("data-date") };
      try { Object.assign(raw, JSON.parse(entry.getAttribute("data-paper"))); } catch (err) { /* no data-paper: the link says it all */ }
      entry.readerRecord = clean(raw);
      if (entry.readerRecord) {
        entry.readerRecord.url = url;
        link.classList.add("entry-title");
      }
    }
    return entry.readerRecord;
  }

  // A paper page's paper: its citation_* tags (which reference managers read) and its Cite block.
  function pageRecord(doc, url) {
    var meta = function (name) { return all('meta[name="citation_' + name + '"]', doc).map(function (node) { return node.content; }); };
    var cite = doc.querySelector("code[data-key]");
    return clean({
      id: meta("arxiv_id")[0], title: meta("title")[0], authors: meta("author"), doi: meta("doi")[0],
      date: (meta("publication_date")[0] || "").replace(/\//g, "-"),
      bibkey: cite && cite.getAttribute("data-key"), cat: cite && cite.getAttribute("data-class"),
      bibtitle: cite && cite.getAttribute("data-title"), url: url
    });
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
    if (!saveList(list)) return;
    refresh();
    say((at < 0 ? "Saved to your reading list: " : "Removed from your reading list: ") + (rec.title || rec.id));
  }

  function tag(entry, className, label) {
    if (entry.querySelector("." + className)) return;
    var link = entry.querySelector(".entry-title");
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
    all(ENTRY).forEach(function (entry) {
      var rec = recordOf(entry);
      if (rec && read[rec.id]) { entry.classList.add("is-read"); tag(entry, "reader-tag--read", "Read"); }
    });
    if (listeners.length) listeners.forEach(function (listener) { listener(); });
  }

  // -- entries: buttons, expansion -----------------------------------------------------------

  function enhance(scope) {
    all(ENTRY, scope).forEach(function (entry) {
      var rec = recordOf(entry);
      if (!rec || entry.readerDone) return;
      entry.readerDone = true;
      entry.classList.add("paper-entry");
      var title = rec.title || rec.id;
      var expand = button("Expand", "reader-expand", "Expand: " + title);
      expand.setAttribute("aria-expanded", "false");
      expand.addEventListener("click", function () { toggleExpand(entry); });
      var actions = el("span", "reader-actions");
      actions.appendChild(expand);
      actions.appendChild(saveButton(rec, "Save"));
      // The arXiv links come from the id (the site's byte budget: the page has an empty line for them).
      var links = entry.querySelector(".entry-links");
      if (!links) entry.appendChild(links = el("p", "entry-links"));
      if (!links.firstChild) linksTo(links, [["abs", "abs"], ["PDF", "pdf"], ["HTML", "html"]].map(function (l) { return [l[0], core.arxivUrl(rec.id, l[1])]; }));
      links.appendChild(actions);
    });
    refresh();
  }

  // name · name · name into `links`: plain links, nothing is loaded from them.
  function linksTo(links, named) {
    named.forEach(function (pair, i) {
      var link = el("a", "", pair[0]);
      link.href = pair[1];
      if (i) links.appendChild(document.createTextNode(" · "));
      links.appendChild(link);
    });
    return links;
  }

  // A list's abstract that is only its start ends with " …" (generator/website/reader.py).
  function cut(abstract) { return / …$/.test(abstract.textContent); }

  function toggleExpand(entry) {
    var open = !entry.classList.contains("is-expanded");
    entry.classList.toggle("is-expanded", open);
    all(".reader-expand", entry).forEach(function (node) { node.setAttribute("aria-expanded", String(open)); });
    if (!open || entry.readerExpanded) return;
    entry.readerExpanded = true;
    var abstract = entry.querySelector(".entry-abstract");
    if (abstract) typeset(abstract);
    var gist = entry.querySelector(".entry-gist");
    if (!abstract || gist || cut(abstract)) fillFromPage(entry, abstract, gist);
  }

  // A day's entry carries the abstract's start and the summary's gist, other lists neither (the
  // page-size budget): the rest is read from the paper page, once.
  function fillFromPage(entry, abstract, gist) {
    var rec = recordOf(entry);
    var actions = entry.querySelector(".reader-actions");
    var place = function (node, after) {
      if (after) after.insertAdjacentElement("afterend", node); else entry.insertBefore(node, actions && actions.parentNode === entry ? actions : null);
      return node;
    };
    var fetched = !abstract && place(el("p", "entry-abstract entry-fetched", "Loading the abstract…"));
    var box = gist && place(el("div", "entry-summary ai-summary", "Loading the AI summary…"), gist);
    fetchPage(rec.url).then(function (doc) {
      var full = doc.querySelector(".paper-abstract");
      var target = fetched || (abstract && cut(abstract) && abstract);
      if (target && full) {
        // The page's abstract as it renders it: its math marked (span.tex-math) for KaTeX.
        target.textContent = "";
        Array.prototype.forEach.call(full.childNodes, function (node) { target.appendChild(document.importNode(node, true)); });
        typeset(target);
      }
      var source = doc.querySelector(".ai-summary");
      if (source && !box && fetched) box = place(el("div", "entry-summary ai-summary"), fetched);
      if (!box) return;
      if (!source) throw new Error("no summary");
      box.textContent = "";
      // Sanitized when the site was built (generator/text/markdown.py); <summary> is the box's caption.
      all(":scope > :not(summary)", source).forEach(function (node) { box.appendChild(document.importNode(node, true)); });
      outline(box, entry.parentNode);
      typeset(box);
    }).catch(function () {
      var target = box || fetched || place(el("p", "entry-summary"), abstract);
      target.textContent = "The rest is on the ";
      var link = el("a", "", "paper page");
      link.href = new URL(rec.url, root).href;
      target.appendChild(link);
      target.appendChild(document.createTextNode("."));
    });
  }

  // A summary's headings (h3 under its paper page's h2) go one level below the heading the list
  // is under (a day's h1, home's h2, ...), keeping their steps: no level skipped on any list.
  var HEADINGS = "h1,h2,h3,h4,h5,h6";
  function outline(box, list) {
    var under = 0;
    all(HEADINGS).forEach(function (node) { if (node.compareDocumentPosition(list) & 4 && node.getClientRects().length) under = +node.tagName[1]; });
    var heads = all(HEADINGS, box);
    var top = Math.min.apply(Math, heads.map(function (node) { return +node.tagName[1]; }));
    heads.forEach(function (node) {
      var head = el("h" + Math.min(6, under + 1 + (+node.tagName[1]) - top));
      while (node.firstChild) head.appendChild(node.firstChild);
      node.replaceWith(head);
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
    return all(ENTRY).filter(function (entry) { return recordOf(entry) && entry.getClientRects().length; });
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
    markRead(recordOf(entry).id);
    location.href = entry.querySelector(".entry-title").href;
  }

  // Single-key shortcuts are on unless the reader turned them off (WCAG 2.1.4): {"single": false}. The
  // setting is in the key help (keys-help.js, loaded when asked for) and on the reading-list page.
  var keysChosen = null;  // the choice made on this page, when the browser did not keep it (storage full or off)
  function keysOn() { var stored = readJSON(KEYS_KEY); return keysChosen != null ? keysChosen : !(stored && stored.single === false); }
  function keysSetting(box) {  // a checkbox: checked, they are on
    box.checked = keysOn();
    box.onchange = function () { keysChosen = writeJSON(KEYS_KEY, { single: box.checked }) ? null : box.checked; };
  }
  function typing(node) { return node && (node.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName)); }
  var helpBar = null;
  function openHelp() {
    var back = document.activeElement;
    core.load("keys-help.js").then(function () { window.archiveKeysHelp(helpBar, back); });
  }

  function onKey(event) {
    var target = event.target;
    var key = event.key;
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing || typing(target)) return;
    // A focusable label acting as a button (the header's menu button) takes Space as a button does (Material takes Enter).
    if (key === " " && target.matches && target.matches("label[for][tabindex]")) {
      event.preventDefault();
      target.click();
      return;
    }
    if (!keysOn()) {
      // Off: no script of the page sees a character key (search.js's "/", Material's n, p, "," and "."); reader.js
      // runs first on every page (mkdocs.yml). The key's own action (typing, scrolling) stays.
      if (key.length === 1 && key !== " ") event.stopImmediatePropagation();
      return;
    }
    var dialog = document.getElementById("reader-keys");
    if (dialog && dialog.open) return;  // the key help is modal: Escape or its button close it
    var list = entries();
    var at = list.indexOf(selected);
    if (key === "?" && helpBar) {
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
    var dated = all(ENTRY).filter(function (entry) { return recordOf(entry) && recordOf(entry).date; });
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

  // -- start ------------------------------------------------------------------------------

  function start() {
    status = document.querySelector("[data-reader-status]");
    if (!status) {
      status = el("div", "reader-toast");
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    var authors = document.querySelector(".paper-authors");
    var rec = authors && pageRecord(document, core.sitePath(location.href));
    if (rec) {
      markRead(rec.id);
      var paper = document.querySelector(".reader-paper");  // its empty line, after the authors
      if (!paper) authors.insertAdjacentElement("afterend", paper = el("div", "reader-paper"));
      paper.appendChild(saveButton(rec, "Save to reading list"));
    }

    enhance(document);
    var note = document.querySelector("[data-reader-new]");
    if (note) markNew(note);

    // The key help's button, in the page (archive/partials/keys-help.html).
    helpBar = document.querySelector("[data-reader-keys]");
    if (helpBar) helpBar.querySelector("[data-reader-keys-open]").addEventListener("click", openHelp);

    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest(".entry-title");
      var entry = link && link.closest(".paper-entry");
      if (entry && recordOf(entry)) markRead(recordOf(entry).id);
    });
    window.addEventListener("storage", function (event) { if (!event.key || event.key.indexOf("arxiv-archive:") === 0) refresh(); });
    window.addEventListener("pageshow", function (event) { if (event.persisted) refresh(); });
  }

  window.addEventListener("keydown", onKey, true);
  // The reader's own part of the site's scripts (READER.md, "The reader's interface"): `enhance` is for
  // lists added after load (search results); the rest is for the reading-list page (reading-list.js).
  var listeners = [];
  window.archiveReader = {
    enhance: enhance, refresh: function () { refresh(); }, onChange: function (listener) { listeners.push(listener); },
    keysOn: keysOn, keysSetting: keysSetting, say: say, button: button, typeset: typeset,
    list: { load: loadList, save: saveList, find: find }, pageRecord: pageRecord, fetchPage: fetchPage
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
