"""Every page of the site, rendered from the records by the templates in overrides/archive/.

`environment(dirs)` is the site's own Jinja environment: autoescaping on, so
everything from front matter and config.yml is escaped where it is printed; only HTML
that is already safe (the sanitized AI summary, the output of another template) is
passed as `Markup`. `Renderer` turns records into `SitePage`s (title, <head> tags,
article HTML), Pagefind documents and feed items. Pure: no file is read or written.

Templates (all in `archive/`, overridable like any Material template):
paper, day, topic (a category's or tag's index), topic-month (one listing page),
home, archive, categories, tags, stats, feeds, search, about, runs; partials/ for a
paper in a list, a day entry and the authors line; head (feed links, citation tags),
search-document (what Pagefind indexes of a paper) and feed-item (an RSS/Atom item).

arXiv's text (titles, abstracts, comments, journal references) is TeX-flavoured and
is given its meaning here, at render time, by generator.text.tex, through five filters that
every template uses: `tex` (a page: HTML, math in `span.tex-math` for KaTeX), `tex_title`
(a title in a list: the text of its link, math as readable text, so lists load no KaTeX),
`tex_plain` (<title>, meta tags, the search index: plain Unicode text), `tex_feed` (a
feed item: HTML without math, which feed readers do not typeset) and `tex_bibtex` (a
BibTeX value).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import jinja2
from markdown.extensions.toc import slugify
from markupsafe import Markup

from generator.archive import paths
from generator.archive.runs import RunRecord, last_successful_night
from generator.arxiv.taxonomy import category_name
from generator.errors import GeneratorError
from generator.text.markdown import render_summary_html, summary_text
from generator.text.tex import tex_bibtex, tex_feed_html, tex_html, tex_plain
from generator.website import meta, reader
from generator.website.catalog import DayEntry, PaperEntry, render_summary
from generator.website.cite import bibtex_key
from generator.website.context import (
    AUTHORS_SHOWN,
    HOME_TOP,
    Context,
    Topic,
    TopicPage,
    archive_tree,
    json_for_script,
    month_label,
    plural,
    stats_data,
    topic_pages,
)
from generator.website.related import RelatedIndex, RelatedPlan
from generator.website.settings import SiteInfo

if TYPE_CHECKING:
    from generator.ranking.interests import InterestCache  # loads the arXiv client: only archives with interests need it

ANNOUNCE_TYPE_NOTES = {
    "new": "new: papers announced for the first time",
    "cross": "cross: cross-lists of papers whose primary category is another one",
    "replace": "replace: new versions of earlier papers",
    "replace-cross": "replace-cross: new versions of cross-listed papers",
}
NAV_KINDS = ("home", "archive", "categories", "tags", "stats", "feeds", "search", "about", "runs", "reading-list")
"""Pages in the nav: MkDocs builds them (their content comes from here)."""
SHELL_KINDS = ("paper", "day", "category", "tag")
"""Pages outside the nav: the plugin writes them into a Material page shell (generator.website.shell)."""


@dataclass(frozen=True)
class SitePage:
    """One page of the site, ready to be put into the theme's page."""

    path: PurePosixPath
    """Where it would live in docs/ (`papers/2504/2504.18298.md`): its URL follows from it."""
    kind: str
    """One of NAV_KINDS or SHELL_KINDS."""
    title: str
    """Title as plain text (a paper's TeX given its meaning, generator.text.tex.tex_plain; escaped where printed).

    "" for the home page, titled by the site name."""
    content: Markup
    """The article's HTML."""
    head: Markup
    """Extra <head> tags: feed links, citation_* tags."""
    description: str | None = None
    """<meta name="description">, plain text (escaped where printed); None: the site's description."""
    lastmod: dt.date | None = None
    """Last change, for the sitemap."""
    hide: tuple[str, ...] = ()
    """Material's `hide` front matter (toc, navigation)."""


def _score(value: float) -> str:
    return f"{value:g}"


def _number(value: int) -> str:
    return f"{value:,}"


