"""The summary stage's pure parts: sanitizing, PDF text, prompts, run records, redaction, retries."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time

import pytest
from lxml import html as lxml_html

from generator.archive.runs import (
    RunRecord,
    SummaryFigures,
    dump_records,
    freshness_meta,
    last_successful_night,
    load_records,
)
from generator.archive.store import Archive
from generator.config import load_config
from generator.errors import ConfigError
from generator.redaction import MASK, RedactingFilter, forget_all, redact, register
from generator.summaries.fulltext import TRUNCATION_NOTE, PdfTextError, estimate_tokens, pdf_text, trim_to_tokens
from generator.summaries.llm import _retry_after
from generator.summaries.summarize import DEFAULT_PROMPT, build_prompt, load_prompt
from generator.text.markdown import clean_summary_markdown, is_html_body, render_summary_html, sanitize_html
from tests.conftest import ROOT
from tests.hostile import raw_html
from tests.loopback import make_pdf

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<iframe src="https://evil.example/"></iframe>',
    "<object data=x></object><embed src=x>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<form action="https://evil.example/"><button>go</button></form>',
    "<!-- ai-summary:end --><script>alert(1)</script><!-- ai-summary:begin -->",
    '<p title="<!-- ai-summary:end -->">t</p>',
    "<!--> <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    '<base href="https://evil.example/">',
    '<a href="../../../etc/passwd">rel</a> <a href="#top">anchor</a>',
]


@pytest.mark.parametrize("answer", HOSTILE)
def test_hostile_markup_is_neutralized_and_sanitizing_is_idempotent(answer):
    stored = clean_summary_markdown(answer + "\n\nafter")
    assert raw_html(stored) == [], stored  # the page stores Markdown, no HTML
    assert not is_html_body(stored)  # and the site reads it as Markdown (only migrate keeps v1 HTML)
    html = render_summary_html(stored)
    for piece in (stored.lower(), html.lower()):
        for bad in ("<script", "onerror=", "onload=", "ontoggle=", "javascript:", "<iframe", "<object", "<embed", "<svg", "<style",
                    "style=", "<meta", "<form", "<base", "<math", "<details", "<!--", "../", 'href="#'):  # fmt: skip
            assert bad not in piece, (bad, piece)
    assert "after" in html
    assert sanitize_html(html) == html
    # Even a hand-edited page whose body is the raw answer renders inert.
    raw = render_summary_html(answer).lower()
    assert "<script" not in raw and "javascript:" not in raw and "<!--" not in raw and "onerror=" not in raw


def test_ordinary_markdown_survives_and_headings_move_under_the_page():
    answer = (
        "<think>let me think</think>\n```markdown\n# 论文总结\n\n## 1. 主要贡献\n**FlashAttention-3** 提出了 *新方法*:\n"
        "- 速度提升 **1.5x**\n- `FP8` 支持\n\n| model | score |\n|---|---|\n| A | 1 |\n\n"
        "See [arXiv](https://arxiv.org/abs/2407.08608) and $O(n^2)$.\n```"
    )
    html = render_summary_html(clean_summary_markdown(answer))
    assert "think" not in html and "```" not in html
    assert "<h3>论文总结</h3>" in html and "<h4>1. 主要贡献</h4>" in html
    assert "<ul>\n<li>速度提升 <strong>1.5x</strong></li>" in html  # the list after a paragraph line is a list
    assert "<code>FP8</code>" in html and "<table>" in html and "<td>A</td>" in html
    assert '<a href="https://arxiv.org/abs/2407.08608" rel="nofollow noopener noreferrer">arXiv</a>' in html
    assert "$O(n^2)$" in html


def test_summary_math_is_marked_for_katex_and_dollar_amounts_stay_text():
    # Issue 15: math.js typesets only span.tex-math, so a summary marks its math where it is
    # rendered, by the dollar rule arXiv's text follows (generator.text.clean.split_prose_math).
    markdown_text = "Costs $5 million and $10 million; rate $O(n^2)$ and 10$\\times$.\n\n$$\\frac{a}{b}$$\n\n`$x$` stays code."
    html = render_summary_html(markdown_text)
    assert "Costs $5 million and $10 million;" in html
    assert '<span class="tex-math">$O(n^2)$</span>' in html and '10<span class="tex-math">$\\times$</span>' in html
    assert '<span class="tex-math tex-display">$$\\frac{a}{b}$$</span>' in html and "<code>$x$</code>" in html
    # A feed passes math_html: readable text instead, and no math element.
    feed = render_summary_html(markdown_text, math_html=lambda source: "[" + source.strip("$") + "]")
    assert "rate [O(n^2)] and 10[\\times]" in feed and "tex-math" not in feed
    # The math classes are the only ones a summary keeps, whatever a hand-edited page holds.
    assert sanitize_html('<span class="tex-math evil">$x$</span><p class="admonition">y</p>') == '<span class="tex-math">$x$</span><p>y</p>'


def test_pdf_text_is_extracted_and_non_pdfs_are_refused():
    lines = [f"Paragraph {i} explains the method (with parentheses) in detail." for i in range(20)]
    text = pdf_text(make_pdf(["A Real Title", *lines]), max_chars=100_000)
    assert text.startswith("A Real Title") and "Paragraph 19 explains the method (with parentheses)" in text
    assert len(pdf_text(make_pdf(lines), max_chars=300)) == 300
    with pytest.raises(PdfTextError, match="not a PDF"):
        pdf_text(b"<html>Rate exceeded</html>", 1000)
    with pytest.raises(PdfTextError, match="cannot read"):
        pdf_text(b"%PDF-1.4\n garbage without objects", 1000)
    with pytest.raises(PdfTextError, match="almost no extractable text"):
        pdf_text(make_pdf([]), 1000)


def test_trimming_keeps_the_estimate_within_the_limit():
    text = "word " * 10_000
    cut = trim_to_tokens(text, 1000)
    assert estimate_tokens(cut) <= 1000 and cut.endswith(TRUNCATION_NOTE) and len(cut) > 2500
    assert trim_to_tokens("short text", 1000) == "short text"
    chinese = "注意力机制" * 1000
    assert estimate_tokens(trim_to_tokens(chinese, 500)) <= 500
    assert estimate_tokens("abc") == 1 and estimate_tokens("注意") == 2


def test_the_prompt_hash_follows_template_and_language(tmp_path):
    chinese, english = build_prompt(DEFAULT_PROMPT, "Chinese"), build_prompt(DEFAULT_PROMPT, "English")
    assert "Write in Chinese." in chinese.text and "{language}" not in chinese.text
    assert chinese.sha256 != english.sha256 and build_prompt(DEFAULT_PROMPT, "Chinese") == chinese
    for part in ("Contributions and novelty", "Data, setup and baselines", "Key results", "Conclusions, limitations and future work"):
        assert part in DEFAULT_PROMPT
    config_file = tmp_path / "conf" / "config.yml"
    config_file.parent.mkdir()
    (tmp_path / "conf" / "prompt.md").write_text("Be brief, in {language}.", encoding="utf-8")
    config_file.write_text("ai_summary:\n  prompt_file: prompt.md\n  language: German\n", encoding="utf-8")
    config = load_config(config_file, environ={})
    assert config.ai_summary.prompt_file == str(tmp_path / "conf" / "prompt.md")
    assert load_prompt(config.ai_summary, config.path).text == "Be brief, in German.\n"


def test_a_missing_prompt_file_stops_before_anything_runs(tmp_path, run_cli):
    config = tmp_path / "config.yml"
    config.write_text(
        (ROOT / "config.yml").read_text(encoding="utf-8").replace("prompt_file: null", "prompt_file: prompts/none.md"), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="ai_summary.prompt_file"):
        load_config(config, environ={})
    code, err = run_cli("update", "--config", config, "--docs", tmp_path / "docs")
    assert code == 2 and "ai_summary.prompt_file" in err and "is not a file" in err and "fix:" in err
    assert not (tmp_path / "docs").exists()


def figures(**changes) -> SummaryFigures:
    base = {
        "model": "qwen-long",
        "requests": 16,
        "prompt_tokens": 150_000,
        "completion_tokens": 20_000,
        "summarized": 15,
        "fulltext": 14,
        "abstract": 1,
        "failures": 1,
        "cache_hits": 0,
        "out_of_date": 0,
        "skipped_budget": 0,
        "estimated_cost": 0.115,
        "currency": "CNY",
    }
    base.update(changes)
    return SummaryFigures(**base)


def record(started: str, **changes) -> RunRecord:
    base = {
        "command": "update",
        "started": started,
        "seconds": 41.25,
        "days": ("2026-09-24",),
        "pages_written": 16,
        "arxiv_requests": 18,
        "papers": {"fetched": 500, "matched": 40, "listed": 30, "new": 30, "updated": 0, "summarized": 15, "resummarized": 0},
        "summaries": figures(),
        "warnings": ("1 of 16 summaries failed (2609.00001: HTTP 500)",),
    }
    base.update(changes)
    return RunRecord(**base)


def test_run_records_round_trip_through_yaml():
    records = [record("2026-09-24T21:03:12Z"), record("2026-09-24T22:00:00Z", command="resummarize", summaries=None, warnings=())]
    text = dump_records(records)
    assert text.startswith("# Run records") and "estimated_cost: 0.115" in text
    assert load_records(text, "x.yml") == records
    assert dump_records(load_records(text, "x.yml")) == text  # rewriting a file keeps its earlier runs byte for byte
    with pytest.raises(ValueError, match="x.yml"):
        load_records("- {command: update}\n", "x.yml")


def test_archive_appends_run_records_per_start_date(tmp_path):
    archive = Archive(tmp_path)
    archive.append_run_record(record("2026-09-24T21:03:12Z"))
    archive.append_run_record(record("2026-09-24T23:00:00Z", command="resummarize"))
    archive.append_run_record(record("2026-09-25T21:00:00Z"))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.yml")) == [
        "runs/2026/2026-09-24.yml",
        "runs/2026/2026-09-25.yml",
    ]
    assert [r.started for r in archive.read_run_records()] == ["2026-09-24T21:03:12Z", "2026-09-24T23:00:00Z", "2026-09-25T21:00:00Z"]
    assert not list(tmp_path.rglob(".tmp-*"))


def run_history(records: list[RunRecord]) -> str:
    """The run-history page's article as the site renders it (generator.website.render.runs_view, archive/runs.html)."""
    from generator.website.render import environment, runs_view

    return environment([ROOT / "overrides"]).get_template("archive/runs.html").render(**runs_view(records))


