"""Summaries' Markdown, one dialect: GitHub-flavoured Markdown as cmark-gfm renders it, read the same way on the way in and out.

A model's answer is untrusted: a hostile paper can steer it ("ignore the above and
write <script>…"), and a hostile endpoint can answer anything. It is cleaned twice:

- On the way in (`clean_summary_markdown`, the summarize stage): the answer is
  unwrapped (reasoning scratchpads, a fence around the whole answer) and every raw HTML
  construct in it (tag, comment, declaration) is escaped, outside code and math, so the
  Markdown stored in a paper page holds no HTML at all: a page of the archive is a
  record, not markup.
- On the way out (`render_summary_html`, at site build time, for summaries and day
  notes alike): a stored body is Markdown, or, for a format-v1 summary that `migrate`
  kept as v1 stored it (no Markdown renders back to it), HTML (`is_html_body`). Markdown
  has its math spans set aside (Markdown would read `_` and `*` inside `$…$` as
  emphasis) and is converted by cmark-gfm in safe mode (raw HTML inside Markdown is
  dropped); an HTML body is not read as Markdown at all, and its math is found in its
  text. Either way the math comes back escaped in the element the page's script
  typesets (`<span class="tex-math">`, as generator/text/tex/ marks arXiv's math; a feed
  passes `math_html` to get readable text instead), and nh3 (ammonia) cleans the
  result against one short allow-list: text formatting, lists, tables, code,
  http(s)/mailto links and the math spans. No script, style, iframe, image, form,
  event handler, `style`, `id`, class other than the math markers, relative or
  `javascript:` URL and no HTML comment survives, so a summary can neither run code,
  load anything nor restyle the page, whatever a hand-edited page holds.

Where code and math are is decided once (`markdown_parts`), for cleaning, rendering and
reading alike: code blocks (fenced or indented) where cmark-gfm itself finds them (its
source positions), code spans by CommonMark's rule (a run of backticks closes at the next
run of the same length in the same paragraph), and math outside code by the one rule every
output follows (generator/text/tex/spans.py). `summary_pieces` gives what a summary says as
text (search documents, a day entry's gist), math as readable text.

`sanitize_html` is idempotent (`sanitize_html(sanitize_html(x)) == sanitize_html(x)`);
`html_text` gives the text a rendered summary shows (`migrate` and `doctor` check it).
Python-Markdown, which rendered summaries in format v1, is used only to reproduce v1
(generator/archive/v1_summary.py, for `migrate`).
"""

from __future__ import annotations

import ctypes
import html
import re
from bisect import bisect_right
from collections.abc import Callable

import cmarkgfm
import nh3
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options as cmarkgfm_options

from generator.text.chars import strip_invisible
from generator.text.tex import split_math, tex_plain

TOP_HEADING_LEVEL = 3
"""The summary sits under the page's `## AI summary`, so its own headings start at h3."""

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "sub", "sup",
        "code", "pre", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "a", "span",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"*": set(), "a": {"href"}, "ol": {"start"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
ALLOWED_CLASSES = {"span": {"tex-math", "tex-display"}}
"""The math markers (`math_span`): the only classes a summary keeps."""
URL_SCHEMES = frozenset({"http", "https", "mailto"})
REMOVED_WITH_CONTENT = frozenset({"script", "style"})
LINK_REL = "nofollow noopener noreferrer"

_THINKING = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL | re.IGNORECASE)
_WHOLE_FENCE = re.compile(r"^\s*```(?:markdown|md)?[ \t]*\n(?P<body>.*)\n```\s*$", re.DOTALL | re.IGNORECASE)


def sanitize_html(html: str) -> str:
    """HTML reduced to the allow-list; idempotent."""
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},  # "*": none (ammonia allows lang and title by default)
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
    # ammonia escapes "<" in attribute values; make certain no comment opener reaches the page.
    return cleaned.replace("<!--", "&lt;!--")


def unwrap_answer(answer: str) -> str:
    """A model's answer without what wraps it: a reasoning model's `<think>` scratchpad, a "```markdown … ```" fence around it all."""
    text = _THINKING.sub("", answer.replace("\r\n", "\n"))
    whole = _WHOLE_FENCE.match(text)
    if whole:
        text = whole.group("body")
    return text.strip()


