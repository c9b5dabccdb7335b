"""What arXiv's text means, as the parser reads it: a sequence of typed segments, rendered per output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Style = Literal["bold", "italic", "mono", "underline", "smallcaps"]


@dataclass(frozen=True, slots=True)
class Text:
    """Text as a reader reads it: macros already replaced by their meaning; not escaped."""

    text: str


@dataclass(frozen=True, slots=True)
class Math:
    """A math span, kept for the browser to typeset (pages) or converted to text (elsewhere)."""

    source: str
    """The span as written, delimiters included: `$x^2$`, `\\(x\\)`, `$$x$$`, `\\[x\\]`."""
    tex: str
    """The TeX between the delimiters."""
    display: bool
    """True for `$$...$$` and `\\[...\\]`."""


@dataclass(frozen=True, slots=True)
class Link:
    """A link from `\\href`, `\\url` or a bare address; only ever http or https."""

    url: str
    """The address, TeX escapes (`\\#`, `\\%`, `\\_`) undone and white space removed."""
    children: tuple[Segment, ...]
    """What the link shows."""


@dataclass(frozen=True, slots=True)
class Styled:
    """Text in a style: `\\textbf{...}`, `{\\em ...}` and their kin."""

    style: Style
    children: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Break:
    """`\\\\` or `\\newline`: a line break on pages, a space elsewhere."""


Segment = Text | Math | Link | Styled | Break
