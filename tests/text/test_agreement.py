"""One text policy (issue 21): every output agrees on where math is; no cut falls inside math or runs past its limit.

Each text goes, as a paper's title, abstract, comment and AI summary, through every output
the site and the night make of it, rendered by the real templates (generator.website.render,
no MkDocs needed): the paper page (title, abstract, comment, summary), the day page's entry
(title, the abstract's start, the summary's gist), the page's meta description, the search
document, the feed item, BibTeX, and the field ceiling the night cuts with
(generator.arxiv.limits). The texts are every recorded title, abstract and comment of
tests/fixtures/arxiv (as tests/text/test_tex.py reads them) and adversarial strings: the
three of issue 21, unbalanced and escaped dollars, `\\(...\\)`, `$$...$$`, currency, code
spans, HTML-looking text, math at every cut point, very long inputs.

Where math is, by the one rule (the TeX parser's: pandoc's `tex_math_dollars` plus its
currency rule), is read back from each output: from the `span.tex-math` elements of a page,
from the `{$...$}` of BibTeX; an output that shows math as readable text must show exactly
the page's text with each math element replaced by its readable text (so it found the same
math). A cut (the abstract's start, the gist, the meta description, the ceiling) must be a
start of the whole text that ends outside every math span, and never longer than its limit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re

import pytest
from lxml import html as lxml_html

from generator.archive import paths
from generator.archive.models import Announcement, DayCounts, DayRecord, Paper, Score, Summary
from generator.archive.records import day_title
from generator.arxiv.limits import clip_announcement
from generator.config.model import Limits
from generator.text.clean import clean_tex, strip_invisible
from generator.text.markdown import clean_summary_markdown, render_summary_html
from generator.text.tex import Link, Math, Styled, math_text, parse, tex_bibtex
from generator.website import meta, reader
from generator.website.catalog import Catalog, DayEntry, PaperEntry
from generator.website.context import build_context
from generator.website.render import Renderer, environment
from tests.site.test_sitegen import SITE, THEME
from tests.text.test_tex import ALL_FIELDS, bibtex_braces_balance

DAY = dt.date(2026, 9, 24)

ISSUE_EXAMPLES = {
    # text: (its math, its readable text)
    "a $5 fee, $x$ and $y$": (["$x$", "$y$"], "a $5 fee, x and y"),
    "US$5 and H$_2$O": (["$_2$"], "US$5 and H₂O"),
    "Raising $5 million, we show that $a + b + c$ holds": (["$a + b + c$"], "Raising $5 million, we show that a + b + c holds"),
}
"""Issue 21's three strings, on which the three dollar rules of main e5da576 disagreed."""

ADVERSARIAL = [
    # unbalanced dollars
    "costs $5 and $",
    "a $x and b",
    "$",
    "$$",
    "$$x",
    "a$b$c$d",
    "x $ y $ z",
    "from $5 to $10 a day",
    "$x$$y$",
    # escaped dollars
    r"pay \$5, get $x$",
    r"\$x\$ and $y$",
    r"a \\$x$ b",
    # \( \) and \[ \]
    r"\(a+b\) and \[c\] and \(d",
    r"unclosed \( x and $y$",
    r"\(\) empty",
    # $$ $$
    "$$a$$ b $$c",
    r"$$\frac{a}{b}$$ then $c$",
    "$$$x$$$",
    # currency
    "US$5 and HK$10 million",
    r"costs $1.5 billion, with $\alpha$ fixed",
    "a$5$ b and Bi$_2$Se$_3$",
    r"$800 per sample and $35,000 in total, $50$ tests",
    # Markdown-looking: emphasis characters inside math
    "*emphasis* and $a_1*b_2*c$ and $d_e$ and $f_g$",
    # HTML-looking
    "an <b>html</b> tag, $a<b$ and $c>d$",
    "a &amp; b &lt; $x&y$",
    # TeX around math
    r"\textbf{$x$} and \emph{a $y$ b}",
    r"see \href{https://example.org/a}{$z$} and $w$",
    r"\url{https://example.org/a$b} x$ y",
    r"\cite{k} $v$ \cite{a$b} c$ d",
    # invisible characters
    "a\u200b$x$ and $\u200by$",
    "tab\tand\nnewline $x\ny$",
]

