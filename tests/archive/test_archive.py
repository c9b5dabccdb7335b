"""Atomic, idempotent writes of the archive: pages, and transactions of pages (stage, journal, commit, recover)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path, PurePosixPath

import pytest

from generator.archive.models import DayCounts, DayRecord
from generator.archive.records import day_page
from generator.archive.store import JOURNAL, TEMP_PREFIX, TRANSACTION_DIR, Archive, Recovery, atomic_write
from generator.errors import ArchiveError


def test_a_failed_replace_leaves_the_old_page_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "papers" / "2609" / "2609.26811.md"
    atomic_write(target, b"old")

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["2609.26811.md"]


def test_identical_pages_are_not_rewritten(tmp_path):
    archive = Archive(tmp_path)
    page = PurePosixPath("days/2026/2026-09-24.md")
    assert archive.write({page: "x"}).written == (page,)
    mtime = (tmp_path / page).stat().st_mtime_ns
    result = archive.write({page: "x"})
    assert result.written == () and result.unchanged == 1
    assert (tmp_path / page).stat().st_mtime_ns == mtime


def test_temp_files_of_a_killed_run_are_removed_and_never_pages(tmp_path):
    archive = Archive(tmp_path)
    stale = tmp_path / "papers" / "2609" / f"{TEMP_PREFIX}abc"
    stale.parent.mkdir(parents=True)
    stale.write_text("half a page")
    assert archive.remove_stale_temp_files() == 1
    assert not stale.exists()
    # MkDocs skips dot-files, so a leftover could never be published as a page anyway.
    assert TEMP_PREFIX.startswith(".")


def test_pages_are_world_readable(tmp_path):
    target = Path(tmp_path) / "a.md"
    atomic_write(target, b"x")
    assert target.stat().st_mode & 0o777 == 0o644


def test_staged_pages_are_seen_by_reads_and_written_only_by_the_commit(tmp_path):
    archive = Archive(tmp_path)
    day, paper = PurePosixPath("days/2026/2026-09-24.md"), PurePosixPath("papers/2609/2609.26811.md")
    record = DayRecord(dt.date(2026, 9, 24), "Thursday, 24 September 2026", ("2609.26811",), DayCounts(4, 2, 1, 0))
    assert archive.stage({paper: "p", day: day_page(record)}).written == (paper, day)
    assert archive.day_exists(dt.date(2026, 9, 24)) and archive.days() == [dt.date(2026, 9, 24)]
    assert archive.read_day(dt.date(2026, 9, 24)) == record
    assert not (tmp_path / "days").exists()  # nothing on disk yet
    archive.discard()
    assert not archive.day_exists(dt.date(2026, 9, 24))
    archive.stage({day: "d", paper: "p"})
    result = archive.commit()
    assert result.written == (paper, day)  # papers first, whatever the staging order
    assert (tmp_path / day).read_text() == "d" and not (tmp_path / TRANSACTION_DIR).exists()


def test_recover_completes_a_commit_whose_journal_was_written(tmp_path, monkeypatch):
    import generator.archive.store as archive_module

    archive = Archive(tmp_path)
    pages = {PurePosixPath(f"papers/2609/2609.{n:05d}.md"): f"page {n}" for n in range(4)}

    def fail(staged, target):
        raise OSError("stopped")

    monkeypatch.setattr(archive_module, "_install", fail)
    with pytest.raises(ArchiveError, match="the next run completes it"):
        archive.write(pages)
    assert (tmp_path / TRANSACTION_DIR / JOURNAL).is_file() and not (tmp_path / "papers").exists()
    monkeypatch.undo()
    assert Archive(tmp_path).recover() == Recovery("completed", 4)
    assert {p: (tmp_path / p).read_text() for p in pages} == pages
    assert not (tmp_path / TRANSACTION_DIR).exists()


def test_recover_removes_a_commit_stopped_before_its_journal(tmp_path, monkeypatch):
    import generator.archive.store as archive_module

    archive = Archive(tmp_path)
    archive.write({PurePosixPath("days/2026/2026-09-23.md"): "old"})
    before = sorted(p.as_posix() for p in tmp_path.rglob("*"))
    real = archive_module.atomic_write

    def killed(target, data):  # the journal is never written (a kill would stop here too)
        raise KeyboardInterrupt

    monkeypatch.setattr(archive_module, "atomic_write", killed)
    with pytest.raises(KeyboardInterrupt):
        archive.write({PurePosixPath("days/2026/2026-09-23.md"): "new", PurePosixPath("days/2026/2026-09-24.md"): "x"})
    monkeypatch.setattr(archive_module, "atomic_write", real)
    assert len(list((tmp_path / TRANSACTION_DIR).iterdir())) == 2  # two staged files, no journal
    assert Archive(tmp_path).recover() == Recovery("rolled back", 2)
    assert sorted(p.as_posix() for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "days/2026/2026-09-23.md").read_text() == "old"


def test_a_journal_pointing_outside_docs_is_refused(tmp_path):
    folder = tmp_path / TRANSACTION_DIR
    folder.mkdir()
    (folder / JOURNAL).write_text(json.dumps({"pages": [{"page": "../outside.md", "staged": "000000", "sha256": ""}]}))
    (folder / "000000").write_text("x")
    with pytest.raises(ArchiveError, match="not a page of the archive"):
        Archive(tmp_path).recover()
    assert not (tmp_path.parent / "outside.md").exists()
