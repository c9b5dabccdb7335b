"""Keep the LLM API key out of everything we print, log, store or publish.

The key is registered once, when the summarizer reads it from the environment.
From then on `redact` replaces it in any text (error messages, warnings, model
answers, run records), and `RedactingFilter` does the same for every log record
that reaches a handler, including records from the openai and HTTP libraries.
Providers sometimes echo the key back in an error body ("Incorrect API key
provided: sk-..."), so no message is trusted to be clean.
"""

from __future__ import annotations

import logging
import threading

from generator.text.cut import shorten

MASK = "[redacted]"
MIN_SECRET_LENGTH = 4
"""Shorter values are not redacted: a one-letter 'key' would mangle every message."""

_lock = threading.Lock()
_secrets: set[str] = set()


def register(secret: str) -> None:
    """Redact `secret` from now on (in this process)."""
    if secret and len(secret) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(secret)


def forget_all() -> None:
    """Drop every registered secret (tests; a fresh CLI run)."""
    with _lock:
        _secrets.clear()


def redact(text: str) -> str:
    """`text` with every registered secret replaced by a mask."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter that formats the record's message and redacts it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            message = redact(record.getMessage())
            record.msg, record.args = message, None
            if record.exc_info and record.exc_info[1] is not None:
                # The formatter would print the exception's own text: keep only the redacted form.
                exc = record.exc_info[1]
                record.exc_info = None
                record.exc_text = None
                record.msg = f"{message} ({type(exc).__name__}: {redact(str(exc))})"
        return True


def install_log_filter(logger: logging.Logger | None = None) -> None:
    """Attach a RedactingFilter to every handler of `logger` (default: the root logger)."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def error_cause(exc: BaseException) -> str:
    """What caused `exc` (its __cause__ or __context__, else its type), redacted and short."""
    cause = exc.__cause__ or exc.__context__
    return shorten(redact(f"{type(cause).__name__}: {cause}" if cause else type(exc).__name__))