CODE_SPANS = {
    # text: the math a summary shows (code is never math in Markdown)
    "`$x$` and $y$": ["$y$"],
    "``code $a$`` then $b$": ["$b$"],
    "`a $b` and c$ d $e$": ["$e$"],
}
"""Code spans: TeX reads a backtick as a character, Markdown as code."""

HTML_IN_SUMMARIES = {
    "<script>$x$</script> then $y$": ["$y$"],
}
"""HTML a summary drops: a raw HTML block is no Markdown, so its math is not shown."""


def _cut_point_strings() -> list[str]:
    """Math placed across each cut: the day entry's (140), the meta description's (150), the gist's (120), the ceilings'."""
    out = []
    for before in range(90, 160, 7):
        words = ("word " * 40)[:before]
        out.append(f"{words}$a + b + c + d + e$ and more words after it, {words}")
        out.append(f"{words}\\(x y z w\\), more words after it to cut {words}")
        out.append(f"{words}$$a b c d$$ then the rest of the sentence runs on {words}")
        out.append(f"{words}$5 and $10 are amounts, $x + y$ is math {words}")
    return out


LONG = ("Long text with $x_{i}$ and $5 amounts and \\(y\\) " * 900).strip()
CUT_POINTS = _cut_point_strings()
STRINGS = list(ISSUE_EXAMPLES) + ADVERSARIAL + CUT_POINTS + [LONG]


# --- reading the outputs back ----------------------------------------------------------------


def rule(text: str) -> list[str]:
    """The math spans of `text` as written, in order, by the TeX parser (the one rule)."""
    found: list[str] = []

    def walk(segments) -> None:
        for segment in segments:
            if isinstance(segment, Math):
                found.append(segment.source)
            elif isinstance(segment, (Link, Styled)):
                walk(segment.children)

    walk(parse(text))
    return found


def spans(text: str) -> list[tuple[int, int]]:
    """Where each math span of `text` (invisible characters dropped) is, found in order."""
    text = strip_invisible(text)
    out, pos = [], 0
    for source in rule(text):
        start = text.index(source, pos)
        out.append((start, start + len(source)))
        pos = start + len(source)
    return out


def readable_math(source: str) -> str:
    """A math span as the outputs without a typesetter show it."""
    inner = source[2:-2] if source.startswith(("$$", "\\(", "\\[")) else source[1:-1]
    return math_text(inner)


def fragment(markup: str):
    return lxml_html.fragment_fromstring(markup, create_parent="div")


def drop(parent, child) -> None:
    """Remove `child` from `parent`, keeping the text after it (lxml's `remove` drops it too)."""
    previous = child.getprevious()
    if previous is None:
        parent.text = (parent.text or "") + (child.tail or "")
    else:
        previous.tail = (previous.tail or "") + (child.tail or "")
    parent.remove(child)


def is_math_element(element) -> bool:
    return element.tag == "span" and "tex-math" in (element.get("class") or "").split()


def math_in(element) -> list[str]:
    return [e.text_content() for e in element.iter() if isinstance(e.tag, str) and is_math_element(e)]


def pieces(element) -> list[tuple[bool, str]]:
    """(is math, readable text) of what an element shows, in order: a math element as readable text, <br> as a space."""
    out: list[tuple[bool, str]] = []

    def walk(node) -> None:
        if node.text:
            out.append((False, node.text))
        for child in node:
            if not isinstance(child.tag, str):  # a comment
                pass
            elif is_math_element(child):
                out.append((True, readable_math(child.text_content())))
            elif child.tag == "br":
                out.append((False, " "))
            else:
                walk(child)
            if child.tail:
                out.append((False, child.tail))

    walk(element)
    return out


