"""arXiv's TeX as HTML for a feed reader (`tex_feed_html`), which typesets no math: math as readable text, links kept."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import escape

from generator.text.tex.mathtext import math_text
from generator.text.tex.model import Link, Math, Segment, Styled, Text
from generator.text.tex.page import LINK_ATTRIBUTES
from generator.text.tex.parse import parse


def _feed_html(segments: tuple[Segment, ...], out: list[str], in_link: bool) -> None:
    for seg in segments:
        if isinstance(seg, Text):
            out.append(escape(seg.text))
        elif isinstance(seg, Math):
            out.append(escape(math_text(seg.tex)))
        elif isinstance(seg, Link) and not in_link:
            out.append(f'<a href="{escape(seg.url)}"{LINK_ATTRIBUTES}>')
            _feed_html(seg.children, out, True)
            out.append("</a>")
        elif isinstance(seg, (Link, Styled)):
            _feed_html(seg.children, out, in_link)
        else:
            out.append("<br>")


@lru_cache(maxsize=4096)
def tex_feed_html(text: str) -> str:
    """HTML for a feed reader, which typesets no math: escaped text, math as readable text, links."""
    out: list[str] = []
    _feed_html(parse(text), out, False)
    return "".join(out)
