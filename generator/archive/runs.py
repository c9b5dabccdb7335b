"""Run records: what each command did and spent, stored as data.

Each run that changed the archive or made an LLM request appends one record to
`docs/runs/<YYYY>/<YYYY-MM-DD>.yml` (the UTC date the run started; a YAML list,
oldest first). A run that wrote no page and sent no LLM request leaves no record,
so an idempotent rerun changes no byte. The format is documented in README.md
("Run records"); `generator.archive.store.Archive` reads and writes the files, this
module only converts (pure). The site shows them on its run-history page
(`generator.website.render.runs_view` and overrides/archive/runs.html) and writes
`freshness_meta(records, built)` into assets/javascripts/freshness-values.js, for the banner
that overrides/assets/javascripts/freshness.js shows when the archive stopped
being updated (a stopped nightly schedule also stops rebuilding the site, so the
check runs in the reader's browser).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import yaml

FORMAT_NOTE = '# Run records of the arXiv daily archive, oldest first. Format: README.md, section "Run records".\n'


@dataclass(frozen=True)
class SummaryFigures:
    """What the summarize stage did and spent in one run."""

    model: str
    """Model that answered (the configured one, or resummarize --model)."""
    requests: int
    """HTTP requests sent to the LLM endpoint, retries included."""
    prompt_tokens: int
    """Input tokens, as reported by the endpoint (estimated when it reports none)."""
    completion_tokens: int
    """Output tokens, likewise."""
    summarized: int
    """New summaries written."""
    fulltext: int
    """Of those, summaries made from the PDF's full text."""
    abstract: int
    """Of those, summaries made from the abstract (no usable PDF)."""
    failures: int
    """Papers whose summary failed after the retries (left for the next run)."""
    cache_hits: int
    """Papers that already had a summary, so no request was made for them."""
    out_of_date: int
    """Of the cache hits, summaries from another model, prompt or paper version (see resummarize)."""
    skipped_budget: int
    """Papers left without a summary because the token budget was reached."""
    estimated_cost: float
    """Tokens times the configured prices per 1,000 tokens."""
    currency: str
    """Currency of the prices."""


@dataclass(frozen=True)
class JudgeFigures:
    """What the judge (config ranking.judge) did and spent in one run."""

    model: str
    """The model that rated (the summaries' model)."""
    requests: int
    """HTTP requests sent to the LLM endpoint for ratings, retries included."""
    prompt_tokens: int
    completion_tokens: int
    rated: int
    """Candidates rated by a request of this run."""
    cached: int
    """Candidates whose rating came from docs/data/judge/ (no request)."""
    unrated: int
    """Candidates left without a rating (entries dropped, or the judge failed: ranked by the ranker alone)."""
    failed_days: int
    """Days the judge failed on or ran out of budget for, ranked by the ranker alone."""
    estimated_cost: float
    currency: str


@dataclass(frozen=True)
class RankingFigures:
    """How the run's days were ranked by relevance to the reader (config interests)."""

    method: str
    """`classifier` (the learned ranker), `cosine` (too few positive examples) or `none`."""
    features: str
    """`tfidf`, or the embedding model."""
    interest_papers: int
    """Interest papers the ranker learned from."""
    profile: bool
    """Whether the profile paragraph was one more positive example."""
    note: str
    """The run report's line: what ranked and why."""


