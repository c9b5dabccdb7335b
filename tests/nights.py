"""Four announcement days of quant-ph, as the feed and as the API tell them, served on 127.0.0.1.

Edited copies of recorded fixtures: the 81 items of the recorded quant-ph feed of Monday
2025-04-28 are dealt over four announcement days (Monday 28 April to Thursday 1 May 2025,
item i on day i mod 4), each day's feed being the recorded channel with that day's items
and dates. The API knows the same papers: each new or cross-listed item becomes an entry
cloned from a recorded API search entry, with the item's id, title, abstract, authors and
categories, submitted at 08:00 US Eastern on the deadline day of its announcement, so the
API's submission dates lead back to the same day (schedule.announcement_date). Replacements
are not in the API's date search (their first version is older), as on arXiv.

`FourDays` answers like arXiv: `/rss/<categories>` the feed of the night it is told (or a
503 on a night arXiv is down), `/api/query` by `search_query` (cat and submittedDate
filters, newest first, paged with start/max_results) and by `id_list`, `/pdf/<id>` a small
PDF with real text. `faults[kind]` (kind: feed, search, enrich, pdf) replaces every answer
of that kind (a lasting fault).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from generator.arxiv.feed import split_authors
from tests.conftest import fixture_bytes
from tests.loopback import LoopbackServer, make_pdf

QUANT_PH = "rss_quant-ph_2025-04-28.xml"
SEARCH = "api2026_search_cat_cs.LG_OR_cs.AI_max20.xml"
DAYS = [dt.date(2025, 4, 28), dt.date(2025, 4, 29), dt.date(2025, 4, 30), dt.date(2025, 5, 1)]
SUBMITTED = {
    # Submitted 08:00 EDT (12:00 UTC) on the deadline day whose evening announces it.
    DAYS[0]: "2025-04-25T12:00:00Z",  # Friday's deadline: Sunday evening, Monday's feed
    DAYS[1]: "2025-04-28T12:00:00Z",
    DAYS[2]: "2025-04-29T12:00:00Z",
    DAYS[3]: "2025-04-30T12:00:00Z",
}
ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
DC = "http://purl.org/dc/elements/1.1/"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _rss_date(day: dt.date) -> str:
    return f"{day:%a}, {day.day:02d} {day:%b %Y} 00:00:00 -0400"


def day_feed(number: int) -> bytes:
    """The recorded channel holding the items dealt to day `number` (0-3), dated that day."""
    root = etree.fromstring(fixture_bytes(QUANT_PH), parser=_PARSER)
    channel = root.find("channel")
    day = DAYS[number]
    for index, item in enumerate(channel.findall("item")):
        if index % 4 != number:
            channel.remove(item)
        else:
            item.find("pubDate").text = _rss_date(day)
    channel.find("pubDate").text = _rss_date(day)
    channel.find("lastBuildDate").text = f"{day:%a}, {day.day:02d} {day:%b %Y} 04:00:00 +0000"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _entry_template() -> etree._Element:
    root = etree.fromstring(fixture_bytes(SEARCH), parser=_PARSER)
    return root.find(f"{{{ATOM}}}entry")


def api_entries() -> list[tuple[str, set[str], etree._Element]]:
    """(submitted, categories, entry) for every new or cross-listed item of the four days."""
    template = _entry_template()
    entries = []
    root = etree.fromstring(fixture_bytes(QUANT_PH), parser=_PARSER)
    for index, item in enumerate(root.find("channel").findall("item")):
        kind = item.findtext(f"{{{ARXIV}}}announce_type")
        if kind not in ("new", "cross"):
            continue
        versioned = item.findtext("guid").rsplit(":", 1)[1]
        description = item.findtext("description")
        abstract = re.split(r"\n?Abstract:\s*", description, maxsplit=1)[-1]
        categories = [c.text.strip() for c in item.findall("category")]
        submitted = SUBMITTED[DAYS[index % 4]]
        entry = copy.deepcopy(template)
        for child in list(entry):
            if child.tag in (f"{{{ATOM}}}category", f"{{{ATOM}}}author", f"{{{ARXIV}}}comment"):
                entry.remove(child)
        entry.find(f"{{{ATOM}}}id").text = f"http://arxiv.org/abs/{versioned}"
        entry.find(f"{{{ATOM}}}title").text = item.findtext("title")
        entry.find(f"{{{ATOM}}}summary").text = abstract
        entry.find(f"{{{ATOM}}}updated").text = submitted
        entry.find(f"{{{ATOM}}}published").text = submitted
        entry.find(f"{{{ARXIV}}}primary_category").set("term", categories[0])
        for link in entry.findall(f"{{{ATOM}}}link"):
            link.set("href", re.sub(r"/(abs|pdf)/\S+$", rf"/\1/{versioned}", link.get("href")))
        published = entry.find(f"{{{ATOM}}}published")
        for code in categories:
            category = etree.Element(f"{{{ATOM}}}category", term=code, scheme="http://arxiv.org/schemas/atom")
            published.addprevious(category)
        for name in split_authors(item.findtext(f"{{{DC}}}creator") or ""):
            author = etree.SubElement(entry, f"{{{ATOM}}}author")
            etree.SubElement(author, f"{{{ATOM}}}name").text = name
        entries.append((submitted, set(categories), entry))
    return entries


def api_answer(entries: list[etree._Element], total: int, start: int) -> bytes:
    """An API result page: the recorded feed header, these entries, totalResults `total`."""
    root = etree.fromstring(fixture_bytes(SEARCH), parser=_PARSER)
    for entry in root.findall(f"{{{ATOM}}}entry"):
        root.remove(entry)
    root.find(f"{{{OPENSEARCH}}}totalResults").text = str(total)
    root.find(f"{{{OPENSEARCH}}}startIndex").text = str(start)
    root.find(f"{{{OPENSEARCH}}}itemsPerPage").text = str(len(entries))
    for entry in entries:
        root.append(copy.deepcopy(entry))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


_WINDOW = re.compile(r"submittedDate:\[(\d{12}) TO (\d{12})\]")


UNAVAILABLE = (503, {"Content-Type": "text/html"}, b"<html><body>Service Unavailable</body></html>")


class FourDays(LoopbackServer):
    """arXiv for the four days; `night` picks the feed, `faults` misbehave on purpose."""

    def __init__(self) -> None:
        super().__init__()
        self.feeds = [day_feed(n) for n in range(4)]
        self.entries = api_entries()
        self.night = 0
        self.faults: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.paths: list[str] = []

    @property
    def feed_down(self) -> bool:
        return "feed" in self.faults

    @feed_down.setter
    def feed_down(self, down: bool) -> None:
        if down:
            self.faults["feed"] = UNAVAILABLE
        else:
            self.faults.pop("feed", None)

    def handle(self, method, path, headers, body):
        self.paths.append(path)
        url = urlsplit(path)
        if url.path.startswith("/rss/"):
            return self.faults.get("feed") or (200, {"Content-Type": "application/rss+xml"}, self.feeds[self.night])
        if url.path == "/api/query":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            kind = "search" if query.get("search_query") else "enrich"
            return self.faults.get(kind) or (200, {"Content-Type": "application/atom+xml"}, self.search(query))
        if url.path.startswith("/pdf/"):
            pdf = make_pdf([f"Full text of {url.path}"] + ["we study qubits, entanglement and noise " * 3] * 20)
            return self.faults.get("pdf") or (200, {"Content-Type": "application/pdf"}, pdf)
        return 404, {"Content-Type": "text/plain"}, b"not recorded"

    def search(self, query: dict[str, str]) -> bytes:
        start = int(query.get("start", "0"))
        size = int(query.get("max_results", "10"))
        ids = [i for i in query.get("id_list", "").split(",") if i]
        found = []
        if ids:
            for _, _, entry in self.entries:
                versioned = entry.findtext(f"{{{ATOM}}}id").rsplit("/", 1)[1]
                if versioned.split("v")[0] in ids or versioned in ids:
                    found.append(entry)
        else:
            search = query.get("search_query", "")
            categories = set(re.findall(r"cat:(\S+)", search))
            window = _WINDOW.search(search)
            for submitted, cats, entry in sorted(self.entries, key=lambda e: e[0], reverse=True):
                stamp = submitted[:4] + submitted[5:7] + submitted[8:10] + submitted[11:13] + submitted[14:16]
                if categories and not categories & cats:
                    continue
                if window and not window.group(1) <= stamp <= window.group(2):
                    continue
                found.append(entry)
        return api_answer(found[start : start + size], len(found), start)
