"""The SIGKILL suite: `python -m generator update` killed at seeded random moments.

Two nights against loopback servers (arXiv feed, API and PDFs; an OpenAI-compatible LLM):
night 1 starts from an empty archive (a backfill of the days before, then the feed's day,
summaries, one of which fails), night 2 from night 1's archive (a new day, two archived
papers replaced by new versions, the failed summary caught up). For each night a real
subprocess is killed with SIGKILL (a) just before its n-th file-system step, n drawn from
every step the uninterrupted run takes (tests/killpoint.py), and (b) after a random delay
within the uninterrupted run's duration. After each kill: every page parses, every day
page lists only papers whose pages exist, and yesterday's pages are unchanged or already
tonight's. Then the next run (the real CLI) completes and the archive equals the
uninterrupted run's, byte for byte, except: run records (docs/runs/, which record each
run's own time and counts) and the time of day in each summary's `created` stamp.

A night is one transaction (generator/archive/store.py): its pages are staged, a journal commits
them, renames put them in place. A second test aims its kills inside that commit (its first
step, both sides of the commit point, its last step, and seeded steps between) and checks
that the interrupted night, once `Archive.recover` has run, is exactly the night before or
exactly the uninterrupted night, never a mix.

KILL_SEED and KILLS_PER_NIGHT (environment) reproduce a run or make it longer.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from lxml import etree

from demo.replay import served_as_complete
from generator.archive.records import read_paper as paper_from_page
from generator.archive.records import split_front_matter
from generator.archive.runs import load_records
from generator.archive.store import TEMP_PREFIX, TRANSACTION_DIR, Archive
from generator.arxiv.feed import parse_announcements
from generator.config import load_config
from generator.ranking.selection import select
from tests.conftest import ROOT, fixture_bytes
from tests.loopback import FakeLLM, LoopbackServer, Reply, make_pdf

pytestmark = pytest.mark.slow  # kills the real CLI with SIGKILL at every step, in subprocesses (left out of `make test-fast`)

SEED = int(os.environ.get("KILL_SEED", "20261127"))
KILLS_PER_NIGHT = int(os.environ.get("KILLS_PER_NIGHT", "12"))
QUANT_PH = "rss_quant-ph_2025-04-28.xml"
SEARCH = "api2026_search_cat_cs.LG_OR_cs.AI_max20.xml"
EMPTY_API = fixture_bytes("api2026_empty_totalResults0_idlist_0000.0000.xml")
ATOM = "http://www.w3.org/2005/Atom"
FAILING = {"id": ""}
"""The paper whose summary fails on night 1 (HTTP 400) and is made by night 2's catch-up: the feed day's second."""


def backfill_results() -> bytes:
    """The recorded search page, its submission dates moved into the week before 2025-04-28 (edited copy)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(served_as_complete(fixture_bytes(SEARCH)), parser=parser)
    for n, entry in enumerate(root.findall(f"{{{ATOM}}}entry")):
        entry.find(f"{{{ATOM}}}published").text = f"2025-04-{22 + n % 3}T1{n % 4}:00:00Z"  # announced 04-23, 24, 25
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def night2_feed(replaced: list[str]) -> bytes:
    """The recorded quant-ph day, dated 2025-04-29, with `replaced` re-announced as v2 (edited copy)."""
    doc = fixture_bytes(QUANT_PH).replace(b"Mon, 28 Apr 2025", b"Tue, 29 Apr 2025")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(doc, parser=parser)
    ns = {"arxiv": "http://arxiv.org/schemas/atom"}
    for item in root.find("channel").findall("item"):
        arxiv_id = item.findtext("guid").rsplit(":", 1)[1].split("v")[0]
        if arxiv_id in replaced:
            item.find("guid").text = f"oai:arXiv.org:{arxiv_id}v2"
            item.find("description").text = re.sub(
                r"^arXiv:\S+ Announce Type: \S+", f"arXiv:{arxiv_id}v2 Announce Type: replace", item.find("description").text
            )
            item.find("arxiv:announce_type", ns).text = "replace"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class Arxiv(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.feed = fixture_bytes(QUANT_PH)
        self.search = backfill_results()

    def handle(self, method, path, headers, body):
        url = urlsplit(path)
        if url.path.startswith("/rss/"):
            return 200, {"Content-Type": "application/rss+xml"}, self.feed
        if url.path == "/api/query":
            query = parse_qs(url.query)
            if "submittedDate" in query.get("search_query", [""])[0] and query.get("start", ["0"])[0] == "0":
                return 200, {"Content-Type": "application/atom+xml"}, self.search
            return 200, {"Content-Type": "application/atom+xml"}, EMPTY_API
        if url.path.startswith("/pdf/"):
            return (
                200,
                {"Content-Type": "application/pdf"},
                make_pdf([f"Full text of {url.path}"] + ["we study qubits and noise " * 3] * 20),
            )
        return 404, {}, b""


def llm_script(request) -> Reply | None:
    if request.arxiv_id == FAILING["id"] and "night1" in os.environ.get("KILL_NIGHT", ""):
        return Reply(status=400, error="content filter")
    return None


@dataclass
class World:
    tmp: Path
    arxiv: Arxiv
    llm: FakeLLM
    config: Path

    def env(self, night: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_", "LLM_", "KILL_"))}
        env.update(
            ARXIV_FEED_URL=self.arxiv.url + "/rss/{categories}",
            ARXIV_API_URL=self.arxiv.url + "/api/query",
            ARXIV_PDF_URL=self.arxiv.url + "/pdf/{id}",
            ARXIV_REQUEST_DELAY="0",
            LLM_BASE_URL=self.llm.base_url,
            KILL_TEST_KEY="sk-kill-test-0123456789",
            NO_PROXY="127.0.0.1,localhost",
            PYTHONPATH=str(ROOT),
        )
        return env

    def run(
        self, docs: Path, night: str, *, kill_at_step: int = 0, kill_after: float | None = None, count_file: Path | None = None
    ) -> tuple[int, float]:
        """One `update` in a real subprocess; (exit code or -9, seconds)."""
        self.set_night(night)
        env = self.env(night) | {"KILL_AT_STEP": str(kill_at_step)}
        if count_file:
            env["KILL_COUNT_FILE"] = str(count_file)
        command = [sys.executable, "-m", "tests.killpoint", "update", "--config", str(self.config), "--docs", str(docs)]
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            if kill_after is not None:
                try:
                    process.wait(timeout=kill_after)
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGKILL)
            _, err = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
        if process.returncode not in (0, -signal.SIGKILL):
            raise AssertionError(f"update exited {process.returncode}: {err.decode()[-2000:]}")
        return process.returncode, time.monotonic() - started

    def set_night(self, night: str) -> None:
        os.environ["KILL_NIGHT"] = night  # read by the LLM script (same process as the servers)
        self.arxiv.feed = self.feeds[night]


def normalized_tree(docs: Path) -> dict[str, bytes]:
    """Every file but run records; summary timestamps cut to the day."""
    out = {}
    for path in sorted(docs.rglob("*")):
        rel = path.relative_to(docs).as_posix()
        if path.is_file() and not rel.startswith("runs/"):
            data = path.read_bytes()
            data = re.sub(rb"(\n  created: '\d{4}-\d\d-\d\d)T[\d:]+Z'", rb"\1'", data)
            out[rel] = data
    return out


def check_consistent(docs: Path) -> None:
    """What must hold at any moment: pages parse, day pages list only existing papers."""
    for path in docs.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if path.parts[-3] == "papers" or "papers" in path.relative_to(docs).parts[:1]:
            paper_from_page(text, str(path))
        else:
            meta, _ = split_front_matter(text, str(path))
            for arxiv_id in meta["papers"] + list(meta.get("updated") or []):
                assert (docs / "papers" / arxiv_id[:4] / f"{arxiv_id}.md").is_file(), f"{path} lists {arxiv_id}, which has no page"
    for path in docs.glob("runs/*/*.yml"):
        load_records(path.read_text(encoding="utf-8"), str(path))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sigkill")
    data = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    data.update(
        categories=["quant-ph"],
        keywords=["quantum", "entanglement", "noise", "qubit", "learning", "model"],
        min_score=1.5,
        max_papers=10,
        days_back=7,
    )
    data["arxiv"].update(max_retries=0, timeout=10)
    data["ai_summary"].update(
        api_key_env="KILL_TEST_KEY",
        model="kill-model",
        language="English",
        max_papers_to_summarize=4,
        max_workers=2,
        timeout=10,
        max_retries=0,
    )
    config = tmp / "config.yml"
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    feed = parse_announcements(fixture_bytes(QUANT_PH))
    FAILING["id"] = select(feed.announcements, load_config(config, environ={}), {}, feed.date).listed[1].announcement.arxiv_id
    saved = os.environ.get("KILL_NIGHT")
    with Arxiv() as arxiv, FakeLLM(delay=0.05, script=llm_script) as llm:
        world = World(tmp, arxiv, llm, config)
        world.feeds = {"night1": fixture_bytes(QUANT_PH)}
        # The uninterrupted nights: references, durations and step counts.
        world.ref1 = tmp / "ref1" / "docs"
        (world.steps1, world.commits1), world.seconds1 = reference(world, "night1", None, world.ref1)
        listed = split_front_matter((world.ref1 / "days/2025/2025-04-28.md").read_text(encoding="utf-8"), "day")[0]["papers"]
        world.replaced = [i for i in listed if i != FAILING["id"]][:2]
        world.feeds["night2"] = night2_feed(world.replaced)
        world.ref2 = tmp / "ref2" / "docs"
        (world.steps2, world.commits2), world.seconds2 = reference(world, "night2", world.ref1, world.ref2)
        yield world
    if saved is None:
        os.environ.pop("KILL_NIGHT", None)
    else:
        os.environ["KILL_NIGHT"] = saved


def reference(world: World, night: str, start: Path | None, docs: Path) -> tuple[tuple[int, list[list[int]]], float]:
    if start is not None:
        shutil.copytree(start, docs)
    count = docs.parent / "steps"
    code, seconds = world.run(docs, night, count_file=count)
    assert code == 0
    check_consistent(docs)
    figures = json.loads(count.read_text())
    return (figures["steps"], figures["commits"]), seconds


def test_the_uninterrupted_nights_do_what_the_kills_interrupt(world):
    days1 = sorted(p.name for p in (world.ref1 / "days").rglob("*.md"))
    assert days1 == ["2025-04-23.md", "2025-04-24.md", "2025-04-25.md", "2025-04-28.md"]  # backfill, then the feed's day
    day2 = split_front_matter((world.ref2 / "days/2025/2025-04-29.md").read_text(encoding="utf-8"), "day")[0]
    assert day2["papers"] and day2["updated"] == sorted(world.replaced) or day2["updated"] == world.replaced
    failed = split_front_matter((world.ref2 / "papers/2504" / f"{FAILING['id']}.md").read_text(encoding="utf-8"), "p")[0]
    assert failed["summary"]  # made by night 2's catch-up
    assert "summary" not in split_front_matter((world.ref1 / "papers/2504" / f"{FAILING['id']}.md").read_text(encoding="utf-8"), "p")[0]
    assert world.steps1 > 50 and world.steps2 > 20
    assert len(world.commits1) == len(world.commits2) == 1  # each night is one transaction


def kill_plan(world: World, night: str) -> list[tuple[str, float]]:
    """Seeded kill points: ('step', n) for about 60 % of the kills, ('time', seconds) for the rest."""
    rng = random.Random(f"{SEED}-{night}")
    steps = world.steps1 if night == "night1" else world.steps2
    seconds = world.seconds1 if night == "night1" else world.seconds2
    events = max(1, round(KILLS_PER_NIGHT * 0.6))
    plan = [("step", rng.randint(1, steps)) for _ in range(events)]
    plan += [("time", round(rng.uniform(0.05, seconds), 3)) for _ in range(KILLS_PER_NIGHT - events)]
    return plan


@pytest.mark.parametrize("night", ["night1", "night2"])
def test_sigkill_at_random_moments_loses_nothing_and_the_next_run_completes_the_night(world, night, run_cli, monkeypatch, tmp_path):
    start = None if night == "night1" else world.ref1
    reference_docs = world.ref1 if night == "night1" else world.ref2
    expected = normalized_tree(reference_docs)
    before = normalized_tree(start) if start else {}
    for name, value in world.env(night).items():
        monkeypatch.setenv(name, value)
    killed = survived = 0
    figures = []
    for number, (kind, point) in enumerate(kill_plan(world, night)):
        docs = tmp_path / f"kill{number}" / "docs"
        if start:
            shutil.copytree(start, docs)
        code, _ = world.run(docs, night, kill_at_step=int(point) if kind == "step" else 0, kill_after=point if kind == "time" else None)
        killed += code == -signal.SIGKILL
        survived += code == 0
        label = f"{night} kill {number} at {kind} {point}"
        if docs.exists():
            check_consistent(docs)
            now = normalized_tree(docs)
            for path, data in before.items():  # yesterday: as it was, or already as tonight leaves it
                assert now.get(path) in (data, expected.get(path)), f"{label}: {path} lost or garbled"
        world.set_night(night)
        code, err = run_cli("update", "--config", world.config, "--docs", docs)
        assert code == 0, f"{label}: the next run failed: {err}"
        assert not list(docs.rglob(f"{TEMP_PREFIX}*")), label
        after = normalized_tree(docs)
        assert sorted(after) == sorted(expected), f"{label}: files differ: {sorted(set(after) ^ set(expected))}"
        for path in expected:
            assert after[path] == expected[path], f"{label}: {path} differs from the uninterrupted run"
        figures.append((kind, point, code))
        shutil.rmtree(docs.parent)
    print(
        f"\n{night}: {len(figures)} kills planned (seed {SEED}), {killed} killed mid-run, {survived} finished first; all resumed to the "
        "uninterrupted archive"
    )
    assert killed >= len(figures) // 2


def commit_kill_points(world: World, night: str) -> list[int]:
    """Steps of the night's commit to kill before: its edges, both sides of the commit point, seeded others."""
    [(first, ready, point, last)] = world.commits1 if night == "night1" else world.commits2
    rng = random.Random(f"{SEED}-commit-{night}")
    chosen = {first, ready, point - 1, point, point + 1, last}
    chosen |= {rng.randint(ready + 1, point - 2), rng.randint(point + 2, last - 1)}
    return sorted(chosen)


def runs_tree(docs: Path) -> dict[str, bytes]:
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in sorted(docs.glob("runs/*/*.yml"))}