def normalized(parts: list[tuple[bool, str]]) -> tuple[str, list[tuple[int, int]]]:
    """The text of (is math, text) pieces on one line (white space runs as one space, ends stripped), and where its math is."""
    chars: list[str] = []
    owner: list[int] = []
    for index, (is_math, text) in enumerate(parts):
        for char in text:
            if char.isspace():
                if chars and chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            owner.append(index if is_math else -1)
    while chars and chars[0] == " ":
        chars.pop(0), owner.pop(0)
    while chars and chars[-1] == " ":
        chars.pop(), owner.pop()
    places, start = [], None
    for position, who in enumerate([*owner, -2]):
        if start is not None and who != owner[start]:
            places.append((start, position))
            start = None
        if start is None and who >= 0:
            start = position
    return "".join(chars), places


def one_line(text: str) -> str:
    return " ".join(text.split())


def cut_problems(what: str, shown: str, whole: str, math: list[tuple[int, int]], limit: int) -> list[str]:
    """A cut of `whole`: at most `limit` characters, a start of it, ending outside every math span (`math`: where it is)."""
    problems = []
    if len(shown) > limit:
        problems.append(f"{what}: {len(shown)} characters, over its limit of {limit}: {shown[-40:]!r}")
    if shown == whole:
        return problems
    head = shown.removesuffix("…").rstrip()
    if not whole.startswith(head):
        problems.append(f"{what}: {shown[:80]!r}... is not a start of {whole[:80]!r}...")
        return problems
    for start, end in math:
        if start < len(head) < end:
            problems.append(f"{what}: cut inside math {whole[start:end]!r}: ...{head[-30:]!r}")
    return problems


# --- the paper, its pages and its outputs ------------------------------------------------------


def paper_of(text: str, number: int = 1) -> PaperEntry:
    arxiv_id = f"2609.{number:05d}"
    announcement = Announcement(
        arxiv_id=arxiv_id, version=1, title=text, abstract=text, authors=("A B",), categories=("cs.LG",), primary_category="cs.LG",
        announce_type="new", announced=DAY, comment=text,
    )  # fmt: skip
    summary = Summary("m", "abstract", "0" * 64, "2026-09-24T06:00:00Z", 1, text)
    return PaperEntry.of(Paper(announcement, Score(1.0, ()), DAY, "new", summary=summary))


@functools.cache
def _environment():
    """The site's Jinja environment, made once: its templates compile once for all the texts."""
    return environment(THEME)


@dataclasses.dataclass
class Outputs:
    """Every output of one paper whose title, abstract, comment and summary are one text."""

    paper: PaperEntry
    page: object
    description: str
    entry: object
    search: object
    feed: object

    @classmethod
    def of(cls, paper: PaperEntry) -> Outputs:
        day = DayEntry(DayRecord(DAY, day_title(DAY), (paper.arxiv_id,), DayCounts(1, 1, 1, 1)), paths.day_path(DAY))
        site = Renderer(_environment(), build_context(Catalog({paper.arxiv_id: paper}, (day,)), SITE))
        page = site.paper(paper)
        search = lxml_html.document_fromstring(site.search_document(paper)).xpath("//div[@data-pagefind-body]")[0]
        return cls(
            paper=paper,
            page=fragment(str(page.content)),
            description=page.description,
            entry=fragment(str(site.day(day).content)).xpath("//li[a]")[0],
            search=search,
            feed=fragment(site.feed_item(paper)),
        )

    def one(self, root, path: str):
        (found,) = root.xpath(path)
        return found

    def summary_on_page(self):
        """The summary's HTML on the paper page (the <details> without its <summary> line)."""
        details = self.one(self.page, "//details[contains(@class, 'ai-summary')]")
        if details.find("summary") is not None:
            drop(details, details.find("summary"))
        return details


