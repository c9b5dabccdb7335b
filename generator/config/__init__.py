"""Load and validate config.yml into a typed, frozen `Config`.

Every problem becomes a `ConfigError` naming the file, the key, the line where
known, and the fix; the CLI prints it on one line and exits with code 2 before
anything is fetched or written. Endpoint settings can be overridden by
environment variables (ARXIV_FEED_URL, ..., LLM_BASE_URL; see README "Endpoints").

The public address and the User-Agent have placeholders (`example`) that a fork
must replace; inside GitHub Actions both are derived from the repository when left
as they are (`effective_site_url`, `effective_user_agent`), everywhere else `doctor`
warns about them.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.archive.models import ANNOUNCE_TYPES
from generator.arxiv.ids import parse_versioned_id
from generator.arxiv.taxonomy import closest_categories, is_category
from generator.errors import ConfigError

DEFAULT_USER_AGENT = "arxiv-daily-archive/1.0 (+https://github.com/; nightly digest of new arXiv papers)"
PLACEHOLDER_SITE_URL = "https://example.github.io/arxiv-daily/"
"""site.url as shipped: the address of nobody's site."""
PLACEHOLDER_USER_AGENT = "arxiv-daily-archive/1.0 (+https://github.com/example/arxiv-daily)"
"""arxiv.user_agent as shipped in config.yml: it names nobody's repository."""


@dataclass(frozen=True)
class Keyword:
    """A keyword to look for; plain ones match at the start of a word, case-insensitively."""

    name: str
    """Name shown on pages and used as the tag."""
    pattern: re.Pattern[str]
    """Compiled pattern (`\\b` + escaped keyword, or the user's regex)."""
    weight: float = 1.0
    """Multiplier for this keyword's contribution to the score."""


@dataclass(frozen=True)
class SiteConfig:
    title: str
    """Site name in the header and the feeds."""
    url: str
    """Public URL of the site (GitHub Pages), used by feeds, sitemap and citations."""
    description: str
    """One sentence under the title and in the feeds."""


@dataclass(frozen=True)
class ArxivConfig:
    feed_url: str
    """Announcement feed template; `{categories}` becomes the `+`-joined list."""
    api_url: str
    """arXiv API query endpoint (enrichment by id_list, backfill)."""
    pdf_url: str
    """PDF URL template; `{id}` becomes the versioned id."""
    request_delay: float
    """Seconds between two arXiv requests (arXiv's terms: 3)."""
    timeout: float
    """Seconds before one arXiv request is abandoned."""
    max_retries: int
    """Retries of one request on 429, 5xx and connection errors."""
    user_agent: str
    """User-Agent sent to arXiv."""


@dataclass(frozen=True)
class SummaryConfig:
    enabled: bool
    """Make AI summaries (still needs the API key in the environment)."""
    base_url: str
    """OpenAI-compatible endpoint (LLM_BASE_URL overrides it)."""
    model: str
    """Model name as the endpoint knows it; part of the cache key."""
    api_key_env: str
    """Name of the environment variable holding the key."""
    prompt_file: str | None
    """Prompt template path (resolved against the config file's folder), None for the built-in one."""
    language: str
    """Language of the summaries, filled into the prompt's {language}."""
    max_papers_to_summarize: int
    """How many of a day's top papers get a summary."""
    max_workers: int
    """Papers summarized in parallel (LLM requests in flight at once)."""
    max_input_tokens: int
    """Estimated tokens of one request's input (prompt + paper text)."""
    max_output_tokens: int
    """Longest answer requested, in tokens."""
    temperature: float
    """Sampling temperature."""
    timeout: float
    """Seconds before one LLM request is abandoned."""
    max_retries: int
    """Retries of one request on 408/409/429/5xx, timeouts and connection errors."""
    retry_backoff: float
    """Seconds before the first retry when the server gives no Retry-After (doubles per retry)."""
    token_budget: int
    """No new request once a run has used this many tokens."""
    price_per_1k_input: float
    """Price of 1,000 input tokens, for the cost estimate."""
    price_per_1k_output: float
    """Price of 1,000 output tokens."""
    currency: str
    """Currency of the prices."""


