"""AI summaries end to end: `python -m generator update|resummarize` with the real openai client
talking over HTTP to an OpenAI-compatible server on 127.0.0.1, PDFs from a loopback server,
and the arXiv feed replayed from a recording.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import time
from pathlib import Path

import pytest
import yaml

from generator.archive.paths import day_path, paper_path, run_records_path
from generator.archive.records import paper_page, split_front_matter
from generator.archive.store import Archive
from generator.arxiv.feed import parse_announcements
from generator.config import load_config
from generator.ranking.selection import select
from generator.summaries.summarize import DEFAULT_PROMPT, build_prompt
from generator.text.markdown import render_summary_html
from tests.conftest import fixture_bytes, serve_empty_api, snapshot
from tests.hostile import raw_html
from tests.loopback import FakeLLM, PdfServer, Reply, make_pdf
from tests.sitekit import rendered_article

# The summary stage end to end over loopback LLM and PDF servers, with real timeouts and answer delays.
pytestmark = pytest.mark.slow  # (left out of `make test-fast`)

QUANT_PH = "rss_quant-ph_2025-04-28.xml"
DAY = dt.date(2025, 4, 28)
KEY = "sk-test-7Hq2-SECRET-0123456789abcdef"
SUMMARY_SETTINGS = {
    "api_key_env": "TEST_LLM_KEY",
    "model": "test-model",
    "language": "English",
    "max_papers_to_summarize": 4,
    "max_workers": 2,
    "timeout": 2,
    "max_retries": 2,
    "retry_backoff": 0.05,
    "price_per_1k_input": 0.5,
    "price_per_1k_output": 2.0,
    "currency": "EUR",
}


def paper_pdf(versioned_id: str) -> bytes:
    body = [f"Line {i}: we study entanglement, noise and qubits in depth." for i in range(30)]
    return make_pdf([f"FULLTEXT-MARKER {versioned_id}", "Introduction", *body])


class Setup:
    """The loopback world of one test: arXiv replay, PDF server, fake LLM, config and docs."""

    def __init__(self, tmp_path: Path, arxiv, llm: FakeLLM, pdfs: PdfServer, write_config, run_cli, monkeypatch):
        self.tmp_path, self.arxiv, self.llm, self.pdfs = tmp_path, arxiv, llm, pdfs
        self.write_config, self.run_cli, self.monkeypatch = write_config, run_cli, monkeypatch
        self.docs = tmp_path / "docs"
        self.missing_pdfs: set[str] = set()
        self.config = self.make_config()

    def make_config(self, name: str = "config.yml", **summary) -> Path:
        return self.write_config(
            name,
            categories=["quant-ph"],
            keywords=["quantum", "entanglement", "noise", "qubit"],
            min_score=1.5,
            max_papers=12,
            ai_summary={**SUMMARY_SETTINGS, **summary},
        )

    def run(self, *args: str, config: Path | None = None) -> tuple[int, str]:
        command = args[0] if args else "update"
        return self.run_cli(command, "--config", config or self.config, "--docs", self.docs, *args[1:])

    def ranked(self) -> list[str]:
        """The day's listed ids, best first, as the selection stage ranks them."""
        feed = parse_announcements(fixture_bytes(QUANT_PH))
        selection = select(feed.announcements, load_config(self.config, environ={}), {}, feed.date)
        return [c.announcement.arxiv_id for c in selection.listed]

    def page(self, arxiv_id: str) -> tuple[dict, str]:
        """(front matter, the body the site renders for the paper page)."""
        meta, _ = split_front_matter((self.docs / paper_path(arxiv_id)).read_text(encoding="utf-8"), arxiv_id)
        return meta, rendered_article(self.docs, paper_path(arxiv_id))

    def day(self) -> tuple[dict, str]:
        meta, _ = split_front_matter((self.docs / day_path(DAY)).read_text(encoding="utf-8"), "day")
        return meta, rendered_article(self.docs, day_path(DAY))

    def records(self) -> list[dict]:
        files = sorted((self.docs / "runs").glob("*/*.yml"))
        return [record for f in files for record in yaml.safe_load(f.read_text(encoding="utf-8"))]


def summary_section(body: str) -> str:
    """The AI summary block of a rendered paper body ('' when there is none)."""
    start = body.find('<details class="tip ai-summary"')
    return body[start : body.index("</details>", start)] if start >= 0 else ""


