"""The archive on disk (docs/): every file operation of the generator happens here.

Pages are read and written as records through generator.records (the format's one
owner). Reads only the pages it is asked about (a nightly run touches the day's papers,
not the whole archive) and writes atomically: content goes to a hidden temp file
in the same directory, is fsynced, and replaces the page with `os.replace`, so a
kill at any moment leaves each page either old or new. Unchanged pages are not
rewritten, so a rerun touches no file.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import paths, records
from .arxiv_ids import is_arxiv_id
from .errors import ArchiveError
from .models import DayRecord, Paper
from .runs import RunRecord, dump_records, load_records

TEMP_PREFIX = ".tmp-"


@dataclass(frozen=True)
class WriteResult:
    written: tuple[PurePosixPath, ...]
    """Pages created or changed."""
    unchanged: int
    """Pages whose content was already identical (not touched)."""


class Archive:
    """The docs/ folder of one archive."""

    def __init__(self, docs: Path):
        self.docs = Path(docs)

    def file(self, relpath: PurePosixPath) -> Path:
        return self.docs.joinpath(*relpath.parts)

    def has_days(self) -> bool:
        days = self.docs / "days"
        return days.is_dir() and any(days.glob("*/*.md"))

    def has_run_records(self) -> bool:
        """True once a run has been recorded (a run's record is the last thing it writes)."""
        runs = self.docs / "runs"
        return runs.is_dir() and any(runs.glob("*/*.yml"))

    def day_exists(self, day: dt.date) -> bool:
        return self.file(paths.day_path(day)).is_file()

    def days(self, since: dt.date | None = None, until: dt.date | None = None) -> list[dt.date]:
        """Announcement days with a page in the archive, in [since, until], oldest first."""
        found = []
        for page in (self.docs / "days").glob("*/*.md"):
            try:
                day = dt.date.fromisoformat(page.stem)
            except ValueError:
                continue  # not a day page (an index the site may add)
            if (since is None or day >= since) and (until is None or day <= until):
                found.append(day)
        return sorted(found)

    def read_day(self, day: dt.date) -> DayRecord | None:
        """The day's record, or None when the archive has no page for it."""
        path = self.file(paths.day_path(day))
        if not path.is_file():
            return None
        return records.read_day(self._read(path), str(path))

    def read_paper(self, arxiv_id: str) -> Paper | None:
        path = self.file(paths.paper_path(arxiv_id))
        if not path.is_file():
            return None
        return records.read_paper(self._read(path), str(path))

    def check_format(self) -> None:
        """Stop (ArchiveError naming `migrate`) when the archive is in an older format.

        Reads the newest day page and the first paper it lists: `migrate` upgrades a
        whole archive at once, so one page of each kind tells.
        """
        days = self.days()
        if days:
            record = self.read_day(days[-1])
            if record is not None and record.papers and is_arxiv_id(record.papers[0]):
                self.read_paper(record.papers[0])
            return
        papers = self.docs / "papers"
        first = next((p for p in papers.glob("*/*.md") if not p.name.startswith(".")), None) if papers.is_dir() else None
        if first is not None:
            records.read_paper(self._read(first), str(first))

    def read_papers(self, arxiv_ids: Iterable[str]) -> dict[str, Paper]:
        """The archived papers among these ids (one stat per id, one read per hit)."""
        found = {}
        for arxiv_id in arxiv_ids:
            if is_arxiv_id(arxiv_id):
                paper = self.read_paper(arxiv_id)
                if paper is not None:
                    found[arxiv_id] = paper
        return found

    def _read(self, path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{path}: cannot be read ({exc})", fix=f"restore the page with `git checkout -- {path}`") from None

    def remove_stale_temp_files(self) -> int:
        """Delete temp files a killed run left behind (they are never pages)."""
        removed = 0
        for folder in ("papers", "days", "runs"):
            root = self.docs / folder
            if not root.is_dir():
                continue
            for stale in root.rglob(f"{TEMP_PREFIX}*"):
                stale.unlink(missing_ok=True)
                removed += 1
        return removed

    def write(self, pages: Mapping[PurePosixPath, str]) -> WriteResult:
        """Write pages in the given order, atomically, skipping identical ones."""
        written = []
        unchanged = 0
        for relpath, content in pages.items():
            target = self.file(relpath)
            data = content.encode("utf-8")
            try:
                if target.is_file() and target.read_bytes() == data:
                    unchanged += 1
                    continue
                atomic_write(target, data)
            except OSError as exc:
                raise ArchiveError(f"{target}: cannot be written ({exc})", fix="check free disk space and permissions of docs/") from None
            written.append(relpath)
        return WriteResult(tuple(written), unchanged)

    # -- run records ----------------------------------------------------------

    def read_run_records(self) -> list[RunRecord]:
        """Every stored run record, oldest first (for the run-history page)."""
        records: list[RunRecord] = []
        for path in sorted((self.docs / "runs").glob("*/*.yml")):
            try:
                records.extend(load_records(self._read(path), str(path)))
            except ValueError as exc:
                raise ArchiveError(str(exc), fix=f"restore the file with `git checkout -- {path}`") from None
        return sorted(records, key=lambda r: r.started)

    def append_run_record(self, record: RunRecord) -> PurePosixPath:
        """Add a run to the records of its UTC start date (atomic rewrite of that small file)."""
        relpath = paths.run_records_path(record.date)
        target = self.file(relpath)
        existing: list[RunRecord] = []
        if target.is_file():
            try:
                existing = load_records(self._read(target), str(target))
            except ValueError as exc:
                raise ArchiveError(str(exc), fix=f"restore the file with `git checkout -- {target}` or move it away") from None
        self.write({relpath: dump_records(existing + [record])})
        return relpath


def atomic_write(target: Path, data: bytes) -> None:
    """Replace `target` with `data` so that readers see the old or the new file, never a mix."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
