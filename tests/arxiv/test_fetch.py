"""The polite HTTP session and the arXiv API (enrichment, both response formats), over loopback."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from werkzeug import Response

from generator.archive.models import Announcement
from generator.arxiv.api import ApiClient, announcement_date, enrich, fetch_by_ids
from generator.errors import FetchError
from generator.web import Endpoint, PoliteSession, endpoint_for, retry_after_seconds
from tests.conftest import fixture_bytes


def session(**kwargs) -> PoliteSession:
    settings = {"delay": 0.0, "timeout": 5.0, "max_retries": 2, "user_agent": "arxiv-daily-archive/test"}
    settings.update(kwargs)
    return PoliteSession(**settings)


def stub(arxiv_id: str) -> Announcement:
    return Announcement(
        arxiv_id=arxiv_id, version=1, title="t", abstract="a", authors=("Feed Author",), categories=("cs.LG",),
        primary_category="cs.LG", announce_type="new", announced=dt.date(2026, 9, 24),
    )  # fmt: skip


def test_requests_are_spaced_by_the_delay(httpserver):
    httpserver.expect_request("/x").respond_with_data("ok")
    polite = session(delay=0.3)
    started = time.monotonic()
    for _ in range(3):
        assert polite.get(httpserver.url_for("/x")).status_code == 200
    assert time.monotonic() - started >= 0.6
    assert {r.headers["User-Agent"] for r, _ in httpserver.log} == {"arxiv-daily-archive/test"}


def test_429_without_retry_after_backs_off_exponentially(httpserver):
    httpserver.expect_ordered_request("/x").respond_with_data("slow down", status=429)
    httpserver.expect_ordered_request("/x").respond_with_data("slow down", status=429)
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    waits = []
    polite = session(sleep=waits.append)
    assert polite.get(httpserver.url_for("/x")).text == "ok"
    assert waits == [0.5, 1.0]  # max(delay, 0.5) * 2**attempt


def test_retry_after_as_http_date_and_seconds():
    assert retry_after_seconds("10") == 10
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10
    assert retry_after_seconds("soon") is None


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


FEED = Endpoint("feed", "http://127.0.0.1:{port}/rss/{categories}", "ARXIV_FEED_URL (arxiv.feed_url in config.yml)")


def test_connection_refused_is_retried_once_then_named_with_its_setting():
    # Issue 14: a mistyped local mirror took 45 s of retries and then blamed arXiv.
    port = closed_port()
    feed = Endpoint(FEED.name, FEED.template.replace("{port}", str(port)), FEED.setting)
    waits = []
    polite = session(sleep=waits.append, max_retries=4, endpoints=[feed])
    with pytest.raises(FetchError) as caught:
        polite.get(f"http://127.0.0.1:{port}/rss/cs.LG")
    assert str(caught.value) == (
        f"feed endpoint http://127.0.0.1:{port}/rss/cs.LG: connection refused (after one retry); "
        "fix: check ARXIV_FEED_URL (arxiv.feed_url in config.yml); the archive is unchanged"
    )
    assert polite.requests_made == 2 and len(waits) == 1
    assert "throttl" not in str(caught.value)


def test_a_host_that_does_not_resolve_is_named_after_one_retry():
    polite = session(
        sleep=lambda s: None, max_retries=4, endpoints=[Endpoint("API", "http://arxiv-mirror.invalid/api/query", "ARXIV_API_URL")]
    )
    with pytest.raises(
        FetchError,
        match=r"^API endpoint http://arxiv-mirror.invalid/api/query\?id_list=1: host name arxiv-mirror.invalid does not resolve \(DNS\) "
        r"\(after one retry\); fix: check ARXIV_API_URL",
    ):
        polite.get("http://arxiv-mirror.invalid/api/query?id_list=1")
    assert polite.requests_made == 2


def test_without_retries_an_unreachable_address_fails_at_once():
    polite = session(sleep=lambda s: None, max_retries=0)
    with pytest.raises(FetchError, match=r"connection refused \(no retry\); fix: check the address"):
        polite.get(f"http://127.0.0.1:{closed_port()}/x")
    assert polite.requests_made == 1


def test_the_throttling_hint_comes_only_with_429_and_503(httpserver):
    for status, hinted in ((429, True), (503, True), (500, False), (502, False)):
        httpserver.clear()
        httpserver.expect_request("/rss/cs.LG").respond_with_data("busy", status=status)
        feed = Endpoint("feed", httpserver.url_for("/rss/{categories}"), "ARXIV_FEED_URL")
        with pytest.raises(FetchError) as caught:
            session(sleep=lambda s: None, max_retries=1, endpoints=[feed]).get(httpserver.url_for("/rss/cs.LG"))
        message = str(caught.value)
        assert message.startswith(f"feed endpoint: GET {httpserver.url_for('/rss/cs.LG')} failed after 2 attempts (HTTP {status})"), message
        assert ("throttling" in message) is hinted, message
        assert ("check ARXIV_FEED_URL if it persists" in message) is not hinted, message


def test_a_url_belongs_to_the_endpoint_with_the_longest_prefix():
    endpoints = [Endpoint("API", "http://h/api", "A"), Endpoint("PDF", "http://h/api/pdf/{id}", "P")]
    assert endpoint_for("http://h/api/pdf/1v1", endpoints).name == "PDF"
    assert endpoint_for("http://h/api?x", endpoints).name == "API"
    assert endpoint_for("http://other/", endpoints) is None


def test_other_client_errors_are_not_retried(httpserver):
    httpserver.expect_request("/x").respond_with_data("nope", status=404)
    polite = session()
    assert polite.get(httpserver.url_for("/x")).status_code == 404
    assert polite.requests_made == 1


@pytest.mark.parametrize(
    "fixture,arxiv_id,primary,comment,doi",
    [
        ("api2019_idlist_1710.08557.xml", "1710.08557", "cs.RO", None, "10.1186/s12984-017-0305-3"),  # old format
        ("api2026_idlist_quant-ph_0201082v1.xml", "quant-ph/0201082", "quant-ph", "32 pages", None),  # new format, old-style id
    ],
)
def test_enrichment_reads_both_api_formats(httpserver, fixture, arxiv_id, primary, comment, doi):
    httpserver.expect_request("/api/query").respond_with_data(fixture_bytes(fixture))
    client = ApiClient(session(), httpserver.url_for("/api/query"))
    (enriched,), warning = enrich(client, [stub(arxiv_id)])
    assert warning is None
    assert enriched.primary_category == primary and enriched.categories[0] == primary
    assert enriched.comment == comment and enriched.doi == doi
    assert enriched.authors and enriched.authors != ("Feed Author",)
    request = httpserver.log[0][0]
    assert request.args["id_list"] == arxiv_id


def test_enrichment_reads_affiliations(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(fixture_bytes("api2019_idlist_astro-ph_9812133.xml"))
    client = ApiClient(session(), httpserver.url_for("/api/query"))
    (enriched,), _ = enrich(client, [stub("astro-ph/9812133")])
    assert dict(enriched.affiliations)[enriched.authors[0]] == ("The Supernova Cosmology Project",)


def test_api_errors_leave_the_feed_data_and_warn(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(fixture_bytes("api2026_error_http400_idlist_abc.xml"), status=400)
    client = ApiClient(session(), httpserver.url_for("/api/query"))
    original = stub("2609.26811")
    (kept,), warning = enrich(client, [original])
    assert kept == original
    assert "enrichment skipped" in warning


def test_old_api_error_entry_is_skipped(httpserver):
    # The 2019 API answered a bad id with HTTP 200 and an entry titled "Error".
    httpserver.expect_request("/api/query").respond_with_data(fixture_bytes("api2019_error_incorrect_id_format_INVALIDID.xml"))
    client = ApiClient(session(), httpserver.url_for("/api/query"))
    original = stub("2609.26811")
    assert enrich(client, [original]) == ([original], None)


def test_enrichment_batches_ids(httpserver):
    def empty(request):
        return Response(fixture_bytes("api2026_empty_totalResults0_idlist_0000.0000.xml"))

    httpserver.expect_request("/api/query").respond_with_handler(empty)
    client = ApiClient(session(), httpserver.url_for("/api/query"))
    enrich(client, [stub(f"2609.{n:05d}") for n in range(250)])
    assert [len(r.args["id_list"].split(",")) for r, _ in httpserver.log] == [100, 100, 50]


def test_fetch_by_ids_gives_the_papers_arxiv_knows_as_announcements(httpserver):
    # The one public door for "these ids, as Announcements" (enrichment and the interest papers use it).
    httpserver.expect_request("/api/query").respond_with_data(fixture_bytes("api2026_idlist_quant-ph_0201082v1.xml"))
    client = ApiClient(session(), httpserver.url_for("/api/query"))
    found = fetch_by_ids(client, ["quant-ph/0201082", "2609.99999", "quant-ph/0201082"])
    assert list(found) == ["quant-ph/0201082"]  # an id arXiv did not return is absent; a repeated id asked once
    paper = found["quant-ph/0201082"]
    assert paper.version == 1 and paper.title and paper.abstract and paper.authors and paper.primary_category == "quant-ph"
    assert (paper.announced, paper.announce_type) == (dt.date.min, "new")  # an id lookup says nothing of an announcement
    [(request, _)] = httpserver.log
    assert request.args["id_list"] == "quant-ph/0201082,2609.99999"


@pytest.mark.parametrize(
    "submitted,feed_day",
    [
        ("2026-09-23T17:59:08+00:00", "2026-09-24"),  # Wed 13:59 EDT: that evening's mailing, Thursday's feed
        ("2026-09-23T18:05:00+00:00", "2026-09-25"),  # Wed 14:05 EDT: after the deadline
        ("2026-09-25T17:00:00+00:00", "2026-09-28"),  # Fri before the deadline: Sunday's mailing, Monday's feed
        ("2026-09-26T12:00:00+00:00", "2026-09-29"),  # Saturday: Monday's deadline, Tuesday's feed
        ("2026-01-14T18:30:00+00:00", "2026-01-15"),  # Wed 13:30 EST (winter time)
    ],
)
def test_announcement_date_follows_arxivs_schedule(submitted, feed_day):
    assert announcement_date(dt.datetime.fromisoformat(submitted)) == dt.date.fromisoformat(feed_day)
