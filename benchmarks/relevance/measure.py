"""Ranking by meaning, measured on hand-labelled recorded real papers (issue 22, item 6).

The pool is every paper of the recordings that labels.yml lists (254 real papers);
labels.yml holds six readers' topics, labelled by hand before anything here was run
(README.md beside it says how). For each topic the interest papers are the reader's
own papers and the rest of the pool is the day's announcements; the topic's other
labelled papers are what the day's top 10 and top 30 should hold.

(a) Rankings, per topic and averaged over topics (recall and precision in the top 10
    and 30; precision counts the papers actually listed, which keywords can leave
    below 10), none with the config's exclude_keywords (rankings, not selections):
    - keywords only: the real generator.ranking.selection.select with the topic's keywords, no interests;
    - max cosine: the TF-IDF cosine to the nearest interest paper (the ranking by
      interests before issue 22, which the archive still keeps as `similarity`), the
      whole day, and only the papers at min_similarity's old default of 0.12;
    - the learned ranker (generator/ranking/learned.py) with its defaults, and variants.
(b) The whole selection as a reader gets it, with the product's defaults (the topic's
    keywords at min_score 2.5, the default exclude_keywords, weight 20): before issue 22
    (its rule kept here: `today_rule`) against now (the night's own relevance.rank_day
    and select), with and without keywords and profile, and other weights and thresholds.
(c) The day's papers as negatives: cross-fitting folds and lower weights; and (c2) an
    archive of earlier listings (on-topic papers) as negatives.
(d) How many interest papers the classifier needs: the first k interest papers of each
    topic (k = 1..5), the same day for every k, classifier against max cosine.
(e) Calibration: where relevant and other papers fall on the 0-1 relevance, and how much
    one paper's relevance moves when the rest of the night changes (half the day).
(f) Related papers: the share of a labelled paper's 5 related papers (over the whole
    pool) that share one of its topics, for the site's TF-IDF and variants.
(g) The judge's mechanics: the night's judge (generator/ranking/judge.py: candidates,
    batches, validation, cache) and select with its ratings, against a loopback endpoint
    that rates by a rule (loopback_judge.py: the hand labels, the labels partly
    spoiled, random ratings; not a model), with the requests and tokens it cost and
    what a rerun sends (the cache).

    python -m benchmarks.relevance
    python -m benchmarks.relevance --base-url URL --embeddings-model M   # adds embeddings rows
    python -m benchmarks.relevance --base-url URL --model M              # adds (g'): the judge with a real model

With --base-url the key is read from the variable named by --api-key-env (OPENAI_API_KEY);
--timeout (seconds per request) and --embeddings-batch suit a slow local server. (g')
runs the night's own judge (20 papers a request, the union of keyword matches and the
ranker's top, at most 60) against that model. Without --base-url nothing leaves the
machine (the loopback judge listens on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import hashlib
import itertools
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import feedparser
import numpy as np
import yaml

from benchmarks.relevance.loopback_judge import LoopbackJudge
from generator.archive.models import Announcement, InterestPaper
from generator.arxiv.feed import parse_announcements
from generator.config import Config, load_config
from generator.ranking import judge as judging
from generator.ranking import learned as ranker
from generator.ranking.judge import Brief, Judge, JudgeSettings
from generator.ranking.relevance import interest_similarities, rank_day
from generator.ranking.selection import evaluate as keyword_rule
from generator.ranking.selection import judge_candidates, passes_filters, score, select
from generator.ranking.similarity import paper_text, tfidf_vectors, top_k
from generator.summaries.llm import ChatClient, RequestGate
from generator.text.clean import clean_tex

ROOT = Path(__file__).resolve().parents[2]
LABELS = Path(__file__).resolve().parent / "labels.yml"
DAY = dt.date(2026, 4, 27)
DEPTHS = (10, 30)
WEIGHT = 20.0
"""interests.weight's default: ranking value = keyword score + WEIGHT x relevance."""


@dataclass(frozen=True)
class PoolPaper:
    arxiv_id: str
    title: str
    abstract: str

    @property
    def text(self) -> str:
        return paper_text(self.title, self.abstract)


@dataclass(frozen=True)
class Topic:
    name: str
    profile: str
    interests: tuple[str, ...]
    keywords: tuple[str, ...]
    relevant: frozenset[str]

    @property
    def members(self) -> frozenset[str]:
        return self.relevant | set(self.interests)


@dataclass(frozen=True)
class Scores:
    """Hits of one ranked list against one topic's relevant papers."""

    recall: dict[int, float]
    precision: dict[int, float]
    shown: dict[int, int]
    average_precision: float


# ---------------------------------------------------------------- data


