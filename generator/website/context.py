"""Which pages the site derives from the catalog, and what each one lists: pure, no HTML.

`build_context(catalog, site)` computes, once per build, what every derived page
needs: papers newest first, categories and tags with their papers (`Topic`), and how
a large topic splits into listing pages (`topic_chunks`). The layout of each page is
a template in overrides/archive/ (generator.website.render); links between pages are computed
with generator.archive.paths (`Links`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from generator.archive import paths
from generator.arxiv.ids import abs_url
from generator.arxiv.taxonomy import category_name
from generator.ranking.selection import relevance_of
from generator.website.catalog import Catalog, DayEntry, PaperEntry
from generator.website.settings import SiteInfo

PAGE_SIZE = 200
"""Most papers one listing page shows."""
LATEST_ON_TOPIC_INDEX = 20
"""Newest papers shown on a split category or tag index page."""
HOME_TOP = 10
"""Papers of the latest day shown on the home page."""
AUTHORS_SHOWN = 3
"""Authors shown per paper in lists before `et al.`."""
STATS_TOP = 20
"""Categories and tags charted on the stats page."""


def json_for_script(data: Any) -> str:
    """JSON safe inside <script type="application/json"> (no `</script>` can appear)."""
    return (
        json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )


def month_label(month: str) -> str:
    year, number = month.split("-")
    return dt.date(int(year), int(number), 1).strftime("%B %Y")


@functools.lru_cache(maxsize=4096)
def month_of(day: dt.date) -> str:
    """YYYY-MM (asked once per paper per topic: 200,000 papers in a dozen topics each)."""
    return f"{day.year:04d}-{day.month:02d}"


def last_change(papers: Iterable[PaperEntry]) -> dt.date | None:
    """The newest `last_changed` of these papers (its expression inlined: the sitemap asks it of every topic page)."""
    return max((p.updated or p.announced for p in papers), default=None)


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@functools.cache
def _url(page: PurePosixPath, directory_urls: bool) -> str:
    return paths.page_url(page, directory_urls)


@functools.cache
def _category_url(code: str, directory_urls: bool) -> str:
    return paths.page_url(paths.category_path(code), directory_urls)


@functools.cache
def _tag_url(name: str, directory_urls: bool) -> str:
    return paths.page_url(paths.tag_path(name), directory_urls)


@functools.cache
def _day_url(day: dt.date, directory_urls: bool) -> str:
    return paths.page_url(paths.day_path(day), directory_urls)


def relative(base: str, target: str) -> str:
    """URL of `target` (from the site root) relative to the folder `base` (from the site root, ending with `/` or empty)."""
    base_parts = base.split("/")[:-1]
    target_parts = target.split("/")
    common = 0
    while common < len(base_parts) and common < len(target_parts) - 1 and base_parts[common] == target_parts[common]:
        common += 1
    return "/".join([".."] * (len(base_parts) - common) + target_parts[common:]) or "./"


class Links:
    """Relative URLs from one built page to the others, as generator.archive.paths.relative_url computes them."""

    def __init__(
        self, here: PurePosixPath, directory_urls: bool = True, papers: Mapping[str, PaperEntry] | None = None, min_relevance: float = 1.0
    ):
        self.here = here
        self.directory_urls = directory_urls
        self.papers = papers or {}
        """The archive's papers by id (to link a paper named by its id to its page)."""
        self.min_relevance = min_relevance
        """Relevance from which a paper's pages say which interest paper it is close to (interests.min_relevance)."""
        url = _url(here, directory_urls)
        self.base = url[: url.rfind("/") + 1]
        """The folder the page is served from."""

    def page(self, target: PurePosixPath) -> str:
        return relative(self.base, _url(target, self.directory_urls))

    def paper(self, paper: PaperEntry) -> str:
        return relative(self.base, _url(paper.path, self.directory_urls))

    def day(self, day: dt.date) -> str:
        return relative(self.base, _day_url(day, self.directory_urls))

    def category(self, code: str) -> str:
        return relative(self.base, _category_url(code, self.directory_urls))

    def tag(self, name: str) -> str:
        return relative(self.base, _tag_url(name, self.directory_urls))

    def feed(self, kind: str, key: str = "", fmt: str = "rss") -> str:
        return relative(self.base, str(paths.feed_path(kind, key, fmt)))

    def search_like(self, arxiv_id: str) -> str:
        """The search page listing a paper's related papers ("More like this")."""
        return relative(self.base, _url(paths.SEARCH_PATH, self.directory_urls)) + "?like=" + quote(arxiv_id, safe="/")

    def close_to(self, paper: PaperEntry) -> tuple[str, str] | None:
        """(title, link) of the interest paper a paper is close to, when that closeness alone would list it; else None.

        The link is the interest paper's page when the archive holds it, else its arXiv page.
        """
        interest = paper.interest
        # The ranker's relevance (a page from before it: its similarity, read as the cosine fallback reads it).
        if interest is None or not interest.nearest or relevance_of(interest) < self.min_relevance:
            return None
        archived = self.papers.get(interest.nearest)
        return interest.nearest_title, self.paper(archived) if archived is not None else abs_url(interest.nearest)


