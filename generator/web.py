"""One polite HTTP session for every arXiv request (feed, API, PDFs).

arXiv's terms ask for one request at a time, a few seconds apart, from a client
that says who it is. `PoliteSession` enforces that for the whole process, even
when several threads download PDFs: a lock serializes requests and spaces their
starts by `delay` seconds. It sets a timeout on every call, and retries only
named failures (429, 5xx, connection errors, truncated bodies, timeouts, and a
200 whose body is not what the caller expects, such as an HTML maintenance page
where XML should be) with bounded exponential backoff that honours Retry-After.
A caller may cap the body's size: a larger one is refused, not retried.

An address that cannot work (connection refused, a host name that does not
resolve) is a setting to fix, not a server to wait for: it is retried once, in
case of a blip, and then reported with the endpoint's name and the setting that
holds its address (`Endpoint`).
"""

from __future__ import annotations

import email.utils
import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from generator.errors import FetchError
from generator.text.cut import shorten

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_EXCEPTIONS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
MAX_WAIT = 300.0
"""Longest single wait, whatever Retry-After says; past it the retry budget decides."""
THROTTLE_STATUSES = frozenset({429, 503})
"""The answers by which a server says "too many requests" or "come back later"."""
UNREACHABLE_ATTEMPTS = 2
"""Attempts on an address that refuses connections or does not resolve: one retry, for a blip."""


@dataclass(frozen=True)
class Endpoint:
    """A configured address, so that a failure names it and the setting that holds it."""

    name: str
    """What it is, for messages: `feed`, `API`, `PDF`, `LLM`."""
    template: str
    """The configured URL (placeholders such as `{id}` allowed); URLs starting with its fixed part belong to it."""
    setting: str
    """Where the address is set, e.g. `ARXIV_FEED_URL (arxiv.feed_url in config.yml)`."""

    @property
    def prefix(self) -> str:
        return self.template.split("{", 1)[0]


def endpoint_for(url: str, endpoints: Sequence[Endpoint]) -> Endpoint | None:
    """The endpoint a URL belongs to (the longest matching prefix), if any."""
    matching = [e for e in endpoints if e.prefix and url.startswith(e.prefix)]
    return max(matching, key=lambda e: len(e.prefix)) if matching else None


