"""One announcement day: computed in memory, then staged in the run's transaction.

`DayBuilder.build` takes a day's announcements (from the feed, or from the API for a day
caught up or backfilled) and computes everything the day changes in the archive, in this
order:

1. the announcements within `limits` (at most announcements_per_day, fields cut);
2. selection (generator.ranking.selection: keywords, interest similarity, dedupe, cap)
   against the papers the archive already holds;
3. enrichment from the arXiv API of the papers new to the archive and of new versions;
4. the listed papers, with those an earlier run listed on this day (never orphaned);
5. summaries (the summarize stage, when summaries are on);
6. new versions of archived papers (their pages updated, not listed again);
7. the pages: each paper's, then the day page that lists them.

`stage` hands those pages to the open transaction; the command commits it
(generator.night.pipeline). Nothing here writes a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from generator.archive import paths
from generator.archive.models import Announcement, Day, DayCounts, InterestPaper, Paper, Score
from generator.archive.records import day_page, day_record, paper_page
from generator.archive.store import Archive
from generator.arxiv.api import ApiClient, enrich
from generator.arxiv.limits import CeilingHits
from generator.config import Config
from generator.night.progress import Progress
from generator.night.report import DayReport, RunReport
from generator.ranking.selection import Selection, followed_authors, rank_key, score, select

SummarizeStage = Callable[[list[Paper]], list[Paper]]
"""Takes the listed papers (best first) and returns them, summaries added where made."""


@dataclass
class DayBuilder:
    """Computes announcement days and stages their pages, for one run."""

    config: Config
    archive: Archive
    client: ApiClient
    progress: Progress
    report: RunReport
    ceilings: CeilingHits
    interests: Callable[[], tuple[InterestPaper, ...]]
    """The reader's interest papers (loaded once per run, on first use)."""
    summarizer: SummarizeStage | None = None
    written_papers: dict[tuple[str, int], Paper] = field(default_factory=dict)
    """Paper versions on the days this run wrote (the night embeds those not cached yet)."""

    def build(
        self, day: dt.date, announcements: Iterable[Announcement], *, source: str | None = None
    ) -> tuple[Day, dict[PurePosixPath, str], DayReport]:
        """Everything one announcement day changes in the archive, computed in memory."""
        announcements = self._within_ceilings(day, list(announcements))
        existing = self.archive.read_papers(a.arxiv_id for a in announcements)
        selection = select(announcements, self.config, {i: p.announced for i, p in existing.items()}, day, self.interests())

        # Only papers the archive does not hold yet, and new versions, need the API.
        fresh = [c.announcement for c in selection.listed if c.announcement.arxiv_id not in existing]
        to_enrich = fresh + [a for a in selection.replacements if a.version > existing[a.arxiv_id].announcement.version]
        enriched = self._enrich(to_enrich)

        listed = self._listed(day, selection, existing, enriched)
        # Papers an earlier run listed on this day stay listed (a backfill guessed the
        # day from the submission time; the feed may disagree): pages never get orphaned.
        listed_ids = {p.arxiv_id for p in listed}
        stored = self.archive.read_day(day)
        previous = [i for i in (stored.papers if stored else ()) if i not in listed_ids]
        kept = list(self.archive.read_papers(previous).values()) if previous else []
        if kept:
            listed.extend(kept)
            listed.sort(key=lambda p: rank_key(p.score, p.arxiv_id, p.interest, self.config.interests.weight))

        listed = self._summarize(listed)
        updated = self._new_versions(day, selection, existing, enriched)

        announced_ids = {a.arxiv_id for a in announcements}
        not_announced = sum(1 for p in kept if p.arxiv_id not in announced_ids)
        counts = merged_counts(
            stored.counts if stored else None,
            fetched=len(announcements) + not_announced,
            matched=selection.matched + not_announced,
            listed=listed,
        )
        if source == "api" and stored is not None and stored.source != "api":
            source = None  # the feed covered this day already: it is not a day "from the API"
        record = Day(day, tuple(listed), counts, tuple(updated), source)
        pages: dict[PurePosixPath, str] = {}
        for paper in listed + updated:
            pages[paths.paper_path(paper.arxiv_id)] = paper_page(paper)
        note = stored.note if stored else ""
        pages[paths.day_path(day)] = day_page(day_record(record, note=note))  # last: after the papers it lists
        day_report = DayReport(
            date=day,
            fetched=counts.fetched,
            matched=counts.matched,
            listed=counts.listed,
            new=len(fresh),
            updated=len(updated),
            already_archived=selection.skipped_archived,
            summarized=counts.summarized,
            source=source,
            similar=selection.listed_for_similarity,
        )
        return record, pages, day_report

    def stage(self, day: dt.date, announcements: Iterable[Announcement], *, source: str | None = None) -> DayReport:
        """Compute one day and stage its pages in the run's transaction (committed at the end)."""
        record, pages, day_report = self.build(day, announcements, source=source)
        stage_pages(self.archive, self.report, day, pages)
        self.report.days.append(day_report)
        for paper in record.papers + record.updated:
            self.written_papers[(paper.arxiv_id, paper.announcement.version)] = paper
        return day_report

    # -- the steps of a day -----------------------------------------------------------------

    def _within_ceilings(self, day: dt.date, announcements: list[Announcement]) -> list[Announcement]:
        """The day's announcements within `limits`: at most announcements_per_day, fields cut."""
        cap = self.config.limits.announcements_per_day
        if len(announcements) > cap:
            self.ceilings.add("announcements_per_day", f"{day}: {len(announcements):,} announced")
            announcements = announcements[:cap]
        return [self.ceilings.clip(a) for a in announcements]

    def _enrich(self, announcements: list[Announcement]) -> dict[str, Announcement]:
        """What the arXiv API adds to these announcements, by id (a failed API is a warning: the feed's data is kept)."""
        if not announcements:
            return {}
        with self.progress.task(f"Enriching {len(announcements)} papers from the arXiv API"):
            result, warning = enrich(self.client, announcements)
        if warning:
            self.report.warnings.append(warning)
        return {a.arxiv_id: self.ceilings.clip(a) for a in result}

    def _listed(self, day: dt.date, selection: Selection, existing: dict[str, Paper], enriched: dict[str, Announcement]) -> list[Paper]:
        """The day's listed papers, best first: new ones as enriched, archived ones as stored."""
        listed: list[Paper] = []
        for candidate in selection.listed:
            ann = candidate.announcement
            old = existing.get(ann.arxiv_id)
            if old is not None and old.announcement.version >= ann.version:
                # A rerun of this day: keep the stored record (enriched, maybe summarized).
                listed.append(replace(old, score=candidate.score, interest=candidate.interest))
            else:
                new = enriched.get(ann.arxiv_id, ann)
                listed.append(Paper(new, candidate.score, day, ann.announce_type, interest=candidate.interest))
        return listed

    def _summarize(self, listed: list[Paper]) -> list[Paper]:
        if self.summarizer is None or not listed:
            return listed
        with self.progress.task(f"Summarizing up to {min(len(listed), self.config.ai_summary.max_papers_to_summarize)} papers"):
            return self.summarizer(listed)

    def _new_versions(
        self, day: dt.date, selection: Selection, existing: dict[str, Paper], enriched: dict[str, Announcement]
    ) -> list[Paper]:
        """Archived papers with a new version announced today: their pages change, they are not listed again."""
        updated: list[Paper] = []
        for ann in selection.replacements:
            old = existing[ann.arxiv_id]
            if ann.version <= old.announcement.version:
                if ann.version == old.announcement.version and old.updated == day:
                    # This day's own update, written by an earlier run of the day (maybe one killed
                    # before the day page): the day page still lists it.
                    updated.append(old)
                continue  # this version is already on the page
            new_ann = enriched.get(ann.arxiv_id, ann)
            updated.append(replace(old, announcement=new_ann, score=self._rescore(new_ann), updated=day))
        return updated

    def _rescore(self, ann: Announcement) -> Score:
        """Score of a new version; an archived paper keeps its page even if it no longer matches."""
        value, matched = score(ann, self.config.keywords)
        return Score(value, matched, followed_authors(self.config, ann))


def stage_pages(archive: Archive, report: RunReport, day: dt.date, pages: dict[PurePosixPath, str]) -> None:
    """Stage one day's pages in the run's transaction and count what they change."""
    report.staged(day, archive.stage(pages))


def merged_counts(before: DayCounts | None, *, fetched: int, matched: int, listed: list[Paper]) -> DayCounts:
    """A day's counts that describe its list: listed ≤ matched ≤ fetched, never below an earlier run's.

    A day written by several runs (a backfill from the API, then the feed; a rerun)
    lists the union of their papers; its counts are at least each run's, and at least
    what the listed papers themselves account for.
    """

    earlier = before or DayCounts()
    n_listed = len(listed)
    n_matched = max(matched, earlier.matched, n_listed)
    return DayCounts(
        fetched=max(fetched, earlier.fetched, n_matched),
        matched=n_matched,
        listed=n_listed,
        summarized=sum(1 for p in listed if p.summary is not None),
    )
