"""Missed nights catch up by themselves: four announcement days over a loopback arXiv (tests/nights.py).

Nights 1 and 4 succeed, nights 2 and 3 fail (the feed answers 503 past the retries): each
failed night exits 1 and leaves docs/ byte for byte as it was; night 4 fills the two missed
days from the API before its own feed, and the archive then lists the same papers on the
same days as four good nights did. The real CLI, in process; only ARXIV_* point here.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from generator.archive.paths import day_path
from generator.archive.records import split_front_matter
from generator.archive.runs import last_successful_night
from generator.archive.store import Archive
from tests.conftest import ROOT, snapshot
from tests.nights import DAYS, FourDays, day_feed


def write_config(path, **extra):
    data = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    data.update(categories=["quant-ph"], keywords=["quantum", "entanglement", "noise", "qubit"], min_score=1.5, max_papers=12, days_back=0)
    data["arxiv"].update(max_retries=1, timeout=5)
    data["ai_summary"].update(enabled=False)
    data.update(extra)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def arxiv(monkeypatch):
    with FourDays() as server:
        monkeypatch.setenv("ARXIV_FEED_URL", server.url + "/rss/{categories}")
        monkeypatch.setenv("ARXIV_API_URL", server.url + "/api/query")
        monkeypatch.setenv("ARXIV_PDF_URL", server.url + "/pdf/{id}")
        monkeypatch.setenv("ARXIV_REQUEST_DELAY", "0")
        yield server


def day_meta(docs, day: dt.date) -> dict:
    return split_front_matter((docs / day_path(day)).read_text(encoding="utf-8"), str(day))[0]


def listed(docs) -> dict[dt.date, list[str]]:
    """Every archived day and its ranked papers."""
    return {day: [str(i) for i in day_meta(docs, day)["papers"]] for day in Archive(docs).days()}


def night(arxiv, run_cli, config, docs, number: int, *, down: bool = False) -> tuple[int, str]:
    arxiv.night = number
    arxiv.feed_down = down
    return run_cli("update", "--config", config, "--docs", docs)


@pytest.fixture
def four_good_nights(arxiv, run_cli, tmp_path):
    """The archive as four good nights leave it (the reference)."""
    config = write_config(tmp_path / "good.yml")
    docs = tmp_path / "good" / "docs"
    for number in range(4):
        code, err = night(arxiv, run_cli, config, docs, number)
        assert code == 0, err
    arxiv.paths.clear()
    return docs


def test_two_failed_nights_are_caught_up_by_the_next_and_the_archive_is_as_after_good_nights(arxiv, run_cli, tmp_path, four_good_nights):
    config = write_config(tmp_path / "config.yml")
    docs = tmp_path / "docs"
    assert night(arxiv, run_cli, config, docs, 0)[0] == 0
    for number in (1, 2):
        before = snapshot(docs)
        code, err = night(arxiv, run_cli, config, docs, number, down=True)
        assert code == 1
        [error] = [line for line in err.splitlines() if line.startswith("error:")]
        assert "HTTP 503" in error and "/rss/quant-ph" in error
        assert snapshot(docs) == before  # a failed night changes no byte
    arxiv.paths.clear()
    code, err = night(arxiv, run_cli, config, docs, 3)
    assert code == 0, err
    # The day already archived (night 1's) and its papers' pages: not a byte changed, not rewritten.
    after = snapshot(docs)
    assert {path: mark for path, mark in after.items() if path in before and not path.startswith("runs/")} == {
        path: mark for path, mark in before.items() if not path.startswith("runs/")
    }
    assert "without a successful night" not in err  # two missed days: a failed fetch, not a stopped schedule

    # The same papers on the same days as four good nights.
    assert sorted(listed(docs)) == DAYS
    assert listed(docs) == listed(four_good_nights)
    assert all(listed(docs)[day] for day in DAYS)
    # The missed days say where they come from; the feed's days do not.
    assert [day_meta(docs, d).get("source") for d in DAYS] == [None, "api", "api", None]
    for day in DAYS:
        counts = day_meta(docs, day)["counts"]
        assert counts["listed"] <= counts["matched"] <= counts["fetched"]
    # The feed (it says which day tonight is), one date-bounded API search for the missed days
    # (one category, one page), then enrichment of the papers new to the archive.
    kinds = ["feed" if p.startswith("/rss/") else "search" if "submittedDate" in p else "enrich" for p in arxiv.paths]
    assert kinds[:2] == ["feed", "search"] and set(kinds[2:]) == {"enrich"}
    # The run report and the run record say which days were caught up.
    assert "days caught up from the API" in err and "2025-04-29, 2025-04-30" in err
    assert any(
        "caught up 2 missed announcement days from the arXiv API: 2025-04-29, 2025-04-30" in line
        for line in err.splitlines()
        if line.startswith("warning:")
    )
    records = Archive(docs).read_run_records()
    assert records[-1].caught_up == ("2025-04-29", "2025-04-30")
    assert records[-1].days == tuple(d.isoformat() for d in DAYS[1:])
    from tests.summaries.test_summary_parts import run_history

    assert "caught up from the API: 2025-04-29, 2025-04-30" in run_history(records)  # and the site's run-history page
    # A rerun of night 4 changes nothing.
    before = snapshot(docs)
    assert night(arxiv, run_cli, config, docs, 3)[0] == 0
    assert snapshot(docs) == before


def test_a_missed_day_the_api_shows_without_announcements_is_recorded_as_empty(arxiv, run_cli, tmp_path):
    config = write_config(tmp_path / "config.yml")
    docs = tmp_path / "docs"
    assert night(arxiv, run_cli, config, docs, 0)[0] == 0
    arxiv.entries = [e for e in arxiv.entries if e[0] != "2025-04-28T12:00:00Z"]  # the API knows nothing of 29 April
    code, err = night(arxiv, run_cli, config, docs, 3)
    assert code == 0, err
    empty = day_meta(docs, DAYS[1])
    assert empty["papers"] == [] and empty["counts"]["fetched"] == 0 and empty["source"] == "api"
    assert day_meta(docs, DAYS[2])["papers"]
    assert "(1 with no announcements: 2025-04-29)" in err


@pytest.mark.parametrize(
    "fault",
    [
        (503, {"Content-Type": "text/html"}, b"<html><body>Service Unavailable</body></html>"),
        (200, {"Content-Type": "text/html"}, b"<html><body>Down for maintenance</body></html>"),
    ],
    ids=["503", "HTML with 200"],
)
def test_an_api_failing_during_the_catch_up_costs_only_the_catch_up_and_the_next_night_retries(arxiv, run_cli, tmp_path, fault):
    config = write_config(tmp_path / "config.yml")
    docs = tmp_path / "docs"
    assert night(arxiv, run_cli, config, docs, 0)[0] == 0
    arxiv.faults["search"] = fault
    code, err = night(arxiv, run_cli, config, docs, 3)
    assert code == 0, err
    assert sorted(listed(docs)) == [DAYS[0], DAYS[3]]  # tonight archived; the missed days not guessed
    [warning] = [line for line in err.splitlines() if "catch-up" in line]
    assert warning.startswith("warning:") and "2025-04-29, 2025-04-30" in warning and "the next run tries again" in warning
    searches = [p for p in arxiv.paths if "submittedDate" in p]
    assert len(searches) == 2  # retried once (max_retries: 1), like a 5xx
    arxiv.faults.pop("search")
    code, err = night(arxiv, run_cli, config, docs, 3)  # the next night (the feed still shows 1 May)
    assert code == 0, err
    assert sorted(listed(docs)) == DAYS


def test_a_catch_up_answer_over_api_bytes_costs_only_the_catch_up(arxiv, run_cli, tmp_path):
    config = write_config(tmp_path / "config.yml", limits={"api_bytes": 100_000})
    docs = tmp_path / "docs"
    assert night(arxiv, run_cli, config, docs, 0)[0] == 0
    entry = b"<entry><id>http://arxiv.org/abs/2504.99999v1</id><title>padding</title><summary>" + b"x" * 1_000 + b"</summary></entry>"
    oversized = b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">' + entry * 300 + b"</feed>"
    arxiv.faults["search"] = (200, {"Content-Type": "application/atom+xml"}, oversized)
    code, err = night(arxiv, run_cli, config, docs, 3)
    assert code == 0, err
    assert sorted(listed(docs)) == [DAYS[0], DAYS[3]]  # tonight archived; the missed days not guessed
    [warning] = [line for line in err.splitlines() if "limits.api_bytes" in line]
    assert warning.startswith("warning:") and "catch-up" in warning and "the next run tries again" in warning, warning


def test_days_older_than_catch_up_days_are_named_with_the_backfill_that_fills_them(arxiv, run_cli, tmp_path):
    config = write_config(tmp_path / "config.yml", catch_up_days=1)
    docs = tmp_path / "docs"
    assert night(arxiv, run_cli, config, docs, 0)[0] == 0
    code, err = night(arxiv, run_cli, config, docs, 3)
    assert code == 0, err
    assert sorted(listed(docs)) == [DAYS[0], DAYS[2], DAYS[3]]  # 30 April: within one day of 1 May
    [warning] = [line for line in err.splitlines() if "older than catch_up_days" in line]
    assert "backfill --since 2025-04-29 --until 2025-04-29" in warning
    code, err = run_cli("backfill", "--since", "2025-04-29", "--until", "2025-04-29", "--config", config, "--docs", docs)
    assert code == 0, err
    assert sorted(listed(docs)) == DAYS


@pytest.mark.parametrize(
    "last, missed, days_before",
    [
        # The last night that ran archived Wednesday 23 April; the next one runs on Thursday 1 May.
        (dt.date(2025, 4, 23), 5, [dt.date(2025, 4, 23), dt.date(2025, 4, 24), dt.date(2025, 4, 25)]),
        # Friday 25 April: Monday to Wednesday were missed, the threshold (SCHEDULE_GAP = 3;
        # two missed days say nothing: test_two_failed_nights_...).
        (dt.date(2025, 4, 25), 3, [dt.date(2025, 4, 25)]),
    ],
    ids=["5 days", "3 days"],
)
def test_a_long_gap_says_the_schedule_may_have_stopped(arxiv, run_cli, tmp_path, last, missed, days_before):
    config = write_config(tmp_path / "config.yml")
    docs = tmp_path / "docs"
    arxiv.feeds.append(day_feed(0).replace(b"28 Apr 2025", f"{last.day} Apr 2025".encode()))
    assert night(arxiv, run_cli, config, docs, 4)[0] == 0
    code, err = night(arxiv, run_cli, config, docs, 3)
    assert code == 0, err
    [warning] = [line for line in err.splitlines() if "without a successful night" in line]
    assert f"{missed} announcement days passed since the last archived day ({last})" in warning
    assert "GitHub disables scheduled workflows after 60 days" in warning and "Actions tab" in warning
    records = Archive(docs).read_run_records()
    assert any("without a successful night" in w for w in records[-1].warnings)  # on the run-history page too
    assert sorted(listed(docs)) == [*days_before, *DAYS]
    assert last_successful_night(records) == records[-1]


# -- the policy alone (generator/night/catchup.py, pure: no server) ----------------------------


def test_the_catch_up_policy_fills_the_missed_days_within_catch_up_days_and_names_the_older_ones():
    from generator.night.catchup import SCHEDULE_HINT, plan_catch_up

    d = lambda day: dt.date(2025, 4, day)  # noqa: E731
    # The last night archived Tuesday 15 April; tonight is Friday 25 April; catch_up_days 7 reaches back to the 18th.
    plan = plan_catch_up([d(14), d(15)], d(25), 7)
    assert plan.last == d(15)
    assert plan.missed == (d(16), d(17), d(18), d(21), d(22), d(23), d(24))  # weekends are not announcement days
    assert plan.beyond == (d(16), d(17))
    assert plan.missing == (d(18), d(21), d(22), d(23), d(24))
    stopped, older = plan.warnings(7)
    assert stopped.startswith("7 announcement days passed since the last archived day (2025-04-15)") and SCHEDULE_HINT in stopped
    assert "2 missed announcement days (2025-04-16 to 2025-04-17) are older than catch_up_days (7)" in older
    assert "backfill --since 2025-04-16 --until 2025-04-17" in older

    # A hole between archived days is filled too; two missed days in a row are no stopped schedule.
    plan = plan_catch_up([d(21), d(23)], d(25), 7)
    assert (plan.missed, plan.beyond, plan.missing) == ((d(24),), (), (d(22), d(24)))
    assert plan.warnings(7) == []
    # Nothing before the first archived day, nothing for a new archive, nothing with catch_up_days 0.
    assert plan_catch_up([d(24)], d(25), 7).missing == ()
    assert plan_catch_up([], d(25), 7) is None and plan_catch_up([d(21)], d(25), 0) is None
