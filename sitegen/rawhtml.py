"""Raw HTML in the archive's Markdown pages: set it aside for speed, and resolve its `.md` links.

Paper pages are mostly raw HTML blocks (title, authors, metadata, abstract, summary,
BibTeX) and the derived pages are mostly pre-rendered lists. Python-Markdown passes
raw HTML blocks through unchanged, but finds them by running Python's HTMLParser
over the page, and that dominated the build (BENCHMARKS.md). `set_aside` lifts out
the top-level HTML blocks Markdown would pass through anyway (a block-level tag at
the start of a paragraph, balanced, ending its paragraph), leaving a placeholder;
`restore` puts them back after Markdown. A block it is unsure about stays in the
Markdown, which handles it as before.

MkDocs rewrites `.md` links only in Markdown links; `resolve_md_links` does the same
for `href`/`src` attributes in raw HTML (the generator writes its paper metadata as
HTML with links such as `../../categories/cs.LG/index.md`, which also work when
browsing docs/ on GitHub), and reports links to pages that do not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown.util import BLOCK_LEVEL_ELEMENTS

from .pages import HTML_BEGIN, HTML_END

SLOT = '<div data-sitegen-slot="{}"></div>'
_SLOT_RE = re.compile(r'<div data-sitegen-slot="(\d+)"></div>')
_START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9]*)(?=[\s>/])")
_FENCE = re.compile(r"^(```|~~~)")
_BLOCK_TAGS = frozenset(BLOCK_LEVEL_ELEMENTS)
_MD_LINK = re.compile(r'\b(href|src)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^"#?]*\.md)(#[^"]*)?"')


def _balanced_end(lines: list[str], start: int, tag: str) -> int | None:
    """Index of the line closing the block `tag` opened at `start`, if it ends a paragraph."""
    opens = re.compile(rf"<{tag}(?=[\s>/])", re.IGNORECASE)
    closes = re.compile(rf"</{tag}\s*>", re.IGNORECASE)
    depth = 0
    for index in range(start, len(lines)):
        line = lines[index]
        depth += len(opens.findall(line)) - len(closes.findall(line))
        if depth <= 0:
            if not line.rstrip().endswith(">"):
                return None
            if index + 1 < len(lines) and lines[index + 1].strip():
                return None  # text right after the block: let Markdown decide
            return index
    return None


def _comment_end(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if "-->" in lines[index]:
            if not lines[index].rstrip().endswith("-->"):
                return None
            if index + 1 < len(lines) and lines[index + 1].strip():
                return None
            return index
    return None


def set_aside(markdown: str) -> tuple[str, list[str]]:
    """(Markdown with placeholders, the HTML blocks taken out, in order)."""
    lines = markdown.split("\n")
    out: list[str] = []
    regions: list[str] = []
    index = 0
    fence: str | None = None
    while index < len(lines):
        line = lines[index]
        if fence is not None:
            out.append(line)
            if line.startswith(fence):
                fence = None
            index += 1
            continue
        fence_match = _FENCE.match(line)
        if fence_match:
            fence = fence_match.group(1)
            out.append(line)
            index += 1
            continue
        paragraph_start = index == 0 or not lines[index - 1].strip()
        end = None
        body_start, body_end = index, None
        if paragraph_start and line.startswith("<"):
            if line.rstrip() == HTML_BEGIN:
                for close in range(index + 1, len(lines)):
                    if lines[close].rstrip() == HTML_END:
                        end, body_start, body_end = close, index + 1, close
                        break
            elif line.startswith("<!--"):
                end = _comment_end(lines, index)
            else:
                tag = _START_TAG.match(line)
                if tag and tag.group(1).lower() in _BLOCK_TAGS:
                    end = _balanced_end(lines, index, tag.group(1))
        if end is None:
            out.append(line)
            index += 1
            continue
        regions.append("\n".join(lines[body_start : (body_end if body_end is not None else end + 1)]))
        out.append(SLOT.format(len(regions) - 1))
        index = end + 1
    return "\n".join(out), regions


def restore(html: str, regions: list[str]) -> str:
    """Put the set-aside blocks back into the HTML Markdown produced."""
    if not regions:
        return html
    return _SLOT_RE.sub(lambda m: regions[int(m.group(1))], html)


def resolve_md_links(html: str, resolve: Callable[[str], str | None], report: Callable[[str], None]) -> str:
    """Rewrite relative `.md` targets of href/src attributes with `resolve(path)` (a URL, or None if missing)."""

    def replace(match: re.Match) -> str:
        url = resolve(match.group(2))
        if url is None:
            report(match.group(2) + (match.group(3) or ""))
            return match.group(0)
        return f'{match.group(1)}="{url}{match.group(3) or ""}"'

    return _MD_LINK.sub(replace, html)
