"""arXiv's announcement calendar (generator/arxiv/schedule.py): weekdays, published holidays, submissions."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.arxiv.schedule import HOLIDAYS, announcement_date, announcement_days, is_announcement_day, weekdays_between


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_announcement_days_are_monday_to_friday():
    assert announcement_days(d("2026-09-19"), d("2026-09-27")) == [d(f"2026-09-{n}") for n in (21, 22, 23, 24, 25)]


@pytest.mark.parametrize(
    "holiday,no_feed",
    [
        ("2025-11-27", "2025-11-28"),  # Thanksgiving (Thu): no Friday feed
        ("2025-07-06", "2025-07-07"),  # a Sunday evening: no Monday feed
        ("2025-01-01", "2025-01-02"),
        ("2023-07-04", "2023-07-05"),
    ],
)
def test_after_a_published_holiday_evening_there_is_no_feed(holiday, no_feed):
    assert d(holiday) in HOLIDAYS
    assert not is_announcement_day(d(no_feed))
    since, until = d(no_feed) - dt.timedelta(days=7), d(no_feed) + dt.timedelta(days=7)
    weekdays = [since + dt.timedelta(days=n) for n in range(15) if (since + dt.timedelta(days=n)).weekday() < 5]
    assert announcement_days(since, until) == [day for day in weekdays if day != d(no_feed)]


def test_the_holiday_list_holds_only_what_arxiv_published():
    # arXiv's "Availability of submissions" page: 8 evenings in 2023, 6 in 2025 (December not yet set).
    by_year = {year: sorted(day for day in HOLIDAYS if day.year == year) for year in {day.year for day in HOLIDAYS}}
    assert {year: len(days) for year, days in by_year.items()} == {2023: 8, 2025: 6}
    assert all(label.endswith(str(day.year)) and f" {day.day} " in label for day, label in HOLIDAYS.items())


@pytest.mark.parametrize(
    "submitted,feed_day",
    [
        ("2026-09-23T17:59:08+00:00", "2026-09-24"),  # Wed 13:59 EDT: that evening's mailing, Thursday's feed
        ("2026-09-25T17:00:00+00:00", "2026-09-28"),  # Fri before the deadline: Sunday's mailing, Monday's feed
        ("2025-11-26T20:00:00+00:00", "2025-12-01"),  # Wed 15:00 EST: Thursday's mailing is Thanksgiving: Sunday's, Monday's feed
        ("2025-11-27T12:00:00+00:00", "2025-12-01"),  # submitted on Thanksgiving morning: the same
        ("2025-07-03T19:00:00+00:00", "2025-07-08"),  # Thu 15:00 EDT: Sunday 6 July has no mailing: Monday's, Tuesday's feed
    ],
)
def test_a_holiday_moves_submissions_to_the_next_announcement(submitted, feed_day):
    assert announcement_date(dt.datetime.fromisoformat(submitted)) == d(feed_day)
    assert is_announcement_day(d(feed_day))


def test_weekdays_between_counts_the_days_a_reader_waits():
    assert weekdays_between(d("2026-09-25"), d("2026-09-29")) == 2  # Friday's archive read on Tuesday
    assert weekdays_between(d("2026-09-25"), d("2026-10-01")) == 4  # on Thursday: over 3, stale
    assert weekdays_between(d("2026-09-25"), d("2026-09-25")) == 0
    assert weekdays_between(d("2026-09-25"), d("2026-09-20")) == 0
