"""What the pages give the reader (assets/javascripts/reader.js) to read in place: pure, no HTML.

overrides/archive/READER.md is the markup contract between the templates and the
script. The templates print what these functions compute from a paper's record:

- `abstract_start`: the start of an abstract a day's entry shows (about two lines;
  the whole one is on the paper page, and the script fetches it when the entry is
  expanded), cut between words and never inside a math span;
- `gist`: one line of a summarized paper's AI summary, as plain text;
- `recent_days`: how many papers the latest days listed, so the home page can count
  "new since your last visit" beyond the papers it shows.

Everything else a saved paper needs (all authors, the BibTeX key, the primary
category, the DOI) is on its page already, in the citation_* tags and the Cite
block, where the script reads it: lists carry no per-paper data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from generator.text.clean import split_math
from generator.text.markdown import html_text, is_html_body, render_summary_html
from generator.website.catalog import math_as_text, summary_text

ABSTRACT_SHOWN = 140
"""Characters of an abstract a day's entry carries: a line and a half on a desktop, two lines or more on a phone (the entry clamps it)
(every character is a byte per paper of the site's budget: BENCHMARKS.md)."""
GIST_LENGTH = 120
"""Most characters of a summary's gist."""
RECENT_DAYS = 60
"""Days whose paper counts the home page gives (new since a last visit at most this many days back are counted exactly)."""
ELLIPSIS = " …"

_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+(.+)$", re.MULTILINE)
_FIRST_ITEM = re.compile(r"<li>(.*?)(?:</li>|<ul>|<ol\b)", re.DOTALL)
_SPACES = re.compile(r"\s+")


def text_start(text: str, limit: int) -> str:
    """`text` when it has at most `limit` characters; else its start up to the first space at or
    after `limit` characters, plus " …".

    A math span is never cut (it would no longer typeset): a cut that would fall in one goes
    after it, unless that is past twice the limit, then before it.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    pos = 0
    before = None  # the last space outside math before the limit
    for is_math, chunk in split_math(text):
        if not is_math:
            after = chunk.find(" ", max(0, limit - pos))
            if after >= 0:
                end = pos + after
                return _finish(text, before if end > 2 * limit and before is not None else end)
            last = chunk.rfind(" ")
            if last >= 0:
                before = pos + last
        pos += len(chunk)
    return _finish(text, before) if before is not None and len(text) > 2 * limit else text


def text_at_most(text: str, limit: int) -> str:
    """`text` when it has at most `limit` characters; else its start, cut at the last space outside
    math that leaves room for " …" (or, with no such space, anywhere), plus " …"."""
    text = text.strip()
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    pos = 0
    last = None
    for is_math, chunk in split_math(text):
        if pos > room:
            break
        if not is_math:
            space = chunk.rfind(" ", 0, max(0, room - pos) + 1)
            if space >= 0:
                last = pos + space
        pos += len(chunk)
    return _finish(text, last if last else room)


def _finish(text: str, end: int) -> str:
    start = text[:end].rstrip(" ,;:")
    return text if start == text else start + ELLIPSIS


def abstract_start(abstract: str) -> str:
    """The start of an abstract a list shows (ABSTRACT_SHOWN characters or so)."""
    return text_start(abstract, ABSTRACT_SHOWN)


def abstract_is_cut(abstract: str) -> bool:
    return abstract_start(abstract) != abstract.strip()


def gist(summary_markdown: str) -> str:
    """One line of an AI summary: its first bullet (else its first words), as plain text, at most GIST_LENGTH characters.

    The summarizer writes headed parts of bullets (generator/summaries/summarize.py): the first bullet is
    the problem or the contribution. Markdown syntax (or a kept v1 summary's HTML) goes and math
    becomes readable text (catalog.summary_text), so a list's line needs no KaTeX.
    """
    if is_html_body(summary_markdown):  # a v1 summary kept as HTML: its first list item, else its text
        rendered = render_summary_html(summary_markdown, math_html=math_as_text)
        item = _FIRST_ITEM.search(rendered)
        text = html_text(item.group(1) if item else rendered)
    else:
        match = _BULLET.search(summary_markdown)
        text = summary_text(match.group(1) if match else summary_markdown)
    line = _SPACES.sub(" ", text).strip()
    return text_at_most(line, GIST_LENGTH)


def recent_days(listed: Iterable[tuple[dt.date, int]], count: int = RECENT_DAYS) -> dict[str, int]:
    """{date: papers} of the latest `count` days that list papers, newest first, from (day, papers listed) pairs."""
    days = sorted(((day, papers) for day, papers in listed if papers), reverse=True)
    return {day.isoformat(): papers for day, papers in days[:count]}
