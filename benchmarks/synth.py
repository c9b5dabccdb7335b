"""Synthesize a realistic archive of N papers for the site and search benchmarks.

Text comes from recorded real arXiv responses (tests/fixtures/arxiv/): titles,
abstracts and author names of ~200 real papers, recombined so that every synthetic
paper has an abstract-length, real-looking text and a unique id. Pages are written
by the generator's own writer (generator.archive.records), so they have exactly the
archive format; categories follow a realistic spread (configured categories as
primaries, cross-lists from ~40 others), tags come from scoring the text with the
demo config's keywords, half of the papers carry an AI summary, and papers
are spread over weekdays at ~30 a day like a real archive.

    python -m benchmarks.synth --papers 10000 --out benchmarks/out/archive-10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import feedparser

from generator.archive import paths
from generator.archive.models import Announcement, Day, DayCounts, Paper, Score, Summary
from generator.archive.records import day_page, day_record, paper_page
from generator.arxiv.feed import parse_announcements
from generator.config import load_config
from generator.ranking.selection import score
from generator.text.clean import clean_name, clean_tex

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "arxiv"
CONFIG = ROOT / "demo" / "config.yml"

API_RECORDINGS = [
    "api2026_search_all-testing_start0_max100.xml",
    "api2026_search_cat_cs.LG_OR_cs.AI_max20.xml",
    "api2026_search_cat_cs.CL_max3.xml",
]
RSS_RECORDINGS = [
    "rss_quant-ph_2025-04-28.xml",
    "rss_cs_AI_2026-04-27_trimmed3.xml",
    "rss_cs_CL_2026-04-27_trimmed3.xml",
    "rss_cs_LG_2026-04-27_trimmed3.xml",
    "rss_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed4.xml",
]
PRIMARIES = ["cs.LG"] * 5 + ["cs.CL"] * 3 + ["cs.AI"] * 3 + ["stat.ML", "quant-ph", "cs.DC", "cs.CV"]
CROSS = [
    "cs.AI", "cs.CL", "cs.LG", "cs.CV", "cs.DC", "cs.AR", "cs.PF", "cs.NE", "cs.IR", "cs.RO", "cs.SE",
    "cs.CR", "cs.HC", "cs.MA", "cs.SY", "cs.IT", "cs.DS", "cs.NI", "cs.OS", "cs.PL", "stat.ML", "stat.ME",
    "stat.CO", "stat.AP", "math.OC", "math.NA", "math.ST", "math.PR", "eess.SP", "eess.AS", "eess.IV",
    "eess.SY", "physics.comp-ph", "physics.data-an", "cond-mat.dis-nn", "q-bio.NC", "q-bio.QM", "q-fin.CP",
    "quant-ph", "econ.EM",
]  # fmt: skip
SECTIONS = ["Contributions", "Data and setup", "Results and ablations", "Conclusions and limits"]
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class Source:
    title: str
    abstract: str
    authors: tuple[str, ...]


def load_sources() -> list[Source]:
    """Titles, abstracts and authors of the real papers in the recordings."""
    sources: list[Source] = []
    for name in API_RECORDINGS:
        for entry in feedparser.parse((FIXTURES / name).read_bytes()).entries:
            if entry.get("title", "").strip() == "Error":
                continue
            sources.append(Source(clean_tex(entry.title), clean_tex(entry.summary), tuple(clean_name(a.name) for a in entry.authors)))
    for name in RSS_RECORDINGS:
        for ann in parse_announcements((FIXTURES / name).read_bytes(), source=name).announcements:
            sources.append(Source(ann.title, ann.abstract, ann.authors))
    return [s for s in sources if len(s.abstract) > 300 and s.authors]


def weekdays(start: dt.date):
    day = start
    while True:
        if day.weekday() < 5:
            yield day
        day += dt.timedelta(days=1)


def summary_markdown(rng: random.Random, sentences: list[str], arxiv_id: str) -> str:
    """A four-part summary like the summarizer's (the Markdown a page stores)."""
    parts = []
    for heading in SECTIONS:
        items = rng.sample(sentences, k=min(len(sentences), 2))
        bullets = "\n".join(f"- {' '.join(s.split())}" for s in items)
        parts.append(f"## {heading}\n\n{bullets}")
    # A word that appears only in the summary (the search benchmark looks it up).
    parts.append(f"Summary marker: *synthsum{arxiv_id.replace('.', '')}*")
    return "\n\n".join(parts)


