"""The nightly commands: `update`, `backfill` and `resummarize`, each one transaction (or one per day).

Each command stages every page it will write in the archive's open transaction
(papers first, the day page last, so a day page never lists a paper whose page
does not exist) and commits them together at the end: `update` is one
transaction (the days it catches up, today's feed, the summaries it retries,
its run record), `backfill` one per day. A failure before the commit leaves
docs/ exactly as it was; a kill during it is completed or undone by the next run.

This module only orders the work; each job has its own module:

- `day.py`: one announcement day, computed in memory (selection, enrichment,
  summaries) and staged;
- `catchup.py`: which missed days `update` fills from the API (the policy), and the
  days a backfill fills;
- `resummary.py`: summaries of archived days (`resummarize`, and the summaries
  `update` retries);
- `caches.py`: the interest papers and the embeddings kept in docs/data/;
- `report.py`: the run report and the run record.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.archive.store import Archive
from generator.arxiv.api import ApiClient, fetch_feed, make_session
from generator.arxiv.limits import CeilingHits
from generator.config import Config
from generator.errors import FeedError, GeneratorError
from generator.night.caches import InterestPapers, embed_written, refresh_vocabulary_after
from generator.night.catchup import catch_up, fill_from_api
from generator.night.day import DayBuilder, SummarizeStage
from generator.night.progress import Progress
from generator.night.report import DayReport, RunReport, is_page, run_record
from generator.night.resummary import CATCH_UP_DAYS, SummaryRedo
from generator.summaries.summarize import Summarizer, create_summarizer
from generator.web import PoliteSession

log = logging.getLogger(__name__)


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
    interests: InterestPapers = field(init=False)
    """The reader's interest papers, loaded once per run."""
    days: DayBuilder = field(init=False)
    """Computes and stages the announcement days of this run."""

    def __post_init__(self) -> None:
        if self.ceilings is None:
            self.ceilings = CeilingHits(self.config.limits)
        self.interests = InterestPapers(self.config, self.archive, self.client, self.progress, self.report)
        self.days = DayBuilder(
            self.config, self.archive, self.client, self.progress, self.report, self.ceilings, self.interests, self.summarizer
        )

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
        sleep: Callable[[float], None] = time.sleep,
    ) -> Pipeline:
        """A pipeline; `with_summaries` builds the LLM summarizer from the config and the environment.

        `sleep` is how the run waits between arXiv requests and before retries (tests pass a fake clock).
        """
        session = make_session(config, sleep=sleep)
        client = ApiClient(session, config.arxiv.api_url, max_bytes=config.limits.api_bytes)
        report = RunReport(command)
        if summarizer is None and with_summaries:
            required = command == "resummarize"
            summarizer = create_summarizer(config, session, report.warnings.append, model=model, required=required, sleep=sleep)
        if isinstance(summarizer, Summarizer):
            report.summaries = summarizer.stats
        return cls(config, Archive(docs), session, client, progress, summarizer, report)

    # -- commands -------------------------------------------------------------

    def update(self) -> RunReport:
        """The nightly job: the days missed since the last night, then today's feed; one transaction."""
        started = time.monotonic()
        self._recover()
        self.archive.check_format()
        self.interests()  # a malformed BibTeX file stops the run here, before any other request
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
            fill_from_api(self.days, since, feed.date - dt.timedelta(days=1))
        else:
            catch_up(self.days, feed.date)  # (a backfill just asked the API about those days)
        stored = self.archive.read_day(feed.date)
        if not feed.announcements and stored is not None and stored.papers:
            # An empty feed must not erase a day that was already published.
            self.report.days.append(DayReport(feed.date, kept_existing=True))
        else:
            self.days.stage(feed.date, feed.announcements)
        if isinstance(self.summarizer, Summarizer):
            # Papers whose summary failed on an earlier night get another chance.
            recent = self.archive.days(feed.date - dt.timedelta(days=CATCH_UP_DAYS), feed.date - dt.timedelta(days=1))
            written = {d.date for d in self.report.days if not d.kept_existing}
            self._summaries().redo([d for d in recent if d not in written], only_missing=True)
        self.interests.stage()
        report = self._finish(started)
        self._embed_written()
        return report

    def backfill(self, since: dt.date, until: dt.date) -> RunReport:
        """Fill the days in [since, until] that the archive lacks, from the arXiv API; one transaction per day."""
        started = time.monotonic()
        self._recover()
        self.archive.check_format()
        self.interests()
        fill_from_api(self.days, since, until, commit_each=self._commit)
        self.interests.stage()
        report = self._finish(started)
        self._embed_written()
        return report

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
        self._summaries().redo(days, only_missing=False, ids=set(ids), force=force, dry_run=dry_run)
        return self._finish(started, record=not dry_run)

    # -- around the commands ----------------------------------------------------

    def _summaries(self) -> SummaryRedo:
        assert isinstance(self.summarizer, Summarizer)
        return SummaryRedo(self.archive, self.summarizer, self.progress, self.report, self.config.ai_summary.max_papers_to_summarize)

    def _recover(self) -> None:
        """Complete or undo the commit of a run killed during it, and say so."""
        recovery = self.archive.recover()
        self.archive.remove_stale_temp_files()
        if recovery is not None and recovery.pages:
            what = "completed: its pages are in place" if recovery.outcome == "completed" else "rolled back: docs/ is as it was before it"
            self.report.warnings.append(f"an earlier run was stopped while committing {recovery.pages} pages; its commit was {what}")

    def _commit(self) -> None:
        """Write the staged pages together (see archive/store.py); counts what changed."""
        self.report.committed(self.archive.commit())

    def _finish(self, started: float, *, record: bool = True) -> RunReport:
        """Close the report, stage the run record when the run did anything, and commit."""
        report = self.report
        assert self.ceilings is not None
        report.close(
            arxiv_requests=self.session.requests_made,
            seconds=time.monotonic() - started,
            late_warnings=self.ceilings.warnings(),
            count_similar=self.config.interests.configured and report.command in ("update", "backfill"),
        )
        pages = sum(1 for p in self.archive.staged if is_page(p))
        if record and report.worth_recording(pages):
            self.archive.stage_run_record(run_record(report, pages_written=report.pages_written + pages))
        self._commit()
        return report

    def _embed_written(self) -> None:
        """After the commit: the vectors and the vocabulary follow committed pages (caches.py)."""
        embed_written(self.config, self.archive, self.progress, self.report, self.days.written_papers.values())
        if self.days.written_papers:
            refresh_vocabulary_after(self.archive, self.report)
