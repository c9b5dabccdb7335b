"""The build's memory between builds: what the last build read and wrote, so that a night costs what it adds.

Kept in a cache folder (the plugin's `cache` option: `.cache/archive-build/` next to mkdocs.yml, or
$ARCHIVE_CACHE), one subfolder per pair of archive folder and site folder:

- `current/`: the state of the last build that finished: `state.json` (the build's fingerprint, its id
  (a hash of the pages it wrote), the site folder it wrote), `records.json` (each record's size, mtime and content hash, and its paper or
  day as lists show it: `generator.website.listed.ListedPaper`), `pages.json` (each page written and the
  fingerprint of what it shows), `nearest.npz` (the related papers: generator.ranking.nearest).
- `next/`: the state this build writes; it becomes `current/` only when the build has finished, so a
  failed build leaves the last good state (and a killed one leaves a `next/` that the next build removes).

A build is warm when `current/` holds the same fingerprint (the code of this package, the theme folder,
mkdocs.yml, the archive's config.yml, the versions of MkDocs, Material, Pagefind and Python: any change
makes the next build cold) and the site folder still holds what that build wrote (its marker file,
`.archive-build`, names the build). Removing the cache folder makes the next build cold; a cold build
writes the same site a warm one does (tests/site/test_build_cache.py compares them byte for byte).

MkDocs empties the site folder before every build; the folders the plugin writes itself
(`KEPT_FOLDERS`: papers, days, categories, tags, the search index) are moved aside into a hidden folder
of the site folder before that (MkDocs keeps hidden entries) and back after it, one rename each, so a warm
build rewrites only the pages whose fingerprint changed and removes the pages that are gone. A cold build
sets aside the search index alone (`SEARCH_FOLDER`): each of its segments says by its fingerprint whether it
is still current (generator/website/outputs/search.py), so even a cold build rebuilds only the segments
whose documents changed.

Records are told apart by their content hash; their size and modification time only spare reading an
unchanged file (a fresh checkout changes every mtime: then every record is hashed, a few seconds at
200,000 papers, and still not parsed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.archive.models import DayCounts, DayRecord
from generator.website.listed import ListedPaper
from generator.website.outputs.search import OUTPUT_SUBDIR

FORMAT = 2
"""The layout of the cache's files; another one makes the build cold."""
SEARCH_FOLDER = OUTPUT_SUBDIR
"""The search index's bundles (generator/website/outputs/search.py)."""
KEPT_FOLDERS = ("papers", "days", "categories", "tags", SEARCH_FOLDER)
"""The site's folders the plugin writes itself: kept between builds."""
ASIDE = ".archive-kept"
"""Hidden folder of the site folder where the kept folders wait while MkDocs empties the site folder."""
MARKER = ".archive-build"
"""File of the site folder naming the build that wrote it."""
PACKAGE = Path(__file__).resolve().parent.parent


