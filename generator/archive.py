"""The archive on disk (docs/): every file operation of the generator happens here.

Reads only the pages it is asked about (a nightly run touches the day's papers,
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
from typing import Any

import yaml

from . import paths
from .arxiv_ids import is_arxiv_id
from .errors import ArchiveError
from .models import Announcement, Paper, Score, Summary
from .render import extract_summary_html
from .runs import RunRecord, dump_records, load_records

TEMP_PREFIX = ".tmp-"
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (the site reads 10,000 front matters per build)."""


@dataclass(frozen=True)
class WriteResult:
    written: tuple[PurePosixPath, ...]
    """Pages created or changed."""
    unchanged: int
    """Pages whose content was already identical (not touched)."""


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    """(metadata, body) of a Markdown page with YAML front matter."""
    if not text.startswith("---\n"):
        raise ArchiveError(f"{source}: no front matter", fix=f"restore the page with `git checkout -- {source}`")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ArchiveError(f"{source}: front matter is not closed by '---'", fix=f"restore the page with `git checkout -- {source}`")
    try:
        meta = yaml.load(text[4:end], Loader=_SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        raise ArchiveError(f"{source}: front matter is not valid YAML ({str(exc).splitlines()[0]})", fix=f"restore the page with `git checkout -- {source}`") from None
    if not isinstance(meta, dict):
        raise ArchiveError(f"{source}: front matter is not a mapping", fix=f"restore the page with `git checkout -- {source}`")
    return meta, text[end + 5 :]


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def paper_from_page(text: str, source: str) -> Paper:
    """Rebuild a Paper from its page (front matter, plus the summary HTML in the body)."""
    meta, body = split_front_matter(text, source)
    try:
        affiliations = meta.get("affiliations") or {}
        announcement = Announcement(
            arxiv_id=str(meta["arxiv_id"]),
            version=int(meta["version"]),
            title=str(meta["title"]),
            abstract=str(meta.get("abstract", "")),
            authors=tuple(str(a) for a in meta.get("authors") or ()),
            categories=tuple(str(c) for c in meta.get("categories") or ()),
            primary_category=str(meta.get("primary_category") or ""),
            announce_type=str(meta["announce_type"]),
            announced=_date(meta.get("updated") or meta["announced"]),
            doi=meta.get("doi"),
            journal_ref=meta.get("journal_ref"),
            comment=meta.get("comment"),
            affiliations=tuple((str(k), tuple(str(x) for x in v)) for k, v in affiliations.items()),
            license=meta.get("license"),
        )
        summary_meta = meta.get("summary")
        summary = None
        if summary_meta:
            summary = Summary(
                model=str(summary_meta["model"]),
                input=str(summary_meta["input"]),
                prompt_sha256=str(summary_meta["prompt_sha256"]),
                created=str(summary_meta["created"]),
                version=int(summary_meta.get("version", announcement.version)),
                html=extract_summary_html(body) or "",
            )
        return Paper(
            announcement=announcement,
            score=Score(
                value=float(meta.get("score", 0)),
                matched_keywords=tuple(meta.get("matched_keywords") or ()),
                matched_authors=tuple(meta.get("matched_authors") or ()),
            ),
            announced=_date(meta["announced"]),
            announce_type=str(meta["announce_type"]),
            updated=_date(meta.get("updated")),
            summary=summary,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArchiveError(f"{source}: front matter lacks or garbles {exc}", fix=f"restore the page with `git checkout -- {source}`") from None


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

    def day_meta(self, day: dt.date) -> dict[str, Any] | None:
        path = self.file(paths.day_path(day))
        if not path.is_file():
            return None
        return split_front_matter(self._read(path), str(path))[0]

    def read_paper(self, arxiv_id: str) -> Paper | None:
        path = self.file(paths.paper_path(arxiv_id))
        if not path.is_file():
            return None
        return paper_from_page(self._read(path), str(path))

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