@dataclass(frozen=True)
class Topic:
    """A category or a tag: the papers filed under it, newest first."""

    kind: str
    """`category` or `tag`."""
    key: str
    """Category code or tag name."""
    title: str
    """Page title: `cs.LG — Machine Learning`, or the tag."""
    papers: tuple[PaperEntry, ...]
    followed: bool
    """A category config.yml follows, or a configured keyword or author."""

    @property
    def index(self) -> PurePosixPath:
        return paths.category_path(self.key) if self.kind == "category" else paths.tag_path(self.key)

    def month_path(self, month: str, part: int) -> PurePosixPath:
        if self.kind == "category":
            return paths.category_month_path(self.key, month, part)
        return paths.tag_month_path(self.key, month, part)

    @property
    def primary_count(self) -> int:
        return sum(1 for p in self.papers if p.primary_category == self.key)


@dataclass(frozen=True)
class Chunk:
    """One listing page of a large category or tag: whole months, or part of one month."""

    months: tuple[str, ...]
    """The months it covers (YYYY-MM), oldest first."""
    part: int
    """1, or the part number when one month needs several pages."""
    parts: int
    """How many pages that month needs (1 when the chunk holds whole months)."""
    papers: tuple[PaperEntry, ...]
    """Newest first."""

    @functools.cached_property
    def lastmod(self) -> dt.date | None:
        """The last change of its papers (the sitemap's lastmod of its page, and part of its topic index's)."""
        return last_change(self.papers)

    @property
    def label(self) -> str:
        if len(self.months) > 1:
            return f"{month_label(self.months[0])} – {month_label(self.months[-1])}"
        label = month_label(self.months[0])
        return f"{label}, part {self.part} of {self.parts}" if self.parts > 1 else label


def topic_chunks(papers: Iterable[PaperEntry], size: int = PAGE_SIZE) -> list[Chunk]:
    """Split papers (newest first) into listing pages of at most `size`, newest page first.

    Months are packed oldest first, whole, while they fit; a month with more than
    `size` papers gets pages of its own, its oldest papers in part 1. Pages are only
    ever appended to, never reshuffled, so their URLs (named after their first month)
    stay put as the archive grows.
    """
    by_month: dict[str, list[PaperEntry]] = defaultdict(list)
    for paper in papers:
        by_month[month_of(paper.announced)].append(paper)
    chunks: list[Chunk] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            chunks.append(Chunk(tuple(pending), 1, 1, tuple(p for m in reversed(pending) for p in by_month[m])))
            pending.clear()

    for month in sorted(by_month):
        items = by_month[month]
        if len(items) > size:
            flush()
            oldest_first = items[::-1]
            slices = [oldest_first[i : i + size] for i in range(0, len(oldest_first), size)]
            for number, part in enumerate(slices, 1):
                chunks.append(Chunk((month,), number, len(slices), tuple(reversed(part))))
            continue
        if sum(len(by_month[m]) for m in pending) + len(items) > size:
            flush()
        pending.append(month)
    flush()
    return chunks[::-1]


@dataclass(frozen=True)
class TopicPage:
    """One page of a category or tag: its index, or one of its listing pages when it is split."""

    topic: Topic
    path: PurePosixPath
    chunk: Chunk | None
    """The papers of this listing page; None on the index page."""
    chunks: tuple[tuple[PurePosixPath, Chunk], ...]
    """All listing pages of the topic, newest first (empty when the index lists every paper)."""

    @property
    def papers(self) -> tuple[PaperEntry, ...]:
        if self.chunk is not None:
            return self.chunk.papers
        return self.topic.papers[:LATEST_ON_TOPIC_INDEX] if self.chunks else self.topic.papers

    @property
    def title(self) -> str:
        return f"{self.topic.title}: {self.chunk.label}" if self.chunk is not None else self.topic.title

    @property
    def lastmod(self) -> dt.date | None:
        if self.chunk is not None:
            return self.chunk.lastmod
        if self.chunks:  # the index of a split topic: its listing pages hold every one of its papers
            return max((c.lastmod for _, c in self.chunks if c.lastmod is not None), default=None)
        return last_change(self.topic.papers)

    def neighbours(self) -> tuple[tuple[PurePosixPath, Chunk] | None, tuple[PurePosixPath, Chunk] | None]:
        """(newer, older) listing pages next to this one."""
        index = next(i for i, (path, _) in enumerate(self.chunks) if path == self.path)
        return (self.chunks[index - 1] if index > 0 else None, self.chunks[index + 1] if index + 1 < len(self.chunks) else None)


