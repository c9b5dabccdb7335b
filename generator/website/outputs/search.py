"""The search index: Pagefind bundles, one per announcement period (a segment), rebuilt only when their papers change.

Pagefind indexes HTML. Each paper's document is rendered from its record by the template
archive/search-document.html (generator.website.render), at the URL of the paper's page: the
paper's text inside `data-pagefind-body` (title weighted, never the header, nav or footer
every page shares), and meta tags for filters, sorting and result metadata.

Pagefind has no incremental mode (one new page changes most of an index's files) and its
memory grows with the index (about 150 MB per 1,000 documents, the peak while writing):
one index of a permanent archive would rebuild everything every night and outgrow any
runner. So the archive is indexed in segments (issue 23; BENCHMARKS.md, "Search in
segments"):

- `plan_segments` cuts the papers by the year of their first announcement (`announced`,
  which never changes), a year holding more than the cap (`search_segment_papers`, 10,000
  by default: a Pagefind process stays near 1.5 GB) in half-years, a half-year over it in
  months. Each segment's fingerprint covers its papers' document fingerprints, Pagefind's
  release and the index config: the same papers give the same fingerprint.
- `SegmentedIndex` keeps every segment whose name and fingerprint are in the previous build's
  manifest (`<site>/pagefind/segments.json`) and whose folder is there; it rebuilds the others,
  each by a fresh `pagefind --service` process (its memory goes back when it exits), at most
  two at a time, on threads, so the build goes on writing pages meanwhile; a bundle's files,
  taken from Pagefind's answer (GetFiles: its own WriteFiles answers before its writes are done),
  are written into a temporary folder renamed into place; segments no longer planned are
  deleted and the manifest is written last, atomically. The bundles survive MkDocs' emptying of the site
  folder as the build's other folders do (generator/website/buildcache.py: set_aside, bring_back).
- The browser (assets/javascripts/search-index.js) reads the manifest and searches the bundles
  it needs in workers of the site's own (search-worker.js), which import one
  `pagefind/pagefind.js` (a copy of the bundles' own, which one Pagefind release writes the
  same), one Pagefind instance per bundle.

`PagefindService` talks to the Pagefind executable of the `pagefind[bin]` package in its
service mode (base64 JSON messages ended by `,` on stdin/stdout, the protocol of
pagefind.service). It does not use the package's asyncio client, whose response loop sleeps
0.1 s per message: 100 s per 1,000 pages. One thread writes requests, one reads answers.

`bundle_contents` says what a bundle holds regardless of the order Pagefind wrote it in (two
builds of the same documents give the same fragments and index chunks, but filter values in
another order, so filter chunks get other names): kept and rebuilt bundles compare equal.
"""

from __future__ import annotations

import base64
import collections
import concurrent.futures
import contextlib
import datetime as dt
import gzip
import hashlib
import importlib.metadata
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pagefind.service import get_executable

from generator.errors import GeneratorError

OUTPUT_SUBDIR = "pagefind"
MANIFEST = "segments.json"
"""The segments of the index, newest first: what the browser reads and the next build compares with."""
SCRIPT = "pagefind.js"
"""Pagefind's search module, one copy beside the bundles for the browser to import (the bundles' own are the same)."""
INDEX_CONFIG = {"force_language": "en"}
"""One English index for the whole archive (abstracts are in English)."""
SEGMENT_PAPERS = 10_000
"""A segment's cap: Pagefind peaks near 1.5 GB writing 10,000 documents (no process may pass 2 GB)."""
PARALLEL = 2
"""Pagefind processes at a time (the build machine has two cores; a GitHub runner four)."""
IN_FLIGHT = 256
"""Documents handed to one Pagefind process and not yet indexed: the rest wait in the caller's stream."""
PAGEFIND_UI_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
"""Pagefind's own search interfaces, left out of every bundle: the site has its own (assets/javascripts/search.js)."""
_PROBLEM_FIX = "run `python -m pagefind --site site` to see Pagefind's own message"


class SearchIndexError(GeneratorError):
    """Pagefind could not index the site."""