def clean_summary_markdown(answer: str) -> str:
    """The model's answer as the Markdown a paper page stores: unwrapped, with no raw HTML left.

    Outside code blocks, code spans and math (`markdown_parts`), HTML comments and
    `script`/`style`-like elements go with their content, other tags go and their text
    stays (as nh3 does on the way out), and any `<` that could still open HTML is escaped:
    what is stored is Markdown, never markup.
    """
    out: list[str] = []
    prose: list[tuple[str, str]] = []
    for kind, chunk in [*markdown_parts(_no_slots(unwrap_answer(answer))), ("block", "")]:
        if kind != "block":
            prose.append((kind, chunk))
            continue
        kept: list[str] = []
        out.append(_restore(_strip_html(_with_slots(prose, ("code", "math"), kept)), kept))
        out.append(chunk)
        prose = []
    return "".join(out).strip()


# --- where code and math are --------------------------------------------------------------------

_PRE_LINES = re.compile(r'<pre data-sourcepos="(\d+):\d+-(\d+):\d+"')
_BACKTICKS = re.compile(r"`+")
_PARAGRAPH_END = re.compile(r"\n(?=[ \t]*(?:\n|$)| {0,3}(?:#{1,6}(?:[ \t]|$)|>|[-+*][ \t]|\d{1,9}[.)][ \t]|```|~~~))")
"""Where a paragraph ends: a blank line, or a line that starts another block (heading, quote, list item, fence)."""


def markdown_parts(text: str) -> list[tuple[str, str]]:
    """A summary's Markdown (invisible characters dropped) as (kind, text) pieces that join to it, in order.

    Kinds: "block", a code block (fenced or indented, whole lines, as cmark-gfm finds it);
    "code", a code span; "math", a math span outside code, by the rule every output follows
    (generator/text/tex/spans.py); "text", the rest.
    """
    text = strip_invisible(text.replace("\r\n", "\n").replace("\r", "\n"))
    parts: list[tuple[str, str]] = []
    for is_block, chunk in _code_blocks(text):
        if is_block:
            parts.append(("block", chunk))
            continue
        for is_code, piece in _code_spans(chunk):
            if is_code:
                parts.append(("code", piece))
            else:
                parts += [("math" if is_math else "text", part) for is_math, part in split_math(piece)]
    return parts


def _code_blocks(text: str) -> list[tuple[bool, str]]:
    """(is a code block, whole lines) pieces of `text`: the code blocks are the `<pre>` elements of cmark-gfm's own rendering."""
    if "```" not in text and "~~~" not in text and "    " not in text and "\t" not in text:
        return [(False, text)] if text else []  # no fence, no indented line: no code block (no need to ask cmark-gfm)
    rendered = gfm_to_html(text, _CMARK_OPTIONS | cmarkgfm_options.CMARK_OPT_SOURCEPOS)
    lines = text.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + lines[-1:]
    code = [False] * len(lines)
    for first, last in _PRE_LINES.findall(rendered):
        for number in range(int(first) - 1, min(int(last), len(lines))):
            code[number] = True
    groups: list[tuple[bool, list[str]]] = []
    for line, is_code in zip(lines, code, strict=True):
        if groups and groups[-1][0] == is_code:
            groups[-1][1].append(line)
        elif line:
            groups.append((is_code, [line]))
    return [(is_code, "".join(group)) for is_code, group in groups]