@pytest.mark.parametrize("night", ["night1", "night2"])
def test_a_kill_during_the_commit_leaves_the_old_or_the_new_night_and_the_next_run_repairs_it(world, night, run_cli, monkeypatch, tmp_path):
    start = None if night == "night1" else world.ref1
    expected = normalized_tree(world.ref1 if night == "night1" else world.ref2)
    before = normalized_tree(start) if start else {}
    runs_before = runs_tree(start) if start else {}
    [(_, ready, point, _)] = world.commits1 if night == "night1" else world.commits2
    for name, value in world.env(night).items():
        monkeypatch.setenv(name, value)
    outcomes = []
    for step in commit_kill_points(world, night):
        docs = tmp_path / f"step{step}" / "docs"
        if start:
            shutil.copytree(start, docs)
        code, _ = world.run(docs, night, kill_at_step=step)
        label = f"{night} killed before step {step} (commit point {point})"
        assert code == -signal.SIGKILL, label
        # The commit's first steps create docs/.transaction (and docs/ itself on night 1).
        assert (docs / TRANSACTION_DIR).is_dir() == (step >= ready), f"{label}: the kill came outside the commit"
        if docs.exists():
            check_consistent(docs)  # even mid-commit, a day page lists only papers whose pages exist
        recovery = Archive(docs).recover()
        assert not (docs / TRANSACTION_DIR).exists(), label
        if recovery is None:  # killed before the folder existed: nothing had begun
            assert step < ready, label
            assert not docs.exists() or normalized_tree(docs) == before, label
        elif step < point:
            assert recovery.outcome == "rolled back", label
            assert normalized_tree(docs) == before and runs_tree(docs) == runs_before, f"{label}: not the night before"
        else:
            # Past the commit point the night is done: completed from the journal, or (killed after
            # the journal was removed) only an empty folder was left to remove.
            assert recovery.outcome == "completed" or (recovery.outcome, recovery.pages) == ("rolled back", 0), label
            assert normalized_tree(docs) == expected, f"{label}: not the uninterrupted night"
            assert len(runs_tree(docs)) >= max(1, len(runs_before))
        outcomes.append("not begun" if recovery is None else "before" if step < point else "after")
        world.set_night(night)
        code, err = run_cli("update", "--config", world.config, "--docs", docs)
        assert code == 0, f"{label}: the next run failed: {err}"
        assert normalized_tree(docs) == expected, f"{label}: the next run did not complete the night"
        shutil.rmtree(docs.parent)
    print(
        f"\n{night}: {len(outcomes)} kills inside the commit (seed {SEED}): {outcomes.count('not begun')} before its folder existed, "
        f"{outcomes.count('before')} before the commit point (recovered: the night before), {outcomes.count('after')} after it "
        "(recovered: the uninterrupted night); the next run completed the night each time"
    )
    assert "before" in outcomes and "after" in outcomes


