"""The stats page's charts in a real browser, on a phone: dates on a time axis, gaps as gaps (issue 14).

Regression: the "papers per day" chart put its days on a category axis (a year-long
gap took the same width as a weekend) and drew a smoothed line (tension 0.2) that
invented values between days. The fixture archive's days (2025-04-28, then 2026-04-27,
2026-04-30, 2026-09-24, 2026-09-25) make both visible.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from tests.sitekit import Reader, serve

CHART_STATE = """(id) => {
  const chart = Chart.getChart(document.getElementById(id));
  const box = chart.canvas.getBoundingClientRect();
  return {
    type: chart.config.type,
    scale: chart.scales.x.type,
    ticks: chart.scales.x.ticks.map(t => t.label),
    tickPixels: chart.scales.x.ticks.map(t => chart.scales.x.getPixelForValue(t.value)),
    datasets: chart.data.datasets.map((d, i) => ({
      label: d.label,
      type: d.type || chart.config.type,
      tension: d.tension || 0,
      xs: chart.getDatasetMeta(i).data.map(e => e.x),
      widths: chart.getDatasetMeta(i).data.map(e => e.width),
      colour: d.backgroundColor,
    })),
    left: box.left, right: box.right,
  };
}"""


def test_stats_charts_put_days_at_their_dates_and_fit_a_phone(built_site, browser):
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, color_scheme="light")
        page = reader.page
        page.goto(base + "stats/")
        page.wait_for_function("document.body.dataset.chartsDrawn === '4'")
        data = json.loads(page.locator("#archive-stats").text_content())
        days = [dt.date.fromisoformat(d) for d in data["days"]["labels"]]
        assert (days[1] - days[0]).days > 300 and (days[2] - days[1]).days == 3  # the fixture's gap and its weekend

        state = page.evaluate(CHART_STATE, "chart-days")
        assert state["type"] == "bar" and state["scale"] == "linear"  # bars at dates, no line between days
        assert all(d["tension"] == 0 for d in state["datasets"])
        listed = state["datasets"][0]
        assert listed["label"] == "Papers listed" and len(listed["xs"]) == len(days)
        # Pixel positions are proportional to dates: a 364-day gap is 121 times a 3-day one.
        span_px, span_days = listed["xs"][-1] - listed["xs"][0], (days[-1] - days[0]).days
        for x, day in zip(listed["xs"], days):
            assert abs((x - listed["xs"][0]) - span_px * (day - days[0]).days / span_days) < 1.0, (day, x)
        assert min(listed["widths"]) >= 2  # visible even when a year shares 390 px
        # Tick labels are dates (here month starts, as YYYY-MM), placed at their dates.
        assert state["ticks"] and all(re.fullmatch(r"\d{4}(-\d\d){0,2}", t) for t in state["ticks"]), state["ticks"]
        for label, pixel in zip(state["ticks"], state["tickPixels"]):
            month = dt.date.fromisoformat(label + "-01" if len(label) == 7 else label)
            expected = listed["xs"][0] + span_px * (month - days[0]).days / span_days
            assert abs(pixel - expected) < 1.0, (label, pixel, expected)
        # The summarized bars are a colour of their own, not the indigo of the listed ones.
        assert state["datasets"][1]["colour"] != listed["colour"]

        months = page.evaluate(CHART_STATE, "chart-months")
        assert months["scale"] == "linear" and len(months["datasets"][0]["xs"]) == len(data["months"]["labels"])
        # Empty months are gaps: 2025-04 to 2026-04 is 12 months, 2026-04 to 2026-09 is 5.
        xs = months["datasets"][0]["xs"]
        assert data["months"]["labels"][:3] == ["2025-04", "2026-04", "2026-09"]
        assert abs((xs[1] - xs[0]) / (xs[2] - xs[1]) - 12 / 5) < 0.05

        # Readable on a phone: every chart inside the screen, no sideways scrolling, no error.
        for chart_id in ("chart-days", "chart-months", "chart-categories", "chart-tags"):
            box = page.evaluate(CHART_STATE, chart_id)
            assert box["left"] >= 0 and box["right"] <= 390, (chart_id, box["left"], box["right"])
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.locator("#chart-days").scroll_into_view_if_needed()
        reader.shot("11-stats-phone")
        reader.assert_clean()
        reader.close()
