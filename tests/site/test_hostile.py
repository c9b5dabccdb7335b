"""Hostile input through the whole generator: a hostile arXiv feed, API and LLM on 127.0.0.1,
the real CLI, then every page parsed, round-tripped and laid out by the site's templates
(overrides/archive/). See tests/hostile.py for the payloads (edited copies of recorded fixtures).
"""

from __future__ import annotations

import re
import shutil
import time
import unicodedata
from pathlib import Path, PurePosixPath

import pytest

from generator.archive.records import paper_page, read_paper
from generator.arxiv.feed import parse_announcements
from generator.text.clean import clean_tex
from generator.text.markdown import is_html_body, render_summary_html
from generator.text.tex import tex_html
from tests.conftest import snapshot
from tests.hostile import (
    HTML_BODIES,
    LLM_KEY,
    SNIPPET_CANARY,
    TRAVERSAL_IDS,
    active_content,
    build_hostile_archive,
    hand_edit_html_bodies,
    parse_html,
    problems_in_day_html,
    problems_in_links,
    problems_in_paper_html,
    raw_html,
    read_page,
)
from tests.sitekit import DEMO_CONFIG, rendered_article

INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\x00-\x08\x0b\x0c\x0e-\x1f]")
PAGE_PATH = re.compile(
    r"^(papers/\d{4}/\d{4}\.\d{4,5}\.md|papers/[a-z-]+(\.[A-Z]{2})?/\d{7}\.md|days/\d{4}/\d{4}-\d{2}-\d{2}\.md|runs/\d{4}/\d{4}-\d{2}-\d{2}\.yml)$"
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    started = time.monotonic()
    archive = build_hostile_archive(root / "work")
    archive.seconds = time.monotonic() - started  # type: ignore[attr-defined]
    archive.root = root  # type: ignore[attr-defined]
    return archive


def paper_pages(docs: Path) -> list[Path]:
    return sorted((docs / "papers").rglob("*.md"))


def test_the_night_completes_and_only_unreadable_items_are_skipped(hostile):
    assert hostile.exit_code == 0, hostile.stderr
    assert hostile.seconds < 30
    served = {p.arxiv_id for p in hostile.papers}
    written = {read_page(p)[0]["arxiv_id"] for p in paper_pages(hostile.docs)}
    assert written == served  # every hostile paper is archived: hostile text is data, not a reason to drop it
    warnings = [line for line in hostile.stderr.splitlines() if line.startswith("warning:")]
    skipped = [w for w in warnings if "skipped" in w and "feed item" in w]
    assert len(skipped) == 1, warnings
    assert f"{len(TRAVERSAL_IDS) + 1} feed items" in skipped[0]


def test_no_file_is_written_outside_docs(hostile):
    work = hostile.docs.parent
    outside = [p for p in hostile.root.rglob("*") if p.is_file() and hostile.docs not in p.parents]
    assert outside == [work / "config.yml"]
    for path in hostile.docs.rglob("*"):
        assert path.resolve().is_relative_to(hostile.docs.resolve())
        if path.is_file():
            assert PAGE_PATH.match(path.relative_to(hostile.docs).as_posix()), path
    assert not any("evil" in p.name or p.name == "x.md" for p in hostile.root.rglob("*"))


def test_every_page_parses_and_round_trips(hostile):
    served = {a.arxiv_id: a for a in parse_announcements(hostile.feed).announcements}
    by_id = {p.arxiv_id: p for p in hostile.papers}
    for path in paper_pages(hostile.docs):
        text = path.read_text(encoding="utf-8")
        meta, _ = read_page(path)
        arxiv_id = meta["arxiv_id"]
        paper = read_paper(text, str(path))
        assert paper_page(paper) == text, arxiv_id  # writing the record again changes no byte
        raw = by_id[arxiv_id]
        assert meta["title"] == clean_tex(raw.title) == served[arxiv_id].title  # the data is kept exactly, as text
        assert meta["abstract"] == served[arxiv_id].abstract
        for value in _strings(meta):
            assert not INVISIBLE.search(value), (arxiv_id, value[:80])
            assert "\n" not in value, (arxiv_id, value[:80])
        assert set(meta["links"]) <= {"abs", "pdf", "html", "doi"}
        for url in meta["links"].values():
            assert url.startswith("https://"), url
        if "license" in meta:
            assert re.match(r"^https?://", meta["license"]), meta["license"]
        assert LLM_KEY not in text
    for path in sorted((hostile.docs / "days").rglob("*.md")):
        meta, _ = read_page(path)
        for arxiv_id in meta["papers"]:
            assert (hostile.docs / "papers" / arxiv_id[:4] / f"{arxiv_id}.md").is_file()


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_rendered_paper_pages_are_inert_and_keep_their_shape(hostile, tmp_path):
    checked = 0
    for path in paper_pages(hostile.docs):
        meta, _ = read_page(path)
        started = time.monotonic()
        html = rendered_article(hostile.docs, PurePosixPath(path.relative_to(hostile.docs).as_posix()))
        assert time.monotonic() - started < 10, meta["arxiv_id"]
        root = parse_html(html)
        assert problems_in_paper_html(root, meta) == [], meta["arxiv_id"]
        assert problems_in_links(root, path.relative_to(hostile.docs).as_posix()) == [], meta["arxiv_id"]
        # Shown as text: the text of arXiv's TeX given its meaning (generator.text.tex: `---` is a dash), nothing lost.
        title = root.find(".//h1").text_content()
        assert unicodedata.normalize("NFC", title) == unicodedata.normalize("NFC", parse_html(tex_html(meta["title"])).text_content())
        abstract = next(el for el in root.iter("div") if "paper-abstract" in (el.get("class") or ""))
        assert abstract.text_content() == parse_html(tex_html(meta["abstract"])).text_content()
        checked += 1
    assert checked == len(hostile.papers)


def test_the_day_page_is_inert_and_lists_every_paper_in_its_own_item(hostile, tmp_path):
    [day] = sorted((hostile.docs / "days").rglob("*.md"))
    meta, _ = read_page(day)
    titles = {read_page(p)[0]["arxiv_id"]: read_page(p)[0]["title"] for p in paper_pages(hostile.docs)}
    assert sorted(meta["papers"]) == sorted(titles)
    body = rendered_article(hostile.docs, PurePosixPath(day.relative_to(hostile.docs).as_posix()))
    root = parse_html(body)
    assert problems_in_day_html(root, meta, titles) == []
    assert problems_in_links(root, day.relative_to(hostile.docs).as_posix()) == []
    assert SNIPPET_CANARY not in body


def test_summaries_are_made_stored_sanitized_and_free_of_the_key(hostile, tmp_path):
    summarized = 0
    for path in paper_pages(hostile.docs):
        meta, body = read_page(path)
        if not meta.get("summary"):
            continue
        summarized += 1
        # What the page stores is Markdown without any HTML; what the site shows of it is inert.
        assert raw_html(body) == [], meta["arxiv_id"]
        assert active_content(parse_html(render_summary_html(body))) == [], meta["arxiv_id"]
        assert "[redacted]" in body  # the model echoed the key; the page holds the mask
    assert summarized == hostile.llm_requests == len(hostile.papers)
    assert LLM_KEY not in hostile.stderr
    for path in hostile.docs.rglob("*"):
        if path.is_file():
            assert LLM_KEY.encode() not in path.read_bytes(), path


def test_a_rerun_on_the_hostile_archive_changes_no_byte(hostile):
    # Every stored page is read back and re-rendered by the next night: hostile text must round-trip.
    before = snapshot(hostile.docs)
    again = build_hostile_archive(hostile.docs.parent)
    assert again.exit_code == 0, again.stderr
    assert again.llm_requests == 0  # every summary was found in its page
    assert snapshot(hostile.docs) == before


def test_hand_edited_html_bodies_render_inert_on_pages_in_feeds_in_lists_and_search(hostile, tmp_path):
    # Issue 20: a body in HTML (a v1 summary migrate keeps as HTML, or a hand edit) is shown, not dropped,
    # so it must go through the same allow-list: nothing in it may run, load or escape its block.
    from generator.website.catalog import read_catalog, render_summary
    from generator.website.context import build_context
    from generator.website.render import Renderer, environment
    from generator.website.settings import load_site_config, site_info
    from tests.conftest import ROOT

    docs = tmp_path / "docs"
    shutil.copytree(hostile.docs, docs)
    edited = hand_edit_html_bodies(docs)
    assert sorted(edited.values()) == sorted(HTML_BODIES)
    catalog = read_catalog(docs)
    renderer = Renderer(environment([ROOT / "overrides"]), build_context(catalog, site_info(load_site_config(DEMO_CONFIG))))
    for arxiv_id, name in edited.items():
        paper = catalog.papers[arxiv_id]
        assert is_html_body(paper.record.summary.markdown), name
        meta, _ = read_page(docs / paper.path)
        article = parse_html(str(renderer.paper(paper).content))
        assert problems_in_paper_html(article, meta) == [], name
        summary = next(el for el in article.iter("details") if "ai-summary" in (el.get("class") or ""))
        assert "kept words" in summary.text_content(), name  # shown, not dropped
        feed = parse_html(render_summary(paper.record, for_feed=True))
        assert active_content(feed) == [] and "kept words" in feed.text_content() and "tex-math" not in renderer.feed_item(paper), name
        assert active_content(parse_html(renderer.search_document(paper))) == [], name
    # The math payload: marked for KaTeX on the page, as escaped text; readable text in the feed.
    math = catalog.papers[next(i for i, n in edited.items() if n == "math_payload")]
    page = render_summary_html(math.record.summary.markdown)
    assert "<span class=\"tex-math\">$&lt;script&gt;alert('xss-html-math')&lt;/script&gt;$</span>" in page
    # Day pages: the hand-edited note (HTML) and each entry's one-line gist stay inert; the note's words show.
    for day in catalog.days:
        root = parse_html(str(renderer.day(day).content))
        assert active_content(root) == [], day.date
        note = next(el for el in root.iter("div") if "day-note" in (el.get("class") or ""))
        assert [paragraph.text_content() for paragraph in note.iter("p")] == ["kept words", "after"], day.date
