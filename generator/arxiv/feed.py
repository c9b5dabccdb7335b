"""Parse arXiv's announcement feed (rss.arxiv.org, RSS 2.0 or Atom) from bytes.

Pure: `parse_announcements(content)` takes the response body and returns a `Feed`;
the HTTP request lives in `fetch.py`. The format is the one arXiv introduced in
2024: every item says `arXiv:<id>v<n> Announce Type: <type>` before its abstract,
authors are one comma-separated `dc:creator`, the first category is the primary.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from lxml import etree

from generator.archive.models import ANNOUNCE_TYPES, Announcement
from generator.arxiv.ids import parse_versioned_id
from generator.errors import FeedError
from generator.text.clean import clean_name, clean_tex, http_url, one_line
from generator.text.cut import shorten

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_HEADER = re.compile(r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?", re.IGNORECASE)
# No network, no entity expansion: the body comes from the network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class Feed:
    """One announcement feed: its day and its items in arXiv's order."""

    title: str
    """Channel title, e.g. `cs.LG, cs.AI updates on arXiv.org`."""
    date: dt.date | None
    """Announcement day (the channel's pubDate in US Eastern time); None if absent."""
    announcements: tuple[Announcement, ...]
    """Items, duplicates removed (a paper listed under two categories appears once)."""
    skipped: tuple[str, ...] = ()
    """Why each unreadable item was left out (no arXiv id, unknown announce type), one line each."""


def document_problem(content: bytes, *roots: str) -> str | None:
    """None when `content` is well-formed XML whose root is one of `roots` (Clark names), else what it is.

    The HTTP client asks this of every 200 answer from the feed and the API: an HTML
    maintenance page or a document cut off mid-way is retried like a 503, not parsed.
    """
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        return f"not a readable XML document ({exc})"
    if root.tag not in roots:
        return f"got <{etree.QName(root).localname}> where {' or '.join(f'<{etree.QName(r).localname}>' for r in roots)} was expected"
    return None


FEED_ROOTS = ("rss", f"{{{NS['atom']}}}feed")


def feed_problem(content: bytes) -> str | None:
    """`document_problem` for the announcement feed, in the words of `parse_announcements`' errors."""
    problem = document_problem(content, *FEED_ROOTS)
    if problem is None:
        return None
    if problem.startswith("not a readable"):
        return problem.replace("XML document", "RSS/Atom document", 1)
    root = problem.split(">", 1)[0] + ">"
    return f"expected an RSS or Atom feed, {root}"


def parse_announcements(content: bytes, *, source: str = "feed") -> Feed:
    """Parse a feed body. Raises FeedError for arXiv's error feed or unreadable XML."""
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise FeedError(
            f"{source}: not a readable RSS/Atom document ({exc})",
            fix="check ARXIV_FEED_URL points at rss.arxiv.org/rss/{categories}; rerun later if arXiv was mid-update",
        ) from None
    if root.tag == "rss":
        return _parse_rss(root, source)
    if root.tag == f"{{{NS['atom']}}}feed":
        return _parse_atom(root, source)
    raise FeedError(
        f"{source}: expected an RSS or Atom feed, got <{etree.QName(root).localname}>",
        fix="check ARXIV_FEED_URL points at rss.arxiv.org/rss/{categories}",
    )


def _text(elem, path: str) -> str | None:
    found = elem.find(path, NS)
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    return value or None


def _feed_error(title: str, description: str | None, source: str) -> FeedError:
    return FeedError(
        f"{source}: arXiv answered with an error feed: {one_line(description or title)}",
        fix="use category codes exactly as arXiv writes them (e.g. cs.LG, quant-ph) in config.yml `categories`",
    )


def _parse_rss(root, source: str) -> Feed:
    channel = root.find("channel")
    if channel is None:
        raise FeedError(f"{source}: RSS document without <channel>", fix="check ARXIV_FEED_URL")
    title = _text(channel, "title") or ""
    items = channel.findall("item")
    if title.lower().startswith("feed error"):
        raise _feed_error(title, _text(channel, "description"), source)
    date = _rss_date(_text(channel, "pubDate")) or _rss_date(_text(channel, "lastBuildDate"))
    announcements = []
    skipped: list[str] = []
    for item in items:
        _keep(announcements, skipped, partial(_rss_item, item, source, date))
    return _feed(title, date, announcements, skipped, source)


def _rss_item(item, source: str, feed_date: dt.date | None) -> Announcement:
    return _announcement(
        source=source,
        guid=_text(item, "guid"),
        link=_text(item, "link"),
        title=_text(item, "title"),
        description=item.findtext("description") or "",
        categories=[c.text.strip() for c in item.findall("category") if c.text and c.text.strip()],
        announce_type=_text(item, "arxiv:announce_type"),
        creators=_text(item, "dc:creator"),
        doi=_text(item, "arxiv:DOI"),
        journal_ref=_text(item, "arxiv:journal_reference"),
        license=_text(item, "dc:rights"),
        announced=_rss_date(_text(item, "pubDate")) or feed_date,
    )


