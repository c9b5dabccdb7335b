"""Where every page of the archive lives inside docs/: the one place for path formats.

The generator writes papers and days; the site's build script derives category,
tag, archive, stats and feed pages. Both use these helpers, so a link written in
a paper page always names the page the build generates.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import PurePosixPath

from .arxiv_ids import is_arxiv_id, old_style_parts


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


def relative_link(from_page: PurePosixPath, to_page: PurePosixPath) -> str:
    """Relative Markdown link from one docs/ page to another (MkDocs checks and rewrites it)."""
    up = len(from_page.parent.parts)
    return "/".join([".."] * up + list(to_page.parts))