@dataclass(frozen=True)
class InterestsConfig:
    """The reader's own papers (config `interests`); see select.py for how they rank the day."""

    papers: tuple[str, ...]
    """arXiv ids (no version) listed in config.yml."""
    bibtex: str | None
    """BibTeX file (absolute path, resolved against config.yml's folder) whose arXiv entries are added, or None."""
    weight: float
    """Ranking value = keyword score + weight x interest similarity."""
    min_similarity: float
    """A paper whose interest similarity reaches this is listed whatever its keyword score."""

    @property
    def configured(self) -> bool:
        return bool(self.papers or self.bibtex)


@dataclass(frozen=True)
class EmbeddingsConfig:
    """An OpenAI-compatible embeddings endpoint for related papers (config `related.embeddings`)."""

    model: str
    """Embedding model name; cached vectors are kept per model."""
    base_url: str
    """OpenAI-compatible endpoint (EMBEDDINGS_BASE_URL overrides it)."""
    api_key_env: str
    """Name of the environment variable holding the key."""
    timeout: float
    """Seconds before one request is abandoned."""
    max_retries: int
    """Retries of one request on 408/409/429/5xx, timeouts and connection errors (the openai client's)."""
    batch_size: int
    """Papers per request."""


@dataclass(frozen=True)
class RelatedConfig:
    count: int
    """Related papers shown per paper."""
    embeddings: EmbeddingsConfig | None
    """The embeddings endpoint, or None for TF-IDF (no network, no key)."""


@dataclass(frozen=True)
class Limits:
    """Ceilings on what arXiv sends (config `limits`): a hit costs a one-line warning naming the key, never the night."""

    feed_bytes: int
    """Largest announcement feed read; a larger one fails the night (the archive unchanged)."""
    api_bytes: int
    """Largest arXiv API answer read; a larger one costs that enrichment or catch-up."""
    pdf_bytes: int
    """Largest PDF downloaded for a summary; a larger one is summarized from its abstract."""
    pdf_pages: int
    """Pages of one PDF read for its text at most."""
    announcements_per_day: int
    """Announcements of one day considered at most (the feed's first ones)."""
    title_chars: int
    """Longest title kept; a longer one is cut, ending in an ellipsis."""
    abstract_chars: int
    """Longest abstract kept; a longer one is cut, ending in an ellipsis."""
    authors: int
    """Most authors kept per paper (the first ones)."""


MB = 1_000_000
# Generous next to real answers (a four-category feed is about 1 MB, an API page of 200
# results about 0.6 MB, arXiv caps abstracts at 1,920 characters, the largest collaborations
# sign with about 5,000 names) and small enough to bound memory and pages.
DEFAULT_LIMITS = Limits(
    feed_bytes=50 * MB, api_bytes=20 * MB, pdf_bytes=50 * MB, pdf_pages=200,
    announcements_per_day=10_000, title_chars=1_000, abstract_chars=6_000, authors=6_000,
)  # fmt: skip


@dataclass(frozen=True)
class Config:
    path: str
    """File the config came from (for messages)."""
    site: SiteConfig
    categories: tuple[str, ...]
    keywords: tuple[Keyword, ...]
    exclude_keywords: tuple[Keyword, ...]
    authors_include: tuple[str, ...]
    authors_exclude: tuple[str, ...]
    max_papers: int
    days_back: int
    min_score: float
    announce_types: tuple[str, ...]
    arxiv: ArxivConfig
    ai_summary: SummaryConfig
    interests: InterestsConfig = InterestsConfig((), None, 20.0, 0.12)
    related: RelatedConfig = RelatedConfig(5, None)
    limits: Limits = field(default_factory=lambda: DEFAULT_LIMITS)
    """Ceilings on every input (config `limits`)."""
    catch_up_days: int = 10
    """Announcement days this far back (calendar days) that `update` fills from the API when missing."""
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)
    """The validated YAML mapping (for the site's About page)."""


# ---------------------------------------------------------------------------
# The schema: key -> (checker, default). A checker returns the converted value or
# raises _Invalid(problem, fix).


