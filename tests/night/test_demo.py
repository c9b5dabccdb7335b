"""The demo (`make demo`): AI summaries made by the real summary stage, a server that answers like Pages.

Issue 14: the demo disabled summaries, so its home page said "0 AI summaries" under a
tagline promising summaries. Now demo.build runs the real generator (and its openai
client) against demo/llm.py, a loopback server replaying the answers committed in
demo/answers/ as the model `demo-replay`; demo/serve.py answers missing pages with the
site's 404 page, as GitHub Pages does.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from demo.build import DEMO_KEY_ENV, build_archive
from demo.llm import ANSWERS, MODEL, ReplayLLM
from demo.serve import make_server
from generator.archive.models import DayRecord
from generator.archive.store import Archive
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # builds the demo archive with the real CLI in subprocesses (left out of `make test-fast`)

TOP = 3
"""demo/config.yml's ai_summary.max_papers_to_summarize."""


@pytest.fixture(scope="module")
def demo_docs(tmp_path_factory) -> Path:
    before = dict(os.environ)
    docs = build_archive(tmp_path_factory.mktemp("demo"), quiet=True)
    assert dict(os.environ) == before  # the dummy key and the loopback address were for the subprocesses only
    return docs


def days(docs: Path) -> dict[dt.date, DayRecord]:
    archive = Archive(docs)
    return {day: archive.read_day(day) for day in archive.days()}


def test_the_top_papers_of_every_demo_day_carry_a_demo_replay_summary(demo_docs):
    archive = Archive(demo_docs)
    summarized = set()
    for day, record in days(demo_docs).items():
        top = list(record.papers[:TOP])
        papers = archive.read_papers(top)
        for arxiv_id in top:
            summary = papers[arxiv_id].summary
            assert summary is not None, f"{day} {arxiv_id} has no summary"
            assert summary.model == MODEL and summary.input == "abstract"  # no PDFs in the replay: the abstract was sent
            assert "Demo answer: written by hand for this demo" in summary.markdown
            for part in (
                "1. Contributions and novelty",
                "2. Data, setup and baselines",
                "3. Key results",
                "4. Conclusions, limitations and future work",
            ):
                assert part in summary.markdown, (arxiv_id, part)
            summarized.add(arxiv_id)
        assert record.counts.summarized == TOP == len(top), day  # the day page counts them
        below = archive.read_papers(record.papers[TOP:])
        assert all(p.summary is None for p in below.values())
    # Every committed answer was asked for, and nothing else was summarized.
    committed = {path.stem for path in ANSWERS.glob("*.md") if path.name != "README.md"}
    assert summarized == committed


def test_the_latest_day_the_home_page_shows_has_summaries(demo_docs):
    latest, record = max(days(demo_docs).items())
    assert latest == dt.date(2026, 9, 24) and record.counts.summarized == TOP


def test_the_run_records_count_the_replayed_requests(demo_docs):
    records = Archive(demo_docs).read_run_records()
    figures = [r.summaries for r in records]
    assert all(f is not None and f.model == MODEL for f in figures)
    assert sum(f.summarized for f in figures) == len(list(ANSWERS.glob("2*.md")))
    assert sum(f.failures for f in figures) == 0 and sum(f.abstract for f in figures) == sum(f.summarized for f in figures)
    assert all(f.prompt_tokens > 0 and f.completion_tokens > 0 for f in figures)


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_the_replay_answers_only_its_model_and_only_papers_it_has_answers_for():
    with ReplayLLM() as llm:
        url = llm.base_url + "/chat/completions"
        status, answer = post(url, {"model": MODEL, "messages": [{"role": "user", "content": "Title: x\narXiv: 2604.26837v1\n"}]})
        assert status == 200 and answer["choices"][0]["message"]["content"] == (ANSWERS / "2604.26837.md").read_text(encoding="utf-8")
        assert answer["usage"]["prompt_tokens"] > 0 and answer["model"] == MODEL
        status, answer = post(url, {"model": "qwen-long", "messages": [{"role": "user", "content": "arXiv: 2604.26837v1"}]})
        assert status == 404 and answer["error"]["code"] == "model_not_found"
        status, answer = post(url, {"model": MODEL, "messages": [{"role": "user", "content": "arXiv: 2601.00001v1"}]})
        assert status == 400 and "demo-replay has no answer for 2601.00001" in answer["error"]["message"]


def test_every_committed_answer_says_it_is_a_demo_and_has_the_four_parts():
    answers = sorted(p for p in ANSWERS.glob("*.md") if p.name != "README.md")
    assert len(answers) >= 12
    for path in answers:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("> *Demo answer: written by hand for this demo"), path
        headings = [line for line in text.splitlines() if line.startswith("## ")]
        assert [h[:6] for h in headings] == ["## 1. ", "## 2. ", "## 3. ", "## 4. "], path


def test_the_demo_server_answers_a_missing_page_with_the_sites_404_page(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    (site / "404.html").write_text("<h1>Page not found</h1><p>the site's own 404 page</p>", encoding="utf-8")
    server = make_server(site, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with urllib.request.urlopen(base, timeout=5) as response:
            assert response.status == 200 and b"home" in response.read()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "papers/9999/9999.99999/", timeout=5)
        assert missing.value.code == 404
        assert missing.value.headers["Content-Type"] == "text/html; charset=utf-8"
        assert missing.value.read() == (site / "404.html").read_bytes()
    finally:
        server.shutdown()
        server.server_close()


def test_make_demo_serves_with_the_404_aware_server_and_sets_no_real_key():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    demo = makefile[makefile.index("\ndemo: ") :].split("\n\n")[0]
    assert "-m demo.serve" in demo and "http.server" not in demo
    config = (ROOT / "demo" / "config.yml").read_text(encoding="utf-8")
    assert f"api_key_env: {DEMO_KEY_ENV}" in config and "model: demo-replay" in config
