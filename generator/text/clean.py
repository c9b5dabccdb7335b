"""Clean arXiv metadata text when it is stored: TeX accents to Unicode, the rest kept.

arXiv titles, abstracts and author names are TeX-flavoured plain text: `Cram\\'er`,
`Przemys{\\l}aw`, `\\textbf{...}`, `\\href{...}{...}` and math in `$...$` or `\\(...\\)`.
A record keeps arXiv's text: only accents become Unicode (so names and words compare
and search as letters); text macros, links and math stay as arXiv wrote them and are
given their meaning when a page, feed or index is rendered (`generator/text/tex.py`). Math
spans are kept byte for byte. Author names are the exception: a name is never rendered
as TeX, so `clean_name` also drops text-style macros and grouping braces.

Accents go through pylatexenc (the well-kept TeX to Unicode table) one macro at a time,
never the whole string: run on a whole abstract, a TeX parser would eat `%` as a
comment and `&` as a tab stop.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

# Math spans as arXiv writes them, longest delimiters first. `\$` is a literal dollar.
MATH_SPAN = re.compile(
    r"\$\$.+?\$\$"
    r"|(?<!\\)\$(?:\\.|[^$\\])+?\$"
    r"|\\\(.+?\\\)"
    r"|\\\[.+?\\\]",
    re.DOTALL,
)

# Accent macros: \'e \"{o} \v{s} \c c \H{o} ..., and letter macros {\l} \ss \o \aa \AE.
ACCENT = re.compile(
    r"\{?\\[`'^\"~=.]\s*(?:\{\\?[A-Za-z]\}|\\?[A-Za-z])\}?"
    r"|\{?\\[uvHcdbkrt]\s*(?:\{\\?[A-Za-z]\}|\s[A-Za-z])\}?"
    r"|\{\\(?:l|L|o|O|ss|ae|AE|oe|OE|aa|AA|i|j)\}"
    r"|\\(?:l|L|o|O|ss|ae|AE|oe|OE|aa|AA)(?![A-Za-z])(?:\{\})?"
)
# Text-style macros whose argument is plain text: \textbf{x} -> x (author names only).
_TEXT_STYLE = re.compile(r"\\(?:textbf|textit|textsc|texttt|textrm|textsf|emph|underline|mbox)\{([^{}]*)\}")
# Bidirectional overrides and other invisible controls that can reorder or hide text.
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACE = re.compile(r"\s+")
_HTTP_URL = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)
_converter = LatexNodes2Text()


@lru_cache(maxsize=4096)
def accent_to_unicode(macro: str) -> str:
    """One `ACCENT` match (`\\'e`, `{\\l}`) as its Unicode letter, NFC-composed."""
    text = _converter.latex_to_text(macro)
    return unicodedata.normalize("NFC", text)


def _accents_to_unicode(part: str) -> str:
    return ACCENT.sub(lambda m: accent_to_unicode(m.group(0)), part)


def split_math(text: str) -> list[tuple[bool, str]]:
    """Split text into (is_math, chunk) pieces, in order: the spans `MATH_SPAN` finds.

    Scans once instead of running MATH_SPAN.finditer: the regex's lazy `.+?` re-reads the
    rest of the text from every opener that has no closer, which is quadratic (a 40 kB
    field of `\\(` took 4 s). A delimiter with no closer left is not tried again.
    """
    pieces: list[tuple[bool, str]] = []
    pos = 0
    dead: set[str] = set()  # delimiters with no closer after the current position
    for opener in _MATH_OPENER.finditer(text):
        start = opener.start()
        if start < pos:
            continue  # inside a span already taken
        end = _math_end(text, start, dead)
        if end is None:
            continue
        if start > pos:
            pieces.append((False, text[pos:start]))
        pieces.append((True, text[start:end]))
        pos = end
    if pos < len(text):
        pieces.append((False, text[pos:]))
    return pieces


def split_prose_math(text: str) -> list[tuple[bool, str]]:
    """`split_math`, with a `$…$` span that cannot be math by pandoc's `tex_math_dollars` rule
    given back as text: a space after the opening `$` or before the closing one, or a digit
    right after it (`$5 million and $10 million`). For prose a person or a model wrote (AI
    summaries, notes); arXiv's own fields go through generator/text/tex.py, which applies the same rule.
    """
    pieces = split_math(text)
    out: list[tuple[bool, str]] = []
    for index, (is_math, chunk) in enumerate(pieces):
        if is_math and chunk[0] == "$" and not chunk.startswith("$$"):
            after = pieces[index + 1][1][:1] if index + 1 < len(pieces) else ""
            is_math = not (chunk[1].isspace() or chunk[-2].isspace() or after.isdigit())
        if not is_math and out and not out[-1][0]:
            out[-1] = (False, out[-1][1] + chunk)
        else:
            out.append((is_math, chunk))
    return out


_MATH_OPENER = re.compile(r"\$|\\[(\[]")


def _math_end(text: str, start: int, dead: set[str]) -> int | None:
    """End of the math span opening at `start`, trying MATH_SPAN's alternatives in its order."""
    if text.startswith("$$", start) and "$$" not in dead:
        close = text.find("$$", start + 3)  # `.+?`: at least one character inside
        if close >= 0:
            return close + 2
        dead.add("$$")
    if text[start] == "$":
        if "$" in dead or (start > 0 and text[start - 1] == "\\"):
            return None
        index, inside = start + 1, 0
        while index < len(text):  # (?:\\.|[^$\\])+?\$
            char = text[index]
            if char == "\\":
                if index + 1 == len(text):
                    break
                index, inside = index + 2, inside + 1
            elif char == "$":
                return index + 1 if inside else None
            else:
                index, inside = index + 1, inside + 1
        dead.add("$")  # ran off the end: no later `$` opener can close either
        return None
    closer = {"(": "\\)", "[": "\\]"}[text[start + 1]]
    if closer in dead:
        return None
    close = text.find(closer, start + 3)
    if close < 0:
        dead.add(closer)
        return None
    return close + 2


def strip_invisible(text: str) -> str:
    """Drop control, zero-width and bidi-override characters."""
    return _INVISIBLE.sub("", text)


def one_line(text: str) -> str:
    """Collapse all whitespace (arXiv wraps abstracts at ~80 columns) to single spaces."""
    return _SPACE.sub(" ", strip_invisible(text)).strip()


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
