"""arXiv's TeX-flavoured text (titles, abstracts, comments), read once, rendered for each output.

A record keeps arXiv's text as submitted (generator/text/clean.py only turns accents into
Unicode). This package gives it its meaning when something is built from it: `spans.py`
says where math is (the one rule, which every other reader of text asks too), `parse.py`
reads the text into segments (`model.py`: `Text`, `Math`, `Link`, `Styled`, `Break`) with
the macros of `macros.py`, and one module per output turns the segments into what that
output can show (math as readable text: `mathtext.py`):

| function (module) | for | math | links | text macros |
|---|---|---|---|---|
| `tex_html` (`page.py`) | pages | `span.tex-math`: TeX, delimiters kept (lists: readable) | `<a rel="nofollow noopener">` | `<strong>`... |
| `tex_plain` (`plain.py`) | meta tags, `<title>`, search index, feed titles, cutters | readable Unicode | their text | their text |
| `tex_feed_html` (`feed.py`) | feed item bodies (readers typeset no math) | readable Unicode, escaped | `<a>` | their text |
| `tex_bibtex` (`bibtex.py`) | BibTeX fields | `{$...$}` | their text | `\\textbf{...}` etc. |

Parses and renders are cached: titles are rendered on many pages of one build.
"""

from generator.text.tex.bibtex import tex_bibtex
from generator.text.tex.feed import tex_feed_html
from generator.text.tex.mathtext import MAX_MATH_TEXT, math_text
from generator.text.tex.model import Break, Link, Math, Segment, Style, Styled, Text
from generator.text.tex.page import tex_html
from generator.text.tex.parse import MAX_DEPTH, parse, safe_url
from generator.text.tex.plain import plain_pieces, tex_plain
from generator.text.tex.spans import MathSpan, math_spans, split_math

__all__ = [
    "MAX_DEPTH",
    "MAX_MATH_TEXT",
    "Break",
    "Link",
    "Math",
    "MathSpan",
    "Segment",
    "Style",
    "Styled",
    "Text",
    "math_spans",
    "math_text",
    "parse",
    "plain_pieces",
    "safe_url",
    "split_math",
    "tex_bibtex",
    "tex_feed_html",
    "tex_html",
    "tex_plain",
]
