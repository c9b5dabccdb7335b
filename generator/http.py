"""One polite HTTP session for every arXiv request (feed, API, PDFs).

arXiv's terms ask for one request at a time, a few seconds apart, from a client
that says who it is. `PoliteSession` enforces that for the whole process, even
when several threads download PDFs: a lock serializes requests and spaces their
starts by `delay` seconds. It sets a timeout on every call, and retries only
named failures (429, 5xx, connection errors, truncated bodies, timeouts) with
bounded exponential backoff that honours Retry-After.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable

import requests

from .errors import FetchError

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

    def backoff(self, attempt: int) -> float:
        """Wait before retry number `attempt` (0-based) when the server gave no Retry-After."""
        return min(MAX_WAIT, max(self.delay, 0.5) * 2**attempt)

    def _wait_turn(self) -> None:
        if self._last_start is not None:
            remaining = self.delay - (time.monotonic() - self._last_start)
            if remaining > 0:
                self._sleep(remaining)
        self._last_start = time.monotonic()

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        # Callers such as the arxiv package send their own User-Agent; ours says who we are.
        headers = {k: v for k, v in (kwargs.pop("headers", None) or {}).items() if k.lower() != "user-agent"}
        headers["User-Agent"] = self.user_agent
        kwargs["headers"] = headers
        attempts = self.max_retries + 1
        with self._lock:
            for attempt in range(attempts):
                self._wait_turn()
                self.requests_made += 1
                try:
                    response = super().request(method, url, *args, **kwargs)
                except RETRY_EXCEPTIONS as exc:
                    reason = f"{type(exc).__name__}: {_short(exc)}"
                    wait = self.backoff(attempt)
                else:
                    if response.status_code not in RETRY_STATUSES:
                        return response
                    reason = f"HTTP {response.status_code}"
                    hinted = retry_after_seconds(response.headers.get("Retry-After"))
                    wait = min(MAX_WAIT, hinted) if hinted is not None else self.backoff(attempt)
                    response.close()
                if attempt + 1 == attempts:
                    raise FetchError(
                        f"GET {_shorten_url(url)} failed after {attempts} attempts ({reason})",
                        fix="arXiv may be down or throttling; the archive is unchanged, rerun later",
                    )
                log.warning("%s from %s; retry %d of %d in %.1f s", reason, _shorten_url(url), attempt + 1, self.max_retries, wait)
                self._sleep(wait)
                # The wait already spaced us out; do not add the delay on top.
                self._last_start = time.monotonic() - self.delay
        raise AssertionError("unreachable")


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 160 else text[:157] + "..."


def _shorten_url(url: str) -> str:
    """Long URLs (id_list queries) cut to 200 characters for messages."""
    return url if len(url) <= 200 else url[:197] + "..."
