"""Benchmark: parallel AI summaries against a slow OpenAI-compatible server on 127.0.0.1.

Runs the real nightly job (`Pipeline.update`, as `python -m generator update` does)
on the recorded quant-ph day, with a loopback LLM that takes `--answer-seconds` per
answer and a loopback PDF server, and reports the wall time of the run, the LLM
requests, and the largest number of LLM requests in flight at once.

    python -m benchmarks.bench_summaries                     # 15 summaries, max_workers 3, 2 s answers
    python -m benchmarks.bench_summaries --workers 1         # the same, one at a time
    python -m benchmarks.bench_summaries --request-delay 3   # with arXiv's real 3 s spacing of PDF downloads

Nothing leaves 127.0.0.1; the archive is written to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import yaml

from demo.replay import ArxivReplay
from generator.config import load_config
from generator.night.pipeline import Pipeline
from generator.night.progress import quiet
from tests.loopback import FakeLLM, PdfServer, make_pdf

ROOT = Path(__file__).resolve().parent.parent

DAY_FEED = "rss_quant-ph_2025-04-28.xml"  # 81 announcements, 32 match the keywords below


def write_config(folder: Path, papers: int, workers: int) -> Path:
    data = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    data.update(
        categories=["quant-ph"], keywords=["quantum", "entanglement", "noise", "qubit"], min_score=1.5, max_papers=papers, days_back=0
    )
    data["ai_summary"].update(
        api_key_env="BENCH_LLM_KEY", model="bench-model", max_papers_to_summarize=papers, max_workers=workers, timeout=60
    )
    path = folder / "config.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def pdf_for(versioned_id: str) -> bytes:
    return make_pdf([f"Paper {versioned_id}", *(f"Section {i}: results on entanglement and noise." for i in range(40))])


def run(papers: int, workers: int, answer_seconds: float, request_delay: float) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as tmp, ArxivReplay() as replay, FakeLLM(delay=answer_seconds) as llm, PdfServer(pdf_for) as pdfs:
        replay.serve_day(DAY_FEED)
        environ = {
            **replay.environ(),
            "ARXIV_PDF_URL": pdfs.template,
            "ARXIV_REQUEST_DELAY": str(request_delay),
            "LLM_BASE_URL": llm.base_url,
            "BENCH_LLM_KEY": "bench-key-not-secret",
        }
        saved = {name: os.environ.get(name) for name in environ}
        os.environ.update(environ)
        try:
            config = load_config(write_config(Path(tmp), papers, workers))
            pipeline = Pipeline.create(config, Path(tmp) / "docs", "update", quiet(), with_summaries=True)
            started = time.monotonic()
            report = pipeline.update()
            wall = time.monotonic() - started
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        figures = report.summaries.figures()
        return {
            "papers_summarized": figures.summarized,
            "max_workers": workers,
            "answer_seconds": answer_seconds,
            "arxiv_request_delay": request_delay,
            "wall_seconds": round(wall, 2),
            "llm_requests": figures.requests,
            "llm_peak_concurrency": llm.concurrency.peak,
            "pdf_requests": len(pdfs.paths),
            "pdf_peak_concurrency": pdfs.concurrency.peak,
            "failures": figures.failures,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=15)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--answer-seconds", type=float, default=2.0)
    parser.add_argument("--request-delay", type=float, default=0.0, help="seconds between arXiv requests (PDFs); arXiv asks for 3")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(args.papers, args.workers, args.answer_seconds, args.request_delay)
    if args.json:
        print(json.dumps(result))
        return
    for name, value in result.items():
        print(f"{name:22} {value}")


if __name__ == "__main__":
    main()
