"""RSS 2.0 and Atom feeds (feedgen): all papers, per category, per tag — the latest few each.

Pure: the HTML of each item (authors, abstract, links to arXiv and, when present,
the AI summary with its model and input) comes from the `item_html` callable, the
template archive/feed-item.html (generator.website.render), which escapes arXiv's text; feed
readers render it. Feed readers typeset no math, so arXiv's TeX is readable text in a
feed: item titles are plain text and bodies HTML with math as Unicode (generator.text.tex).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

from feedgen.feed import FeedGenerator

from generator.archive import paths
from generator.text.tex import tex_plain
from generator.website.catalog import PaperEntry
from generator.website.context import Context, Topic
from generator.website.settings import SiteInfo

TOPIC_FEED_ITEMS = 20
"""Items in a category or tag feed."""

ItemHtml = Callable[[PaperEntry], str]


def all_feed_items(site: SiteInfo) -> int:
    """Items in the all-papers feed: two full days at the configured daily cap, at least 50."""
    return max(50, 2 * site.max_papers)


def absolute_url(site: SiteInfo, page: PurePosixPath) -> str:
    return site.url + paths.page_url(page, site.directory_urls)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def build_feed(site: SiteInfo, *, title: str, description: str, page: PurePosixPath, kind: str, key: str,
               papers: Iterable[PaperEntry], item_html: ItemHtml) -> dict[PurePosixPath, bytes]:  # fmt: skip
    """The RSS and Atom documents of one feed, by their paths.

    Each item's HTML goes in once per format: RSS `<description>`, Atom `<content>`
    (filling both fields, as feedgen allows, would double every feed's size), as a
    CDATA section rather than escaped: a tenth smaller, the same text for any reader.
    """
    papers = list(papers)
    bodies = [item_html(paper) for paper in papers]
    page_url = absolute_url(site, page)
    updated = _midnight(max((p.last_changed for p in papers), default=dt.date(1970, 1, 1)))
    documents: dict[PurePosixPath, bytes] = {}
    for fmt in ("atom", "rss"):
        path = paths.feed_path(kind, key, fmt)
        fg = FeedGenerator()
        if fmt == "rss":
            fg.load_extension("dc", atom=False, rss=True)
        fg.id(site.url + str(paths.feed_path(kind, key, "atom")))
        fg.title(title)
        fg.subtitle(description or title)
        # RSS keeps only the last link as the channel's <link>: the page, after the feed's own URL.
        fg.link([{"href": site.url + str(path), "rel": "self"}, {"href": page_url, "rel": "alternate"}])
        fg.language("en")
        fg.generator("arxiv-daily-archive (feedgen)")
        fg.updated(updated)
        fg.lastBuildDate(updated)
        for paper, body in zip(reversed(papers), reversed(bodies)):  # feedgen prepends: newest ends on top
            url = absolute_url(site, paper.path)
            entry = fg.add_entry()
            entry.id(url)
            entry.guid(url, permalink=True)
            entry.title(tex_plain(paper.title))
            entry.link(href=url, rel="alternate")
            entry.content(body, type="CDATA")  # RSS: <description>; Atom: <content>
            if fmt == "rss":
                entry.dc.dc_creator(list(paper.authors) or ["Unknown authors"])
            else:
                for name in paper.authors:
                    entry.author({"name": name})
            entry.published(_midnight(paper.announced))
            entry.updated(_midnight(paper.last_changed))
            for code in paper.categories:
                entry.category(term=code)
        # feedgen names CDATA content's type "CDATA"; Atom calls HTML content (escaped or in CDATA) "html".
        documents[path] = (
            fg.rss_str(pretty=False)
            if fmt == "rss"
            else fg.atom_str(pretty=False).replace(b'<content type="CDATA">', b'<content type="html">')
        )
    return documents


def _topic_description(topic: Topic, site: SiteInfo) -> str:
    what = "category" if topic.kind == "category" else "tag"
    return f"The latest papers in the {what} {topic.title} of {site.title}."


# Material's JavaScript treats every <link rel="alternate"> as a translation of the
# site and fetches sitemap.xml next to its URL, on every page view. The feed links
# are alternates too, so their folders get an empty (valid) sitemap instead of a 404.
EMPTY_SITEMAP = b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'


def derived_feeds(ctx: Context, item_html: ItemHtml) -> dict[PurePosixPath, bytes]:
    """Every feed file, by its path inside the site (with the empty sitemaps of their folders).

    Each item is its paper's whole record (`ctx.catalog.entry`: in the site build, read from docs/ for
    the few papers the feeds list), its HTML made once however many feeds list it.
    """
    site = ctx.site
    cache: dict[str, tuple[PaperEntry, str]] = {}

    def whole(papers) -> list[PaperEntry]:
        out = []
        for paper in papers:
            if paper.arxiv_id not in cache:
                entry = ctx.catalog.entry(paper)
                cache[paper.arxiv_id] = (entry, item_html(entry))
            out.append(cache[paper.arxiv_id][0])
        return out

    def cached(paper: PaperEntry) -> str:
        return cache[paper.arxiv_id][1]

    feeds = build_feed(
        site, title=site.title, description=site.description, page=paths.HOME_PATH, kind="all", key="",
        papers=whole(ctx.newest[: all_feed_items(site)]), item_html=cached,
    )  # fmt: skip
    for topic in ctx.categories + ctx.tags:
        feeds.update(build_feed(
            site, title=f"{site.title}: {topic.title}", description=_topic_description(topic, site), page=topic.index,
            kind=topic.kind, key=topic.key, papers=whole(topic.papers[:TOPIC_FEED_ITEMS]), item_html=cached,
        ))  # fmt: skip
    for folder in sorted({path.parent for path in feeds}):
        feeds[folder / "sitemap.xml"] = EMPTY_SITEMAP
    return feeds
