"""Untrusted text (from arXiv, config.yml or a model) escaped for the context it lands in.

Two doors: `html_text` for HTML (escaping `<>&"'` is enough) and `md_inline` for an
inline Markdown context (a link text, a table cell, a list item): HTML-escaped, with
Markdown's inline syntax backslash-escaped and the syntax of the extensions written as
character references, so the text shows as written and never becomes markup. Math
delimiters survive both as literal text, for KaTeX in the browser.
"""

from __future__ import annotations

import html
import re

_MD_INLINE = re.compile(r"([\\`*_{}\[\]!])")
"""Inline syntax python-markdown itself lets us escape with a backslash."""
_MD_ENTITIES = {"|": "&#124;", "~": "&#126;", "^": "&#94;", "=": "&#61;"}
"""Extension syntax (tables, tilde, caret, mark, tabs) whose backslash escape exists only where
the extension is loaded; a character reference reads the same with any set of extensions."""
_LINE_BREAK = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
# Block syntax that acts only at the start of a line (headings, lists, setext underlines,
# snippet includes `--8<--`, admonitions `!!!`, details `???`, definitions `: `, ...): an
# inline value can land there (the day page starts a line with the authors).
_BLOCK_START = re.compile(r"^(\s*)(?:([#+-])|(\d+)([.)])|([?:;%]))")
_EMOJI = re.compile(r":(?=[+\-\w]+:)")


def html_text(text: str) -> str:
    """Text for an HTML context: `<script>` shows as text."""
    return html.escape(text, quote=True)


def md_inline(text: str) -> str:
    """Text for an inline Markdown context (a link text, a list item): shown as written, never markup."""
    text = _LINE_BREAK.sub(" ", text)
    text = _MD_INLINE.sub(r"\\\1", html.escape(text, quote=False))
    text = "".join(_MD_ENTITIES.get(char, char) for char in text)
    text = _EMOJI.sub("&#58;", text)  # `:smile:` would become an emoji image
    return _BLOCK_START.sub(_escape_block_start, text, count=1)


def _escape_block_start(match: re.Match[str]) -> str:
    space, mark, number, after_number, other = match.groups()
    if mark:
        return f"{space}\\{mark}"
    if number:
        return f"{space}{number}\\{after_number}"
    return f"{space}&#{ord(other)};"