def environment(dirs: Sequence[str | Path]) -> jinja2.Environment:
    """The site's Jinja environment over the theme folders (overrides/ first)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        score=_score, number=_number, anchor=lambda text: slugify(str(text), "-"), json_script=lambda data: Markup(json_for_script(data)),
        zip=lambda first, *others: list(zip(first, *others)),
        tex=tex_html, tex_title=lambda text: tex_html(text, links=False, math=False), tex_plain=tex_plain,
        tex_feed=lambda text: Markup(tex_feed_html(text)), tex_bibtex=tex_bibtex,
    )  # fmt: skip
    env.globals.update(
        category_name=category_name, plural=plural, month_label=month_label, slug=paths.slug, paths=paths,
        AUTHORS_SHOWN=AUTHORS_SHOWN, reader=reader,
    )  # fmt: skip
    return env


_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)


def toc_tokens(content: str) -> list[dict]:
    """The h2/h3 headings of a rendered page, as MkDocs' toc tokens (for Material's table of contents)."""
    tokens: list[dict] = []
    for level, anchor, name in _HEADING.findall(content):
        token = {"level": int(level), "id": anchor, "name": name.strip(), "children": []}
        if token["level"] == 3 and tokens:
            tokens[-1]["children"].append(token)
        else:
            tokens.append(token)
    return tokens


class TemplateError(GeneratorError):
    """A template of the site failed to load or render."""


def template_error(exc: jinja2.TemplateError) -> TemplateError:
    """The template file and line where Jinja failed, as one line with its fix."""
    where = None
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        where = f"{exc.filename}:{exc.lineno}"
    else:
        frame = exc.__traceback__
        while frame is not None:  # the innermost frame that runs a template
            if frame.tb_frame.f_code.co_filename.endswith(".html"):
                where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}"
            frame = frame.tb_next
    message = str(exc.message if isinstance(exc, jinja2.TemplateSyntaxError) else exc).splitlines()[0] if str(exc) else type(exc).__name__
    return TemplateError(
        f"{where or 'a template of overrides/archive/'}: {message}", fix="correct the template (or remove your override of it)"
    )


class Renderer:
    """Records in, pages out: one per build (it caches rendered summaries and templates)."""

    def __init__(self, env: jinja2.Environment, ctx: Context | None = None):
        self.env = env
        self.ctx = ctx
        """The archive's pages and topics; None while the records are still being read (search documents need only the paper)."""
        self._summaries: dict[str, Markup | None] = {}
        self._templates: dict[str, jinja2.Template] = {}
        self.related: RelatedIndex | None = None
        """Every paper's related papers (generator.website.related), once computed; None renders paper pages without them."""
        self._plan: tuple[Context | None, list] | None = None

    @property
    def site(self) -> SiteInfo:
        return self.ctx.site

    def template(self, name: str) -> jinja2.Template:
        found = self._templates.get(name)
        if found is None:
            found = self._templates[name] = self.env.get_template(f"archive/{name}.html")
        return found

    def summary(self, paper: PaperEntry) -> Markup | None:
        """The AI summary as sanitized HTML (rendered once per build)."""
        if paper.arxiv_id not in self._summaries:
            html = render_summary(paper.record)
            self._summaries[paper.arxiv_id] = Markup(html) if html else None
        return self._summaries[paper.arxiv_id]

    def forget_summary(self, paper: PaperEntry) -> None:
        """Drop a cached summary once its last user is done (a 50,000-paper archive holds ~40 MB of them)."""
        self._summaries.pop(paper.arxiv_id, None)

    # -- <head> -----------------------------------------------------------------

    def head(self, here: PurePosixPath, topic: Topic | None = None, paper: PaperEntry | None = None, atom: bool = True) -> Markup:
        """<head> tags: links to the feeds (a topic's own first, then the site's) and a paper's citation_* tags.

        Feed readers find the feeds from any page: a paper page names its primary category's
        feed and the site's, a day page the site's. Those pages (10,000 and more) name the RSS
        feeds only (`atom=False`); listing pages both. Material's script fetches a sitemap.xml
        next to every feed link (generator/website/outputs/feeds.py writes empty ones).
        """
        to = self.ctx.links(here)
        if paper is not None and paper.primary_category and topic is None:
            topic = self.ctx.category(paper.primary_category)
        feeds = [(self.site.title, to.feed("all", "", "rss"), to.feed("all", "", "atom") if atom else None)]
        if topic is not None:
            feeds.insert(
                0,
                (
                    f"{self.site.title}: {topic.title}",
                    to.feed(topic.kind, topic.key, "rss"),
                    to.feed(topic.kind, topic.key, "atom") if atom else None,
                ),
            )
        url = self.site.url + paths.page_url(paper.path, self.site.directory_urls) if paper is not None else ""
        return Markup(self.template("head").render(feeds=feeds, paper=paper, url=url).strip())

    # -- pages outside the nav ----------------------------------------------------

    def related_papers(self, paper: PaperEntry) -> list[tuple[PaperEntry, float]] | None:
        """The paper's related archived papers with their similarity, most similar first (None: not computed)."""
        if self.related is None:
            return None
        papers = self.ctx.catalog.papers
        return [(papers[n.arxiv_id], n.similarity) for n in self.related.of(paper.arxiv_id) if n.arxiv_id in papers]

    def paper(self, paper: PaperEntry) -> SitePage:
        here = paper.path
        content = self.template("paper").render(
            paper=paper,
            to=self.ctx.links(here),
            summary=self.summary(paper),
            bibtex_key=bibtex_key(paper.record),
            related=self.related_papers(paper),
        )
        head = self.head(here, paper=paper, atom=False)
        return SitePage(
            here, "paper", tex_plain(paper.title), Markup(content), head, meta.paper_description(paper), paper.last_changed
        )  # fmt: skip

    def day(self, day: DayEntry) -> SitePage:
        here = day.path
        papers = [self.ctx.catalog.entry(p) for p in self.ctx.day_papers(day)]  # entries show the abstract's start and the gist
        content = self.template("day").render(
            day=day, papers=papers, updated=self.ctx.updated_papers(day), to=self.ctx.links(here), note=self.note(day)
        )
        return SitePage(here, "day", day.title, Markup(content), self.head(here, atom=False), meta.day_description(day, papers), day.date)

    def note(self, day: DayEntry) -> Markup | None:
        """A day's free-text note (Markdown a person wrote), rendered and sanitized like a summary; None without one."""
        return Markup(render_summary_html(day.note)) if day.note.strip() else None

    def topic_page(self, page: TopicPage) -> SitePage:
        """A category's or tag's index page, or one of its listing pages."""
        to = self.ctx.links(page.path)
        if page.chunk is None:
            content = self.template("topic").render(topic=page.topic, to=to, chunks=page.chunks, papers=page.papers)
        else:
            newer, older = page.neighbours()
            content = self.template("topic-month").render(topic=page.topic, chunk=page.chunk, to=to, newer=newer, older=older)
        listed = page.chunk.papers if page.chunk is not None else page.topic.papers
        description = meta.topic_description(page.title, len(listed), page.papers, self.site.title)
        return SitePage(
            page.path, page.topic.kind, page.title, Markup(content), self.head(page.path, topic=page.topic), description, page.lastmod
        )

    def shell_plan(self) -> list[tuple[PurePosixPath, str, dt.date | None, object]]:
        """Every page outside the nav, unrendered: (path, kind, last change, record or TopicPage); made once per context
        (the sitemap and the writing of the pages both walk it: a topic's last change is the newest of its papers)."""
        if self._plan is None or self._plan[0] is not self.ctx:
            self._plan = (self.ctx, list(self._planned()))
        return self._plan[1]

    def _planned(self) -> Iterator[tuple[PurePosixPath, str, dt.date | None, object]]:
        for paper in self.ctx.catalog.papers.values():
            yield paper.path, "paper", paper.last_changed, paper
        for day in self.ctx.catalog.days:
            yield day.path, "day", day.date, day
        for topic in self.ctx.categories + self.ctx.tags:
            for page in topic_pages(topic):
                yield page.path, topic.kind, page.lastmod, page

    def render(self, kind: str, item: object) -> SitePage:
        """Render one planned page (see shell_plan)."""
        if kind == "paper":
            return self.paper(item)  # type: ignore[arg-type]
        if kind == "day":
            return self.day(item)  # type: ignore[arg-type]
        return self.topic_page(item)  # type: ignore[arg-type]

    # -- pages in the nav -----------------------------------------------------------

    def _nav_page(
        self, kind: str, path: PurePosixPath, title: str, hide: tuple[str, ...] = (), lastmod: dt.date | None = None, **data
    ) -> SitePage:
        content = self.template(kind).render(ctx=self.ctx, site=self.site, to=self.ctx.links(path), **data)
        catalog = self.ctx.catalog
        description = meta.nav_description(
            kind, site=self.site.title, description=self.site.description, papers=len(catalog.papers), days=len(catalog.days)
        )
        return SitePage(path, kind, title, Markup(content), self.head(path), description, lastmod, hide)

    def nav_pages(
        self, runs: Sequence[RunRecord] = (), interests: InterestCache | None = None, related: RelatedPlan | None = None
    ) -> list[SitePage]:
        """The pages of the nav; `interests` (the cached interest papers) and `related` (the engine) are for the About page."""
        ctx = self.ctx
        catalog = ctx.catalog
        last_day = catalog.days[-1] if catalog.days else None
        latest = next((d for d in reversed(catalog.days) if d.papers), None)
        newest = last_day.date if last_day else None
        return [
            self._nav_page(
                "home", paths.HOME_PATH, "", lastmod=newest, last_day=last_day, latest=latest,
                top=[catalog.entry(p) for p in ctx.day_papers(latest)[:HOME_TOP]] if latest else [],
                tag_counts={paths.slug(t.key): len(t.papers) for t in ctx.tags},
                recent_days=reader.recent_days((d.date, len(ctx.day_papers(d))) for d in catalog.days),
                category_counts={t.key: len(t.papers) for t in ctx.categories},
            ),
            self._nav_page("archive", paths.ARCHIVE_PATH, "Archive", lastmod=newest, tree=archive_tree(catalog.days)),
            self._nav_page("categories", paths.CATEGORIES_PATH, "Categories", lastmod=newest),
            self._nav_page("tags", paths.TAGS_PATH, "Tags", lastmod=newest),
            self._nav_page("stats", paths.STATS_PATH, "Stats", ("toc",), newest, data=stats_data(ctx)),
            self._nav_page("feeds", paths.FEEDS_PATH, "Feeds", lastmod=newest),
            self._nav_page("search", paths.SEARCH_PATH, "Search", ("toc",)),
            self._nav_page(
                "about", paths.ABOUT_PATH, "About this archive",
                announce_types=[ANNOUNCE_TYPE_NOTES.get(k, k) for k in self.site.announce_types],
                regexes=dict(self.site.keyword_regexes), tag_keys={paths.slug(t.key) for t in ctx.tags},
                interests=interests, related=related, ranking=last_ranking(runs),
            ),
            self._nav_page("runs", paths.RUNS_PATH, "Run history", **runs_view(runs)),
            self._nav_page("reading-list", paths.READING_LIST_PATH, "Reading list", ("toc",)),
        ]  # fmt: skip

    # -- search and feeds --------------------------------------------------------------

    def search_document(self, paper: PaperEntry) -> str:
        """What Pagefind indexes of a paper (its page shows more, which search should not match).

        The summary goes in as the words of its Markdown (generator.text.markdown.summary_text), so the index
        need not wait for summaries to be rendered: those are for the pages.
        """
        summary = summary_text(paper.summary.markdown) if paper.summary is not None else None
        return self.template("search-document").render(paper=paper, summary=summary)

    def feed_item(self, paper: PaperEntry) -> str:
        """The HTML body of one feed item (TeX as readable text: feed readers typeset no math)."""
        summary = render_summary(paper.record, for_feed=True)
        return self.template("feed-item").render(
            paper=paper,
            url=self.site.url + paths.page_url(paper.path, self.site.directory_urls),
            summary=Markup(summary) if summary else None,
        )


