"""LLM answers: safe Markdown to store, safe HTML to show. Pure: strings in, strings out.

A model's answer is untrusted: a hostile paper can steer it ("ignore the above and
write <script>…"), and a hostile endpoint can answer anything. It is cleaned twice:

- On the way in (`clean_summary_markdown`, the summarize stage): the answer is
  tidied (reasoning scratchpads, a fence around the whole answer, lists glued to a
  paragraph) and every raw HTML construct in it (tag, comment, declaration) is
  escaped, outside code and math, so the Markdown stored in a paper page holds no
  HTML at all: a page of the archive is a record, not markup.
- On the way out (`render_summary_html`, at site build time, for summaries and day
  notes alike): a stored body is Markdown, or, for a format-v1 summary that `migrate`
  kept as v1 stored it (no Markdown renders back to it), HTML (`is_html_body`). Markdown
  has its math spans set aside (Markdown would read `_` and `*` inside `$…$` as
  emphasis) and is converted by cmark-gfm in safe mode (raw HTML inside Markdown is
  dropped); an HTML body is not read as Markdown at all, and its math is found in its
  text. Either way the math comes back escaped in the element the page's script
  typesets (`<span class="tex-math">`, as generator/text/tex.py marks arXiv's math; a feed
  passes `math_html` to get readable text instead), and nh3 (ammonia) cleans the
  result against one short allow-list: text formatting, lists, tables, code,
  http(s)/mailto links and the math spans. No script, style, iframe, image, form,
  event handler, `style`, `id`, class other than the math markers, relative or
  `javascript:` URL and no HTML comment survives, so a summary can neither run code,
  load anything nor restyle the page, whatever a hand-edited page holds.

`sanitize_html` is idempotent (`sanitize_html(sanitize_html(x)) == sanitize_html(x)`);
`html_text` gives the text a rendered summary shows (`migrate` and `doctor` check it).
"""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable

