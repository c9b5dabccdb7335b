"""The archive on disk (docs/): every file operation of the generator happens here.

Pages are read and written as records through generator.archive.records (the format's one
owner). Reads only the pages it is asked about (a nightly run touches the day's papers,
not the whole archive). Writes are transactions: a command `stage`s every page it
will write (reads see staged pages, so the night's later steps build on its
earlier ones), then `commit` writes them together:

1. each changed page is written to `docs/.transaction/` and fsynced;
2. the journal (`docs/.transaction/journal.json`: each page, its staged file, its
   SHA-256) is written atomically: this is the commit point;
3. each staged file is renamed over its page (papers, then days, then run records);
4. the journal and the folder are removed.

A failure before step 2 leaves docs/ as it was; a kill before step 2 leaves only
the staged files, which the next run's `recover` removes; a kill after it leaves
the journal, and `recover` completes the renames. Unchanged pages are not
rewritten, so a rerun touches no file. MkDocs skips dot-folders, so the staging
folder is never published.

`Archive.pages` is the one lister of what is on disk: every reader of the whole
archive (the site's catalog, `migrate`, `doctor`, the embeddings of `embed`, and this
module's own `days`, `check_format` and run records) asks it, so one rule says which
files are pages (`PAGE_FOLDERS`) and which are not (`is_hidden`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.archive import paths, records
from generator.archive.models import DayRecord, Paper
from generator.archive.runs import RunRecord, dump_records, load_records
from generator.arxiv.ids import is_arxiv_id
from generator.errors import ArchiveError

TEMP_PREFIX = ".tmp-"
"""Name start of the temp file `atomic_write` writes before its rename (hidden: never a page)."""
TRANSACTION_DIR = ".transaction"
"""Folder of docs/ holding a commit's staged pages and its journal while it runs (hidden: never pages)."""
JOURNAL = "journal.json"
_PAGE_ORDER = {"papers": 0, "days": 1, "runs": 2}
"""Commit order: a day page never lists a paper whose page is not there yet; the run record last."""
PAGE_FOLDERS = {"paper": ("papers", ".md"), "day": ("days", ".md"), "runs": ("runs", ".yml")}
"""Kind -> (folder of docs/, file suffix): every such file below the folder is a record of that kind.

generator.archive.paths places each one (`papers/2609/2609.26811.md`, `days/2026/2026-09-24.md`,
`runs/2026/2026-09-24.yml`); a file at another depth is listed all the same, so a stray page is
read, and reported, rather than skipped: the site drops every `.md` under papers/ and days/ from
MkDocs' own pages, so one that is not listed here would vanish without a word."""


def is_hidden(relpath: PurePosixPath) -> bool:
    """True for what is never a page: a hidden file or anything in a hidden folder.

    That covers a killed run's temp files (`.tmp-*`, `atomic_write`), the staging folder of a
    killed commit (`.transaction/`) and the files a system or an editor leaves (`.DS_Store`);
    MkDocs skips them too, so none is ever published.
    """
    return any(_hidden_name(part) for part in relpath.parts)


def _hidden_name(name: str) -> bool:
    return name.startswith(".")


@dataclass(frozen=True)
class PageFile:
    """One record file of the archive on disk: a paper page, a day page or a run-record file."""

    kind: str
    """`paper`, `day` or `runs` (PAGE_FOLDERS)."""
    relpath: PurePosixPath
    """Relative to docs/: `papers/2609/2609.26811.md`."""
    path: Path
    """The file."""

    def read_text(self) -> str:
        """The file's text; ArchiveError naming the file and the fix when it cannot be read."""
        return read_page_text(self.path)


