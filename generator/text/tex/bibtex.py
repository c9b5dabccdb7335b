"""arXiv's TeX as the value of a BibTeX field (`tex_bibtex`): math as `{$...$}`, styles as macros, specials escaped."""

from __future__ import annotations

import re
from functools import lru_cache

from generator.text.tex.mathtext import math_text
from generator.text.tex.model import Link, Math, Segment, Style, Styled, Text
from generator.text.tex.parse import parse

_WHITESPACE = re.compile(r"\s+")


# BibTeX counts every brace, escaped or not, so a literal brace is a macro, never `\{`.
_BIBTEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "$": r"\$",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        "\u00a0": "~",
        "–": "--",
        "—": "---",
    }
)
_BIBTEX_COMMANDS: dict[Style, str] = {
    "bold": "\\textbf",
    "italic": "\\emph",
    "mono": "\\texttt",
    "underline": "\\underline",
    "smallcaps": "\\textsc",
}
# Characters that would end or break a field or a line if left raw inside math.
_MATH_UNSAFE = re.compile(r"(?<!\\)((?:\\\\)*)([%#])")


def _bibtex_text(text: str) -> str:
    return text.translate(_BIBTEX_ESCAPES)


def _braces_balance(tex: str) -> bool:
    depth = 0
    for char in tex:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _bibtex(segments: tuple[Segment, ...], out: list[str]) -> None:
    for seg in segments:
        if isinstance(seg, Text):
            out.append(_bibtex_text(seg.text))
        elif isinstance(seg, Math):
            tex = seg.tex.strip()
            if _braces_balance(tex) and not tex.endswith("\\"):
                out.append("{$" + _MATH_UNSAFE.sub(r"\1\\\2", tex) + "$}")
            else:  # math BibTeX cannot hold safely: its readable text instead
                out.append(_bibtex_text(math_text(seg.tex)))
        elif isinstance(seg, Link):
            _bibtex(seg.children, out)
        elif isinstance(seg, Styled):
            out.append(_BIBTEX_COMMANDS[seg.style] + "{")
            _bibtex(seg.children, out)
            out.append("}")
        else:
            out.append(" ")


@lru_cache(maxsize=4096)
def tex_bibtex(text: str) -> str:
    """The text as the value of a BibTeX field, to be written between the field's braces.

    BibTeX is read by LaTeX, so the TeX meaning is written back as TeX: math as `{$...$}`
    (the outer braces keep bibliography styles from changing its case), style macros as
    `\\textbf{...}`, `\\emph{...}`, links as their text, and every character LaTeX treats
    specially escaped outside math (`\\&`, `\\%`, `\\_`, `\\#`, `\\$`,
    `\\textasciitilde{}`, a literal brace as `\\textbraceleft{}`, since BibTeX counts
    even escaped braces). Letters stay Unicode (LaTeX reads UTF-8 since 2018); dashes and
    no-break spaces go back to `--`, `---`, `~`. Braces always balance: math whose braces do
    not (or that ends in a backslash) is written as its readable text. Case of the words is
    left to the style: only math is protected.
    """
    out: list[str] = []
    _bibtex(parse(text), out)
    return _WHITESPACE.sub(" ", "".join(out)).strip()