def synthesize(count: int, out: Path, seed: int = 20260924, start: dt.date = dt.date(2021, 1, 4), per_day: int = 30) -> Path:
    """Write an archive of `count` papers into out/docs (replacing it); return that folder."""
    rng = random.Random(seed)
    config = load_config(CONFIG, environ={})
    sources = load_sources()
    author_pool = sorted({a for s in sources for a in s.authors})
    sentence_pool = [s for src in sources for s in _SENTENCE.split(src.abstract) if 40 < len(s) < 400]
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    serial: dict[str, int] = {}
    made = 0
    for day in weekdays(start):
        if made >= count:
            break
        if rng.random() < 0.03:  # holidays: a day page saying nothing was announced
            _write(docs, paths.day_path(day), day_page(day_record(Day(day, (), DayCounts()))))
            continue
        todays = min(count - made, max(1, int(rng.gauss(per_day, 6))))
        papers = []
        for _ in range(todays):
            src = sources[made % len(sources)]
            other = rng.choice(sentence_pool)
            yymm = f"{day.year % 100:02d}{day.month:02d}"
            serial[yymm] = serial.get(yymm, 0) + rng.randint(1, 40)
            arxiv_id = f"{yymm}.{serial[yymm]:05d}"
            primary = rng.choice(PRIMARIES)
            cross = rng.sample(CROSS, k=rng.choice([0, 1, 1, 2, 2, 3]))
            categories = tuple(dict.fromkeys([primary, *cross]))
            authors = tuple(rng.sample(author_pool, k=min(len(author_pool), rng.randint(1, 9))))
            ann = Announcement(
                arxiv_id=arxiv_id, version=rng.choice([1, 1, 1, 2]), title=src.title, abstract=f"{src.abstract} {other}",
                authors=authors, categories=categories, primary_category=primary, announce_type=rng.choice(["new", "new", "new", "cross"]),
                announced=day, comment=f"{rng.randint(6, 40)} pages, {rng.randint(1, 12)} figures",
            )  # fmt: skip
            value, matched = score(ann, config.keywords)
            if not matched:
                matched = (rng.choice(config.keywords).name,)
                value = 1.0
            summary = None
            if made % 2 == 0:
                sentences = _SENTENCE.split(ann.abstract)
                summary = Summary(
                    model="qwen-long", input=rng.choice(["fulltext", "abstract"]), prompt_sha256="0" * 64,
                    created=f"{day.isoformat()}T06:00:00Z", version=ann.version, markdown=summary_markdown(rng, sentences, arxiv_id),
                )  # fmt: skip
            paper = Paper(ann, Score(value, matched), day, ann.announce_type, None, summary)
            papers.append(paper)
            _write(docs, paths.paper_path(arxiv_id), paper_page(paper))
            made += 1
        papers.sort(key=lambda p: (-p.score.value, p.arxiv_id))
        counts = DayCounts(
            fetched=len(papers) * 8, matched=len(papers), listed=len(papers), summarized=sum(p.summary is not None for p in papers)
        )
        _write(docs, paths.day_path(day), day_page(day_record(Day(day, tuple(papers), counts))))
    return docs


def _write(docs: Path, relpath, text: str) -> None:
    target = docs.joinpath(*relpath.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.monotonic()
    docs = synthesize(args.papers, args.out)
    print(f"{args.papers} papers written to {docs} in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
