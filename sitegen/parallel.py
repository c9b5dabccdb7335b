"""Build the paper pages on every core: `mkdocs build` runs on one.

MkDocs reads, converts and renders pages one after the other in one process; at
10,000 papers that alone is over a minute here (BENCHMARKS.md). The paper pages
are independent leaves (outside the nav, nothing reads their rendered content),
so after MkDocs has gathered all files and the nav (`on_nav`), the hook forks
worker processes that each read, convert, render and write a share of the paper
pages with MkDocs' own functions, while the main process builds the rest. Workers
send back, through a pipe, what the main process needs: each page's search
document (for the one Pagefind index), its sitemap date, how many warnings they
logged (so `--strict` still fails) or the error that stopped them.

The main process skips the workers' pages by wrapping MkDocs' `_populate_page` and
`_build_page` (mkdocs 1.6, which is frozen). It also puts off its pages that are
not papers (days, derived pages) until the paper pages are done, so that they are
built while Pagefind writes its index, which it can only do once it has seen
every paper. Only on Linux with fork, for `mkdocs build` and `gh-deploy` (not
`serve`, not `--dirty`), and only for archives large enough to gain from it (or
when $ARCHIVE_BUILD_JOBS asks for it); everything else builds the ordinary way.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe
from typing import Any

from mkdocs.commands import build as mkdocs_build
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.sitegen")

MIN_PAPERS = 1500
"""Below this many paper pages a single process is about as fast (forking has a cost)."""
JOBS_ENV = "ARCHIVE_BUILD_JOBS"
"""Processes to build with (1: no workers). Unset: one per core, for archives over MIN_PAPERS."""


def plan_shares(papers: int, processes: int) -> list[int]:
    """Paper pages per process, main process first (its other pages come after, see above)."""
    base, extra = divmod(papers, processes)
    return [base + (1 if i < extra else 0) for i in range(processes)]


def worker_count(command: str, dirty: bool, papers: int, environ=os.environ) -> int:
    """Worker processes to fork (0: build in this process only)."""
    if command not in ("build", "gh-deploy") or dirty or not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return 0
    jobs = environ.get(JOBS_ENV, "")
    if jobs.isdigit() and int(jobs) >= 1:
        return int(jobs) - 1 if papers >= int(jobs) else 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores - 1 if cores >= 2 and papers >= MIN_PAPERS else 0


class _CountWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@dataclass
class Worker:
    pid: int
    connection: Connection
    files: list
    reader: threading.Thread | None = None
    warnings: int = 0
    error: str | None = None
    lastmods: dict[str, dt.date | None] = field(default_factory=dict)
    done: bool = False


class ShardedBuild:
    """Worker processes building shares of the paper pages, seen from the main process."""

    def __init__(self, workers: list[Worker], papers_here: Sequence):
        self.workers = workers
        self.skipped = {id(f) for w in workers for f in w.files}
        self.papers_here = {id(f) for f in papers_here}
        self.deferred_populate: list[tuple] = []
        self.deferred_build: list[tuple] = []

    @classmethod
    def start(cls, files: Sequence, config, all_files, nav, processes: int,
              child_setup: Callable[[Connection], Callable[[list], dict]]) -> ShardedBuild:  # fmt: skip
        """Fork `processes - 1` workers for shares of `files` (the paper pages).

        In each worker, `child_setup(connection)` prepares the hooks to send search
        documents through the connection and returns the function that, once the
        pages are written, flushes them and returns the pages' sitemap dates.
        """
        shares = plan_shares(len(files), processes)
        workers: list[Worker] = []
        start = shares[0]
        for share in shares[1:]:
            mine = list(files[start : start + share])
            start += share
            parent_end, child_end = Pipe(duplex=False)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # the worker
                parent_end.close()
                _run_worker(child_end, mine, config, all_files, nav, child_setup)  # never returns
            child_end.close()
            workers.append(Worker(pid, parent_end, mine))
        log.info("sitegen: %d paper pages built here, %s by %d worker process(es)", shares[0], "+".join(map(str, shares[1:])), len(workers))
        return cls(workers, files[: shares[0]])

    def listen(self, on_document: Callable[[str, str], None]) -> None:
        """Receive the workers' messages on threads; search documents go to `on_document`."""
        for worker in self.workers:
            worker.reader = threading.Thread(target=self._read, args=(worker, on_document), name=f"worker-{worker.pid}", daemon=True)
            worker.reader.start()

    def _read(self, worker: Worker, on_document: Callable[[str, str], None]) -> None:
        try:
            while True:
                kind, payload = pickle.loads(worker.connection.recv_bytes())
                if kind == "documents":
                    for url, document in payload:
                        on_document(url, document)
                elif kind == "done":
                    worker.warnings, worker.lastmods = payload
                    worker.done = True
                    return
                elif kind == "error":
                    worker.error = payload
                    return
        except (EOFError, OSError) as exc:
            worker.error = worker.error or f"worker {worker.pid} stopped without finishing ({exc})"

    def skips(self, page: Page) -> bool:
        return id(page.file) in self.skipped

    def defers(self, page: Page) -> bool:
        return id(page.file) not in self.papers_here

    def build_deferred(self) -> int:
        """Read, convert and render the pages put off until now; return how many."""
        for args in self.deferred_populate:
            ORIGINAL_POPULATE(*args)
        for page, config, files, _ in self.deferred_populate:
            page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        for args, kwargs in self.deferred_build:
            ORIGINAL_BUILD(*args, **kwargs)
        count = len(self.deferred_build)
        self.deferred_populate, self.deferred_build = [], []
        return count

    def abort(self) -> None:
        """Stop the workers (the build failed elsewhere)."""
        for worker in self.workers:
            try:
                os.kill(worker.pid, signal.SIGTERM)
                os.waitpid(worker.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            worker.connection.close()

    def finish(self) -> tuple[list[str], int, dict[str, dt.date | None]]:
        """Wait for the workers: (errors, warnings they logged, sitemap dates of their pages)."""
        errors: list[str] = []
        warnings = 0
        lastmods: dict[str, dt.date | None] = {}
        for worker in self.workers:
            if worker.reader is not None:
                worker.reader.join()
            _, status = os.waitpid(worker.pid, 0)
            worker.connection.close()
            if worker.error or not worker.done or status != 0:
                errors.append(worker.error or f"worker {worker.pid} exited with status {status}")
            warnings += worker.warnings
            lastmods.update(worker.lastmods)
        return errors, warnings, lastmods


def _run_worker(connection: Connection, files: list, config, all_files, nav, child_setup) -> None:
    """Body of a worker process: read, convert, render and write these pages, report, exit."""
    status = 1
    try:
        counter = _CountWarnings()
        logging.getLogger("mkdocs").addHandler(counter)
        finish = child_setup(connection)
        for file in files:
            if file.page is None:
                Page(None, file, config)
            ORIGINAL_POPULATE(file.page, config, all_files, False)
        env = config.theme.get_env()
        env = config.plugins.on_env(env, config=config, files=all_files)
        doc_files = all_files.documentation_pages()
        for file in files:
            ORIGINAL_BUILD(file.page, config, doc_files, nav, env, False, excluded=file.inclusion.is_excluded())
        lastmods = finish(files)
        connection.send_bytes(pickle.dumps(("done", (counter.count, lastmods))))
        status = 0
    except BaseException:  # noqa: BLE001 (reported to the main process, which fails the build)
        try:
            connection.send_bytes(pickle.dumps(("error", traceback.format_exc(limit=8))))
        except Exception:  # noqa: BLE001
            pass
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            connection.close()
        finally:
            os._exit(status)  # no atexit: the temporary folders belong to the main process


ORIGINAL_POPULATE = mkdocs_build._populate_page
ORIGINAL_BUILD = mkdocs_build._build_page
ACTIVE: dict[str, Any] = {"build": None}
"""The ShardedBuild of the running build, if any (read by the wrappers below)."""


def _populate_page(page, config, files, dirty=False):
    sharded = ACTIVE["build"]
    if sharded is not None:
        if sharded.skips(page):
            return
        if sharded.defers(page):
            sharded.deferred_populate.append((page, config, files, dirty))
            return
    ORIGINAL_POPULATE(page, config, files, dirty)


def _build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
    sharded = ACTIVE["build"]
    if sharded is not None:
        if sharded.skips(page):
            return
        if sharded.defers(page):
            sharded.deferred_build.append(((page, config, doc_files, nav, env, dirty), {"excluded": excluded}))
            return
    ORIGINAL_BUILD(page, config, doc_files, nav, env, dirty, excluded)


def install() -> None:
    """Route MkDocs' page loop through the wrappers (idempotent)."""
    mkdocs_build._populate_page = _populate_page
    mkdocs_build._build_page = _build_page