def load_pool(files: Sequence[str]) -> list[PoolPaper]:
    """Every paper of the recordings, one per arXiv id, in file order."""
    seen: dict[str, PoolPaper] = {}
    for name in files:
        content = (ROOT / name).read_bytes()
        if Path(name).name.startswith("rss_"):
            for ann in parse_announcements(content, source=name).announcements:
                seen.setdefault(ann.arxiv_id, PoolPaper(ann.arxiv_id, ann.title, ann.abstract))
        else:
            for entry in feedparser.parse(content).entries:
                arxiv_id = re.sub(r"v\d+$", "", entry.id.rsplit("/abs/", 1)[-1])
                seen.setdefault(arxiv_id, PoolPaper(arxiv_id, clean_tex(entry.title), clean_tex(entry.summary)))
    return list(seen.values())


def load_labels(path: Path = LABELS) -> tuple[list[PoolPaper], list[Topic]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pool = load_pool(data["pool"])
    ids = {p.arxiv_id for p in pool}
    topics = []
    for item in data["topics"]:
        topic = Topic(
            item["name"], " ".join(item["profile"].split()), tuple(item["interests"]), tuple(item["keywords"]), frozenset(item["relevant"])
        )
        unknown = sorted((topic.members | set(item.get("excluded", ()))) - ids)
        if unknown:
            raise SystemExit(
                f"{path}: topics[{topic.name!r}] names {unknown} that no pool recording holds; "
                "fix: correct the id or add the recording to pool"
            )
        topics.append(topic)
    return pool, topics


def announcement(paper: PoolPaper) -> Announcement:
    return Announcement(
        arxiv_id=paper.arxiv_id, version=1, title=paper.title, abstract=paper.abstract, authors=("A. Author",),
        categories=("cs.LG",), primary_category="cs.LG", announce_type="new", announced=DAY,
    )  # fmt: skip


def interest_paper(paper: PoolPaper) -> InterestPaper:
    return InterestPaper(paper.arxiv_id, 1, paper.title, (), paper.abstract)


def base_config(folder: Path, keywords: Sequence[str]) -> Config:
    """A config.yml holding only what the benchmark sets, read by the real loader (real keyword matching)."""
    path = folder / "config.yml"
    path.write_text(yaml.safe_dump({"keywords": list(keywords), "announce_types": ["new"], "max_papers": 1000}), encoding="utf-8")
    return load_config(path, environ={})


# ---------------------------------------------------------------- rankings


def keyword_ranking(day: list[PoolPaper], config: Config) -> list[str]:
    return [c.announcement.arxiv_id for c in select([announcement(p) for p in day], config, {}, DAY).listed]


def max_cosine(day: list[PoolPaper], interests: list[PoolPaper]) -> np.ndarray:
    """Each day paper's TF-IDF cosine to its nearest interest paper, as the archive's `similarity` keeps it (3 decimals)."""
    anns = [announcement(p) for p in day]
    return np.maximum(0.0, np.round(interest_similarities(anns, [interest_paper(p) for p in interests]).max(axis=1), 3))


def today_rule(
    day: list[PoolPaper], interests: list[PoolPaper], config: Config, min_similarity: float, weight: float = WEIGHT
) -> list[str]:
    """The selection by interests before issue 22 (main at 3298fa1), kept here as it was, to compare with.

    The filters (announce types, excluded keywords and authors), then listed by the
    keyword rule or max cosine >= min_similarity, ranked by score + weight x max cosine.
    """
    cfg = dataclasses.replace(config, interests=dataclasses.replace(config.interests, papers=tuple(p.arxiv_id for p in interests)))
    kept = []
    for paper, similarity in zip(day, max_cosine(day, interests)):
        ann = announcement(paper)
        if not passes_filters(ann, cfg):
            continue
        value, _ = score(ann, cfg.keywords)
        if keyword_rule(ann, cfg) is not None or similarity >= min_similarity:
            kept.append((-round(value + weight * float(similarity), 4), ann.arxiv_id))
    return [arxiv_id for _, arxiv_id in sorted(kept)]


def cosine_ranking(day: list[PoolPaper], interests: list[PoolPaper], config: Config, min_similarity: float) -> list[str]:
    """Before issue 22, interests alone (`keywords: []`): the whole selection, filters included."""
    return today_rule(day, interests, dataclasses.replace(config, keywords=()), min_similarity)


def with_ranking(
    config: Config, interests: Sequence[str], *, weight: float = WEIGHT, min_relevance: float = 0.5, profile: str = ""
) -> Config:
    """The config with these interest papers and the ranking keys the night reads."""
    return dataclasses.replace(
        config,
        interests=dataclasses.replace(
            config.interests, papers=tuple(interests), weight=weight, min_relevance=min_relevance, profile=profile
        ),
    )


def pipeline_ranking(day, interests, topic: Topic, config: Config, *, profile: bool, judgements=None, relevance=None, **keys) -> list[str]:
    """The night's own selection (generator.ranking.selection.select with the day's relevance): what a reader is shown."""
    cfg = with_ranking(config, topic.interests, **keys)
    anns = [announcement(p) for p in day]
    if relevance is None:
        relevance = rank_day(anns, [interest_paper(p) for p in interests], profile=topic.profile if profile else "")
    listed = select(anns, cfg, {}, DAY, [interest_paper(p) for p in interests], relevance=relevance, judgements=judgements).listed
    return [c.announcement.arxiv_id for c in listed]


def order(day: list[PoolPaper], values: np.ndarray, listed: np.ndarray | None = None) -> list[str]:
    """Day ids by descending value (ties by id, as select breaks them), optionally only those listed."""
    keys = sorted(range(len(day)), key=lambda i: (-float(values[i]), day[i].arxiv_id))
    return [day[i].arxiv_id for i in keys if listed is None or listed[i]]


def learned(day, interests, topic: Topic, options: ranker.RankerOptions, *, profile: bool = False, background=()) -> ranker.Ranking:
    return ranker.rank_texts(
        [p.text for p in day], [p.text for p in interests], profile=topic.profile if profile else "",
        background=[p.text for p in background], options=options,
    )  # fmt: skip


def evaluate(ranked: Sequence[str], relevant: frozenset[str]) -> Scores:
    recall, precision, shown = {}, {}, {}
    for k in DEPTHS:
        top = ranked[:k]
        hits = sum(1 for i in top if i in relevant)
        recall[k] = hits / len(relevant)
        precision[k] = hits / len(top) if top else 0.0
        shown[k] = len(top)
    found, total = 0, 0.0
    for rank, arxiv_id in enumerate(ranked, start=1):
        if arxiv_id in relevant:
            found += 1
            total += found / rank
    return Scores(recall, precision, shown, total / len(relevant))


# ---------------------------------------------------------------- printing


def table(title: str, rows: list[tuple[str, list[Scores]]], topics: list[Topic], per_topic: bool = True) -> None:
    print(f"\n{title}\n")
    print("| method | topic | R@10 | P@10 (found of listed) | R@30 | P@30 | AP |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, scores in rows:
        if per_topic:
            for topic, s in zip(topics, scores):
                shown = "" if s.shown[10] == 10 else f" ({s.shown[10]} listed)"
                print(
                    f"| {name} | {topic.name} | {s.recall[10]:.2f} | {s.precision[10]:.2f}{shown} | {s.recall[30]:.2f} | "
                    f"{s.precision[30]:.2f} | {s.average_precision:.2f} |"
                )
        found = sum(round(s.precision[10] * s.shown[10]) for s in scores)
        listed = sum(s.shown[10] for s in scores)
        average = np.mean([s.average_precision for s in scores])
        print(
            f"| **{name}** | **mean of {len(scores)} topics** | **{mean(scores, 'recall', 10):.2f}** | "
            f"**{mean(scores, 'precision', 10):.2f}** ({found} of {listed}) | "
            f"**{mean(scores, 'recall', 30):.2f}** | **{mean(scores, 'precision', 30):.2f}** | **{average:.2f}** |"
        )


def mean(scores: list[Scores], field: str, k: int) -> float:
    return float(np.mean([getattr(s, field)[k] for s in scores]))


# ---------------------------------------------------------------- measurements


def rankings(pool, topics, config_for, extra: dict[str, Callable] | None = None) -> dict[str, list[Scores]]:
    """(a): every method on every topic, none with the config's filters (exclude_keywords): rankings, not selections."""
    product = config_for

    def config_for(topic: Topic) -> Config:
        return dataclasses.replace(product(topic), exclude_keywords=())

    by_id = {p.arxiv_id: p for p in pool}
    options = ranker.RankerOptions()

    def ceiling(day, interests, topic):
        return sorted(topic.relevant) + [p.arxiv_id for p in day if p.arxiv_id not in topic.relevant]

    def variant(**changes):
        return lambda day, interests, topic: order(day, learned(day, interests, topic, dataclasses.replace(options, **changes)).relevance)

    methods: dict[str, Callable] = {
        "perfect ranking (the ceiling)": ceiling,
        "keywords only (every paper with a keyword, by score)": lambda day, interests, topic: keyword_ranking(
            day, dataclasses.replace(config_for(topic), min_score=0.0)
        ),
        "keywords only (config default min_score 2.5)": lambda day, interests, topic: keyword_ranking(day, config_for(topic)),
        "max cosine (before issue 22)": lambda day, interests, topic: order(day, max_cosine(day, interests)),
        "max cosine, only papers >= 0.12 (min_similarity's default)": lambda day, interests, topic: order(
            day, max_cosine(day, interests), max_cosine(day, interests) >= 0.12
        ),
        "learned ranker (default)": variant(),
        "learned ranker + profile": lambda day, interests, topic: order(
            day, learned(day, interests, topic, options, profile=True).relevance
        ),
        "learned ranker, 5-fold cross-fitted": variant(folds=5),
        "learned ranker, logistic regression (C=1)": variant(classifier="logistic", C=1.0),
        "learned ranker, unigrams only": variant(bigrams=False),
        "learned ranker on LSA vectors (100-d, offline stand-in for embeddings)": lambda day, interests, topic: order(
            day, lsa_ranking(day, interests, options).relevance
        ),
    }
    methods.update(extra or {})
    out: dict[str, list[Scores]] = {name: [] for name in methods}
    for topic in topics:
        interests = [by_id[i] for i in topic.interests]
        day = [p for p in pool if p.arxiv_id not in set(topic.interests)]
        for name, method in methods.items():
            out[name].append(evaluate(method(day, interests, topic), topic.relevant))
    return out


def lsa_ranking(day, interests, options) -> ranker.Ranking:
    """The classifier on dense vectors: TF-IDF reduced to 100 dimensions (latent semantic analysis)."""
    from sklearn.decomposition import TruncatedSVD

    matrix = ranker.tfidf([p.text for p in interests] + [p.text for p in day])
    dense = TruncatedSVD(n_components=100, random_state=0).fit_transform(matrix)
    return ranker.rank_vectors(dense[len(interests) :], dense[: len(interests)], options=options)


def combined(pool, topics, config_for) -> None:
    """(b): the whole selection as a reader gets it, with the product's defaults (min_score 2.5, weight 20)."""
    by_id = {p.arxiv_id: p for p in pool}
    rows: dict[str, list[Scores]] = {}

    def add(name: str, ranked: list[str], topic: Topic) -> None:
        rows.setdefault(name, []).append(evaluate(ranked, topic.relevant))

    for topic in topics:
        interests = [by_id[i] for i in topic.interests]
        day = [p for p in pool if p.arxiv_id not in set(topic.interests)]
        config = config_for(topic)
        add("keywords only (no interests)", keyword_ranking(day, config), topic)
        add("before: keywords + max cosine (min_similarity 0.12, weight 20)", today_rule(day, interests, config, 0.12), topic)
        add("before: interests alone (keywords: [], min_similarity 0.12)", cosine_ranking(day, interests, config, 0.12), topic)
        add(
            "now: keywords + learned relevance (min_relevance 0.5, weight 20)",
            pipeline_ranking(day, interests, topic, config, profile=False),
            topic,
        )
        add("now: the same + the profile", pipeline_ranking(day, interests, topic, config, profile=True), topic)
        add(
            "now: interests alone (keywords: [], min_relevance 0.5)",
            pipeline_ranking(day, interests, topic, dataclasses.replace(config, keywords=()), profile=False),
            topic,
        )
        add(
            "now: interests and profile alone (keywords: [])",
            pipeline_ranking(day, interests, topic, dataclasses.replace(config, keywords=()), profile=True),
            topic,
        )
        for weight in (10, 5, 2):
            add(f"now + profile, weight {weight}", pipeline_ranking(day, interests, topic, config, profile=True, weight=weight), topic)
        for threshold in (0.8, 0.95):
            add(
                f"now + profile, min_relevance {threshold}",
                pipeline_ranking(day, interests, topic, config, profile=True, min_relevance=threshold),
                topic,
            )
    table(
        "(b) the whole selection with the product's defaults (the topic's keywords at min_score 2.5, weight 20): "
        "before issue 22 and now (real select)",
        list(rows.items()),
        topics,
        per_topic=False,
    )


def negatives(pool, topics) -> None:
    """(c): the day's papers as negatives."""
    by_id = {p.arxiv_id: p for p in pool}
    base = ranker.RankerOptions()
    variants = {
        "every candidate a negative, weight 1 (default)": base,
        "candidates weigh 0.3": dataclasses.replace(base, candidate_weight=0.3),
        "candidates weigh 0.1": dataclasses.replace(base, candidate_weight=0.1),
        "2-fold cross-fitted (the other half of the day as negatives)": dataclasses.replace(base, folds=2),
        "5-fold cross-fitted": dataclasses.replace(base, folds=5),
        "10-fold cross-fitted": dataclasses.replace(base, folds=10),
        "C = 1": dataclasses.replace(base, C=1.0),
        "C = 1, 5-fold cross-fitted": dataclasses.replace(base, C=1.0, folds=5),
    }
    rows = []
    for name, options in variants.items():
        scores = []
        for topic in topics:
            interests = [by_id[i] for i in topic.interests]
            day = [p for p in pool if p.arxiv_id not in set(topic.interests)]
            result = learned(day, interests, topic, options)
            scores.append(evaluate(order(day, result.relevance), topic.relevant))
        rows.append((name, scores))
    table("(c) the day's papers as negatives: what labelling relevant papers of the day negative costs", rows, topics, per_topic=False)


def archive_negatives(pool, topics) -> None:
    """(c2): an archive holds the reader's earlier listings: on-topic papers that, unlabelled, train as negatives."""
    by_id = {p.arxiv_id: p for p in pool}
    base = ranker.RankerOptions()
    variants = {
        "no archive (negatives: the day)": None,
        "archive = half the topic's relevant papers, as negatives": base,
        "the same archive at weight 0.1": dataclasses.replace(base, background_weight=0.1),
    }
    rows = []
    for name, options in variants.items():
        scores = []
        for topic in topics:
            interests = [by_id[i] for i in topic.interests]
            archived = sorted(topic.relevant)[1::2]
            day = [p for p in pool if p.arxiv_id not in set(topic.interests) | set(archived)]
            background = [by_id[i] for i in archived] if options is not None else []
            result = learned(day, interests, topic, options or base, background=background)
            scores.append(evaluate(order(day, result.relevance), topic.relevant - set(archived)))
        rows.append((name, scores))
    table(
        "(c2) an archive of earlier listings as negatives: half of each topic's relevant papers moved from the day to the archive "
        "(recall over the other half, still in the day)",
        rows,
        topics,
        per_topic=False,
    )


def interest_count(pool, topics, config_for) -> None:
    """(d): the first k interest papers; the day is the pool without any of the topic's interest papers."""
    by_id = {p.arxiv_id: p for p in pool}
    forced = ranker.RankerOptions(min_interest_papers=1)
    print("\n(d) how many interest papers the classifier needs (same day for every k: the pool less all of the topic's interest papers)\n")
    print("| k | topics | max cosine R@10 | P@10 | AP | classifier R@10 | P@10 | AP | classifier + profile R@10 | P@10 | AP |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in range(1, 6):
        rows: dict[str, list[Scores]] = {"cosine": [], "svm": [], "profile": []}
        for topic in topics:
            if len(topic.interests) < k:
                continue
            interests = [by_id[i] for i in topic.interests[:k]]
            day = [p for p in pool if p.arxiv_id not in set(topic.interests)]
            rows["cosine"].append(evaluate(order(day, max_cosine(day, interests)), topic.relevant))
            rows["svm"].append(evaluate(order(day, learned(day, interests, topic, forced).relevance), topic.relevant))
            rows["profile"].append(evaluate(order(day, learned(day, interests, topic, forced, profile=True).relevance), topic.relevant))
        cells = " | ".join(
            f"{mean(s, 'recall', 10):.2f} | {mean(s, 'precision', 10):.2f} | {np.mean([x.average_precision for x in s]):.2f}"
            for s in rows.values()
        )
        print(f"| {k} | {len(rows['svm'])} | {cells} |")


def calibration(pool, topics, options: ranker.RankerOptions, title: str) -> None:
    """(e): relevance of relevant and other papers; one paper's relevance with half the night."""
    by_id = {p.arxiv_id: p for p in pool}
    edges = [0.0, 0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 1.0001]
    counts = np.zeros((len(edges) - 1, 2), dtype=int)
    print(f"\n(e) calibration: {title}\n")
    print(
        "| topic | relevant papers >= 0.5 | other papers >= 0.5 | median relevance: relevant | other | "
        "same paper, half the night: median / 90th pct. change |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(20260427)
    for topic in topics:
        interests = [by_id[i] for i in topic.interests]
        day = [p for p in pool if p.arxiv_id not in set(topic.interests)]
        relevance = learned(day, interests, topic, options).relevance
        is_rel = np.array([p.arxiv_id in topic.relevant for p in day])
        for value, rel in zip(relevance, is_rel):
            counts[np.searchsorted(edges, value, side="right") - 1, int(rel)] += 1
        changes = []
        for _ in range(3):
            half = rng.permutation(len(day))[: len(day) // 2]
            again = learned([day[i] for i in half], interests, topic, options).relevance
            changes.extend(np.abs(again - relevance[half]))
        print(
            f"| {topic.name} | {np.sum(relevance[is_rel] >= 0.5)} of {is_rel.sum()} | "
            f"{np.sum(relevance[~is_rel] >= 0.5)} of {(~is_rel).sum()} | "
            f"{np.median(relevance[is_rel]):.2f} | {np.median(relevance[~is_rel]):.3f} | "
            f"{np.median(changes):.3f} / {np.percentile(changes, 90):.3f} |"
        )
    print("\n| relevance | papers (all topics) | of them relevant |")
    print("|---|---:|---:|")
    for (low, high), (other, rel) in zip(itertools.pairwise(edges), counts):
        total = other + rel
        print(
            f"| {low:.2f}-{min(high, 1.0):.2f} | {total} | {rel} ({rel / total:.0%}) |"
            if total
            else f"| {low:.2f}-{min(high, 1.0):.2f} | 0 | |"
        )


def related(pool, topics, vectors: dict[str, object] | None = None) -> None:
    """(f): same-topic share of the 5 related papers, over the labelled papers."""
    index = {p.arxiv_id: i for i, p in enumerate(pool)}
    topic_sets = [{index[i] for i in t.members} for t in topics]
    labelled = sorted(set().union(*topic_sets))
    texts = [p.text for p in pool]
    engines: dict[str, tuple[object, int | None]] = {
        "site TF-IDF (unigrams, sublinear tf, 32 words a paper)": (tfidf_vectors(texts), 32),
        "TF-IDF unigrams, 64 words a paper": (tfidf_vectors(texts), 64),
        "TF-IDF unigrams, whole vectors": (tfidf_vectors(texts), None),
        "TF-IDF unigrams + bigrams, 32 terms a paper": (ranker.tfidf(texts).astype(np.float32), 32),
        "TF-IDF unigrams + bigrams, 64 terms a paper": (ranker.tfidf(texts).astype(np.float32), 64),
        "TF-IDF unigrams + bigrams, whole vectors": (ranker.tfidf(texts).astype(np.float32), None),
        "TF-IDF unigrams, raw tf (not sublinear), 32 words": (_raw_tf(texts), 32),
    }
    for name, matrix in (vectors or {}).items():
        engines[name] = (matrix, None)
    print("\n(f) related papers: share of a labelled paper's 5 related papers (whole pool) that share one of its topics\n")
    print("| engine | labelled papers | same-topic share | 5 random papers |")
    print("|---|---:|---:|---:|")
    for name, (matrix, terms) in engines.items():
        indices, sims = top_k(matrix, 5, terms_per_paper=terms)
        shares, base = [], []
        for i in labelled:
            own = set().union(*(s for s in topic_sets if i in s))
            picks = [int(j) for j, s in zip(indices[i], sims[i]) if j >= 0 and s > 0]
            shares.append(np.mean([j in own for j in picks]) if picks else 0.0)
            base.append((len(own) - 1) / (len(pool) - 1))
        print(f"| {name} | {len(labelled)} | {np.mean(shares):.0%} | {np.mean(base):.1%} |")


def _raw_tf(texts):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from generator.ranking.similarity import words

    return TfidfVectorizer(analyzer=words, min_df=2, max_df=0.5, sublinear_tf=False, dtype=np.float32).fit_transform(texts).tocsr()


# ---------------------------------------------------------------- online (optional)


def embed_pool(
    pool, topics, base_url: str, model: str, key_env: str, timeout: float, batch: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Vectors of every pool paper and every profile from the endpoint, through the generator's own client."""
    from generator.config import EmbeddingsConfig
    from generator.ranking.embeddings import EmbeddingClient

    key = os.environ.get(key_env, "")
    if not key:
        raise SystemExit(
            f"--embeddings-model: the variable {key_env} holds no key; fix: export {key_env}=... or name another with --api-key-env"
        )
    client = EmbeddingClient(EmbeddingsConfig(model, base_url, key_env, timeout, 3, batch), key)
    texts = [p.text for p in pool] + [t.profile for t in topics]
    rows = [client.embed(texts[start : start + batch]) for start in range(0, len(texts), batch)]
    matrix = np.vstack(rows)
    return {p.arxiv_id: matrix[i] for i, p in enumerate(pool)}, matrix[len(pool) :]


def embedding_methods(vectors: dict[str, np.ndarray], profiles: np.ndarray, topics: list[Topic], model: str) -> dict[str, Callable]:
    options = ranker.RankerOptions()
    profile_of = {t.name: profiles[i] for i, t in enumerate(topics)}

    def matrix(papers):
        return np.vstack([vectors[p.arxiv_id] for p in papers])

    def cosine(day, interests, topic):
        best = ranker.rank_vectors(matrix(day), matrix(interests), options=dataclasses.replace(options, min_interest_papers=99)).decision
        return order(day, best)

    def classifier(day, interests, topic):
        return order(day, ranker.rank_vectors(matrix(day), matrix(interests), options=options).relevance)

    def with_profile(day, interests, topic):
        return order(day, ranker.rank_vectors(matrix(day), matrix(interests), profile=profile_of[topic.name], options=options).relevance)

    return {
        f"embeddings {model}: max cosine": cosine,
        f"embeddings {model}: learned ranker": classifier,
        f"embeddings {model}: learned ranker + profile": with_profile,
    }


JUDGE_HEADER = (
    "| judge | R@10 | P@10 (found of listed) | R@30 | AP | relevant among the candidates | requests | "
    "tokens (prompt / completion) | requests of a rerun |"
)


def judge_client(base_url: str, model: str, api_key: str, timeout: float) -> ChatClient:
    """The summary model's client as the night builds it for the judge (temperature 0, the run's budget)."""
    return ChatClient(
        base_url=base_url, api_key=api_key, model=model, timeout=timeout, max_retries=2, retry_backoff=2.0, temperature=0.0,
        max_output_tokens=2000, gate=RequestGate(token_budget=50_000_000).stage(),
    )  # fmt: skip


@dataclass
class JudgeRun:
    """What one judge did over the six topics."""

    scores: list[Scores]
    candidates_relevant: int
    """Relevant papers among the candidates the judge saw (its recall ceiling)."""
    relevant: int
    requests: int
    prompt_tokens: int
    completion_tokens: int
    rerun_requests: int
    """Requests of the same six days run again with the cache the first run wrote (0: a rerun sends nothing)."""
    warnings: list[str]


def judge_run(
    pool, topics, config_for, make_client: Callable[[Topic], ChatClient], model: str, limit: int = 60, batch: int = 20
) -> JudgeRun:
    """(g): the night's judge (generator/ranking/judge.py) over each topic's day, then the night's select with its ratings."""
    by_id = {p.arxiv_id: p for p in pool}
    scores, warnings = [], []
    seen = relevant = requests = prompt = completion = rerun = 0
    with tempfile.TemporaryDirectory() as folder:
        for n, topic in enumerate(topics):
            interests = [by_id[i] for i in topic.interests]
            day = [p for p in pool if p.arxiv_id not in set(topic.interests)]
            anns = [announcement(p) for p in day]
            config = with_ranking(config_for(topic), topic.interests)
            relevance = rank_day(anns, [interest_paper(p) for p in interests], profile=topic.profile)
            candidates = judge_candidates(anns, config, {}, DAY, relevance, limit)
            seen += sum(1 for a in candidates if a.arxiv_id in topic.relevant)
            relevant += len(topic.relevant)
            brief = Brief(topic.profile, tuple(p.title for p in interests))
            docs = Path(folder) / str(n)
            for attempt in range(2):
                judge = Judge(make_client(topic), brief, JudgeSettings(model, batch, limit), warnings.append)
                cached = judging.read_cache(docs, DAY)
                outcome = judge.rate(DAY, candidates, cached)
                path = docs / judging.cache_path(DAY)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(judging.dump_cache([*cached.values(), *outcome.new]), encoding="utf-8")
                if attempt == 0:
                    requests += judge.stats.requests
                    prompt += judge.stats.prompt_tokens
                    completion += judge.stats.completion_tokens
                    ranked = pipeline_ranking(
                        day, interests, topic, config_for(topic), profile=True, judgements=outcome.judgements, relevance=relevance
                    )
                    scores.append(evaluate(ranked, topic.relevant))
                else:
                    rerun += judge.stats.requests
    return JudgeRun(scores, seen, relevant, requests, prompt, completion, rerun, warnings)


def judge_policies(topics: list[Topic]) -> dict[str, Callable[[str], tuple[float, str]]]:
    """Rules the loopback judge rates by (benchmarks/relevance/loopback_judge.py): the labels, spoiled to various degrees."""
    members = set().union(*(t.relevant for t in topics))

    def flip(arxiv_id: str, share: float) -> bool:
        return int(hashlib.sha256(arxiv_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share

    def labels(arxiv_id: str, topic: Topic, wrong: float = 0.0) -> tuple[float, str]:
        on_topic = (arxiv_id in topic.relevant) != flip(arxiv_id, wrong)
        return (9, "On the reader's topic (by the hand labels).") if on_topic else (1, "Another topic (by the hand labels).")

    return (
        {
            "oracle: 9 for a labelled paper, 1 otherwise": lambda topic: lambda i: labels(i, topic),
            "the labels with 20% of ratings wrong": lambda topic: lambda i: labels(i, topic, 0.2),
            "the labels with 40% of ratings wrong": lambda topic: lambda i: labels(i, topic, 0.4),
            "random ratings (0-10)": lambda topic: lambda i: (int(hashlib.sha256(i.encode()).hexdigest()[:8], 16) % 11, "Random."),
            "every paper rated 10": lambda topic: lambda i: (10, "Everything is relevant."),
        }
        if members
        else {}
    )


def judge_mechanics(pool, topics, config_for) -> None:
    """(g) the judge's mechanics on the loopback judge: candidates, batches, cache, and how ratings combine with the ranker."""
    rows = [("no judge: the pipeline with the profile (the learned ranker alone)", None)]
    rows += list(judge_policies(topics).items())
    print("\n(g) the judge's mechanics, on a loopback endpoint that rates by a rule (not a model): the night's judge and select\n")
    print(JUDGE_HEADER)
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    by_id = {p.arxiv_id: p for p in pool}
    for name, policy in rows:
        if policy is None:
            scores = []
            for topic in topics:
                day = [p for p in pool if p.arxiv_id not in set(topic.interests)]
                interests = [by_id[i] for i in topic.interests]
                scores.append(evaluate(pipeline_ranking(day, interests, topic, config_for(topic), profile=True), topic.relevant))
            print(_judge_row(name, scores))
            continue
        with contextlib.ExitStack() as stack:
            servers = {topic.name: stack.enter_context(LoopbackJudge(policy(topic))) for topic in topics}
            urls = {name: server.base_url for name, server in servers.items()}
            run = judge_run(
                pool,
                topics,
                config_for,
                lambda t, urls=urls: judge_client(urls[t.name], "loopback-rule", "loopback", 30.0),
                "loopback-rule",
            )
        print(_judge_row(name, run.scores, run))
        for warning in run.warnings[:2]:
            print(f"|  warning: {warning} |")


def _judge_row(name: str, scores: list[Scores], run: JudgeRun | None = None) -> str:
    found = sum(round(s.precision[10] * s.shown[10]) for s in scores)
    listed = sum(s.shown[10] for s in scores)
    cells = (
        f"| {name} | {mean(scores, 'recall', 10):.2f} | {mean(scores, 'precision', 10):.2f} ({found} of {listed}) | "
        f"{mean(scores, 'recall', 30):.2f} | {np.mean([s.average_precision for s in scores]):.2f} |"
    )
    if run is None:
        return cells + " | | | |"
    tokens = f"{run.prompt_tokens:,} / {run.completion_tokens:,}"
    return cells + f" {run.candidates_relevant} of {run.relevant} | {run.requests} | {tokens} | {run.rerun_requests} |"


def judge_real_model(pool, topics, config_for, base_url: str, model: str, key_env: str, timeout: float) -> None:
    """(g') the same with a real model behind --base-url (the key from --api-key-env)."""
    key = os.environ.get(key_env, "")
    if not key:
        raise SystemExit(f"--model: the variable {key_env} holds no key; fix: export {key_env}=... or name another with --api-key-env")
    run = judge_run(pool, topics, config_for, lambda t: judge_client(base_url, model, key, timeout), model)
    print(f"\n(g') the judge with {model} at {base_url}\n")
    print(JUDGE_HEADER)
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(_judge_row(model, run.scores, run))
    for warning in run.warnings:
        print(f"warning: {warning}")


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint for --model and --embeddings-model")
    parser.add_argument("--model", help="chat model: adds an LLM judge row (rates the learned ranker's top 30 against the profile)")
    parser.add_argument("--embeddings-model", help="embeddings model: adds rows with the interest papers and the day embedded")
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY", help="NAME of the variable holding the key (default OPENAI_API_KEY)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60; more for a local model on a CPU)")
    parser.add_argument("--embeddings-batch", type=int, default=64, help="texts per embeddings request (default 64)")
    args = parser.parse_args(argv)
    if (args.model or args.embeddings_model) and not args.base_url:
        parser.error("--model and --embeddings-model need --base-url")
    started = time.monotonic()
    pool, topics = load_labels()
    print(f"{len(pool)} recorded real papers; {len(topics)} hand-labelled topics: "
          + ", ".join(f"{t.name} ({len(t.interests)} interest + {len(t.relevant)} relevant)" for t in topics))  # fmt: skip
    configs = {}
    with tempfile.TemporaryDirectory() as folder:
        for n, topic in enumerate(topics):
            (Path(folder) / str(n)).mkdir()
            configs[topic.name] = base_config(Path(folder) / str(n), topic.keywords)

    def config_for(topic: Topic) -> Config:
        return configs[topic.name]

    extra: dict[str, Callable] = {}
    vectors = None
    if args.embeddings_model:
        embedded, profiles = embed_pool(
            pool, topics, args.base_url, args.embeddings_model, args.api_key_env, args.timeout, args.embeddings_batch
        )
        extra.update(embedding_methods(embedded, profiles, topics, args.embeddings_model))
        vectors = {f"embeddings {args.embeddings_model}": np.vstack([embedded[p.arxiv_id] for p in pool]).astype(np.float32)}
    results = rankings(pool, topics, config_for, extra)
    table("(a) rankings: the topic's other labelled papers among the day's top 10 and top 30", list(results.items()), topics)
    combined(pool, topics, config_for)
    negatives(pool, topics)
    archive_negatives(pool, topics)
    interest_count(pool, topics, config_for)
    calibration(
        pool, topics, ranker.RankerOptions(), "the default (anchored: 0.05 = the day's median paper, 0.95 = the reader's held-out papers)"
    )
    calibration(
        pool,
        topics,
        ranker.RankerOptions(calibration="margin"),
        "a fixed logistic of the SVM margin (0.05 at d = -1, 0.5 at 0, 0.95 at +1)",
    )
    related(pool, topics, vectors)
    judge_mechanics(pool, topics, config_for)
    if args.model:
        judge_real_model(pool, topics, config_for, args.base_url, args.model, args.api_key_env, args.timeout)
    print(f"\n{time.monotonic() - started:.0f} s")