import cmarkgfm
import markdown
import nh3
from cmarkgfm.cmark import Options as cmarkgfm_options
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from generator.text.clean import split_prose_math, strip_invisible

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
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+\S")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_FENCE_OPEN = re.compile(r"^(`{3,}|~{3,})")


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


def summary_html(answer: str) -> str:
    """The model's Markdown answer as sanitized HTML (format v1's stored form; `migrate` compares against it)."""
    return sanitize_html(_MARKDOWN().convert(_tidy(answer)))


def clean_summary_markdown(answer: str) -> str:
    """The model's answer as the Markdown a paper page stores: tidied, with no raw HTML left.

    Outside fenced code, code spans and math, HTML comments and `script`/`style`-like
    elements go with their content, other tags go and their text stays (as nh3 does on
    the way out), and any `<` that could still open HTML is escaped: what is stored is
    Markdown, never markup.
    """
    parts = [chunk if is_code else _strip_html(chunk) for is_code, chunk in _fenced_blocks(strip_invisible(_tidy(answer)))]
    return "\n".join(parts).strip()


def _fenced_blocks(text: str) -> list[tuple[bool, str]]:
    """(is fenced code, text) pieces, fences found as python-markdown's fenced_code finds them.

    A fence opens at the start of a line and is closed by the same fence alone on a later
    line; an unclosed fence is no code block for python-markdown, so its lines are prose.
    """
    lines = text.split("\n")
    pieces: list[tuple[bool, str]] = []
    start = 0
    index = 0
    while index < len(lines):
        opener = _FENCE_OPEN.match(lines[index])
        if opener:
            close = next((j for j in range(index + 1, len(lines)) if lines[j].rstrip(" ") == opener.group(1)), None)
            if close is not None:
                if index > start:
                    pieces.append((False, "\n".join(lines[start:index])))
                pieces.append((True, "\n".join(lines[index : close + 1])))
                start = index = close + 1
                continue
        index += 1
    if start < len(lines):
        pieces.append((False, "\n".join(lines[start:])))
    return pieces


def math_span(source: str) -> str:
    """A math span as written (`$x$`, `\\[x\\]`), escaped, in the element the page's script typesets.

    The same markup as generator/text/tex.py gives arXiv's math: `span.tex-math`, plus `tex-display`
    for `$$…$$` and `\\[…\\]`; the script renders the text less its delimiters.
    """
    kind = "tex-math tex-display" if source.startswith(("$$", "\\[")) else "tex-math"
    return f'<span class="{kind}">{html.escape(source, quote=False)}</span>'


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
    protected, spans = _set_math_aside(markdown_text)
    converted = _shift_headings(cmarkgfm.github_flavored_markdown_to_html(protected, options=_CMARK_OPTIONS))
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
"""A first line that opens an HTML block by CommonMark's rule (its start conditions 1 and 6: pre, script, style, textarea and the block-level tags)."""


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

    Math is looked for in each text node outside code (`split_prose_math`, as in Markdown
    summaries); a math span already marked (`span.tex-math`, hand-written) is math too. A
    `$…$` that v1's Markdown broke with a tag (it read `*` and `_` in math as emphasis)
    stays text, as v1 showed it.
    """
    cleaned = sanitize_html(_shift_headings(body))  # headings first: nh3 keeps h3-h6 only
    cleaned = cleaned.replace("\ue000", "").replace("\ue001", "")  # no forged placeholders
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
    return "".join(math_html(chunk) if is_math else html.escape(chunk, quote=False) for is_math, chunk in split_prose_math(text))


_BLOCK_EDGE = re.compile(r"<(?:/?(?:p|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|th|td)|br|hr)\b[^<>]*>", re.IGNORECASE)


def html_text(fragment: str) -> str:
    """The text a sanitized HTML fragment shows: tags out (a block's edge is a line break), character references decoded."""
    return html.unescape(_TAG.sub("", _BLOCK_EDGE.sub("\n", fragment))).strip("\n")


_CMARK_OPTIONS = cmarkgfm_options.CMARK_OPT_VALIDATE_UTF8
"""Safe mode (cmark's default, no CMARK_OPT_UNSAFE): raw HTML and javascript: links are left out."""
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


_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_MATH_SLOT = re.compile("\ue000(\\d+)\ue001")
"""Placeholder for a math span or a code span: private-use characters, which Markdown gives no meaning (it uses STX/ETX itself)."""
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_HTML_WITH_CONTENT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)
"""What nh3 removes with its content (REMOVED_WITH_CONTENT); an unclosed one runs to the end, as in a browser."""
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:[\s/][^<>]*)?>")
"""A tag as a browser reads it (`<svg/onload=…>`: a `/` separates attributes too)."""
_HTML_OPENER = re.compile(r"<(?=[A-Za-z/!?])(?!https?://|mailto:)")
"""A `<` that could still open raw HTML; Markdown autolinks (`<https://…>`) are not HTML and stay."""


def _strip_html(text: str) -> str:
    """Prose (no fenced code) without raw HTML or unsafe links; code spans and math kept as written."""
    kept: list[str] = []
    text = _set_aside(text, kept, code=True)
    text = _HTML_COMMENT.sub("", text)
    text = _HTML_WITH_CONTENT.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _HTML_OPENER.sub("&lt;", text)
    text = _MD_LINK.sub(_safe_link, text)
    text = _MD_REFERENCE.sub(lambda m: m.group(0) if _safe_url(m.group(1)) else "", text)
    return _MATH_SLOT.sub(lambda m: kept[int(m.group(1))], text)


_MD_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")
"""An inline link or image; its address may hold balanced parentheses, as Markdown allows."""
_MD_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?(\S*?)>?(?:[ \t].*)?$", re.MULTILINE)


def _safe_url(url: str) -> bool:
    """An absolute http(s) or mailto address: what the allow-list keeps on the way out."""
    return re.match(r"(?i)(?:https?://|mailto:)", url.strip()) is not None


def _safe_link(match: re.Match[str]) -> str:
    """A Markdown link to a safe address stays; any other becomes its text, an image nothing but its text."""
    image, text, url = match.groups()
    if not image and _safe_url(url):
        return match.group(0)
    return text


def _set_math_aside(markdown_text: str) -> tuple[str, list[str]]:
    """Markdown with each math span outside code replaced by a placeholder, and the spans."""
    spans: list[str] = []
    parts = [chunk if is_code else _set_aside(chunk, spans, code=False) for is_code, chunk in _fenced_blocks(markdown_text)]
    return "\n".join(parts), spans


def _set_aside(text: str, spans: list[str], *, code: bool) -> str:
    """Math spans outside code spans (and the code spans too, with `code`) replaced by placeholders appended to `spans`."""

    def slot(chunk: str) -> str:
        spans.append(chunk)
        return f"\ue000{len(spans) - 1}\ue001"

    def math(part: str) -> str:
        return "".join(slot(chunk) if is_math else chunk for is_math, chunk in split_prose_math(part))

    text = text.replace("\ue000", "").replace("\ue001", "")  # no forged placeholders
    pieces = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        pieces.append(math(text[last : match.start()]))
        pieces.append(slot(match.group(0)) if code else match.group(0))
        last = match.end()
    pieces.append(math(text[last:]))
    return "".join(pieces)


def _tidy(answer: str) -> str:
    """Undo common model habits that python-markdown would render badly."""
    text = _THINKING.sub("", answer.replace("\r\n", "\n"))  # reasoning models' scratchpad
    whole = _WHOLE_FENCE.match(text)
    if whole:  # "```markdown … ```" around the whole answer
        text = whole.group("body")
    # python-markdown needs a blank line before a list that follows a paragraph line.
    out: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif (
            not in_fence
            and out
            and out[-1].strip()
            and _LIST_ITEM.match(line)
            and not _LIST_ITEM.match(out[-1])
            and not out[-1].startswith((" ", "\t"))
        ):
            out.append("")
        out.append(line)
    return "\n".join(out).strip()


class _ShiftHeadings(Treeprocessor):
    """Move the answer's headings down so its top level becomes h3 (page TOC stays intact)."""

    def run(self, root: etree.Element) -> None:
        headings = [el for el in root.iter() if re.fullmatch(r"h[1-6]", el.tag)]
        if not headings:
            return
        shift = TOP_HEADING_LEVEL - min(int(el.tag[1]) for el in headings)
        for el in headings:
            el.tag = f"h{min(6, max(TOP_HEADING_LEVEL, int(el.tag[1]) + shift))}"


class _ShiftHeadingsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ShiftHeadings(md), "shift_headings", 5)


_CONVERTERS = threading.local()


def _MARKDOWN() -> markdown.Markdown:
    # One converter per thread, reset before each use: markdown.Markdown instances keep state
    # and are not thread-safe, and building one costs as much as converting a summary (the
    # site renders every stored summary at each build).
    converter = getattr(_CONVERTERS, "markdown", None)
    if converter is None:
        converter = _CONVERTERS.markdown = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists", _ShiftHeadingsExtension()], output_format="html"
        )
    return converter.reset()
