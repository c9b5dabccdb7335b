"""The site tests' fixture archive, site builds, loopback server and HTML helpers.

The fixture archive is the demo's (the real CLI run on recorded arXiv data, by
demo.build, its top papers summarized by the real summary stage against the
`demo-replay` loopback server), plus what the recordings lack, written through the
generator's own renderer and writer: the fixture's own AI summaries on a few papers
(each with a word found nowhere else, for search), a paper whose title, abstract,
authors and judge's reason are hostile HTML (close to an interest paper by the learned
ranker's relevance), and an old-style arXiv id with TeX math in its title.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from demo.build import build_archive
from generator.archive.models import Announcement, DayCounts, DayRecord, Interest, Judgement, Paper, Score, Summary
from generator.archive.paths import day_path, paper_path
from generator.archive.records import day_page, day_title, paper_page, read_day, read_paper
from generator.archive.store import Archive

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "demo" / "config.yml"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
"""Debian's Chromium here and in .ci/run; $CHROMIUM names another (GitHub's runners ship google-chrome)."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

SUMMARIZED = ("2504.18298", "2604.26837", "2609.26811")
SUMMARY_ONLY_WORD = "zygomorphic"
"""A word that appears in one paper's AI summary and nowhere else in the archive."""
HOSTILE_ID = "2609.99901"
HOSTILE_TITLE = 'Evil </title><script>alert("title")</script> <img src=x onerror=alert(1)> "q" & $a<b$'
HOSTILE_ABSTRACT = "Abstract <img src=x onerror=alert(3)> <script>alert(4)</script> with math $x_1 < y$ and an ampersand &amp; too."
HOSTILE_AUTHORS = ("<b>Bold</b> O'Brien", 'Quote "Q" Person')
HOSTILE_REASON = 'Close to your "work" </p><script>alert("why")</script><img src=x onerror=alert(5)> & {{ x }} $a<b$'
"""The judge's reason on the hostile paper: model output, stored as the model wrote it here (the judge cleans it on the way in;
the site must show even this as text)."""
OLD_STYLE_ID = "hep-th/9901001"
OLD_STYLE_TITLE = r"Spectra of $\mathcal{N}=4$ theories and \(SU(N_c)\) at large $N_c$"
EXTRA_DAY = dt.date(2026, 9, 25)


@dataclass(frozen=True)
class FixtureArchive:
    docs: Path
    config: Path


def summary_markdown(arxiv_id: str) -> str:
    """A four-part summary like the summarizer's, as the Markdown a page stores."""
    marker = f" The {SUMMARY_ONLY_WORD} schedule is its key idea." if arxiv_id == SUMMARIZED[1] else ""
    return (
        "**Contributions**\n\n- A new method for the stated problem." + marker + "\n\n"
        "**Data and setup**\n\n- Experiments on the benchmarks named in the paper.\n\n"
        "**Results and ablations**\n\n- Better than the baselines, with math $O(n \\log n)$.\n\n"
        "**Conclusions and limits**\n\n- Limits are discussed."
    )


def _extra_papers() -> list[Paper]:
    hostile = Announcement(
        arxiv_id=HOSTILE_ID, version=1, title=HOSTILE_TITLE, abstract=HOSTILE_ABSTRACT, authors=HOSTILE_AUTHORS,
        categories=("cs.LG", "cs.CR"), primary_category="cs.LG", announce_type="new", announced=EXTRA_DAY,
    )  # fmt: skip
    old_style = Announcement(
        arxiv_id=OLD_STYLE_ID, version=2, title=OLD_STYLE_TITLE,
        abstract=r"We compute $\langle O \rangle$ for Efficient Training at $N_c \to \infty$ with \(g^2 N_c\) fixed.",
        authors=("Jérôme Gauntlett", "Zoë Ångström"), categories=("hep-th", "cs.LG"), primary_category="hep-th",
        announce_type="cross", announced=EXTRA_DAY, doi="10.1000/xyz(1)",
    )  # fmt: skip
    near = Interest(0.081, "2504.18298", "A paper of the reader's", relevance=0.93, method="classifier", features="tfidf")
    return [
        Paper(
            hostile,
            Score(4.0, ("Training", "Efficient")),
            EXTRA_DAY,
            "new",
            interest=near,
            judgement=Judgement(8, HOSTILE_REASON, "qwen-long"),
        ),
        Paper(old_style, Score(3.0, ("Training", "Efficient")), EXTRA_DAY, "cross"),
    ]


def make_fixture_archive(root: Path) -> FixtureArchive:
    """The demo archive plus summaries, a hostile paper and an old-style id, in root/docs."""
    docs = build_archive(root, quiet=True)
    archive = Archive(docs)
    pages: dict = {}
    touched_days: set[dt.date] = set()
    for arxiv_id in SUMMARIZED:
        paper = archive.read_paper(arxiv_id)
        assert paper is not None, f"the demo archive lost {arxiv_id}"
        summary = Summary(
            "qwen-long",
            "abstract",
            "0" * 64,
            f"{paper.announced.isoformat()}T06:00:00Z",
            paper.announcement.version,
            summary_markdown(arxiv_id),
        )
        pages[paper_path(arxiv_id)] = paper_page(replace(paper, summary=summary))
        touched_days.add(paper.announced)
    archive.write(pages)
    # Day pages count their summarized papers: rewrite those days.
    day_pages = {}
    for day in sorted(touched_days):
        record = archive.read_day(day)
        summarized = sum(archive.read_paper(i).summary is not None for i in record.papers)
        day_pages[day_path(day)] = day_page(replace(record, counts=replace(record.counts, summarized=summarized)))
    archive.write(day_pages)
    extra = _extra_papers()
    extra_day = DayRecord(EXTRA_DAY, day_title(EXTRA_DAY), tuple(p.arxiv_id for p in extra), DayCounts(9, 2, 2, 0))
    archive.write({**{paper_path(p.arxiv_id): paper_page(p) for p in extra}, day_path(EXTRA_DAY): day_page(extra_day)})
    return FixtureArchive(docs, DEMO_CONFIG)


