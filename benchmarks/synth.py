"""Synthesize realistic archives for benchmarks: real arXiv abstracts, many days, many ids.

Papers are built from the 100 recorded API entries in tests/fixtures/arxiv (real
titles, authors and abstracts, with their math and accents), spread over days
and categories, written through the generator's own renderer so the pages are
exactly what a real archive holds.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

from arxiv import _feed  # the arxiv package's own parser of recorded API responses

from generator.archive import Archive
from generator.fetch import _from_result
from generator.models import Day, DayCounts, Paper, Score, Summary
from generator.paths import day_path, paper_path
from generator.render import render_day, render_paper

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "arxiv"
CATEGORIES = ["cs.AI", "cs.CL", "cs.DC", "cs.LG", "stat.ML", "cs.CV", "cs.IR", "math.OC"]
KEYWORDS = ["LLM", "Inference", "Training", "Attention", "Sparse", "Quantization", "Efficient", "Parallel",
            "Distributed", "Kernel", "Decoding", "Throughput", "Network", "Hardware", "Optimization", "Scalable"]  # fmt: skip
SUMMARY_HTML = (
    "<h3>1. Contributions</h3><p>{title} proposes a method and shows it on standard benchmarks.</p>"
    "<h3>2. Setup</h3><ul><li>Datasets: public benchmarks</li><li>Baselines: strong prior work</li></ul>"
    "<h3>3. Results</h3><p>Improves the main metric by a few points; ablations confirm each part matters.</p>"
    "<h3>4. Conclusions</h3><p>Limitations: compute cost; future work: larger scales.</p>"
)


def recorded_announcements():
    parsed = _feed.parse((FIXTURES / "api2026_search_all-testing_start0_max100.xml").read_bytes())
    out = []
    for result in parsed.results:
        ann = _from_result(result, dt.date(2026, 1, 1), "new")
        if ann is not None:
            out.append(ann)
    return out


def synthesize(docs: Path, papers: int, *, per_day: int = 30, seed: int = 7, summarized_every: int = 2, end: dt.date = dt.date(2026, 9, 23)) -> list[dt.date]:
    """Write `papers` paper pages and their day pages into docs/; return the days, oldest first."""
    rng = random.Random(seed)
    base = recorded_announcements()
    archive = Archive(docs)
    days: list[dt.date] = []
    day = end
    while len(days) * per_day < papers:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    days.reverse()
    serial = 0
    for day in days:
        listed = []
        for _ in range(min(per_day, papers - serial)):
            serial += 1
            source = base[serial % len(base)]
            yymm = f"{day:%y%m}"
            arxiv_id = f"{yymm}.{10000 + serial % 90000:05d}"
            cats = tuple(dict.fromkeys([rng.choice(CATEGORIES)] + rng.sample(CATEGORIES, rng.randint(0, 2))))
            matched = tuple(sorted(rng.sample(KEYWORDS, rng.randint(2, 5)), key=KEYWORDS.index))
            ann = replace(source, arxiv_id=arxiv_id, version=1, categories=cats, primary_category=cats[0], announced=day)
            summary = None
            if serial % summarized_every == 0:
                summary = Summary("qwen-long", "fulltext", "0" * 64, f"{day}T21:00:00Z", 1, SUMMARY_HTML.format(title="The paper"))
            listed.append(Paper(ann, Score(float(len(matched)) + 0.5, matched), day, "new", None, summary))
        listed.sort(key=lambda p: (-p.score.value, p.arxiv_id))
        pages = {paper_path(p.arxiv_id): render_paper(p) for p in listed}
        pages[day_path(day)] = render_day(Day(day, tuple(listed), DayCounts(400, 60, len(listed), sum(p.summary is not None for p in listed))))
        archive.write(pages)
    return days
