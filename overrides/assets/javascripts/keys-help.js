/*
 * The key help of paper lists: a dialog listing the keys, with the setting that turns every
 * single-key shortcut of the site off (WCAG 2.1.4), remembered in this browser (READER.md).
 * reader.js loads this script when the reader first asks for the help (its "Keyboard shortcuts"
 * button, or "?"): no page carries it until then (a day page's script budget).
 */
(function () {
  "use strict";

  var KEYS = [["j k", "next, previous paper (the first j selects the first)"], ["o Enter", "open the selected paper's page"],
    ["x", "expand or collapse it: the whole abstract and the AI summary"], ["s", "save it to your reading list, or remove it"],
    ["/", "search"], ["?", "this help"]];
  var back = null;  // where focus goes back to when the dialog closes

  // Fixed text only: written as HTML, after the place the page marks for the help.
  function build(bar) {
    bar.insertAdjacentHTML("afterend", '<dialog class="reader-keys" id="reader-keys" aria-labelledby="reader-keys-title">' +
      '<h2 class="reader-keys-title" id="reader-keys-title">Keyboard shortcuts</h2><dl>' +
      KEYS.map(function (pair) { return "<dt><kbd>" + pair[0].split(" ").join("</kbd> <kbd>") + "</kbd></dt><dd>" + pair[1] + "</dd>"; }).join("") +
      '</dl><p>Keys do nothing while you type in a field.</p>' +
      '<p class="reader-keys-setting"><label><input type="checkbox" data-reader-keys-setting> Use single-key shortcuts</label>' +
      '<span>Off, no letter or sign key does anything on this site, in this browser (Ctrl+K still searches).</span></p>' +
      '<form method="dialog"><button class="reader-button" autofocus>Close</button></form></dialog>');
    var dialog = bar.nextElementSibling;
    dialog.addEventListener("close", function () { if (back && back.focus) back.focus(); });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });  // the backdrop
    return dialog;
  }

  window.archiveKeysHelp = function (bar, returnTo) {
    var dialog = document.getElementById("reader-keys") || build(bar);
    if (dialog.open) return;
    back = returnTo;
    // The setting as stored now (another tab, the reading-list page may have changed it).
    window.archiveReader.keysSetting(dialog.querySelector("[data-reader-keys-setting]"));
    dialog.showModal();
  };
})();
