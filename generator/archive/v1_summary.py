"""What format v1 made of a summary's Markdown: Python-Markdown's HTML, as the first release rendered it, for `migrate` only.

Format v1 stored each summary as the sanitized HTML Python-Markdown (tables, fenced_code,
sane_lists) made of the model's answer, after a tidy that put a blank line before a list
glued to a paragraph (Python-Markdown needs one; GFM does not). `migrate` turns that HTML
back into Markdown and accepts a Markdown only when it renders to exactly the stored HTML,
either as v1 rendered it (this module) or as the site renders it now
(generator.text.markdown, GitHub-flavoured Markdown by cmark-gfm, the one dialect of
summaries today). Nothing else renders with Python-Markdown.
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from generator.text.markdown import TOP_HEADING_LEVEL, sanitize_html, unwrap_answer

_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+\S")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def render_v1_summary(answer: str) -> str:
    """The model's Markdown answer as sanitized HTML, as format v1 rendered and stored it."""
    return sanitize_html(_converter().convert(_v1_tidy(answer)))


def _v1_tidy(answer: str) -> str:
    """v1's tidy, kept as it was: unwrapped, and a blank line before a list item glued to a paragraph line
    (outside what v1 took for a fence: any line starting with one toggles it)."""
    out: list[str] = []
    in_fence = False
    for line in unwrap_answer(answer).split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif (
            not in_fence
            and out
            and out[-1].strip()
            and _LIST_ITEM.match(line)
            and not _LIST_ITEM.match(out[-1])
            and not out[-1].startswith((" ", "\t"))
        ):
            out.append("")
        out.append(line)
    return "\n".join(out).strip()


class _ShiftHeadings(Treeprocessor):
    """Move the answer's headings down so its top level becomes h3 (page TOC stays intact)."""

    def run(self, root: etree.Element) -> None:
        headings = [el for el in root.iter() if re.fullmatch(r"h[1-6]", el.tag)]
        if not headings:
            return
        shift = TOP_HEADING_LEVEL - min(int(el.tag[1]) for el in headings)
        for el in headings:
            el.tag = f"h{min(6, max(TOP_HEADING_LEVEL, int(el.tag[1]) + shift))}"


class _ShiftHeadingsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ShiftHeadings(md), "shift_headings", 5)


_CONVERTERS = threading.local()


def _converter() -> markdown.Markdown:
    # One converter per thread, reset before each use: markdown.Markdown instances keep state
    # and are not thread-safe, and building one costs as much as converting a summary.
    converter = getattr(_CONVERTERS, "markdown", None)
    if converter is None:
        converter = _CONVERTERS.markdown = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists", _ShiftHeadingsExtension()], output_format="html"
        )
    return converter.reset()