def _parse_atom(root, source: str) -> Feed:
    title = _text(root, "atom:title") or ""
    if title.lower().startswith("feed error"):
        raise _feed_error(title, _text(root, "atom:subtitle"), source)
    date = _iso_date(_text(root, "atom:updated"))
    announcements: list[Announcement] = []
    skipped: list[str] = []
    entries = root.findall("atom:entry", NS)
    for entry in entries:
        _keep(announcements, skipped, partial(_atom_entry, entry, source, date))
    if announcements:
        date = max((a.announced for a in announcements), default=date)
    return _feed(title, date, announcements, skipped, source)


def _atom_entry(entry, source: str, feed_date: dt.date | None) -> Announcement:
    link = entry.find("atom:link[@rel='alternate']", NS)
    return _announcement(
        source=source,
        guid=_text(entry, "atom:id"),
        link=link.get("href") if link is not None else None,
        title=_text(entry, "atom:title"),
        description=entry.findtext("atom:summary", namespaces=NS) or "",
        categories=[c.get("term") for c in entry.findall("atom:category", NS) if c.get("term")],
        announce_type=_text(entry, "arxiv:announce_type"),
        creators=_text(entry, "dc:creator"),
        doi=_text(entry, "arxiv:DOI"),
        journal_ref=_text(entry, "arxiv:journal_reference"),
        license=_text(entry, "dc:rights"),
        announced=_iso_date(_text(entry, "atom:published")) or feed_date,
    )


def _feed(title: str, date: dt.date | None, announcements: list[Announcement], skipped: list[str], source: str) -> Feed:
    if skipped and not announcements:
        # Not one item readable: the format changed, and an empty day would hide it.
        raise FeedError(
            f"{source}: none of the feed's {len(skipped)} items is readable ({skipped[0]})",
            fix="report the feed to the maintainers; the archive is unchanged",
        )
    return Feed(title=title, date=date, announcements=_unique(announcements), skipped=tuple(skipped))


class _UnreadableItem(Exception):
    """One feed item the parser cannot use; the rest of the feed still counts."""


def _keep(announcements: list[Announcement], skipped: list[str], parse: Callable[[], Announcement]) -> None:
    """Parse one item into `announcements`, or note in `skipped` why it was left out.

    One odd item (an id we cannot read, an announce type arXiv added later) must not
    cost the whole day: the feed moves on tomorrow and the day would be lost.
    """
    try:
        announcements.append(parse())
    except _UnreadableItem as err:
        skipped.append(str(err))


def _announcement(
    *,
    source: str,
    guid: str | None,
    link: str | None,
    title: str | None,
    description: str,
    categories: list[str],
    announce_type: str | None,
    creators: str | None,
    doi: str | None,
    journal_ref: str | None,
    license: str | None,
    announced: dt.date | None,
) -> Announcement:
    header = _HEADER.match(description)
    raw_id = None
    if guid and ":" in guid:
        raw_id = guid.rsplit(":", 1)[1]
    if not raw_id and header:
        raw_id = header.group("id")
    if not raw_id and link:
        raw_id = link.split("/abs/", 1)[-1]
    parsed = parse_versioned_id(raw_id or "")
    if parsed is None:
        raise _UnreadableItem(f"no readable arXiv id (guid {_quoted(guid)}, link {_quoted(link)})")
    arxiv_id, version = parsed
    kind = (announce_type or (header.group("type") if header else "new")).strip().lower()
    if kind not in ANNOUNCE_TYPES:
        raise _UnreadableItem(f"{arxiv_id}: unknown announce type {_quoted(kind)} (known: {', '.join(ANNOUNCE_TYPES)})")
    if announced is None:
        raise FeedError(f"{source}: no announcement date in the feed", fix="check ARXIV_FEED_URL points at rss.arxiv.org")
    abstract = description[header.end() :] if header else description
    categories = [code for code in (one_line(c) for c in categories) if code]
    return Announcement(
        arxiv_id=arxiv_id,
        version=version or 1,
        title=clean_tex(title or arxiv_id),
        abstract=clean_tex(abstract),
        authors=tuple(split_authors(creators or "")),
        categories=tuple(dict.fromkeys(categories)),
        primary_category=categories[0] if categories else "",
        announce_type=kind,
        announced=announced,
        doi=one_line(doi) or None if doi else None,
        journal_ref=one_line(journal_ref) if journal_ref else None,
        license=http_url(license),
    )


def split_authors(creators: str) -> list[str]:
    """Split `A, B (Univ X, Dept Y), C and D` into names, dropping parenthesised affiliations."""
    names: list[str] = []
    depth = 0
    current: list[str] = []
    for char in creators:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
            continue
        if depth:
            continue
        if char == ",":
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    split: list[str] = []
    for name in names:
        split.extend(re.split(r"\s+and\s+", name.strip()) if " and " in name else [name])
    return [n for n in (clean_name(s) for s in split) if n]


def _unique(announcements: list[Announcement]) -> tuple[Announcement, ...]:
    seen: dict[str, Announcement] = {}
    for ann in announcements:
        kept = seen.get(ann.arxiv_id)
        # The same paper under two categories: keep the first listing, or the newer version.
        if kept is None or ann.version > kept.version:
            seen[ann.arxiv_id] = ann
    return tuple(seen.values())


def _rss_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        return None


def _iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _quoted(text: str | None) -> str:
    """Feed text quoted in a one-line message (generator.text.cut.shorten: invisible characters dropped, at most 80 characters)."""
    return repr(None if text is None else shorten(text, 80))