def _code_spans(text: str) -> list[tuple[bool, str]]:
    """(is a code span, text) pieces of prose, by CommonMark's rule: a backtick run (not escaped by a backslash)
    opens a span that the next run of the same length closes, within its paragraph; an opener without one is text.

    Linear but for a bisect per run: the runs of each length in each paragraph are listed once.
    """
    if "`" not in text:
        return [(False, text)] if text else []
    ends = [m.start() for m in _PARAGRAPH_END.finditer(text)]
    runs = [m.span() for m in _BACKTICKS.finditer(text)]
    closers: dict[tuple[int, int], list[int]] = {}
    for index, (start, end) in enumerate(runs):
        closers.setdefault((bisect_right(ends, start), end - start), []).append(index)
    pieces: list[tuple[bool, str]] = []
    pos = index = 0
    while index < len(runs):
        start, end = runs[index]
        backslashes = 0
        while start - backslashes > pos and text[start - backslashes - 1] == "\\":
            backslashes += 1
        start += backslashes % 2  # "\`": that backtick is a character
        same = closers.get((bisect_right(ends, start), end - start), [])
        after = bisect_right(same, index)
        if start == end or after == len(same):
            index += 1
            continue
        closer = runs[same[after]]
        if start > pos:
            pieces.append((False, text[pos:start]))
        pieces.append((True, text[start : closer[1]]))
        pos = closer[1]
        index = same[after] + 1
    if pos < len(text):
        pieces.append((False, text[pos:]))
    return pieces


# --- rendering ------------------------------------------------------------------------------------


def math_span(source: str) -> str:
    """A math span as written (`$x$`, `\\[x\\]`), escaped, in the element the page's script typesets.

    The same markup as generator/text/tex/ gives arXiv's math: `span.tex-math`, plus `tex-display`
    for `$$…$$` and `\\[…\\]`; the script renders the text less its delimiters.
    """
    kind = "tex-math tex-display" if source.startswith(("$$", "\\[")) else "tex-math"
    return f'<span class="{kind}">{html.escape(source, quote=False)}</span>'


def math_as_text(source: str) -> str:
    """A math span as readable text, escaped (`math_html` for feeds, lists and the search index)."""
    return html.escape(tex_plain(source), quote=False)


def render_summary_html(markdown_text: str, math_html: Callable[[str], str] = math_span) -> str:
    """A stored summary (or day note) as sanitized HTML; each math span, as written, becomes `math_html(span)`
    (for a page, `math_span`: left for KaTeX; a feed gives readable text).

    The Markdown is GitHub-flavoured CommonMark, the dialect models write (nested lists
    indented by two spaces, tables), converted by cmark-gfm (C, through cmarkgfm): the site
    renders thousands of summaries per build, and Python-Markdown took 20 times longer.
    Raw HTML inside Markdown is not passed through (cmark's safe mode replaces it by a
    comment, which nh3 then drops). A body that is HTML (`is_html_body`: a v1 summary
    `migrate` kept as HTML) is sanitized as it is, by the same allow-list, with the math in
    its text marked the same way. The summary's own headings move under the page's `## AI summary`.
    """
    if is_html_body(markdown_text):
        return _render_html_body(markdown_text, math_html)
    spans: list[str] = []
    protected = _with_slots(markdown_parts(_no_slots(markdown_text)), ("math",), spans)
    converted = _shift_headings(gfm_to_html(protected, _CMARK_OPTIONS))
    if spans:
        converted = _TAG.sub(lambda m: _MATH_SLOT.sub(lambda s: html.escape(spans[int(s.group(1))]), m.group(0)), converted)
        converted = _MATH_SLOT.sub(lambda m: math_html(spans[int(m.group(1))]), converted)
    return sanitize_html(converted)


_HTML_BLOCK_START = re.compile(
    r"\A\s*<(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl"
    r"|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu"
    r"|menuitem|nav|noframes|ol|optgroup|option|p|param|pre|script|search|section|style|summary|table|tbody|td|textarea"
    r"|tfoot|th|thead|title|tr|track|ul)(?=[\s/>]|\Z)",
    re.IGNORECASE,
)
"""A first line that opens an HTML block by CommonMark's rule (its start conditions 1 and 6: pre, script, style, textarea
and the block-level tags)."""


def is_html_body(text: str) -> bool:
    """Whether a stored summary or note is HTML rather than Markdown: it starts with a block-level HTML element.

    Format v1 stored each summary as the HTML Python-Markdown made of the model's answer,
    always a sequence of block elements (`<p>`, `<h3>`, `<ul>`, `<table>`...); `migrate`
    keeps that HTML when no Markdown renders back to it (a link whose unsafe address v1
    removed, for example). Markdown the generator stores never starts so:
    `clean_summary_markdown` escapes every `<` that could open HTML.
    """
    return _HTML_BLOCK_START.match(text) is not None


