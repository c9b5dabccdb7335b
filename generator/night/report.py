"""What a nightly command did: the report printed at its end (cli.print_report) and the run record stored in docs/runs/.

Every stage of a command adds to one `RunReport`: a `DayReport` per day it computed or
rewrote, the pages it staged, its warnings. `close` adds the closing figures once the work
is done, and `run_record` turns the report into the record the site's run history shows
(generator.archive.runs).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from generator.archive.runs import RunRecord
from generator.archive.store import WriteResult
from generator.redaction import redact
from generator.summaries.summarize import SummaryStats

log = logging.getLogger(__name__)


@dataclass
class DayReport:
    date: dt.date
    fetched: int = 0
    matched: int = 0
    listed: int = 0
    new: int = 0
    updated: int = 0
    already_archived: int = 0
    summarized: int = 0
    kept_existing: bool = False
    resummarized: int = 0
    """New summaries written for this already archived day (resummarize, catch-up)."""
    source: str | None = None
    """`api` when the day was filled from the arXiv API."""
    similar: int = 0
    """Listed papers kept only for their similarity to the interest papers."""


@dataclass
class RunReport:
    """What one command did, for the closing report and the run history."""

    command: str
    days: list[DayReport] = field(default_factory=list)
    pages_written: int = 0
    pages_unchanged: int = 0
    arxiv_requests: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    extra: dict[str, float | int | str] = field(default_factory=dict)
    """Figures added by later stages (summaries: requests, tokens, cost)."""
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    """When the run started (UTC)."""
    summaries: SummaryStats | None = None
    """The summarize stage's counters, when summaries were on."""
    changed_days: set[dt.date] = field(default_factory=set)
    """Announcement days whose pages this run wrote or changed."""
    notes: list[str] = field(default_factory=list)
    """Lines shown before the warnings (resummarize --dry-run's plan)."""
    caught_up: list[dt.date] = field(default_factory=list)
    """Missed announcement days that `update` filled from the API."""

    def total(self, name: str) -> int:
        return sum(getattr(day, name) for day in self.days)

    def warn(self, message: str) -> None:
        """A warning for the run report (printed once at the end, stored in the run record)."""
        log.info("warning: %s", message)
        self.warnings.append(message)

    def staged(self, day: dt.date, result: WriteResult) -> None:
        """Count what staging one day's pages changed (archive.Archive.stage's result)."""
        self.pages_unchanged += result.unchanged
        if result.written:
            self.changed_days.add(day)

    def committed(self, result: WriteResult) -> None:
        """Count what the commit wrote (archive.Archive.commit's result)."""
        self.pages_written += sum(1 for p in result.written if is_page(p))
        self.pages_unchanged += result.unchanged

    def close(self, *, arxiv_requests: int, seconds: float, late_warnings: Iterable[str], count_similar: bool) -> None:
        """The closing figures: requests, time, the summaries' figures, the warnings known only at the end; every warning redacted."""
        self.arxiv_requests = arxiv_requests
        self.seconds = seconds
        if self.summaries is not None:
            self.extra.update(self.summaries.report_rows())
        if count_similar:
            self.extra["listed for their similarity"] = self.total("similar")
        self.warnings.extend(late_warnings)
        self.warnings[:] = [redact(w) for w in self.warnings]

    def worth_recording(self, staged_pages: int) -> bool:
        """A run is recorded when it wrote pages, or asked the LLM for anything."""
        stats = self.summaries
        return bool(self.pages_written or staged_pages or (stats is not None and stats.gate.requests))


def is_page(relpath: PurePosixPath) -> bool:
    """A paper or day page (not a run record or a cache under docs/data/)."""
    return relpath.parts[0] in ("papers", "days")


def run_record(report: RunReport, *, pages_written: int | None = None) -> RunRecord:
    """The stored form of a finished run's report."""
    written = [d for d in report.days if not d.kept_existing]
    return RunRecord(
        command=report.command,
        started=report.started.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=round(report.seconds, 1),
        days=tuple(d.isoformat() for d in sorted(report.changed_days)),
        caught_up=tuple(d.isoformat() for d in report.caught_up),
        pages_written=report.pages_written if pages_written is None else pages_written,
        arxiv_requests=report.arxiv_requests,
        papers={
            name: sum(getattr(d, name) for d in written)
            for name in ("fetched", "matched", "listed", "new", "updated", "summarized", "resummarized")
        },
        summaries=report.summaries.figures() if report.summaries is not None else None,
        warnings=tuple(redact(w) for w in report.warnings),
    )