@dataclass(frozen=True)
class BuildCommand:
    args: list[str]
    cwd: Path
    env: dict[str, str]


def build_command(
    docs: Path, config: Path, out: Path, mkdocs_yml: Path = ROOT / "mkdocs.yml", environ: Mapping[str, str | None] | None = None
) -> BuildCommand:
    """`mkdocs build --strict` of this archive into `out`, as a user runs it (`environ`: variables to set, or with None to unset)."""
    env = {
        **os.environ,
        "ARCHIVE_DOCS": str(docs),
        "ARCHIVE_CONFIG": str(config),
        "DISABLE_MKDOCS_2_WARNING": "true",
        "NO_MKDOCS_2_WARNING": "1",
        # The build cache beside the site, never in the repository (a second build of the same site is warm).
        "ARCHIVE_CACHE": str(Path(out).parent / f"{Path(out).name}-build-cache"),
    }
    for name, value in (environ or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return BuildCommand([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(mkdocs_yml), "-d", str(out)], ROOT, env)


def build_site(
    docs: Path, config: Path, out: Path, mkdocs_yml: Path = ROOT / "mkdocs.yml", environ: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of this archive into `out`, run to its end (build_command)."""
    command = build_command(docs, config, out, mkdocs_yml, environ)
    return subprocess.run(command.args, cwd=command.cwd, env=command.env, capture_output=True, text=True, timeout=600)


def rendered_article(docs: Path, relpath: PurePosixPath) -> str:
    """The article HTML the site shows for the paper or day page at docs/relpath (overrides/archive/'s templates)."""
    from generator.website.catalog import read_catalog
    from generator.website.context import build_context
    from generator.website.render import Renderer, environment
    from generator.website.settings import load_site_config, site_info

    catalog = read_catalog(docs)
    renderer = Renderer(environment([ROOT / "overrides"]), build_context(catalog, site_info(load_site_config(DEMO_CONFIG))))
    if relpath.parts[0] == "papers":
        return str(renderer.paper(next(p for p in catalog.papers.values() if p.path == relpath)).content)
    return str(renderer.day(next(d for d in catalog.days if d.path == relpath)).content)


def read_archived_paper(docs: Path, arxiv_id: str) -> Paper:
    return read_paper((docs / paper_path(arxiv_id)).read_text(encoding="utf-8"), arxiv_id)


@contextlib.contextmanager
def serve(folder: Path):
    """Serve a folder on 127.0.0.1 (a free port); yield the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class PageParser(HTMLParser):
    """Links, ids, meta tags and elements of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (attribute, value)
        self.ids: set[str] = set()
        self.meta: list[tuple[str, str]] = []
        self.alternates: list[dict[str, str]] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self._title: list[str] | None = None
        self.title = ""

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for name in ("href", "src"):
            if name in attributes and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.links.append((name, attributes[name]))
        if tag == "meta" and "name" in attributes:
            self.meta.append((attributes["name"], attributes.get("content", "")))
        if tag == "link" and attributes.get("rel") == "alternate":
            self.alternates.append(attributes)
        if tag == "title":
            self._title = []

    def handle_data(self, data):
        if self._title is not None:
            self._title.append(data)

    def handle_endtag(self, tag):
        if tag == "title" and self._title is not None:
            self.title = "".join(self._title)
            self._title = None


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def chromium_launch_options() -> dict:
    """Playwright launch options for Debian's chromium; fail (never skip) when it is missing."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (`make browser` or `apt-get install chromium`)"
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class Reader:
    """A browser page that records every request, failure and console error."""

    def __init__(self, browser, base: str, **context):
        self.base = base
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: self.failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        # A request cut short because the reader moved on to another page is no failure.
        self.page.on(
            "requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else self.failures.append(f"failed {r.url}: {r.failure}")
        )
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)

    def close(self) -> None:
        self.context.close()

    def assert_clean(self) -> None:
        outside = [u for u in self.requests if not u.startswith(self.base)]
        assert outside == [], f"requests left 127.0.0.1: {outside}"
        assert self.failures == [], self.failures
        assert self.errors == [], self.errors
        assert self.dialogs == [], f"arXiv text ran as script: {self.dialogs}"


def add_papers(docs: Path, day: dt.date, count: int) -> list[str]:
    """`count` new papers announced on `day` (a day of the archive), written as the generator writes them."""
    archive = Archive(docs)
    record = archive.read_day(day)
    model = archive.read_paper(record.papers[0])
    new = []
    for n in range(count):
        arxiv_id = f"{day:%y%m}.9{n:04d}"
        announcement = replace(model.announcement, arxiv_id=arxiv_id, title=f"An added paper on segment keeping {n}")
        new.append(Paper(announcement, Score(1.0, ()), day, "new"))
    pages = {paper_path(p.arxiv_id): paper_page(p) for p in new}
    pages[day_path(day)] = day_page(DayRecord(day, record.title, record.papers + tuple(p.arxiv_id for p in new), record.counts))
    archive.write(pages)
    return [p.arxiv_id for p in new]


def last_day_removed(docs: Path) -> None:
    """Night N-1: the archive before its last day (that day's page and its papers' pages gone)."""
    day = sorted((docs / "days").glob("*/*.md"))[-1]
    record = read_day(day.read_text(encoding="utf-8"), str(day))
    for arxiv_id in record.papers:
        (docs / paper_path(arxiv_id)).unlink()
    day.unlink()
