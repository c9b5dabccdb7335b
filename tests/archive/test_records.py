"""The archive format v2 (generator.archive.records): records to pages and back, validation, v1 refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import yaml

from generator.archive import records
from generator.archive.models import DayCounts, DayRecord, Interest, Judgement, Summary
from generator.errors import ArchiveError
from tests.hostile import raw_html
from tests.site.test_layout import HOSTILE_TITLE, announcement, make_paper

SUMMARY = Summary(
    "qwen-long", "fulltext", "a" * 64, "2026-09-24T21:00:00Z", 2, "## 1. Contributions\n\n- **3x** faster, $O(n^2)$ to $O(n)$"
)


def test_a_paper_round_trips_through_its_page():
    # A paper first listed on 09-24 whose v2 was announced on 10-01, summarized, close to an interest paper.
    paper = make_paper(announcement(announced=dt.date(2026, 10, 1)), summary=SUMMARY, updated=dt.date(2026, 10, 1))
    paper = replace(paper, interest=Interest(0.431, "2401.12345", "A paper the reader wrote"))
    page = records.paper_page(paper)
    assert records.read_paper(page, "page") == paper
    assert records.paper_page(records.read_paper(page, "page")) == page


def test_the_rankers_relevance_and_the_judges_reason_are_additive_v2_keys():
    # Issue 22: `interest` keeps similarity, nearest, nearest_title and gains relevance, method, features;
    # `judge` holds the rating, the reason and the model. A page without them (tests/fixtures/archive-v2) still reads.
    interest = Interest(0.071, "2401.12345", "A paper the reader wrote", relevance=0.9374, method="classifier", features="tfidf")
    reason = 'Flaky tests under another name: "intermittently failing" </p><script>alert(1)</script>\n---'
    paper = replace(make_paper(), interest=interest, judgement=Judgement(8, reason, "qwen-long"))
    page = records.paper_page(paper)
    meta, _ = records.split_front_matter(page, "page")
    assert list(meta)[-2:] == ["interest", "judge"]
    assert meta["interest"] == {
        "similarity": 0.071, "nearest": "2401.12345", "nearest_title": "A paper the reader wrote",
        "relevance": 0.937, "method": "classifier", "features": "tfidf",
    }  # fmt: skip
    assert meta["judge"] == {"rating": 8, "reason": reason, "model": "qwen-long"}
    again = records.read_paper(page, "page")
    assert again.judgement == Judgement(8, reason, "qwen-long") and again.interest == replace(interest, relevance=0.937)
    assert records.paper_page(again) == page
    half = replace(paper, judgement=Judgement(6.5, "r", "m"))
    assert records.split_front_matter(records.paper_page(half), "p")[0]["judge"]["rating"] == 6.5
    # The keys as pages before issue 22 hold them: no relevance, no judge.
    old = records.read_paper(records.paper_page(replace(paper, interest=Interest(0.2, "2401.1", "t"), judgement=None)), "p")
    assert old.interest == Interest(0.2, "2401.1", "t") and old.interest.relevance is None and old.judgement is None


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (lambda t: t.replace("relevance: 0.5", "relevance: 1.5"), "interest", "not a number from 0 to 1"),
        (lambda t: t.replace("relevance: 0.5", "relevance: high"), "relevance", "not an integer or a number"),
        (lambda t: t.replace("rating: 7", "rating: 11"), "judge", "not a number from 0 to 10"),
        (lambda t: t.replace("rating: 7", "rating: seven"), "rating", "not an integer or a number"),
        (lambda t: t.replace("  reason: because\n", ""), "reason", "is missing"),
    ],
)
def test_a_garbled_relevance_or_rating_names_the_key(change, key, problem):
    paper = replace(
        make_paper(), interest=Interest(0.1, "2401.1", "t", relevance=0.5, method="cosine"), judgement=Judgement(7, "because", "m")
    )
    with pytest.raises(ArchiveError) as err:
        records.read_paper(change(records.paper_page(paper)), "docs/p.md")
    assert f"`{key}`" in str(err.value) and problem in str(err.value), str(err.value)


def test_a_paper_page_is_the_record_and_the_summary_markdown_only():
    page = records.paper_page(make_paper(summary=SUMMARY))
    meta, body = records.split_front_matter(page, "page")
    assert list(meta)[:14] == [
        "format", "arxiv_id", "version", "title", "authors", "categories", "primary_category", "announced",
        "announce_type", "score", "matched_keywords", "tags", "links", "abstract",
    ]  # fmt: skip
    assert meta["format"] == 2 and meta["arxiv_id"] == "2609.26811" and meta["version"] == 2
    assert meta["links"] == {
        "abs": "https://arxiv.org/abs/2609.26811",
        "pdf": "https://arxiv.org/pdf/2609.26811v2",
        "html": "https://arxiv.org/html/2609.26811v2",
        "doi": "https://doi.org/10.1093/x%281%29",
    }
    assert meta["summary"] == {
        "model": "qwen-long",
        "input": "fulltext",
        "prompt_sha256": "a" * 64,
        "created": "2026-09-24T21:00:00Z",
        "version": 2,
    }
    assert body.strip("\n") == SUMMARY.markdown
    assert raw_html(body) == [] and "<" not in page.split("\n---\n", 1)[1]  # no layout: no HTML at all
    assert records.split_front_matter(records.paper_page(make_paper()), "page")[1] == ""  # no summary, no body


def test_hostile_text_is_kept_exactly_and_yaml_safe():
    ann = announcement(
        title=HOSTILE_TITLE, abstract="--- \n... <script>x</script> key: value # not a comment", authors=("---", 'O\'Brien "Q"')
    )
    page = records.paper_page(make_paper(ann))
    meta, _ = records.split_front_matter(page, "page")
    assert meta["title"] == HOSTILE_TITLE and meta["authors"] == ["---", 'O\'Brien "Q"']
    assert yaml.safe_load(page.split("\n---\n", 1)[0][4:])["title"] == HOSTILE_TITLE
    assert records.read_paper(page, "page").announcement == ann


def test_a_day_round_trips_with_its_note_and_source():
    record = DayRecord(
        dt.date(2026, 9, 24),
        "Thursday, 24 September 2026",
        ("2609.1", "2609.2"),
        DayCounts(40, 5, 2, 1),
        ("2601.00001",),
        "api",
        "A note *by a person*.",
    )
    page = records.day_page(record)
    assert records.read_day(page, "day") == record
    meta, body = records.split_front_matter(page, "day")
    assert meta == {
        "format": 2, "title": "Thursday, 24 September 2026", "date": dt.date(2026, 9, 24), "papers": ["2609.1", "2609.2"],
        "counts": {"fetched": 40, "matched": 5, "listed": 2, "summarized": 1}, "updated": ["2601.00001"], "source": "api",
    }  # fmt: skip
    assert body.strip() == "A note *by a person*."
    empty = DayRecord(dt.date(2024, 11, 28), "Thursday, 28 November 2024", (), DayCounts())
    assert records.day_page(empty).endswith("---\n") and records.read_day(records.day_page(empty), "d") == empty


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (lambda t: t.replace("announced: 2026-09-24\n", ""), "announced", "is missing"),
        (lambda t: t.replace("version: 2\n", "version: two\n", 1), "version", "not an integer"),
        (lambda t: t.replace("announced: 2026-09-24", "announced: '2026-9-24'"), "announced", "not a date"),
        (lambda t: t.replace("announce_type: new", "announce_type: brand-new"), "announce_type", "not one of"),
        (lambda t: t.replace("arxiv_id: '2609.26811'", "arxiv_id: ../../etc"), "arxiv_id", "not an arXiv id"),
        (lambda t: t.replace("authors:\n- Fabien Polly", "authors:\n- [nested]"), "authors", "not text"),
        (lambda t: t.replace("  input: fulltext", "  input: guess"), "summary", "not one of"),
        (lambda t: t.replace("format: 2", "format: yes"), "format", "not a format version"),
    ],
)
def test_a_garbled_page_names_the_file_the_key_and_the_fix(change, key, problem):
    text = change(records.paper_page(make_paper(summary=SUMMARY)))
    with pytest.raises(ArchiveError) as err:
        records.read_paper(text, "docs/papers/2609/2609.26811.md")
    message = str(err.value)
    assert message.startswith("docs/papers/2609/2609.26811.md: ") and f"`{key}`" in message and problem in message, message
    assert "fix: restore the page with `git checkout -- docs/papers/2609/2609.26811.md`" in message
    assert "\n" not in message


def test_an_impossible_date_is_a_one_line_error_not_a_crash():
    # Regression: YAML reads 2026-13-45 as a date and raised ValueError, which reached the CLI as an internal error.
    text = records.paper_page(make_paper()).replace("announced: 2026-09-24", "announced: 2026-13-45")
    with pytest.raises(ArchiveError, match=r"^docs/p.md: front matter is not valid YAML \(month must be in 1..12\); fix: restore"):
        records.read_paper(text, "docs/p.md")


def test_older_and_newer_formats_are_refused_with_the_way_out():
    v1 = records.paper_page(make_paper()).replace("format: 2\n", "")
    with pytest.raises(ArchiveError, match=r"format v1, this code reads v2; fix: run `python -m generator migrate`"):
        records.read_paper(v1, "docs/papers/2609/2609.26811.md")
    v3 = records.day_page(DayRecord(dt.date(2026, 9, 24), "t", (), DayCounts())).replace("format: 2", "format: 3")
    with pytest.raises(ArchiveError, match="newer than this code"):
        records.read_day(v3, "docs/days/2026/2026-09-24.md")