def pagefind_release() -> str:
    """The installed Pagefind's version: its script and its bundles' format change with it."""
    return importlib.metadata.version("pagefind")


# -- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentPlan:
    """One bundle of the index: the papers first announced in one period."""

    name: str
    """Its name: "2026"; "2026-1" and "2026-2" for the halves of a year over the cap; "2026-07" for a month of a half over it."""
    first: dt.date
    """The first announcement day of its papers."""
    last: dt.date
    """The last announcement day of its papers."""
    ids: tuple[str, ...]
    """Its papers' arXiv ids, in the order they were given."""
    fingerprint: str
    """Over its papers' document fingerprints, Pagefind's release and the index config: what decides a rebuild."""

    @property
    def path(self) -> str:
        """Its folder in `<site>/pagefind/`."""
        return self.name


def plan_segments(papers: Iterable[tuple[str, dt.date, str]], cap: int = SEGMENT_PAPERS, release: str | None = None) -> list[SegmentPlan]:
    """The segments for these papers, (arxiv_id, announced, document fingerprint) each, newest first.

    One segment per announcement year; a year over `cap` papers in half-years ("2026-1",
    "2026-2"), a half-year over it in months ("2026-07"); a month stays whole (a day's papers
    never straddle two segments). Streams `papers` once; keeps ids and fingerprints only.
    """
    if cap < 1:
        raise ValueError(f"a segment holds at least one paper (cap {cap})")
    release = release or pagefind_release()
    by_year: dict[int, list[tuple[str, dt.date, str]]] = collections.defaultdict(list)
    for arxiv_id, announced, fingerprint in papers:
        by_year[announced.year].append((arxiv_id, announced, fingerprint))
    plans = []
    for year, members in by_year.items():
        for name, part in _cut(str(year), members, cap):
            plans.append(_plan(name, part, release))
    return sorted(plans, key=lambda plan: (plan.first, plan.name), reverse=True)


def _cut(name: str, members: list[tuple[str, dt.date, str]], cap: int) -> Iterator[tuple[str, list]]:
    """A year whole or in halves ("2026-1", "2026-2"), a half whole or in months ("2026-07")."""
    level = name.count("-") + (len(name) > 6)  # 0: a year, 1: a half-year, 2: a month
    if len(members) <= cap or level == 2:
        yield name, members
        return
    parts: dict[str, list] = collections.defaultdict(list)
    for member in members:
        month = member[1].month
        parts[f"{name}-{1 if month <= 6 else 2}" if level == 0 else f"{name[:4]}-{month:02d}"].append(member)
    for part_name in sorted(parts):
        yield from _cut(part_name, parts[part_name], cap)


def _plan(name: str, members: list[tuple[str, dt.date, str]], release: str) -> SegmentPlan:
    digest = hashlib.sha256(json.dumps({"pagefind": release, "config": INDEX_CONFIG}, sort_keys=True).encode("utf-8"))
    for arxiv_id, _, fingerprint in sorted(members):
        digest.update(f"\n{arxiv_id}\t{fingerprint}".encode())
    days = [member[1] for member in members]
    return SegmentPlan(name, min(days), max(days), tuple(m[0] for m in members), digest.hexdigest())


# -- building the bundles ---------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentBuild:
    """What building one segment cost: one Pagefind process from start to exit."""

    name: str
    papers: int
    seconds: float
    cpu_seconds: float | None
    """Pagefind's CPU (all its threads), read from /proc where there is one."""
    peak_mb: float | None
    """Pagefind's peak resident memory (VmHWM), read from /proc where there is one."""


@dataclass(frozen=True)
class SegmentReport:
    """What `SegmentedIndex.finish` did."""

    built: tuple[SegmentBuild, ...]
    kept: tuple[str, ...]
    """Segments whose bundle was there and current: no Pagefind ran for them."""
    removed: tuple[str, ...]
    """Bundles of the previous build no longer planned (their papers are in other segments now)."""
    papers: int
    segments: int

    def summary(self) -> str:
        """One line for the build's log."""
        built = "".join(
            f"; {b.name}: {b.papers} papers, {b.seconds:.1f} s, Pagefind CPU {b.cpu_seconds or 0:.1f} s, peak {b.peak_mb or 0:.0f} MB"
            for b in self.built
        )
        removed = f"; removed {', '.join(self.removed)}" if self.removed else ""
        return f"search index in {self.segments} segments: {len(self.kept)} kept, {len(self.built)} built{built}{removed}"


