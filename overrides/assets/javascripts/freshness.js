/*
 * The staleness banner: every page says so when the archive's last update is more than
 * a few weekdays old. A nightly schedule that stopped (GitHub disables scheduled workflows
 * after 60 days without repository activity, and in forks until they are enabled) also
 * stops rebuilding the site, so the check runs here, against the reader's clock.
 *
 * Reads three values (generator/archive/runs.py `freshness_meta` gives them): the site build writes
 * them into assets/javascripts/freshness-values.js (`window.archiveFreshnessValues`,
 * generator/website/plugin.py), which every page loads before this file, so pages carry none and do
 * not change from one night to the next; a page's <meta> tag of the same name wins over them:
 *   archive:last-update            YYYY-MM-DD, the last successful nightly update
 *   archive:built                  the build time (ISO 8601 UTC), shown in the banner's title
 *   archive:stale-after-weekdays   the banner shows past this many weekdays (default 3)
 * Without them it does nothing. Self-contained: no library, text only; its stylesheet
 * (../stylesheets/freshness.css) is fetched only when the banner shows.
 */
(function () {
  "use strict";

  var DAY = 24 * 60 * 60 * 1000;
  var here = document.currentScript ? document.currentScript.src : "";

  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    if (element) return element.getAttribute("content");
    var built = window.archiveFreshnessValues || {};
    return Object.prototype.hasOwnProperty.call(built, name) ? String(built[name]) : null;
  }

  // Midnight UTC of a YYYY-MM-DD date, or null.
  function parseDay(text) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return match ? Date.UTC(+match[1], +match[2] - 1, +match[3]) : null;
  }

  // Monday-to-Friday days d with earlier < d <= later (both midnight UTC), as generator/arxiv/schedule.py counts them.
  function weekdaysBetween(earlier, later) {
    var count = 0;
    for (var day = earlier + DAY; day <= later; day += DAY) {
      var weekday = new Date(day).getUTCDay();
      if (weekday !== 0 && weekday !== 6) count += 1;
    }
    return count;
  }

  // {lastUpdate, waited, limit} when the archive is stale at `now` (a Date), else null.
  function check(now) {
    var lastUpdate = meta("archive:last-update");
    var last = parseDay(lastUpdate);
    if (last === null) return null;
    var limit = parseInt(meta("archive:stale-after-weekdays") || "3", 10);
    if (!(limit >= 0)) limit = 3;
    // The reader's own calendar day: "4 weekdays ago" means what their wall calendar says.
    var today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
    var waited = weekdaysBetween(last, today);
    return waited > limit ? { lastUpdate: lastUpdate, waited: waited, limit: limit } : null;
  }

  function show(stale) {
    if (document.querySelector(".archive-stale")) return;
    var banner = document.createElement("aside");
    banner.className = "archive-stale";
    banner.setAttribute("role", "note");
    var built = meta("archive:built");
    if (built) banner.title = "Site built " + built;
    var strong = document.createElement("strong");
    strong.textContent = "This archive was last updated on " + stale.lastUpdate + ", " + stale.waited + " weekdays ago.";
    banner.appendChild(strong);
    banner.appendChild(document.createTextNode(
      " Its nightly update may have stopped. If this is your archive: open Actions \u2192 nightly on GitHub and " +
      "enable the workflow (GitHub turns scheduled workflows off after 60 days without activity in the repository, " +
      "and in a new fork until you enable them), then run it once."
    ));
    // Material: the content column (not .md-main__inner, a row holding the sidebars too).
    var host = document.querySelector(".md-content") || document.querySelector("main") || document.body;
    host.insertBefore(banner, host.firstChild);
    if (here && !document.querySelector('link[href*="stylesheets/freshness.css"]')) {
      // Shown once styled (or anyway if the stylesheet fails): no page carries the link for a banner that rarely shows.
      banner.hidden = true;
      var style = document.createElement("link");
      style.rel = "stylesheet";
      style.href = new URL("../stylesheets/freshness.css", here).href;
      style.onload = style.onerror = function () { banner.hidden = false; };
      document.head.appendChild(style);
    }
  }

  function run() {
    var stale = check(new Date());
    if (stale) show(stale);
  }

  window.archiveFreshness = { check: check, weekdaysBetween: weekdaysBetween, parseDay: parseDay };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
