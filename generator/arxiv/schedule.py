"""arXiv's announcement calendar: which days have a feed, and on which day a submission appears.

arXiv announces Sunday to Thursday at 20:00 US Eastern; each announcement is the
feed (and the archive's day page) dated the next day, so announcement days are
Monday to Friday. There is none on weekends and none after an evening arXiv
publishes as a holiday. Pure: dates in, dates out.

The holidays are the one list below, copied from arXiv's page "Availability of
submissions" (https://info.arxiv.org/help/availability.html, section "On Deferred
Mailings"), whose source is arxiv-docs `source/help/availability.md`: the 2023 list
at commit 01871500a9cf1e0c2b9b197dc4a529b9c098eb12 and the 2025 list at commit
782dfdf015f67b22cfea0e5398a5c9d3ebca8b49. arXiv publishes each year's list in the
course of the year; add it here when it appears (the 2024 list and December 2025
were not in the versions we could read). A holiday missing from the list costs
nothing: the nightly catch-up asks the API about that day, finds no announcements
and records the day as empty.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
CUTOFF = dt.time(14, 0)
"""arXiv's daily submission deadline, US Eastern time."""

HOLIDAYS: dict[dt.date, str] = {
    # 2023, as published by arXiv
    dt.date(2023, 1, 16): "Mon 16 January 2023",
    dt.date(2023, 6, 14): "Wed 14 June 2023",
    dt.date(2023, 6, 19): "Mon 19 June 2023",
    dt.date(2023, 7, 4): "Tue 4 July 2023",
    dt.date(2023, 9, 4): "Mon 4 September 2023",
    dt.date(2023, 11, 23): "Thu 23 November 2023",
    dt.date(2023, 12, 25): "Mon 25 December 2023",
    dt.date(2023, 12, 27): "Wed 27 December 2023",
    # 2025, as published by arXiv ("December holidays are not yet scheduled")
    dt.date(2025, 1, 1): "Wed 1 January 2025",
    dt.date(2025, 1, 20): "Mon 20 January 2025",
    dt.date(2025, 6, 19): "Thu 19 June 2025",
    dt.date(2025, 7, 6): "Sun 6 July 2025",
    dt.date(2025, 9, 1): "Mon 1 September 2025",
    dt.date(2025, 11, 27): "Thu 27 November 2025",
}
"""Evenings (US Eastern) on which arXiv announced nothing; the feed of the next day has no announcements."""


def is_announcement_evening(evening: dt.date) -> bool:
    """True when arXiv announces on this evening (Sunday to Thursday, not a holiday)."""
    return evening.weekday() in (6, 0, 1, 2, 3) and evening not in HOLIDAYS


def is_announcement_day(day: dt.date) -> bool:
    """True when `day` has a feed of new announcements (the morning after an announcement evening)."""
    return is_announcement_evening(day - dt.timedelta(days=1))


def announcement_days(since: dt.date, until: dt.date) -> list[dt.date]:
    """Announcement days in [since, until], oldest first."""
    days = []
    day = since
    while day <= until:
        if is_announcement_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def announcement_date(submitted: dt.datetime) -> dt.date:
    """The feed date on which a paper submitted at `submitted` is announced.

    Submissions before 14:00 US Eastern on a weekday are announced that evening
    at 20:00 (Friday's: Sunday evening) and appear in the feed dated the next day.
    A holiday evening moves them to the next announcement evening. arXiv sometimes
    moves the deadline around a holiday too, so days next to one are approximate.
    """
    local = submitted.astimezone(EASTERN)
    deadline_day = local.date() + dt.timedelta(days=1 if local.time() >= CUTOFF else 0)
    while deadline_day.weekday() >= 5:  # the weekend's submissions meet Monday's deadline
        deadline_day += dt.timedelta(days=1)
    # Friday's deadline is announced on Sunday evening.
    evening = deadline_day + dt.timedelta(days=2) if deadline_day.weekday() == 4 else deadline_day
    while not is_announcement_evening(evening):
        evening += dt.timedelta(days=1)
    return evening + dt.timedelta(days=1)


def weekdays_between(earlier: dt.date, later: dt.date) -> int:
    """Monday-to-Friday days d with earlier < d <= later (0 when later <= earlier)."""
    count = 0
    day = earlier + dt.timedelta(days=1)
    while day <= later:
        count += day.weekday() < 5
        day += dt.timedelta(days=1)
    return count
