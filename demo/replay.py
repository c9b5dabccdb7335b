"""A loopback arXiv that serves recorded responses, for the demo and the site tests.

It answers the three endpoints the generator uses, so the real HTTP client,
parsers and pipeline run unchanged (only ARXIV_*_URL point here):

- `/rss/<categories>`: the recorded feed(s) of the current demo day. When a day
  has several single-category recordings, their items are served in one channel,
  as arXiv does for a `+`-joined request.
- `/api/query`: `search_query=cat:X ...` serves the recording made for category X
  as the whole result set, `id_list=...` serves the recorded empty result (no
  recording holds those ids).
- `/pdf/<id>`: 404, so summaries fall back to the abstract.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from lxml import etree

from demo.loopback import LoopbackServer, QuietHandler

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "arxiv"
EMPTY_API = "api2026_empty_totalResults0_idlist_0000.0000.xml"


def merge_feeds(documents: list[bytes]) -> bytes:
    """One RSS channel holding the items of several recorded channels, in order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    first = etree.fromstring(documents[0], parser=parser)
    channel = first.find("channel")
    for document in documents[1:]:
        for item in etree.fromstring(document, parser=parser).find("channel").findall("item"):
            channel.append(item)
    return etree.tostring(first, xml_declaration=True, encoding="UTF-8")


def served_as_complete(document: bytes) -> bytes:
    """A recorded search page whose totalResults counts only the entries it holds.

    The recordings answered broader queries (millions of results); served for a
    backfill's date-bounded query, they stand for the whole result set.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(document, parser=parser)
    ns = {"atom": "http://www.w3.org/2005/Atom", "opensearch": "http://a9.com/-/spec/opensearch/1.1/"}
    total = root.find("opensearch:totalResults", ns)
    if total is not None:
        total.text = str(len(root.findall("atom:entry", ns)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class ArxivReplay(LoopbackServer):
    """Serve recorded arXiv responses on 127.0.0.1 until `stop()`."""

    def __init__(self, fixtures: Path = FIXTURES, searches: dict[str, str] | None = None):
        self.fixtures = fixtures
        self.feed: bytes = (fixtures / "rss_test_archive_empty_2024-11-28.xml").read_bytes()
        self.searches = searches or {}
        self.requests: list[str] = []
        replay = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                replay.requests.append(self.path)
                self.reply(*replay.answer(self.path))

        super().__init__(Handler)

    @property
    def base_url(self) -> str:
        return self.origin

    def environ(self) -> dict[str, str]:
        """ARXIV_* settings that point the generator here."""
        return {
            "ARXIV_FEED_URL": self.base_url + "/rss/{categories}",
            "ARXIV_API_URL": self.base_url + "/api/query",
            "ARXIV_PDF_URL": self.base_url + "/pdf/{id}",
            "ARXIV_REQUEST_DELAY": "0",
        }

    def serve_day(self, *feed_files: str) -> None:
        """Serve these recorded feeds (merged) as today's announcements."""
        self.feed = merge_feeds([(self.fixtures / name).read_bytes() for name in feed_files])

    def answer(self, path: str) -> tuple[int, bytes, str]:
        url = urlparse(path)
        if url.path.startswith("/rss/"):
            return 200, self.feed, "application/rss+xml"
        if url.path == "/api/query":
            query = parse_qs(url.query)
            search = query.get("search_query", [""])[0]
            start = int(query.get("start", ["0"])[0])
            match = re.search(r"cat:(\S+)", search)
            name = self.searches.get(match.group(1)) if match and start == 0 else None
            if name is None:
                return 200, (self.fixtures / EMPTY_API).read_bytes(), "application/atom+xml"
            return 200, served_as_complete((self.fixtures / name).read_bytes()), "application/atom+xml"
        return 404, b"not recorded", "text/plain"
