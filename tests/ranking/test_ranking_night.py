"""Issue 22 end to end: `python -m generator update` ranks a recorded day by relevance, with the judge on a loopback model.

The arXiv feed and API are replayed from recordings on a loopback server; the judge talks
with the real openai client to tests/loopback.py's FakeLLM on 127.0.0.1 (a script, not a
model: it rates what a test needs). The site is a real `mkdocs build` of the archive the
night wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import pytest
import yaml

from generator.archive.paths import day_path, paper_path
from generator.archive.records import split_front_matter
from generator.config.model import relevance_of_similarity
from generator.night.cli import main
from tests.loopback import FakeLLM, LLMRequest, Reply
from tests.ranking.test_interests import serve_arxiv
from tests.sitekit import build_site

DAY = dt.date(2025, 4, 28)
KEY = "sk-judge-night-0123456789abcdef"
PROFILE = "I work on quantum error correction and the noise of superconducting qubits."
HOSTILE = 'Bounds x < y & z on <b>qubits</b> "quoted" <script>alert(1)</script> {{ 7*7 }}'
"""What the loopback judge says of the first paper it is asked about: markup, a script, a template."""
CLEANED = 'Bounds x < y & z on qubits "quoted" alert(1) {{ 7*7 }}'
"""That reason as the archive keeps it (judge.clean_reason: markup out, text kept)."""


def ids_in(request: LLMRequest) -> list[str]:
    return re.findall(r"^id: (\S+)$", request.user, re.MULTILINE)


def judge_script(request: LLMRequest) -> Reply:
    """Rates every paper of a judge request: the first one ever asked about 9 with HOSTILE, the others 5."""
    ratings = []
    for arxiv_id in ids_in(request):
        first = arxiv_id == judge_script.first or judge_script.first is None
        judge_script.first = judge_script.first or arxiv_id
        ratings.append({"id": arxiv_id, "rating": 9 if first else 5, "reason": HOSTILE if first else "A neighbouring topic."})
    return Reply(content=json.dumps({"ratings": ratings}))


judge_script.first = None


def night_config(write_config, name: str = "config.yml", **changes):
    base = {
        "site": {"url": "https://reader.example.org/archive/"},
        "categories": ["quant-ph"],
        "keywords": ["quantum", "entanglement", "noise", "qubit"],
        "min_score": 1.5,
        "max_papers": 10,
        "interests": {"papers": ["quant-ph/0201082"], "profile": PROFILE},  # one paper and the profile: two examples
        "ranking": {"judge": True, "judge_batch": 5, "judge_candidates": 12},
        "ai_summary": {
            "enabled": False,  # the judge asks the summary model even when summaries are off
            "api_key_env": "TEST_LLM_KEY",
            "model": "judge-model",
            "max_retries": 0,
            "retry_backoff": 0,
            "timeout": 5,
            "price_per_1k_input": 0.5,
            "price_per_1k_output": 2.0,
            "currency": "EUR",
        },
    }
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return write_config(name, **base)


def day_meta(docs) -> dict:
    return split_front_matter((docs / day_path(DAY)).read_text(encoding="utf-8"), "day")[0]


def paper_meta(docs, arxiv_id: str) -> dict:
    return split_front_matter((docs / paper_path(arxiv_id)).read_text(encoding="utf-8"), arxiv_id)[0]


def records(docs) -> list[dict]:
    return [r for f in sorted((docs / "runs").glob("*/*.yml")) for r in yaml.safe_load(f.read_text(encoding="utf-8"))]


@pytest.fixture
def llm(arxiv_env, monkeypatch):
    serve_arxiv(arxiv_env, [])
    judge_script.first = None
    with FakeLLM(script=judge_script, prompt_tokens=700, completion_tokens=120) as server:
        monkeypatch.setenv("LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("TEST_LLM_KEY", KEY)
        yield server


@pytest.mark.slow  # a real `mkdocs build`
def test_the_judge_rates_the_day_its_reason_shows_escaped_and_a_rerun_asks_nothing(tmp_path, llm, write_config, run_cli):
    docs = tmp_path / "docs"
    config = night_config(write_config)
    code, err = run_cli("update", "--config", config, "--docs", docs)
    assert code == 0, err
    report = " ".join(err.split())
    assert "ranking learned ranker (TF-IDF)" in report and "warning" not in err

    # Batches of judge_batch, at most judge_candidates papers in all, each asked once.
    asked = [i for r in llm.requests for i in ids_in(r)]
    assert llm.requests and all(0 < len(ids_in(r)) <= 5 for r in llm.requests)
    assert len(asked) == len(set(asked)) <= 12 and len(llm.requests) == math.ceil(len(asked) / 5)
    assert all(PROFILE in r.user and r.model == "judge-model" for r in llm.requests)

    # The ratings are in the front matter of the listed papers, and in the judge's cache.
    listed = [str(i) for i in day_meta(docs)["papers"]]
    hostile = judge_script.first
    assert hostile in listed
    judged = paper_meta(docs, hostile)
    assert judged["judge"] == {"rating": 9, "reason": CLEANED, "model": "judge-model"}
    assert judged["interest"]["method"] == "classifier" and 0 <= judged["interest"]["relevance"] <= 1
    cache = yaml.safe_load((docs / "data" / "judge" / "2025" / "2025-04-28.yml").read_text(encoding="utf-8"))
    assert sorted(entry["id"] for entry in cache) == sorted(asked)

    # The run record: how the day was ranked, what the judge did and cost.
    (record,) = records(docs)
    assert record["ranking"]["method"] == "classifier" and record["ranking"]["interest_papers"] == 1 and record["ranking"]["profile"]
    judge = record["judge"]
    assert (judge["requests"], judge["rated"], judge["cached"], judge["failed_days"]) == (len(llm.requests), len(asked), 0, 0)
    assert (judge["prompt_tokens"], judge["completion_tokens"]) == (700 * len(llm.requests), 120 * len(llm.requests))
    assert judge["estimated_cost"] == pytest.approx((0.7 * 0.5 + 0.12 * 2.0) * len(llm.requests))

    # A rerun of the night: every rating from the cache, no request, the same pages.
    pages = {p: p.read_bytes() for p in (docs / "papers").rglob("*.md")} | {docs / day_path(DAY): (docs / day_path(DAY)).read_bytes()}
    sent = len(llm.requests)
    code, err = run_cli("update", "--config", config, "--docs", docs)
    assert code == 0, err
    assert len(llm.requests) == sent
    assert f"judge: rated / cached / unrated 0 / {len(asked)} / 0" in " ".join(err.split())
    assert {p: p.read_bytes() for p in pages} == pages

    # The built site: the reason on the day page and the paper page, as text.
    site = tmp_path / "site"
    built = build_site(docs, config, site)
    assert built.returncode == 0, built.stderr[-3000:]
    day_html = (site / "days" / "2025" / "2025-04-28" / "index.html").read_text(encoding="utf-8")
    paper_html = (site / paper_path(hostile).with_suffix("").as_posix() / "index.html").read_text(encoding="utf-8")
    shown = "x &lt; y &amp; z on qubits &#34;quoted&#34; alert(1) {{ 7*7 }}"
    for html in (day_html, paper_html):
        assert shown in html.replace("&quot;", "&#34;")
        assert "<b>qubits" not in html and "<script>alert(1)" not in html
    assert '<p class="entry-why">Why: Bounds' in day_html
    assert day_html.count('class="entry-why"') == sum(1 for i in listed if "judge" in paper_meta(docs, i))
    assert "(rated 9/10 by judge-model)" in paper_html
    about = " ".join((site / "about" / "index.html").read_text(encoding="utf-8").split())
    assert (
        "used the learned ranker (a linear classifier) on TF-IDF of titles and abstracts, from 1 interest paper and the research profile"
        in about
    )
    assert "The judge is on: <code>judge-model</code>" in about


def test_a_failing_judge_is_one_warning_and_the_ranker_order(tmp_path, llm, write_config, run_cli):
    plain = tmp_path / "plain"
    code, err = run_cli("update", "--config", night_config(write_config, "off.yml", ranking={"judge": False}), "--docs", plain)
    assert code == 0, err and not llm.requests

    llm.script = lambda request: Reply(status=500, error="the judge is down")
    docs = tmp_path / "docs"
    code, err = run_cli("update", "--config", night_config(write_config), "--docs", docs)
    assert code == 0, err
    assert llm.requests  # it was asked, and failed
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and warnings[0].startswith("warning: ranking.judge:") and "ranked by the learned ranker alone" in warnings[0]
    assert day_meta(docs)["papers"] == day_meta(plain)["papers"]
    assert all("judge" not in paper_meta(docs, str(i)) for i in day_meta(docs)["papers"])
    assert not (docs / "data" / "judge").exists()
    (record,) = records(docs)
    assert record["judge"]["failed_days"] == 1 and record["judge"]["rated"] == 0 and record["warnings"] == [warnings[0][len("warning: ") :]]


def test_the_old_min_similarity_still_works_and_the_doctor_says_it_is_deprecated(tmp_path, llm, write_config, run_cli, capsys):
    # One interest paper, no profile: the cosine fallback, which the run report says.
    old = night_config(
        write_config, "old.yml", keywords=[], interests={"papers": ["quant-ph/0201082"], "profile": "", "min_similarity": 0.03}
    )
    new = night_config(
        write_config,
        "new.yml",
        keywords=[],
        interests={"papers": ["quant-ph/0201082"], "profile": "", "min_relevance": round(float(relevance_of_similarity(0.03)), 4)},
    )
    for name, config in (("old", old), ("new", new)):
        code, err = run_cli("update", "--config", config, "--docs", tmp_path / name)
        assert code == 0, err
        assert "cosine similarity (TF-IDF): 1 interest paper, fewer than 2 positive examples" in " ".join(err.split())
    listed = day_meta(tmp_path / "old")["papers"]
    assert listed and listed == day_meta(tmp_path / "new")["papers"]
    assert records(tmp_path / "old")[0]["ranking"]["method"] == "cosine"

    # The doctor prints its findings on stdout.
    main(["doctor", "--config", str(old), "--docs", str(tmp_path / "old"), "--offline"])
    out = " ".join(capsys.readouterr().out.split())
    assert f"{old}:" in out and "interests.min_similarity is deprecated: replaced by interests.min_relevance" in out
    main(["doctor", "--config", str(new), "--docs", str(tmp_path / "new"), "--offline"])
    out = capsys.readouterr().out
    assert "config" in out and "deprecated" not in out


def test_the_embeddings_block_serves_the_ranking_through_the_one_cache(tmp_path, llm, write_config, run_cli):
    from generator.ranking.embeddings import EmbeddingCache, profile_key

    model = "fake-embed/v1"
    config = night_config(
        write_config,
        ranking={"judge": False},
        embeddings={"model": model, "base_url": llm.base_url, "api_key_env": "TEST_LLM_KEY", "max_retries": 0, "batch_size": 50},
    )
    docs = tmp_path / "docs"
    code, err = run_cli("update", "--config", config, "--docs", docs)
    assert code == 0, err
    assert "warning" not in err and f"learned ranker ({model})" in " ".join(err.split())
    (record,) = records(docs)
    assert record["ranking"]["features"] == model and record["ranking"]["method"] == "classifier"
    listed = [str(i) for i in day_meta(docs)["papers"]]
    assert listed and all(paper_meta(docs, i)["interest"]["features"] == model for i in listed)
    # One cache: the written papers', the interest paper's and the profile's vectors, made once.
    cached = EmbeddingCache(docs, model).keys()
    assert profile_key(PROFILE) in cached and ("quant-ph/0201082", 1) in cached
    assert {(i, int(paper_meta(docs, i)["version"])) for i in listed} <= cached
    sent = len(llm.embedding_requests)
    assert sent and not llm.requests
    # A rerun embeds only the day's papers that were not written (the cache keeps what the archive holds), and ranks the same.
    code, err = run_cli("update", "--config", config, "--docs", docs)
    assert code == 0, err
    again = [t for r in llm.embedding_requests[sent:] for t in r.inputs]
    assert PROFILE not in again and day_meta(docs)["papers"] == listed