def unreachable_reason(exc: BaseException, url: str) -> str | None:
    """ "connection refused" or "host name ... does not resolve" when that caused `exc`, else None.

    Walks the exception chain: requests (urllib3) and the openai client (httpx) both
    wrap the socket's own ConnectionRefusedError or gaierror.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, socket.gaierror):
            host = urlsplit(url).hostname or url
            return f"host name {host} does not resolve (DNS)"
        current = current.__cause__ or current.__context__
    return None


class UnreachableError(FetchError):
    """An address that refuses connections or does not resolve: a setting to fix, not a server to wait for."""

    def __init__(self, reason: str, url: str, endpoint: Endpoint | None, attempts: int):
        what = f"{endpoint.name} endpoint {shorten(url)}" if endpoint else f"GET {shorten(url)}"
        tried = {1: "no retry", 2: "after one retry"}.get(attempts, f"after {attempts} attempts")
        check = f"check {endpoint.setting}" if endpoint else "check the address"
        super().__init__(f"{what}: {reason} ({tried})", fix=f"{check}; the archive is unchanged")
        self.reason = reason
        self.url = url
        self.endpoint = endpoint


CHUNK = 64 * 1024

Expect = Callable[[bytes], str | None]
"""Checks a 200 body: None when it is what the caller asked for, else why not (then retried)."""


class ResponseTooLarge(FetchError):
    """The body is over the caller's size ceiling (a config `limits` key); not retried."""

    def __init__(self, url: str, size: int | None, limit: int, key: str):
        seen = f"{size:,} bytes" if size is not None else f"over {limit:,} bytes"
        super().__init__(
            f"GET {shorten(url)}: the answer is {seen}, over {key} ({limit:,} bytes)",
            fix=f"raise {key} in config.yml if this answer is genuine",
        )
        self.key = key


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class PoliteSession(requests.Session):
    """requests.Session with spacing, a default timeout, a User-Agent and bounded retries."""

    def __init__(
        self,
        *,
        delay: float,
        timeout: float,
        max_retries: int,
        user_agent: str,
        sleep: Callable[[float], None] = time.sleep,
        endpoints: Sequence[Endpoint] = (),
    ):
        super().__init__()
        self.delay = delay
        self.timeout = timeout
        self.max_retries = max_retries
        self.user_agent = user_agent
        self.headers["User-Agent"] = user_agent
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last_start: float | None = None
        self.requests_made = 0
        self.endpoints = tuple(endpoints)

    def backoff(self, attempt: int) -> float:
        """Wait before retry number `attempt` (0-based) when the server gave no Retry-After."""
        return min(MAX_WAIT, max(self.delay, 0.5) * 2**attempt)

    def _wait_turn(self) -> None:
        if self._last_start is not None:
            remaining = self.delay - (time.monotonic() - self._last_start)
            if remaining > 0:
                self._sleep(remaining)
        self._last_start = time.monotonic()

    def request(self, method, url, *args, max_bytes: tuple[int, str] | None = None, expect: Expect | None = None, **kwargs):  # type: ignore[override]
        """As requests', plus `max_bytes` = (ceiling, its config key) and `expect` (see Expect)."""
        kwargs.setdefault("timeout", self.timeout)
        if max_bytes is not None:
            kwargs["stream"] = True  # read the body ourselves, stopping at the ceiling
        # Callers such as the arxiv package send their own User-Agent; ours says who we are.
        headers = {k: v for k, v in (kwargs.pop("headers", None) or {}).items() if k.lower() != "user-agent"}
        headers["User-Agent"] = self.user_agent
        kwargs["headers"] = headers
        attempts = self.max_retries + 1
        endpoint = endpoint_for(url, self.endpoints)
        with self._lock:
            for attempt in range(attempts):
                self._wait_turn()
                self.requests_made += 1
                status = None
                unexpected = None
                try:
                    response = super().request(method, url, *args, **kwargs)
                    if max_bytes is not None and response.status_code not in RETRY_STATUSES:
                        _read_within(response, url, *max_bytes)
                except RETRY_EXCEPTIONS as exc:
                    unreachable = unreachable_reason(exc, url)
                    if unreachable and (attempt + 1 >= UNREACHABLE_ATTEMPTS or attempt + 1 == attempts):
                        raise UnreachableError(unreachable, url, endpoint, attempt + 1) from None
                    reason = unreachable or f"{type(exc).__name__}: {shorten(str(exc), 160)}"
                    wait = self.backoff(attempt)
                else:
                    unexpected = expect(response.content) if expect is not None and response.status_code == 200 else None
                    if response.status_code not in RETRY_STATUSES and unexpected is None:
                        return response
                    if unexpected is not None:
                        # A maintenance page or a cut-off document with status 200: as transient as a 503.
                        reason = unexpected
                        wait = self.backoff(attempt)
                    else:
                        status = response.status_code
                        reason = f"HTTP {status}"
                        hinted = retry_after_seconds(response.headers.get("Retry-After"))
                        wait = min(MAX_WAIT, hinted) if hinted is not None else self.backoff(attempt)
                    response.close()
                if attempt + 1 == attempts:
                    where = f"{endpoint.name} endpoint: " if endpoint else ""
                    # Only a 429 or 503 says "too many requests, come back later"; a 500 or a
                    # timeout may be a wrong address as well, so the hint would mislead there.
                    if status in THROTTLE_STATUSES:
                        fix = "arXiv is throttling or down; the archive is unchanged, rerun later"
                    elif unexpected is not None:
                        check = f", or check {endpoint.setting}" if endpoint else ""
                        fix = (
                            "arXiv answered something other than the expected XML (a maintenance page?); "
                            f"the archive is unchanged, rerun later{check}"
                        )
                    else:
                        check = f", and check {endpoint.setting} if it persists" if endpoint else ""
                        fix = f"the archive is unchanged; rerun later{check}"
                    raise FetchError(
                        f"{where}GET {shorten(url)} failed after {attempts} attempt{'s' * (attempts != 1)} ({reason})", fix=fix
                    )
                log.warning("%s from %s; retry %d of %d in %.1f s", reason, shorten(url), attempt + 1, self.max_retries, wait)
                self._sleep(wait)
                # The wait already spaced us out; do not add the delay on top.
                self._last_start = time.monotonic() - self.delay
        raise AssertionError("unreachable")


def _read_within(response: requests.Response, url: str, limit: int, key: str) -> None:
    """Read a streamed body into `response.content`, refusing one over `limit` bytes before reading it all."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        response.close()
        raise ResponseTooLarge(url, int(declared), limit, key)
    body = bytearray()
    for chunk in response.iter_content(CHUNK):
        body += chunk
        if len(body) > limit:
            response.close()
            raise ResponseTooLarge(url, None, limit, key)
    # requests keeps a read body in `_content` (what `.content` returns); a streamed
    # response left unread would be read again, unbounded, on first access.
    response._content = bytes(body)
    response._content_consumed = True