def read_page_text(path: Path) -> str:
    """A page's text (UTF-8); ArchiveError naming the file and the fix when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{path}: cannot be read ({exc})", fix=f"restore the page with `git checkout -- {path}`") from None


@dataclass(frozen=True)
class WriteResult:
    written: tuple[PurePosixPath, ...]
    """Pages created or changed."""
    unchanged: int
    """Pages whose content was already identical (not touched)."""


@dataclass(frozen=True)
class Recovery:
    """What `Archive.recover` found of a commit a killed run left behind."""

    outcome: str
    """`completed` (the journal was written: its pages were put in place) or `rolled back` (no journal: staged files removed)."""
    pages: int
    """Pages the completed commit put in place, or staged files removed (0: the kill came before the first
    staged file, or after the journal was removed, when only the empty folder was left)."""


class Archive:
    """The docs/ folder of one archive."""

    def __init__(self, docs: Path):
        self.docs = Path(docs)
        self._staged: dict[PurePosixPath, str] = {}
        """Pages of the open transaction, in the order staged."""

    def file(self, relpath: PurePosixPath) -> Path:
        return self.docs.joinpath(*relpath.parts)

    def _staged_under(self, folder: str, suffix: str) -> list[PurePosixPath]:
        return [p for p in self._staged if p.parts[0] == folder and p.suffix == suffix]

    def pages(self, *kinds: str) -> list[PageFile]:
        """The record files on disk (not the open transaction's), of these kinds (default: all), kind by kind, each sorted by path.

        Hidden files and folders are never pages (`is_hidden`).
        """
        found = []
        for kind in kinds or tuple(PAGE_FOLDERS):
            folder, suffix = PAGE_FOLDERS[kind]
            root = self.docs / folder
            if not root.is_dir():
                continue
            listed = []  # (the relative path's parts: its order, the name, the folder relative and on disk)
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [name for name in dirnames if not _hidden_name(name)]  # is_hidden, without entering the folder
                where = Path(dirpath)
                inside = PurePosixPath(where.relative_to(self.docs).as_posix())
                parts = inside.parts
                listed += [(parts + (name,), name, inside, where) for name in filenames if name.endswith(suffix) and not _hidden_name(name)]
            listed.sort(key=lambda found: found[0])  # PurePosixPath's order, compared as tuples of str (200,000 records: seconds less)
            found += [PageFile(kind, inside / name, where / name) for _, name, inside, where in listed]
        return found

    def has_days(self) -> bool:
        return bool(self._staged_under("days", ".md")) or bool(self.pages("day"))

    def has_run_records(self) -> bool:
        """True once a run has been recorded (a run's record is the last thing it writes)."""
        return bool(self._staged_under("runs", ".yml")) or bool(self.pages("runs"))

    def day_exists(self, day: dt.date) -> bool:
        relpath = paths.day_path(day)
        return relpath in self._staged or self.file(relpath).is_file()

    def days(self, since: dt.date | None = None, until: dt.date | None = None) -> list[dt.date]:
        """Announcement days with a page in the archive, in [since, until], oldest first."""
        found = set()
        for relpath in [page.relpath for page in self.pages("day")] + self._staged_under("days", ".md"):
            try:
                day = dt.date.fromisoformat(relpath.stem)
            except ValueError:
                continue  # not named for a day: the site reports it when it reads the page
            if paths.day_path(day) == relpath and (since is None or day >= since) and (until is None or day <= until):
                found.add(day)
        return sorted(found)

    def _text(self, relpath: PurePosixPath) -> str | None:
        """The page as this run sees it: staged in the open transaction, else on disk, else None."""
        if relpath in self._staged:
            return self._staged[relpath]
        path = self.file(relpath)
        if not path.is_file():
            return None
        return read_page_text(path)

    def read_day(self, day: dt.date) -> DayRecord | None:
        """The day's record, or None when the archive has no page for it."""
        relpath = paths.day_path(day)
        text = self._text(relpath)
        if text is None:
            return None
        return records.read_day(text, str(self.file(relpath)))

    def read_paper(self, arxiv_id: str) -> Paper | None:
        relpath = paths.paper_path(arxiv_id)
        text = self._text(relpath)
        if text is None:
            return None
        return records.read_paper(text, str(self.file(relpath)))

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
        first = next(iter(self.pages("paper")), None)
        if first is not None:
            records.read_paper(first.read_text(), str(first.path))

    def read_papers(self, arxiv_ids: Iterable[str]) -> dict[str, Paper]:
        """The archived papers among these ids (one stat per id, one read per hit)."""
        found = {}
        for arxiv_id in arxiv_ids:
            if is_arxiv_id(arxiv_id):
                paper = self.read_paper(arxiv_id)
                if paper is not None:
                    found[arxiv_id] = paper
        return found

    def remove_stale_temp_files(self) -> int:
        """Delete temp files a killed run left behind (hidden, so never pages: `is_hidden`)."""
        removed = 0
        for folder, _ in PAGE_FOLDERS.values():
            root = self.docs / folder
            if not root.is_dir():
                continue
            for stale in root.rglob(f"{TEMP_PREFIX}*"):
                stale.unlink(missing_ok=True)
                removed += 1
        return removed

    # -- transactions ---------------------------------------------------------

    def stage(self, pages: Mapping[PurePosixPath, str]) -> WriteResult:
        """Add pages to the open transaction; `written` are those that change what this run sees."""
        written = []
        unchanged = 0
        for relpath, content in pages.items():
            if self._text(relpath) == content:
                unchanged += 1
                continue
            self._staged[relpath] = content
            written.append(relpath)
        return WriteResult(tuple(written), unchanged)

    @property
    def staged(self) -> tuple[PurePosixPath, ...]:
        """Pages of the open transaction."""
        return tuple(self._staged)

    def discard(self) -> None:
        """Drop the open transaction (nothing was written)."""
        self._staged.clear()

    def commit(self) -> WriteResult:
        """Write every staged page that differs from disk, all or nothing across a kill (see the module doc)."""
        pages, self._staged = self._staged, {}
        changed: list[tuple[PurePosixPath, bytes]] = []
        unchanged = 0
        for relpath, content in sorted(pages.items(), key=lambda item: _PAGE_ORDER.get(item[0].parts[0], 3)):
            data = content.encode("utf-8")
            target = self.file(relpath)
            try:
                same = target.is_file() and target.read_bytes() == data
            except OSError as exc:
                raise ArchiveError(f"{target}: cannot be read ({exc})", fix=f"restore the page with `git checkout -- {target}`") from None
            if same:
                unchanged += 1
            else:
                changed.append((relpath, data))
        if changed:
            self.recover()  # never two transactions in one folder
            folder = self.docs / TRANSACTION_DIR
            try:
                entries = self._stage_files(folder, changed)
            except OSError as exc:
                _remove_folder(folder)
                raise ArchiveError(
                    f"{folder}: cannot be written ({exc}); docs/ is unchanged", fix="check free disk space and permissions of docs/"
                ) from None
            self._apply(folder, entries)
        return WriteResult(tuple(relpath for relpath, _ in changed), unchanged)

    def _stage_files(self, folder: Path, changed: list[tuple[PurePosixPath, bytes]]) -> list[dict[str, str]]:
        """Steps 1 and 2: the staged files, then the journal that commits them."""
        folder.mkdir(parents=True)
        entries = []
        for number, (relpath, data) in enumerate(changed):
            name = f"{number:06d}"
            _write_synced(folder / name, data)
            entries.append({"page": relpath.as_posix(), "staged": name, "sha256": hashlib.sha256(data).hexdigest()})
        _fsync_dir(folder)
        atomic_write(folder / JOURNAL, json.dumps({"pages": entries}, indent=1).encode("utf-8"))
        _fsync_dir(folder)
        return entries

    def _apply(self, folder: Path, entries: list[dict[str, str]]) -> None:
        """Steps 3 and 4: every staged file renamed over its page, then the journal removed."""
        touched: set[Path] = set()
        try:
            for entry in entries:
                target = self.file(_journal_page(entry["page"], folder))
                staged = folder / entry["staged"]
                if staged.exists():
                    _install(staged, target)
                elif _sha256(target) != entry["sha256"]:
                    raise ArchiveError(
                        f"{folder / JOURNAL}: {entry['page']} is neither staged nor in place",
                        fix=f"restore docs/ with `git checkout -- {self.docs}` and `rm -r {folder}`, then rerun",
                    )
                touched.add(target.parent)
            for parent in touched:
                _fsync_dir(parent)
            (folder / JOURNAL).unlink()
        except OSError as exc:
            raise ArchiveError(
                f"{folder}: a commit stopped half-way ({exc}); the next run completes it",
                fix="check free disk space and permissions of docs/, then rerun",
            ) from None
        _remove_folder(folder)

    def recover(self) -> Recovery | None:
        """Finish what a killed commit left: complete it when its journal was written, else remove its staged files."""
        folder = self.docs / TRANSACTION_DIR
        if not folder.exists():
            return None
        journal = folder / JOURNAL
        if not journal.is_file():
            staged = sum(1 for child in folder.iterdir() if not child.name.startswith(TEMP_PREFIX))
            _remove_folder(folder)
            return Recovery("rolled back", staged)
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))["pages"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArchiveError(
                f"{journal}: unreadable journal ({exc})",
                fix=f"restore docs/ with `git checkout -- {self.docs}` and `rm -r {folder}`, then rerun",
            ) from None
        self._apply(folder, entries)
        return Recovery("completed", len(entries))

    def write(self, pages: Mapping[PurePosixPath, str]) -> WriteResult:
        """Stage these pages and commit the transaction now."""
        staged = self.stage(pages)
        result = self.commit()
        return WriteResult(result.written, result.unchanged + staged.unchanged)

    # -- run records ----------------------------------------------------------

    def read_run_records(self) -> list[RunRecord]:
        """Every stored run record, oldest first (for the run-history page)."""
        records: list[RunRecord] = []
        for page in self.pages("runs"):
            try:
                records.extend(load_records(read_page_text(page.path), str(page.path)))
            except ValueError as exc:
                raise ArchiveError(str(exc), fix=f"restore the file with `git checkout -- {page.path}`") from None
        return sorted(records, key=lambda r: r.started)

    def stage_run_record(self, record: RunRecord) -> PurePosixPath:
        """Add a run to the records of its UTC start date, in the open transaction."""
        relpath = paths.run_records_path(record.date)
        target = self.file(relpath)
        existing: list[RunRecord] = []
        text = self._text(relpath)
        if text is not None:
            try:
                existing = load_records(text, str(target))
            except ValueError as exc:
                raise ArchiveError(str(exc), fix=f"restore the file with `git checkout -- {target}` or move it away") from None
        self.stage({relpath: dump_records(existing + [record])})
        return relpath

    def append_run_record(self, record: RunRecord) -> PurePosixPath:
        """Add a run to the records of its UTC start date and commit."""
        relpath = self.stage_run_record(record)
        self.commit()
        return relpath


def _journal_page(page: str, folder: Path) -> PurePosixPath:
    """A page path from a journal, refused unless it stays inside docs/ (and out of the staging folder)."""
    relpath = PurePosixPath(page)
    if relpath.is_absolute() or ".." in relpath.parts or not relpath.parts or relpath.parts[0] == TRANSACTION_DIR:
        raise ArchiveError(f"{folder / JOURNAL}: {page!r} is not a page of the archive", fix=f"remove {folder} and rerun")
    return relpath


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, 0o644)


def _install(staged: Path, target: Path) -> None:
    """Rename one staged file over its page (atomic: readers see the old or the new page)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, target)


def _fsync_dir(folder: Path) -> None:
    """Make the renames in `folder` durable (a power cut must not undo the commit point)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _remove_folder(folder: Path) -> None:
    """Remove the staging folder (flat: staged files, the journal, a journal temp file)."""
    if not folder.exists():
        return
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


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
