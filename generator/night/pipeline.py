"""The nightly job and the backfill, stage by stage: fetch → select → enrich → summarize → write.

Each command stages every page it will write in the archive's open transaction
(papers first, the day page last, so a day page never lists a paper whose page
does not exist) and commits them together at the end: `update` is one
transaction (the days it catches up, today's feed, the summaries it retries,
its run record), `backfill` one per day. A failure before the commit leaves
docs/ exactly as it was; a kill during it is completed or undone by the next run.

`update` first fills the announcement days a failed or skipped night left out
(arXiv's calendar in schedule.py, up to `catch_up_days` back) from the API, then
archives today's feed.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import arxiv

from generator.archive import paths
from generator.archive.models import Announcement, Day, DayCounts, InterestPaper, Paper, Score, Summary
from generator.archive.records import day_page, day_record, paper_page
from generator.archive.runs import RunRecord
from generator.archive.store import Archive
from generator.arxiv.api import ApiClient, enrich, fetch_feed, make_session, search_submitted
from generator.arxiv.limits import CeilingHits
from generator.arxiv.schedule import announcement_days
from generator.config import Config
from generator.errors import ArchiveError, FeedError, FetchError, GeneratorError
from generator.night.progress import Progress
from generator.ranking.interests import InterestCache, cache_file, dump_cache, load_interests
from generator.ranking.selection import followed_authors, rank_key, score, select
from generator.redaction import redact
from generator.summaries.summarize import Summarizer, SummaryStats, create_summarizer
from generator.web import PoliteSession

log = logging.getLogger(__name__)

SummarizeStage = Callable[[list[Paper]], list[Paper]]
"""Takes the listed papers (best first) and returns them, summaries added where made."""

CATCH_UP_DAYS = 7
"""`update` also retries missing summaries of the announcement days this far back."""
SCHEDULE_GAP = 3
"""Announcement days missed in a row from which the report suspects a stopped schedule, not arXiv."""
SCHEDULE_HINT = (
    "if the nightly workflow did not run: GitHub disables scheduled workflows after 60 days without "
    "repository activity, and in a new fork until its workflows are enabled in the Actions tab "
    "(Actions → nightly → Enable workflow)"
)


class CatchUpIncomplete(GeneratorError):
    """The API could not say for sure what a missed day announced (a category's results failed)."""


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


@dataclass
class Pipeline:
    config: Config
    archive: Archive
    session: PoliteSession
    client: ApiClient
    progress: Progress
    summarizer: SummarizeStage | None = None
    report: RunReport = field(default_factory=lambda: RunReport("update"))
    ceilings: CeilingHits | None = None
    """Input ceilings hit during the run (one warning per key at the end)."""
    interests: tuple[InterestPaper, ...] | None = None
    """The reader's interest papers, loaded once per run (None until then)."""
    new_interest_cache: InterestCache | None = None
    """Interest papers fetched this run, stored with the run's commit."""
    written_papers: dict[tuple[str, int], Paper] = field(default_factory=dict)
    """Paper versions on the days this run wrote (the night embeds those not cached yet)."""

    def __post_init__(self) -> None:
        if self.ceilings is None:
            self.ceilings = CeilingHits(self.config.limits)

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
        client = ApiClient(session, config.arxiv.api_url, max_bytes=config.limits.api_bytes)
        report = RunReport(command)
        if summarizer is None and with_summaries:
            summarizer = create_summarizer(config, session, report.warnings.append, model=model, required=command == "resummarize")
        if isinstance(summarizer, Summarizer):
            report.summaries = summarizer.stats
        return cls(config, Archive(docs), session, client, progress, summarizer, report)

    # -- one day ------------------------------------------------------------

    def build_day(
        self, day: dt.date, announcements: Iterable[Announcement], *, source: str | None = None
    ) -> tuple[Day, dict[PurePosixPath, str], DayReport]:
        """Everything one announcement day changes in the archive, computed in memory."""
        announcements = self._within_ceilings(day, list(announcements))
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
            enriched = {a.arxiv_id: self._clip(a) for a in result}
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
        kept = list(self.archive.read_papers(previous).values()) if previous else []
        if kept:
            listed.extend(kept)
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

        announced_ids = {a.arxiv_id for a in announcements}
        counts = merged_counts(
            stored.counts if stored else None,
            fetched=len(announcements) + sum(1 for p in kept if p.arxiv_id not in announced_ids),
            matched=selection.matched + sum(1 for p in kept if p.arxiv_id not in announced_ids),
            listed=listed,
        )
        if source == "api" and stored is not None and stored.source != "api":
            source = None  # the feed covered this day already: it is not a day "from the API"
        record = Day(day, tuple(listed), counts, tuple(updated), source)
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
            source=source,
            similar=selection.listed_for_similarity,
        )
        return record, pages, day_report

    def _within_ceilings(self, day: dt.date, announcements: list[Announcement]) -> list[Announcement]:
        """The day's announcements within `limits`: at most announcements_per_day, fields cut."""
        cap = self.config.limits.announcements_per_day
        if len(announcements) > cap:
            self._ceilings.add("announcements_per_day", f"{day}: {len(announcements):,} announced")
            announcements = announcements[:cap]
        return [self._clip(a) for a in announcements]

    def _clip(self, ann: Announcement) -> Announcement:
        return self._ceilings.clip(ann)

    @property
    def _ceilings(self) -> CeilingHits:
        assert self.ceilings is not None
        return self.ceilings

    def _rescore(self, ann: Announcement) -> Score:
        """Score of a new version; an archived paper keeps its page even if it no longer matches."""
        value, matched = score(ann, self.config.keywords)
        return Score(value, matched, followed_authors(self.config, ann))

    def stage_day(self, day: dt.date, announcements: Iterable[Announcement], *, source: str | None = None) -> DayReport:
        """Compute one day and stage its pages in the run's transaction (committed at the end)."""
        record, pages, day_report = self.build_day(day, announcements, source=source)
        self._stage(day, pages)
        self.report.days.append(day_report)
        for paper in record.papers + record.updated:
            self.written_papers[(paper.arxiv_id, paper.announcement.version)] = paper
        return day_report

    def _stage(self, day: dt.date, pages: dict[PurePosixPath, str]) -> None:
        result = self.archive.stage(pages)
        self.report.pages_unchanged += result.unchanged
        if result.written:
            self.report.changed_days.add(day)

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
        """Stage the interest papers fetched this run: they are committed with the night (a failed night changes nothing)."""
        if self.new_interest_cache is not None:
            relpath = PurePosixPath(cache_file(self.archive.docs).relative_to(self.archive.docs).as_posix())
            self.archive.stage({relpath: dump_cache(self.new_interest_cache)})
            self.new_interest_cache = None

    def _embed_written(self) -> None:
        """Embed the paper versions this run wrote that the embedding cache lacks (related.embeddings).

        After the commit: the vectors are a cache of committed pages, so a failure here costs
        only the cache (the `embed` command fills it), never the night.
        """
        settings = self.config.related.embeddings
        if settings is None or not self.written_papers:
            return
        from generator.ranking.embeddings import EmbedText, embed_missing  # NumPy loads only for archives that configure embeddings

        papers = [
            EmbedText(p.arxiv_id, p.announcement.version, p.announcement.title, p.announcement.abstract)
            for p in self.written_papers.values()
        ]
        with self.progress.task(f"Embedding up to {len(papers)} papers"):
            result = embed_missing(papers, settings, self.archive.docs, warn=self._warn)
        if result.requests:
            self.report.extra["embedding requests"] = result.requests
            self.report.extra["papers embedded"] = result.embedded

    # -- commands -------------------------------------------------------------

    def update(self) -> RunReport:
        """The nightly job: the days missed since the last night, then today's feed; one transaction."""
        started = time.monotonic()
        self._recover()
        self.archive.check_format()
        self._interests()  # a malformed BibTeX file stops the run here, before any other request
        with self.progress.task("Fetching the announcement feed"):
            feed = fetch_feed(self.session, self.config)
        if feed.date is None:
            raise FeedError(f"{self.config.arxiv.feed_url}: the feed has no date", fix="check ARXIV_FEED_URL points at rss.arxiv.org")
        if feed.skipped:
            examples = "; ".join(feed.skipped[:3]) + ("; …" if len(feed.skipped) > 3 else "")
            self.report.warnings.append(
                f"{len(feed.skipped)} feed items skipped as unreadable ({examples}); the rest of the day is archived"
            )
        if self.config.days_back > 0 and not (self.archive.has_days() and self.archive.has_run_records()):
            # A new archive, or one whose first night never committed: the days_back
            # backfill, in this night's transaction. Days already archived are kept.
            since = feed.date - dt.timedelta(days=self.config.days_back)
            log.info("New archive: backfilling %s to %s first", since, feed.date - dt.timedelta(days=1))
            self._stage_api_days(since, feed.date - dt.timedelta(days=1))
        else:
            self._catch_up(feed.date)  # (a backfill just asked the API about those days)
        stored = self.archive.read_day(feed.date)
        if not feed.announcements and stored is not None and stored.papers:
            # An empty feed must not erase a day that was already published.
            self.report.days.append(DayReport(feed.date, kept_existing=True))
        else:
            self.stage_day(feed.date, feed.announcements)
        if isinstance(self.summarizer, Summarizer):
            # Papers whose summary failed on an earlier night get another chance.
            recent = self.archive.days(feed.date - dt.timedelta(days=CATCH_UP_DAYS), feed.date - dt.timedelta(days=1))
            written = {d.date for d in self.report.days if not d.kept_existing}
            self._redo_summaries([d for d in recent if d not in written], only_missing=True)
        self._store_interests()
        report = self._finish(started)
        self._embed_written()
        return report

    def backfill(self, since: dt.date, until: dt.date) -> RunReport:
        """Fill the days in [since, until] that the archive lacks, from the arXiv API; one transaction per day."""
        started = time.monotonic()
        self._recover()
        self.archive.check_format()
        self._interests()
        self._stage_api_days(since, until, commit_each=True)
        self._store_interests()
        report = self._finish(started)
        self._embed_written()
        return report

    def _stage_api_days(self, since: dt.date, until: dt.date, *, commit_each: bool = False) -> None:
        """The days in [since, until] the API shows announcements for and the archive lacks."""
        by_day, incomplete = self._search_days(since, until)
        for category, exc in incomplete:
            warning = f"arXiv API returned empty pages for {category} ({exc}); its backfill may be incomplete, rerun later"
            log.warning(warning)
            self.report.warnings.append(warning)
        for day in sorted(by_day):
            if self.archive.day_exists(day):
                self.report.days.append(DayReport(day, kept_existing=True))
                continue
            self.stage_day(day, by_day[day].values(), source="api")
            if commit_each:
                self._commit()

    def _search_days(self, since: dt.date, until: dt.date) -> tuple[dict[dt.date, dict[str, Announcement]], list[tuple[str, str]]]:
        """Announcements of [since, until] by day from the API (all categories), and the categories whose results broke off."""
        by_day: dict[dt.date, dict[str, Announcement]] = {}
        incomplete: list[tuple[str, str]] = []
        for category in self.progress.iterate(self.config.categories, f"Searching the arXiv API, {since} to {until}"):
            try:
                for ann in search_submitted(self.client, self.config, category, since, until):
                    kept = by_day.setdefault(ann.announced, {}).get(ann.arxiv_id)
                    if kept is None or (kept.announce_type == "cross" and ann.announce_type == "new"):
                        by_day[ann.announced][ann.arxiv_id] = ann
            except arxiv.UnexpectedEmptyPageError as exc:
                incomplete.append((category, exc.url))
        return by_day, incomplete

    def _catch_up(self, today: dt.date) -> None:
        """Fill from the API the announcement days before `today` that no night archived (up to catch_up_days back)."""
        archived = self.archive.days(until=today - dt.timedelta(days=1))
        if not archived or self.config.catch_up_days <= 0:
            return  # a new archive: days_back decides what comes before its first day
        last = archived[-1]
        window = today - dt.timedelta(days=self.config.catch_up_days)
        have = set(archived)
        missed = announcement_days(last + dt.timedelta(days=1), today - dt.timedelta(days=1))
        beyond = [d for d in missed if d < window]
        missing = [d for d in announcement_days(max(archived[0], window), today - dt.timedelta(days=1)) if d not in have]
        if len(missed) >= SCHEDULE_GAP:
            self.report.warnings.append(
                f"{len(missed)} announcement days passed since the last archived day ({last}) without a successful night; {SCHEDULE_HINT}"
            )
        if beyond:
            self.report.warnings.append(
                f"{len(beyond)} missed announcement days ({beyond[0]} to {beyond[-1]}) are older than catch_up_days ({self.config.catch_up_days}) "
                f"and were not filled; fill them with `python -m generator backfill --since {beyond[0]} --until {beyond[-1]}` "
                "(or Actions → nightly → Run workflow with that backfill date)"
            )
        if not missing:
            return
        try:
            with self.progress.task(f"Catching up {len(missing)} missed announcement days from the arXiv API"):
                by_day, incomplete = self._search_days(missing[0], missing[-1])
            if incomplete:
                category, url = incomplete[0]
                raise CatchUpIncomplete(f"the API's results for {category} broke off ({url})")
        except (FetchError, arxiv.ArxivError, CatchUpIncomplete) as exc:
            # Without a complete answer an empty day cannot be told from a failed one: retry tomorrow.
            self.report.warnings.append(
                f"catch-up of {len(missing)} missed announcement days ({', '.join(map(str, missing))}) skipped: {exc}; the next run tries again"
            )
            return
        for day in missing:
            self.stage_day(day, by_day.get(day, {}).values(), source="api")
        self.report.caught_up = list(missing)
        empty = [d for d in missing if not by_day.get(d)]
        self.report.warnings.append(
            f"caught up {len(missing)} missed announcement days from the arXiv API: {', '.join(map(str, missing))}"
            + (f" ({len(empty)} with no announcements: {', '.join(map(str, empty))})" if empty else "")
            + "; their pages lack what only the feed carries (replacements, licences) and say `source: api`"
        )

    def _recover(self) -> None:
        """Complete or undo the commit of a run killed during it, and say so."""
        recovery = self.archive.recover()
        self.archive.remove_stale_temp_files()
        if recovery is not None and recovery.pages:
            what = "completed: its pages are in place" if recovery.outcome == "completed" else "rolled back: docs/ is as it was before it"
            self.report.warnings.append(f"an earlier run was stopped while committing {recovery.pages} pages; its commit was {what}")

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
        self._recover()
        self.archive.check_format()
        days = self.archive.days(since, until)
        if not days:
            raise GeneratorError(
                f"no archived day between {since or 'the first day'} and {until or 'the last day'}",
                fix="check --since/--until against docs/days/",
            )
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
            self.report.notes.append(
                f"dry run: {sum(len(c) for _, c in plan.values())} summaries would be requested; nothing was sent or written"
            )
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
        self._stage(day, pages)
        self.report.days.append(DayReport(day, resummarized=sum(1 for p in listed if p.arxiv_id in made)))

    # -- the end of a command ----------------------------------------------------

    def _commit(self) -> None:
        """Write the staged pages together (see archive.py); counts what changed."""
        result = self.archive.commit()
        self.report.pages_written += sum(1 for p in result.written if _is_page(p))
        self.report.pages_unchanged += result.unchanged

    def _finish(self, started: float, *, record: bool = True) -> RunReport:
        """Close the report, stage the run record when the run did anything, and commit."""
        report = self.report
        report.arxiv_requests = self.session.requests_made
        report.seconds = time.monotonic() - started
        stats = report.summaries
        if stats is not None:
            report.extra.update(stats.report_rows())
        if self.config.interests.configured and report.command in ("update", "backfill"):
            report.extra["listed for their similarity"] = report.total("similar")
        report.warnings.extend(self._ceilings.warnings())
        report.warnings[:] = [redact(w) for w in report.warnings]
        pages = sum(1 for p in self.archive.staged if _is_page(p))
        if record and (report.pages_written or pages or (stats is not None and stats.gate.requests)):
            self.archive.stage_run_record(run_record(report, pages_written=report.pages_written + pages))
        self._commit()
        return report


def _is_page(relpath: PurePosixPath) -> bool:
    """A paper or day page (not a run record or a cache under docs/data/)."""
    return relpath.parts[0] in ("papers", "days")


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
