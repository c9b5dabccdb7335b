"""arXiv's TeX as plain Unicode text (`tex_plain`): for meta tags, `<title>`, the search index, feed titles and cutters."""

from __future__ import annotations

import re
from functools import lru_cache

from generator.text.tex.mathtext import math_text
from generator.text.tex.model import Link, Math, Segment, Styled, Text
from generator.text.tex.parse import parse

_WHITESPACE = re.compile(r"\s+")


def _plain(segments: tuple[Segment, ...], out: list[tuple[bool, str]]) -> None:
    for seg in segments:
        if isinstance(seg, Text):
            out.append((False, seg.text))
        elif isinstance(seg, Math):
            out.append((True, math_text(seg.tex)))
        elif isinstance(seg, (Link, Styled)):
            _plain(seg.children, out)
        else:
            out.append((False, " "))


def plain_pieces(text: str) -> list[tuple[bool, str]]:
    """`tex_plain`'s text as (is math, readable text) pieces, white space as written: what a cutter cuts between."""
    out: list[tuple[bool, str]] = []
    _plain(parse(text), out)
    return out


@lru_cache(maxsize=8192)
def tex_plain(text: str) -> str:
    """Plain Unicode text, no markup: math as readable text, links as their text, one line."""
    return _WHITESPACE.sub(" ", "".join(chunk for _, chunk in plain_pieces(text))).strip()