def tex_field_problems(text: str, outputs: Outputs) -> list[str]:
    """The text as a title, an abstract and a comment: the same math, and the same text around it, in every output."""
    problems: list[str] = []
    expected = rule(text)
    page = {
        "title": outputs.one(outputs.page, "//h1[@class='paper-title']"),
        "abstract": outputs.one(outputs.page, "//div[@class='paper-abstract']"),
        "comment": outputs.one(outputs.page, "//p[@class='paper-comment']"),
    }
    drop(page["comment"], page["comment"].find("strong"))
    for field, element in page.items():
        if math_in(element) != expected:
            problems.append(f"paper page {field}: math {math_in(element)} != {expected}")
    whole, math = normalized(pieces(page["abstract"]))
    readable = {
        "search document title": outputs.one(outputs.search, "./h1").text_content(),
        "search document abstract": outputs.search.xpath("./p")[1].text_content(),
        "search document comment": outputs.search.xpath("./p")[2].text_content(),
        "feed abstract": outputs.feed.xpath("./p")[2].text_content(),
        "day entry title": outputs.entry.xpath("./a")[0].text_content(),
    }
    for what, shown in readable.items():
        if one_line(shown) != whole:
            problems.append(f"{what}: {one_line(shown)[:100]!r} != page {whole[:100]!r}")
    if math_in(outputs.feed):
        problems.append(f"feed holds math elements {math_in(outputs.feed)}")
    # The day entry's abstract start and the page's description: cuts of the readable text.
    start = one_line(outputs.one(outputs.entry, "./p[@class='entry-abstract']").text_content())
    problems += cut_problems("day entry abstract start", start, whole, math, reader.ABSTRACT_SHOWN)
    problems += cut_problems("meta description", outputs.description, whole, math, meta.DESCRIPTION_LENGTH)
    # BibTeX: the same math, as {$...$} (math whose braces do not balance is written as text).
    bibtex_math = re.findall(r"\{\$(.*?)\$\}", tex_bibtex(text))
    balanced = [source for source in expected if _bibtex_can_hold(source)]
    if len(bibtex_math) != len(balanced):
        problems.append(f"BibTeX math {bibtex_math} != {balanced}")
    # The night's field ceilings cut the text as the night holds it (cleaned at fetch: one line, accents as letters).
    stored = clean_tex(text)
    announcement = dataclasses.replace(outputs.paper.record.announcement, title=stored, abstract=stored)
    for limit in (20, 60, 100, 140, 200, 1000):
        limits = dataclasses.replace(Limits(), title_chars=limit, abstract_chars=limit)
        clipped, _ = clip_announcement(announcement, limits)
        problems += cut_problems(f"title ceiling at {limit}", clipped.title, stored, spans(stored), limit)
        problems += cut_problems(f"abstract ceiling at {limit}", clipped.abstract, stored, spans(stored), limit)
    return problems


def _bibtex_can_hold(source: str) -> bool:
    """Whether BibTeX gets this span as math: its TeX's braces balance and it does not end in a backslash."""
    tex = (source[2:-2] if source.startswith(("$$", "\\(", "\\[")) else source[1:-1]).strip()
    return bibtex_braces_balance(tex) and not tex.endswith("\\")


