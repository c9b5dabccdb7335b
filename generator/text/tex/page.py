"""arXiv's TeX as HTML for a page (`tex_html`): text escaped, macros as their meaning, math in `span.tex-math` for KaTeX."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from generator.text.tex.mathtext import math_text
from generator.text.tex.model import Link, Math, Segment, Style, Styled, Text
from generator.text.tex.parse import parse

_HTML_TAGS: dict[Style, tuple[str, str]] = {
    "bold": ("<strong>", "</strong>"),
    "italic": ("<em>", "</em>"),
    "mono": ("<code>", "</code>"),
    "underline": ("<u>", "</u>"),
    "smallcaps": ('<span class="tex-sc">', "</span>"),
}
LINK_ATTRIBUTES = ' rel="nofollow noopener"'


def _html(segments: tuple[Segment, ...], out: list[str], in_link: bool, math: bool) -> None:
    for seg in segments:
        if isinstance(seg, Text):
            out.append(escape(seg.text))
        elif isinstance(seg, Math):
            if not math:
                out.append(escape(math_text(seg.tex)))
                continue
            kind = "tex-math tex-display" if seg.display else "tex-math"
            out.append(f'<span class="{kind}">{escape(seg.source)}</span>')
        elif isinstance(seg, Link):
            if in_link:  # no link inside a link: HTML forbids it
                _html(seg.children, out, in_link, math)
                continue
            out.append(f'<a href="{escape(seg.url)}"{LINK_ATTRIBUTES}>')
            _html(seg.children, out, True, math)
            out.append("</a>")
        elif isinstance(seg, Styled):
            opening, closing = _HTML_TAGS[seg.style]
            out.append(opening)
            _html(seg.children, out, in_link, math)
            out.append(closing)
        else:
            out.append("<br>")


@lru_cache(maxsize=8192)
def tex_html(text: str, links: bool = True, math: bool = True) -> Markup:
    """HTML for a page: text escaped, macros as their meaning, math in `.tex-math` elements.

    `links=False` shows links as their text, for text that is itself a link's (a title in
    a list links to the paper's page, and HTML allows no link inside a link). `math=False`
    shows math as readable text (`math_text`), as a feed does: for titles in lists, so that
    a day, category, tag or home page needs no KaTeX (270 KB of script) to be read.

    Only the `span.tex-math` elements (`span.tex-math.tex-display` for `$$`/`\\[`) hold
    math, as escaped TeX with its delimiters, so a reader without JavaScript sees the TeX
    and the page's script typesets these elements and nothing else (`katex.render` of the
    text less its delimiters: one character for `$`, two for `$$`, `\\(` and `\\[`);
    a text without any needs no KaTeX. `span.tex-sc` wants `font-variant: small-caps`.
    """
    out: list[str] = []
    _html(parse(text), out, not links, math)
    return Markup("".join(out))
