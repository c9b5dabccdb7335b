"""The build's memory between builds: what the last build read and wrote, so that a night costs what it adds.

Kept in a cache folder (the plugin's `cache` option: `.cache/archive-build/` next to mkdocs.yml, or
$ARCHIVE_CACHE), one subfolder per pair of archive folder and site folder:

- `current/`: the state of the last build that finished: `state.json` (the build's fingerprint, its id
  (a hash of the pages it wrote), the site folder it wrote), `records.jsonl` (one line per record: its size,
  mtime and content hash, and its paper or day as lists show it: `generator.website.listed.ListedPaper`),
  `pages.json` (each page written and the fingerprint of what it shows), `nearest.npz` (the related papers:
  generator.ranking.nearest), `search-documents/` (every paper's search document: generator/website/outputs/documents.py).
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

The state is JSON (data, not code) written and read a line at a time, with Python's cycle collector paused
(`paused_gc`): 200,000 papers' rows never sit in memory as one text, and the collector does not walk the
objects being made again and again (it doubled the time to load them).

Records are told apart by their content hash; their size and modification time only spare reading an
unchanged file (a fresh checkout changes every mtime: then every record is hashed, a few seconds at
200,000 papers, and still not parsed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.archive.models import DayCounts, DayRecord
from generator.website.listed import ListedPaper
from generator.website.outputs.documents import FOLDER as SPOOL
from generator.website.outputs.search import OUTPUT_SUBDIR

FORMAT = 3
"""The layout of the cache's files; another one makes the build cold."""
SEARCH_FOLDER = OUTPUT_SUBDIR
"""The search index's bundles (generator/website/outputs/search.py)."""
KEPT_FOLDERS = ("papers", "days", "categories", "tags", SEARCH_FOLDER)
"""The site's folders the plugin writes itself: kept between builds."""
ASIDE = ".archive-kept"
"""Hidden folder of the site folder where the kept folders wait while MkDocs empties the site folder."""
MARKER = ".archive-build"
"""File of the site folder naming the build that wrote it."""
RECORDS = "records.jsonl"
"""The state's records, one JSON line each: kind ("paper", "day"), path, size, mtime, content hash, row, and a paper's
search document's fingerprint (generator/website/outputs/documents.py)."""
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


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cycle collector off while a build makes or writes a few hundred thousand long-lived objects (its state,
    its catalog): it would walk them all again at every collection. Reference counting still frees what is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def content_hash(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@dataclass
class RecordFile:
    """What the cache knows of one record file: its size and mtime (to skip reading it) and its content hash."""

    size: int
    mtime_ns: int
    sha: str


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
    documents: dict[str, str] = field(default_factory=dict)
    """Each paper's search document's fingerprint, by arXiv id (the document itself is in the spool, `spool`)."""
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
            pages = json.loads((self.current / "pages.json").read_text(encoding="utf-8"))
            files, papers, days, documents = {}, {}, {}, {}
            with paused_gc(), (self.current / RECORDS).open(encoding="utf-8") as lines:
                for line in lines:
                    kind, path, size, mtime_ns, sha, row, document = json.loads(line)
                    rel = PurePosixPath(path)
                    files[rel] = RecordFile(size, mtime_ns, sha)
                    if kind == "paper":
                        papers[rel] = paper = ListedPaper.from_row(row, rel)
                        if document is not None:
                            documents[paper.arxiv_id] = document
                    elif kind == "day":
                        days[rel] = day_from_row(row)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        nearest = self.current / "nearest.npz"
        nearest_file = nearest if nearest.is_file() else None
        return State(meta["build"], self.fingerprint, meta["site"], files, papers, days, pages, documents, nearest_file)

    @property
    def spool(self) -> Path:
        """The last build's search documents (generator/website/outputs/documents.py)."""
        return self.current / SPOOL

    def start(self) -> Path:
        """An empty `next/` for this build's state (a killed build's leftovers removed)."""
        shutil.rmtree(self.next, ignore_errors=True)
        self.next.mkdir(parents=True)
        return self.next

    def save(self, files: Mapping[PurePosixPath, RecordFile], papers: Mapping[PurePosixPath, ListedPaper],
             days: Mapping[PurePosixPath, DayRecord], pages: Mapping[str, str], documents: Mapping[str, str]) -> None:  # fmt: skip
        """Write this build's state into `next/` (the related papers' file and the search documents are written there
        by their owners)."""
        with paused_gc(), (self.next / RECORDS).open("w", encoding="utf-8") as out:
            for path, file in files.items():
                paper, day, document = papers.get(path), days.get(path), None
                if paper is not None:
                    kind, row, document = "paper", paper.to_row(), documents.get(paper.arxiv_id)
                else:
                    kind, row = ("day", day_row(day)) if day is not None else ("file", None)
                line = [kind, path.as_posix(), file.size, file.mtime_ns, file.sha, row, document]
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        pages_text = json.dumps(dict(sorted(pages.items())), separators=(",", ":"))
        self.build = hashlib.sha1(f"{self.fingerprint}\n{pages_text}".encode()).hexdigest()
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
