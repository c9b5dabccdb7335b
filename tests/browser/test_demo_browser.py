"""The demo site in a real browser: its AI summaries show on the home, day and paper pages (issue 14).

The site tests' fixture archive is the demo archive (demo.build: the real summary
stage against the `demo-replay` loopback server) plus a few extra papers, built with
`mkdocs build --strict` as `make demo` builds it. A reader on a phone sees the
summaries the tagline promises, marked as the demo's replayed answers.
"""

from __future__ import annotations

import re

from tests.sitekit import Reader, serve


def test_a_reader_sees_the_demo_summaries_on_home_day_and_paper_pages(built_site, browser):
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = reader.page
        page.goto(base)
        facts = page.locator(".home-facts").inner_text()
        count = int(re.search(r"(\d+)\s+AI summaries", facts).group(1))
        assert count >= 12, facts  # three per demo day, four demo days

        page.goto(base + "days/2026/2026-04-30/")
        assert "3 summarized" in page.locator("article").inner_text()
        marked = page.locator("article li:has(.entry-gist)")  # a summarized paper's entry shows its gist ("AI summary: …")
        assert marked.count() == 3
        marked.nth(1).locator("a").first.click()  # the first, 2604.26837, carries the fixture's own summary
        page.wait_for_url("**/papers/2604/2604.26951/")
        summary = page.locator("details.ai-summary")
        assert summary.get_attribute("open") is not None
        assert "Summarized by demo-replay from the abstract of v1" in summary.locator("summary").inner_text()
        body = summary.inner_text()
        assert "Demo answer: written by hand for this demo" in body
        assert "HumanEval 48.78 vs 32.3" in body and "Conclusions, limitations and future work" in body
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        reader.shot("10-demo-summary-phone")
        reader.assert_clean()
        reader.close()
