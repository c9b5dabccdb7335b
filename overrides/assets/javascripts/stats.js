/*
 * The stats page's charts (Chart.js, served from this site), drawn from the numbers
 * the build embedded in #archive-stats; colours follow the light/dark palette.
 */
(function () {
  "use strict";

  var source = document.getElementById("archive-stats");
  if (!source || typeof window.Chart !== "function") return;
  var data = JSON.parse(source.textContent);
  var charts = [];

  function colours() {
    var style = getComputedStyle(document.body);
    return {
      primary: style.getPropertyValue("--md-primary-fg-color").trim() || "#4051b5",
      accent: style.getPropertyValue("--md-accent-fg-color").trim() || "#526cfe",
      text: style.getPropertyValue("--md-default-fg-color--light").trim() || "#555",
      grid: style.getPropertyValue("--md-default-fg-color--lightest").trim() || "#ddd"
    };
  }

  function axes(c, horizontal) {
    var ticks = { color: c.text, autoSkip: true, maxRotation: 0 };
    var grid = { color: c.grid };
    return horizontal
      ? { x: { ticks: ticks, grid: grid, beginAtZero: true, stacked: true }, y: { ticks: { color: c.text, autoSkip: false }, grid: { display: false }, stacked: true } }
      : { x: { ticks: ticks, grid: { display: false } }, y: { ticks: ticks, grid: grid, beginAtZero: true } };
  }

  function draw() {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    var c = colours();
    var common = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { labels: { color: c.text } } } };
    function make(id, config) {
      var canvas = document.getElementById(id);
      if (canvas) charts.push(new window.Chart(canvas, config));
    }
    make("chart-days", {
      type: "line",
      data: { labels: data.days.labels, datasets: [
        { label: "Papers listed", data: data.days.listed, borderColor: c.primary, backgroundColor: c.primary, pointRadius: 0, borderWidth: 1.5, tension: 0.2 },
        { label: "With AI summary", data: data.days.summarized, borderColor: c.accent, backgroundColor: c.accent, pointRadius: 0, borderWidth: 1.5, tension: 0.2 }
      ] },
      options: Object.assign({}, common, { scales: axes(c, false), interaction: { mode: "index", intersect: false } })
    });
    make("chart-months", {
      type: "bar",
      data: { labels: data.months.labels, datasets: [{ label: "Papers", data: data.months.papers, backgroundColor: c.primary }] },
      options: Object.assign({}, common, { scales: axes(c, false) })
    });
    make("chart-categories", {
      type: "bar",
      data: { labels: data.categories.labels, datasets: [
        { label: "Primary", data: data.categories.primary, backgroundColor: c.primary },
        { label: "Cross-listed", data: data.categories.cross, backgroundColor: c.accent }
      ] },
      options: Object.assign({}, common, { indexAxis: "y", scales: axes(c, true) })
    });
    make("chart-tags", {
      type: "bar",
      data: { labels: data.tags.labels, datasets: [{ label: "Papers", data: data.tags.papers, backgroundColor: c.primary }] },
      options: Object.assign({}, common, { indexAxis: "y", scales: axes(c, true) })
    });
    document.body.dataset.chartsDrawn = String(charts.length);
  }

  draw();
  // Redraw in the other palette's colours when the reader toggles light/dark.
  new MutationObserver(draw).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
})();
