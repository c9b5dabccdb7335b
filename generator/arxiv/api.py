"""Everything that asks arXiv for data: the announcement feed and the API.

The feed gives the day's announcements; the API (through the `arxiv` package)
adds what the feed lacks (primary category, comment, affiliations) and serves
backfills by submission date. All requests go through one `PoliteSession`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

import arxiv

from generator.archive.models import Announcement
from generator.arxiv.feed import NS, Feed, document_problem, feed_problem, parse_announcements
from generator.arxiv.ids import parse_versioned_id
from generator.arxiv.schedule import announcement_date
from generator.config import Config
from generator.errors import FeedError, FetchError
from generator.text.clean import clean_name, clean_tex, one_line
from generator.web import Endpoint, PoliteSession

log = logging.getLogger(__name__)

ID_BATCH = 100
"""Ids per API request when enriching (keeps URLs short and answers fast)."""
PAGE_SIZE = 200
"""Results per API page when backfilling."""
API_ROOT = f"{{{NS['atom']}}}feed"


def arxiv_endpoints(config: Config) -> tuple[Endpoint, ...]:
    """The three arXiv addresses, named for messages with the settings that hold them."""
    settings = config.arxiv
    return (
        Endpoint("feed", settings.feed_url, "ARXIV_FEED_URL (arxiv.feed_url in config.yml)"),
        Endpoint("API", settings.api_url, "ARXIV_API_URL (arxiv.api_url in config.yml)"),
        Endpoint("PDF", settings.pdf_url, "ARXIV_PDF_URL (arxiv.pdf_url in config.yml)"),
    )


def make_session(config: Config, *, sleep: Callable[[float], None] = time.sleep) -> PoliteSession:
    """The polite session every arXiv request of a run goes through; `sleep` is how it waits (tests pass a fake clock)."""
    settings = config.arxiv
    return PoliteSession(
        delay=settings.request_delay,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        user_agent=settings.user_agent,
        sleep=sleep,
        endpoints=arxiv_endpoints(config),
    )


def feed_url(config: Config) -> str:
    return config.arxiv.feed_url.replace("{categories}", "+".join(config.categories))


def fetch_feed(session: PoliteSession, config: Config) -> Feed:
    """Download and parse today's announcements for all configured categories (one request)."""
    url = feed_url(config)
    response = session.get(url, max_bytes=(config.limits.feed_bytes, "limits.feed_bytes"), expect=feed_problem)
    if response.status_code != 200:
        # arXiv explains a bad category in an RSS error document; prefer its words.
        try:
            parse_announcements(response.content, source=url)
        except FeedError as err:
            if "error feed" in err.message:
                raise
        raise FetchError(f"GET {url} answered HTTP {response.status_code}", fix="check ARXIV_FEED_URL and the categories in config.yml")
    return parse_announcements(response.content, source=url)


def api_problem(content: bytes) -> str | None:
    """Why an API answer with status 200 is not the Atom feed the API sends (None when it is)."""
    problem = document_problem(content, API_ROOT)
    return f"not the API's Atom feed: {problem}" if problem else None


class _ApiRequests:
    """What arxiv.Client needs of a session (`.get`), with the API's size ceiling and XML check."""

    def __init__(self, session: PoliteSession, max_bytes: int | None):
        self.session = session
        self.max_bytes = (max_bytes, "limits.api_bytes") if max_bytes is not None else None

    def get(self, url: str, **kwargs):
        return self.session.get(url, max_bytes=self.max_bytes, expect=api_problem, **kwargs)


class ApiClient(arxiv.Client):
    """The arxiv package's client, sending its requests through our polite session."""

    def __init__(self, session: PoliteSession, api_url: str, page_size: int = PAGE_SIZE, max_bytes: int | None = None):
        # Spacing and retries of HTTP failures happen in the session; the client keeps
        # its own retries only for the API's known glitch, an empty page mid-results.
        super().__init__(page_size=page_size, delay_seconds=0, num_retries=2)
        self.query_url_format = api_url + "?{}"
        # arxiv.Client has no public hook for the HTTP session; it only calls .get(). The
        # package reads an HTML page as an empty result, so the check happens before it.
        self._session = _ApiRequests(session, max_bytes)  # type: ignore[assignment]