# -- Regressions the kill suite found, each replayed in-process with an interruption at the same write ----


def interrupt_before(monkeypatch, page: str) -> None:
    """Stop the run (KeyboardInterrupt, as a kill would) just before `page` is put in place by the commit."""
    import generator.archive.store as archive

    real = archive._install

    def install(staged, target):
        if target.as_posix().endswith(page):
            raise KeyboardInterrupt
        real(staged, target)

    monkeypatch.setattr(archive, "_install", install)


def resume(world, docs, night, run_cli, monkeypatch, page: str) -> None:
    for name, value in world.env(night).items():
        monkeypatch.setenv(name, value)
    world.set_night(night)
    with monkeypatch.context() as patch:
        interrupt_before(patch, page)
        code, err = run_cli("update", "--config", world.config, "--docs", docs)
        assert code == 130, err
    code, err = run_cli("update", "--config", world.config, "--docs", docs)
    assert code == 0, err


def test_regression_a_first_run_killed_mid_backfill_is_completed_by_the_next_run(world, tmp_path, run_cli, monkeypatch):
    # Killed after the backfill wrote 2025-04-23: the next run saw days in docs/, skipped the
    # backfill, and 2025-04-24 and 2025-04-25 were never archived (kill suite, night 1, step 16).
    docs = tmp_path / "docs"
    resume(world, docs, "night1", run_cli, monkeypatch, "days/2025/2025-04-24.md")
    assert normalized_tree(docs) == normalized_tree(world.ref1)


