"""The derived pages, computed from the catalog: pure functions, strings out.

`derived_pages(catalog, site)` returns every page the site adds to the archive:
home, archive index (years → months → days), category and tag pages (split by
month, and into parts, so that no page lists more than PAGE_SIZE papers), the
category and tag indexes, stats, feeds and search pages. Each is Markdown with
front matter; long lists are pre-rendered HTML between SITEGEN_HTML markers
(the MkDocs hook passes those through without the Markdown parser, which would
spend most of the build on them; any Markdown engine renders them the same).

Text from arXiv and from config.yml is escaped here (`esc` for HTML, `md_inline`
for Markdown); links between pages are computed with generator.paths.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from generator import paths
from generator.escape import md_inline
from generator.records import front_matter
from generator.taxonomy import category_name

from .catalog import Catalog, PaperEntry
from .settings import SiteInfo

PAGE_SIZE = 200
"""Most papers one listing page shows."""
LATEST_ON_TOPIC_INDEX = 20
"""Newest papers shown on a split category or tag index page."""
HOME_TOP = 10
"""Papers of the latest day shown on the home page."""
AUTHORS_SHOWN = 3
"""Authors shown per paper in lists before `et al.`."""
HTML_BEGIN = "<!-- sitegen:html -->"
HTML_END = "<!-- /sitegen:html -->"


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def html_block(markup: str) -> str:
    """Pre-rendered HTML as a Markdown block (blank lines around, markers for the fast path)."""
    return f"\n{HTML_BEGIN}\n{markup}\n{HTML_END}\n\n"


def json_for_script(data: Any) -> str:
    """JSON safe inside <script type="application/json"> (no `</script>` can appear)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def month_label(month: str) -> str:
    year, number = month.split("-")
    return dt.date(int(year), int(number), 1).strftime("%B %Y")


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


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

    def feed(self, fmt: str) -> PurePosixPath:
        return paths.feed_path(self.kind, self.key, fmt)


@dataclass
class Context:
    """What every derived page needs, computed once from the catalog."""

    catalog: Catalog
    site: SiteInfo
    newest: list[PaperEntry]
    day_pages: set[dt.date]
    categories: list[Topic]
    tags: list[Topic]
    links_cache: dict[tuple[PurePosixPath, PurePosixPath], str] = field(default_factory=dict)

    def rel(self, here: PurePosixPath, target: PurePosixPath) -> str:
        key = (here.parent, target)  # pages in one folder share their relative links
        found = self.links_cache.get(key)
        if found is None:
            found = self.links_cache[key] = paths.relative_url(here, target, self.site.directory_urls)
        return found


def build_context(catalog: Catalog, site: SiteInfo) -> Context:
    newest = catalog.newest_first()
    by_category: dict[str, list[PaperEntry]] = defaultdict(list)
    by_tag: dict[str, list[PaperEntry]] = defaultdict(list)
    tag_names: dict[str, Counter] = defaultdict(Counter)
    for paper in newest:
        for code in dict.fromkeys(paper.categories or (paper.primary_category,)):
            if code:
                by_category[code].append(paper)
        for tag in dict.fromkeys(paper.tags):
            key = paths.slug(tag)
            by_tag[key].append(paper)
            tag_names[key][tag] += 1
    followed_cats = set(site.categories)
    categories = [
        Topic("category", code, f"{code} — {category_name(code)}" if category_name(code) != code else code, tuple(items), code in followed_cats)
        for code, items in by_category.items()
    ]
    categories.sort(key=lambda t: (not t.followed, -len(t.papers), t.key))
    followed_tags = {paths.slug(name) for name, _ in site.keywords} | {paths.slug(a) for a in site.authors}
    tags = []
    for key, items in by_tag.items():
        name = tag_names[key].most_common(1)[0][0]
        tags.append(Topic("tag", name, name, tuple(items), key in followed_tags))
    tags.sort(key=lambda t: (-len(t.papers), t.key.casefold()))
    return Context(catalog, site, newest, {d.date for d in catalog.days}, categories, tags)


# -- pieces ---------------------------------------------------------------------


def _page(meta: dict[str, Any], body: str) -> str:
    return front_matter(meta) + "\n" + body.rstrip("\n") + "\n"


