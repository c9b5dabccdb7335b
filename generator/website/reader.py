"""What the pages give the reader (assets/javascripts/reader.js) to read in place: pure, no HTML.

overrides/archive/READER.md is the markup contract between the templates and the
script. The templates print what these functions compute from a paper's record:

- `abstract_start`: the start of an abstract a day's entry shows (about two lines;
  the whole one is on the paper page, and the script fetches it when the entry is
  expanded), cut by the one prose cutter (generator.text.cut: between words, never inside
  math, never longer than ABSTRACT_SHOWN);
- `gist`: one line of a summarized paper's AI summary, as plain text;
- `recent_days`: how many papers the latest days listed, so the home page can count
  "new since your last visit" beyond the papers it shows.

Everything else a saved paper needs (all authors, the BibTeX key, the primary
category, the DOI) is on its page already, in the citation_* tags and the Cite
block, where the script reads it: lists carry no per-paper data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from generator.text.cut import cut_pieces, cut_tex
from generator.text.markdown import summary_pieces

ABSTRACT_SHOWN = 140
"""Most characters of an abstract a day's entry carries: a line and a half on a desktop, two lines or more on a phone (the entry clamps it)
(every character is a byte per paper of the site's budget: BENCHMARKS.md)."""
GIST_LENGTH = 120
"""Most characters of a summary's gist."""
RECENT_DAYS = 60
"""Days whose paper counts the home page gives (new since a last visit at most this many days back are counted exactly)."""


def abstract_start(abstract: str) -> str:
    """The start of an abstract a list shows: at most ABSTRACT_SHOWN characters of its TeX, cut between words and
    never inside math (generator.text.cut), rendered by the template (`tex_title`)."""
    return cut_tex(abstract, ABSTRACT_SHOWN)


def gist(summary_markdown: str) -> str:
    """One line of an AI summary: its first bullet (else its first words), as plain text, at most GIST_LENGTH characters.

    The summarizer writes headed parts of bullets (generator/summaries/summarize.py): the first bullet is
    the problem or the contribution. Markdown syntax (or a kept v1 summary's HTML) goes and math
    becomes readable text (generator.text.markdown.summary_pieces), so a list's line needs no KaTeX;
    the cut never falls inside math. The template prints it as text: it is not TeX to read again.
    """
    return cut_pieces(summary_pieces(summary_markdown, first_item=True), GIST_LENGTH)


def recent_days(listed: Iterable[tuple[dt.date, int]], count: int = RECENT_DAYS) -> dict[str, int]:
    """{date: papers} of the latest `count` days that list papers, newest first, from (day, papers listed) pairs."""
    days = sorted(((day, papers) for day, papers in listed if papers), reverse=True)
    return {day.isoformat(): papers for day, papers in days[:count]}
