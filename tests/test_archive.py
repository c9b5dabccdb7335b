"""Atomic, idempotent writes of the archive."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from generator.archive import TEMP_PREFIX, Archive, atomic_write


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