def last_ranking(runs: Sequence[RunRecord]) -> RunRecord | None:
    """The newest run that ranked a day by relevance (its `ranking` says how), for the About page."""
    return max((r for r in runs if r.ranking is not None), key=lambda r: r.started, default=None)


def llm_spend(run: RunRecord) -> dict | None:
    """What a run's LLM requests cost, summaries and judge together (None when it made neither)."""
    parts = [f for f in (run.summaries, run.judge) if f is not None]
    if not parts:
        return None
    costs: dict[str, float] = defaultdict(float)
    for f in parts:
        costs[f.currency] += f.estimated_cost
    return {
        "requests": sum(f.requests for f in parts), "prompt_tokens": sum(f.prompt_tokens for f in parts),
        "completion_tokens": sum(f.completion_tokens for f in parts), "costs": sorted(costs.items()),
    }  # fmt: skip


def runs_view(records: Sequence[RunRecord]) -> dict:
    """The run-history page's data: runs newest first, totals per month (summaries and judge), warnings."""
    runs = sorted(records, key=lambda r: r.started, reverse=True)
    months: dict[str, list[RunRecord]] = defaultdict(list)
    for run in runs:
        months[run.started[:7]].append(run)
    totals = []
    for month, month_runs in months.items():
        figures = [r.summaries for r in month_runs if r.summaries]
        spends = [s for s in map(llm_spend, month_runs) if s]
        costs: dict[str, float] = defaultdict(float)
        for spend in spends:
            for currency, cost in spend["costs"]:
                costs[currency] += cost
        totals.append({
            "month": month, "runs": len(month_runs), "requests": sum(s["requests"] for s in spends),
            "prompt_tokens": sum(s["prompt_tokens"] for s in spends), "completion_tokens": sum(s["completion_tokens"] for s in spends),
            "summarized": sum(f.summarized for f in figures), "failures": sum(f.failures for f in figures), "costs": sorted(costs.items()),
        })  # fmt: skip
    return {
        "runs": runs, "months": totals, "warned": [r for r in runs if r.warnings], "night": last_successful_night(list(records)),
        "spend": {r.started: llm_spend(r) for r in runs},
    }  # fmt: skip
