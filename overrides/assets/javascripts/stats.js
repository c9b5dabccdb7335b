/*
 * The stats page's charts (Chart.js, served from this site), drawn from the numbers
 * the build embedded in #archive-stats; colours follow the light/dark palette.
 *
 * Days and months sit on a time axis: a linear axis over day (or month) numbers with
 * date tick labels, one bar per day at its date, so a year without announcements
 * shows as a year of empty axis and nothing is drawn between two days (no line to
 * smooth, no value invented). Chart.js's own time scale would need a date adapter
 * library; whole days and months need none.
 */
(function () {
  "use strict";

  var source = document.getElementById("archive-stats");
  if (!source || typeof window.Chart !== "function") return;
  var data = JSON.parse(source.textContent);
  var charts = [];
  var DAY_MS = 86400000;
  var LABEL_WIDTH = 76; // px per x tick label ("2026-04-30" at 12px, plus room)

  function colours() {
    var style = getComputedStyle(document.body);
    return {
      primary: style.getPropertyValue("--md-primary-fg-color").trim() || "#4051b5",
      accent: style.getPropertyValue("--md-accent-fg-color").trim() || "#526cfe",
      // Summaries in a hue of their own (Okabe-Ito orange: colour-blind safe, readable on
      // both palettes): the indigo accent is too close to the primary on a 2 px bar.
      summary: "#e69f00",
      text: style.getPropertyValue("--md-default-fg-color--light").trim() || "#555",
      grid: style.getPropertyValue("--md-default-fg-color--lightest").trim() || "#ddd"
    };
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // Day numbers (days since 1970-01-01, UTC) and month numbers (year * 12 + month - 1).
  function dayNumber(iso) {
    var p = iso.split("-");
    return Math.round(Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY_MS);
  }
  function dayLabel(n) {
    var d = new Date(n * DAY_MS);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
  }
  function monthNumber(iso) {
    var p = iso.split("-");
    return +p[0] * 12 + (+p[1] - 1);
  }
  function monthLabel(n) { return Math.floor(n / 12) + "-" + pad((n % 12) + 1); }
  function monthOfDay(n) {
    var d = new Date(n * DAY_MS);
    return d.getUTCFullYear() * 12 + d.getUTCMonth();
  }
  function firstDayOfMonth(m) { return Math.round(Date.UTC(Math.floor(m / 12), m % 12, 1) / DAY_MS); }

  // Tick positions at calendar boundaries: days, weeks, month starts or year starts,
  // the finest step that leaves each label `LABEL_WIDTH` pixels.
  function dayTicks(min, max, width) {
    var room = Math.max(2, Math.floor(width / LABEL_WIDTH));
    var span = Math.max(1, max - min);
    var steps = [1, 2, 7, 14];
    for (var i = 0; i < steps.length; i++) {
      if (span / steps[i] <= room) {
        var out = [];
        for (var n = Math.ceil(min / steps[i]) * steps[i]; n <= max; n += steps[i]) out.push({ value: n, label: dayLabel(n) });
        return out;
      }
    }
    // Longer spans: ticks at month (or year) starts, labelled as months (or years).
    var months = monthTicks(monthOfDay(min) + 1, monthOfDay(max), width);
    return months.map(function (t) { return { value: firstDayOfMonth(t.value), label: t.label }; });
  }
  function monthTicks(min, max, width) {
    var room = Math.max(2, Math.floor(width / LABEL_WIDTH));
    var span = Math.max(1, max - min);
    var steps = [1, 2, 3, 6, 12, 24, 60, 120];
    var step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) {
      if (span / steps[i] <= room) { step = steps[i]; break; }
    }
    var out = [];
    for (var m = Math.ceil(min / step) * step; m <= max; m += step) {
      out.push({ value: m, label: step >= 12 ? String(Math.floor(m / 12)) : monthLabel(m) });
    }
    return out;
  }

  // A bar a few pixels wide even when a year of days shares a phone's width
  // (40 px: about what the y axis takes).
  function thickness(chart, span) {
    return Math.max(2, Math.min(24, Math.floor((0.8 * (chart.width - 40)) / Math.max(1, span))));
  }

  function timeAxis(c, min, max, ticksFor, label) {
    var margin = Math.max(1, Math.ceil((max - min) / 50)); // the first and last bars clear of the edges
    return {
      type: "linear",
      min: min - margin,
      max: max + margin,
      offset: false,
      grid: { display: false },
      // The ticks carry their own labels (a month start reads "2026-04", not "2026-04-01").
      ticks: { color: c.text, maxRotation: 0, autoSkip: false, callback: function (value, index, ticks) { return (ticks[index] && ticks[index].label) || label(value); } },
      afterBuildTicks: function (scale) {
        scale.ticks = ticksFor(min, max, scale.width || scale.chart.width);
      }
    };
  }

  function timeBars(id, c, common, numbers, series, ticksFor, label) {
    var canvas = document.getElementById(id);
    if (!canvas || !numbers.length) return;
    var min = numbers[0], max = numbers[numbers.length - 1];
    var span = max - min + 2 * Math.max(1, Math.ceil((max - min) / 50));
    var datasets = series.map(function (s, index) {
      return {
        label: s.label,
        data: numbers.map(function (n, i) { return { x: n, y: s.values[i] }; }),
        backgroundColor: s.colour,
        // A day's bars overlap at its date, later series in front: "with AI summary" (never more
        // than listed) colours the lower part of the "listed" bar.
        grouped: false,
        order: series.length - index,
        barThickness: 4,
        categoryPercentage: 1,
        barPercentage: 1
      };
    });
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: { datasets: datasets },
      options: Object.assign({}, common, {
        scales: {
          x: timeAxis(c, min, max, ticksFor, label),
          y: { ticks: { color: c.text, precision: 0 }, grid: { color: c.grid }, beginAtZero: true }
        },
        interaction: { mode: "index", axis: "x", intersect: false },
        plugins: Object.assign({}, common.plugins, {
          legend: { labels: { color: c.text, boxWidth: 12, sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } } },
          tooltip: { callbacks: { title: function (items) { return items.length ? label(items[0].parsed.x) : ""; } } }
        }),
        onResize: function (chart) { fit(chart, span); }
      })
    });
    fit(chart, span);
    charts.push(chart);
  }

  function fit(chart, span) {
    var width = thickness(chart, span);
    var changed = false;
    chart.data.datasets.forEach(function (dataset) {
      if (dataset.barThickness !== width) { dataset.barThickness = width; changed = true; }
    });
    if (changed) chart.update("none");
  }

  function axes(c) {
    // Horizontal bars (categories, tags): long names cut so the bars keep room on a phone.
    var narrow = window.innerWidth < 600;
    return {
      x: { ticks: { color: c.text, maxRotation: 0, precision: 0 }, grid: { color: c.grid }, beginAtZero: true, stacked: true },
      y: {
        ticks: {
          color: c.text,
          autoSkip: false,
          callback: function (value) {
            var name = this.getLabelForValue(value);
            var limit = narrow ? 14 : 28;
            return name.length > limit ? name.slice(0, limit - 1) + "…" : name;
          }
        },
        grid: { display: false },
        stacked: true
      }
    };
  }

  function draw() {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    var c = colours();
    var common = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { labels: { color: c.text, boxWidth: 12 } } } };
    function make(id, config) {
      var canvas = document.getElementById(id);
      if (canvas) charts.push(new window.Chart(canvas, config));
    }
    timeBars("chart-days", c, common, data.days.labels.map(dayNumber), [
      { label: "Papers listed", values: data.days.listed, colour: c.primary },
      { label: "With AI summary", values: data.days.summarized, colour: c.summary }
    ], dayTicks, function (n) { return dayLabel(Math.round(n)); });
    timeBars("chart-months", c, common, data.months.labels.map(monthNumber), [
      { label: "Papers", values: data.months.papers, colour: c.primary }
    ], monthTicks, function (n) { return monthLabel(Math.round(n)); });
    make("chart-categories", {
      type: "bar",
      data: { labels: data.categories.labels, datasets: [
        { label: "Primary", data: data.categories.primary, backgroundColor: c.primary },
        { label: "Cross-listed", data: data.categories.cross, backgroundColor: c.accent }
      ] },
      options: Object.assign({}, common, { indexAxis: "y", scales: axes(c) })
    });
    make("chart-tags", {
      type: "bar",
      data: { labels: data.tags.labels, datasets: [{ label: "Papers", data: data.tags.papers, backgroundColor: c.primary }] },
      options: Object.assign({}, common, { indexAxis: "y", scales: axes(c) })
    });
    document.body.dataset.chartsDrawn = String(charts.length);
  }

  draw();
  // Redraw in the other palette's colours when the reader toggles light/dark.
  new MutationObserver(draw).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
})();
