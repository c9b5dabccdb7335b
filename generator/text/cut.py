"""Cutting text: the one prose cutter (never inside math, never past its limit) and the one message shortener.

Every text shown shorter than it is goes through `cut_pieces`: a title or an abstract over
its ceiling when the night stores it (`cut_tex`, generator/arxiv/limits.py), the start of
an abstract on a day's entry (`cut_tex`), a summary's gist (its `summary_pieces`), a
page's meta description (`tex_plain`'s pieces, or plain text). Text to be cut comes as (is
math, text) pieces, math where the one rule says (generator/text/tex/spans.py): as
written (TeX, to be rendered after the cut) or as readable text (already rendered); a cut
never falls inside a math piece, so no output shows half a formula, or a `$` that then
opens math the whole text does not have. Every quote of outside text in a one-line message
(what a server answered, a URL, a value of a page) goes through `shorten`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from generator.text.chars import one_line
from generator.text.tex.spans import split_math

ELLIPSIS = " …"
"""Ends every cut text: the reader sees that it goes on (on the page, on arXiv, in the log)."""

_WHITESPACE = re.compile(r"\s+")
_TRAILING = " ,;:"
"""Dropped before the ellipsis, from prose only: `one two, …` reads as a list cut short."""


def cut_pieces(pieces: Iterable[tuple[bool, str]], limit: int) -> str:
    """The text the (is math, text) pieces make, on one line (white space runs as one space, ends stripped),
    whole when it has at most `limit` characters; else its start plus ELLIPSIS, at most `limit` characters in all.

    The cut is at the last white space outside math that leaves room for the ellipsis, with
    `,;:` before it dropped; a text with no such space (one long word) is cut at the limit,
    or before the math span the limit falls in.
    """
    text, math = _one_line(pieces, limit)
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    if room <= 0:
        return ELLIPSIS.strip()[: max(limit, 0)]
    end = _cut_point(text, math, room)
    while end > 0 and text[end - 1] in _TRAILING and not _inside(math, end - 1):
        end -= 1
    return text[:end] + ELLIPSIS if end else ELLIPSIS.strip()


def cut_tex(text: str, limit: int) -> str:
    """arXiv's TeX-flavoured `text` cut to at most `limit` characters, never inside math (`cut_pieces`): to be rendered after."""
    return cut_pieces(split_math(text), limit)


def cut_plain(text: str, limit: int) -> str:
    """Text without math cut to at most `limit` characters (`cut_pieces`)."""
    return cut_pieces([(False, text)], limit)


def shorten(text: str, limit: int = 200) -> str:
    """`text` on one line (invisible characters dropped), cut to at most `limit` characters ending in ELLIPSIS:
    what a server answered, a URL or a value, quoted inside a one-line message."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS.strip()[: max(limit, 0)]
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def _one_line(pieces: Iterable[tuple[bool, str]], limit: int) -> tuple[str, list[tuple[int, int]]]:
    """The pieces joined on one line, and where its math is: (start, end) of each math piece.

    Stops once the text is past `limit` (plus room for the white space a later piece may
    drop): the rest cannot change where the cut goes.
    """
    out: list[str] = []
    math: list[tuple[int, int]] = []
    length = 0
    for is_math, chunk in pieces:
        chunk = _collapsed_start(chunk, limit + 2 - length)
        if chunk.startswith(" ") and (length == 0 or out[-1].endswith(" ")):
            chunk = chunk[1:]
        if not chunk:
            continue
        if is_math:
            math.append((length, length + len(chunk)))
        out.append(chunk)
        length += len(chunk)
        if length > limit + 1:
            break
    return "".join(out).rstrip(" "), math


def _collapsed_start(chunk: str, wanted: int) -> str:
    """`chunk` with white space runs as one space: all of it, or a start of at least `wanted` characters
    (an abstract is cut to 140 of its 1,500: collapsing the rest would be most of the work)."""
    raw = chunk[: wanted + 16]
    while True:
        collapsed = _WHITESPACE.sub(" ", raw)
        if len(collapsed) >= wanted or len(raw) == len(chunk):
            return collapsed
        raw = chunk[: 2 * len(raw) + 16]


def _inside(math: list[tuple[int, int]], position: int) -> bool:
    """Whether the character at `position` belongs to a math piece."""
    return any(start <= position < end for start, end in math)


def _cut_point(text: str, math: list[tuple[int, int]], room: int) -> int:
    """Where to cut `text` so that what is kept has at most `room` characters and ends outside math."""
    for position in range(min(room, len(text) - 1), 0, -1):
        if text[position] == " " and not _inside(math, position):
            return position
    for start, end in math:
        if start < room < end:
            return start
    return room