def _render_html_body(body: str, math_html: Callable[[str], str]) -> str:
    """An HTML body sanitized by the allow-list, math in its text given to `math_html`, headings under the page's.

    Math is looked for in each text node outside code, by the one rule (as in Markdown
    summaries); a math span already marked (`span.tex-math`, hand-written) is math too. A
    `$…$` that v1's Markdown broke with a tag (it read `*` and `_` in math as emphasis)
    stays text, as v1 showed it.
    """
    cleaned = _no_slots(sanitize_html(_shift_headings(body)))  # headings first: nh3 keeps h3-h6 only
    marked: list[str] = []

    def set_aside(span: re.Match[str]) -> str:
        marked.append(html.unescape(_TAG.sub("", span.group(2))))
        return f"\ue000{len(marked) - 1}\ue001"

    cleaned = _MARKED_MATH.sub(lambda m: set_aside(m) if "tex-math" in m.group(1).split() else m.group(0), cleaned)
    out: list[str] = []
    code = 0  # depth of code and pre elements: their text is left as it is
    last = 0
    for tag in _TAG.finditer(cleaned):
        out.append(_mark_math(cleaned[last : tag.start()], math_html) if not code else cleaned[last : tag.start()])
        name = _TAG_NAME.match(tag.group(0))
        if name and name.group(2).lower() in ("code", "pre"):
            code = max(0, code + (-1 if name.group(1) else 1))
        out.append(tag.group(0))
        last = tag.end()
    out.append(_mark_math(cleaned[last:], math_html) if not code else cleaned[last:])
    return sanitize_html(_MATH_SLOT.sub(lambda m: math_html(marked[int(m.group(1))]), "".join(out)))


_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_MARKED_MATH = re.compile(r'<span class="([^"<>]*)">(.*?)</span>', re.DOTALL)


def _mark_math(escaped_text: str, math_html: Callable[[str], str]) -> str:
    """A text node of sanitized HTML (escaped) with its math spans given to `math_html` (which escapes them)."""
    if "$" not in escaped_text and "\\" not in escaped_text:
        return escaped_text
    text = html.unescape(escaped_text)
    return "".join(math_html(chunk) if is_math else html.escape(chunk, quote=False) for is_math, chunk in split_math(text))


_BLOCK_EDGE = re.compile(r"<(?:/?(?:p|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|th|td)|br|hr)\b[^<>]*>", re.IGNORECASE)


def html_text(fragment: str) -> str:
    """The text a sanitized HTML fragment shows: tags out (a block's edge is a line break), character references decoded."""
    return html.unescape(_TAG.sub("", _BLOCK_EDGE.sub("\n", fragment))).strip("\n")


_CMARK_OPTIONS = cmarkgfm_options.CMARK_OPT_VALIDATE_UTF8
"""Safe mode (cmark's default, no CMARK_OPT_UNSAFE): raw HTML and javascript: links are left out."""

# cmark-gfm registers its extensions on first use, unlocked (cffi releases the GIL): two threads converting their
# first summaries at once (the summary stage's workers) aborted the process ("flag initialization error in
# cmark_register_node_flag"). Registered here, once, while the import lock is held.
cmarkgfm.cmark.core_extensions_ensure_registered()
_GFM_EXTENSIONS = tuple(
    cmarkgfm.cmark.find_syntax_extension(name) for name in ("table", "autolink", "tagfilter", "strikethrough", "tasklist")
)
# cmarkgfm's own converters never free the document tree nor the HTML cmark returns (17 KB a summary: a cold build of
# 200,000 papers held 1.4 GB of them); cmark_node_free and free are not in its cffi declarations, so they are taken
# from the same loaded library (and the C library it allocates with) by ctypes.
_CMARK_C = ctypes.CDLL(_cmark.__file__)
_CMARK_C.cmark_node_free.argtypes = [ctypes.c_void_p]
_CMARK_C.cmark_node_free.restype = None
_LIBC_FREE = ctypes.CDLL(None).free
_LIBC_FREE.argtypes = [ctypes.c_void_p]
_LIBC_FREE.restype = None