class _Invalid(Exception):
    def __init__(self, problem: str, fix: str, subkey: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.subkey = subkey


def _type_name(value: Any) -> str:
    return (
        {dict: "a mapping", list: "a list", str: "a string", bool: "true/false", int: "an integer", float: "a number"}.get(
            type(value), type(value).__name__
        )
        if value is not None
        else "nothing (null)"
    )


def _string(value: Any, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected a string, got {_type_name(value)}", "write it as text, in quotes if it contains ':' or '#'")
    if not allow_empty and not value.strip():
        raise _Invalid("must not be empty", "write a value or delete the key to use the default")
    return value


def _url(value: Any, placeholder: str | None = None) -> str:
    text = _string(value)
    if not re.match(r"^https?://[^\s/]+", text):
        raise _Invalid(f"{text!r} is not an http(s) URL", "write a full URL such as https://example.org/path")
    if placeholder and placeholder not in text:
        raise _Invalid(f"{text!r} lacks the {placeholder} placeholder", f"put {placeholder} where it belongs in the URL")
    return text


def _number(value: Any, *, minimum: float = 0.0, maximum: float | None = None, integer: bool = False, strict_min: bool = False) -> Any:
    ok_types = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_types):
        kind = "an integer" if integer else "a number"
        raise _Invalid(f"expected {kind}, got {_type_name(value)}", f"write {kind} without quotes")
    if not math.isfinite(value):
        raise _Invalid(f"must be a finite number, got {value}", "write a plain number such as 3 (not .nan or .inf)")
    if value < minimum or (strict_min and value == minimum):
        bound = f"greater than {minimum:g}" if strict_min else f"at least {minimum:g}"
        raise _Invalid(f"must be {bound}, got {value}", f"use a value {bound}")
    if maximum is not None and value > maximum:
        raise _Invalid(f"must be at most {maximum:g}, got {value}", f"use a value between {minimum:g} and {maximum:g}")
    return value if integer else float(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_type_name(value)}", "write true or false without quotes")
    return value


def _string_list(value: Any, *, allow_empty: bool = True) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"expected a list, got {_type_name(value)}", "write one '- item' per line")
    if not allow_empty and not value:
        raise _Invalid("must not be empty", "list at least one item")
    out = []
    for index, item in enumerate(value):
        try:
            out.append(_string(item))
        except _Invalid as err:
            raise _Invalid(err.problem, err.fix, subkey=f"[{index}]") from None
    return tuple(out)


def _categories(value: Any) -> tuple[str, ...]:
    codes = _string_list(value, allow_empty=False)
    for index, code in enumerate(codes):
        if not is_category(code):
            near = closest_categories(code)
            hint = f"did you mean {' or '.join(near)}?" if near else "see https://arxiv.org/category_taxonomy"
            raise _Invalid(f"{code!r} is not an arXiv category", f"{hint} (codes are case-sensitive, e.g. cs.LG)", subkey=f"[{index}]")
    return tuple(dict.fromkeys(codes))


def _announce_types(value: Any) -> tuple[str, ...]:
    kinds = _string_list(value, allow_empty=False)
    for index, kind in enumerate(kinds):
        if kind not in ANNOUNCE_TYPES:
            raise _Invalid(f"{kind!r} is not an announce type", f"use any of: {', '.join(ANNOUNCE_TYPES)}", subkey=f"[{index}]")
    return tuple(dict.fromkeys(kinds))


def _keyword(item: Any) -> Keyword:
    if isinstance(item, str):
        if not item.strip():
            raise _Invalid("empty keyword", "remove the empty entry")
        return Keyword(item.strip(), re.compile(r"\b" + re.escape(item.strip()), re.IGNORECASE))
    if isinstance(item, dict):
        unknown = set(item) - {"name", "regex", "weight"}
        if unknown:
            raise _Invalid(f"unknown key {sorted(unknown)[0]!r} in a keyword", "a keyword mapping takes name, regex and weight")
        if "name" not in item:
            raise _Invalid("keyword mapping without 'name'", "add name: <tag shown on pages>")
        name = _string(item["name"]).strip()
        weight = _number(item.get("weight", 1.0), minimum=0.0, strict_min=True) if "weight" in item else 1.0
        if "regex" in item:
            source = _string(item["regex"])
            try:
                pattern = re.compile(source, re.IGNORECASE)
            except re.error as exc:
                raise _Invalid(
                    f"regex {source!r} does not compile: {exc}", "fix the regular expression (Python syntax; quote it in single quotes)"
                ) from None
        else:
            pattern = re.compile(r"\b" + re.escape(name), re.IGNORECASE)
        return Keyword(name, pattern, weight)
    raise _Invalid(
        f"expected a keyword string or a mapping, got {_type_name(item)}",
        "write '- LLM' or '- {name: MoE, regex: \"\\\\bMoE\\\\b\", weight: 2}'",
    )