def _from_result(result: arxiv.Result, announced: dt.date, announce_type: str) -> Announcement | None:
    parsed = parse_versioned_id(result.entry_id)
    if parsed is None:
        # The old API reports errors as an entry titled "Error" with an errors# id.
        log.warning("arXiv API: skipped entry %s: %s", result.entry_id, one_line(result.summary)[:120])
        return None
    arxiv_id, version = parsed
    primary = one_line(result.primary_category or "")
    listed = [code for code in (one_line(c) for c in result.categories) if code]
    categories = tuple(dict.fromkeys([primary] + listed)) if primary else tuple(dict.fromkeys(listed))
    return Announcement(
        arxiv_id=arxiv_id,
        version=version or 1,
        title=clean_tex(result.title),
        abstract=clean_tex(result.summary),
        authors=tuple(clean_name(a.name) for a in result.authors),
        categories=categories,
        primary_category=primary or (categories[0] if categories else ""),
        announce_type=announce_type,
        announced=announced,
        doi=one_line(result.doi) or None if result.doi else None,
        journal_ref=one_line(result.journal_ref) if result.journal_ref else None,
        comment=one_line(result.comment) if result.comment else None,
        affiliations=tuple((clean_name(a.name), tuple(one_line(x) for x in a.affiliation)) for a in result.authors if a.affiliation),
    )


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_by_ids(client: arxiv.Client, arxiv_ids: Iterable[str]) -> dict[str, Announcement]:
    """The papers arXiv knows among these base ids, each as an Announcement of its latest version.

    One `id_list` query per ID_BATCH ids, in the order given (give a sorted list for a query
    that does not depend on the caller's order). An id lookup says nothing of an announcement,
    so `announced` is `date.min` and `announce_type` is `new`: callers keep what they need
    (enrichment its metadata, interests the title and abstract). Ids arXiv does not return are
    absent; an API failure raises FetchError or arxiv.ArxivError.
    """
    wanted = list(dict.fromkeys(arxiv_ids))
    known = set(wanted)
    found: dict[str, Announcement] = {}
    for batch in _batches(wanted, ID_BATCH):
        for result in client.results(arxiv.Search(id_list=batch, max_results=len(batch))):
            announcement = _from_result(result, dt.date.min, "new")
            if announcement is not None and announcement.arxiv_id in known:
                found[announcement.arxiv_id] = announcement
    return found


def enrich(client: ApiClient, announcements: Iterable[Announcement]) -> tuple[list[Announcement], str | None]:
    """Add primary category, comment, affiliations, DOI and journal ref from the API.

    Enrichment is a bonus: if the API fails, the feed's data is kept and the
    returned warning says why.
    """
    announcements = list(announcements)
    try:
        found = fetch_by_ids(client, (a.arxiv_id for a in announcements))
    except (FetchError, arxiv.ArxivError) as exc:
        warning = f"arXiv API enrichment skipped ({exc}); pages use the feed's data"
        log.warning(warning)
        return announcements, warning
    out = []
    for ann in announcements:
        api = found.get(ann.arxiv_id)
        if api is None:
            out.append(ann)
            continue
        primary = api.primary_category or ann.primary_category
        out.append(
            replace(
                ann,
                primary_category=primary,
                categories=tuple(dict.fromkeys((primary,) + ann.categories + api.categories)),
                authors=api.authors or ann.authors,
                comment=api.comment or ann.comment,
                doi=ann.doi or api.doi,
                journal_ref=ann.journal_ref or api.journal_ref,
                affiliations=api.affiliations or ann.affiliations,
            )
        )
    return out, None


def search_submitted(client: ApiClient, config: Config, category: str, since: dt.date, until: dt.date) -> Iterator[Announcement]:
    """Papers of `category` announced between `since` and `until` (inclusive), newest first.

    Queries the API by submission date (a window wide enough to cover weekends)
    and keeps the papers whose computed announcement day falls in the range.
    """
    start = since - dt.timedelta(days=4)
    query = f"cat:{category} AND submittedDate:[{start:%Y%m%d}0000 TO {until:%Y%m%d}2359]"
    search = arxiv.Search(query=query, max_results=None, sort_by=arxiv.SortCriterion.SubmittedDate, sort_order=arxiv.SortOrder.Descending)
    for result in client.results(search):
        day = announcement_date(result.published)
        if day < since:
            break
        if day > until:
            continue
        kind = "new" if result.primary_category in config.categories else "cross"
        ann = _from_result(result, day, kind)
        if ann is not None:
            yield ann