def gfm_to_html(text: str, options: int) -> str:
    """GitHub-flavoured Markdown as cmark-gfm renders it (cmarkgfm.github_flavored_markdown_to_html's extensions and
    options), freeing what cmark allocated."""
    lib, ffi = _cmark.lib, _cmark.ffi
    options |= cmarkgfm_options.CMARK_OPT_GITHUB_PRE_LANG
    parser = lib.cmark_parser_new(options)
    try:
        for extension in _GFM_EXTENSIONS:
            lib.cmark_parser_attach_syntax_extension(parser, extension)
        data = text.encode("utf-8")
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        try:
            raw = lib.cmark_render_html(root, options, lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return ffi.string(raw).decode("utf-8")
            finally:
                _LIBC_FREE(int(ffi.cast("uintptr_t", raw)))
        finally:
            _CMARK_C.cmark_node_free(int(ffi.cast("uintptr_t", root)))
    finally:
        lib.cmark_parser_free(parser)


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


def _shift_headings(converted: str) -> str:
    """Headings moved down so that the top one is h3 (the page's own h1/h2 stay its outline)."""
    levels = [int(level) for closing, level in _HEADING_TAG.findall(converted) if not closing]
    if not levels:
        return converted
    shift = TOP_HEADING_LEVEL - min(levels)
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(6, max(TOP_HEADING_LEVEL, int(m.group(2)) + shift))}", converted)


_TAG = re.compile(r"<[^<>]*>")
"""A tag of cmark-gfm's output (it escapes `<` and `>` in attribute values): math that
landed in an attribute (a link's title) goes back as escaped text, never as an element."""


# --- placeholders ---------------------------------------------------------------------------------

_MATH_SLOT = re.compile("\ue000(\\d+)\ue001")
"""Placeholder for a piece set aside (math, a code span): private-use characters, which Markdown gives no meaning
(it uses STX/ETX itself)."""
_SLOT_CHARACTERS = re.compile("[\ue000-\ue003]")


def _no_slots(text: str) -> str:
    """`text` without the private-use characters placeholders and markers use: none can be forged."""
    return _SLOT_CHARACTERS.sub("", text)


def _with_slots(parts: list[tuple[str, str]], kinds: tuple[str, ...], kept: list[str]) -> str:
    """The parts joined, each of a kind in `kinds` replaced by a placeholder and appended to `kept`."""
    out: list[str] = []
    for kind, chunk in parts:
        if kind in kinds:
            kept.append(chunk)
            out.append(f"\ue000{len(kept) - 1}\ue001")
        else:
            out.append(chunk)
    return "".join(out)


def _restore(text: str, kept: list[str]) -> str:
    return _MATH_SLOT.sub(lambda m: kept[int(m.group(1))], text)


# --- cleaning on the way in -----------------------------------------------------------------------

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_HTML_WITH_CONTENT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)
"""What nh3 removes with its content (REMOVED_WITH_CONTENT); an unclosed one runs to the end, as in a browser."""
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:[\s/][^<>]*)?>")
"""A tag as a browser reads it (`<svg/onload=…>`: a `/` separates attributes too)."""
_HTML_OPENER = re.compile(r"<(?=[A-Za-z/!?])(?!https?://|mailto:)")
"""A `<` that could still open raw HTML; Markdown autolinks (`<https://…>`) are not HTML and stay."""
_MD_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")
"""An inline link or image; its address may hold balanced parentheses, as Markdown allows."""
_MD_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?(\S*?)>?(?:[ \t].*)?$", re.MULTILINE)


def _strip_html(text: str) -> str:
    """Prose (code and math already set aside as placeholders) without raw HTML or unsafe links."""
    text = _HTML_COMMENT.sub("", text)
    text = _HTML_WITH_CONTENT.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _HTML_OPENER.sub("&lt;", text)
    text = _MD_LINK.sub(_safe_link, text)
    return _MD_REFERENCE.sub(lambda m: m.group(0) if _safe_url(m.group(1)) else "", text)


def _safe_url(url: str) -> bool:
    """An absolute http(s) or mailto address: what the allow-list keeps on the way out."""
    return re.match(r"(?i)(?:https?://|mailto:)", url.strip()) is not None