def _keywords(value: Any) -> tuple[Keyword, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"expected a list, got {_type_name(value)}", "write one '- keyword' per line")
    out: list[Keyword] = []
    for index, item in enumerate(value):
        try:
            out.append(_keyword(item))
        except _Invalid as err:
            raise _Invalid(err.problem, err.fix, subkey=f"[{index}]") from None
    names = [k.name.casefold() for k in out]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise _Invalid(
                f"keyword {out[index].name!r} is listed twice", "remove the duplicate (use weight to count it more)", subkey=f"[{index}]"
            )
    return tuple(out)


def _arxiv_ids(value: Any) -> tuple[str, ...]:
    items = _string_list(value)
    out = []
    for index, item in enumerate(items):
        parsed = parse_versioned_id(item)
        if parsed is None:
            raise _Invalid(
                f"{item!r} is not an arXiv id",
                "write the id as arXiv shows it, e.g. 2401.12345 or hep-th/9901001 (a version suffix is ignored)",
                subkey=f"[{index}]",
            )
        out.append(parsed[0])
    return tuple(dict.fromkeys(out))


Checker = Callable[[Any], Any]

SITE_SCHEMA: dict[str, tuple[Checker, Any]] = {
    "title": (_string, "arXiv daily archive"),
    "url": (_url, PLACEHOLDER_SITE_URL),
    "description": (lambda v: _string(v, allow_empty=True), "New arXiv papers matching my interests, ranked and summarized every weekday."),
}

ARXIV_SCHEMA: dict[str, tuple[Checker, Any]] = {
    "feed_url": (lambda v: _url(v, "{categories}"), "https://rss.arxiv.org/rss/{categories}"),
    "api_url": (_url, "https://export.arxiv.org/api/query"),
    "pdf_url": (lambda v: _url(v, "{id}"), "https://arxiv.org/pdf/{id}"),
    "request_delay": (lambda v: _number(v), 3.0),
    "timeout": (lambda v: _number(v, strict_min=True), 30.0),
    "max_retries": (lambda v: _number(v, integer=True, maximum=10), 4),
    "user_agent": (_string, DEFAULT_USER_AGENT),
}

SUMMARY_SCHEMA: dict[str, tuple[Checker, Any]] = {
    "enabled": (_bool, True),
    "base_url": (_url, "https://dashscope.aliyuncs.com/compatible-mode/v1"),
    "model": (_string, "qwen-long"),
    "api_key_env": (lambda v: _env_name(v), "DASHSCOPE_API_KEY"),
    "prompt_file": (lambda v: None if v is None else _string(v), None),
    "language": (_string, "Chinese"),
    "max_papers_to_summarize": (lambda v: _number(v, integer=True), 15),
    "max_workers": (lambda v: _number(v, integer=True, minimum=1, maximum=32), 3),
    "max_input_tokens": (lambda v: _number(v, integer=True, minimum=500), 30000),
    "max_output_tokens": (lambda v: _number(v, integer=True, minimum=100), 2000),
    "temperature": (lambda v: _number(v, maximum=2.0), 0.3),
    "timeout": (lambda v: _number(v, strict_min=True), 120.0),
    "max_retries": (lambda v: _number(v, integer=True, maximum=10), 3),
    "retry_backoff": (lambda v: _number(v, maximum=600), 2.0),
    "token_budget": (lambda v: _number(v, integer=True), 1_000_000),
    "price_per_1k_input": (lambda v: _number(v), 0.0005),
    "price_per_1k_output": (lambda v: _number(v), 0.002),
    "currency": (_string, "CNY"),
}

INTERESTS_SCHEMA: dict[str, tuple[Checker, Any]] = {
    "papers": (_arxiv_ids, []),
    "bibtex": (lambda v: None if v is None else _string(v), None),
    "weight": (lambda v: _number(v), 20.0),
    "min_similarity": (lambda v: _number(v, maximum=1.0), 0.12),
}

