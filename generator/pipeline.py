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
from .errors import ArchiveError, FeedError, GeneratorError
from .fetch import ApiClient, enrich, fetch_feed, make_session, search_submitted
from .http import PoliteSession
from .interests import InterestCache, load_interests, write_cache
from .models import Announcement, Day, DayCounts, InterestPaper, Paper, Score, Summary
from .progress import Progress
from .redaction import redact
from .records import day_page, day_record, paper_page
from .runs import RunRecord
from .select import followed_authors, rank_key, score, select
from .summarize import Summarizer, SummaryStats, create_summarizer

log = logging.getLogger(__name__)

SummarizeStage = Callable[[list[Paper]], list[Paper]]
"""Takes the listed papers (best first) and returns them, summaries added where made."""

CATCH_UP_DAYS = 7
"""`update` also retries missing summaries of the announcement days this far back."""


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

    def total(self, name: str) -> int:
        return sum(getattr(day, name) for day in self.days)


@dataclass
class Pipeline:
    config: Config
    archive: Archive
    session: PoliteSession
    client: ApiClient
    progress: Progress
    summarizer: SummarizeStage | None = None
    report: RunReport = field(default_factory=lambda: RunReport("update"))
    interests: tuple[InterestPaper, ...] | None = None
    """The reader's interest papers, loaded once per run (None until then)."""
    new_interest_cache: InterestCache | None = None
    """Interest papers fetched this run, stored once the run has succeeded."""
    written_papers: dict[tuple[str, int], Paper] = field(default_factory=dict)
    """Paper versions on the days this run wrote (the night embeds those not cached yet)."""

    @classmethod
    def create(
        cls,
        config: Config,
        docs: Path,
        command: str,
        progress: Progress,
        summarizer: SummarizeStage | None = None,
        *,
        with_summaries: bool = False,
        model: str | None = None,
    ) -> Pipeline:
        """A pipeline; `with_summaries` builds the LLM summarizer from the config and the environment."""
        session = make_session(config)
        client = ApiClient(session, config.arxiv.api_url)
        report = RunReport(command)
        if summarizer is None and with_summaries:
            summarizer = create_summarizer(config, session, report.warnings.append, model=model, required=command == "resummarize")
        if isinstance(summarizer, Summarizer):
            report.summaries = summarizer.stats
        return cls(config, Archive(docs), session, client, progress, summarizer, report)

    # -- one day ------------------------------------------------------------

    def build_day(self, day: dt.date, announcements: Iterable[Announcement]) -> tuple[Day, dict[PurePosixPath, str], DayReport]:
        """Everything one announcement day changes in the archive, computed in memory."""
        announcements = list(announcements)
        existing = self.archive.read_papers(a.arxiv_id for a in announcements)
        selection = select(announcements, self.config, {i: p.announced for i, p in existing.items()}, day, self._interests())
        weight = self.config.interests.weight

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
                listed.append(replace(old, score=candidate.score, interest=candidate.interest))
            else:
                listed.append(Paper(enriched.get(ann.arxiv_id, ann), candidate.score, day, ann.announce_type, interest=candidate.interest))

        # Papers an earlier run listed on this day stay listed (a backfill guessed the
        # day from the submission time; the feed may disagree): pages never get orphaned.
        listed_ids = {p.arxiv_id for p in listed}
        stored = self.archive.read_day(day)
        previous = [i for i in (stored.papers if stored else ()) if i not in listed_ids]
        if previous:
            listed.extend(self.archive.read_papers(str(i) for i in previous).values())
            listed.sort(key=lambda p: rank_key(p.score, p.arxiv_id, p.interest, weight))

        if self.summarizer is not None and listed:
            with self.progress.task(f"Summarizing up to {min(len(listed), self.config.ai_summary.max_papers_to_summarize)} papers"):
                listed = self.summarizer(listed)

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

        counts = DayCounts(
            fetched=len(announcements),
            matched=selection.matched,
            listed=len(listed),
            summarized=sum(1 for p in listed if p.summary is not None),
        )
        record = Day(day, tuple(listed), counts, tuple(updated))
        pages: dict[PurePosixPath, str] = {}
        for paper in listed + updated:
            pages[paths.paper_path(paper.arxiv_id)] = paper_page(paper)
        pages[paths.day_path(day)] = day_page(day_record(record, note=stored.note if stored else ""))  # last: after the papers it lists
        day_report = DayReport(
            date=day,
            fetched=counts.fetched,
            matched=counts.matched,
            listed=counts.listed,
            new=len(fresh),
            updated=len(updated),
            already_archived=selection.skipped_archived,
            summarized=counts.summarized,
            similar=selection.listed_for_similarity,
        )
        return record, pages, day_report

    def _rescore(self, ann: Announcement) -> Score:
        """Score of a new version; an archived paper keeps its page even if it no longer matches."""
        value, matched = score(ann, self.config.keywords)
        return Score(value, matched, followed_authors(self.config, ann))

    def write_day(self, day: dt.date, announcements: Iterable[Announcement]) -> DayReport:
        record, pages, day_report = self.build_day(day, announcements)
        self._write(day, pages)
        self.report.days.append(day_report)
        for paper in record.papers + record.updated:
            self.written_papers[(paper.arxiv_id, paper.announcement.version)] = paper
        return day_report

    # -- interests and embeddings ------------------------------------------------

    def _interests(self) -> tuple[InterestPaper, ...]:
        """The interest papers (cache, or one API request when the configured list changed)."""
        if self.interests is None:
            self.interests = ()
            if self.config.interests.configured:
                with self.progress.task("Reading the interest papers"):
                    self.interests, self.new_interest_cache = load_interests(self.config, self.archive.docs, self.client, self._warn)
        return self.interests

    def _warn(self, message: str) -> None:
        """A warning for the run report (printed once at the end, stored in the run record)."""
        log.info("warning: %s", message)
        self.report.warnings.append(message)

    def _store_interests(self) -> None:
        """Write the interest papers fetched this run (at the end: a failed night changes nothing)."""
        if self.new_interest_cache is not None:
            write_cache(self.archive.docs, self.new_interest_cache)
            self.new_interest_cache = None

    def _embed_written(self) -> None:
        """Embed the paper versions this run wrote that the embedding cache lacks (related.embeddings)."""
        settings = self.config.related.embeddings
        if settings is None or not self.written_papers:
            return
        from .embeddings import EmbedText, embed_missing  # NumPy loads only for archives that configure embeddings

        papers = [EmbedText(p.arxiv_id, p.announcement.version, p.announcement.title, p.announcement.abstract) for p in self.written_papers.values()]
        with self.progress.task(f"Embedding up to {len(papers)} papers"):
            result = embed_missing(papers, settings, self.archive.docs, warn=self._warn)
        if result.requests:
            self.report.extra["embedding requests"] = result.requests
            self.report.extra["papers embedded"] = result.embedded

    def _write(self, day: dt.date, pages: dict[PurePosixPath, str]) -> None:
        result = self.archive.write(pages)
        self.report.pages_written += len(result.written)
        self.report.pages_unchanged += result.unchanged
        if result.written:
            self.report.changed_days.add(day)

    # -- commands -------------------------------------------------------------

    def update(self) -> RunReport:
        """The nightly job: today's feed, plus a backfill when the archive is new."""
        started = time.monotonic()
        self.archive.remove_stale_temp_files()
        self.archive.check_format()
        self._interests()  # a malformed BibTeX file stops the run here, before any other request
        with self.progress.task("Fetching the announcement feed"):
            feed = fetch_feed(self.session, self.config)
        if feed.date is None:
            raise FeedError(f"{self.config.arxiv.feed_url}: the feed has no date", fix="check ARXIV_FEED_URL points at rss.arxiv.org")
        if feed.skipped:
            examples = "; ".join(feed.skipped[:3]) + ("; …" if len(feed.skipped) > 3 else "")
            self.report.warnings.append(f"{len(feed.skipped)} feed items skipped as unreadable ({examples}); the rest of the day is archived")
        if self.config.days_back > 0 and not (self.archive.has_days() and self.archive.has_run_records()):
            # A new archive, or one whose first run was killed mid-backfill: the run record is
            # written last, so until one exists the backfill is (re)done; days already written
            # are kept as they are.
            since = feed.date - dt.timedelta(days=self.config.days_back)
            log.info("New archive: backfilling %s to %s first", since, feed.date - dt.timedelta(days=1))
            self.backfill(since, feed.date - dt.timedelta(days=1), record_time=False)
        stored = self.archive.read_day(feed.date)
        if not feed.announcements and stored is not None and stored.papers:
            # An empty feed must not erase a day that was already published.
            self.report.days.append(DayReport(feed.date, kept_existing=True))
        else:
            self.write_day(feed.date, feed.announcements)
        if isinstance(self.summarizer, Summarizer):
            # Papers whose summary failed on an earlier night get another chance.
            recent = self.archive.days(feed.date - dt.timedelta(days=CATCH_UP_DAYS), feed.date - dt.timedelta(days=1))
            written = {d.date for d in self.report.days if not d.kept_existing}
            self._redo_summaries([d for d in recent if d not in written], only_missing=True)
        self._store_interests()
        self._embed_written()
        return self._finish(started)

    def backfill(self, since: dt.date, until: dt.date, *, record_time: bool = True) -> RunReport:
        """Fill the days in [since, until] that the archive lacks, from the arXiv API."""
        started = time.monotonic()
        self.archive.remove_stale_temp_files()
        self.archive.check_format()
        self._interests()
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
            self._store_interests()
            self._embed_written()
            return self._finish(started)
        return self.report

    def resummarize(
        self,
        since: dt.date | None = None,
        until: dt.date | None = None,
        *,
        ids: Iterable[str] = (),
        force: bool = False,
        dry_run: bool = False,
    ) -> RunReport:
        """Redo the summaries of archived days whose cache key is out of date, or missing.

        A listed paper is redone when it is among its day's top `max_papers_to_summarize`
        or already has a summary, and its summary is missing or was made from another
        paper version, model or prompt (every one with `force`). `ids` limits the run to
        those papers, whatever their rank. Safe to rerun: a second run finds nothing to do.
        """
        started = time.monotonic()
        if not isinstance(self.summarizer, Summarizer):
            raise GeneratorError("resummarize needs the LLM summarizer", fix="build the pipeline with with_summaries=True")
        self.archive.remove_stale_temp_files()
        self.archive.check_format()
        days = self.archive.days(since, until)
        if not days:
            raise GeneratorError(f"no archived day between {since or 'the first day'} and {until or 'the last day'}", fix="check --since/--until against docs/days/")
        self._redo_summaries(days, only_missing=False, ids=set(ids), force=force, dry_run=dry_run)
        return self._finish(started, record=not dry_run)

    # -- summaries of archived days ---------------------------------------------

    def _redo_summaries(
        self, days: list[dt.date], *, only_missing: bool, ids: set[str] | None = None, force: bool = False, dry_run: bool = False
    ) -> None:
        """Summarize the chosen papers of these archived days and rewrite the pages that change."""
        summarizer = self.summarizer
        assert isinstance(summarizer, Summarizer)
        top = self.config.ai_summary.max_papers_to_summarize
        plan: dict[dt.date, tuple[list[Paper], list[Paper]]] = {}  # day -> (listed papers, papers to summarize)
        stale: dict[dt.date, list[Paper]] = {}  # days whose page miscounts its summaries
        only = set(ids or ())
        wanted = set(only)  # ids not found yet
        for day in sorted(days, reverse=True):  # newest first: they matter most if the budget runs out
            stored = self.archive.read_day(day)
            ranked = list(stored.papers) if stored else []
            found = self.archive.read_papers(ranked)
            missing_pages = [i for i in ranked if i not in found]
            if missing_pages:
                raise ArchiveError(
                    f"{paths.day_path(day)} lists {missing_pages[0]} but {paths.paper_path(missing_pages[0])} is missing",
                    fix="restore it with `git checkout -- docs/` or rerun the day with `update`/`backfill`",
                )
            listed = [found[i] for i in ranked]
            counted = stored.counts.summarized if stored else None
            if counted != sum(1 for p in listed if p.summary is not None):
                # A run killed between a paper page and its day page: the paper has its
                # summary, the day page does not count or mark it yet.
                stale[day] = listed
            chosen = []
            current = 0
            for rank, paper in enumerate(listed):
                if only:
                    if paper.arxiv_id not in only:
                        continue
                elif not (rank < top or paper.summary is not None):
                    continue
                if only_missing:
                    needed = paper.summary is None and rank < top
                else:
                    needed = force or not summarizer.is_current(paper)
                if needed:
                    chosen.append(paper)
                elif paper.summary is not None:
                    current += 1
            summarizer.stats.add(cache_hits=current)
            if chosen:
                plan[day] = (listed, chosen)
            wanted_seen = wanted & set(ranked)
            wanted -= wanted_seen
        if wanted:
            self.report.warnings.append(f"not listed on any archived day in the range, so not summarized: {', '.join(sorted(wanted))}")
        if dry_run:
            for day, (_, chosen) in plan.items():
                for paper in chosen:
                    self.report.notes.append(f"{day} {paper.arxiv_id}v{paper.announcement.version}: {_why(paper, summarizer)}")
            self.report.notes.append(f"dry run: {sum(len(c) for _, c in plan.values())} summaries would be requested; nothing was sent or written")
            return
        todo = [paper for _, chosen in plan.values() for paper in chosen]
        made: dict[str, Summary] = {}
        if todo:
            with self.progress.task(f"Summarizing {len(todo)} papers of {len(plan)} archived days"):
                made = summarizer.summarize(todo)
        for day in sorted(set(plan) | set(stale)):
            listed, chosen = plan.get(day, (stale.get(day, []), []))
            if any(p.arxiv_id in made for p in chosen) or day in stale:
                self._rewrite_day_summaries(day, listed, made, recount=day in stale)

    def _rewrite_day_summaries(self, day: dt.date, listed: list[Paper], made: dict[str, Summary], *, recount: bool = False) -> None:
        new = [replace(p, summary=made[p.arxiv_id]) if p.arxiv_id in made else p for p in listed]
        pages: dict[PurePosixPath, str] = {paths.paper_path(p.arxiv_id): paper_page(p) for p in new if p.arxiv_id in made}
        stored = self.archive.read_day(day)
        summarized = sum(1 for p in new if p.summary is not None)
        if stored is not None and (recount or summarized != stored.counts.summarized):
            # The day page counts its summarized papers; it changes only when that count does.
            counts = replace(stored.counts, listed=len(new), summarized=summarized)
            pages[paths.day_path(day)] = day_page(replace(stored, counts=counts))
        self._write(day, pages)
        self.report.days.append(DayReport(day, resummarized=sum(1 for p in listed if p.arxiv_id in made)))

    # -- the end of a command ----------------------------------------------------

    def _finish(self, started: float, *, record: bool = True) -> RunReport:
        """Close the report and store the run record when the run did anything."""
        report = self.report
        report.arxiv_requests = self.session.requests_made
        report.seconds = time.monotonic() - started
        stats = report.summaries
        if stats is not None:
            report.extra.update(stats.report_rows())
        if self.config.interests.configured and report.command in ("update", "backfill"):
            report.extra["listed for their similarity"] = report.total("similar")
        report.warnings[:] = [redact(w) for w in report.warnings]
        if record and (report.pages_written or (stats is not None and stats.gate.requests)):
            self.archive.append_run_record(run_record(report))
        return report


def _why(paper: Paper, summarizer: Summarizer) -> str:
    summary = paper.summary
    if summary is None:
        return "no summary yet"
    reasons = []
    if summary.version != paper.announcement.version:
        reasons.append(f"summary is of v{summary.version}")
    if summary.model != summarizer.model:
        reasons.append(f"model {summary.model} -> {summarizer.model}")
    if summary.prompt_sha256 != summarizer.prompt.sha256:
        reasons.append("prompt changed")
    return ", ".join(reasons) or "forced"


def run_record(report: RunReport) -> RunRecord:
    """The stored form of a finished run's report."""
    written = [d for d in report.days if not d.kept_existing]
    return RunRecord(
        command=report.command,
        started=report.started.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=round(report.seconds, 1),
        days=tuple(d.isoformat() for d in sorted(report.changed_days)),
        pages_written=report.pages_written,
        arxiv_requests=report.arxiv_requests,
        papers={name: sum(getattr(d, name) for d in written) for name in ("fetched", "matched", "listed", "new", "updated", "summarized", "resummarized")},
        summaries=report.summaries.figures() if report.summaries is not None else None,
        warnings=tuple(redact(w) for w in report.warnings),
    )