Documents = Callable[[SegmentPlan], Iterable[tuple[str, str]]]
"""A segment's documents, (url from the site root, starting with "/", html) each, streamed by the caller."""


class SegmentedIndex:
    """The site's search index in segment bundles under `<site>/pagefind/`: `start` (returns at once), then `finish`."""

    def __init__(self, site_dir: Path, parallel: int = PARALLEL):
        self.site_dir = Path(site_dir)
        self.parallel = max(1, parallel)
        self._plans: list[SegmentPlan] = []
        self._previous: dict[str, dict] = {}
        self._kept: list[str] = []
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._builds: dict[str, concurrent.futures.Future] = {}
        self._services: set[PagefindService] = set()
        self._lock = threading.Lock()
        self._stopping = False

    @property
    def folder(self) -> Path:
        return self.site_dir / OUTPUT_SUBDIR

    def update(self, plans: list[SegmentPlan], documents_for: Documents) -> SegmentReport:
        """Build what changed and wait for it."""
        self.start(plans, documents_for)
        return self.finish()

    def start(self, plans: list[SegmentPlan], documents_for: Documents) -> None:
        """Decide what to keep and start building the rest in the background (returns at once)."""
        names = [plan.name for plan in plans]
        if len(set(names)) != len(names):
            raise ValueError(f"two segments share a name: {sorted(names)}")
        self._plans = sorted(plans, key=lambda plan: (plan.first, plan.name), reverse=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._previous = {entry["name"]: entry for entry in read_manifest(self.folder)}
        todo = []
        for plan in self._plans:
            before = self._previous.get(plan.name)
            if before and before.get("fingerprint") == plan.fingerprint and _intact(self.folder / before["path"], len(plan.ids)):
                self._kept.append(plan.name)
            else:
                todo.append(plan)
        if todo:
            self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="pagefind-segment")
            for plan in todo:  # newest first: the segment that changes every night starts first
                self._builds[plan.name] = self._pool.submit(self._build, plan, documents_for)

    def finish(self) -> SegmentReport:
        """Wait for the bundles, put them in place, write the manifest and pagefind.js; what was built and kept."""
        built: list[SegmentBuild] = []
        failure: BaseException | None = None
        for future in self._builds.values():
            try:
                built.append(future.result())
            except BaseException as exc:  # noqa: BLE001 (the first failure is raised below, after every build has stopped)
                failure = failure or exc
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if failure is not None:
            self._discard_temporary()
            raise failure
        removed = self._commit({build.name for build in built})
        return SegmentReport(tuple(built), tuple(self._kept), tuple(removed), sum(len(p.ids) for p in self._plans), len(self._plans))

    def close(self) -> None:
        """Stop every Pagefind process (a failed build): nothing is put in place, the previous manifest stays."""
        self._stopping = True
        with self._lock:
            services = list(self._services)
        for service in services:
            service.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._discard_temporary()

    # -- inside ------------------------------------------------------------------------------

    def _temporary(self, plan: SegmentPlan) -> Path:
        return self.folder / f".building-{plan.name}"

    def _build(self, plan: SegmentPlan, documents_for: Documents) -> SegmentBuild:
        """One segment, by a Pagefind process of its own, into its temporary folder (on a pool thread)."""
        started = time.monotonic()
        temporary = self._temporary(plan)
        shutil.rmtree(temporary, ignore_errors=True)
        if self._stopping:
            raise SearchIndexError("the search index was stopped", fix="see the build's first error")
        service = PagefindService()
        with self._lock:
            self._services.add(service)
        try:
            index_id = int(service.request({"type": "NewIndex", "config": INDEX_CONFIG}).result(timeout=60)["index_id"])
            pending: collections.deque[concurrent.futures.Future] = collections.deque()
            count = 0
            for url, html in documents_for(plan):
                if self._stopping:
                    raise SearchIndexError("the search index was stopped", fix="see the build's first error")
                pending.append(
                    service.request({"type": "AddFile", "index_id": index_id, "url": url, "file_path": None, "file_contents": html})
                )
                count += 1
                while len(pending) > IN_FLIGHT:
                    pending.popleft().result(timeout=600)
            for future in pending:
                future.result(timeout=600)
            if count != len(plan.ids):
                raise SearchIndexError(
                    f"search segment {plan.name}: {count} documents for its {len(plan.ids)} papers",
                    fix="documents_for(plan) must give one document per paper of the plan",
                )
            # The bundle's files in the answer, written here: Pagefind answers WriteFiles before its own writes are
            # done, and a process stopped right then has left a file empty (an empty pagefind-entry.json).
            files = service.request({"type": "GetFiles", "index_id": index_id}).result(timeout=1800)["files"]
            cpu, peak = service.usage()
        finally:
            service.close()
            with self._lock:
                self._services.discard(service)
        _write_bundle(temporary, files)
        return SegmentBuild(plan.name, len(plan.ids), time.monotonic() - started, cpu, peak)

    def _commit(self, built: set[str]) -> list[str]:
        """Rebuilt bundles into place, then the manifest, then nothing left that it does not name."""
        planned = {plan.name for plan in self._plans}
        # First a manifest without the bundles about to be replaced: whenever this stops, the manifest on
        # disk describes exactly the folders it names, and the next build rebuilds what it lacks.
        if built or set(self._previous) - planned:
            _write_json(self.folder / MANIFEST, [e for n, e in self._previous.items() if n in planned and n not in built])
        for plan in self._plans:
            if plan.name in built:
                target = self.folder / plan.path
                if target.exists():
                    shutil.rmtree(target)
                self._temporary(plan).rename(target)
        if self._plans:
            script = self.folder / self._plans[0].path / SCRIPT
            shutil.copyfile(script, self.folder / f".{SCRIPT}")
            os.replace(self.folder / f".{SCRIPT}", self.folder / SCRIPT)
        else:
            (self.folder / SCRIPT).unlink(missing_ok=True)
        # A kept bundle's filter counts are the previous manifest's (same fingerprint: same documents); only a rebuilt
        # bundle's filter chunks are read (reading every bundle would cost a warm night seconds per 10,000 papers).
        kept = {name: self._previous[name].get("filters") for name in self._kept}
        entries = [manifest_entry(plan, self.folder / plan.path, kept.get(plan.name)) for plan in self._plans]
        _write_json(self.folder / MANIFEST, entries)
        keep = {MANIFEST, SCRIPT} | {plan.path for plan in self._plans}
        removed = []
        for entry in self.folder.iterdir():
            if entry.name not in keep:
                if entry.name in self._previous:
                    removed.append(entry.name)
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        return sorted(removed)

    def _discard_temporary(self) -> None:
        if self.folder.is_dir():
            for entry in self.folder.glob(".building-*"):
                shutil.rmtree(entry, ignore_errors=True)


