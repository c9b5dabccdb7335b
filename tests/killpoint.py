"""`python -m tests.killpoint update ...`: the generator's CLI, SIGKILLed at a chosen file-system step.

For the SIGKILL suite. Every call the archive writer makes to change the disk (mkdir,
mkstemp, fsync, chmod, replace, unlink) is a step; with KILL_AT_STEP=n the process sends
itself SIGKILL just before step n, so a kill can be aimed deterministically at any point
of a write (a temp file created but empty, written but not renamed, renamed...). With
KILL_AT_STEP=0 it runs to the end and, if KILL_COUNT_FILE is set, writes there, as JSON,
how many steps it took and where each commit of the archive ran: [its first step, its
first step once docs/.transaction exists, the first step after its commit point (a kill
before it rolls back, from it on completes), its last step] (to draw kill points from).
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sys
import tempfile

KILL_AT = int(os.environ.get("KILL_AT_STEP", "0"))
COUNT_FILE = os.environ.get("KILL_COUNT_FILE")
_steps = 0
_commits: list[list[int]] = []


def _step() -> None:
    global _steps
    _steps += 1
    if _steps == KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)


def _wrap(module, name: str) -> None:
    real = getattr(module, name)

    def wrapped(*args, **kwargs):
        _step()
        return real(*args, **kwargs)

    setattr(module, name, wrapped)


for _name in ("mkdir", "fsync", "chmod", "replace", "unlink", "rmdir"):
    _wrap(os, _name)
_wrap(tempfile, "mkstemp")


def _watch_commits() -> None:
    """Note the steps of each commit (first, before its journal, last), for kills aimed at it."""
    from generator.archive import store as archive

    commit, stage_files, write_synced = archive.Archive.commit, archive.Archive._stage_files, archive._write_synced
    _journal: list[int] = []
    _ready: list[int] = []

    def watched_commit(self):
        first = _steps + 1
        _ready.clear()
        result = commit(self)
        if result.written:
            _commits.append([first, _ready[0], _journal.pop(), _steps])
        return result

    def watched_write_synced(path, data):
        if not _ready:
            _ready.append(_steps + 1)  # the folder exists: the next step is this staged file's fsync
        write_synced(path, data)

    def watched_stage_files(self, folder, changed):
        entries = stage_files(self, folder, changed)
        # Its last steps are the journal's rename into place, then an fsync of the folder: a kill
        # just before step `_steps` (that fsync) comes after the commit point, one before it not.
        _journal.append(_steps)
        return entries

    archive.Archive.commit = watched_commit
    archive.Archive._stage_files = watched_stage_files
    archive._write_synced = watched_write_synced


@atexit.register
def _report() -> None:
    if COUNT_FILE:
        with open(COUNT_FILE, "w", encoding="utf-8") as handle:
            json.dump({"steps": _steps, "commits": _commits}, handle)


if __name__ == "__main__":
    from generator.night.cli import main

    _watch_commits()
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.exit(code)