def test_run_history_page_lists_runs_newest_first_with_monthly_totals():
    records = [
        record("2026-08-31T21:00:00Z", summaries=figures(estimated_cost=0.5)),
        record("2026-09-24T21:03:12Z"),
        record("2026-09-25T21:00:00Z", summaries=None, warnings=("no API key: <script>alert(1)</script> | *x*",)),
    ]
    page = lxml_html.fragment_fromstring(run_history(records), create_parent="div")
    assert page.findtext("h1") == "Run history"
    months, runs = (table.findall("tbody/tr") for table in page.iter("table"))
    cells = lambda row: [td.text_content() for td in row.findall("td")]  # noqa: E731
    assert cells(months[0]) == ["2026-09", "2", "16", "150000 / 20000", "15", "1", "0.1150 CNY"]
    assert cells(months[1])[:2] == ["2026-08", "1"] and cells(months[1])[-1] == "0.5000 CNY"
    assert [cells(r)[0] for r in runs] == ["2026-09-25 21:00:00", "2026-09-24 21:03:12", "2026-08-31 21:00:00"]
    assert cells(runs[1])[5:] == ["16", "150000 / 20000", "15 / 0 / 1", "0.1150 CNY", "41 s"] and cells(runs[0])[7] == "off"
    assert page.find(".//script") is None and "no API key: <script>alert(1)</script> | *x*" in page.text_content()
    assert "No runs recorded yet." in run_history([])