def _intact(bundle: Path, papers: int) -> bool:
    """A bundle whose entry file says it holds `papers` pages (a folder cut short by a crash is rebuilt, not kept)."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        return sum(language["page_count"] for language in entry["languages"].values()) == papers
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _write_bundle(folder: Path, files: list[dict[str, str]]) -> None:
    """Pagefind's files (GetFiles: a path in the bundle, base64 content each) into `folder`, its own interfaces left out."""
    folder.mkdir(parents=True)
    for file in files:
        relative = Path(file["path"])
        if relative.is_absolute() or ".." in relative.parts:
            raise SearchIndexError(f"Pagefind named a file outside its bundle: {file['path']}", fix=_PROBLEM_FIX)
        if relative.name in PAGEFIND_UI_FILES and len(relative.parts) == 1:
            continue
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(file["content"]))


# -- the manifest -------------------------------------------------------------------------------


def manifest_entry(plan: SegmentPlan, bundle: Path, filters: dict[str, dict[str, int]] | None = None) -> dict[str, Any]:
    """One segment as the manifest lists it; `filters`: its papers per filter value, read from its bundle unless given."""
    if not isinstance(filters, dict):
        filters = {
            name: {value: len(pages) for value, pages in sorted(values.items())} for name, values in sorted(bundle_filters(bundle).items())
        }
    return {
        "name": plan.name,
        "path": plan.path + "/",
        "first": plan.first.isoformat(),
        "last": plan.last.isoformat(),
        "papers": len(plan.ids),
        "fingerprint": plan.fingerprint,
        "filters": filters,
    }