EMBEDDINGS_SCHEMA: dict[str, tuple[Checker, Any]] = {
    "model": (_string, "text-embedding-3-small"),
    "base_url": (_url, "https://api.openai.com/v1"),
    "api_key_env": (lambda v: _env_name(v), "OPENAI_API_KEY"),
    "timeout": (lambda v: _number(v, strict_min=True), 60.0),
    "max_retries": (lambda v: _number(v, integer=True, maximum=10), 3),
    "batch_size": (lambda v: _number(v, integer=True, minimum=1, maximum=2048), 64),
}

RELATED_SCHEMA: dict[str, tuple[Checker | None, Any]] = {
    "count": (lambda v: _number(v, integer=True, minimum=1, maximum=20), 5),
    # Absent or null: TF-IDF. A mapping: validated against EMBEDDINGS_SCHEMA (see _section).
    "embeddings": (None, EMBEDDINGS_SCHEMA),
}
OPTIONAL_SECTIONS = {("related", "embeddings")}
"""Nested sections that are None when absent or null, instead of a mapping of defaults."""

LIMITS_SCHEMA: dict[str, tuple[Checker, Any]] = {
    "feed_bytes": (lambda v: _number(v, integer=True, minimum=10_000), DEFAULT_LIMITS.feed_bytes),
    "api_bytes": (lambda v: _number(v, integer=True, minimum=10_000), DEFAULT_LIMITS.api_bytes),
    "pdf_bytes": (lambda v: _number(v, integer=True, minimum=10_000), DEFAULT_LIMITS.pdf_bytes),
    "pdf_pages": (lambda v: _number(v, integer=True, minimum=1), DEFAULT_LIMITS.pdf_pages),
    "announcements_per_day": (lambda v: _number(v, integer=True, minimum=1), DEFAULT_LIMITS.announcements_per_day),
    "title_chars": (lambda v: _number(v, integer=True, minimum=20), DEFAULT_LIMITS.title_chars),
    "abstract_chars": (lambda v: _number(v, integer=True, minimum=100), DEFAULT_LIMITS.abstract_chars),
    "authors": (lambda v: _number(v, integer=True, minimum=1), DEFAULT_LIMITS.authors),
}

AUTHORS_SCHEMA: dict[str, tuple[Checker, Any]] = {
    "include": (_string_list, []),
    "exclude": (_string_list, []),
}

DEFAULT_KEYWORDS = [
    "LLM", "RL", "RLHF", "Inference", "Training", "Attention", "Pipeline", "MOE", "Sparse",
    "Quantization", "Speculative", "Efficient", "Efficiency", "Framework", "Parallel",
    "Distributed", "Kernel", "Decode", "Decoding", "Prefill", "Throughput", "Fast", "Network",
    "Hardware", "Cluster", "FP8", "FP4", "Optimization", "Scalable", "Communication",
]  # fmt: skip

TOP_SCHEMA: dict[str, tuple[Checker, Any]] = {
    "site": (None, SITE_SCHEMA),  # nested sections are handled by _section
    "categories": (_categories, ["cs.AI", "cs.CL", "cs.DC", "cs.LG"]),
    "keywords": (_keywords, DEFAULT_KEYWORDS),
    "exclude_keywords": (_keywords, ["survey", "review", "tutorial"]),
    "authors": (None, AUTHORS_SCHEMA),
    "max_papers": (lambda v: _number(v, integer=True, minimum=1), 30),
    "days_back": (lambda v: _number(v, integer=True, maximum=365), 7),
    "min_score": (lambda v: _number(v), 2.5),
    "announce_types": (_announce_types, ["new"]),
    "arxiv": (None, ARXIV_SCHEMA),
    "ai_summary": (None, SUMMARY_SCHEMA),
    "interests": (None, INTERESTS_SCHEMA),
    "related": (None, RELATED_SCHEMA),
    "catch_up_days": (lambda v: _number(v, integer=True, maximum=60), 10),
    "limits": (None, LIMITS_SCHEMA),
}

