"""Progress display for long steps, on stderr, silent when stderr is not a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

T = TypeVar("T")


class Progress:
    """Spinners for single steps, bars for loops; nothing at all when `enabled` is False."""

    def __init__(self, console: Console | None = None, enabled: bool | None = None):
        self.console = console or Console(stderr=True)
        self.enabled = self.console.is_terminal if enabled is None else enabled

    def _bar(self) -> RichProgress:
        return RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
            disable=not self.enabled,
        )

    @contextlib.contextmanager
    def task(self, description: str) -> Iterator[None]:
        with self._bar() as bar:
            bar.add_task(description, total=None)
            yield

    def iterate(self, items: Iterable[T], description: str) -> Iterator[T]:
        items = list(items)
        with self._bar() as bar:
            task = bar.add_task(description, total=len(items))
            for item in items:
                yield item
                bar.advance(task)


def quiet() -> Progress:
    """A Progress that shows nothing (tests, non-interactive runs)."""
    return Progress(Console(file=sys.stderr), enabled=False)
