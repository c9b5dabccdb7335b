"""Keyword matching, scoring, filters and ranking (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from generator.archive.models import Announcement
from generator.arxiv.feed import parse_announcements
from generator.config import load_config
from generator.ranking.selection import evaluate, score, select
from tests.conftest import fixture_bytes

DAY = dt.date(2025, 4, 28)


def paper(title: str, abstract: str = "", **fields) -> Announcement:
    base = {
        "arxiv_id": "2504.00001",
        "version": 1,
        "title": title,
        "abstract": abstract,
        "authors": ("Ada Lovelace",),
        "categories": ("cs.LG",),
        "primary_category": "cs.LG",
        "announce_type": "new",
        "announced": DAY,
    }
    base.update(fields)
    return Announcement(**base)


def config(write_config, **overrides):
    return load_config(write_config(**overrides), environ={})


def test_keywords_match_at_the_start_of_words_only(write_config):
    cfg = config(write_config, keywords=["RL", "LLM", "Kernel"], min_score=0)
    # The original bot matched substrings: "RL" in "world" and "URL" counted.
    assert score(paper("A world model", "See the URL for details."), cfg.keywords) == (0.0, ())
    assert score(paper("Fast kernels for LLMs"), cfg.keywords) == (3.0, ("LLM", "Kernel"))
    assert score(paper("RLHF at scale"), cfg.keywords) == (1.5, ("RL",))


def test_original_score_rule_title_bonus_and_weights(write_config):
    cfg = config(write_config, keywords=["Inference", {"name": "MoE", "regex": r"\bMoE\b|mixture of experts", "weight": 2}])
    value, matched = score(paper("Efficient inference", "A mixture of experts model."), cfg.keywords)
    # Inference: 1 + 0.5 (title); MoE: 2 x 1 (abstract only).
    assert (value, matched) == (3.5, ("Inference", "MoE"))


def test_min_score_is_applied(write_config):
    # noise: 1 + 0.5 (title); quantum: 1 -> 2.5.
    cfg = config(write_config, keywords=["quantum", "noise"], min_score=2.5)
    assert evaluate(paper("On noise", "quantum noise"), cfg).value == 2.5
    cfg = config(write_config, keywords=["quantum", "noise"], min_score=2.6)
    assert evaluate(paper("On noise", "quantum noise"), cfg) is None
    # A keyword counts once however often it appears (the original's rule).
    assert evaluate(paper("On noise", "quantum noise and more noise, noise"), cfg) is None


def test_exclude_keywords_drop_papers(write_config):
    cfg = config(write_config, keywords=["LLM"], exclude_keywords=["survey"], min_score=0)
    assert evaluate(paper("LLM inference: a survey"), cfg) is None
    assert evaluate(paper("LLM inference", "surveying is not a survey"), cfg) is None
    assert evaluate(paper("LLM inference", "we resurvey"), cfg) is not None  # word start only


def test_announce_types_filter(write_config):
    cfg = config(write_config, keywords=["LLM"], min_score=0, announce_types=["new"])
    assert evaluate(paper("LLM", announce_type="cross"), cfg) is None
    assert evaluate(paper("LLM", announce_type="new"), cfg) is not None


def test_followed_authors_are_kept_first_and_excluded_authors_dropped(write_config):
    cfg = config(
        write_config, keywords=["LLM"], min_score=3,
        authors={"include": ["Remy"], "exclude": ["Grace Hopper"]},
    )  # fmt: skip
    followed = evaluate(paper("Unrelated", authors=("Jean Rémy",)), cfg)
    assert followed is not None and followed.matched_authors == ("Remy",)
    assert evaluate(paper("LLM LLM", "LLM", authors=("Grace Hopper",)), cfg) is None


def test_select_ranks_caps_and_dedupes_against_the_archive(write_config):
    cfg = config(write_config, categories=["quant-ph"], keywords=["quantum", "entanglement", "noise"], min_score=1, max_papers=5)
    feed = parse_announcements(fixture_bytes("rss_quant-ph_2025-04-28.xml"))
    first = select(feed.announcements, cfg, {}, feed.date)
    assert len(first.listed) == 5 and first.matched > 5
    values = [c.score.value for c in first.listed]
    assert values == sorted(values, reverse=True)
    # A paper archived on an earlier day is not listed again; its slot goes to the next best.
    top = first.listed[0].announcement.arxiv_id
    again = select(feed.announcements, cfg, {top: dt.date(2025, 4, 1)}, feed.date)
    assert top not in [c.announcement.arxiv_id for c in again.listed]
    assert again.skipped_archived == 1
    # Rerunning the same day lists the day's own papers again, identically.
    rerun = select(feed.announcements, cfg, {c.announcement.arxiv_id: feed.date for c in first.listed}, feed.date)
    assert rerun.listed == first.listed


def test_replacements_of_archived_papers_are_reported(write_config):
    cfg = config(write_config, categories=["quant-ph"], keywords=["quantum"], min_score=0)
    feed = parse_announcements(fixture_bytes("rss_quant-ph_2025-04-28.xml"))
    replaced = next(a for a in feed.announcements if a.announce_type == "replace")
    result = select(feed.announcements, cfg, {replaced.arxiv_id: dt.date(2024, 1, 2)}, feed.date)
    assert result.replacements == (replaced,)
    assert replaced.arxiv_id not in [c.announcement.arxiv_id for c in result.listed]


def test_ties_break_by_id_for_a_stable_order(write_config):
    cfg = config(write_config, keywords=["LLM"], min_score=0)
    a = paper("LLM", arxiv_id="2504.00002")
    b = dataclasses.replace(a, arxiv_id="2504.00001")
    assert [c.announcement.arxiv_id for c in select([a, b], cfg, {}, DAY).listed] == ["2504.00001", "2504.00002"]
