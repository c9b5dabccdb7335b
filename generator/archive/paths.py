"""Where every page of the archive lives inside docs/: the one place for path formats.

The generator writes papers and days; the site's build script (generator/website/) derives
the home, archive, category, tag, stats, feeds and search pages and the feed files.
Both use these helpers, so a link written in a paper page always names the page
the build generates.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import PurePosixPath

from generator.arxiv.ids import is_arxiv_id, old_style_parts


def paper_path(arxiv_id: str) -> PurePosixPath:
    """`papers/2609/2609.26811.md`; old-style `hep-th/9901001` → `papers/hep-th/9901001.md`."""
    if not is_arxiv_id(arxiv_id):
        raise ValueError(f"not a base arXiv id: {arxiv_id!r}")
    old = old_style_parts(arxiv_id)
    if old:
        return PurePosixPath("papers", old[0], f"{old[1]}.md")
    return PurePosixPath("papers", arxiv_id[:4], f"{arxiv_id}.md")


def day_path(day: dt.date) -> PurePosixPath:
    """`days/2026/2026-09-24.md`."""
    return PurePosixPath("days", f"{day.year:04d}", f"{day.isoformat()}.md")


def run_records_path(day: dt.date) -> PurePosixPath:
    """Run records of the runs started on a UTC date: `runs/2026/2026-09-24.yml`."""
    return PurePosixPath("runs", f"{day.year:04d}", f"{day.isoformat()}.yml")


def slug(text: str) -> str:
    """URL-safe lower-case slug: `Mixture of Experts` → `mixture-of-experts`, `FP8` → `fp8`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    value = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return value or "tag"


def category_path(code: str) -> PurePosixPath:
    """Index page of one category: `categories/cs.LG/index.md`.

    Codes come from the feed, so anything else is made one safe folder name: no `/`,
    no `.` or `..`, no hidden folder, at most 100 characters.
    """
    safe = re.sub(r"[^A-Za-z0-9.-]", "-", code)[:100]
    safe = re.sub(r"^\.", "-", safe) or "-"
    return PurePosixPath("categories", safe, "index.md")


def tag_path(tag: str) -> PurePosixPath:
    """Index page of one tag: `tags/mixture-of-experts/index.md`."""
    return PurePosixPath("tags", slug(tag), "index.md")


def category_month_path(code: str, month: str, part: int = 1) -> PurePosixPath:
    """One month of a large category: `categories/cs.LG/2026-04.md`, then `2026-04-part-2.md`."""
    return _month_page(category_path(code), month, part)


def tag_month_path(tag: str, month: str, part: int = 1) -> PurePosixPath:
    """One month of a large tag: `tags/llm/2026-04.md`, then `2026-04-part-2.md`."""
    return _month_page(tag_path(tag), month, part)


def _month_page(index: PurePosixPath, month: str, part: int) -> PurePosixPath:
    if not re.fullmatch(r"\d{4}-\d{2}", month) or part < 1:
        raise ValueError(f"not a month page: {month!r} part {part}")
    return index.parent / (f"{month}.md" if part == 1 else f"{month}-part-{part}.md")


# Pages derived at build time, one each.
HOME_PATH = PurePosixPath("index.md")
ARCHIVE_PATH = PurePosixPath("archive", "index.md")
CATEGORIES_PATH = PurePosixPath("categories", "index.md")
TAGS_PATH = PurePosixPath("tags", "index.md")
STATS_PATH = PurePosixPath("stats", "index.md")
FEEDS_PATH = PurePosixPath("feeds", "index.md")
SEARCH_PATH = PurePosixPath("search", "index.md")
ABOUT_PATH = PurePosixPath("about", "index.md")
RUNS_PATH = PurePosixPath("runs", "index.md")
READING_LIST_PATH = PurePosixPath("reading-list", "index.md")

FEED_FORMATS = ("rss", "atom")


def feed_path(kind: str, key: str = "", fmt: str = "rss") -> PurePosixPath:
    """A feed file: `feeds/all.rss.xml`, `feeds/categories/cs.LG.atom.xml`, `feeds/tags/llm.rss.xml`."""
    if fmt not in FEED_FORMATS:
        raise ValueError(f"unknown feed format {fmt!r}")
    if kind == "all":
        return PurePosixPath("feeds", f"all.{fmt}.xml")
    if kind == "category":
        return PurePosixPath("feeds", "categories", f"{category_path(key).parent.name}.{fmt}.xml")
    if kind == "tag":
        return PurePosixPath("feeds", "tags", f"{slug(key)}.{fmt}.xml")
    raise ValueError(f"unknown feed kind {kind!r}")


def page_url(page: PurePosixPath, directory_urls: bool = True) -> str:
    """URL of a docs/ page relative to the site root, as MkDocs builds it.

    `papers/2609/2609.26811.md` → `papers/2609/2609.26811/` (or `….html` without
    directory URLs); `categories/cs.LG/index.md` → `categories/cs.LG/`; other files keep
    their name (`feeds/all.rss.xml`).
    """
    text = str(page)  # string operations: a build asks this of every page (200,000 PurePosixPath operations cost seconds)
    name = text[text.rfind("/") + 1 :]
    if not name.endswith(".md") or name == ".md":
        return text
    if name in ("index.md", "README.md"):
        parent = text[: len(text) - len(name)]
        return parent if directory_urls else parent + "index.html"
    return text[:-3] + ("/" if directory_urls else ".html")


def relative_url(from_page: PurePosixPath, to_page: PurePosixPath, directory_urls: bool = True) -> str:
    """Relative URL from one built page to another, for links written as HTML (not rewritten by MkDocs)."""
    here = page_url(from_page, directory_urls)
    base = here[: here.rfind("/") + 1]  # the folder the page is served from
    base_parts = base.strip("/").split("/") if base else []
    target = page_url(to_page, directory_urls)
    target_parts = target.split("/")
    common = 0
    while common < len(base_parts) and common < len(target_parts) - 1 and base_parts[common] == target_parts[common]:
        common += 1
    up = [".."] * (len(base_parts) - common)
    rest = target_parts[common:]
    joined = "/".join(up + rest)
    return joined or "./"


def relative_link(from_page: PurePosixPath, to_page: PurePosixPath) -> str:
    """Relative Markdown link from one docs/ page to another (MkDocs checks and rewrites it)."""
    up = len(from_page.parent.parts)
    return "/".join([".."] * up + list(to_page.parts))