@dataclass(frozen=True)
class RunRecord:
    """One run of the generator, as stored under docs/runs/."""

    command: str
    """`update`, `backfill` or `resummarize`."""
    started: str
    """Start time, ISO 8601 UTC to the second (`2026-09-24T21:03:12Z`)."""
    seconds: float
    """Wall time of the run."""
    days: tuple[str, ...]
    """Announcement days (YYYY-MM-DD) whose pages the run wrote or changed."""
    pages_written: int
    """Pages created or changed."""
    arxiv_requests: int
    """HTTP requests sent to arXiv (feed, API, PDFs), retries included."""
    papers: dict[str, int]
    """Paper counts over the run's days: fetched, matched, listed, new, updated, summarized."""
    summaries: SummaryFigures | None = None
    """The summarize stage's figures; None when summaries were off or no API key was set."""
    warnings: tuple[str, ...] = field(default=())
    """One-line warnings of the run (already free of secrets)."""
    caught_up: tuple[str, ...] = field(default=())
    """Missed announcement days (YYYY-MM-DD) that `update` filled from the arXiv API."""
    ranking: RankingFigures | None = None
    """How the last day the run ranked was ranked by relevance; None without interests (or before issue 22)."""
    judge: JudgeFigures | None = None
    """The judge's figures; None when the judge was off (or before issue 22)."""

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["days"] = list(self.days)
        data["warnings"] = list(self.warnings)
        data["caught_up"] = list(self.caught_up)
        # These keys are written only when they say something (older records lack them).
        for key in ("caught_up", "ranking", "judge"):
            if not data[key]:
                del data[key]
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> RunRecord:
        summaries = data.get("summaries")
        known = {f.name for f in fields(SummaryFigures)}
        ranking, judge = data.get("ranking"), data.get("judge")
        return cls(
            command=str(data["command"]),
            started=str(data["started"]),
            seconds=float(data.get("seconds") or 0),
            days=tuple(str(d) for d in data.get("days") or ()),
            pages_written=int(data.get("pages_written") or 0),
            arxiv_requests=int(data.get("arxiv_requests") or 0),
            papers={str(k): int(v) for k, v in (data.get("papers") or {}).items()},
            summaries=SummaryFigures(**{k: v for k, v in summaries.items() if k in known}) if summaries else None,
            warnings=tuple(str(w) for w in data.get("warnings") or ()),
            caught_up=tuple(str(d) for d in data.get("caught_up") or ()),
            ranking=RankingFigures(**{f.name: ranking[f.name] for f in fields(RankingFigures)}) if ranking else None,
            judge=JudgeFigures(**{f.name: judge[f.name] for f in fields(JudgeFigures)}) if judge else None,
        )

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.started[:10])


def dump_records(records: list[RunRecord]) -> str:
    """The text of one run-records file."""
    body = yaml.safe_dump([r.to_data() for r in records], sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False)
    return FORMAT_NOTE + body


def load_records(text: str, source: str) -> list[RunRecord]:
    """Parse one run-records file; raises ValueError naming the file when it is garbled."""
    try:
        data = yaml.safe_load(text) or []
        if not isinstance(data, list):
            raise TypeError("not a list of runs")
        return [RunRecord.from_data(item) for item in data]
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(
            f"{source}: not a run-records file ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        ) from None


# -- freshness: when the archive was last updated ---------------------------------

NIGHTLY_COMMAND = "update"
STALE_AFTER_WEEKDAYS = 3
"""The banner shows when the last update is more than this many weekdays old (freshness.js)."""


def last_successful_night(records: list[RunRecord]) -> RunRecord | None:
    """The newest `update` run on record: a night that fetched the feed and committed its pages.

    A failed night leaves no record (its transaction never commits), nor does a rerun
    that changed nothing (the earlier run of the same night has the record).
    """
    nights = sorted((r for r in records if r.command == NIGHTLY_COMMAND), key=lambda r: r.started)
    return nights[-1] if nights else None  # stable: of two runs in the same second, the later recorded


def freshness_meta(records: list[RunRecord], built: dt.datetime) -> dict[str, str]:
    """`<meta name=… content=…>` pairs for every page: the last successful night and the build time.

    freshness.js compares the first with the reader's clock; without any night on
    record (an archive filled by hand), the build date stands in for it.
    """
    night = last_successful_night(records)
    built_utc = built.astimezone(dt.UTC)
    return {
        "archive:last-update": night.date.isoformat() if night else built_utc.date().isoformat(),
        "archive:built": built_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "archive:stale-after-weekdays": str(STALE_AFTER_WEEKDAYS),
    }