def test_regression_a_replacement_written_before_a_kill_stays_on_its_day_page(world, tmp_path, run_cli, monkeypatch):
    # Killed after the v2 page of a replaced paper was written, before the day page: the next
    # run found v2 already archived and the day page lost its "new versions" list (night 2, step 71).
    docs = tmp_path / "docs"
    shutil.copytree(world.ref1, docs)
    resume(world, docs, "night2", run_cli, monkeypatch, "days/2025/2025-04-29.md")
    meta = split_front_matter((docs / "days/2025/2025-04-29.md").read_text(encoding="utf-8"), "day")[0]
    assert sorted(meta["updated"]) == sorted(world.replaced)
    assert normalized_tree(docs) == normalized_tree(world.ref2)


def test_regression_a_caught_up_summary_is_counted_on_its_day_page_after_a_kill(world, tmp_path, run_cli, monkeypatch):
    # Killed after the catch-up wrote yesterday's summarized paper, before yesterday's day page:
    # the next run found the summary and never recounted, so the day page said 3 of 4 for good.
    docs = tmp_path / "docs"
    shutil.copytree(world.ref1, docs)
    resume(world, docs, "night2", run_cli, monkeypatch, "days/2025/2025-04-28.md")
    meta = split_front_matter((docs / "days/2025/2025-04-28.md").read_text(encoding="utf-8"), "day")[0]
    assert meta["counts"]["summarized"] == 4
    assert normalized_tree(docs) == normalized_tree(world.ref2)
