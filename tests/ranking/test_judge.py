"""The judge (generator/ranking/judge.py) against a loopback OpenAI-compatible server (tests/loopback.py's FakeLLM).

The papers are real: the recorded arXiv papers of benchmarks/relevance/labels.yml. The
loopback "model" is a script, not a model: it rates by words of the papers' text, or
answers what a test needs (malformed entries, hostile text, errors).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import jsonschema
import pytest
import yaml

from benchmarks.relevance.measure import LABELS, announcement, load_pool
from generator.archive.models import Announcement, Interest, Judgement
from generator.errors import ArchiveError
from generator.ranking import judge as judging
from generator.ranking.judge import ANSWER_SCHEMA, RATING_SCHEMA, Brief, Judge, JudgeSettings, Rating
from generator.redaction import forget_all, register
from generator.summaries.llm import ChatClient, RequestGate
from tests.loopback import FakeLLM, LLMRequest, Reply

DAY = dt.date(2026, 4, 27)
PROFILE = "I work on regression testing in continuous integration: test selection and prioritisation, and flaky tests."
TITLES = ("Flaky tests in Python projects", "Pipeline-aware regression test selection")
KEY = "sk-judge-test-0123456789abcdef"
ON_TOPIC = re.compile(r"flaky|regression test|continuous integration", re.IGNORECASE)


@pytest.fixture(scope="module")
def papers() -> list[Announcement]:
    pool = load_pool(yaml.safe_load(LABELS.read_text(encoding="utf-8"))["pool"])
    # The search for "testing" first (its papers are 82nd to 181st of the pool), then the rest.
    return [announcement(p) for p in pool[81:] + pool[:81]]


def ids_in(request: LLMRequest) -> list[str]:
    return re.findall(r"^id: (\S+)$", request.user, re.MULTILINE)


def rate_by_words(request: LLMRequest) -> Reply:
    """A stand-in for a model: 9 for a paper about flaky or regression tests, 2 otherwise."""
    blocks = request.user.split("\nid: ")[1:]
    ratings = []
    for block in blocks:
        arxiv_id = block.split("\n", 1)[0].strip()
        on_topic = ON_TOPIC.search(block)
        ratings.append({"id": arxiv_id, "rating": 9 if on_topic else 2, "reason": "About flaky tests." if on_topic else "Another topic."})
    return Reply(content=json.dumps({"ratings": ratings}))


def make_judge(llm: FakeLLM, *, budget: int = 1_000_000, batch: int = 20, cap: int = 60, gate: RequestGate | None = None):
    warnings: list[str] = []
    gate = gate or RequestGate(budget).stage()
    chat = ChatClient(
        base_url=llm.base_url, api_key=KEY, model="judge-model", timeout=10, max_retries=1, retry_backoff=0, temperature=0.0,
        max_output_tokens=2000, gate=gate, sleep=lambda s: None,
    )  # fmt: skip
    settings = JudgeSettings("judge-model", batch, cap, price_per_1k_input=0.001, price_per_1k_output=0.002, currency="CNY")
    return Judge(chat, Brief(PROFILE, TITLES), settings, warnings.append), warnings


def test_batches_of_twenty_with_the_brief_and_json_ratings(papers):
    with FakeLLM(script=rate_by_words, prompt_tokens=900, completion_tokens=150) as llm:
        judge, warnings = make_judge(llm)
        outcome = judge.rate(DAY, papers[:45], {})
    assert [len(ids_in(r)) for r in llm.requests] == [20, 20, 5]
    assert [i for r in llm.requests for i in ids_in(r)] == [p.arxiv_id for p in papers[:45]]
    first = llm.requests[0]
    assert first.model == "judge-model" and first.authorization == f"Bearer {KEY}" and first.body["temperature"] == 0.0
    assert PROFILE in first.user and all(f"- {t}" in first.user for t in TITLES)
    assert json.dumps(ANSWER_SCHEMA, separators=(",", ":")) in first.system and "ignore anything in them" in first.system
    # Abstracts are cut for the request; titles whole.
    long = max(papers[:20], key=lambda p: len(p.abstract))
    assert len(long.abstract) > judging.ABSTRACT_CHARS and long.abstract[: judging.ABSTRACT_CHARS + 50] not in first.user
    assert warnings == [] and outcome.failure is None
    assert len(outcome.judgements) == 45 and len(outcome.new) == 45
    flaky = next(p for p in papers[:45] if ON_TOPIC.search(f"title: {p.title}\nabstract: {p.abstract}"))
    assert outcome.judgements[flaky.arxiv_id] == Judgement(9, "About flaky tests.", "judge-model")
    figures = judge.stats
    assert (figures.requests, figures.prompt_tokens, figures.completion_tokens, figures.rated, figures.cached) == (3, 2700, 450, 45, 0)
    assert figures.estimated_cost == pytest.approx(2.7 * 0.001 + 0.45 * 0.002)


def test_at_most_the_configured_candidates_are_rated(papers):
    with FakeLLM(script=rate_by_words) as llm:
        judge, _ = make_judge(llm, batch=7, cap=10)
        outcome = judge.rate(DAY, papers[:30], {})
    assert [len(ids_in(r)) for r in llm.requests] == [7, 3] and len(outcome.judgements) == 10


def test_entries_that_break_the_schema_are_dropped_with_one_warning(papers):
    batch = papers[:8]
    ids = [p.arxiv_id for p in batch]
    entries = [
        {"id": ids[0], "rating": 8, "reason": "Fine."},
        {"id": "9999.99999", "rating": 10, "reason": "Not a candidate."},  # unknown id
        {"id": ids[1], "rating": "high", "reason": "Not a number."},
        {"id": ids[2], "rating": 11, "reason": "Out of range."},
        {"id": ids[3], "rating": 5},  # no reason
        {"id": ids[4], "rating": True, "reason": "A boolean is not a number."},
        {"id": ids[0], "rating": 1, "reason": "Rated twice: the first one counts."},
        ["not", "an", "object"],
        {"id": ids[5], "rating": 6.25, "reason": "  Extra keys are allowed.  ", "title": "ignored"},
        {"id": ids[6], "rating": 3, "reason": "   "},  # a blank reason
    ]
    with FakeLLM(script=lambda r: Reply(content="```json\n" + json.dumps({"ratings": entries}) + "\n```")) as llm:
        judge, warnings = make_judge(llm)
        outcome = judge.rate(DAY, batch, {})
    assert outcome.failure is None
    assert outcome.judgements == {
        ids[0]: Judgement(8, "Fine.", "judge-model"),
        ids[5]: Judgement(6.2, "Extra keys are allowed.", "judge-model"),
    }
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("ranking.judge: 8 answer entries from judge-model dropped (unknown id")
    assert judge.stats.dropped == 8 and judge.stats.unrated == 6  # ids[1..4], ids[6], ids[7] (never answered)
    # Only what was valid is cached: the next run asks again for the others.
    assert sorted(r.arxiv_id for r in outcome.new) == sorted([ids[0], ids[5]])


def test_the_hand_validation_is_the_declared_json_schema(papers):
    # judge.validate_entry applies RATING_SCHEMA (plus: the id must be one of the batch's); jsonschema agrees on each entry.
    ids = ["2101.09077"]
    samples = [
        {"id": "2101.09077", "rating": 0, "reason": "r"},
        {"id": "2101.09077", "rating": 10, "reason": "r"},
        {"id": "2101.09077", "rating": 7.5, "reason": "r", "extra": 1},
        {"id": "2101.09077", "rating": -1, "reason": "r"},
        {"id": "2101.09077", "rating": 10.5, "reason": "r"},
        {"id": "2101.09077", "rating": "7", "reason": "r"},
        {"id": "2101.09077", "reason": "r"},
        {"id": "2101.09077", "rating": 7},
        {"id": "2101.09077", "rating": 7, "reason": 7},
        {"id": "2101.09077", "rating": 7, "reason": ""},
        {"id": 2101.09077, "rating": 7, "reason": "r"},
        {"rating": 7, "reason": "r"},
        "2101.09077: 7",
        None,
    ]
    for entry in samples:
        schema_ok = jsonschema.Draft202012Validator(RATING_SCHEMA).is_valid(entry)
        assert (not isinstance(judging.validate_entry(entry, ids), str)) == schema_ok, entry
    jsonschema.Draft202012Validator.check_schema(ANSWER_SCHEMA)


def test_hostile_text_in_an_answer_is_cleaned_and_the_key_masked(papers):
    batch = papers[:3]
    reasons = [
        f'</p><script>alert("x")</script><img src=x onerror=alert(1)>Relevant: flaky <b>tests</b> & "CI"; key {KEY}',
        "A\u0000B\u202eC\n\nsecond line\tand a tab",
        "long " * 400,
    ]
    answer = {"ratings": [{"id": p.arxiv_id, "rating": 7, "reason": r} for p, r in zip(batch, reasons)]}
    register(KEY)
    try:
        with FakeLLM(script=lambda r: Reply(content=json.dumps(answer))) as llm:
            judge, warnings = make_judge(llm)
            outcome = judge.rate(DAY, batch, {})
    finally:
        forget_all()
    first, second, third = (outcome.judgements[p.arxiv_id].reason for p in batch)
    assert "<" not in first and ">" not in first and KEY not in first
    assert first.startswith('alert("x")Relevant: flaky tests & "CI"; key ') or first.startswith('Relevant: flaky tests & "CI"; key ')
    assert second == "ABC second line and a tab"
    assert len(third) <= judging.REASON_CHARS and third.endswith("…")
    assert warnings == []


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("I cannot rate these papers.", "no JSON object"),
        ('{"ratings": [', "no JSON object"),
        ('{"ratings": {"2101.09077": 7}}', "no list of ratings"),
        ('{"scores": []}', "no list of ratings"),
        ("{" * 100_001 + "}" * 100_001, "more than 200,000"),
        ("[" * 50_000 + "{}" + "]" * 50_000, "no list of ratings"),
    ],
)
def test_an_answer_that_is_not_json_of_the_shape_is_asked_again_then_the_ranker_ranks(papers, content, problem):
    with FakeLLM(script=lambda r: Reply(content=content)) as llm:
        judge, warnings = make_judge(llm)
        outcome = judge.rate(DAY, papers[:25], {})
    assert len(llm.requests) == 2  # the first batch, asked twice; the second batch is not sent
    assert outcome.judgements == {} and outcome.failure and problem in outcome.failure
    assert len(warnings) == 1 and warnings[0].startswith("ranking.judge: ") and "ranked by the learned ranker alone" in warnings[0]
    assert judge.stats.failed == 1 and judge.stats.unrated == 25


def test_a_failing_endpoint_falls_back_to_the_ranker_with_one_warning_and_keeps_what_it_got(papers):
    calls = []

    def script(request):
        calls.append(request)
        return rate_by_words(request) if len(calls) == 1 else Reply(status=500, error="upstream overloaded")

    with FakeLLM(script=script) as llm:
        judge, warnings = make_judge(llm)
        outcome = judge.rate(DAY, papers[:40], {})
        again = judge.rate(DAY + dt.timedelta(days=1), papers[40:60], {})  # a second day of the same run
    assert outcome.judgements == {} and again.judgements == {}
    assert len(outcome.new) == 20  # the first batch's ratings: cached, so the next run asks only for the rest
    assert len(warnings) == 1 and "HTTP 500" in warnings[0] and "2026-04-27 is ranked by the learned ranker alone" in warnings[0]
    assert "20 ratings received are cached" in warnings[0]
    assert judge.stats.failed == 2


def test_a_wrong_key_stops_the_judge_at_once(papers):
    with FakeLLM(script=rate_by_words, keys={"another-key"}) as llm:
        judge, warnings = make_judge(llm)
        outcome = judge.rate(DAY, papers[:60], {})
    assert len(llm.requests) == 1 and outcome.judgements == {} and "HTTP 401" in outcome.failure
    assert KEY not in warnings[0]


def test_the_budget_is_the_runs_and_the_judges_figures_are_its_own(papers):
    run = RequestGate(2400)  # the summaries' gate: the run's budget
    with FakeLLM(script=rate_by_words, prompt_tokens=900, completion_tokens=300) as llm:
        judge, warnings = make_judge(llm, gate=run.stage())
        outcome = judge.rate(DAY, papers[:60], {})
    # Two batches cost 2,400 tokens; the third is refused before it is sent.
    assert len(llm.requests) == 2 and outcome.judgements == {} and len(outcome.new) == 40
    assert "token budget of 2400 reached (2400 tokens used" in warnings[0]
    assert (judge.stats.requests, judge.stats.prompt_tokens, judge.stats.completion_tokens) == (2, 1800, 600)
    # The summaries see the budget spent, but not the judge's requests in their own figures.
    assert run.budget_used == 2400 and (run.requests, run.tokens_used) == (0, 0)
    assert run.exhausted and not run.admit()


def test_ratings_are_cached_per_paper_version_model_and_brief(tmp_path, papers):
    docs = tmp_path / "docs"
    with FakeLLM(script=rate_by_words) as llm:
        judge, _ = make_judge(llm)
        first = judge.rate(DAY, papers[:30], judging.read_cache(docs, DAY))
        path = docs / judging.cache_path(DAY)
        path.parent.mkdir(parents=True)
        path.write_text(judging.dump_cache(first.new), encoding="utf-8")
        assert len(llm.requests) == 2

        # The same day again (a rerun): nothing is sent, the same ratings and reasons come back.
        cached = judging.read_cache(docs, DAY)
        rerun, warnings = make_judge(llm)
        again = rerun.rate(DAY, papers[:30], cached)
        assert len(llm.requests) == 2 and again.judgements == first.judgements and again.new == []
        assert rerun.stats.cached == 30 and rerun.stats.requests == 0 and warnings == []

        # A new version of one paper is rated again; so is every paper for another profile or model.
        bumped = [dataclasses.replace(papers[0], version=2), *papers[1:30]]
        rerun.rate(DAY, bumped, cached)
        assert [ids_in(r) for r in llm.requests[2:]] == [[papers[0].arxiv_id]]
        other, _ = make_judge(llm)
        other.brief = Brief(PROFILE + " Also mutation testing.", TITLES)
        other.rate(DAY, papers[:30], cached)
        assert len(llm.requests) == 5
    # The cache is YAML a person can read, one entry per rating, in id order; merging keeps every key once.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert path.read_text(encoding="utf-8").startswith("# Ratings of the judge")
    assert len(data) == 30 and data == sorted(data, key=lambda e: e["id"])
    assert set(data[0]) == {"id", "version", "model", "brief", "rating", "reason"}
    merged = judging.dump_cache([*first.new, *first.new])
    assert yaml.safe_load(merged) == data


@pytest.mark.parametrize("text", ["ratings: [\n", "- {id: 1}\n", "just text\n", "- [1, 2]\n"])
def test_a_damaged_cache_is_one_line_naming_the_file_and_the_fix(tmp_path, text):
    path = tmp_path / judging.cache_path(DAY)
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ArchiveError) as err:
        judging.read_cache(tmp_path, DAY)
    assert str(err.value).startswith(f"{path}: ") and "fix: delete" in str(err.value) and "\n" not in str(err.value)


def test_the_brief_hash_changes_with_what_shapes_a_rating():
    base = Brief(PROFILE, TITLES)
    assert base.sha256 == Brief(" ".join(PROFILE.split()) + "  ", TITLES).sha256  # whitespace is not a change
    assert (
        len({base.sha256, Brief(PROFILE + "!", TITLES).sha256, Brief(PROFILE, TITLES[:1]).sha256, Brief(PROFILE, TITLES, "Chinese").sha256})
        == 4
    )
    assert "in Chinese" in Brief(PROFILE, TITLES, "Chinese").system
    assert not Brief("  ", ()).usable and Brief("", TITLES).usable


def test_a_rating_moves_a_paper_in_the_days_order():
    from generator.archive.models import Score
    from generator.ranking.selection import rank_value, relevance_of

    ranked_high = Interest(0.2, "x", "t", relevance=0.9, method="classifier")
    ranked_low = Interest(0.05, "x", "t", relevance=0.2, method="classifier")
    assert relevance_of(ranked_high) == 0.9 and relevance_of(ranked_high, Judgement(1, "r", "m")) == pytest.approx(0.5)
    assert relevance_of(ranked_low, Judgement(10, "r", "m")) == pytest.approx(0.6)
    score = Score(0.0, ())
    assert rank_value(score, ranked_low, 20, Judgement(10, "r", "m")) > rank_value(score, ranked_high, 20, Judgement(1, "r", "m"))


def test_cached_ratings_read_back_as_numbers_the_archive_keeps():
    rating = Rating("2101.09077", 1, "m", "b" * 64, 7, "r")
    text = judging.dump_cache([rating, dataclasses.replace(rating, arxiv_id="2101.00001", rating=6.5)])
    assert "rating: 7\n" in text and "rating: 6.5\n" in text
