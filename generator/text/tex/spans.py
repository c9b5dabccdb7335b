"""Where math is: the one rule, asked by every reader of text (the TeX parser, summaries' Markdown, every cutter, storing).

Math is `$...$`, `$$...$$`, `\\(...\\)` or `\\[...\\]`. A `$` opens math by pandoc's
`tex_math_dollars` rule: the character after the opening `$` is not a space, the closing `$`
is the next unescaped `$`, the character before it is not a space and the one after it is
not a digit; if the next `$` fails this, the first `$` is a dollar sign (so `$5 and $10`
and `$1.5 billion ... $\\alpha$` keep their dollars and still typeset `$\\alpha$`). Two
additions: `\\$` is always a dollar sign, and a `$` after a letter and before a digit is a
currency sign (`US$5`, `HK$10`), while after a letter and before anything else it is math
(`H$_2$O`, `Bi$_2$Se$_3$`). `$$` opens display math when a later `$$` closes it with
something between; `\\(` and `\\[` open math when their closer follows with something between
(without one, `\\(` is a parenthesis). A backslash escapes the character after it (`\\\\$x$`:
a line break, then math). pandoc's exception for `$` inside `\\text{...}` in math is not
followed.

On the recorded arXiv data (tests/fixtures/arxiv: 257 papers) 21 `$` are followed by a
digit, in 11 papers: the rule keeps `$800 per sample` (arXiv:2604.21953) and `$35,000 in
total` (arXiv:2104.12255) as dollars and typesets the 19 others (`$50$ tests`,
`$16\\,384$`, `$0 \\le \\alpha$`, `$3d$`), as their authors meant (`python -m
benchmarks.tex_render` prints these counts).

The rule is decided here, once, on the text alone: the parser (`parse.py`) reads math
where these spans are and nowhere else (it never hides a span inside a link address or a
dropped `\\cite{...}`), the summaries' Markdown (generator/text/markdown.py) sets the
same spans aside outside code, every cutter (generator/text/cut.py) cuts between them, and
`clean_tex` keeps them byte for byte. Cost: one pass of one regex plus O(log n) per `$`;
a closer found missing is not searched for again, so a hostile field costs linear time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from generator.text.chars import strip_invisible


@dataclass(frozen=True, slots=True)
class MathSpan:
    """One math span of a text: `text[start:end]`, delimiters included."""

    start: int
    end: int
    display: bool
    """True for `$$...$$` and `\\[...\\]`."""
    delimiter: int
    """Characters of each delimiter: 1 for `$`, 2 for `$$`, `\\(` and `\\[`."""


# Escape pairs are consumed first, so `\$` and `\(` never open and `\\$` does.
_OPENER_OR_ESCAPE = re.compile(r"\\[\s\S]|\$")
_MAY_HOLD_MATH = re.compile(r"\$|\\[(\[]")


@lru_cache(maxsize=8192)
def math_spans(text: str) -> tuple[MathSpan, ...]:
    """The math spans of `text`, in order, by the rule above (positions in `text` as given)."""
    if not _MAY_HOLD_MATH.search(text):
        return ()
    return tuple(_Scan(text).run())


def split_math(text: str) -> list[tuple[bool, str]]:
    """`text` (invisible characters dropped, as every output drops them) as (is math, chunk) pieces, in order."""
    text = strip_invisible(text)
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for span in math_spans(text):
        if span.start > pos:
            pieces.append((False, text[pos : span.start]))
        pieces.append((True, text[span.start : span.end]))
        pos = span.end
    if pos < len(text):
        pieces.append((False, text[pos:]))
    return pieces


class _Scan:
    """One pass over one text; see `math_spans`."""

    def __init__(self, text: str):
        self.text = text
        self._dollars: list[int] | None = None
        self.no_closer: set[str] = set()  # closers known absent from here on

    @property
    def dollars(self) -> list[int]:
        """Positions of the unescaped `$`, in order (computed at the first `$`)."""
        if self._dollars is None:
            self._dollars = [m.start() for m in _OPENER_OR_ESCAPE.finditer(self.text) if m.group(0) == "$"]
        return self._dollars

    def run(self) -> list[MathSpan]:
        text = self.text
        found: list[MathSpan] = []
        pos = 0
        while (opener := _OPENER_OR_ESCAPE.search(text, pos)) is not None:
            token = opener.group(0)
            if token == "$":
                span = self.dollar(opener.start())
            elif token in ("\\(", "\\["):
                span = self.bracket(opener.start(), display=token == "\\[")
            else:
                span = None
            if span is None:
                pos = opener.end()
            else:
                found.append(span)
                pos = span.end  # the text after a span is read afresh: no escape pair runs across its end
        return found

    def find_closer(self, closer: str, start: int) -> int | None:
        """Position of the next `closer` from `start`; a closer once missing is not searched again."""
        if closer in self.no_closer:
            return None
        found = self.text.find(closer, start)
        if found < 0:
            self.no_closer.add(closer)
            return None
        return found

    def bracket(self, pos: int, display: bool) -> MathSpan | None:
        end = self.find_closer("\\]" if display else "\\)", pos + 2)
        if end is None or end == pos + 2:
            return None
        return MathSpan(pos, end + 2, display, 2)

    def dollar(self, pos: int) -> MathSpan | None:
        text = self.text
        if text.startswith("$$", pos):
            end = self.find_closer("$$", pos + 2)
            if end is not None and end > pos + 2:
                return MathSpan(pos, end + 2, True, 2)
        after = text[pos + 1] if pos + 1 < len(text) else " "
        before = text[pos - 1] if pos else " "
        if after.isspace() or (before.isalpha() and after.isdigit()):
            return None  # `$ ` opens nothing; `US$5` is currency
        index = bisect_right(self.dollars, pos)
        if index == len(self.dollars):
            return None
        end = self.dollars[index]
        if end == pos + 1 or text[end - 1].isspace() or text[end + 1 : end + 2].isdigit():
            return None  # no math between, or a closer pandoc would not take: `$5 and $10`
        return MathSpan(pos, end + 1, False, 1)