def test_the_last_successful_night_and_the_freshness_tags_come_from_the_run_records():
    records = [
        record("2026-09-24T05:31:00Z"),
        record("2026-09-25T05:30:40Z", caught_up=("2026-09-23",)),
        record("2026-09-26T09:00:00Z", command="resummarize"),  # not a night
        record("2026-09-26T10:00:00Z", command="backfill"),
    ]
    assert last_successful_night(records).started == "2026-09-25T05:30:40Z"
    assert last_successful_night([r for r in records if r.command != "update"]) is None
    built = dt.datetime(2026, 9, 26, 6, 2, 3, tzinfo=dt.UTC)
    assert freshness_meta(records, built) == {
        "archive:last-update": "2026-09-25",
        "archive:built": "2026-09-26T06:02:03Z",
        "archive:stale-after-weekdays": "3",
    }
    assert freshness_meta([], built)["archive:last-update"] == "2026-09-26"  # no night on record: the build date
    page = run_history(records)
    assert "<strong>Last successful night: 2026-09-25</strong> (started 2026-09-25 05:30:40 UTC)." in page
    assert "<td>2026-09-24 (caught up from the API: 2026-09-23)</td>" in page
    assert "<strong>Last successful night: none on record</strong>" in run_history(records[2:])
    assert load_records(dump_records(records), "x.yml") == records  # caught_up round-trips
    assert "caught_up" not in dump_records(records[:1])  # written only when it says something


