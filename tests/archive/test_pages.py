"""One lister of archive pages (issue 21): what a killed run or a person leaves in docs/ is never read as a page.

Four readers of the whole archive (the site's catalog, `migrate`, `doctor`, `embed`) and the
store's own functions each had their own rule for hidden and temporary files: the catalog
skipped every hidden file, migrate and doctor only `.tmp-*`, the store's day list none. They
now all ask `Archive.pages`. These tests put next to real pages what a killed run leaves (a
temp file of `atomic_write`, a commit's staging folder), hidden files and a hidden folder
holding copies of real pages, and check that every reader sees exactly the real pages.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path, PurePosixPath

import pytest

from generator.archive.migrate import migrate
from generator.archive.store import TEMP_PREFIX, TRANSACTION_DIR, Archive, Recovery, is_hidden
from generator.night.doctor import OK, check_archive
from generator.ranking.embeddings import archive_texts
from generator.website.catalog import read_catalog
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
PAPER = PurePosixPath("papers/2504/2504.18298.md")
DAY = PurePosixPath("days/2026/2026-09-24.md")


def real_files(docs: Path) -> dict[str, set[PurePosixPath]]:
    """The fixture's pages by kind, listed independently of the code under test."""
    listed = {"paper": ("papers", "*.md"), "day": ("days", "*.md"), "runs": ("runs", "*.yml")}
    return {
        kind: {PurePosixPath(p.relative_to(docs).as_posix()) for p in (docs / folder).rglob(pattern)}
        for kind, (folder, pattern) in listed.items()
    }


def leave_debris(docs: Path, paper: PurePosixPath, day: PurePosixPath) -> dict[str, bytes]:
    """What is never a page, as a killed run, a crashed commit, a system or a person leaves it; returns it by path."""
    paper_text = (docs / paper).read_bytes()
    day_text = (docs / day).read_bytes()
    debris = {
        # atomic_write's temp files of a run killed mid-write
        f"{paper.parent}/{TEMP_PREFIX}k2j3h4": paper_text[: len(paper_text) // 2],
        f"{day.parent}/{TEMP_PREFIX}q1w2e3": b"---\nformat: 2\ntitle: half",
        # a commit killed before its commit point: staged copies, no journal, a journal temp file
        f"{TRANSACTION_DIR}/000000": paper_text,
        f"{TRANSACTION_DIR}/{TEMP_PREFIX}j0urn4l": b'{"pages": [',
        # hidden files and folders: valid pages that must not count twice, and garbage that must not be read
        f"{paper.parent}/.{paper.name}": paper_text,
        f"papers/.trash/{paper.parent.name}/{paper.name}": paper_text,
        f"days/.old/{day.name}": day_text,
        f"{paper.parent}/.DS_Store": b"\x00\x01Bud1\xff",
        "runs/.cache/notes.yml": b"not: [a run record",
    }
    for relpath, data in debris.items():
        target = docs / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return debris


@pytest.fixture
def v2_docs(tmp_path) -> Path:
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "archive-v2" / "docs", docs)
    return docs


def test_the_rule_hidden_means_never_a_page():
    assert TEMP_PREFIX.startswith(".") and TRANSACTION_DIR.startswith(".")
    assert is_hidden(PurePosixPath(TRANSACTION_DIR, "000000")) and is_hidden(PurePosixPath("papers/2504", TEMP_PREFIX + "x"))
    assert is_hidden(PurePosixPath("papers/.trash/2504/2504.18298.md")) and not is_hidden(PAPER)


def test_every_reader_of_the_archive_sees_exactly_its_pages(v2_docs):
    real = real_files(v2_docs)
    assert len(real["paper"]) > 30 and len(real["day"]) == 5 and len(real["runs"]) == 1  # the frozen v2 fixture
    runs_before = Archive(v2_docs).read_run_records()
    debris = leave_debris(v2_docs, PAPER, DAY)
    archive = Archive(v2_docs)

    # The lister itself.
    listed = archive.pages()
    assert {kind: {p.relpath for p in listed if p.kind == kind} for kind in real} == real
    assert [p.kind for p in listed] == sorted((p.kind for p in listed), key=["paper", "day", "runs"].index)
    assert [p.relpath for p in archive.pages("day")] == sorted(real["day"])
    assert all(p.path == v2_docs.joinpath(*p.relpath.parts) for p in listed)

    # The store's own functions.
    assert archive.days() == sorted(dt.date.fromisoformat(p.stem) for p in real["day"])
    archive.check_format()
    assert archive.read_run_records() == runs_before
    assert archive.has_days() and archive.has_run_records()

    # The site's catalog.
    catalog = read_catalog(v2_docs)
    assert {p.path for p in catalog.papers.values()} == real["paper"]
    assert {d.path for d in catalog.days} == real["day"]

    # doctor: every page readable, and counted once.
    findings = check_archive(v2_docs)
    counts = f"{len(real['paper']):,} paper pages, {len(real['day']):,} day pages and {len(real['runs']):,} run-record files"
    assert [(f.level, counts in f.message) for f in findings] == [(OK, True)], [f.line() for f in findings]

    # migrate: every page already current; nothing else read, nothing written.
    report = migrate(v2_docs)
    assert (report.current, report.papers, report.days, report.written) == (len(real["paper"]) + len(real["day"]), 0, 0, [])

    # embed: one text per archived paper.
    assert sorted(t.arxiv_id for t in archive_texts(v2_docs)) == sorted(catalog.papers)

    # The debris is untouched by all of them.
    assert all((v2_docs / relpath).read_bytes() == data for relpath, data in debris.items())


def test_the_next_run_removes_only_what_a_killed_run_left(v2_docs):
    debris = leave_debris(v2_docs, PAPER, DAY)
    archive = Archive(v2_docs)
    assert archive.recover() == Recovery("rolled back", 1)  # the staging folder of a commit killed before its journal
    assert archive.remove_stale_temp_files() == 2
    left = {relpath for relpath in debris if (v2_docs / relpath).exists()}
    assert left == {r for r in debris if not r.startswith(TRANSACTION_DIR) and TEMP_PREFIX not in r}  # a person's files stay


def test_migrate_upgrades_the_pages_and_leaves_hidden_copies_alone(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "archive-v1" / "docs", docs)
    real = real_files(docs)
    paper = sorted(real["paper"])[0]
    day = sorted(real["day"])[0]
    debris = leave_debris(docs, paper, day)
    report = migrate(docs)
    assert (report.papers, report.days) == (len(real["paper"]), len(real["day"]))
    assert set(report.written) == real["paper"] | real["day"]
    assert all((docs / relpath).read_bytes() == data for relpath, data in debris.items())  # a v1 copy in a hidden file stays v1
