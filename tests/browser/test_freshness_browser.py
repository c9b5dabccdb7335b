"""The staleness banner (overrides/assets/javascripts/freshness.js) in a real browser.

A page of the real built site (the session's `mkdocs build` of the fixture archive, which
copies the asset with the theme's other files) gets the <meta> tags that
generator.archive.runs.freshness_meta computes from the fixture archive's run records, then the
script and its stylesheet, with the browser's clock set to the day a reader opens it. The
banner shows only past 3 weekdays since the last successful night, says when that was and
what to do, stays inside the page at phone width, and counts weekdays as the generator does.
"""

from __future__ import annotations

import datetime as dt

import pytest

from generator.archive.runs import freshness_meta, last_successful_night
from generator.archive.store import Archive
from generator.arxiv.schedule import weekdays_between
from tests.conftest import ROOT
from tests.sitekit import Reader, serve

PAGE = "papers/2504/2504.18298/"
SOURCE = ROOT / "overrides" / "assets" / "javascripts" / "freshness.js"


def open_page(browser, base: str, now: dt.datetime, meta: dict[str, str], width: int = 1280) -> Reader:
    reader = Reader(browser, base, viewport={"width": width, "height": 900})
    reader.page.clock.set_fixed_time(now)
    # The script as the theme ships it, without the values the build writes for it (the last
    # test below checks those): here the page's <meta> tags are the only input.
    reader.page.route(
        "**/assets/javascripts/freshness.js?*", lambda route: route.fulfill(body=SOURCE.read_bytes(), content_type="text/javascript")
    )
    reader.page.route("**/assets/javascripts/freshness-values.js", lambda route: route.fulfill(body=b"", content_type="text/javascript"))
    reader.page.goto(base + PAGE)
    reader.page.evaluate(
        """meta => { for (const [name, content] of Object.entries(meta)) {
            const tag = document.createElement("meta"); tag.name = name; tag.content = content; document.head.appendChild(tag); } }""",
        meta,
    )
    reader.page.add_style_tag(url=base + "assets/stylesheets/freshness.css")
    reader.page.add_script_tag(url=base + "assets/javascripts/freshness.js")
    reader.page.wait_for_function("window.archiveFreshness !== undefined")
    return reader


@pytest.fixture(scope="module")
def meta(fixture_archive):
    records = Archive(fixture_archive.docs).read_run_records()
    night = last_successful_night(records)
    assert night is not None  # the fixture archive was made by real nightly runs
    return freshness_meta(records, dt.datetime(2026, 9, 25, 6, 0, tzinfo=dt.UTC))


def test_the_banner_shows_only_past_three_weekdays_since_the_last_night(built_site, browser, meta):
    last = dt.date.fromisoformat(meta["archive:last-update"])
    with serve(built_site) as base:
        for waited in range(7):
            day = last
            while weekdays_between(last, day) < waited or day.weekday() >= 5:
                day += dt.timedelta(days=1)
            reader = open_page(browser, base, dt.datetime.combine(day, dt.time(10, 0)), meta)
            banner = reader.page.locator(".archive-stale")
            if waited > 3:
                assert banner.count() == 1, (waited, day)
                text = banner.inner_text()
                assert f"last updated on {last.isoformat()}, {waited} weekdays ago" in text
                assert "Actions → nightly" in text and "60 days" in text
            else:
                assert banner.count() == 0, (waited, day)
            reader.assert_clean()
            reader.close()


def test_the_banner_sits_above_the_content_and_fits_a_phone(built_site, browser, meta):
    last = dt.date.fromisoformat(meta["archive:last-update"])
    with serve(built_site) as base:
        reader = open_page(browser, base, dt.datetime.combine(last + dt.timedelta(days=21), dt.time(9, 0)), meta, width=390)
        banner = reader.page.locator(".md-content > .archive-stale")
        assert banner.count() == 1 and banner.is_visible()
        box, article = banner.bounding_box(), reader.page.locator("article").bounding_box()
        assert box["y"] < article["y"] and box["x"] + box["width"] <= 390
        assert reader.page.evaluate("document.documentElement.scrollWidth") <= 390
        assert banner.get_attribute("title") == f"Site built {meta['archive:built']}"
        reader.shot("freshness-banner-phone")
        reader.assert_clean()
        reader.close()


def test_without_the_meta_tags_nothing_happens(built_site, browser):
    with serve(built_site) as base:
        reader = open_page(browser, base, dt.datetime(2030, 1, 1, 12, 0), {})
        assert reader.page.locator(".archive-stale").count() == 0
        assert reader.page.evaluate("window.archiveFreshness.check(new Date())") is None
        reader.assert_clean()
        reader.close()


def test_the_browser_counts_weekdays_as_the_generator_does(built_site, browser):
    pairs = [
        (dt.date(2026, 9, 25) + dt.timedelta(days=a), dt.date(2026, 9, 25) + dt.timedelta(days=a + b))
        for a in range(7)
        for b in range(-2, 12)
    ]
    with serve(built_site) as base:
        reader = open_page(browser, base, dt.datetime(2026, 9, 25, 12, 0), {})
        counted = reader.page.evaluate(
            "pairs => pairs.map(([a, b]) => window.archiveFreshness.weekdaysBetween(window.archiveFreshness.parseDay(a), "
            "window.archiveFreshness.parseDay(b)))",
            [[a.isoformat(), b.isoformat()] for a, b in pairs],
        )
        assert counted == [weekdays_between(a, b) for a, b in pairs]
        reader.close()


def test_every_page_of_the_built_site_carries_the_banner_with_the_builds_values(built_site, browser, meta):
    """Issue 13, wired: no page carries the tags; the built freshness-values.js, which every page loads
    before freshness.js, holds the last night and the build time."""
    script = (built_site / "assets" / "javascripts" / "freshness-values.js").read_text(encoding="utf-8")
    assert (
        script.startswith("/* Written by the archive plugin") and '"archive:last-update": "' + meta["archive:last-update"] + '"' in script
    )
    last = dt.date.fromisoformat(meta["archive:last-update"])
    with serve(built_site) as base:
        for page in (PAGE, "days/2026/2026-04-30/", "about/"):
            for now, shown in (
                (dt.datetime.combine(last + dt.timedelta(days=21), dt.time(9, 0)), True),
                (dt.datetime.combine(last, dt.time(23, 0)), False),
            ):
                reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
                reader.page.clock.set_fixed_time(now)
                reader.page.goto(base + page)
                reader.page.wait_for_function("window.archiveFreshness !== undefined")
                assert 'name="archive:last-update"' not in reader.page.content()
                banner = reader.page.locator(".md-content > .archive-stale")
                if shown:
                    banner.wait_for(state="visible")  # once its stylesheet is in
                    assert f"last updated on {last.isoformat()}, 15 weekdays ago" in banner.inner_text(), page
                    assert banner.evaluate("b => getComputedStyle(b).borderLeftStyle") != "none"  # styled by freshness.css
                else:
                    assert banner.count() == 0, page
                reader.assert_clean()
                reader.close()