ENV_OVERRIDES = {
    "ARXIV_FEED_URL": ("arxiv", "feed_url"),
    "ARXIV_API_URL": ("arxiv", "api_url"),
    "ARXIV_PDF_URL": ("arxiv", "pdf_url"),
    "ARXIV_REQUEST_DELAY": ("arxiv", "request_delay"),
    "LLM_BASE_URL": ("ai_summary", "base_url"),
    "EMBEDDINGS_BASE_URL": ("related", "embeddings", "base_url"),
}


def _env_name(value: Any) -> str:
    text = _string(value)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        raise _Invalid(
            f"{text!r} is not an environment variable name",
            "give the NAME of the variable that holds the key (e.g. DASHSCOPE_API_KEY), never the key itself",
        )
    return text


# ---------------------------------------------------------------------------


class _Lines:
    """Line numbers of keys in the YAML source, by key path."""

    def __init__(self, node: yaml.Node | None):
        self.lines: dict[tuple[Any, ...], int] = {}
        self.duplicates: list[tuple[tuple[Any, ...], int]] = []
        self._walked: set[int] = set()
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple[Any, ...]) -> None:
        # An alias repeats a node: walking it again per reference is exponential in nested
        # aliases (a 'billion laughs' file never finished loading). Each node is walked once.
        if id(node) in self._walked:
            return
        self._walked.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key in seen:
                    self.duplicates.append((path + (key,), line))
                seen.add(key)
                self.lines[path + (key,)] = line
                self._walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.lines[path + (index,)] = item.start_mark.line + 1
                self._walk(item, path + (index,))

    def line(self, path: tuple[Any, ...]) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _subkey_path(subkey: str | None) -> tuple[Any, ...]:
    if not subkey:
        return ()
    return tuple(int(m) for m in re.findall(r"\[(\d+)\]", subkey))


def _section(data: Any, schema: dict[str, tuple[Checker | None, Any]], path: tuple[Any, ...], lines: _Lines, source: str) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            source,
            _dotted(path) or None,
            f"expected a mapping of keys, got {_type_name(data)}",
            fix="write 'key: value' lines indented under it",
            line=lines.line(path),
        )
    for key in data:
        if key not in schema:
            near = difflib.get_close_matches(str(key), list(schema), n=1)
            fix = f"did you mean {near[0]!r}?" if near else f"remove it; valid keys here: {', '.join(schema)}"
            raise ConfigError(source, _dotted(path + (key,)), "unknown key", fix=fix, line=lines.line(path + (key,)))
    out: dict[str, Any] = {}
    for key, (checker, default) in schema.items():
        key_path = path + (key,)
        if checker is None:
            if key_path in OPTIONAL_SECTIONS and data.get(key) is None:
                out[key] = None
                continue
            out[key] = _section(data.get(key), default, key_path, lines, source)
            continue
        value = data.get(key, default)
        try:
            out[key] = checker(value)
        except _Invalid as err:
            full = key_path + _subkey_path(err.subkey)
            raise ConfigError(source, _dotted(full), err.problem, fix=err.fix, line=lines.line(full)) from None
    return out


def _apply_env(values: dict[str, Any], environ: Mapping[str, str], source: str) -> None:
    schemas = {("arxiv",): ARXIV_SCHEMA, ("ai_summary",): SUMMARY_SCHEMA, ("related", "embeddings"): EMBEDDINGS_SCHEMA}
    for var, (*sections, key) in ENV_OVERRIDES.items():
        raw = environ.get(var)
        if raw is None or raw == "":
            continue
        target = values
        for section in sections:
            target = target.get(section) if isinstance(target, dict) else None
        if target is None:
            continue  # an override of an optional section that is not configured (related.embeddings)
        checker = schemas[tuple(sections)][key][0]
        value: Any = raw
        if key == "request_delay":
            try:
                value = float(raw)
            except ValueError:
                raise ConfigError(
                    f"environment variable {var}", None, f"{raw!r} is not a number", fix=f"set {var} to seconds, e.g. 3"
                ) from None
        try:
            target[key] = checker(value)
        except _Invalid as err:
            raise ConfigError(f"environment variable {var}", None, err.problem, fix=err.fix) from None


