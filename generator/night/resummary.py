"""Summaries of days already archived: which to redo, and the pages that change.

Two commands use it: `resummarize` (summaries made from another paper version, model or
prompt, or missing; every one with `--force`; `--id` for chosen papers) and `update`, which
gives the summaries that failed on the last CATCH_UP_DAYS nights another chance. Only the
pages whose summary changes are staged, and a day page only when its count of summarized
papers changes (or was wrong: a run killed between a paper page and its day page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from generator.archive import paths
from generator.archive.models import DayRecord, Paper, Summary
from generator.archive.records import day_page, paper_page
from generator.archive.store import Archive
from generator.errors import ArchiveError
from generator.night.day import stage_pages
from generator.night.progress import Progress
from generator.night.report import DayReport, RunReport
from generator.summaries.summarize import Summarizer

CATCH_UP_DAYS = 7
"""`update` also retries missing summaries of the announcement days this far back."""


@dataclass
class SummaryRedo:
    """Redoes the summaries of archived days, for one run."""

    archive: Archive
    summarizer: Summarizer
    progress: Progress
    report: RunReport
    top: int
    """Papers summarized per day (ai_summary.max_papers_to_summarize)."""

    def redo(
        self, days: list[dt.date], *, only_missing: bool, ids: set[str] | None = None, force: bool = False, dry_run: bool = False
    ) -> None:
        """Summarize the chosen papers of these archived days and stage the pages that change.

        A listed paper is chosen when it is among its day's `top` or already has a summary
        (any listed paper named in `ids`), and its summary is missing (`only_missing`: and it
        is among the top), or out of date, or `force`.
        """
        summarizer = self.summarizer
        plan: dict[dt.date, tuple[list[Paper], list[Paper]]] = {}  # day -> (listed papers, papers to summarize)
        stale: dict[dt.date, list[Paper]] = {}  # days whose page miscounts its summaries
        only = set(ids or ())
        wanted = set(only)  # ids not found yet
        for day in sorted(days, reverse=True):  # newest first: they matter most if the budget runs out
            stored = self.archive.read_day(day)
            listed = self._listed(day, stored)
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
                elif not (rank < self.top or paper.summary is not None):
                    continue
                missing = paper.summary is None and rank < self.top
                needed = missing if only_missing else force or not summarizer.is_current(paper)
                if needed:
                    chosen.append(paper)
                elif paper.summary is not None:
                    current += 1
            summarizer.stats.add(cache_hits=current)
            if chosen:
                plan[day] = (listed, chosen)
            wanted -= {p.arxiv_id for p in listed}
        if wanted:
            self.report.warnings.append(f"not listed on any archived day in the range, so not summarized: {', '.join(sorted(wanted))}")
        if dry_run:
            for day, (_, chosen) in plan.items():
                for paper in chosen:
                    self.report.notes.append(f"{day} {paper.arxiv_id}v{paper.announcement.version}: {why(paper, summarizer)}")
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
                self._rewrite(day, listed, made, recount=day in stale)

    def _listed(self, day: dt.date, stored: DayRecord | None) -> list[Paper]:
        """The papers the day page lists, in its order; ArchiveError when one's page is missing."""
        ranked = list(stored.papers) if stored else []
        found = self.archive.read_papers(ranked)
        missing_pages = [i for i in ranked if i not in found]
        if missing_pages:
            raise ArchiveError(
                f"{paths.day_path(day)} lists {missing_pages[0]} but {paths.paper_path(missing_pages[0])} is missing",
                fix="restore it with `git checkout -- docs/` or rerun the day with `update`/`backfill`",
            )
        return [found[i] for i in ranked]

    def _rewrite(self, day: dt.date, listed: list[Paper], made: dict[str, Summary], *, recount: bool = False) -> None:
        new = [replace(p, summary=made[p.arxiv_id]) if p.arxiv_id in made else p for p in listed]
        pages: dict[PurePosixPath, str] = {paths.paper_path(p.arxiv_id): paper_page(p) for p in new if p.arxiv_id in made}
        stored = self.archive.read_day(day)
        summarized = sum(1 for p in new if p.summary is not None)
        if stored is not None and (recount or summarized != stored.counts.summarized):
            # The day page counts its summarized papers; it changes only when that count does.
            counts = replace(stored.counts, listed=len(new), summarized=summarized)
            pages[paths.day_path(day)] = day_page(replace(stored, counts=counts))
        stage_pages(self.archive, self.report, day, pages)
        self.report.days.append(DayReport(day, resummarized=sum(1 for p in listed if p.arxiv_id in made)))


def why(paper: Paper, summarizer: Summarizer) -> str:
    """Why a paper's summary is redone (resummarize --dry-run)."""
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
