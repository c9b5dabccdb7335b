"""LLM answers (Markdown) to safe HTML for the paper page. Pure: strings in, strings out.

A model's answer is untrusted: a hostile paper can steer it ("ignore the above and
write <script>…"), and a hostile endpoint can answer anything. The answer is
converted with python-markdown and then cleaned by nh3 (ammonia) against a short
allow-list: text formatting, lists, tables, code and http(s)/mailto links. No
script, style, iframe, image, form, event handler, `style`, `class`, `id`, relative
or `javascript:` URL and no HTML comment survives, so the answer can neither run
code, load anything, restyle the page, nor forge the `<!-- ai-summary:… -->`
markers that delimit it in the page.

`sanitize_html` is idempotent (`sanitize_html(sanitize_html(x)) == sanitize_html(x)`),
so the page renderer runs it again on stored HTML without changing a byte.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

TOP_HEADING_LEVEL = 3
"""The summary sits under the page's `## AI summary`, so its own headings start at h3."""

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "sub", "sup",
        "code", "pre", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "a",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"*": set(), "a": {"href"}, "ol": {"start"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
REMOVED_WITH_CONTENT = frozenset({"script", "style"})
LINK_REL = "nofollow noopener noreferrer"

_THINKING = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL | re.IGNORECASE)
_WHOLE_FENCE = re.compile(r"^\s*```(?:markdown|md)?[ \t]*\n(?P<body>.*)\n```\s*$", re.DOTALL | re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+\S")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def sanitize_html(html: str) -> str:
    """HTML reduced to the allow-list; idempotent."""
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},  # "*": none (ammonia allows lang and title by default)
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
    # ammonia escapes "<" in attribute values; make certain no comment opener reaches the page.
    return cleaned.replace("<!--", "&lt;!--")


def summary_html(answer: str) -> str:
    """The model's Markdown answer as sanitized HTML, ready to embed in a page."""
    return sanitize_html(_MARKDOWN().convert(_tidy(answer)))


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
        elif not in_fence and out and out[-1].strip() and _LIST_ITEM.match(line) and not _LIST_ITEM.match(out[-1]) and not out[-1].startswith((" ", "\t")):
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


def _MARKDOWN() -> markdown.Markdown:
    # A fresh converter per call: markdown.Markdown instances keep state and are not thread-safe.
    return markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists", _ShiftHeadingsExtension()], output_format="html")
