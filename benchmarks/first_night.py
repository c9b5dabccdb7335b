"""What a new archive's first night costs: arXiv requests (time at 3 s spacing) and LLM tokens.

Measures, on 127.0.0.1 only:

1. The demo (`demo.build`: the real CLI, recorded arXiv responses, the real summary
   stage against the `demo-replay` loopback LLM): every run's arXiv requests, days
   written, summaries and tokens, from its run records. It checks that each run's
   requests follow the count the README uses: 1 feed request per `update`, 1 API
   request per 200 search results per category (backfill), 1 enrichment request per
   day written, 1 PDF download per summary.
2. One full-text summary: the real summarizer, a PDF far longer than
   `max_input_tokens`, the replay LLM: the prompt it sends (characters, and tokens as
   the generator estimates them: 3 ASCII characters or 1 other character per token).

Then it projects the first night of the default config.yml from those counts and
the stated assumptions (arXiv's daily volume per category is not in any recording:
pass your own with --results-per-day).

    python -m benchmarks.first_night [--results-per-day cs.AI=600 cs.CL=250 cs.DC=70 cs.LG=700] [--answer-tokens 1500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import tempfile
import time
from pathlib import Path

from demo.build import DEMO_KEY_ENV, build_archive
from demo.llm import ReplayLLM
from generator.archive.store import Archive
from generator.arxiv.api import PAGE_SIZE, make_session
from generator.config import load_config
from generator.summaries.fulltext import ASCII_CHARS_PER_TOKEN
from generator.summaries.summarize import create_summarizer
from tests.loopback import PdfServer, make_pdf

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "demo" / "config.yml"
DEFAULT_CONFIG = ROOT / "config.yml"
REAL_CHARS_PER_TOKEN = 4.0
"""Characters per token of common tokenizers on English prose (an assumption; the generator's own estimate uses 3)."""


def demo_runs(out: Path) -> list[dict[str, object]]:
    """Build the demo and return one row per run (from its run records)."""
    docs = build_archive(out, quiet=True)
    config = load_config(DEMO_CONFIG, environ={})
    rows = []
    for record in Archive(docs).read_run_records():
        figures = record.summaries
        searches = len(config.categories) if record.command == "backfill" else 0  # every recorded search is under 200 results
        feed = 1 if record.command == "update" else 0
        summaries = figures.requests if figures else 0
        expected = feed + searches + len(record.days) + summaries
        rows.append({
            "command": record.command,
            "days": len(record.days),
            "listed": record.papers.get("listed", 0),
            "arxiv_requests": record.arxiv_requests,
            "expected_requests": expected,
            "summaries": figures.summarized if figures else 0,
            "llm_requests": summaries,
            "prompt_tokens": figures.prompt_tokens if figures else 0,
            "completion_tokens": figures.completion_tokens if figures else 0,
        })  # fmt: skip
    return rows


def fulltext_prompt(docs_out: Path) -> dict[str, float]:
    """Summarize one demo paper from a PDF far longer than max_input_tokens; what was sent."""
    docs = docs_out / "docs"
    archive = Archive(docs)
    paper = archive.read_paper("2604.26837")
    assert paper is not None
    # About 240,000 characters of text: more than the 90,000 a 30,000-token budget keeps.
    lines = [f"{paper.announcement.title}."] + [
        paper.announcement.abstract[i : i + 90] for i in range(0, len(paper.announcement.abstract), 90)
    ] * 160
    pdf = make_pdf(lines)
    with ReplayLLM() as llm, PdfServer(lambda versioned: pdf) as pdfs:
        environ = {
            "LLM_BASE_URL": llm.base_url,
            "ARXIV_PDF_URL": pdfs.template,
            "ARXIV_REQUEST_DELAY": "0",
            DEMO_KEY_ENV: "demo-replay-not-a-key",
        }
        config = load_config(DEMO_CONFIG, environ=environ)
        warnings: list[str] = []
        summarizer = create_summarizer(config, make_session(config), warnings.append, environ=environ)
        assert summarizer is not None
        made = summarizer.summarize([paper])
        assert paper.arxiv_id in made and made[paper.arxiv_id].input == "fulltext", (made, warnings)
        request = llm.requests[-1]
        return {
            "max_input_tokens": config.ai_summary.max_input_tokens,
            "chars_sent": request["chars_sent"],
            "estimated_prompt_tokens": request["prompt_tokens"],
            "tokenizer_tokens_at_4_chars": round(request["chars_sent"] / REAL_CHARS_PER_TOKEN),
        }


def project(results_per_day: dict[str, int], answer_tokens: int) -> dict[str, object]:
    """The default config's first night, from the counts above and the assumptions given."""
    config = load_config(DEFAULT_CONFIG, environ={})
    summary = config.ai_summary
    weekdays_back = sum(1 for n in range(1, config.days_back + 1) if (dt.date(2026, 9, 25) - dt.timedelta(days=n)).weekday() < 5)
    days_written = weekdays_back + 1  # the backfilled announcement days, then today's
    # A backfill reads results newest first until the announcement day falls before `since`:
    # about days_back + 1 days of submissions per category (weekends included, at weekday volume: an upper bound).
    searches = sum(math.ceil(results_per_day[code] * (config.days_back + 1) / PAGE_SIZE) for code in config.categories)
    summaries = days_written * summary.max_papers_to_summarize
    prompt = summary.max_input_tokens * ASCII_CHARS_PER_TOKEN / REAL_CHARS_PER_TOKEN  # a tokenizer's count of a full, cut paper
    per_summary = prompt + answer_tokens
    # Requests in flight when the budget is reached still finish; no PDF is downloaded after it.
    fits = min(summaries, math.floor(summary.token_budget / per_summary) + summary.max_workers)
    requests = 1 + searches + days_written + fits
    cost_per_summary = prompt / 1000 * summary.price_per_1k_input + answer_tokens / 1000 * summary.price_per_1k_output
    cost = fits * cost_per_summary
    return {
        "categories": ", ".join(config.categories),
        "days_back": config.days_back,
        "days_written": days_written,
        "arxiv_requests": requests,
        "of_which": f"1 feed + {searches} API search pages + {days_written} enrichment + {fits} PDFs",
        "minutes_at_delay": round(requests * config.arxiv.request_delay / 60, 1),
        "summaries_wanted": summaries,
        "tokens_per_summary": round(per_summary),
        "summaries_within_token_budget": fits,
        "token_budget": summary.token_budget,
        "cost_night_one": f"{cost:.2f} {summary.currency}",
        "cost_per_later_night": f"{summary.max_papers_to_summarize * cost_per_summary:.2f} {summary.currency}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--results-per-day", nargs="+", default=["cs.AI=600", "cs.CL=250", "cs.DC=70", "cs.LG=700"],
        help="API search results (new and cross-listed papers) per announcement day, per default category: an assumption",
    )  # fmt: skip
    parser.add_argument(
        "--answer-tokens", type=int, default=1500, help="tokens of a model's answer (an assumption; max_output_tokens is 2000)"
    )
    args = parser.parse_args()
    volumes = {code: int(count) for code, count in (item.split("=", 1) for item in args.results_per_day)}
    load = os.getloadavg()[0]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        rows = demo_runs(Path(tmp))
        full = fulltext_prompt(Path(tmp))
    seconds = time.monotonic() - started
    print(f"load average before: {load:.2f}; measured in {seconds:.1f} s\n")
    print("demo runs (recorded arXiv, demo-replay LLM):")
    print(
        f"{'command':<10} {'days':>4} {'listed':>6} {'arXiv req':>9} {'formula':>7} {'summaries':>9} {'LLM req':>7} {'prompt tok':>10} "
        f"{'answer tok':>10}"
    )
    for row in rows:
        print(
            f"{row['command']:<10} {row['days']:>4} {row['listed']:>6} {row['arxiv_requests']:>9} {row['expected_requests']:>7} "
            f"{row['summaries']:>9} {row['llm_requests']:>7} {row['prompt_tokens']:>10} {row['completion_tokens']:>10}"
        )
        assert row["arxiv_requests"] == row["expected_requests"], row
    llm_requests = sum(int(r["llm_requests"]) for r in rows)
    print(f"per abstract-only summary: {sum(int(r['prompt_tokens']) for r in rows) / llm_requests:.0f} prompt tokens, "
          f"{sum(int(r['completion_tokens']) for r in rows) / llm_requests:.0f} answer tokens (estimated)\n")  # fmt: skip
    print("one full-text summary (PDF longer than the budget):")
    for key, value in full.items():
        print(f"  {key}: {value}")
    print(
        f"\nprojected first night of config.yml (assumed results per category and day: {volumes}; answers of {args.answer_tokens} tokens):"
    )
    for key, value in project(volumes, args.answer_tokens).items():
        print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
