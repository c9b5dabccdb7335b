"""The nightly job and the backfill, stage by stage: fetch → select → enrich → summarize → write.

Each command computes whole days in memory and hands them to the archive writer
at the end, papers first and the day page last, so a day page never lists a
paper whose page does not exist and a failure before the write leaves docs/
exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import arxiv

from . import paths
from .archive import Archive
from .config import Config
from .errors import FeedError
from .fetch import ApiClient, enrich, fetch_feed, make_session, search_submitted
from .http import PoliteSession
from .models import Announcement, Day, DayCounts, Paper, Score
from .progress import Progress
from .render import render_day, render_paper
from .select import followed_authors, rank_key, score, select

log = logging.getLogger(__name__)

Summarizer = Callable[[list[Paper]], list[Paper]]
"""Takes the listed papers (best first) and returns them, summaries added where made."""


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

    def total(self, name: str) -> int:
        return sum(getattr(day, name) for day in self.days)


@dataclass
class Pipeline:
    config: Config
    archive: Archive
    session: PoliteSession
    client: ApiClient
    progress: Progress
    summarizer: Summarizer | None = None
    report: RunReport = field(default_factory=lambda: RunReport("update"))

    @classmethod
    def create(cls, config: Config, docs: Path, command: str, progress: Progress, summarizer: Summarizer | None = None) -> Pipeline:
        session = make_session(config)
        client = ApiClient(session, config.arxiv.api_url)
        return cls(config, Archive(docs), session, client, progress, summarizer, RunReport(command))

    # -- one day ------------------------------------------------------------

    def build_day(self, day: dt.date, announcements: Iterable[Announcement]) -> tuple[Day, dict[PurePosixPath, str], DayReport]:
        """Everything one announcement day changes in the archive, computed in memory."""
        announcements = list(announcements)
        existing = self.archive.read_papers(a.arxiv_id for a in announcements)
        selection = select(announcements, self.config, {i: p.announced for i, p in existing.items()}, day)

        # Only papers the archive does not hold yet, and new versions, need the API.
        fresh = [c.announcement for c in selection.listed if c.announcement.arxiv_id not in existing]
        to_enrich = fresh + [a for a in selection.replacements if a.version > existing[a.arxiv_id].announcement.version]
        enriched: dict[str, Announcement] = {}
        if to_enrich:
            with self.progress.task(f"Enriching {len(to_enrich)} papers from the arXiv API"):
                result, warning = enrich(self.client, to_enrich)
            enriched = {a.arxiv_id: a for a in result}
            if warning:
                self.report.warnings.append(warning)

        listed: list[Paper] = []
        for candidate in selection.listed:
            ann = candidate.announcement
            old = existing.get(ann.arxiv_id)
            if old is not None and old.announcement.version >= ann.version:
                # A rerun of this day: keep the stored record (enriched, maybe summarized).
                listed.append(replace(old, score=candidate.score))
            else:
                listed.append(Paper(enriched.get(ann.arxiv_id, ann), candidate.score, day, ann.announce_type))

        # Papers an earlier run listed on this day stay listed (a backfill guessed the
        # day from the submission time; the feed may disagree): pages never get orphaned.
        listed_ids = {p.arxiv_id for p in listed}
        previous = [i for i in (self.archive.day_meta(day) or {}).get("papers") or () if str(i) not in listed_ids]
        if previous:
            listed.extend(self.archive.read_papers(str(i) for i in previous).values())
            listed.sort(key=lambda p: rank_key(p.score, p.arxiv_id))

        if self.summarizer is not None and listed:
            listed = self.summarizer(listed)

        updated: list[Paper] = []
        for ann in selection.replacements:
            old = existing[ann.arxiv_id]
            if ann.version <= old.announcement.version:
                continue  # this version is already on the page
            new_ann = enriched.get(ann.arxiv_id, ann)
            updated.append(replace(old, announcement=new_ann, score=self._rescore(new_ann), updated=day))

        counts = DayCounts(
            fetched=len(announcements),
            matched=selection.matched,
            listed=len(listed),
            summarized=sum(1 for p in listed if p.summary is not None),
        )
        record = Day(day, tuple(listed), counts, tuple(updated))
        pages: dict[PurePosixPath, str] = {}
        for paper in listed + updated:
            pages[paths.paper_path(paper.arxiv_id)] = render_paper(paper)
        pages[paths.day_path(day)] = render_day(record)  # last: after the papers it lists
        day_report = DayReport(
            date=day,
            fetched=counts.fetched,
            matched=counts.matched,
            listed=counts.listed,
            new=len(fresh),
            updated=len(updated),
            already_archived=selection.skipped_archived,
            summarized=counts.summarized,
        )
        return record, pages, day_report

    def _rescore(self, ann: Announcement) -> Score:
        """Score of a new version; an archived paper keeps its page even if it no longer matches."""
        value, matched = score(ann, self.config.keywords)
        return Score(value, matched, followed_authors(self.config, ann))

    def write_day(self, day: dt.date, announcements: Iterable[Announcement]) -> DayReport:
        _, pages, day_report = self.build_day(day, announcements)
        result = self.archive.write(pages)
        self.report.pages_written += len(result.written)
        self.report.pages_unchanged += result.unchanged
        self.report.days.append(day_report)
        return day_report

    # -- commands -------------------------------------------------------------

    def update(self) -> RunReport:
        """The nightly job: today's feed, plus a backfill when the archive is new."""
        started = time.monotonic()
        self.archive.remove_stale_temp_files()
        with self.progress.task("Fetching the announcement feed"):
            feed = fetch_feed(self.session, self.config)
        if feed.date is None:
            raise FeedError(f"{self.config.arxiv.feed_url}: the feed has no date", fix="check ARXIV_FEED_URL points at rss.arxiv.org")
        if not self.archive.has_days() and self.config.days_back > 0:
            since = feed.date - dt.timedelta(days=self.config.days_back)
            log.info("Empty archive: backfilling %s to %s first", since, feed.date - dt.timedelta(days=1))
            self.backfill(since, feed.date - dt.timedelta(days=1), record_time=False)
        if not feed.announcements and (self.archive.day_meta(feed.date) or {}).get("papers"):
            # An empty feed must not erase a day that was already published.
            self.report.days.append(DayReport(feed.date, kept_existing=True))
        else:
            self.write_day(feed.date, feed.announcements)
        self.report.arxiv_requests = self.session.requests_made
        self.report.seconds = time.monotonic() - started
        return self.report

    def backfill(self, since: dt.date, until: dt.date, *, record_time: bool = True) -> RunReport:
        """Fill the days in [since, until] that the archive lacks, from the arXiv API."""
        started = time.monotonic()
        self.archive.remove_stale_temp_files()
        by_day: dict[dt.date, dict[str, Announcement]] = {}
        for category in self.progress.iterate(self.config.categories, f"Backfilling {since} to {until}"):
            try:
                for ann in search_submitted(self.client, self.config, category, since, until):
                    kept = by_day.setdefault(ann.announced, {}).get(ann.arxiv_id)
                    if kept is None or (kept.announce_type == "cross" and ann.announce_type == "new"):
                        by_day[ann.announced][ann.arxiv_id] = ann
            except arxiv.UnexpectedEmptyPageError as exc:
                warning = f"arXiv API returned empty pages for {category} ({exc.url}); its backfill may be incomplete, rerun later"
                log.warning(warning)
                self.report.warnings.append(warning)
        for day in sorted(by_day):
            if self.archive.day_exists(day):
                self.report.days.append(DayReport(day, kept_existing=True))
                continue
            self.write_day(day, by_day[day].values())
        if record_time:
            self.report.arxiv_requests = self.session.requests_made
            self.report.seconds = time.monotonic() - started
        return self.report