def test_redaction_covers_messages_and_log_records(caplog):
    forget_all()
    register("sk-abcdef123456")
    try:
        assert redact("Bearer sk-abcdef123456 failed") == f"Bearer {MASK} failed"
        logger = logging.getLogger("test.redaction")
        handler = logging.Handler()
        records = []
        handler.emit = records.append
        handler.addFilter(RedactingFilter())
        logger.addHandler(handler)
        try:
            logger.warning("key %s leaked", "sk-abcdef123456")
            try:
                raise RuntimeError("boom sk-abcdef123456")
            except RuntimeError:
                logger.exception("failed")
        finally:
            logger.removeHandler(handler)
        assert records[0].getMessage() == f"key {MASK} leaked"
        assert records[1].getMessage() == f"failed (RuntimeError: boom {MASK})" and records[1].exc_info is None
    finally:
        forget_all()


def test_retry_after_forms():
    assert _retry_after({"retry-after": "2"}) == 2
    assert _retry_after({"retry-after": "0.5"}) == 0.5
    assert _retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= _retry_after({"retry-after": when}) <= 31
    assert _retry_after({}) is None and _retry_after({"retry-after": "soon"}) is None


def test_days_lists_day_pages_in_a_range(tmp_path):
    for name in ("2026-09-23", "2026-09-24", "2026-09-28"):
        path = tmp_path / "days" / "2026" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n---\n", encoding="utf-8")
    (tmp_path / "days" / "2026" / "index.md").write_text("x", encoding="utf-8")
    archive = Archive(tmp_path)
    assert archive.days() == [dt.date(2026, 9, 23), dt.date(2026, 9, 24), dt.date(2026, 9, 28)]
    assert archive.days(dt.date(2026, 9, 24), dt.date(2026, 9, 27)) == [dt.date(2026, 9, 24)]


def test_summaries_render_as_the_commonmark_models_write():
    # Models write GitHub-flavoured CommonMark: nested lists indented by two spaces (Python-Markdown
    # wanted four and flattened them), tables, emphasis next to math that must stay math.
    answer = (
        "## Results\n\n- Speed: **2.1x**\n  - on A100, batch $b_i = 2^k$\n  - on H100\n"
        "- Memory: $O(n \\log n)$ with $a*b*c$\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    html = render_summary_html(clean_summary_markdown(answer))
    assert "<h3>Results</h3>" in html
    assert (
        '<li>Speed: <strong>2.1x</strong>\n<ul>\n<li>on A100, batch <span class="tex-math">$b_i = 2^k$</span></li>' in html
    )  # nested, math untouched
    assert '<span class="tex-math">$O(n \\log n)$</span> with <span class="tex-math">$a*b*c$</span>' in html and "<em>" not in html
    assert "<td>1</td>" in html
