"""arXiv's TeX-flavoured text (titles, abstracts, comments), read once, rendered for each output.

A record keeps arXiv's text as submitted (`generator/text/clean.py` only turns accents into
Unicode). This module gives it its meaning when something is built from it: `parse` reads
the text into segments (`Text`, `Math`, `Link`, `Styled`, `Break`) and one renderer per
output turns them into what that output can show:

| function | for | math | links | text macros |
|---|---|---|---|---|
| `tex_html` | pages | `span.tex-math`: escaped TeX, delimiters kept (titles in lists: readable Unicode) | `<a rel="nofollow noopener">` | `<strong>`, `<em>`, ... |
| `tex_plain` | meta tags, `<title>`, search index, excerpts, feed titles | readable Unicode (latex2text) | their text | their text |
| `tex_feed_html` | feed item bodies (readers typeset no math) | readable Unicode, escaped | `<a>` | their text |
| `tex_bibtex` | BibTeX fields | `{$...$}` | their text | `\\textbf{...}` etc. |

What the text model understands (outside math):
- style macros with an argument: `\\textbf`, `\\textit`, `\\emph`, `\\textsl`, `\\texttt`,
  `\\underline`, `\\textsc`; their declaration forms `{\\bf ...}`, `{\\em ...}`, `{\\it ...}`,
  `{\\tt ...}`, `{\\sc ...}`; `\\textrm`, `\\textsf`, `\\text`, `\\mbox` and the like are their text;
- `\\href{url}{text}` and `\\url{url}`, and bare `http(s)://` addresses (arXiv's own abstract
  page links those too): links only for http and https; any other scheme shows the text;
- accents (`\\'e`, `{\\"o}`, `\\v{s}`, `{\\l}`) through pylatexenc, as at fetch time;
  text symbols (`\\ldots`, `\\pm`, `\\LaTeX`, `\\S`, ...) from a small table, then from
  pylatexenc's table for macros without arguments;
- `~` is a tie (no-break space) between two words, `x~y`; with a space or `=<>` beside it,
  as old plain-text abstracts write `~ 10 mK` or `<~ 1.5`, it is a tilde;
- `--` en dash, `---` em dash, ``` `` ``` and `''` curly double quotes; `\\%`, `\\&`, `\\_`,
  `\\#`, `\\$`, `\\{`, `\\}` their character; `\\\\` and `\\newline` a line break (a space in
  plain text); `\\,` a thin space; `\\-`, `\\/`, `\\@` nothing;
- any other macro: its name is dropped and its arguments are shown as text, except
  `\\cite`, `\\ref`, `\\label`, `\\begin`, `\\end` and spacing macros, which are dropped with
  their arguments; no output ever shows a raw `\\macro{`;
- a brace pair that TeX uses for grouping (a macro's argument, or a group opening with a
  macro, `{\\em x}`) disappears; any other braces are characters the author typed and are
  shown (old abstracts write `0.28{+0.09,-0.08}` or `U_{e3}` outside math), balanced or not.

Math: `$...$`, `$$...$$`, `\\(...\\)` and `\\[...\\]`, found wherever they start (also inside
`\\textbf{...}`), never inside a link address. A `$` opens math by pandoc's
`tex_math_dollars` rule: the character after the opening `$` is not a space, the closing `$`
is the next unescaped `$`, the character before it is not a space and the one after it is
not a digit; if the next `$` fails this, the first `$` is a dollar sign (so `$5 and $10`
and `$1.5 billion ... $\\alpha$` keep their dollars and still typeset `$\\alpha$`). Two
additions: `\\$` is always a dollar sign, and a `$` after a letter and before a digit is a
currency sign (`US$5`, `HK$10`), while after a letter and before anything else it is math
(`H$_2$O`, `Bi$_2$Se$_3$`). pandoc's exception for `$` inside `\\text{...}` in math is not
followed. On the recorded arXiv data (tests/fixtures/arxiv: 257 papers) 21 `$` are followed
by a digit, in 11 papers: the rule keeps `$800 per sample` (arXiv:2604.21953) and
`$35,000 in total` (arXiv:2104.12255) as dollars and typesets the 19 others (`$50$ tests`,
`$16\\,384$`, `$0 \\le \\alpha$`, `$3d$`), as their authors meant
(`python -m benchmarks.tex_render` prints these counts).

Cost: one pass of one regex over the text plus O(log n) per `$`; nesting is capped at
`MAX_DEPTH` groups (deeper braces are shown as characters), math longer than
`MAX_MATH_TEXT` characters is not converted to text (its source is shown), so a hostile
field costs time linear in its length. Parses and renders are cached (titles are rendered
on many pages of one build).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db
from pylatexenc.latexwalker import get_default_latex_context_db as _walker_context_db

from generator.text.clean import ACCENT, accent_to_unicode, strip_invisible

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

MAX_DEPTH = 40
"""Nested groups followed; deeper braces are shown as characters (keeps rendering recursion bounded)."""
MAX_MATH_TEXT = 2000
"""Longest math span converted to readable text; longer spans show their source."""

# --- the macro tables -------------------------------------------------------------------

_STYLE_ARGUMENT: dict[str, Style] = {
    "textbf": "bold",
    "textit": "italic",
    "textsl": "italic",
    "emph": "italic",
    "texttt": "mono",
    "underline": "underline",
    "uline": "underline",
    "textsc": "smallcaps",
}
_STYLE_DECLARATION: dict[str, Style] = {
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
_NEUTRAL_DECLARATION = frozenset(
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
_DROPPED_WITH_ARGUMENTS = frozenset(
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
_BREAKS = frozenset({"newline", "linebreak", "par"})
# Text symbols pylatexenc's latex2text leaves empty or gets wrong; the rest comes from its table.
_SYMBOLS = {
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
_CONTROL_SYMBOLS = {
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
_LATEX2TEXT = LatexNodes2Text()


@lru_cache(maxsize=1024)
def _symbol(name: str) -> str | None:
    """Text of a macro without arguments that pylatexenc knows (`\\pm` -> ±), else None."""
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    spec = _L2T_DB.get_macro_spec(name)
    walker_spec = _WALKER_DB.get_macro_spec(name)
    takes_arguments = walker_spec is not None and getattr(walker_spec.args_parser, "argspec", "")
    replacement = getattr(spec, "simplify_repl", None)
    if takes_arguments or not isinstance(replacement, str) or "%" in replacement:
        return None
    return replacement


# --- the parser -------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<url>https?://[^\s<>\"'{}\\$]+)"
    r"|(?P<word>\\[A-Za-z]+)"
    r"|(?P<symbol>\\[\s\S])"
    r"|(?P<open>\{)"
    r"|(?P<close>\})"
    r"|(?P<dollar>\$)"
    r"|(?P<dash>---?)"
    r"|(?P<quote>``|'')"
    r"|(?P<tilde>~)"
    r"|(?P<text>(?:[^\\{}$~`'\-h]+|h(?!ttps?://)|-(?!-)|`(?!`)|'(?!'))+)"
    r"|(?P<other>[\s\S])"
)
# Text without any of these is its own meaning: most titles, many abstracts.
_ANY_MARKUP = re.compile(r"[\\{}$~]|--|``|''|https?://")
# Unescaped dollars: escape pairs are consumed first, so `\$` never counts and `\\$` does.
_DOLLAR_OR_ESCAPE = re.compile(r"\\[\s\S]|\$")
_BRACE_OR_ESCAPE = re.compile(r"\\[\s\S]|[{}]")
_SPACES = re.compile(r"\s*")
_URL_ESCAPE = re.compile(r"\\([#%_&~$])")
_URL_TRAILING = re.compile(r"[.,;:!?)\]'\"]+$")
_TIE_BREAKERS = frozenset(" \t\n\r\u00a0=<>~")
_WHITESPACE = re.compile(r"\s+")


class _Frame:
    """An open group while parsing: what closes it and what it becomes."""

    __slots__ = ("children", "kind", "phantoms", "style", "url")

    def __init__(self, kind: str, style: Style | None = None, url: str | None = None):
        self.kind = kind  # root | argument | group | hidden | style | declaration | link
        self.style = style
        self.url = url
        self.children: list[Segment | str] = []
        self.phantoms = 0  # literal `{` opened past MAX_DEPTH, waiting for their `}`


def _finish(children: list[Segment | str]) -> tuple[Segment, ...]:
    """Merge adjacent strings and Text segments into one Text, drop empty ones."""
    out: list[Segment] = []
    pending: list[str] = []
    for child in children:
        if isinstance(child, (str, Text)):
            pending.append(child if isinstance(child, str) else child.text)
            continue
        if pending:
            text = "".join(pending)
            if text:
                out.append(Text(text))
            pending = []
        out.append(child)
    text = "".join(pending)
    if text:
        out.append(Text(text))
    return tuple(out)


def safe_url(raw: str) -> str | None:
    """`raw` (TeX escapes undone, white space removed) when it is an http(s) address, else None."""
    url = _WHITESPACE.sub("", strip_invisible(_URL_ESCAPE.sub(r"\1", raw)))
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced `[` in the host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


class _Parser:
    """One pass over one text; see `parse`."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.stack = [_Frame("root")]
        self._dollars: list[int] | None = None
        self._braces: dict[int, int] | None = None
        self.no_closer: set[str] = set()  # math closers known absent from here on
        self.argument_at = -1  # a `{` at this position is the previous macro's next argument

    @property
    def dollars(self) -> list[int]:
        """Positions of the unescaped `$`, in order (computed at the first `$`)."""
        if self._dollars is None:
            self._dollars = [m.start() for m in _DOLLAR_OR_ESCAPE.finditer(self.text) if m.group(0) == "$"]
        return self._dollars

    @property
    def braces(self) -> dict[int, int]:
        """{position of `{`: position of its `}`} for the pairs that match, escapes skipped
        (computed at the first macro that reads a raw argument)."""
        if self._braces is None:
            self._braces = {}
            opened: list[int] = []
            for m in _BRACE_OR_ESCAPE.finditer(self.text):
                char = m.group(0)
                if char == "{":
                    opened.append(m.start())
                elif char == "}" and opened:
                    self._braces[opened.pop()] = m.start()
        return self._braces

    # -- frames

    @property
    def top(self) -> _Frame:
        return self.stack[-1]

    def emit(self, item: Segment | str) -> None:
        self.top.children.append(item)

    def push(self, frame: _Frame) -> bool:
        if len(self.stack) > MAX_DEPTH:
            return False
        self.stack.append(frame)
        return True

    def close_top(self, closed_by_brace: bool) -> None:
        frame = self.stack.pop()
        children = _finish(frame.children)
        if frame.kind == "group":
            self.emit("{")
            self.top.children.extend(children)
            if closed_by_brace:
                self.emit("}")
        elif frame.kind in ("argument", "hidden"):
            self.top.children.extend(children)
        elif frame.kind in ("style", "declaration"):
            if children:
                self.emit(Styled(frame.style, children))  # type: ignore[arg-type]
        elif frame.kind == "link":
            self.emit_link(frame.url, children)

    def open_brace(self, pos: int) -> None:
        if pos == self.argument_at:
            kind = "argument"
        elif self.text.startswith("\\", pos + 1):
            kind = "hidden"  # `{\em x}`, `{\bf x}`: TeX grouping
        else:
            kind = "group"
        if not self.push(_Frame(kind)):
            self.top.phantoms += 1
            self.emit("{")

    def close_brace(self) -> None:
        if self.top.phantoms:
            self.top.phantoms -= 1
            self.emit("}")
            return
        while self.top.kind == "declaration":
            self.close_top(closed_by_brace=False)
        if self.top.kind == "root":
            self.emit("}")  # unmatched: a character the author typed
            return
        kind = self.top.kind
        self.close_top(closed_by_brace=True)
        if kind == "argument":
            self.argument_at = self.pos

    # -- the main loop

    def run(self) -> tuple[Segment, ...]:
        text = self.text
        while self.pos < len(text):
            pos = self.pos
            char = text[pos]
            if char in "\\{":
                accent = ACCENT.match(text, pos)
                if accent:
                    self.emit(accent_to_unicode(accent.group(0)))
                    self.pos = accent.end()
                    continue
            m = _TOKEN.match(text, pos)
            assert m is not None  # `other` matches any character
            self.pos = m.end()
            kind = m.lastgroup
            if kind == "text":
                self.emit(m.group(0))
            elif kind == "word":
                self.control_word(m.group(0)[1:])
            elif kind == "symbol":
                self.control_symbol(m.group(0)[1], pos)
            elif kind == "open":
                self.open_brace(pos)
            elif kind == "close":
                self.close_brace()
            elif kind == "dollar":
                self.dollar(pos)
            elif kind == "url":
                self.bare_url(m.group(0))
            elif kind == "dash":
                self.emit("—" if len(m.group(0)) == 3 else "–")
            elif kind == "quote":
                self.emit("“" if m.group(0) == "``" else "”")
            elif kind == "tilde":
                self.emit(self.tilde(pos))
            else:
                self.emit(m.group(0) if m.group(0) != "\\" else "")
        while len(self.stack) > 1:
            self.close_top(closed_by_brace=False)
        return _finish(self.stack[0].children)

    # -- tokens

    def skip_spaces(self) -> None:
        self.pos = _SPACES.match(self.text, self.pos).end()

    def control_word(self, name: str) -> None:
        text = self.text
        if name in _STYLE_ARGUMENT:
            self.skip_spaces()
            if text.startswith("{", self.pos) and self.push(_Frame("style", style=_STYLE_ARGUMENT[name])):
                self.pos += 1
            return
        if name in _STYLE_DECLARATION:
            self.skip_spaces()
            self.push(_Frame("declaration", style=_STYLE_DECLARATION[name]))
            return
        if name in ("href", "url"):
            self.link(name)
            return
        if name in _BREAKS:
            self.emit(Break())
            return
        if name in _NEUTRAL_DECLARATION:
            self.skip_spaces()
            return
        if name in _DROPPED_WITH_ARGUMENTS:
            self.skip_arguments()
            return
        symbol = _symbol(name)
        if symbol is not None:
            self.emit(symbol)
            if text.startswith("{}", self.pos):  # `\LaTeX{}`: the braces only end the name
                self.pos += 2
            return
        # Unknown (`\textrm`, `\mbox`, `\footnote`, an author's own macro): the name goes,
        # the arguments stay as text.
        after = _SPACES.match(text, self.pos).end()
        if text.startswith("{", after):
            self.pos = after
            self.argument_at = after

    def skip_arguments(self) -> None:
        """Skip `[...]` and `{...}` arguments that have a matching end; stop at anything else."""
        text = self.text
        while True:
            after = _SPACES.match(text, self.pos).end()
            if text.startswith("{", after) and after in self.braces:
                self.pos = self.braces[after] + 1
            elif text.startswith("[", after):
                close = text.find("]", after, after + 200)
                if close < 0:
                    return
                self.pos = close + 1
            else:
                return

    def control_symbol(self, char: str, pos: int) -> None:
        if char == "\\":
            self.emit(Break())
        elif char in "([":
            closer = "\\)" if char == "(" else "\\]"
            end = self.find_closer(closer, pos + 2)
            if end is None or end == pos + 2:
                self.emit(char)
                return
            self.emit(Math(self.text[pos : end + 2], self.text[pos + 2 : end], display=char == "["))
            self.pos = end + 2
        else:
            self.emit(_CONTROL_SYMBOLS.get(char, char))

    def find_closer(self, closer: str, start: int) -> int | None:
        """Position of the next `closer` from `start`; a closer once missing is not searched again."""
        if closer in self.no_closer:
            return None
        found = self.text.find(closer, start)
        if found < 0:
            self.no_closer.add(closer)
            return None
        return found

    def dollar(self, pos: int) -> None:
        text = self.text
        if text.startswith("$$", pos):
            end = self.find_closer("$$", pos + 2)
            if end is not None and end > pos + 2:
                self.emit(Math(text[pos : end + 2], text[pos + 2 : end], display=True))
                self.pos = end + 2
                return
        after = text[pos + 1] if pos + 1 < len(text) else " "
        before = text[pos - 1] if pos else " "
        if after.isspace() or (before.isalpha() and after.isdigit()):
            self.emit("$")
            return
        index = bisect_right(self.dollars, pos)
        if index == len(self.dollars):
            self.emit("$")
            return
        end = self.dollars[index]
        if end == pos + 1 or text[end - 1].isspace() or text[end + 1 : end + 2].isdigit():
            self.emit("$")
            return
        self.emit(Math(text[pos : end + 1], text[pos + 1 : end], display=False))
        self.pos = end + 1

    def tilde(self, pos: int) -> str:
        text = self.text
        before = text[pos - 1] if pos else " "
        after = text[pos + 1] if pos + 1 < len(text) else " "
        return "~" if before in _TIE_BREAKERS or after in _TIE_BREAKERS else "\u00a0"

    def bare_url(self, url: str) -> None:
        trailing = _URL_TRAILING.search(url)
        if trailing:
            # "at https://github.com/x." — keep a `)` that closes a `(` inside the address
            cut = trailing.start()
            while cut < len(url) and url[cut] == ")" and url.count("(", 0, cut) > url.count(")", 0, cut):
                cut += 1
            self.pos -= len(url) - cut
            url = url[:cut]
        self.emit_link(safe_url(url), (Text(url),))

    def link(self, name: str) -> None:
        text = self.text
        start = _SPACES.match(text, self.pos).end()
        end = self.braces.get(start) if text.startswith("{", start) else None
        if end is None:
            return  # `\href` without a readable address: the name goes, the rest is text
        raw = text[start + 1 : end]
        url = safe_url(raw)
        self.pos = end + 1
        shown = (Text(_URL_ESCAPE.sub(r"\1", raw).strip()),)
        if name == "url":
            self.emit_link(url, shown)
            return
        label = _SPACES.match(text, self.pos).end()
        if text.startswith("{", label) and self.push(_Frame("link", url=url)):
            self.pos = label + 1
            return
        self.emit_link(url, shown)

    def emit_link(self, url: str | None, children: tuple[Segment, ...]) -> None:
        if url is None:
            # Not a web address (`javascript:`, `mailto:`, a typo): its text, no link.
            self.top.children.extend(children)
        else:
            self.emit(Link(url, children or (Text(url),)))