def read_manifest(folder: Path) -> list[dict[str, Any]]:
    """The segments a build wrote into `folder` (`<site>/pagefind/`), newest first; none when absent or unreadable."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    ok = isinstance(data, list) and all(
        isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("path"), str) for e in data
    )
    return data if ok else []


def _write_json(path: Path, data: Any) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


# -- what a bundle holds ------------------------------------------------------------------------


def bundle_contents(bundle: Path) -> dict[str, Any]:
    """A bundle's content independent of the order Pagefind wrote it in: fragments and index chunks by
    name and content digest, each filter as {value: page numbers}, and its metadata with the filter
    chunks' names left out (they change with the order of the values inside)."""
    bundle = Path(bundle)
    filters = bundle_filters(bundle)
    metas = sorted(bundle.glob("*.pf_meta"))
    meta = [_without_filter_chunks(part) for part in _cbor(_payload(metas[0]))[0]] if metas else None
    return {
        "fragments": {p.name: hashlib.sha256(_payload(p)).hexdigest() for p in sorted((bundle / "fragment").glob("*"))},
        "index": {p.name: hashlib.sha256(_payload(p)).hexdigest() for p in sorted((bundle / "index").glob("*"))},
        "filters": filters,
        "meta": meta,
    }


def bundle_filters(bundle: Path) -> dict[str, dict[str, tuple[int, ...]]]:
    """A bundle's filters, each as {value: page numbers}, read from its filter chunks."""
    filters: dict[str, dict[str, tuple[int, ...]]] = {}
    for path in sorted((Path(bundle) / "filter").glob("*.pf_filter")):
        name, values = _cbor(_payload(path))[0]
        filters[name] = {value: tuple(pages) for value, pages in values}
    return filters


def _without_filter_chunks(part: Any) -> Any:
    """pf_meta's list of [filter name, filter chunk name] pairs, as the sorted filter names."""
    pairs = (
        isinstance(part, list) and part and all(isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in part)
    )
    if pairs and all(p[1].startswith(("en_", "unknown_")) for p in part):
        return sorted(p[0] for p in part)
    return part


def _payload(path: Path) -> bytes:
    """A Pagefind file's content: gzip of b"pagefind_dcd" and CBOR."""
    data = gzip.decompress(path.read_bytes())
    return data[12:] if data.startswith(b"pagefind_dcd") else data


def _cbor(data: bytes, at: int = 0) -> tuple[Any, int]:
    """The CBOR item at `at` and where the next begins: the part of CBOR (RFC 8949) Pagefind writes."""
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if major == 7:  # simple values and floats: kept as their bytes
        size = {25: 2, 26: 4, 27: 8}.get(info, 0)
        return (data[at : at + size] if size else info), at + size
    if info == 31:  # indefinite length
        items = []
        while data[at] != 0xFF:
            item, at = _cbor(data, at)
            items.append(item)
        return items, at + 1
    if info < 24:
        count = info
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        count, at = int.from_bytes(data[at : at + size], "big"), at + size
    if major == 0:
        return count, at
    if major == 1:
        return -1 - count, at
    if major in (2, 3):
        raw = data[at : at + count]
        return (raw.decode("utf-8") if major == 3 else bytes(raw)), at + count
    if major in (4, 5):
        items = []
        for _ in range(count * (2 if major == 5 else 1)):
            item, at = _cbor(data, at)
            items.append(item)
        return (items if major == 4 else [list(pair) for pair in zip(items[::2], items[1::2])]), at
    item, at = _cbor(data, at)  # a tag: its content
    return item, at


