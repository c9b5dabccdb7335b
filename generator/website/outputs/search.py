"""The search index: Pagefind, fed one document per paper while the rest of the site is built.

Pagefind indexes HTML. Each paper's document is rendered from its record by the
template archive/search-document.html (generator.website.render), at the URL of the paper's
page: the paper's text inside `data-pagefind-body` (title weighted, never the
header, nav or footer every page shares), and meta tags for filters, sorting and
result metadata. The plugin hands all documents over as soon as the records are
read, so Pagefind indexes and writes on the second core while the pages are
rendered (BENCHMARKS.md has the numbers).

`BackgroundIndexer` talks to the Pagefind executable of the `pagefind[bin]`
package in its service mode (`pagefind --service`: base64 JSON messages ended by
`,` on stdin/stdout, the protocol of pagefind.service). It does not use the
package's asyncio client, whose response loop sleeps 0.1 s per message: 100 s
per 1,000 pages. `add()` only queues; one thread writes requests, one reads
answers; `finish()` waits for all pages, writes `<site>/pagefind/` and stops it.
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

from pagefind.service import get_executable

from generator.errors import GeneratorError

OUTPUT_SUBDIR = "pagefind"
INDEX_CONFIG = {"force_language": "en"}
"""One English index for the whole archive (abstracts are in English)."""


class SearchIndexError(GeneratorError):
    """Pagefind could not index the site."""


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
                future.set_exception(
                    SearchIndexError(self._failure, fix="run `python -m pagefind --site site` to see Pagefind's own message")
                )
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
        buffer = b""
        while chunk := stdout.read1(1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b",")
            for raw in messages:
                if raw.strip():
                    self._answer(decode_message(raw))
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
                future.set_exception(SearchIndexError(reason, fix="run `python -m pagefind --site site` to see Pagefind's own message"))

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


class BackgroundIndexer:
    """Index HTML pages with Pagefind while the caller goes on building."""

    def __init__(self, site_dir: Path):
        self.site_dir = Path(site_dir)
        self.pages = 0
        self._service: PagefindService | None = PagefindService()
        self._added: list[concurrent.futures.Future] = []
        self._writing: concurrent.futures.Future | None = None
        self._lock = threading.Lock()
        try:
            answer = self._service.request({"type": "NewIndex", "config": INDEX_CONFIG}).result(timeout=60)
        except Exception:
            self.close()
            raise
        self._index_id = int(answer["index_id"])

    def add(self, url: str, html: str) -> None:
        """Queue one built page (`url` from the site root, starting with `/`)."""
        assert self._service is not None, "indexer already closed"
        future = self._service.request(
            {"type": "AddFile", "index_id": self._index_id, "url": url, "file_path": None, "file_contents": html}
        )
        with self._lock:  # the writer thread reads the list
            self._added.append(future)
            self.pages += 1

    def start_writing(self) -> None:
        """Once every page is in: have Pagefind write the index as soon as it has indexed them all (returns at once)."""
        assert self._service is not None, "indexer already closed"
        service, added, output = self._service, list(self._added), str(self.site_dir / OUTPUT_SUBDIR)
        writing: concurrent.futures.Future = concurrent.futures.Future()

        def write() -> None:  # on its own thread: the build goes on meanwhile
            try:
                for future in added:
                    future.result(timeout=600)
                writing.set_result(
                    service.request({"type": "WriteFiles", "index_id": self._index_id, "output_path": output}).result(timeout=600)
                )
            except BaseException as exc:  # noqa: BLE001 (handed to finish(), which raises it in the build)
                writing.set_exception(exc)

        self._writing = writing
        threading.Thread(target=write, name="pagefind-write", daemon=True).start()

    def finish(self) -> int:
        """Wait until the index is written into the site, stop Pagefind; return the page count."""
        try:
            if self._writing is None:
                self.start_writing()
            self._writing.result(timeout=1200)
        finally:
            self.close()
        return self.pages

    def close(self) -> None:
        """Stop Pagefind (idempotent; after a failed build nothing is written)."""
        if self._service is not None:
            service, self._service = self._service, None
            service.close()