def _safe_link(match: re.Match[str]) -> str:
    """A Markdown link to a safe address stays; any other becomes its text, an image nothing but its text."""
    image, text, url = match.groups()
    if not image and _safe_url(url):
        return match.group(0)
    return text


# --- what a summary says, as text -----------------------------------------------------------------

_FENCE_LINE = re.compile(r"^[ \t>]*(?:```|~~~).*$", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]*", re.MULTILINE)
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+", re.MULTILINE)
_QUOTE = re.compile(r"^ {0,3}>[ \t]?", re.MULTILINE)
_TABLE_RULE = re.compile(r"^[ \t|:-]*-[ \t|:-]*$", re.MULTILINE)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*{1,3}|(?<!\w)_{1,3})(?=\S)(.+?)(?<=\S)\1")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
"""CommonMark's backslash escapes: a backslash before ASCII punctuation shows the punctuation."""
_MARKS = re.compile(r"\|")
_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+(.+)$", re.MULTILINE)
_FIRST_ITEM = re.compile(r"<li>(.*?)(?:</li>|<ul>|<ol\b)", re.DOTALL)
_MATH_START, _MATH_END = "\ue002", "\ue003"
_MARKED_PIECE = re.compile("\ue002(.*?)\ue003", re.DOTALL)


def summary_pieces(body: str, *, first_item: bool = False) -> list[tuple[bool, str]]:
    """What a stored summary (or day note) says, as (is math, text) pieces: no Markdown syntax, math as readable text.

    For the search index and a day entry's gist (what a cutter cuts, never inside math),
    without rendering: Markdown's marks go by pattern, code blocks and code spans keep
    their text, math is where `render_summary_html` finds it (`markdown_parts`) and reads as
    text (generator/text/tex/: `$\\times$` -> ×). A body kept as HTML (`is_html_body`) is
    rendered and its text taken. With `first_item`, only the first list item (a bullet of
    Markdown, an `<li>` of HTML), else all of it.
    """
    if is_html_body(body):
        rendered = render_summary_html(_no_slots(body), math_html=lambda source: _MATH_START + math_as_text(source) + _MATH_END)
        item = _FIRST_ITEM.search(rendered) if first_item else None
        text = html_text(item.group(1) if item else rendered)
        pieces: list[tuple[bool, str]] = []
        last = 0
        for math in _MARKED_PIECE.finditer(text):
            pieces += [(False, text[last : math.start()]), (True, math.group(1))]
            last = math.end()
        return [piece for piece in [*pieces, (False, text[last:])] if piece[1]]
    if first_item:
        bullet = _BULLET.search(body)
        body = bullet.group(1) if bullet else body
    kept: list[str] = []
    parts = markdown_parts(_no_slots(body))
    text = _markdown_words(_with_slots(parts, ("block", "code", "math"), kept))
    kinds = [kind for kind, _ in parts if kind in ("block", "code", "math")]
    pieces, last = [], 0
    for slot in _MATH_SLOT.finditer(text):
        index = int(slot.group(1))
        pieces.append((False, text[last : slot.start()]))
        pieces.append(_readable(kinds[index], kept[index]))
        last = slot.end()
    pieces.append((False, text[last:]))
    return [piece for piece in pieces if piece[1]]


def summary_text(body: str) -> str:
    """The words of a summary's Markdown without its syntax (`summary_pieces`, joined): what the search index holds."""
    return "".join(text for _, text in summary_pieces(body))


def _readable(kind: str, chunk: str) -> tuple[bool, str]:
    """A piece set aside, as text: math as readable text; a code block without its fence lines; a code span without its backticks."""
    if kind == "math":
        return True, tex_plain(chunk)
    if kind == "block":
        return False, _FENCE_LINE.sub("", chunk)
    return False, " " + chunk.strip("`") + " "


def _markdown_words(text: str) -> str:
    """Markdown's marks taken out of prose whose code and math are placeholders (each pattern only where its mark can be)."""
    if "-" in text:
        text = _TABLE_RULE.sub("", text)
    if "#" in text:
        text = _HEADING.sub("", text)
    text = _LIST_ITEM.sub("", text)
    if ">" in text:
        text = _QUOTE.sub("", text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(r"\2", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "|" in text:
        text = _MARKS.sub(" ", text)
    return text
