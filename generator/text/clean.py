"""Clean arXiv metadata text when it is stored: TeX accents to Unicode, the rest kept.

arXiv titles, abstracts and author names are TeX-flavoured plain text: `Cram\\'er`,
`Przemys{\\l}aw`, `\\textbf{...}`, `\\href{...}{...}` and math in `$...$` or `\\(...\\)`.
A record keeps arXiv's text: only accents become Unicode (so names and words compare
and search as letters); text macros, links and math stay as arXiv wrote them and are
given their meaning when a page, feed or index is rendered (generator/text/tex/). Math
spans, found by the one rule (generator/text/tex/spans.py), are kept byte for byte. Author
names are the exception: a name is never rendered as TeX, so `clean_name` also drops
text-style macros and grouping braces.

Accents go through pylatexenc one macro at a time (generator/text/tex/macros.py), never
the whole string: run on a whole abstract, a TeX parser would eat `%` as a comment and `&`
as a tab stop.
"""

from __future__ import annotations

import re
import unicodedata

from generator.text.chars import one_line, strip_invisible
from generator.text.tex.macros import ACCENT, accent_to_unicode
from generator.text.tex.spans import split_math

__all__ = ["clean_name", "clean_tex", "fold", "http_url", "one_line", "strip_invisible"]

# Text-style macros whose argument is plain text: \textbf{x} -> x (author names only).
_TEXT_STYLE = re.compile(r"\\(?:textbf|textit|textsc|texttt|textrm|textsf|emph|underline|mbox)\{([^{}]*)\}")
_HTTP_URL = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)


def _accents_to_unicode(part: str) -> str:
    return ACCENT.sub(lambda m: accent_to_unicode(m.group(0)), part)


def http_url(text: str | None) -> str | None:
    """`text` when it is one plain http(s) URL (a license link), else None: pages may link it."""
    if not text:
        return None
    url = one_line(text)
    return url if _HTTP_URL.fullmatch(url) else None


def clean_tex(text: str) -> str:
    """One-line text with TeX accents converted to Unicode outside math; all other TeX kept."""
    text = one_line(text)
    return "".join(chunk if is_math else _accents_to_unicode(chunk) for is_math, chunk in split_math(text))


def clean_name(name: str) -> str:
    """An author name as Unicode: accents converted, text-style macros and TeX grouping braces dropped."""
    name = _accents_to_unicode(_TEXT_STYLE.sub(r"\1", name))
    return one_line(name.replace("{", "").replace("}", ""))


def fold(text: str) -> str:
    """Lower-case, accent-free form for comparing names (`Rémy` == `remy`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
