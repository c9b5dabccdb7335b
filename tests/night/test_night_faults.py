"""A night is a transaction: a fault at each step leaves docs/ unchanged or the night complete.

The night under test is the richest the nightly job has: after nights 2 and 3 failed, night 4
(tests/nights.py) catches up 29 and 30 April from the API, archives 1 May from the feed,
enriches the new papers from the API, downloads PDFs and asks a loopback LLM for summaries
(a summary night 1 could not make is retried), then commits. A fault is injected at each
step: the feed, the API's catch-up search and its enrichment, PDFs, the LLM (an answer that
fails, and a stage that raises), rendering, and the commit (before its commit point, and
after it). A fault that stops the night leaves docs/ byte for byte as it was (mtimes
included, no staging folder); a fault the night survives leaves a complete, consistent night
and says what it cost; a commit stopped after its commit point is completed by the next run.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
import yaml

from generator.archive.paths import day_path
from generator.archive.records import split_front_matter
from generator.archive.store import TRANSACTION_DIR, Archive
from tests.conftest import ROOT, FakeClock, snapshot
from tests.loopback import CUT_AFTER, FakeLLM, Reply
from tests.night.test_sigkill import check_consistent, normalized_tree
from tests.nights import DAYS, UNAVAILABLE, FourDays

KEY_ENV = "NIGHT_FAULT_KEY"
FAILS_ON_NIGHT_1 = {"id": None}


def llm_script(request) -> Reply | None:
    if request.arxiv_id == FAILS_ON_NIGHT_1["id"]:
        return Reply(status=400, error="content filter")
    return None


def write_config(path: Path) -> Path:
    data = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    data.update(categories=["quant-ph"], keywords=["quantum", "entanglement", "noise", "qubit"], min_score=1.5, max_papers=12, days_back=0)
    data["arxiv"].update(max_retries=1, timeout=5)
    data["ai_summary"].update(
        enabled=True, api_key_env=KEY_ENV, model="night-model", language="English", max_papers_to_summarize=2,
        max_workers=2, timeout=5, max_retries=0, retry_backoff=0.01,
    )  # fmt: skip
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


class World:
    def __init__(self, root: Path, arxiv: FourDays, llm: FakeLLM):
        self.root, self.arxiv, self.llm = root, arxiv, llm
        self.clock = FakeClock()
        """The nights wait on it: retries are recorded, not slept (tests/conftest.py)."""
        self.config = write_config(root / "config.yml")
        self.env = {
            "ARXIV_FEED_URL": arxiv.url + "/rss/{categories}",
            "ARXIV_API_URL": arxiv.url + "/api/query",
            "ARXIV_PDF_URL": arxiv.url + "/pdf/{id}",
            "ARXIV_REQUEST_DELAY": "0",
            "LLM_BASE_URL": llm.base_url,
            KEY_ENV: "sk-night-fault-key",
        }

    def run(self, docs: Path, night: int) -> tuple[int, str]:
        import contextlib
        import io

        from generator.night.cli import main

        self.arxiv.night = night
        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr):
                code = main(["update", "--config", str(self.config), "--docs", str(docs)], sleep=self.clock)
        finally:
            for key, value in saved.items():
                os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        return code, stderr.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("night-faults")
    with FourDays() as arxiv, FakeLLM(script=llm_script) as llm:
        world = World(root, arxiv, llm)
        # Night 1, with one summary refused (night 4 retries it), then the uninterrupted night 4.
        world.night1 = root / "night1" / "docs"
        FAILS_ON_NIGHT_1["id"] = "first"
        code, err = world.run(world.night1, 0)
        assert code == 0, err
        ranked = split_front_matter((world.night1 / day_path(DAYS[0])).read_text(encoding="utf-8"), "day")[0]["papers"]
        FAILS_ON_NIGHT_1["id"] = ranked[1]
        shutil.rmtree(world.night1.parent)
        code, err = world.run(world.night1, 0)
        assert code == 0 and "1 of 2 summaries failed" in err, err
        FAILS_ON_NIGHT_1["id"] = None
        world.reference = root / "reference" / "docs"
        shutil.copytree(world.night1, world.reference)
        code, err = world.run(world.reference, 3)
        assert code == 0, err
        yield world


def test_the_night_under_test_does_every_step(world):
    days = Archive(world.reference).days()
    assert days == DAYS
    metas = {d: split_front_matter((world.reference / day_path(d)).read_text(encoding="utf-8"), "day")[0] for d in DAYS}
    assert [metas[d].get("source") for d in DAYS] == [None, "api", "api", None]
    assert all(m["counts"]["summarized"] == 2 for m in metas.values())  # the refused summary made on night 4
    inputs = {
        split_front_matter(p.read_text(encoding="utf-8"), "p")[0].get("summary", {}).get("input")
        for p in world.reference.rglob("papers/*/*.md")
    }
    assert "fulltext" in inputs


def start(world, tmp_path) -> tuple[Path, dict]:
    docs = tmp_path / "docs"
    shutil.copytree(world.night1, docs)
    return docs, snapshot(docs)


def unchanged(docs: Path, before: dict) -> bool:
    return snapshot(docs) == before and not (docs / TRANSACTION_DIR).exists()


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning:")]


# -- faults that stop the night: docs/ unchanged ------------------------------------


def test_feed_down_leaves_docs_unchanged(world, tmp_path):
    docs, before = start(world, tmp_path)
    world.arxiv.faults["feed"] = UNAVAILABLE
    try:
        code, err = world.run(docs, 3)
    finally:
        world.arxiv.faults.clear()
    assert code == 1 and len(errors(err)) == 1 and "HTTP 503" in errors(err)[0]
    assert unchanged(docs, before)


def test_the_summary_stage_raising_after_the_days_were_computed_leaves_docs_unchanged(world, tmp_path, monkeypatch):
    # Until the night became a transaction, `update` wrote the day pages before the summary
    # catch-up ran, so a catch-up that raised left a half-written night.
    from generator.summaries.summarize import Summarizer

    docs, before = start(world, tmp_path)
    real = Summarizer.summarize
    calls = []

    def summarize(self, papers):
        calls.append(len(list(papers)))
        if len(calls) == 4:  # the catch-up of night 1's refused summary, after 29/30 April and 1 May
            raise RuntimeError("the summary stage broke")
        return real(self, papers)

    monkeypatch.setattr(Summarizer, "summarize", summarize)
    code, err = world.run(docs, 3)
    assert code == 1 and "internal error: RuntimeError: the summary stage broke" in errors(err)[0]
    assert len(calls) == 4
    assert unchanged(docs, before)


def test_rendering_failing_on_the_last_day_leaves_docs_unchanged(world, tmp_path, monkeypatch):
    from generator.night import day as stage

    docs, before = start(world, tmp_path)
    real = stage.day_page

    def day_page(record):
        if record.date == DAYS[3]:
            raise ValueError("cannot render 1 May")
        return real(record)

    monkeypatch.setattr(stage, "day_page", day_page)
    code, err = world.run(docs, 3)
    assert code == 1 and "cannot render 1 May" in errors(err)[0]
    assert unchanged(docs, before)


def test_a_full_disk_while_staging_the_commit_leaves_docs_unchanged(world, tmp_path, monkeypatch):
    from generator.archive import store as archive

    docs, before = start(world, tmp_path)
    real = archive._write_synced
    staged = []

    def write_synced(path, data):
        staged.append(path)
        if len(staged) == 10:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(archive, "_write_synced", write_synced)
    code, err = world.run(docs, 3)
    assert code == 1
    [error] = errors(err)
    assert "No space left on device" in error and "docs/ is unchanged" in error
    assert unchanged(docs, before)


# -- a commit stopped after its commit point: completed by the next run -----------------


def test_a_commit_stopped_after_its_commit_point_is_completed_by_the_next_run(world, tmp_path, monkeypatch):
    from generator.archive import store as archive

    docs, _ = start(world, tmp_path)
    real = archive._install
    installed = []

    def install(staged, target):
        installed.append(target)
        if len(installed) == 5:
            raise OSError(errno.EIO, "Input/output error")
        real(staged, target)

    with monkeypatch.context() as patch:
        patch.setattr(archive, "_install", install)
        code, err = world.run(docs, 3)
    assert code == 1
    [error] = errors(err)
    assert "a commit stopped half-way" in error and "the next run completes it" in error
    assert (docs / TRANSACTION_DIR / "journal.json").is_file()
    check_consistent(docs)  # papers go in first: no day page lists a missing paper even now
    requests = len(world.llm.requests)
    code, err = world.run(docs, 3)
    assert code == 0, err
    assert any("its commit was completed" in w for w in warnings(err))
    assert len(world.llm.requests) == requests  # the summaries came with the commit, not asked again
    assert normalized_tree(docs) == normalized_tree(world.reference)


# -- faults the night survives: complete and consistent, the cost reported ---------------


def completed(docs: Path) -> None:
    check_consistent(docs)
    assert (docs / day_path(DAYS[3])).is_file()
    assert not (docs / TRANSACTION_DIR).exists()


@pytest.mark.parametrize(
    "kind,fault,said",
    [
        ("search", UNAVAILABLE, "catch-up of 2 missed announcement days (2025-04-29, 2025-04-30) skipped"),
        ("enrich", (200, {"Content-Type": "text/html"}, b"<html><body>Bad Gateway</body></html>"), "arXiv API enrichment skipped"),
        ("pdf", (200, {"Content-Type": "application/pdf", CUT_AFTER: "100"}, b"%PDF-1.4 " + b"x" * 4000), None),
    ],
    ids=["API catch-up 503", "API enrichment HTML", "PDF reset mid-body"],
)
def test_a_fault_the_night_survives_leaves_a_complete_night_and_says_what_it_cost(world, tmp_path, kind, fault, said):
    docs, _ = start(world, tmp_path)
    world.arxiv.faults[kind] = fault
    try:
        code, err = world.run(docs, 3)
    finally:
        world.arxiv.faults.clear()
    assert code == 0, err
    completed(docs)
    if said:
        assert any(said in w for w in warnings(err)), warnings(err)
    if kind == "pdf":  # tonight's summaries were made from the abstracts
        tonight = [i for d in DAYS[1:] for i in split_front_matter((docs / day_path(d)).read_text(encoding="utf-8"), "day")[0]["papers"]]
        made = [Archive(docs).read_paper(str(i)).summary for i in tonight]
        assert {s.input for s in made if s} == {"abstract"}
    if kind == "search":
        assert Archive(docs).days() == [DAYS[0], DAYS[3]]
        assert world.run(docs, 3)[0] == 0  # the next night catches up what this one could not
        assert Archive(docs).days() == DAYS


def test_an_llm_failing_all_night_leaves_a_complete_night_without_new_summaries(world, tmp_path):
    docs, _ = start(world, tmp_path)
    world.llm.script = lambda request: Reply(status=500, error="overloaded")
    try:
        code, err = world.run(docs, 3)
    finally:
        world.llm.script = llm_script
    assert code == 0, err
    completed(docs)
    assert any("summaries failed" in w and "the next run retries them" in w for w in warnings(err))
    assert split_front_matter((docs / day_path(DAYS[3])).read_text(encoding="utf-8"), "day")[0]["counts"]["summarized"] == 0
