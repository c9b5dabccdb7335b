"""arXiv's TeX-flavoured text read into segments (`parse`): one pass, one meaning, for every output.

What the parser understands (outside math):
- style macros with an argument: `\\textbf`, `\\textit`, `\\emph`, `\\textsl`, `\\texttt`,
  `\\underline`, `\\textsc`; their declaration forms `{\\bf ...}`, `{\\em ...}`, `{\\it ...}`,
  `{\\tt ...}`, `{\\sc ...}`; `\\textrm`, `\\textsf`, `\\text`, `\\mbox` and the like are their text;
- `\\href{url}{text}` and `\\url{url}`, and bare `http(s)://` addresses (arXiv's own abstract
  page links those too): links only for http and https; any other scheme shows the text;
- accents (`\\'e`, `{\\"o}`, `\\v{s}`, `{\\l}`) through pylatexenc, as at fetch time;
  text symbols (`\\ldots`, `\\pm`, `\\LaTeX`, `\\S`, ...) from a small table, then from
  pylatexenc's table for macros without arguments (macros.py);
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

Math is where the one rule says (spans.py), found wherever it starts, also inside
`\\textbf{...}`: a link address or a dropped argument that would hide a span is not read as
one (its text and its math are shown), so no output loses math another one shows.

Cost: one pass of one regex over the text; nesting is capped at `MAX_DEPTH` groups (deeper
braces are shown as characters), so a hostile field costs time linear in its length.
Parses are cached (titles are rendered on many pages of one build).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from urllib.parse import urlsplit

from generator.text.chars import strip_invisible
from generator.text.tex import macros
from generator.text.tex.macros import ACCENT, accent_to_unicode
from generator.text.tex.model import Break, Link, Math, Segment, Style, Styled, Text
from generator.text.tex.spans import MathSpan, math_spans

MAX_DEPTH = 40
"""Nested groups followed; deeper braces are shown as characters (keeps rendering recursion bounded)."""

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
        self.spans = math_spans(text)
        self.math = {span.start: span for span in self.spans}
        self.math_starts = [span.start for span in self.spans]
        self._braces: dict[int, int] | None = None
        self.argument_at = -1  # a `{` at this position is the previous macro's next argument

    @property
    def braces(self) -> dict[int, int]:
        """{position of `{`: position of its `}`} for the pairs that match outside math, escapes skipped
        (computed at the first macro that reads a raw argument)."""
        if self._braces is None:
            self._braces = {}
            opened: list[int] = []
            pos = 0
            for end, resume in [*((span.start, span.end) for span in self.spans), (len(self.text), len(self.text))]:
                for m in _BRACE_OR_ESCAPE.finditer(self.text, pos, end):
                    char = m.group(0)
                    if char == "{":
                        opened.append(m.start())
                    elif char == "}" and opened:
                        self._braces[opened.pop()] = m.start()
                pos = resume
        return self._braces

    def math_inside(self, start: int, end: int) -> bool:
        """Whether a math span starts between `start` and `end`: what would hide it is not skipped."""
        index = bisect_right(self.math_starts, start)
        return index < len(self.math_starts) and self.math_starts[index] < end

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
        if name in macros.STYLE_ARGUMENT:
            self.skip_spaces()
            if text.startswith("{", self.pos) and self.push(_Frame("style", style=macros.STYLE_ARGUMENT[name])):
                self.pos += 1
            return
        if name in macros.STYLE_DECLARATION:
            self.skip_spaces()
            self.push(_Frame("declaration", style=macros.STYLE_DECLARATION[name]))
            return
        if name in ("href", "url"):
            self.link(name)
            return
        if name in macros.BREAKS:
            self.emit(Break())
            return
        if name in macros.NEUTRAL_DECLARATION:
            self.skip_spaces()
            return
        if name in macros.DROPPED_WITH_ARGUMENTS:
            self.skip_arguments()
            return
        symbol = macros.symbol(name)
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
            if text.startswith("{", after) and after in self.braces and not self.math_inside(after, self.braces[after]):
                self.pos = self.braces[after] + 1
            elif text.startswith("[", after):
                close = text.find("]", after, after + 200)
                if close < 0 or self.math_inside(after, close):
                    return
                self.pos = close + 1
            else:
                return

    def control_symbol(self, char: str, pos: int) -> None:
        if char == "\\":
            self.emit(Break())
        elif char in "([" and pos in self.math:
            self.emit_math(self.math[pos])
        else:
            self.emit(macros.CONTROL_SYMBOLS.get(char, char))

    def dollar(self, pos: int) -> None:
        span = self.math.get(pos)
        if span is None:
            self.emit("$")  # a dollar sign (spans.py says when `$` opens math)
        else:
            self.emit_math(span)

    def emit_math(self, span: MathSpan) -> None:
        text, inner = self.text, span.delimiter
        self.emit(Math(text[span.start : span.end], text[span.start + inner : span.end - inner], display=span.display))
        self.pos = span.end

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
        if end is None or self.math_inside(start, end):
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