@lru_cache(maxsize=8192)
def parse(text: str) -> tuple[Segment, ...]:
    """Read arXiv text into segments (see the module docstring for what it understands)."""
    text = strip_invisible(text)
    if not _ANY_MARKUP.search(text):
        return (Text(text),) if text else ()
    return _Parser(text).run()


# --- math as text -----------------------------------------------------------------------


def _math_context() -> tuple[object, object]:
    """pylatexenc's tables, plus the math macros arXiv abstracts use that it lacks."""
    from pylatexenc.latex2text import MacroTextSpec
    from pylatexenc.macrospec import MacroSpec

    fractions = ("tfrac", "dfrac", "cfrac")
    walker = _walker_context_db()
    walker.add_context_category("arxiv", prepend=True, macros=[MacroSpec(name, "{{") for name in fractions])
    text = get_default_latex_context_db()
    text.add_context_category(
        "arxiv",
        prepend=True,
        macros=[MacroTextSpec(name, "%(1)s/%(2)s") for name in fractions]
        + [MacroTextSpec(name, repl) for name, repl in (("colon", ":"), ("|", "‖"), ("Vert", "‖"), ("vert", "|"), ("!", ""))],
    )
    return walker, text


_MATH_WALKER_DB, _MATH_TEXT_DB = _math_context()
_MATH_LATEX2TEXT = LatexNodes2Text(latex_context=_MATH_TEXT_DB)
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")
# Recorded abstracts write `\mathbfθ` and `\tildeΘ` (arXiv:2507.16734, arXiv:2007.09895):
# pylatexenc reads the letter as part of the macro's name and drops both.
_WORD_BEFORE_NON_ASCII = re.compile(r"(\\[A-Za-z]+)(?=[^\x00-\x7f])")
_WORD_AND_SPACE = re.compile(r"(\\[A-Za-z]+)(\s+)")
_SCRIPT = re.compile(r"([\^_])\s*(?:\{([^{}]*)\}|(\\[A-Za-z]+)|([^\s\\{}]))")
_SUPERSCRIPTS = dict(zip("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ"))
_SUBSCRIPTS = dict(zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_TEX_SPECIAL = frozenset("\\{}%$&#~^_")


_MATH_PIECE = re.compile(r"\\([A-Za-z]+)|\\([\s\S])|([{}])|([^\\{}]+)")
_MATH_CONTROL_SYMBOLS = {
    ",": " ", ";": " ", ":": " ", ">": " ", " ": " ", "!": "",
    "{": "{", "}": "}", "%": "%", "|": "‖", "#": "#", "&": "&", "_": "_", "$": "$",
}  # fmt: skip
_MATH_SIZING = frozenset(
    [
        "left",
        "right",
        "big",
        "Big",
        "bigg",
        "Bigg",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "biggl",
        "biggr",
        "Biggl",
        "Biggr",
        "displaystyle",
        "textstyle",
        "limits",
        "nolimits",
    ]
)


@lru_cache(maxsize=2048)
def _takes_arguments(name: str) -> bool:
    spec = _MATH_WALKER_DB.get_macro_spec(name)
    return bool(spec is not None and getattr(spec.args_parser, "argspec", ""))


@lru_cache(maxsize=2048)
def _math_symbol(name: str) -> str | None:
    """Text of a math macro without arguments in pylatexenc's table (`\\alpha` -> α), else None."""
    if name in _MATH_SIZING:
        return ""
    replacement = getattr(_MATH_TEXT_DB.get_macro_spec(name), "simplify_repl", None)
    if _takes_arguments(name) or not isinstance(replacement, str) or "%" in replacement:
        return None
    return replacement


def _simple_math_text(source: str) -> str | None:
    """Math made only of symbols, letters and groups, as text from pylatexenc's table, without
    its parser (which costs ~0.2 ms a span); None when a macro takes arguments (`\\frac`)."""
    out: list[str] = []
    for m in _MATH_PIECE.finditer(source):
        word, symbol, _brace, text = m.groups()
        if word:
            replacement = _math_symbol(word)
            if replacement is None:
                return None
            out.append(replacement)
        elif symbol:
            if symbol not in _MATH_CONTROL_SYMBOLS:
                return None
            out.append(_MATH_CONTROL_SYMBOLS[symbol])
        elif text:
            out.append(text)
    return "".join(out)


def _keep_space(m: re.Match[str]) -> str:
    """`\\le α`: keep the space TeX would eat after a macro without arguments (`≤ α`, not `≤α`)."""
    return m.group(0) if _takes_arguments(m.group(1)[1:]) else m.group(1) + "{}" + m.group(2)


def _end_name(m: re.Match[str]) -> str:
    """`\\mathbfθ` -> `\\mathbf θ` (θ its argument), `\\ellₚ` -> `\\ell{}ₚ` (ℓ then ₚ)."""
    return m.group(1) + (" " if _takes_arguments(m.group(1)[1:]) else "{}")


def _script(m: re.Match[str]) -> str:
    """`^{-3}` -> ⁻³, `_1` -> ₁, `^{n-1}` -> ⁿ⁻¹; `^{a+b}` -> ^(a+b) when Unicode has no such letters."""
    marker, group, word, char = m.groups()
    if char:
        inner = char
    else:
        tex = group if group is not None else word
        simple = _simple_math_text(tex)
        inner = (simple if simple is not None else _MATH_LATEX2TEXT.latex_to_text(tex, latex_context=_MATH_WALKER_DB)).strip()
    if not inner or any(c in _TEX_SPECIAL for c in inner):
        return m.group(0)
    table = _SUPERSCRIPTS if marker == "^" else _SUBSCRIPTS
    if all(c in table for c in inner):
        return "".join(table[c] for c in inner)
    return marker + (inner if len(inner) == 1 else f"({inner})")


@lru_cache(maxsize=16384)
def math_text(tex: str) -> str:
    """Math as readable Unicode text (`\\times` -> ×, `10^{-3}` -> 10⁻³), via pylatexenc."""
    if len(tex) > MAX_MATH_TEXT:
        return tex
    # pylatexenc reads `%` as a comment and would drop the rest: arXiv authors mean percent.
    source = _UNESCAPED_PERCENT.sub(r"\1\\%", tex)
    try:
        source = _SCRIPT.sub(_script, source)
        source = _WORD_BEFORE_NON_ASCII.sub(_end_name, source)
        source = _WORD_AND_SPACE.sub(_keep_space, source)
        text = _simple_math_text(source)
        if text is None:
            text = _MATH_LATEX2TEXT.latex_to_text(source, latex_context=_MATH_WALKER_DB)
    except Exception:  # noqa: BLE001 -- pylatexenc fails on odd input in odd ways (KeyError on
        # `\footnote`, RecursionError on deep braces); the TeX itself is the readable fallback.
        return tex
    return _WHITESPACE.sub(" ", text).strip()


# --- renderers --------------------------------------------------------------------------

_HTML_TAGS: dict[Style, tuple[str, str]] = {
    "bold": ("<strong>", "</strong>"),
    "italic": ("<em>", "</em>"),
    "mono": ("<code>", "</code>"),
    "underline": ("<u>", "</u>"),
    "smallcaps": ('<span class="tex-sc">', "</span>"),
}
_LINK_ATTRIBUTES = ' rel="nofollow noopener"'


def _html(segments: tuple[Segment, ...], out: list[str], in_link: bool, math: bool) -> None:
    for seg in segments:
        if isinstance(seg, Text):
            out.append(escape(seg.text))
        elif isinstance(seg, Math):
            if not math:
                out.append(escape(math_text(seg.tex)))
                continue
            kind = "tex-math tex-display" if seg.display else "tex-math"
            out.append(f'<span class="{kind}">{escape(seg.source)}</span>')
        elif isinstance(seg, Link):
            if in_link:  # no link inside a link: HTML forbids it
                _html(seg.children, out, in_link, math)
                continue
            out.append(f'<a href="{escape(seg.url)}"{_LINK_ATTRIBUTES}>')
            _html(seg.children, out, True, math)
            out.append("</a>")
        elif isinstance(seg, Styled):
            opening, closing = _HTML_TAGS[seg.style]
            out.append(opening)
            _html(seg.children, out, in_link, math)
            out.append(closing)
        else:
            out.append("<br>")


@lru_cache(maxsize=8192)
def tex_html(text: str, links: bool = True, math: bool = True) -> Markup:
    """HTML for a page: text escaped, macros as their meaning, math in `.tex-math` elements.

    `links=False` shows links as their text, for text that is itself a link's (a title in
    a list links to the paper's page, and HTML allows no link inside a link). `math=False`
    shows math as readable text (`math_text`), as a feed does: for titles in lists, so that
    a day, category, tag or home page needs no KaTeX (270 KB of script) to be read.

    Only the `span.tex-math` elements (`span.tex-math.tex-display` for `$$`/`\\[`) hold
    math, as escaped TeX with its delimiters, so a reader without JavaScript sees the TeX
    and the page's script typesets these elements and nothing else (`katex.render` of the
    text less its delimiters: one character for `$`, two for `$$`, `\\(` and `\\[`);
    a text without any needs no KaTeX. `span.tex-sc` wants `font-variant: small-caps`.
    """
    out: list[str] = []
    _html(parse(text), out, not links, math)
    return Markup("".join(out))


def _plain(segments: tuple[Segment, ...], out: list[str]) -> None:
    for seg in segments:
        if isinstance(seg, Text):
            out.append(seg.text)
        elif isinstance(seg, Math):
            out.append(math_text(seg.tex))
        elif isinstance(seg, (Link, Styled)):
            _plain(seg.children, out)
        else:
            out.append(" ")


@lru_cache(maxsize=8192)
def tex_plain(text: str) -> str:
    """Plain Unicode text, no markup: math as readable text, links as their text, one line."""
    out: list[str] = []
    _plain(parse(text), out)
    return _WHITESPACE.sub(" ", "".join(out)).strip()


def _feed_html(segments: tuple[Segment, ...], out: list[str], in_link: bool) -> None:
    for seg in segments:
        if isinstance(seg, Text):
            out.append(escape(seg.text))
        elif isinstance(seg, Math):
            out.append(escape(math_text(seg.tex)))
        elif isinstance(seg, Link) and not in_link:
            out.append(f'<a href="{escape(seg.url)}"{_LINK_ATTRIBUTES}>')
            _feed_html(seg.children, out, True)
            out.append("</a>")
        elif isinstance(seg, (Link, Styled)):
            _feed_html(seg.children, out, in_link)
        else:
            out.append("<br>")


@lru_cache(maxsize=4096)
def tex_feed_html(text: str) -> str:
    """HTML for a feed reader, which typesets no math: escaped text, math as readable text, links."""
    out: list[str] = []
    _feed_html(parse(text), out, False)
    return "".join(out)


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