def summary_problems(text: str, outputs: Outputs, expected: list[str] | None) -> list[str]:
    """The text as an AI summary: the math the rule finds (outside code) on the page, in the feed, in search and in the gist."""
    problems: list[str] = []
    summary = outputs.summary_on_page()
    shown = math_in(summary)
    if expected is not None and shown != expected:
        problems.append(f"summary on the page: math {shown} != {expected}")
    for element in summary.iter("code", "pre"):
        if math_in(element):
            problems.append(f"summary: math inside code {math_in(element)}")
    whole, math = normalized(pieces(summary))
    feed = outputs.one(outputs.feed, "//div[@class='ai-summary']")
    if math_in(feed) or one_line(feed.text_content()) != whole:
        problems.append(f"summary in the feed: {one_line(feed.text_content())[:100]!r} != page {whole[:100]!r}")
    searched = one_line(outputs.one(outputs.search, "./div").text_content())
    if _dollar_words(searched) != _dollar_words(whole):
        problems.append(f"summary in the search document: {_dollar_words(searched)} != page {_dollar_words(whole)}")
    if expected is not None and not re.search(r"[`*_<>\\&\[\]#|]", text) and searched != whole:
        problems.append(f"summary in the search document: {searched[:100]!r} != page {whole[:100]!r}")
    gist = outputs.entry.xpath("./p[@class='entry-gist']")
    if not re.search(r"(?m)^[ \t]*[-*+][ \t]+", text):
        gist_whole, gist_math = normalized([(False, searched)])
        gist_math = _located([readable_math(s) for s in shown], gist_whole)
        problems += cut_problems("day entry gist", one_line(gist[0].text_content()), gist_whole, gist_math, reader.GIST_LENGTH)
    # As the night stores it: cleaning on the way in keeps the math where it is.
    if "<" not in text:
        stored = math_in(fragment(render_summary_html(clean_summary_markdown(text))))
        if stored != shown:
            problems.append(f"summary as stored (cleaned): math {stored} != {shown}")
    return problems


def _dollar_words(text: str) -> list[str]:
    """The words of a text that hold a `$`: a math span shown as readable text holds none; a dollar sign shown as text does."""
    return re.findall(r"[^\s`*_<>]*\$[^\s`*_<>]*", text)


def _located(readable: list[str], whole: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for piece in readable:
        piece = one_line(piece)
        start = whole.find(piece, pos) if piece else -1
        if start < 0:
            continue
        out.append((start, start + len(piece)))
        pos = start + len(piece)
    return out


def problems_of(text: str, summary_math: list[str] | None) -> list[str]:
    outputs = Outputs.of(paper_of(text))
    return tex_field_problems(text, outputs) + summary_problems(text, outputs, summary_math)


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", list(ISSUE_EXAMPLES))
def test_the_issues_three_strings_show_the_same_math_everywhere(text):
    math, readable = ISSUE_EXAMPLES[text]
    assert rule(text) == math
    outputs = Outputs.of(paper_of(text))
    problems = tex_field_problems(text, outputs) + summary_problems(text, outputs, math)
    assert not problems, "\n".join(problems)
    assert one_line(outputs.search.xpath("./p")[1].text_content()) == readable
    assert one_line(outputs.one(outputs.entry, "./p[@class='entry-abstract']").text_content()) == readable
    assert one_line(outputs.one(outputs.entry, "./p[@class='entry-gist']").text_content()) == readable
    assert outputs.description == readable


@pytest.mark.parametrize("text", ADVERSARIAL + [LONG], ids=lambda t: repr(t[:40]))
def test_adversarial_strings_agree_in_every_output(text):
    problems = problems_of(text, rule(text))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("before", range(len(CUT_POINTS) // 4))
def test_math_at_every_cut_point_is_never_cut(before):
    problems = []
    for text in CUT_POINTS[before * 4 : before * 4 + 4]:
        problems += [f"{text[:30]!r}: {problem}" for problem in problems_of(text, rule(text))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text", list(CODE_SPANS) + list(HTML_IN_SUMMARIES))
def test_code_and_html_in_summaries(text):
    expected = CODE_SPANS.get(text) or HTML_IN_SUMMARIES[text]
    problems = problems_of(text, expected)
    assert not problems, "\n".join(problems)


def test_every_recorded_field_agrees_in_every_output():
    problems = []
    texts = sorted({text for _, _, text in ALL_FIELDS})
    assert len(texts) > 500
    for number, text in enumerate(texts):
        plain_markdown = "`" not in text and not re.search(r"<[A-Za-z/!?]", text)
        outputs = Outputs.of(paper_of(text, number + 1))
        found = tex_field_problems(text, outputs) + summary_problems(text, outputs, rule(text) if plain_markdown else None)
        problems += [f"{text[:50]!r}: {problem}" for problem in found]
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems[:40])