@pytest.fixture
def world(tmp_path, arxiv_env, write_config, run_cli, monkeypatch):
    arxiv_env.expect_request("/rss/quant-ph").respond_with_data(fixture_bytes(QUANT_PH), content_type="application/rss+xml")
    serve_empty_api(arxiv_env)
    holder: dict[str, Setup] = {}

    def pdf_for(versioned: str) -> bytes | None:
        return None if versioned.rsplit("v", 1)[0] in holder["setup"].missing_pdfs else paper_pdf(versioned)

    with FakeLLM() as llm, PdfServer(pdf_for) as pdfs:
        monkeypatch.setenv("LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv("TEST_LLM_KEY", KEY)
        monkeypatch.setenv("ARXIV_PDF_URL", pdfs.template)
        setup = Setup(tmp_path, arxiv_env, llm, pdfs, write_config, run_cli, monkeypatch)
        holder["setup"] = setup
        yield setup


def test_summaries_land_on_the_right_pages_with_provenance(world):
    ranked = world.ranked()
    top, rest = ranked[:4], ranked[4:]
    world.missing_pdfs = {top[1]}  # no PDF for the second paper: its summary uses the abstract
    code, err = world.run()
    assert code == 0, err

    assert sorted(r.arxiv_id for r in world.llm.requests) == sorted(top)
    assert all(r.authorization == f"Bearer {KEY}" and r.model == "test-model" for r in world.llm.requests)
    expected_hash = build_prompt(DEFAULT_PROMPT, "English").sha256
    for rank, arxiv_id in enumerate(top):
        meta, body = world.page(arxiv_id)
        summary = meta["summary"]
        source = "abstract" if rank == 1 else "fulltext"
        assert summary["model"] == "test-model" and summary["input"] == source
        assert summary["prompt_sha256"] == expected_hash and summary["version"] == meta["version"]
        assert dt.datetime.strptime(summary["created"], "%Y-%m-%dT%H:%M:%SZ")
        inside = summary_section(body)
        assert f"Summary of <strong>{arxiv_id}</strong>" in inside  # this paper's answer, not another's
        assert f"from the {'abstract' if rank == 1 else 'full text'}." in inside
        assert "<h3>1. Contributions</h3>" in inside  # the answer's headings sit under the page's h2
        assert f"from {'the abstract' if rank == 1 else 'the full text'} of v{meta['version']}" in body
    for arxiv_id in rest:
        meta, body = world.page(arxiv_id)
        assert "summary" not in meta and summary_section(body) == ""

    # The model got the PDF's text, or the abstract when the PDF was missing.
    by_id = {r.arxiv_id: r for r in world.llm.requests}
    assert "FULLTEXT-MARKER" in by_id[top[0]].user and "Full text of the paper" in by_id[top[0]].user
    assert "FULLTEXT-MARKER" not in by_id[top[1]].user and "Abstract of the paper" in by_id[top[1]].user
    assert "English" in by_id[top[0]].system and "Contributions and novelty" in by_id[top[0]].system
    assert sorted(world.pdfs.paths) == sorted(f"/pdf/{i}v{world.page(i)[0]['version']}" for i in top)

    day, day_body = world.day()
    assert day["counts"]["summarized"] == 4 and "4 summarized" in day_body
    assert day_body.count('<p class="entry-gist') == 4, "each summarized paper's entry shows its gist"

    # The run report and the stored run record carry the figures.
    assert "LLM requests" in err and "4000 / 800" in err and "3.6000 EUR" in err
    [record] = world.records()
    figures = record["summaries"]
    assert (figures["requests"], figures["prompt_tokens"], figures["completion_tokens"]) == (4, 4000, 800)
    assert (figures["summarized"], figures["fulltext"], figures["abstract"], figures["failures"], figures["cache_hits"]) == (4, 3, 1, 0, 0)
    assert figures["estimated_cost"] == pytest.approx(4 * 0.5 + 0.8 * 2.0) and figures["currency"] == "EUR"
    assert record["command"] == "update" and record["days"] == ["2025-04-28"] and record["pages_written"] == 13


def test_a_rerun_makes_zero_requests_and_changes_no_byte(world):
    assert world.run()[0] == 0
    assert len(world.llm.requests) == 4
    before = snapshot(world.docs)
    time.sleep(0.01)
    code, err = world.run()
    assert code == 0, err
    assert len(world.llm.requests) == 4  # nothing new was asked
    assert snapshot(world.docs) == before  # not even a new run record
    assert "0 / 4 / 0" in err  # made / cached / failed


def test_max_workers_requests_really_run_in_parallel_while_pdf_downloads_stay_serialized(world):
    world.llm.delay = 0.5
    world.pdfs.delay = 0.1
    config = world.make_config(max_workers=3, max_papers_to_summarize=6)
    started = time.monotonic()
    code, err = world.run(config=config)
    elapsed = time.monotonic() - started
    assert code == 0, err
    assert len(world.llm.requests) == 6
    assert world.llm.concurrency.peak == 3  # three answers were being produced at once
    assert world.pdfs.concurrency.peak == 1  # but arXiv saw one request at a time
    assert len(world.pdfs.paths) == 6
    assert elapsed < 6 * 0.5  # sequential requests alone would take 3 s


def test_429_with_retry_after_is_honoured_then_the_summary_is_made(world):
    ranked = world.ranked()
    attempts: dict[str, int] = {}

    def script(request):
        attempts[request.arxiv_id] = attempts.get(request.arxiv_id, 0) + 1
        if request.arxiv_id == ranked[0] and attempts[request.arxiv_id] == 1:
            return Reply(status=429, headers={"Retry-After": "1"}, error="rate limited")
        return None

    world.llm.script = script
    code, err = world.run()
    assert code == 0, err
    first = [r for r in world.llm.requests if r.arxiv_id == ranked[0]]
    assert len(first) == 2 and first[1].at - first[0].at >= 1.0  # Retry-After: 1 was honoured
    assert "HTTP 429" in err and "retry 1 of 2 in 1.0 s" in err
    assert world.page(ranked[0])[0]["summary"]["model"] == "test-model"
    assert world.records()[0]["summaries"]["requests"] == 5 and world.records()[0]["summaries"]["failures"] == 0


def test_timeouts_are_retried_and_a_paper_that_keeps_failing_is_picked_up_by_the_next_run(world):
    ranked = world.ranked()
    slow_once, always_slow = ranked[0], ranked[2]
    seen: dict[str, int] = {}

    def script(request):
        seen[request.arxiv_id] = seen.get(request.arxiv_id, 0) + 1
        if request.arxiv_id == always_slow or (request.arxiv_id == slow_once and seen[slow_once] == 1):
            return Reply(delay=1.0)  # longer than the 0.4 s timeout
        return None

    world.llm.script = script
    config = world.make_config(timeout=0.4)
    code, err = world.run(config=config)
    assert code == 0, err
    assert seen[slow_once] == 2 and seen[always_slow] == 3  # 1 try + max_retries 2
    assert world.page(slow_once)[0]["summary"]
    meta, body = world.page(always_slow)
    assert "summary" not in meta and summary_section(body) == ""
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert (
        len(warnings) == 1 and always_slow in warnings[0] and "no answer within 0.4 s" in warnings[0] and "next run retries" in warnings[0]
    )
    assert world.day()[0]["counts"]["summarized"] == 3
    assert world.records()[0]["summaries"]["failures"] == 1

    # The next run of the day asks only for the missing summary.
    world.llm.script = None
    before = len(world.llm.requests)
    code, err = world.run(config=config)
    assert code == 0, err
    assert [r.arxiv_id for r in world.llm.requests[before:]] == [always_slow]
    assert world.page(always_slow)[0]["summary"]["input"] == "fulltext"
    assert world.day()[0]["counts"]["summarized"] == 4
    assert [r["summaries"]["requests"] for r in world.records()] == [7, 1]


def test_a_failed_summary_from_an_earlier_day_is_retried_by_the_next_nights_update(world):
    ranked = world.ranked()
    world.llm.script = lambda request: Reply(status=400, error="content filter") if request.arxiv_id == ranked[3] else None
    assert world.run()[0] == 0
    assert "summary" not in world.page(ranked[3])[0]
    # The next announcement day (the same recording: its matched papers beyond the first
    # day's 12 are listed, the first day's are not listed again).
    next_day = fixture_bytes(QUANT_PH).replace(b"Mon, 28 Apr 2025", b"Tue, 29 Apr 2025")
    world.arxiv.clear()
    world.arxiv.expect_request("/rss/quant-ph").respond_with_data(next_day, content_type="application/rss+xml")
    serve_empty_api(world.arxiv)
    world.llm.script = None
    before = len(world.llm.requests)
    code, err = world.run()
    assert code == 0, err
    asked = [r.arxiv_id for r in world.llm.requests[before:]]
    assert asked.count(ranked[3]) == 1 and not set(asked) & set(ranked[:3])
    assert len(asked) == 1 + 4  # the retry, and the new day's top 4
    assert world.page(ranked[3])[0]["summary"]
    assert world.day()[0]["counts"]["summarized"] == 4  # the first day's page now counts it
    assert world.records()[-1]["days"] == ["2025-04-28", "2025-04-29"]


def test_one_failure_never_aborts_the_night(world):
    ranked = world.ranked()
    world.llm.script = lambda request: Reply(status=400, error="context length exceeded") if request.arxiv_id == ranked[1] else None
    code, err = world.run()
    assert code == 0, err
    assert sum(1 for r in world.llm.requests if r.arxiv_id == ranked[1]) == 1  # a 400 is not retried
    assert [("summary" in world.page(i)[0]) for i in ranked[:4]] == [True, False, True, True]
    assert "HTTP 400" in err and "context length exceeded" in err


def test_a_wrong_key_stops_after_the_first_refusal(world):
    world.llm.script = lambda request: Reply(status=401, error="Incorrect API key provided")
    config = world.make_config(max_workers=1)
    code, err = world.run(config=config)
    assert code == 0, err
    assert len(world.llm.requests) == 1  # the other papers were not sent with a key known to fail
    assert world.day()[0]["counts"]["summarized"] == 0
    assert "4 of 4 summaries failed" in err and "HTTP 401" in err


def test_without_an_api_key_there_is_one_warning_and_everything_else_runs(world, monkeypatch):
    monkeypatch.delenv("TEST_LLM_KEY")
    code, err = world.run()
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "TEST_LLM_KEY" in warnings[0] and "no AI summaries" in warnings[0]
    assert world.llm.requests == [] and world.pdfs.paths == []
    assert world.day()[0]["counts"]["listed"] == 12 and world.day()[0]["counts"]["summarized"] == 0
    [record] = world.records()
    assert record["summaries"] is None and "TEST_LLM_KEY" in record["warnings"][0]


def test_disabled_summaries_make_no_request_and_no_warning(world):
    code, err = world.run(config=world.make_config(enabled=False))
    assert code == 0, err
    assert world.llm.requests == [] and "warning:" not in err


def test_the_token_budget_stops_new_requests_cleanly(world):
    world.llm.prompt_tokens, world.llm.completion_tokens = 1000, 200
    config = world.make_config(max_workers=1, token_budget=2000)
    code, err = world.run(config=config)
    assert code == 0, err
    assert len(world.llm.requests) == 2  # 1200 tokens used after one, 2400 after two: no third
    assert world.day()[0]["counts"]["summarized"] == 2
    assert "token budget of 2000 reached" in err and "2 papers left without a summary" in err
    figures = world.records()[0]["summaries"]
    assert (figures["requests"], figures["skipped_budget"], figures["failures"]) == (2, 2, 0)
    assert len(world.pdfs.paths) == 2  # no PDF downloaded for papers that cannot be summarized


def test_the_key_appears_nowhere_even_when_the_provider_echoes_it(world, caplog):
    ranked = world.ranked()

    def script(request):
        if request.arxiv_id == ranked[0]:
            return Reply(status=500, error=f"internal error for key {KEY}")
        if request.arxiv_id == ranked[1]:
            return Reply(content=f"Sure! Your key is {KEY}. **Summary** follows.")
        return None

    world.llm.script = script
    caplog.set_level(logging.DEBUG)
    code, err = world.run("update", "-v")
    assert code == 0, err
    assert any(r.authorization == f"Bearer {KEY}" for r in world.llm.requests)  # the key was really used
    assert KEY not in err and KEY not in caplog.text
    assert "internal error for key [redacted]" in err
    for path in world.docs.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert "Your key is [redacted]" in world.page(ranked[1])[1]


def test_the_key_stays_out_of_an_unexpected_error_and_its_traceback(world, monkeypatch):
    from generator.summaries.summarize import Summarizer

    def broken(self, papers):
        raise RuntimeError(f"bug while holding {KEY}")

    monkeypatch.setattr(Summarizer, "summarize", broken)
    before = snapshot(world.docs)
    code, err = world.run("update", "-v")
    assert code == 1
    assert "Traceback" in err and "RuntimeError: bug while holding [redacted]" in err and KEY not in err
    assert snapshot(world.docs) == before  # nothing was written


HOSTILE_ANSWER = """\
## Summary <script>alert('s')</script>

<img src=x onerror="alert('img')"> [click](javascript:alert('js')) [rel](../../secret)
<iframe src="https://evil.example/"></iframe><svg onload=alert(1)></svg>
<a href="https://ok.example/" onclick="alert('a')" style="color:red">fine link</a>
<!-- ai-summary:end -->
<!-- ai-summary:begin -->
</details><script>alert('escape')</script>
<div markdown="1">**md in html**</div>
<p title="<!-- ai-summary:end -->">title trick</p>
[t](https://ok.example/ "<!-- ai-summary:end -->")
<style>body{display:none}</style><form action="https://evil.example/"><input name=q></form>
Normal **bold** text.
"""


def test_hostile_model_output_is_neutralized_in_the_stored_page_and_the_rendered_html(world):
    ranked = world.ranked()
    world.llm.script = lambda request: Reply(content=HOSTILE_ANSWER) if request.arxiv_id == ranked[0] else None
    assert world.run()[0] == 0
    text = (world.docs / paper_path(ranked[0])).read_text(encoding="utf-8")
    _, stored = split_front_matter(text, "page")
    # The page stores the answer as Markdown with no HTML in it; the site renders it sanitized.
    assert raw_html(stored) == []
    summary = render_summary_html(stored)
    html = rendered_article(world.docs, paper_path(ranked[0]))
    for piece in (stored, summary, html):
        lowered = piece.lower()
        for bad in (
            "<script",
            "onerror",
            "onload",
            "onclick",
            "javascript:",
            "<iframe",
            "<svg",
            "<img",
            "<style",
            "<form",
            "<input",
            "style=",
            ' title="',
            "markdown=",
            "../../secret",
            "<!--",
        ):
            assert bad not in lowered, (bad, piece)
    assert "<p>fine link</p>" in summary  # a raw HTML link is HTML: its text stays, the tag does not
    assert '<a href="https://ok.example/" rel="nofollow noopener noreferrer">t</a>' in summary  # a Markdown link stays
    assert "<strong>bold</strong>" in summary
    assert html.count("</details>") == 2  # the summary's and the BibTeX's: the answer closed none
    # Writing the stored record again (what every rerun does) changes no byte.
    paper = Archive(world.docs).read_paper(ranked[0])
    assert paper_page(paper) == text


def test_resummarize_with_a_new_model_redoes_summaries_once(world):
    ranked = world.ranked()
    assert world.run()[0] == 0
    assert len(world.llm.requests) == 4
    code, err = world.run("resummarize", "--model", "bigger-model")
    assert code == 0, err
    redone = world.llm.requests[4:]
    assert sorted(r.arxiv_id for r in redone) == sorted(ranked[:4]) and {r.model for r in redone} == {"bigger-model"}
    for arxiv_id in ranked[:4]:
        meta, body = world.page(arxiv_id)
        assert meta["summary"]["model"] == "bigger-model" and "Model bigger-model." in body
    before = snapshot(world.docs)
    # Safe to rerun: everything is current now.
    code, err = world.run("resummarize", "--model", "bigger-model")
    assert code == 0, err
    assert len(world.llm.requests) == 8 and snapshot(world.docs) == before
    assert "0 / 4 / 0" in err  # made / cached / failed
    # The nightly job keeps the summaries it finds, whatever their model.
    assert world.run()[0] == 0
    assert len(world.llm.requests) == 8 and snapshot(world.docs) == before
    records = world.records()
    assert [r["command"] for r in records] == ["update", "resummarize"]
    assert records[1]["summaries"]["model"] == "bigger-model" and records[1]["summaries"]["requests"] == 4


def test_a_new_prompt_is_used_only_on_request(world, tmp_path):
    assert world.run()[0] == 0
    prompt = tmp_path / "prompts" / "short.md"
    prompt.parent.mkdir()
    prompt.write_text("Summarize in three bullet points, in {language}.\n", encoding="utf-8")
    config = world.make_config("new-prompt.yml", prompt_file="prompts/short.md")  # relative to the config file
    before = snapshot(world.docs)
    code, err = world.run(config=config)
    assert code == 0, err
    assert len(world.llm.requests) == 4 and snapshot(world.docs) == before  # out of date, but kept
    assert "0 / 4 / 0" in err

    code, err = world.run("resummarize", "--dry-run", config=config)
    assert code == 0, err
    assert err.count("prompt changed") == 4 and "4 summaries would be requested" in err
    assert len(world.llm.requests) == 4 and snapshot(world.docs) == before

    code, err = world.run("resummarize", "--since", "2025-04-28", "--until", "2025-04-28", config=config)
    assert code == 0, err
    redone = world.llm.requests[4:]
    assert len(redone) == 4 and all(r.system == "Summarize in three bullet points, in English.\n" for r in redone)
    new_hash = build_prompt("Summarize in three bullet points, in {language}.\n", "English").sha256
    assert all(world.page(r.arxiv_id)[0]["summary"]["prompt_sha256"] == new_hash for r in redone)


def test_a_new_paper_version_is_resummarized_only_on_request(world):
    ranked = world.ranked()
    assert world.run()[0] == 0
    # arXiv announced v5 of the top paper: its page now says v5, its summary is of the old version.
    archive = Archive(world.docs)
    paper = archive.read_paper(ranked[0])
    old_version = paper.summary.version
    newer = paper.__class__(
        **{**paper.__dict__, "announcement": paper.announcement.__class__(**{**paper.announcement.__dict__, "version": 5})}
    )
    archive.write({paper_path(ranked[0]): paper_page(newer)})
    assert world.run()[0] == 0
    assert len(world.llm.requests) == 4  # update does not redo it
    assert world.page(ranked[0])[0]["summary"]["version"] == old_version
    code, err = world.run("resummarize", "--id", ranked[0])
    assert code == 0, err
    assert [r.arxiv_id for r in world.llm.requests[4:]] == [ranked[0]]
    assert world.pdfs.paths[-1] == f"/pdf/{ranked[0]}v5"
    assert world.page(ranked[0])[0]["summary"]["version"] == 5


def test_resummarize_without_a_key_is_a_one_line_error(world, monkeypatch):
    assert world.run()[0] == 0
    monkeypatch.delenv("TEST_LLM_KEY")
    before = snapshot(world.docs)
    code, err = world.run("resummarize")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "TEST_LLM_KEY" in err and "fix:" in err
    assert snapshot(world.docs) == before


def test_run_records_go_to_the_run_date_file_and_accumulate(world):
    assert world.run()[0] == 0
    assert world.run("resummarize", "--model", "other")[0] == 0
    files = list((world.docs / "runs").rglob("*.yml"))
    [path] = files
    started = dt.date.fromisoformat(world.records()[0]["started"][:10])
    assert path.relative_to(world.docs).as_posix() == run_records_path(started).as_posix()
    assert len(world.records()) == 2


# -- LLM faults: the endpoint misbehaves; the night completes, only summaries are missing ------


def one_warning(err: str) -> str:
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, err
    return warnings[0]


@pytest.mark.parametrize(
    "fault,reply",
    [
        ("429 without Retry-After", Reply(status=429, error="slow down")),
        ("500", Reply(status=500, error="upstream failed")),
        ("503 with Retry-After", Reply(status=503, headers={"Retry-After": "0"}, error="overloaded")),
        ("empty body", Reply(raw=b"")),
        ("non-JSON body", Reply(raw=b"<html><body>502 Bad Gateway</body></html>")),
        ("JSON cut off", Reply(raw=b'{"id": "x", "choices": [{"message": {"content": "half an ans')),
        ("reset mid-body", Reply(content="the whole answer " * 50, headers={"X-Loopback-Cut-After": "40"})),
        ("content not text", Reply(raw=json.dumps({"choices": [{"message": {"role": "assistant", "content": ["a", "b"]}}]}).encode())),
        ("choices not a list", Reply(raw=json.dumps({"choices": "abc"}).encode())),
    ],
)
def test_a_misbehaving_llm_is_retried_then_answers(world, fault, reply):
    # Regression (empty, non-JSON, cut-off bodies; content of the wrong type): the client raised
    # JSONDecodeError/AttributeError, which escaped the summarize stage and failed the whole night.
    ranked = world.ranked()
    seen: dict[str, int] = {}

    def script(request):
        seen[request.arxiv_id] = seen.get(request.arxiv_id, 0) + 1
        return reply if request.arxiv_id == ranked[0] and seen[ranked[0]] == 1 else None

    world.llm.script = script
    code, err = world.run()
    assert code == 0, err
    assert seen[ranked[0]] == 2, fault  # the fault, then a retry that worked
    assert world.page(ranked[0])[0]["summary"]["model"] == "test-model"
    assert world.day()[0]["counts"]["summarized"] == 4
    assert "retry 1 of 2" in err and "warning:" not in err


@pytest.mark.parametrize(
    "fault,reply,reason",
    [
        ("non-JSON body", Reply(raw=b"<html>oops</html>"), "unreadable answer"),
        ("500", Reply(status=500, error="upstream failed"), "HTTP 500"),
        ("content not text", Reply(raw=json.dumps({"choices": [{"message": {"content": {"x": 1}}}]}).encode()), "malformed answer"),
    ],
)
def test_an_llm_that_keeps_failing_costs_only_summaries_and_the_next_run_makes_them(world, fault, reply, reason):
    ranked = world.ranked()
    world.llm.script = lambda request: reply if request.arxiv_id in ranked[:2] else None
    code, err = world.run()
    assert code == 0, err
    assert [("summary" in world.page(i)[0]) for i in ranked[:4]] == [False, False, True, True]
    warning = one_warning(err)
    assert "2 of 4 summaries failed" in warning and reason in warning and "next run retries" in warning
    assert world.day()[0]["counts"] == {"fetched": 81, "matched": world.day()[0]["counts"]["matched"], "listed": 12, "summarized": 2}
    world.llm.script = None
    code, err = world.run()
    assert code == 0, err
    assert all("summary" in world.page(i)[0] for i in ranked[:4])


def test_an_unreachable_llm_never_aborts_the_night(world, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("LLM_BASE_URL", f"http://127.0.0.1:{port}/v1")  # nothing listens there
    code, err = world.run()
    assert code == 0, err
    assert world.day()[0]["counts"]["listed"] == 12 and world.day()[0]["counts"]["summarized"] == 0
    warning = one_warning(err)
    assert "4 of 4 summaries failed" in warning
    # Issue 14: named with its address and the setting to check, after at most one retry.
    assert f"LLM endpoint http://127.0.0.1:{port}/v1: connection refused" in warning
    assert "check LLM_BASE_URL (ai_summary.base_url in config.yml)" in warning
    assert "throttl" not in err


def test_an_answer_far_longer_than_asked_is_cut(world):
    # Regression: an endpoint that ignored max_tokens (2,000 here) answered 1.3 MB and the
    # whole answer became the paper page, kept in the archive for good.
    ranked = world.ranked()
    endless = "## Results\n\n" + "\n\n".join(f"Paragraph {n}: " + "very long answer " * 40 for n in range(2000))
    world.llm.script = lambda request: Reply(content=endless) if request.arxiv_id == ranked[0] else None
    code, err = world.run()
    assert code == 0, err
    page = (world.docs / paper_path(ranked[0])).read_text(encoding="utf-8")
    assert len(page) < 40_000 < len(endless)
    assert "the rest of the answer is cut: it was far longer than asked" in page
    normal = (world.docs / paper_path(ranked[1])).read_text(encoding="utf-8")
    assert "is cut" not in normal
    [warning] = [line for line in err.splitlines() if "max_output_tokens" in line]  # the ceiling, named
    assert (
        warning.startswith(f"warning: {ranked[0]}: the LLM answer (") and "than ai_summary.max_output_tokens (2000) allows; cut" in warning
    )


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=401, error=f"Incorrect API key provided: {KEY}. You can find your API key at https://example/"),
        Reply(
            status=502,
            raw=f"<html><body>Bad gateway for Authorization: Bearer {KEY}</body></html>".encode(),
            headers={"Content-Type": "text/html"},
        ),
        Reply(status=400, error=f"invalid request; key={KEY}; model=test-model"),
        Reply(raw=f'{{"error": "not json {KEY}'.encode()),
    ],
    ids=["401 echo", "HTML 502 echo", "400 echo", "broken JSON echo"],
)
def test_the_key_echoed_in_any_error_body_reaches_no_log_page_or_run_record(world, caplog, reply):
    world.llm.script = lambda request: reply
    caplog.set_level(logging.DEBUG)
    code, err = world.run("update", "-v")
    assert code == 0, err
    assert "warning:" in err and KEY not in err and KEY not in caplog.text
    for path in world.docs.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert world.records()[0]["summaries"]["failures"] == 4