def _resolve_prompt_file(values: dict[str, Any], config_path: Path, lines: _Lines, source: str) -> None:
    """A relative prompt_file is relative to the config file; it must exist before anything runs."""
    name = values["ai_summary"]["prompt_file"]
    if name is None:
        return
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = config_path.parent / path
    if not path.is_file():
        key = ("ai_summary", "prompt_file")
        raise ConfigError(
            source,
            _dotted(key),
            f"{path} is not a file",
            fix="write the path of a Markdown prompt (relative to config.yml), or null for the built-in prompt",
            line=lines.line(key),
        )
    values["ai_summary"]["prompt_file"] = str(path)


def _resolve_bibtex(values: dict[str, Any], config_path: Path, lines: _Lines, source: str) -> None:
    """A relative interests.bibtex is relative to the config file; it must exist before anything runs."""
    name = values["interests"]["bibtex"]
    if name is None:
        return
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = config_path.parent / path
    if not path.is_file():
        key = ("interests", "bibtex")
        raise ConfigError(
            source,
            _dotted(key),
            f"{path} is not a file",
            fix="write the path of a BibTeX export (relative to config.yml), e.g. Zotero's File > Export Library as BibTeX",
            line=lines.line(key),
        )
    values["interests"]["bibtex"] = str(path)


def load_config(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Config:
    """Read, validate and return the config; raise ConfigError with file, key and fix."""
    source = str(path)
    environ = os.environ if environ is None else environ
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, None, "file not found", fix="run from the repository root or pass --config path/to/config.yml") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, None, f"cannot be read ({exc})", fix="save it as UTF-8 text") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        # ValueError: an integer of more than 4,300 digits; RecursionError: thousands of nested brackets.
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ConfigError(
            source,
            None,
            f"YAML syntax error: {problem}",
            fix="check indentation (spaces, not tabs) and quote values containing ': ' or '#'",
            line=mark.line + 1 if mark else None,
        ) from None
    lines = _Lines(node)
    if lines.duplicates:
        dup_path, dup_line = lines.duplicates[0]
        raise ConfigError(source, _dotted(dup_path), "key appears twice", fix="keep one of the two entries", line=dup_line)
    if data is None:
        data = {}
    _keep_id_text(data, node)
    values = _section(data, TOP_SCHEMA, (), lines, source)
    _apply_env(values, environ, source)
    _resolve_prompt_file(values, Path(path), lines, source)
    _resolve_bibtex(values, Path(path), lines, source)
    return _build(source, values, data)


def _keep_id_text(data: Any, node: yaml.Node | None) -> None:
    """interests.papers as written: YAML reads `- 2401.10000` as the number 2401.1, losing the id."""
    interests = data.get("interests") if isinstance(data, dict) else None
    if not isinstance(interests, dict) or not isinstance(interests.get("papers"), list) or not isinstance(node, yaml.MappingNode):
        return
    for section_key, section_node in node.value:
        if section_key.value != "interests" or not isinstance(section_node, yaml.MappingNode):
            continue
        for key_node, value_node in section_node.value:
            if key_node.value == "papers" and isinstance(value_node, yaml.SequenceNode):
                papers = interests["papers"]
                for index, item in enumerate(value_node.value):
                    if index < len(papers) and isinstance(item, yaml.ScalarNode) and isinstance(papers[index], (int, float)):
                        papers[index] = item.value


def _build(source: str, values: dict[str, Any], raw: Mapping[str, Any]) -> Config:
    return Config(
        path=source,
        site=SiteConfig(**values["site"]),
        categories=values["categories"],
        keywords=values["keywords"],
        exclude_keywords=values["exclude_keywords"],
        authors_include=values["authors"]["include"],
        authors_exclude=values["authors"]["exclude"],
        max_papers=values["max_papers"],
        days_back=values["days_back"],
        min_score=values["min_score"],
        announce_types=values["announce_types"],
        arxiv=ArxivConfig(**values["arxiv"]),
        ai_summary=SummaryConfig(**values["ai_summary"]),
        interests=InterestsConfig(**values["interests"]),
        related=RelatedConfig(
            count=values["related"]["count"],
            embeddings=EmbeddingsConfig(**values["related"]["embeddings"]) if values["related"]["embeddings"] else None,
        ),
        limits=Limits(**values["limits"]),
        catch_up_days=values["catch_up_days"],
        raw=raw,
    )