def fingerprint(*, theme_dirs: Iterable[Path], files: Iterable[Path], options: Mapping[str, Any]) -> str:
    """What makes a build's output differ for the same records: this package's code, the theme folders' files,
    the given files (mkdocs.yml, config.yml), the plugin's options and the versions of what renders the site."""
    digest = hashlib.sha256()
    for distribution in ("mkdocs", "mkdocs-material", "pagefind", "Jinja2", "Markdown", "cmarkgfm", "nh3", "feedgen"):
        try:
            version = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{distribution}={version}\n".encode())
    digest.update(f"python={platform.python_version()} format={FORMAT}\n".encode())
    digest.update(json.dumps(dict(options), sort_keys=True, default=str).encode())
    for source in sorted(PACKAGE.rglob("*.py")):
        digest.update(source.relative_to(PACKAGE).as_posix().encode() + b"\0" + source.read_bytes())
    for folder in theme_dirs:
        folder = Path(folder)
        if folder.is_dir() and not (folder / "__init__.py").exists():  # the project's theme folder, not Material's package
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    for path in files:
        path = Path(path)
        digest.update(str(path.name).encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-"))
    return digest.hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@dataclass
class RecordFile:
    """What the cache knows of one record file: its size and mtime (to skip reading it) and its content hash."""

    size: int
    mtime_ns: int
    sha: str


@dataclass
class Scan:
    """The records of docs/ against the last build's: which changed (or are new), which are gone."""

    files: dict[PurePosixPath, RecordFile]
    """Every record now, with its content hash."""
    changed: list[PurePosixPath]
    """New records and records whose content changed, in path order."""
    removed: list[PurePosixPath]
    read: int = 0
    """Files read to hash them (the others' size and mtime were unchanged)."""
    contents: dict[PurePosixPath, bytes] = field(default_factory=dict)
    """The bytes of the changed records, read to hash them (the caller parses them, then drops them)."""


def scan(pages: Iterable[tuple[Path, PurePosixPath]], known: Mapping[PurePosixPath, RecordFile]) -> Scan:
    """Stat every record; hash those whose size or mtime changed; keep the content of those that did change."""
    files: dict[PurePosixPath, RecordFile] = {}
    changed, contents, read = [], {}, 0
    for path, rel in pages:
        status = path.stat()
        before = known.get(rel)
        if before is not None and before.size == status.st_size and before.mtime_ns == status.st_mtime_ns:
            files[rel] = before
            continue
        data = path.read_bytes()
        read += 1
        sha = content_hash(data)
        files[rel] = RecordFile(status.st_size, status.st_mtime_ns, sha)
        if before is None or before.sha != sha:
            changed.append(rel)
            contents[rel] = data
    removed = sorted(set(known) - set(files))
    return Scan(files, changed, removed, read, contents)


# -- the state ------------------------------------------------------------------------------------------------


def day_row(record: DayRecord) -> list[Any]:
    counts = record.counts
    return [record.date.isoformat(), record.title, list(record.papers), [counts.fetched, counts.matched, counts.listed, counts.summarized],
            list(record.updated), record.source, record.note]  # fmt: skip


def day_from_row(row: list[Any]) -> DayRecord:
    date, title, papers, counts, updated, source, note = row
    return DayRecord(dt.date.fromisoformat(date), title, tuple(papers), DayCounts(*counts), tuple(updated), source, note)


@dataclass
class State:
    """A finished build's state (see the module docstring)."""

    build: str
    """The build's id (in the site folder's marker file too)."""
    fingerprint: str
    site: str
    files: dict[PurePosixPath, RecordFile]
    papers: dict[PurePosixPath, ListedPaper]
    days: dict[PurePosixPath, DayRecord]
    pages: dict[str, str]
    """Every page the plugin wrote (its URL from the site root) -> the fingerprint of what it shows."""
    nearest: Path | None = None
    """The related papers' state file (generator.ranking.nearest.NearestState), when there is one."""


class BuildCache:
    """The cache folder of one archive folder and site folder (see the module docstring)."""

    def __init__(self, root: Path, docs: Path, site: Path, fingerprint: str):
        key = hashlib.sha1(f"{Path(docs).resolve()}\0{Path(site).resolve()}".encode()).hexdigest()[:16]
        self.folder = Path(root) / key
        self.site = Path(site)
        self.fingerprint = fingerprint
        self.build = ""
        """This build's id, set when its state is saved: a hash of that state, so two builds that wrote the same site
        from the same records have the same id (the marker file is part of the site a cold and a warm build compare)."""
        self.current = self.folder / "current"
        self.next = self.folder / "next"

    def load(self) -> State | None:
        """The last finished build's state, or None: a cold build (no state, another fingerprint, the site folder
        changed since, or anything unreadable: a cache miss only makes the build slower)."""
        try:
            meta = json.loads((self.current / "state.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT or meta.get("fingerprint") != self.fingerprint:
                return None
            if meta.get("site") != str(self.site.resolve()) or (self.site / MARKER).read_text(encoding="utf-8").strip() != meta["build"]:
                return None
            records = json.loads((self.current / "records.json").read_text(encoding="utf-8"))
            pages = json.loads((self.current / "pages.json").read_text(encoding="utf-8"))
            files = {PurePosixPath(p): RecordFile(*row) for p, row in records["files"].items()}
            papers = {PurePosixPath(p): ListedPaper.from_row(row) for p, row in records["papers"].items()}
            days = {PurePosixPath(p): day_from_row(row) for p, row in records["days"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return None
        nearest = self.current / "nearest.npz"
        return State(meta["build"], self.fingerprint, meta["site"], files, papers, days, pages, nearest if nearest.is_file() else None)

    def start(self) -> Path:
        """An empty `next/` for this build's state (a killed build's leftovers removed)."""
        shutil.rmtree(self.next, ignore_errors=True)
        self.next.mkdir(parents=True)
        return self.next

    def save(self, files: Mapping[PurePosixPath, RecordFile], papers: Mapping[PurePosixPath, ListedPaper],
             days: Mapping[PurePosixPath, DayRecord], pages: Mapping[str, str]) -> None:  # fmt: skip
        """Write this build's state into `next/` (the related papers' file is written there by their engine)."""
        records = {
            "files": {p.as_posix(): [f.size, f.mtime_ns, f.sha] for p, f in files.items()},
            "papers": {p.as_posix(): paper.to_row() for p, paper in papers.items()},
            "days": {p.as_posix(): day_row(day) for p, day in days.items()},
        }
        records_text = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
        pages_text = json.dumps(dict(sorted(pages.items())), separators=(",", ":"))
        self.build = hashlib.sha1(f"{self.fingerprint}\n{pages_text}".encode()).hexdigest()
        (self.next / "records.json").write_text(records_text, encoding="utf-8")
        (self.next / "pages.json").write_text(pages_text, encoding="utf-8")
        meta = {"format": FORMAT, "fingerprint": self.fingerprint, "build": self.build, "site": str(self.site.resolve())}
        (self.next / "state.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")

    def commit(self) -> None:
        """This build finished: its state becomes the current one, and the site folder says which build wrote it."""
        (self.site / MARKER).write_text(self.build + "\n", encoding="utf-8")
        old = self.folder / "old"
        shutil.rmtree(old, ignore_errors=True)
        if self.current.exists():
            os.replace(self.current, old)
        os.replace(self.next, self.current)
        shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        """The build failed: its state is dropped; the current one stays (its site folder may not: the marker says)."""
        shutil.rmtree(self.next, ignore_errors=True)


# -- the site folder --------------------------------------------------------------------------------------------


def set_aside(site: Path, names: Iterable[str] = KEPT_FOLDERS) -> list[str]:
    """Move the kept folders (or these of them) into the site folder's hidden ASIDE folder (before MkDocs empties the site folder)."""
    aside = site / ASIDE
    shutil.rmtree(aside, ignore_errors=True)
    moved = []
    for name in names:
        if (site / name).is_dir():
            aside.mkdir(exist_ok=True)
            os.replace(site / name, aside / name)
            moved.append(name)
    return moved


def bring_back(site: Path, names: Iterable[str] | None = None) -> None:
    """Move the kept folders (or these of them) back into place; what MkDocs wrote meanwhile (a nav page's index.html
    in categories/, tags/) stays, the rest of the kept folder joins it."""
    aside = site / ASIDE
    if not aside.is_dir():
        return
    for kept in sorted(aside.iterdir()):
        if names is not None and kept.name not in names:
            continue
        target = site / kept.name
        if not target.exists():
            os.replace(kept, target)
            continue
        for child in sorted(kept.iterdir()):
            if not (target / child.name).exists():
                os.replace(child, target / child.name)
        shutil.rmtree(kept, ignore_errors=True)
    if not any(aside.iterdir()):
        aside.rmdir()


def forget_site(site: Path) -> None:
    """A cold build: nothing of an earlier build is kept (a set-aside folder of a failed build is removed)."""
    shutil.rmtree(site / ASIDE, ignore_errors=True)
    (site / MARKER).unlink(missing_ok=True)