# -- one Pagefind process -------------------------------------------------------------------------


def encode_message(message_id: int, payload: dict[str, Any]) -> bytes:
    return base64.b64encode(json.dumps({"message_id": message_id, "payload": payload}).encode("utf-8")) + b","


def decode_message(raw: bytes) -> dict[str, Any]:
    return json.loads(base64.b64decode(raw))


class PagefindService:
    """One `pagefind --service` process and the two threads that talk to it."""

    def __init__(self) -> None:
        executable = get_executable()
        if executable is None:
            raise SearchIndexError(
                "the Pagefind executable is missing", fix="install it: pip install 'pagefind[bin]' (see requirements.txt)"
            )
        try:
            self._process = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError as exc:
            raise SearchIndexError(
                f"Pagefind could not start ({exc})", fix="reinstall it: pip install --force-reinstall 'pagefind[bin]'"
            ) from None
        self._pending: dict[int, concurrent.futures.Future] = {}
        self._lock = threading.Lock()
        self._next_id = 0
        # Unbounded: the build hands over each paper and goes on writing pages while Pagefind
        # indexes on the other core (a bounded queue made the build wait for Pagefind's pace).
        self._outbox: queue.Queue[bytes | None] = queue.Queue()
        self._failure: str | None = None
        self._writer = threading.Thread(target=self._write_loop, name="pagefind-writer", daemon=True)
        self._reader = threading.Thread(target=self._read_loop, name="pagefind-reader", daemon=True)
        self._writer.start()
        self._reader.start()

    def request(self, payload: dict[str, Any]) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._lock:
            if self._failure:
                future.set_exception(SearchIndexError(self._failure, fix=_PROBLEM_FIX))
                return future
            self._next_id += 1
            message_id = self._next_id
            self._pending[message_id] = future
        self._outbox.put(encode_message(message_id, payload))
        return future

    def _write_loop(self) -> None:
        stdin = self._process.stdin
        while (data := self._outbox.get()) is not None:
            try:
                stdin.write(data)
                stdin.flush()
            except OSError as exc:
                self._fail(f"Pagefind stopped reading ({exc})")
                return

    def _read_loop(self) -> None:
        stdout = self._process.stdout
        pending: list[bytes] = []  # the pieces of a message not ended yet (GetFiles answers with megabytes)
        while chunk := stdout.read1(1 << 16):
            *ended, rest = chunk.split(b",")
            for piece in ended:
                raw = b"".join([*pending, piece])
                pending = []
                if raw.strip():
                    self._answer(decode_message(raw))
            if rest:
                pending.append(rest)
        self._fail("Pagefind exited")

    def _answer(self, message: dict[str, Any]) -> None:
        payload = message.get("payload") or {}
        message_id = message.get("message_id")
        if message_id is None and payload.get("original_message"):
            try:
                message_id = json.loads(payload["original_message"]).get("message_id")
            except (ValueError, AttributeError):
                message_id = None
        with self._lock:
            future = self._pending.pop(message_id, None) if message_id is not None else None
        if future is None:
            if payload.get("type") == "Error":
                self._fail(f"Pagefind: {payload.get('message')}")
            return
        if payload.get("type") == "Error":
            future.set_exception(
                SearchIndexError(
                    f"Pagefind: {payload.get('message')}", fix="check the page's HTML; run `python -m pagefind --site site` to reproduce"
                )
            )
        else:
            future.set_result(payload)

    def _fail(self, reason: str) -> None:
        with self._lock:
            if self._failure is None:
                self._failure = reason
            pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(SearchIndexError(reason, fix=_PROBLEM_FIX))

    def usage(self) -> tuple[float | None, float | None]:
        """The process's CPU seconds (all threads) and peak resident MB so far, from /proc (None elsewhere)."""
        pid = self._process.pid
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                peak = next((int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:")), None)
        except (OSError, ValueError, IndexError):
            return None, None
        return cpu, peak

    def close(self) -> None:
        self._outbox.put(None)
        self._writer.join(timeout=30)
        with contextlib.suppress(OSError):
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=10)