def _authors(paper: PaperEntry) -> str:
    shown = ", ".join(paper.authors[:AUTHORS_SHOWN])
    if len(paper.authors) > AUTHORS_SHOWN:
        shown += " et al."
    return shown or "Unknown authors"


def paper_item(ctx: Context, here: PurePosixPath, paper: PaperEntry, score_badge: bool = False) -> str:
    """One paper in a list: title, then authors, date, primary category, score (in the text, or as a badge).

    Kept short (archive.css styles it by position): category and tag pages list
    every paper several times over.
    """
    meta = [esc(_authors(paper)), f"<time>{paper.announced.isoformat()}</time>"]
    if paper.primary_category:
        meta.append(f'<a href="{ctx.rel(here, paths.category_path(paper.primary_category))}">{esc(paper.primary_category)}</a>')
    if not score_badge:
        meta.append(f"score {paper.score:g}")
    if paper.announce_type != "new":
        meta.append(esc(paper.announce_type))
    if paper.summary_model:
        meta.append("<em>AI summary</em>")
    badge = f"<b>{paper.score:g}</b>" if score_badge else ""
    return f'<li>{badge}<a href="{ctx.rel(here, paper.path)}">{esc(paper.title)}</a><span>{" · ".join(meta)}</span></li>'


def paper_list(ctx: Context, here: PurePosixPath, papers: Iterable[PaperEntry], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    items = "\n".join(paper_item(ctx, here, p) for p in papers)
    return f'<{tag} class="paper-list">\n{items}\n</{tag}>'


def _feed_links(ctx: Context, here: PurePosixPath, kind: str, key: str = "") -> str:
    rss = ctx.rel(here, paths.feed_path(kind, key, "rss"))
    atom = ctx.rel(here, paths.feed_path(kind, key, "atom"))
    return f'<a class="feed-link" href="{rss}">RSS</a> <a class="feed-link" href="{atom}">Atom</a>'


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


# -- home -----------------------------------------------------------------------


def home_page(ctx: Context) -> str:
    here = paths.HOME_PATH
    site, catalog = ctx.site, ctx.catalog
    papers = len(catalog.papers)
    summarized = sum(1 for p in catalog.papers.values() if p.summary_model)
    body = [f"# {md_inline(site.title)}\n"]
    if site.description:
        body.append(f"{md_inline(site.description)}\n")
    last = catalog.days[-1] if catalog.days else None
    facts = [
        f'<a href="{ctx.rel(here, paths.ARCHIVE_PATH)}"><strong>{papers:,}</strong> papers</a>',
        f"<span><strong>{len(catalog.days):,}</strong> days</span>",
        f"<span><strong>{summarized:,}</strong> AI summaries</span>",
        f"<span>last updated <strong>{last.date.isoformat() if last else 'never'}</strong></span>",
    ]
    body.append(html_block('<p class="home-facts">' + "".join(facts) + "</p>"))
    latest = next((d for d in reversed(catalog.days) if d.papers), None)
    if latest is None:
        body.append(
            "No papers yet. The nightly job (`python -m generator update`) writes one page per paper "
            "and per day into the archive folder; this page shows the latest day once there is one.\n"
        )
    else:
        top = [catalog.papers[i] for i in latest.papers if i in catalog.papers][:HOME_TOP]
        body.append(f"## Latest: {md_inline(latest.title)}\n")
        items = [paper_item(ctx, here, paper, score_badge=True) for paper in top]
        body.append(html_block('<ol class="paper-list paper-list--ranked">\n' + "\n".join(items) + "\n</ol>"))
        more = f"All {_plural(len(latest.papers), 'paper')} of that day" if len(latest.papers) > len(top) else "The day's page"
        body.append(f"[{more} →]({paths.relative_link(here, latest.path)})\n")
    browse = [
        (paths.ARCHIVE_PATH, "Archive", "every day, by year and month"),
        (paths.CATEGORIES_PATH, "Categories", f"{len(ctx.categories)} arXiv categories"),
        (paths.TAGS_PATH, "Tags", f"{len(ctx.tags)} keywords and authors"),
        (paths.STATS_PATH, "Stats", "charts of the archive"),
        (paths.FEEDS_PATH, "Feeds", "RSS and Atom"),
        (paths.SEARCH_PATH, "Search", "titles, authors, ids, abstracts, summaries"),
    ]
    body.append("## Browse\n")
    body.append(html_block('<ul class="browse">' + "".join(
        f'<li><a href="{ctx.rel(here, target)}"><strong>{name}</strong><span>{esc(note)}</span></a></li>' for target, name, note in browse
    ) + "</ul>"))
    body.append("## What this archive follows\n")
    counts = {t.key: len(t.papers) for t in ctx.categories}
    rows = []
    for code in site.categories:
        count = counts.get(code, 0)
        name = esc(category_name(code))
        link = f'<a href="{ctx.rel(here, paths.category_path(code))}">{esc(code)}</a>' if count else esc(code)
        rows.append(f"<tr><td>{link}</td><td>{name}</td><td>{count:,}</td></tr>")
    body.append("### Categories monitored\n")
    body.append(html_block('<table class="follow-table"><thead><tr><th>Category</th><th>Name</th><th>Papers</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"))
    tag_counts = {paths.slug(t.key): len(t.papers) for t in ctx.tags}
    chips = []
    for name, weight in site.keywords:
        count = tag_counts.get(paths.slug(name), 0)
        label = esc(name) + (f" <small>×{weight:g}</small>" if weight != 1 else "")
        inner = f"{label} <span>{count:,}</span>"
        chips.append(f'<a class="chip" href="{ctx.rel(here, paths.tag_path(name))}">{inner}</a>' if count else f'<span class="chip chip--empty">{inner}</span>')
    body.append("### Keywords followed\n")
    body.append(html_block('<p class="chips">' + "".join(chips) + "</p>") if chips else "No keywords configured.\n")
    if site.authors:
        author_chips = []
        for name in site.authors:
            count = tag_counts.get(paths.slug(name), 0)
            inner = f"{esc(name)} <span>{count:,}</span>"
            author_chips.append(f'<a class="chip" href="{ctx.rel(here, paths.tag_path(name))}">{inner}</a>' if count else f'<span class="chip chip--empty">{inner}</span>')
        body.append("### Authors followed\n")
        body.append(html_block('<p class="chips">' + "".join(author_chips) + "</p>"))
    body.append(
        f"A paper is listed when its score reaches {ctx.site.min_score:g}: +1 per keyword in the title or abstract, "
        f"+0.5 more in the title, times the keyword's weight; at most {ctx.site.max_papers} papers a day, best first.\n"
    )
    return _page({"sitegen": {"kind": "home"}}, "\n".join(body))


# -- archive --------------------------------------------------------------------


def archive_page(ctx: Context) -> str:
    here = paths.ARCHIVE_PATH
    days = ctx.catalog.days
    body = ["# Archive\n"]
    if not days:
        body.append("No days archived yet.\n")
        return _page({"title": "Archive", "sitegen": {"kind": "archive"}}, "\n".join(body))
    body.append(f"{_plural(len(ctx.catalog.papers), 'paper')} listed on {_plural(len(days), 'day')}, from {days[0].date.isoformat()} to {days[-1].date.isoformat()}.\n")
    by_year: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for day in days:
        by_year[day.date.year][month_of(day.date)].append(day)
    for year in sorted(by_year, reverse=True):
        months = by_year[year]
        total = sum(d.listed for ds in months.values() for d in ds)
        body.append(f"## {year} · {_plural(total, 'paper')}\n")
        for month in sorted(months, reverse=True):
            month_days = months[month]
            count = sum(d.listed for d in month_days)
            body.append(f"### {month_label(month)} · {_plural(count, 'paper')}\n")
            items = []
            for day in sorted(month_days, key=lambda d: d.date, reverse=True):
                label = day.date.strftime("%a %d")
                if day.fetched == 0:
                    note, css = "no announcements", ' class="day-empty"'
                else:
                    note, css = _plural(day.listed, "paper"), ""
                items.append(f'<li{css}><a href="{ctx.rel(here, day.path)}"><time datetime="{day.date.isoformat()}">{label}</time></a> <span>{note}</span></li>')
            body.append(html_block('<ul class="day-list">' + "".join(items) + "</ul>"))
    return _page({"title": "Archive", "sitegen": {"kind": "archive"}}, "\n".join(body))


# -- categories and tags ----------------------------------------------------------


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


def _topic_summary(ctx: Context, here: PurePosixPath, topic: Topic) -> str:
    parts = [_plural(len(topic.papers), "paper")]
    if topic.kind == "category":
        primary = sum(1 for p in topic.papers if p.primary_category == topic.key)
        parts.append(f"{primary:,} as primary category")
        if topic.followed:
            parts.append("followed")
    elif topic.followed:
        parts.append("from config.yml")
    if topic.papers:
        parts.append(f"latest {topic.papers[0].announced.isoformat()}")
    feeds = _feed_links(ctx, here, topic.kind, topic.key)
    return html_block(f'<p class="topic-summary">{esc(" · ".join(parts))} · {feeds}</p>')


def topic_pages(ctx: Context, topic: Topic) -> dict[PurePosixPath, str]:
    """A category's or tag's index page and, when it holds over PAGE_SIZE papers, its listing pages."""
    pages: dict[PurePosixPath, str] = {}
    here = topic.index
    kind_title = "Category" if topic.kind == "category" else "Tag"
    meta = {"title": topic.title, "sitegen": {"kind": topic.kind, "key": topic.key}}
    body = [f"# {md_inline(topic.title)}\n", _topic_summary(ctx, here, topic)]
    if len(topic.papers) <= PAGE_SIZE:
        body.append(html_block(paper_list(ctx, here, topic.papers)))
        pages[here] = _page(meta, "\n".join(body))
        return pages
    chunks = topic_chunks(topic.papers)
    located = [(topic.month_path(c.months[0], c.part), c) for c in chunks]
    body.append("## All papers, by month\n")
    rows = [
        f'<li><a href="{ctx.rel(here, path)}">{esc(chunk.label)}</a> <span>{_plural(len(chunk.papers), "paper")}</span></li>'
        for path, chunk in located
    ]
    body.append(html_block('<ul class="month-list">' + "".join(rows) + "</ul>"))
    body.append("## Latest papers\n")
    body.append(html_block(paper_list(ctx, here, topic.papers[:LATEST_ON_TOPIC_INDEX])))
    pages[here] = _page(meta, "\n".join(body))
    for index, (path, chunk) in enumerate(located):
        nav = [f'<a href="{ctx.rel(path, here)}">↑ {esc(topic.title)}</a>']
        if index > 0:
            newer_path, newer = located[index - 1]
            nav.append(f'<a href="{ctx.rel(path, newer_path)}">newer: {esc(newer.label)}</a>')
        if index + 1 < len(located):
            older_path, older = located[index + 1]
            nav.append(f'<a href="{ctx.rel(path, older_path)}">older: {esc(older.label)}</a>')
        page_body = [
            f"# {md_inline(topic.title)}: {md_inline(chunk.label)}\n",
            html_block(f'<p class="topic-nav">{" · ".join(nav)}</p>'),
            f"{kind_title} {md_inline(topic.key)}: {_plural(len(chunk.papers), 'paper')} announced in {md_inline(chunk.label)}, newest first.\n",
            html_block(paper_list(ctx, path, chunk.papers)),
        ]
        page_meta = {"title": f"{topic.title}: {chunk.label}", "sitegen": {"kind": topic.kind, "key": topic.key}}
        pages[path] = _page(page_meta, "\n".join(page_body))
    return pages


def categories_index(ctx: Context) -> str:
    here = paths.CATEGORIES_PATH
    body = ["# Categories\n"]
    if not ctx.categories:
        body.append("No papers yet, so no categories.\n")
    else:
        body.append("Every arXiv category of the archived papers (primary or cross-listed); the ones config.yml follows first.\n")
        rows = []
        for topic in ctx.categories:
            name = category_name(topic.key)
            flag = ' <span class="followed">followed</span>' if topic.followed else ""
            rows.append(
                f'<tr><td><a href="{ctx.rel(here, topic.index)}">{esc(topic.key)}</a>{flag}</td><td>{esc(name)}</td>'
                f"<td>{len(topic.papers):,}</td><td>{_feed_links(ctx, here, 'category', topic.key)}</td></tr>"
            )
        body.append(html_block('<table class="topic-table"><thead><tr><th>Category</th><th>Name</th><th>Papers</th><th>Feeds</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"))
    return _page({"title": "Categories", "sitegen": {"kind": "categories"}}, "\n".join(body))


def tags_index(ctx: Context) -> str:
    here = paths.TAGS_PATH
    body = ["# Tags\n"]
    if not ctx.tags:
        body.append("No papers yet, so no tags.\n")
    else:
        body.append("Tags are the keywords a paper matched and the followed authors who wrote it.\n")
        rows = []
        for topic in ctx.tags:
            rows.append(
                f'<tr><td><a href="{ctx.rel(here, topic.index)}">{esc(topic.key)}</a></td>'
                f"<td>{len(topic.papers):,}</td><td>{topic.papers[0].announced.isoformat()}</td><td>{_feed_links(ctx, here, 'tag', topic.key)}</td></tr>"
            )
        body.append(html_block('<table class="topic-table"><thead><tr><th>Tag</th><th>Papers</th><th>Latest</th><th>Feeds</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"))
    return _page({"title": "Tags", "sitegen": {"kind": "tags"}}, "\n".join(body))


# -- stats, feeds, search ----------------------------------------------------------

STATS_TOP = 20


def stats_page(ctx: Context) -> str:
    catalog = ctx.catalog
    days = list(catalog.days)
    per_month: Counter = Counter(month_of(p.announced) for p in catalog.papers.values())
    months = sorted(per_month)
    cats = sorted(ctx.categories, key=lambda t: (-len(t.papers), t.key))[:STATS_TOP]
    tags = ctx.tags[:STATS_TOP]
    data = {
        "days": {"labels": [d.date.isoformat() for d in days], "listed": [d.listed for d in days], "summarized": [d.summarized for d in days]},
        "months": {"labels": months, "papers": [per_month[m] for m in months]},
        "categories": {
            "labels": [t.key for t in cats],
            "primary": [sum(1 for p in t.papers if p.primary_category == t.key) for t in cats],
            "cross": [sum(1 for p in t.papers if p.primary_category != t.key) for t in cats],
        },
        "tags": {"labels": [t.key for t in tags], "papers": [len(t.papers) for t in tags]},
    }
    body = ["# Stats\n"]
    if not catalog.papers:
        body.append("No papers yet: the charts appear once the archive has some.\n")
        return _page({"title": "Stats", "sitegen": {"kind": "stats"}}, "\n".join(body))
    summarized = sum(1 for p in catalog.papers.values() if p.summary_model)
    body.append(
        f"{_plural(len(catalog.papers), 'paper')} on {_plural(len(days), 'day')}, "
        f"{summarized:,} with an AI summary, in {len(ctx.categories)} categories and {len(ctx.tags)} tags.\n"
    )

    def chart(chart_id: str, title: str, table_head: tuple[str, ...], rows: list[tuple[Any, ...]], tall: bool = False) -> str:
        table_rows = "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        head = "".join(f"<th>{esc(h)}</th>" for h in table_head)
        return (
            f"## {title}\n"
            + html_block(
                f'<figure class="stats-chart{" stats-chart--tall" if tall else ""}"><canvas id="{chart_id}" role="img" aria-label="{esc(title)}"></canvas></figure>'
                f'<details class="stats-table"><summary>The numbers</summary><table><thead><tr>{head}</tr></thead><tbody>{table_rows}</tbody></table></details>'
            )
        )

    body.append(chart("chart-days", "Papers per day", ("Day", "Listed", "Summarized"), [(d.date.isoformat(), d.listed, d.summarized) for d in reversed(days)]))
    body.append(chart("chart-months", "Papers per month", ("Month", "Papers"), [(m, per_month[m]) for m in reversed(months)]))
    body.append(chart(
        "chart-categories", "Papers per category", ("Category", "Primary", "Cross-listed"),
        list(zip(data["categories"]["labels"], data["categories"]["primary"], data["categories"]["cross"])), tall=True,
    ))  # fmt: skip
    body.append(chart("chart-tags", "Top tags", ("Tag", "Papers"), list(zip(data["tags"]["labels"], data["tags"]["papers"])), tall=True))
    body.append(html_block(f'<script type="application/json" id="archive-stats">{json_for_script(data)}</script>'))
    return _page({"title": "Stats", "sitegen": {"kind": "stats"}, "hide": ["toc"]}, "\n".join(body))


def feeds_page(ctx: Context) -> str:
    here = paths.FEEDS_PATH
    body = [
        "# Feeds\n",
        (
            "Subscribe in any feed reader: every item carries the paper's authors, abstract and, when there is one, "
            "its AI summary. Each feed holds the latest papers (the whole archive stays on this site).\n"
        ),
    ]
    rows = [f'<tr><td>All papers</td><td>{len(ctx.catalog.papers):,}</td><td>{_feed_links(ctx, here, "all")}</td></tr>']
    body.append("## Everything\n")
    body.append(html_block('<table class="topic-table"><thead><tr><th>Feed</th><th>Papers</th><th>Formats</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"))
    for title, topics in (("By category", ctx.categories), ("By tag", ctx.tags)):
        if not topics:
            continue
        rows = [
            f'<tr><td><a href="{ctx.rel(here, t.index)}">{esc(t.title)}</a></td><td>{len(t.papers):,}</td><td>{_feed_links(ctx, here, t.kind, t.key)}</td></tr>'
            for t in topics
        ]
        body.append(f"## {title}\n")
        body.append(html_block('<table class="topic-table"><thead><tr><th>Feed</th><th>Papers</th><th>Formats</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"))
    return _page({"title": "Feeds", "sitegen": {"kind": "feeds"}}, "\n".join(body))


def search_page(ctx: Context) -> str:
    body = [
        "# Search\n",
        html_block(
            '<div id="archive-search" class="archive-search" data-search-page>'
            '<form class="as-form" role="search" action="./" method="get">'
            '<input class="as-input" type="search" name="q" placeholder="Title words, author, arXiv id, anything in an abstract or summary" '
            'aria-label="Search the archive" autocomplete="off" spellcheck="false">'
            '<label class="as-sort">Sort <select name="sort"><option value="">best match</option>'
            '<option value="date-desc">newest first</option><option value="date-asc">oldest first</option></select></label>'
            "</form>"
            '<div class="as-layout"><aside class="as-filters" aria-label="Filters"></aside>'
            '<div class="as-main"><p class="as-status" role="status"></p><ol class="as-results"></ol>'
            '<button class="as-more md-button" type="button" hidden>More results</button></div></div>'
            "</div>"
            "<noscript><p>Search runs in your browser and needs JavaScript; without it, browse the "
            f'<a href="{ctx.rel(paths.SEARCH_PATH, paths.ARCHIVE_PATH)}">archive</a> or the '
            f'<a href="{ctx.rel(paths.SEARCH_PATH, paths.CATEGORIES_PATH)}">categories</a>.</p></noscript>'
        ),
    ]
    return _page({"title": "Search", "sitegen": {"kind": "search"}, "hide": ["toc"]}, "\n".join(body))


# -- about ----------------------------------------------------------------------


ANNOUNCE_TYPE_NOTES = {
    "new": "new: papers announced for the first time",
    "cross": "cross: cross-lists of papers whose primary category is another one",
    "replace": "replace: new versions of earlier papers",
    "replace-cross": "replace-cross: new versions of cross-listed papers",
}


def about_page(ctx: Context) -> str:
    """"About this archive": what config.yml makes it collect, rank and summarize."""
    here = paths.ABOUT_PATH
    site = ctx.site
    body = ["# About this archive\n"]
    if site.description:
        body.append(f"{md_inline(site.description)}\n")
    body.append(
        "Every weekday, arXiv announces the papers submitted the day before. A nightly job reads those announcements "
        "for the categories below, keeps the papers that match the keywords, ranks them, asks a language model for "
        "a summary of the best ones, and adds one page per paper and one per day to this archive. Nothing is ever "
        "removed: a new version of a paper updates its page.\n"
    )
    rows = "".join(f"<tr><td>{esc(code)}</td><td>{esc(category_name(code))}</td></tr>" for code in site.categories)
    body.append("## Categories\n")
    body.append(html_block(f'<table class="follow-table"><thead><tr><th>Category</th><th>Name</th></tr></thead><tbody>{rows}</tbody></table>'))
    kinds = [ANNOUNCE_TYPE_NOTES.get(kind, kind) for kind in site.announce_types]
    body.append("Announcements listed: " + "; ".join(md_inline(k) for k in kinds) + ".\n")
    body.append("## Keywords\n")
    regexes = dict(site.keyword_regexes)
    if site.keywords:
        items = []
        for name, weight in site.keywords:
            rule = f"<code>{esc(regexes[name])}</code>" if name in regexes else "at the start of a word, any case"
            weight_note = f", weight {weight:g}" if weight != 1 else ""
            link = f'<a href="{ctx.rel(here, paths.tag_path(name))}">{esc(name)}</a>' if paths.slug(name) in {paths.slug(t.key) for t in ctx.tags} else esc(name)
            items.append(f"<li>{link}: {rule}{weight_note}</li>")
        body.append(html_block('<ul class="about-keywords">' + "".join(items) + "</ul>"))
    else:
        body.append("No keywords: every paper of the categories is listed.\n")
    if site.exclude_keywords:
        body.append("Papers whose title or abstract contains any of these are left out: " + ", ".join(md_inline(k) for k in site.exclude_keywords) + ".\n")
    if site.authors:
        body.append("Papers by these authors are always listed, first: " + ", ".join(md_inline(a) for a in site.authors) + ".\n")
    if site.authors_exclude:
        body.append("Papers by these authors are never listed: " + ", ".join(md_inline(a) for a in site.authors_exclude) + ".\n")
    body.append("## Ranking\n")
    body.append(
        "Each paper scores +1 for every keyword found in its title or abstract and +0.5 more when the keyword is "
        "in the title, each keyword's part multiplied by its weight (the rule of the original arXiv Papers Bot, so "
        f"scores stay comparable). Papers scoring under {site.min_score:g} are not listed; a day lists at most "
        f"{site.max_papers} papers, best first. A paper's page shows the keywords that made its score.\n"
    )
    body.append("## AI summaries\n")
    if site.summary is None:
        body.append("Summaries are turned off for this archive.\n")
    else:
        summary = site.summary
        body.append(
            f"The {summary.papers_per_day} best papers of each day are summarized by <code>{md_inline(summary.model)}</code>, in "
            f"{md_inline(summary.language)}, from the paper's full text (the PDF, cut to about {summary.max_input_tokens:,} "
            "tokens) or, when the PDF cannot be had, from the abstract; each summary says which. Summaries are written "
            "by a machine and can be wrong: the paper is the reference.\n"
        )
    body.append("## Sources\n")
    body.append(
        "Announcements come from arXiv's RSS feeds, details from the arXiv API, full texts from arxiv.org, one request "
        "at a time as arXiv asks. Thank you to arXiv for use of its open access interoperability. "
        f"What each nightly run did is on the [run history]({paths.relative_link(here, paths.RUNS_PATH)}) page.\n"
    )
    return _page({"title": "About this archive", "sitegen": {"kind": "about"}}, "\n".join(body))


# -- everything ------------------------------------------------------------------


def derived_pages(catalog: Catalog, site: SiteInfo) -> dict[PurePosixPath, str]:
    """Every derived Markdown page, by its path inside docs/."""
    ctx = build_context(catalog, site)
    pages: dict[PurePosixPath, str] = {
        paths.HOME_PATH: home_page(ctx),
        paths.ARCHIVE_PATH: archive_page(ctx),
        paths.CATEGORIES_PATH: categories_index(ctx),
        paths.TAGS_PATH: tags_index(ctx),
        paths.STATS_PATH: stats_page(ctx),
        paths.FEEDS_PATH: feeds_page(ctx),
        paths.SEARCH_PATH: search_page(ctx),
        paths.ABOUT_PATH: about_page(ctx),
    }
    for topic in ctx.categories + ctx.tags:
        pages.update(topic_pages(ctx, topic))
    return pages
