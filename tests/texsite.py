"""A site built from every recorded arXiv paper, to check what the build writes of their TeX (issue 15).

Every paper of every recorded feed and API answer in tests/fixtures/arxiv (read with the
generator's own parsers, as tests/text/test_tex.py reads them) becomes a record, written
through generator.archive.records, one day page per announcement day; plus one constructed
paper for what the recordings lack (no recorded abstract holds `\\href` or a summary):
its abstract ends with the sentence issue 15 quotes from arXiv:2411.17705 (EEG-DCNet),
whose page showed a raw `\\href{...}{here}`, and holds a dollar amount, a percentage
and `$\\times$`; its AI summary holds math and dollars too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.archive.models import Announcement, DayCounts, DayRecord, Paper, Score, Summary
from generator.archive.paths import day_path, paper_path
from generator.archive.records import day_page, day_title, paper_page
from generator.archive.store import Archive
from tests.sitekit import DEMO_CONFIG, build_site
from tests.text.test_tex import RECORDINGS, recorded_announcements

HREF_ID = "2609.99950"
HREF_URL = "https://github.com/Kanyooo/EEG-DCNet"
HREF_DAY = dt.date(2026, 9, 28)
HREF_ABSTRACT = (
    "Motor imagery EEG decoding with a dilated convolutional network: accuracy improves by \\textbf{2.1\\%} "
    "with 10$\\times$ fewer parameters than the baseline, and the whole study cost less than $5 million. "
    f"The experiment code is open-sourced at \\href{{{HREF_URL}}}{{here}}."
)
HREF_SUMMARY = (
    "**Contributions**\n\n- A dilated network with $O(n \\log n)$ cost, 10$\\times$ smaller.\n\n"
    "**Results**\n\n- Costs $5 million and $10 million less than the baselines.\n\n$$\\frac{a}{b}$$"
)
TEXTBF_ONLY = ("adaptability", "2604.21936")
"""A word that the recordings hold only inside `\\textbf{...}`, and its paper."""


@dataclass(frozen=True)
class TexSite:
    docs: Path
    site: Path
    papers: dict[str, Paper]


def recorded_papers() -> dict[str, Paper]:
    """One record per recorded arXiv id (its first recording), plus the constructed `\\href` paper."""
    papers: dict[str, Paper] = {}
    for number, path in enumerate(RECORDINGS):
        # API answers have no announcement day: each gets one of its own, in early 2026.
        for ann in recorded_announcements(path, api_day=dt.date(2026, 1, 5) + dt.timedelta(days=number)):
            if ann.arxiv_id not in papers:
                papers[ann.arxiv_id] = Paper(ann, Score(1.0, ()), ann.announced, ann.announce_type)
    constructed = Announcement(
        arxiv_id=HREF_ID, version=1, title="EEG-DCNet-style: a dilated CNN whose code is \\href{" + HREF_URL + "}{on GitHub}",
        abstract=HREF_ABSTRACT, authors=("Ada Lovelace",), categories=("cs.LG", "eess.SP"), primary_category="cs.LG",
        announce_type="new", announced=HREF_DAY, comment="10 pages; code at \\url{" + HREF_URL + "}",
    )  # fmt: skip
    summary = Summary("qwen-long", "abstract", "0" * 64, "2026-09-28T06:00:00Z", 1, HREF_SUMMARY)
    papers[HREF_ID] = Paper(constructed, Score(3.0, ("EEG",)), HREF_DAY, "new", summary=summary)
    return papers


def build_tex_site(root: Path) -> TexSite:
    """Write the archive into root/docs and `mkdocs build --strict` it into root/site."""
    papers = recorded_papers()
    docs = root / "docs"
    archive = Archive(docs)
    pages = {paper_path(i): paper_page(p) for i, p in papers.items()}
    days: dict[dt.date, list[Paper]] = {}
    for paper in papers.values():
        days.setdefault(paper.announced, []).append(paper)
    for day, listed in days.items():
        ids = tuple(p.announcement.arxiv_id for p in sorted(listed, key=lambda p: (-p.score.value, p.announcement.arxiv_id)))
        counts = DayCounts(len(ids), len(ids), len(ids), sum(p.summary is not None for p in listed))
        pages[day_path(day)] = day_page(DayRecord(day, day_title(day), ids, counts))
    archive.write(pages)
    site = root / "site"
    result = build_site(docs, DEMO_CONFIG, site)
    assert result.returncode == 0, result.stderr[-3000:]
    return TexSite(docs, site, papers)
