"""Ranking by meaning, measured on hand-labelled recorded real papers (issue 22, item 6).

The pool is every paper of the recordings that labels.yml lists (254 real papers);
labels.yml holds six readers' topics, labelled by hand before anything here was run
(README.md beside it says how). For each topic the interest papers are the reader's
own papers and the rest of the pool is the day's announcements; the topic's other
labelled papers are what the day's top 10 and top 30 should hold.

(a) Rankings, per topic and averaged over topics (recall and precision in the top 10
    and 30; precision counts the papers actually listed, which keywords can leave
    below 10):
    - keywords only: the real generator.ranking.selection.select with the topic's keywords, no interests;
    - max cosine: the real select with the interest papers and `keywords: []`, as
      benchmarks/related_quality.py runs it (min_similarity 0, so the whole day is ranked),
      and at today's default min_similarity of 0.12 (what a reader is shown);
    - the learned ranker (generator/ranking/learned.py) with its defaults, and variants.
(b) Keywords and interests together, as a reader who configures both is ranked:
    today's rule (score + 20 x similarity, listed by keywords or similarity >= 0.12)
    against the same rule with the learned relevance (listed by keywords or relevance >= 0.5).
(c) The day's papers as negatives: cross-fitting folds and lower weights; and (c2) an
    archive of earlier listings (on-topic papers) as negatives.
(d) How many interest papers the classifier needs: the first k interest papers of each
    topic (k = 1..5), the same day for every k, classifier against max cosine.
(e) Calibration: where relevant and other papers fall on the 0-1 relevance, and how much
    one paper's relevance moves when the rest of the night changes (half the day).
(f) Related papers: the share of a labelled paper's 5 related papers (over the whole
    pool) that share one of its topics, for the site's TF-IDF and variants.

    python -m benchmarks.relevance
    python -m benchmarks.relevance --base-url URL --embeddings-model M   # adds embeddings rows
    python -m benchmarks.relevance --base-url URL --model M              # adds an LLM judge row

With --base-url the key is read from the variable named by --api-key-env (OPENAI_API_KEY);
--timeout (seconds per request) and --embeddings-batch suit a slow local server. The
judge row is a sketch for measuring a model's ratings (the learned ranker's top 30 rated
0-10 against the profile in batches of 10, reordered by rating), not issue 22's judge.
Without --base-url nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import json
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

from generator.archive.models import Announcement, InterestPaper
from generator.arxiv.feed import parse_announcements
from generator.config import Config, load_config
from generator.ranking import learned as ranker
from generator.ranking.selection import evaluate as keyword_rule
from generator.ranking.selection import score, select
from generator.ranking.similarity import paper_text, tfidf_vectors, top_k
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


def cosine_ranking(day: list[PoolPaper], interests: list[PoolPaper], config: Config, min_similarity: float) -> list[str]:
    cfg = dataclasses.replace(
        config, keywords=(),
        interests=dataclasses.replace(config.interests, papers=tuple(p.arxiv_id for p in interests), min_similarity=min_similarity),
    )  # fmt: skip
    listed = select([announcement(p) for p in day], cfg, {}, DAY, [interest_paper(p) for p in interests]).listed
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


def combined_ranking(day, config: Config, relevance: np.ndarray, threshold: float) -> list[str]:
    """score + WEIGHT x relevance, listed by the keyword rule or relevance >= threshold (the rule select applies to similarity)."""
    values, listed = np.zeros(len(day)), np.zeros(len(day), dtype=bool)
    for i, paper in enumerate(day):
        value, _ = score(announcement(paper), config.keywords)
        values[i] = value + WEIGHT * relevance[i]
        listed[i] = keyword_rule(announcement(paper), config) is not None or relevance[i] >= threshold
    return order(day, values, listed)


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
        print(f"| **{name}** | **mean of {len(scores)} topics** | **{mean(scores, 'recall', 10):.2f}** | "
              f"**{mean(scores, 'precision', 10):.2f}** ({found} of {listed}) | "
              f"**{mean(scores, 'recall', 30):.2f}** | **{mean(scores, 'precision', 30):.2f}** | "
              f"**{np.mean([s.average_precision for s in scores]):.2f}** |")  # fmt: skip


def mean(scores: list[Scores], field: str, k: int) -> float:
    return float(np.mean([getattr(s, field)[k] for s in scores]))


# ---------------------------------------------------------------- measurements


def rankings(pool, topics, config_for, extra: dict[str, Callable] | None = None) -> dict[str, list[Scores]]:
    """(a): every method on every topic."""
    by_id = {p.arxiv_id: p for p in pool}
    options = ranker.RankerOptions()
    methods: dict[str, Callable] = {
        "perfect ranking (the ceiling)": lambda day, interests, topic: sorted(topic.relevant)
        + [p.arxiv_id for p in day if p.arxiv_id not in topic.relevant],
        "keywords only (every paper with a keyword, by score)": lambda day, interests, topic: keyword_ranking(
            day, dataclasses.replace(config_for(topic), min_score=0.0)),
        "keywords only (config default min_score 2.5)": lambda day, interests, topic: keyword_ranking(day, config_for(topic)),
        "max cosine (today, whole day ranked)": lambda day, interests, topic: cosine_ranking(day, interests, config_for(topic), 0.0),
        "max cosine (today's default: min_similarity 0.12)": lambda day, interests, topic: cosine_ranking(
            day, interests, config_for(topic), 0.12
        ),
        "learned ranker (default)": lambda day, interests, topic: order(day, learned(day, interests, topic, options).relevance),
        "learned ranker + profile": lambda day, interests, topic: order(
            day, learned(day, interests, topic, options, profile=True).relevance
        ),
        "learned ranker, 5-fold cross-fitted": lambda day, interests, topic: order(
            day, learned(day, interests, topic, dataclasses.replace(options, folds=5)).relevance),
        "learned ranker, logistic regression (C=1)": lambda day, interests, topic: order(
            day, learned(day, interests, topic, dataclasses.replace(options, classifier="logistic", C=1.0)).relevance),
        "learned ranker, unigrams only": lambda day, interests, topic: order(
            day, learned(day, interests, topic, dataclasses.replace(options, bigrams=False)).relevance),
        "learned ranker on LSA vectors (100-d, offline stand-in for embeddings)": lambda day, interests, topic: order(
            day, lsa_ranking(day, interests, options).relevance),
    }  # fmt: skip
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
    """(b): keywords and interests together."""
    by_id = {p.arxiv_id: p for p in pool}
    rows: dict[str, list[Scores]] = {"today: keywords + max cosine (select, weight 20, min_similarity 0.12)": [],
                                     "keywords + learned relevance (weight 20, min_relevance 0.5)": []}  # fmt: skip
    # Both with the config's default min_score (2.5) for the keyword rule, as a reader gets them.
    for topic in topics:
        interests = [by_id[i] for i in topic.interests]
        day = [p for p in pool if p.arxiv_id not in set(topic.interests)]
        config = config_for(topic)
        cfg = dataclasses.replace(
            config, interests=dataclasses.replace(config.interests, papers=topic.interests, weight=WEIGHT, min_similarity=0.12)
        )
        listed = select([announcement(p) for p in day], cfg, {}, DAY, [interest_paper(p) for p in interests]).listed
        rows["today: keywords + max cosine (select, weight 20, min_similarity 0.12)"].append(
            evaluate([c.announcement.arxiv_id for c in listed], topic.relevant)
        )
        relevance = learned(day, interests, topic, ranker.RankerOptions()).relevance
        rows["keywords + learned relevance (weight 20, min_relevance 0.5)"].append(
            evaluate(combined_ranking(day, config, relevance, 0.5), topic.relevant)
        )
    table("(b) keywords and interests together", list(rows.items()), topics)


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
            rows["cosine"].append(evaluate(cosine_ranking(day, interests, config_for(topic), 0.0), topic.relevant))
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
        "| topic | relevant papers >= 0.5 | other papers >= 0.5 | median relevance: relevant | other "
        "| same paper, half the night: median / 90th pct. change |"
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
        print(f"| {topic.name} | {np.sum(relevance[is_rel] >= 0.5)} of {is_rel.sum()} | {np.sum(relevance[~is_rel] >= 0.5)} of "
              f"{(~is_rel).sum()} | "
              f"{np.median(relevance[is_rel]):.2f} | {np.median(relevance[~is_rel]):.3f} | {np.median(changes):.3f} / "
              f"{np.percentile(changes, 90):.3f} |")  # fmt: skip
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

    return {
        f"embeddings {model}: max cosine": cosine,
        f"embeddings {model}: learned ranker": lambda day, interests, topic: order(
            day, ranker.rank_vectors(matrix(day), matrix(interests), options=options).relevance
        ),
        f"embeddings {model}: learned ranker + profile": lambda day, interests, topic: order(
            day, ranker.rank_vectors(matrix(day), matrix(interests), profile=profile_of[topic.name], options=options).relevance),
    }  # fmt: skip


JUDGE_SYSTEM = (
    "You rate how relevant arXiv papers are to one researcher. Answer with JSON only: "
    '{"ratings": [{"id": "<paper id>", "rating": <0-10>}]}, one entry per paper given, nothing else.'
)


def judge_method(base_url: str, model: str, key_env: str, timeout: float, batch: int = 10, depth: int = 30) -> Callable:
    """An LLM rates the learned ranker's top `depth` papers 0-10 against the profile; the order is rating, then the ranker's."""
    from generator.summaries.llm import ChatClient, LLMError, RequestGate

    key = os.environ.get(key_env, "")
    if not key:
        raise SystemExit(f"--model: the variable {key_env} holds no key; fix: export {key_env}=... or name another with --api-key-env")
    client = ChatClient(base_url=base_url, api_key=key, model=model, timeout=timeout, max_retries=2, retry_backoff=2.0, temperature=0.0,
                        max_output_tokens=2000, gate=RequestGate(token_budget=5_000_000))  # fmt: skip
    options = ranker.RankerOptions()

    def method(day, interests, topic):
        ranked = order(day, learned(day, interests, topic, options).relevance)
        by_id = {p.arxiv_id: p for p in day}
        head = ranked[:depth]
        ratings: dict[str, float] = {}
        brief = f"Research profile: {topic.profile}\nThe researcher's own papers: " + "; ".join(p.title for p in interests)
        for start in range(0, len(head), batch):
            ids = head[start : start + batch]
            papers = "\n\n".join(f"id: {i}\ntitle: {by_id[i].title}\nabstract: {by_id[i].abstract[:1500]}" for i in ids)
            try:
                answer = client.complete(JUDGE_SYSTEM, f"{brief}\n\nRate these papers:\n\n{papers}", f"judge {topic.name}").text
                items = json.loads(answer[answer.find("{") : answer.rfind("}") + 1])["ratings"]
            except (LLMError, ValueError, KeyError, TypeError) as exc:
                print(f"judge: batch of {len(ids)} for {topic.name!r} failed ({exc}); kept in the ranker's order")
                continue
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("id") in ids and isinstance(item.get("rating"), (int, float)):
                    ratings[item["id"]] = max(0.0, min(10.0, float(item["rating"])))
        position = {i: n for n, i in enumerate(ranked)}
        return sorted(head, key=lambda i: (-ratings.get(i, -1.0), position[i])) + ranked[depth:]

    return method


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
    if args.model:
        extra[f"LLM judge {args.model} over the learned ranker's top 30"] = judge_method(
            args.base_url, args.model, args.api_key_env, args.timeout
        )
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
    print(f"\n{time.monotonic() - started:.0f} s")
