"""Days filled from the arXiv API: the missed days `update` catches up, and the days a backfill fills.

The policy (`plan_catch_up`, pure): before archiving today's feed, `update` fills the
announcement days (arXiv's calendar, generator.arxiv.schedule) that no night archived since
the last archived day, up to `catch_up_days` back; older ones are left to a `backfill` and
named in a warning, and several missed in a row suggest a stopped schedule rather than arXiv.
A catch-up happens only with a complete answer from the API: without one an empty day
cannot be told from a failed one, so the next night tries again.

`fill_from_api` fills the days of a range that the archive lacks (`backfill`, and a new
archive's first night, which backfills `days_back` days).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import arxiv

from generator.archive.models import Announcement
from generator.arxiv.api import ApiClient, search_submitted
from generator.arxiv.schedule import announcement_days
from generator.config import Config
from generator.errors import FetchError, GeneratorError
from generator.night.day import DayBuilder
from generator.night.progress import Progress
from generator.night.report import DayReport

log = logging.getLogger(__name__)

SCHEDULE_GAP = 3
"""Announcement days missed in a row from which the report suspects a stopped schedule, not arXiv."""
SCHEDULE_HINT = (
    "if the nightly workflow did not run: GitHub disables scheduled workflows after 60 days without "
    "repository activity, and in a new fork until its workflows are enabled in the Actions tab "
    "(Actions → nightly → Enable workflow)"
)

ByDay = dict[dt.date, dict[str, Announcement]]
"""Announcements by announcement day, then by arXiv id."""


class CatchUpIncomplete(GeneratorError):
    """The API could not say for sure what a missed day announced (a category's results failed)."""


@dataclass(frozen=True)
class CatchUpPlan:
    """Which missed announcement days `update` fills tonight."""

    last: dt.date
    """The last archived day before today."""
    missed: tuple[dt.date, ...]
    """Announcement days since `last`, before today: nights that archived nothing."""
    beyond: tuple[dt.date, ...]
    """Missed days older than catch_up_days: left to a backfill."""
    missing: tuple[dt.date, ...]
    """Announcement days within catch_up_days that the archive lacks: filled from the API tonight."""

    def warnings(self, catch_up_days: int) -> list[str]:
        """What the plan tells the reader before anything is fetched."""
        found = []
        if len(self.missed) >= SCHEDULE_GAP:
            found.append(
                f"{len(self.missed)} announcement days passed since the last archived day ({self.last}) "
                f"without a successful night; {SCHEDULE_HINT}"
            )
        if self.beyond:
            first, last = self.beyond[0], self.beyond[-1]
            found.append(
                f"{len(self.beyond)} missed announcement days ({first} to {last}) are older than catch_up_days ({catch_up_days}) "
                f"and were not filled; fill them with `python -m generator backfill --since {first} --until {last}` "
                "(or Actions → nightly → Run workflow with that backfill date)"
            )
        return found


def plan_catch_up(archived: Sequence[dt.date], today: dt.date, catch_up_days: int) -> CatchUpPlan | None:
    """The catch-up for tonight, from the archived days before `today` (oldest first); None for a new archive or catch_up_days 0."""
    if not archived or catch_up_days <= 0:
        return None  # a new archive: days_back decides what comes before its first day
    last = archived[-1]
    yesterday = today - dt.timedelta(days=1)
    window = today - dt.timedelta(days=catch_up_days)
    have = set(archived)
    missed = announcement_days(last + dt.timedelta(days=1), yesterday)
    return CatchUpPlan(
        last=last,
        missed=tuple(missed),
        beyond=tuple(d for d in missed if d < window),
        missing=tuple(d for d in announcement_days(max(archived[0], window), yesterday) if d not in have),
    )


def catch_up(days: DayBuilder, today: dt.date) -> None:
    """Fill from the API the announcement days before `today` that no night archived (up to catch_up_days back)."""
    config, report = days.config, days.report
    plan = plan_catch_up(days.archive.days(until=today - dt.timedelta(days=1)), today, config.catch_up_days)
    if plan is None:
        return
    report.warnings.extend(plan.warnings(config.catch_up_days))
    missing = list(plan.missing)
    if not missing:
        return
    try:
        with days.progress.task(f"Catching up {len(missing)} missed announcement days from the arXiv API"):
            by_day, incomplete = search_days(days.client, config, days.progress, missing[0], missing[-1])
        if incomplete:
            category, url = incomplete[0]
            raise CatchUpIncomplete(f"the API's results for {category} broke off ({url})")
    except (FetchError, arxiv.ArxivError, CatchUpIncomplete) as exc:
        # Without a complete answer an empty day cannot be told from a failed one: retry tomorrow.
        report.warnings.append(
            f"catch-up of {len(missing)} missed announcement days ({', '.join(map(str, missing))}) skipped: {exc}; the next run tries again"
        )
        return
    for day in missing:
        days.stage(day, by_day.get(day, {}).values(), source="api")
    report.caught_up = missing
    empty = [d for d in missing if not by_day.get(d)]
    report.warnings.append(
        f"caught up {len(missing)} missed announcement days from the arXiv API: {', '.join(map(str, missing))}"
        + (f" ({len(empty)} with no announcements: {', '.join(map(str, empty))})" if empty else "")
        + "; their pages lack what only the feed carries (replacements, licences) and say `source: api`"
    )


def fill_from_api(days: DayBuilder, since: dt.date, until: dt.date, *, commit_each: Callable[[], None] | None = None) -> None:
    """Stage the days in [since, until] the API shows announcements for and the archive lacks.

    `commit_each`, when given, is called after each day (a backfill commits day by day).
    """
    by_day, incomplete = search_days(days.client, days.config, days.progress, since, until)
    for category, url in incomplete:
        warning = f"arXiv API returned empty pages for {category} ({url}); its backfill may be incomplete, rerun later"
        log.warning(warning)
        days.report.warnings.append(warning)
    for day in sorted(by_day):
        if days.archive.day_exists(day):
            days.report.days.append(DayReport(day, kept_existing=True))
            continue
        days.stage(day, by_day[day].values(), source="api")
        if commit_each is not None:
            commit_each()


def search_days(
    client: ApiClient, config: Config, progress: Progress, since: dt.date, until: dt.date
) -> tuple[ByDay, list[tuple[str, str]]]:
    """Announcements of [since, until] by day from the API (all categories), and the categories whose results broke off."""
    by_day: ByDay = {}
    incomplete: list[tuple[str, str]] = []
    for category in progress.iterate(config.categories, f"Searching the arXiv API, {since} to {until}"):
        try:
            for ann in search_submitted(client, config, category, since, until):
                kept = by_day.setdefault(ann.announced, {}).get(ann.arxiv_id)
                if kept is None or (kept.announce_type == "cross" and ann.announce_type == "new"):
                    by_day[ann.announced][ann.arxiv_id] = ann
        except arxiv.UnexpectedEmptyPageError as exc:
            incomplete.append((category, exc.url))
    return by_day, incomplete
