"""One exception family for everything the CLI turns into a one-line message.

Each error carries where it happened and how to fix it; the CLI prints `str(err)`
and exits with `err.exit_code`. Nothing else catches these.
"""

from __future__ import annotations


class GeneratorError(Exception):
    """Base class: a failure the user can act on."""

    exit_code = 1

    def __init__(self, message: str, *, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}; fix: {self.fix}" if self.fix else self.message


class ConfigError(GeneratorError):
    """config.yml is unreadable or invalid. Nothing has been written."""

    exit_code = 2

    def __init__(self, path: str, key: str | None, problem: str, *, fix: str, line: int | None = None):
        where = path
        if line is not None:
            where += f":{line}"
        if key:
            where += f": {key}"
        super().__init__(f"{where}: {problem}", fix=fix)
        self.path = path
        self.key = key
        self.line = line


class FetchError(GeneratorError):
    """arXiv could not be reached or kept failing after the retries."""


class FeedError(GeneratorError):
    """arXiv answered, but with an error feed or a document we cannot read."""


class ArchiveError(GeneratorError):
    """A page in docs/ cannot be read or written."""
