"""The search documents of every paper, kept in the build cache by announcement year: what the search segments read.

One gzipped JSON-lines file per year of first announcement (`<cache>/next/search-documents/2026.jsonl.gz`), one
line per paper: [arXiv id, record hash, URL, HTML, the document's fingerprint], in the order the build read the
records (path order). That is the order Pagefind indexes a segment's documents in, and the same documents in the
same order make the same bundle, so a warm build's segment equals a cold build's.

A build hands each paper over as it reads it: `add` a document it rendered (a new or changed record), `keep` an
unchanged paper's document (its fingerprint is in the last build's state). New documents go to a year's `.new`
file as they come, so nothing holds them all. Then `finish`, year by year:

- nothing new and the same papers as the last build: the last build's file, hard-linked (a warm night touches the
  newest year only: the other years cost nothing, however large the archive);
- nothing kept (a cold build, a new year): the `.new` file is the year's file;
- both: the year's file written again in reading order, the kept lines copied as text from the last build's file
  (not parsed), the new ones from the `.new` file. A kept line the last file lacks (a damaged cache) is rendered
  again by the caller's `render`.

A segment never straddles a year (generator/website/outputs/search.py, `plan_segments`), so its documents are read
from one year's file (`documents`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from generator.website.outputs.search import SearchIndexError, SegmentPlan

FOLDER = "search-documents"
"""The spool's folder in a build cache state (generator/website/buildcache.py)."""

Render = Callable[[str], tuple[str, str, str]]
"""A paper's (record hash, URL from the site root, HTML), rendered again from its record."""


def document_fingerprint(url: str, html: str) -> str:
    return hashlib.sha256(f"{url}\n{html}".encode()).hexdigest()


def _year_file(folder: Path, year: int) -> Path:
    return folder / f"{year}.jsonl.gz"


def _new_file(folder: Path, year: int) -> Path:
    """This build's documents of `year` rendered so far, before `finish` makes the year's file."""
    return folder / f"{year}.new.gz"


def _line(arxiv_id: str, sha: str, url: str, html: str, document: str) -> str:
    return json.dumps([arxiv_id, sha, url, html, document], ensure_ascii=False) + "\n"


def _line_id(line: str) -> str:
    """The arXiv id a spool line starts with, without parsing the line (its HTML is most of it)."""
    return json.loads(line[: line.index(",")] + "]")[0]


class DocumentSpool:
    """This build's search documents (see the module docstring): `add` / `keep` while reading, then `finish`."""

    def __init__(self, folder: Path, previous: Path | None, previous_counts: dict[int, int] | None = None):
        self.folder = Path(folder)
        self.previous = Path(previous) if previous is not None and Path(previous).is_dir() else None
        self.previous_counts = previous_counts or {}
        """The last build's papers per year, as its state says (a year is linked only when it holds the same papers)."""
        self.order: dict[int, list[str]] = {}
        """Each year's papers in reading order."""
        self.kept: dict[int, set[str]] = {}
        self.new: dict[int, int] = {}
        self._handles: dict[int, gzip.GzipFile] = {}
        self._previous_years: dict[int, bool] = {}
        self.folder.mkdir(parents=True, exist_ok=True)

    def can_keep(self, year: int) -> bool:
        """Whether an unchanged paper of `year` can keep its document (the last build's file of that year is there);
        asked of every unchanged paper, so the file is looked for once a year."""
        found = self._previous_years.get(year)
        if found is None:
            found = self._previous_years[year] = self.previous is not None and _year_file(self.previous, year).is_file()
        return found

    def add(self, year: int, arxiv_id: str, sha: str, url: str, html: str) -> str:
        """A document rendered by this build; its fingerprint."""
        document = document_fingerprint(url, html)
        handle = self._handles.get(year)
        if handle is None:
            # Open until finish() or close(): one file per year, written as the records are read.
            handle = self._handles[year] = gzip.open(_new_file(self.folder, year), "wt", encoding="utf-8", compresslevel=1)  # noqa: SIM115
        handle.write(_line(arxiv_id, sha, url, html, document))
        self.order.setdefault(year, []).append(arxiv_id)
        self.new[year] = self.new.get(year, 0) + 1
        return document

    def keep(self, year: int, arxiv_id: str) -> None:
        """An unchanged paper: its line is the last build's (`can_keep(year)` said there is one)."""
        self.order.setdefault(year, []).append(arxiv_id)
        self.kept.setdefault(year, set()).add(arxiv_id)

    def finish(self, render: Render) -> dict[str, str]:
        """Each year's file in place (see the module docstring); the fingerprints of documents rendered again."""
        for handle in self._handles.values():
            handle.close()
        self._handles = {}
        rendered: dict[str, str] = {}
        for year, ids in self.order.items():
            target = _year_file(self.folder, year)
            kept, new = self.kept.get(year, set()), self.new.get(year, 0)
            if not new and len(kept) == self.previous_counts.get(year, -1):
                _link(_year_file(self.previous, year), target)
            elif not kept:
                os.replace(_new_file(self.folder, year), target)
            else:
                rendered.update(self._merge(year, ids, kept, render))
        return rendered

    def _merge(self, year: int, ids: list[str], kept: set[str], render: Render) -> dict[str, str]:
        """One year's file written again in reading order from the last build's lines and this build's new ones."""
        lines: dict[str, str] = {}
        for source, wanted in ((_year_file(self.previous, year), kept), (_new_file(self.folder, year), None)):
            for line in _text_lines(source):
                arxiv_id = _line_id(line)
                if wanted is None or arxiv_id in wanted:
                    lines[arxiv_id] = line
        rendered: dict[str, str] = {}
        temporary = self.folder / f".{year}.jsonl.gz"
        with gzip.open(temporary, "wt", encoding="utf-8", compresslevel=1) as out:
            for arxiv_id in ids:
                line = lines.pop(arxiv_id, None)
                if line is None:  # the last build's file lacks it: rendered again
                    sha, url, html = render(arxiv_id)
                    document = rendered[arxiv_id] = document_fingerprint(url, html)
                    line = _line(arxiv_id, sha, url, html, document)
                out.write(line)
        os.replace(temporary, _year_file(self.folder, year))
        _new_file(self.folder, year).unlink(missing_ok=True)
        return rendered

    def close(self) -> None:
        """A failed build: the open files closed (the state folder is dropped with them)."""
        for handle in self._handles.values():
            handle.close()
        self._handles = {}


def documents(folder: Path, plan: SegmentPlan) -> Iterator[tuple[str, str]]:
    """The (URL, HTML) of a segment's papers from its year's file, in the file's order; only their lines are parsed."""
    path = _year_file(Path(folder), plan.first.year)
    wanted = set(plan.ids)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if _line_id(line) not in wanted:
                    continue
                _, _, url, html, _ = json.loads(line)
                yield url, html
    except (OSError, EOFError, ValueError) as exc:  # written by this build: unreadable is an error, not fewer documents
        raise SearchIndexError(
            f"{path}: the search documents cannot be read ({exc})",
            fix="delete the build cache folder (README, 'The build cache') and build again",
        ) from None


def _text_lines(path: Path) -> Iterator[str]:
    """A spool file's lines; as many as can be read (a damaged cache file gives fewer, and those are rendered again)."""
    if not path.is_file():
        return
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            yield from handle
    except (OSError, EOFError):
        return


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or no hard links: a copy
        shutil.copyfile(source, target)
