"""arXiv faults: a loopback arXiv that misbehaves on purpose, under the real CLI.

Every test starts from yesterday's archive (the recorded quant-ph day of 2025-04-28) and
runs tonight's `update` (the same recording, dated 2025-04-29) against a server that
answers 503/429/502, resets or stalls mid-body, serves truncated or malformed XML, or is
not there at all. A transient fault is retried and the night succeeds; a fault that lasts
fails the night with one line naming the URL and the fix, exit 1, and yesterday's archive
byte for byte as it was. Faults of the API and of PDFs cost only enrichment or full text.
(The error feed, the empty feed and the API's empty page mid-results are in test_update.py;
LLM faults are in test_summaries.py.)
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.archive.paths import day_path
from generator.archive.store import TEMP_PREFIX
from tests.conftest import FakeClock, fixture_bytes, snapshot
from tests.loopback import CUT_AFTER, STALL, FakeLLM, LoopbackServer, make_pdf

QUANT_PH = "rss_quant-ph_2025-04-28.xml"
YESTERDAY, TONIGHT = dt.date(2025, 4, 28), dt.date(2025, 4, 29)
TONIGHT_FEED = fixture_bytes(QUANT_PH).replace(b"Mon, 28 Apr 2025", b"Tue, 29 Apr 2025")
EMPTY_API = fixture_bytes("api2026_empty_totalResults0_idlist_0000.0000.xml")
TIMEOUT = 0.5

Response = tuple[int, dict[str, str], bytes]
Fault = Callable[[Response], Response]


def status(code: int, retry_after: str | None = None) -> Fault:
    headers = {"Content-Type": "text/html"} | ({"Retry-After": retry_after} if retry_after else {})
    return lambda normal: (code, headers, b"<html><body>Service Unavailable</body></html>")


def reset_mid_body(normal: Response) -> Response:
    code, headers, body = normal
    return code, headers | {CUT_AFTER: str(len(body) // 3)}, body


def stall(normal: Response) -> Response:
    code, headers, body = normal
    return code, headers | {STALL: str(TIMEOUT * 4)}, body


def body(data: bytes) -> Fault:
    return lambda normal: (200, {"Content-Type": "application/rss+xml"}, data)


class FlakyArxiv(LoopbackServer):
    """Feed, API and PDFs; `faults[kind]` answers the next requests, `always[kind]` every one."""

    def __init__(self, feed: bytes = TONIGHT_FEED):
        super().__init__()
        self.feed = feed
        self.faults: dict[str, list[Fault]] = {"rss": [], "api": [], "pdf": []}
        self.always: dict[str, Fault | None] = {"rss": None, "api": None, "pdf": None}
        self.paths: list[str] = []

    def handle(self, method, path, headers, _body):
        self.paths.append(path)
        route = urlsplit(path).path
        kind = "rss" if route.startswith("/rss/") else "api" if route.startswith("/api/") else "pdf"
        if kind == "rss":
            normal: Response = (200, {"Content-Type": "application/rss+xml"}, self.feed)
        elif kind == "api":
            normal = (200, {"Content-Type": "application/atom+xml"}, EMPTY_API)
        else:
            normal = (200, {"Content-Type": "application/pdf"}, make_pdf([f"FULLTEXT {route}"] + ["entanglement and noise " * 4] * 20))
        fault = self.faults[kind].pop(0) if self.faults[kind] else self.always[kind]
        return fault(normal) if fault else normal


@pytest.fixture(scope="module")
def yesterday(tmp_path_factory) -> Path:
    """docs/ after an ordinary night (built once, copied into each test)."""
    import os

    from generator.night.cli import main

    root = tmp_path_factory.mktemp("yesterday")
    with FlakyArxiv(fixture_bytes(QUANT_PH)) as server:
        config = write_quant_config(root / "config.yml", max_retries=0)
        saved = {k: os.environ.get(k) for k in ("ARXIV_FEED_URL", "ARXIV_API_URL", "ARXIV_REQUEST_DELAY")}
        os.environ.update(ARXIV_FEED_URL=server.url + "/rss/{categories}", ARXIV_API_URL=server.url + "/api/query", ARXIV_REQUEST_DELAY="0")
        try:
            assert main(["update", "--config", str(config), "--docs", str(root / "docs")]) == 0
        finally:
            for key, value in saved.items():
                os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    return root / "docs"


def write_quant_config(path: Path, *, max_retries: int = 2, summaries: bool = False) -> Path:
    import yaml

    from tests.conftest import ROOT

    data = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    data.update(categories=["quant-ph"], keywords=["quantum", "entanglement", "noise", "qubit"], min_score=1.5, max_papers=12, days_back=0)
    data["arxiv"].update(max_retries=max_retries, timeout=TIMEOUT)
    data["ai_summary"].update(
        enabled=summaries,
        api_key_env="FAULT_TEST_KEY",
        model="m",
        max_papers_to_summarize=3,
        max_workers=1,
        timeout=5,
        max_retries=0,
        language="English",
    )
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


class Night:
    def __init__(self, tmp_path: Path, yesterday: Path, server: FlakyArxiv, run_cli, monkeypatch, clock: FakeClock):
        self.docs = tmp_path / "docs"
        shutil.copytree(yesterday, self.docs)
        self.before = snapshot(self.docs)
        self.runs_before = {p.relative_to(self.docs).as_posix(): p.read_text(encoding="utf-8") for p in self.docs.glob("runs/*/*.yml")}
        self.server, self.run_cli, self.monkeypatch, self.tmp_path = server, run_cli, monkeypatch, tmp_path
        self.clock = clock
        """What the night waited before its retries (tests/night/conftest.py: a fake clock, nothing is slept)."""
        monkeypatch.setenv("ARXIV_FEED_URL", server.url + "/rss/{categories}")
        monkeypatch.setenv("ARXIV_API_URL", server.url + "/api/query")
        monkeypatch.setenv("ARXIV_PDF_URL", server.url + "/pdf/{id}")
        monkeypatch.setenv("ARXIV_REQUEST_DELAY", "0")
        for name in ("LLM_BASE_URL", "FAULT_TEST_KEY"):
            monkeypatch.delenv(name, raising=False)

    def run(self, *, max_retries: int = 2, summaries: bool = False) -> tuple[int, str]:
        config = write_quant_config(self.tmp_path / "config.yml", max_retries=max_retries, summaries=summaries)
        return self.run_cli("update", "--config", config, "--docs", self.docs)

    def yesterday_intact(self) -> bool:
        """Every page of yesterday as it was; the run records of the date only added to."""
        now = snapshot(self.docs)
        for path, entry in self.before.items():
            if path.startswith("runs/"):
                text = (self.docs / path).read_text(encoding="utf-8")
                if not text.startswith(self.runs_before[path]):
                    return False
            elif now.get(path) != entry:
                return False
        return True

    def unchanged(self) -> bool:
        return snapshot(self.docs) == self.before and not list(self.docs.rglob(f"{TEMP_PREFIX}*"))


@pytest.fixture
def night(tmp_path, yesterday, run_cli, monkeypatch, fake_clock):
    with FlakyArxiv() as server:
        yield Night(tmp_path, yesterday, server, run_cli, monkeypatch, fake_clock)


TRANSIENT = {
    "503 without Retry-After": status(503),
    "429 with Retry-After": status(429, retry_after="1"),
    "502": status(502),
    "reset mid-body": reset_mid_body,
    "stall past the timeout": stall,
}


@pytest.mark.parametrize("name", TRANSIENT)
def test_a_transient_feed_fault_is_retried_and_the_night_succeeds(night, name):
    night.server.faults["rss"] = [TRANSIENT[name]]
    code, err = night.run()
    assert code == 0, err
    assert "retry 1 of 2" in err and "error:" not in err
    # One wait before the retry: the server's Retry-After, else the backoff (max(delay, 0.5) * 2**0).
    assert night.clock.waits == [1.0 if name == "429 with Retry-After" else 0.5]
    assert (night.docs / day_path(TONIGHT)).is_file()
    assert night.yesterday_intact()
    assert sum(p.startswith("/rss/") for p in night.server.paths) == 2


PERSISTENT = {
    "503": (status(503), "HTTP 503"),
    "429 with Retry-After": (status(429, retry_after="0"), "HTTP 429"),
    "reset mid-body": (reset_mid_body, "ChunkedEncodingError"),
    "stall past the timeout": (stall, "ConnectionError"),  # requests reports a read timeout mid-body as a ConnectionError
    "truncated XML": (body(TONIGHT_FEED[: len(TONIGHT_FEED) // 2]), "not a readable RSS/Atom document"),
    "malformed XML": (body(b"<rss><channel><title>x</title><item><title>a & b</item></channel>"), "not a readable RSS/Atom document"),
    "HTML instead of a feed": (body(b"<!DOCTYPE html><html><body>Maintenance</body></html>"), "expected an RSS or Atom feed, got <html>"),
    "XML that is not a feed": (body(b"<?xml version='1.0'?><error>busy</error>"), "expected an RSS or Atom feed, got <error>"),
}


@pytest.mark.parametrize("name", PERSISTENT)
def test_a_lasting_feed_fault_fails_the_night_in_one_line_and_leaves_the_archive(night, name):
    fault, reason = PERSISTENT[name]
    night.server.always["rss"] = fault
    code, err = night.run(max_retries=1)
    assert code == 1, err
    assert night.clock.waits == [0.0 if name == "429 with Retry-After" else 0.5]  # one retry (Retry-After: 0 honoured)
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and reason in errors[0] and "fix:" in errors[0], err
    assert "/rss/quant-ph" in errors[0]
    assert night.unchanged()


def test_arxiv_unreachable_fails_the_night_and_leaves_the_archive(night, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("ARXIV_FEED_URL", f"http://127.0.0.1:{port}/rss/{{categories}}")  # nothing listens there
    code, err = night.run(max_retries=1)
    assert code == 1
    [error] = [line for line in err.splitlines() if line.startswith("error:")]
    # Issue 14: the endpoint and the setting to fix, not "arXiv may be down or throttling".
    assert f"feed endpoint http://127.0.0.1:{port}/rss/quant-ph" in error and ": connection refused (after one retry)" in error
    assert "check ARXIV_FEED_URL" in error and "the archive is unchanged" in error and "throttl" not in error
    assert night.unchanged()


API_FAULTS = {
    "503": status(503),
    "reset mid-body": reset_mid_body,
    "stall past the timeout": stall,
}


@pytest.mark.parametrize("name", API_FAULTS)
def test_a_lasting_api_fault_costs_only_the_enrichment(night, name):
    night.server.always["api"] = API_FAULTS[name]
    code, err = night.run(max_retries=1)
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "enrichment skipped" in warnings[0] and "pages use the feed's data" in warnings[0]
    assert (night.docs / day_path(TONIGHT)).is_file()
    assert night.yesterday_intact()


def test_an_api_answering_html_is_retried_then_reported_and_the_day_archived_from_the_feed(night):
    # Regression: the arxiv package reads an HTML page with status 200 as an empty result, so
    # enrichment was skipped silently. The answer is now checked first, retried like a 503, reported.
    night.server.always["api"] = body(b"<html><body>Bad Gateway</body></html>")
    code, err = night.run(max_retries=1)
    assert code == 0, err
    [warning] = [line for line in err.splitlines() if line.startswith("warning:")]
    assert "arXiv API enrichment skipped" in warning and "failed after 2 attempts (not the API's Atom feed: got <html>" in warning
    assert sum(p.startswith("/api/") for p in night.server.paths) == 2
    assert (night.docs / day_path(TONIGHT)).is_file()
    assert night.yesterday_intact()


@pytest.mark.parametrize("name", ["HTML instead of a feed", "truncated XML"])
def test_a_feed_answer_that_is_not_a_feed_is_retried_like_a_503(night, name):
    fault, _ = PERSISTENT[name]
    night.server.faults["rss"] = [fault]  # once, then the real feed
    code, err = night.run(max_retries=1)
    assert code == 0, err
    assert "retry 1 of 1" in err
    assert sum(p.startswith("/rss/") for p in night.server.paths) == 2
    assert (night.docs / day_path(TONIGHT)).is_file()


@pytest.mark.parametrize("name", ["reset mid-body", "stall past the timeout", "503"])
def test_a_lasting_pdf_fault_makes_the_summary_from_the_abstract(night, monkeypatch, name):
    night.server.always["pdf"] = {"reset mid-body": reset_mid_body, "stall past the timeout": stall, "503": status(503)}[name]
    with FakeLLM() as llm:
        monkeypatch.setenv("LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv("FAULT_TEST_KEY", "sk-fault-test-key")
        code, err = night.run(max_retries=0, summaries=True)
    assert code == 0, err
    # Tonight's top 3, and yesterday's top 3 (made without summaries): the nightly catch-up.
    assert len(llm.requests) == 6 and all("Abstract of the paper" in r.user for r in llm.requests)
    import yaml

    day = yaml.safe_load((night.docs / day_path(TONIGHT)).read_text(encoding="utf-8").split("---\n")[1])
    assert day["counts"]["summarized"] == 3
    # Yesterday's pages gained their summaries (the catch-up); none was lost, its day lists the same papers.
    assert all((night.docs / path).is_file() for path in night.before)
    old = yaml.safe_load((night.docs / day_path(YESTERDAY)).read_text(encoding="utf-8").split("---\n")[1])
    assert len(old["papers"]) == 12 and old["counts"]["summarized"] == 3