def topic_pages(topic: Topic) -> list[TopicPage]:
    """A category's or tag's index page and, when it holds over PAGE_SIZE papers, its listing pages."""
    if len(topic.papers) <= PAGE_SIZE:
        return [TopicPage(topic, topic.index, None, ())]
    located = tuple((topic.month_path(c.months[0], c.part), c) for c in topic_chunks(topic.papers))
    return [TopicPage(topic, topic.index, None, located)] + [TopicPage(topic, path, chunk, located) for path, chunk in located]


@dataclass
class Context:
    """What every derived page needs, computed once from the catalog."""

    catalog: Catalog
    site: SiteInfo
    newest: list[PaperEntry]
    categories: list[Topic]
    tags: list[Topic]

    def links(self, here: PurePosixPath) -> Links:
        return Links(here, self.site.directory_urls, self.catalog.papers, self.site.interests.min_relevance)

    def __post_init__(self) -> None:
        self._by_code = {topic.key: topic for topic in self.categories}

    def category(self, code: str) -> Topic | None:
        """The category's topic (its page and feed), or None when no paper lists it."""
        return self._by_code.get(code)

    @property
    def summarized(self) -> int:
        return sum(1 for p in self.catalog.papers.values() if p.summary is not None)

    def day_papers(self, day: DayEntry) -> list[PaperEntry]:
        """The day's listed papers, in rank order (ids without a page are left out)."""
        return [self.catalog.papers[i] for i in day.papers if i in self.catalog.papers]

    def updated_papers(self, day: DayEntry) -> list[PaperEntry]:
        return [self.catalog.papers[i] for i in day.updated if i in self.catalog.papers]


def build_context(catalog: Catalog, site: SiteInfo) -> Context:
    newest = catalog.newest_first()
    by_category: dict[str, list[PaperEntry]] = defaultdict(list)
    by_tag: dict[str, list[PaperEntry]] = defaultdict(list)
    tag_names: dict[str, Counter] = defaultdict(Counter)
    slugs: dict[str, str] = {}  # a tag's slug, made once (200,000 papers carry a few hundred tags)
    for paper in newest:
        for code in dict.fromkeys(paper.categories or (paper.primary_category,)):
            if code:
                by_category[code].append(paper)
        for tag in dict.fromkeys(paper.tags):
            key = slugs.get(tag)
            if key is None:
                key = slugs[tag] = paths.slug(tag)
            by_tag[key].append(paper)
            tag_names[key][tag] += 1
    followed_cats = set(site.categories)
    categories = [
        Topic(
            "category",
            code,
            f"{code} — {category_name(code)}" if category_name(code) != code else code,
            tuple(items),
            code in followed_cats,
        )
        for code, items in by_category.items()
    ]
    categories.sort(key=lambda t: (not t.followed, -len(t.papers), t.key))
    followed_tags = {paths.slug(name) for name, _ in site.keywords} | {paths.slug(a) for a in site.authors}
    tags = []
    for key, items in by_tag.items():
        name = tag_names[key].most_common(1)[0][0]
        tags.append(Topic("tag", name, name, tuple(items), key in followed_tags))
    tags.sort(key=lambda t: (-len(t.papers), t.key.casefold()))
    return Context(catalog, site, newest, categories, tags)


def stats_data(ctx: Context) -> dict[str, Any]:
    """The numbers the stats page charts (and shows as tables)."""
    days = list(ctx.catalog.days)
    per_month: Counter = Counter(month_of(p.announced) for p in ctx.catalog.papers.values())
    months = sorted(per_month)
    cats = sorted(ctx.categories, key=lambda t: (-len(t.papers), t.key))[:STATS_TOP]
    tags = ctx.tags[:STATS_TOP]
    return {
        "days": {
            "labels": [d.date.isoformat() for d in days],
            "listed": [d.counts.listed for d in days],
            "summarized": [d.counts.summarized for d in days],
        },
        "months": {"labels": months, "papers": [per_month[m] for m in months]},
        "categories": {
            "labels": [t.key for t in cats],
            "primary": [t.primary_count for t in cats],
            "cross": [len(t.papers) - t.primary_count for t in cats],
        },
        "tags": {"labels": [t.key for t in tags], "papers": [len(t.papers) for t in tags]},
    }


def archive_tree(days: Iterable[DayEntry]) -> list[tuple[int, int, list[tuple[str, int, list[DayEntry]]]]]:
    """Days grouped [(year, papers, [(month, papers, [days newest first])])], newest year and month first."""
    by_year: dict[int, dict[str, list[DayEntry]]] = defaultdict(lambda: defaultdict(list))
    for day in days:
        by_year[day.date.year][month_of(day.date)].append(day)
    tree = []
    for year in sorted(by_year, reverse=True):
        months = [
            (month, sum(d.counts.listed for d in by_year[year][month]), sorted(by_year[year][month], key=lambda d: d.date, reverse=True))
            for month in sorted(by_year[year], reverse=True)
        ]
        tree.append((year, sum(listed for _, listed, _ in months), months))
    return tree
