"""The TeX macros the text model knows (outside math): styles, links, breaks, what is dropped, symbols and accents.

The parser (`parse.py`) reads these tables; anything not named here is an unknown macro,
whose name goes and whose arguments stay as text. Accents (`\\'e`, `{\\"o}`, `\\v{s}`,
`{\\l}`) and symbols without arguments (`\\pm`) come from pylatexenc, the well-kept TeX to
Unicode table, one macro at a time: run on a whole abstract, a TeX parser would eat `%` as a
comment and `&` as a tab stop.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db
from pylatexenc.latexwalker import get_default_latex_context_db as _walker_context_db

from generator.text.tex.model import Style

# Accent macros: \'e \"{o} \v{s} \c c \H{o} ..., and letter macros {\l} \ss \o \aa \AE.
ACCENT = re.compile(
    r"\{?\\[`'^\"~=.]\s*(?:\{\\?[A-Za-z]\}|\\?[A-Za-z])\}?"
    r"|\{?\\[uvHcdbkrt]\s*(?:\{\\?[A-Za-z]\}|\s[A-Za-z])\}?"
    r"|\{\\(?:l|L|o|O|ss|ae|AE|oe|OE|aa|AA|i|j)\}"
    r"|\\(?:l|L|o|O|ss|ae|AE|oe|OE|aa|AA)(?![A-Za-z])(?:\{\})?"
)
_converter = LatexNodes2Text()


@lru_cache(maxsize=4096)
def accent_to_unicode(macro: str) -> str:
    """One `ACCENT` match (`\\'e`, `{\\l}`) as its Unicode letter, NFC-composed."""
    text = _converter.latex_to_text(macro)
    return unicodedata.normalize("NFC", text)


STYLE_ARGUMENT: dict[str, Style] = {
    "textbf": "bold",
    "textit": "italic",
    "textsl": "italic",
    "emph": "italic",
    "texttt": "mono",
    "underline": "underline",
    "uline": "underline",
    "textsc": "smallcaps",
}
STYLE_DECLARATION: dict[str, Style] = {
    "bf": "bold",
    "bfseries": "bold",
    "it": "italic",
    "itshape": "italic",
    "sl": "italic",
    "slshape": "italic",
    "em": "italic",
    "tt": "mono",
    "ttfamily": "mono",
    "sc": "smallcaps",
    "scshape": "smallcaps",
}
# Declarations that change nothing a reader of plain text or HTML would notice: dropped.
NEUTRAL_DECLARATION = frozenset(
    [
        "rm",
        "sf",
        "rmfamily",
        "sffamily",
        "normalfont",
        "upshape",
        "mdseries",
        "tiny",
        "scriptsize",
        "footnotesize",
        "small",
        "normalsize",
        "large",
        "Large",
        "LARGE",
        "huge",
        "Huge",
        "relax",
        "noindent",
        "centering",
        "raggedright",
    ]
)
# Macros whose arguments are not text a reader should see.
DROPPED_WITH_ARGUMENTS = frozenset(
    [
        "cite",
        "citep",
        "citet",
        "citealp",
        "citeauthor",
        "citeyear",
        "ref",
        "eqref",
        "autoref",
        "cref",
        "Cref",
        "label",
        "begin",
        "end",
        "vspace",
        "hspace",
        "includegraphics",
        "bibliography",
        "bibliographystyle",
        "footnotemark",
    ]
)
BREAKS = frozenset({"newline", "linebreak", "par"})
# Text symbols pylatexenc's latex2text leaves empty or gets wrong; the rest comes from its table.
SYMBOLS = {
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2ε",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "textcopyright": "©",
    "pounds": "£",
    "textsterling": "£",
    "euro": "€",
    "texteuro": "€",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textdollar": "$",
    "textunderscore": "_",
    "textasciicircum": "^",
    "textasciitilde": "~",
    "textbackslash": "\\",
    "nobreakspace": "\u00a0",
    "slash": "/",
    "checkmark": "✓",
    "textbullet": "•",
    "today": "",  # pylatexenc would print the day of the build
}
# After a failed accent match (`\'{}`), a control symbol is dropped rather than shown.
CONTROL_SYMBOLS = {
    "%": "%",
    "&": "&",
    "_": "_",
    "#": "#",
    "$": "$",
    "{": "{",
    "}": "}",
    " ": " ",
    ",": "\u2009",
    ";": " ",
    ":": " ",
    ">": " ",
    "!": "",
    "-": "",
    "/": "",
    "@": "",
    "'": "",
    "`": "",
    '"': "",
    "^": "^",
    "~": "~",
    "=": "",
    ".": "",
    ")": ")",
    "]": "]",
}

_L2T_DB = get_default_latex_context_db()
_WALKER_DB = _walker_context_db()


@lru_cache(maxsize=1024)
def symbol(name: str) -> str | None:
    """Text of a macro without arguments that pylatexenc knows (`\\pm` -> ±), else None."""
    if name in SYMBOLS:
        return SYMBOLS[name]
    spec = _L2T_DB.get_macro_spec(name)
    walker_spec = _WALKER_DB.get_macro_spec(name)
    takes_arguments = walker_spec is not None and getattr(walker_spec.args_parser, "argspec", "")
    replacement = getattr(spec, "simplify_repl", None)
    if takes_arguments or not isinstance(replacement, str) or "%" in replacement:
        return None
    return replacement
