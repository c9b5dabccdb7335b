/*
 * The key help of paper lists: a dialog listing the keys (READER.md).
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
    dialog.showModal();
  };
})();
