"""Quality of related papers and of ranking by interests, on recorded real arXiv papers.

The papers are the real titles and abstracts of the recordings in tests/fixtures/arxiv
(the same ~200 papers benchmarks/synth.py draws from, not the synthetic archives,
whose abstracts mix sentences of several papers). A paper's topic is known from its
title (a regular expression per topic, below); topics with fewer than 3 papers are left
out of (a), fewer than 4 out of (b).

(a) Related papers: for each paper of a topic, the share of its 5 related papers that
    have the same topic, against the share among 5 random other papers of the archive
    ((topic size - 1) / (papers - 1)). Engines: TF-IDF as the site runs it (each paper
    cut to its 32 heaviest words for the all-pairs products) and TF-IDF with whole vectors.
(b) Interests: the first 2 papers of a topic are the reader's interest papers, every
    other paper is "the day", `keywords: []`, and the real selection stage
    (generator.ranking.selection.select) lists the day's top 10. Reported: how many of the topic's
    other papers are in that top 10, against the number 10 random papers would hold.

    python -m benchmarks.related_quality
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np

from benchmarks.synth import load_sources
from generator.archive.models import Announcement, InterestPaper
from generator.config import load_config
from generator.ranking.selection import select
from generator.ranking.similarity import paper_text, tfidf_vectors, top_k
from tests.conftest import ROOT

TOPICS = {
    "quantum": r"\bquantum",
    "metamorphic testing": r"\bmetamorphic",
    "mutation testing": r"\bmutation",
    "group testing": r"\bgroup testing",
    "hypothesis / statistical tests": r"hypothesis testing|\btest statistic|\bscore test|distribution testing|equivalence test",
    "LLMs": r"\bLLMs?\b|language models?",
    "entanglement": r"\bentangle",
    "anomaly detection": r"anomaly detection|outlier",
    "GANs": r"\bGANs?\b|generative adversarial",
    "flaky tests": r"\bflak",
    "smart contracts": r"smart contract",
    "superconducting qubits": r"superconducting",
    "diffusion": r"\bdiffusion",
    "reinforcement learning": r"\breinforcement",
    "federated learning": r"\bfederated",
}
DAY = dt.date(2026, 4, 27)


def papers() -> list[tuple[str, str, str]]:
    """(id, title, abstract) of the recorded real papers, one per title."""
    seen: set[str] = set()
    out = []
    for source in load_sources():
        if source.title in seen:
            continue
        seen.add(source.title)
        out.append((f"2604.{len(out) + 1:05d}", source.title, source.abstract))
    return out


def topic_members(items: list[tuple[str, str, str]]) -> dict[str, list[int]]:
    return {
        name: [i for i, (_, title, _) in enumerate(items) if re.search(pattern, title, re.IGNORECASE)] for name, pattern in TOPICS.items()
    }


def related_shares(items, members, terms_per_paper):
    matrix = tfidf_vectors([paper_text(title, abstract) for _, title, abstract in items])
    indices, sims = top_k(matrix, 5, terms_per_paper=terms_per_paper)
    rows = {}
    for name, group in members.items():
        if len(group) < 3:
            continue
        inside = set(group)
        shares = [np.mean([int(j) in inside for j, s in zip(indices[i], sims[i]) if j >= 0 and s > 0] or [0]) for i in group]
        rows[name] = (len(group), float(np.mean(shares)), (len(group) - 1) / (len(items) - 1))
    return rows


def interest_ranking(items, members):
    config = load_config(ROOT / "config.yml", environ={})
    rows = {}
    for name, group in members.items():
        if len(group) < 4:
            continue
        chosen = group[:2]
        interests = [InterestPaper(items[i][0], 1, items[i][1], (), items[i][2]) for i in chosen]
        day = [
            Announcement(arxiv_id=pid, version=1, title=title, abstract=abstract, authors=("A. Author",), categories=("cs.LG",),
                         primary_category="cs.LG", announce_type="new", announced=DAY)
            for i, (pid, title, abstract) in enumerate(items) if i not in chosen
        ]  # fmt: skip
        cfg = dataclasses.replace(
            config, keywords=(), exclude_keywords=(), max_papers=10, announce_types=("new",),
            interests=dataclasses.replace(config.interests, papers=tuple(p.arxiv_id for p in interests), min_similarity=0.0),
        )  # fmt: skip
        listed = select(day, cfg, {}, DAY, interests).listed
        others = {items[i][0] for i in group if i not in chosen}
        hits = sum(1 for c in listed if c.announcement.arxiv_id in others)
        possible = min(10, len(others))
        rows[name] = (len(group), hits, possible, 10 * len(others) / len(day))
    return rows


def main() -> None:
    items = papers()
    members = topic_members(items)
    print(f"{len(items)} recorded real papers; topics by title: " + ", ".join(f"{n} {len(g)}" for n, g in members.items()))
    pruned = related_shares(items, members, 32)
    whole = related_shares(items, members, None)
    print("\n(a) share of the 5 related papers with the paper's topic")
    print("| topic | papers | TF-IDF (site: 32 words) | TF-IDF (whole vectors) | 5 random papers |")
    print("|---|---:|---:|---:|---:|")
    totals = np.zeros(3)
    weights = 0
    for name, (size, share, base) in pruned.items():
        print(f"| {name} | {size} | {share:.0%} | {whole[name][1]:.0%} | {base:.1%} |")
        totals += np.array([share, whole[name][1], base]) * size
        weights += size
    print(
        f"| all topics (weighted by papers) | {weights} | {totals[0] / weights:.0%} | {totals[1] / weights:.0%} | "
        f"{totals[2] / weights:.1%} |"
    )
    print("\n(b) 2 interest papers of a topic, keywords: [] -- the topic's other papers in the day's top 10")
    print("| topic | papers | in top 10 | at most | 10 random papers would hold |")
    print("|---|---:|---:|---:|---:|")
    hits = possible = expected = 0.0
    for name, (size, hit, most, random_hits) in interest_ranking(items, members).items():
        print(f"| {name} | {size} | {hit} | {most} | {random_hits:.2f} |")
        hits, possible, expected = hits + hit, possible + most, expected + random_hits
    print(f"| all | | {hits:.0f} | {possible:.0f} | {expected:.2f} |")


if __name__ == "__main__":
    main()
