"""The typed config: one frozen class per section of config.yml, each key declared once, where it is used.

Every field here is a key's whole declaration (`schema.setting`): type, default as written
in config.yml, bounds and checks, environment variable, one line of documentation. The
defaults of these classes are the declared defaults (`Config()` is an empty config.yml),
`load.py` reads config.yml against them, `reference.py` writes README's tables from them.
Adding a key is adding one field here (and a line to config.yml for its readers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.archive.models import ANNOUNCE_TYPES
from generator.config import checks
from generator.config.schema import Invalid, Number, Text, section, setting, subsection, type_name

PLACEHOLDER_SITE_URL = "https://example.github.io/arxiv-daily/"
"""site.url as shipped: the address of nobody's site."""
PLACEHOLDER_USER_AGENT = "arxiv-daily-archive/1.0 (+https://github.com/example/arxiv-daily)"
"""arxiv.user_agent as shipped: it names nobody's repository."""

MB = 1_000_000


@dataclass(frozen=True)
class Keyword:
    """A keyword to look for; plain ones match at the start of a word, case-insensitively."""

    name: str
    """Name shown on pages and used as the tag."""
    pattern: re.Pattern[str]
    """Compiled pattern (`\\b` + escaped keyword, or the user's regex)."""
    weight: float = 1.0
    """Multiplier for this keyword's contribution to the score."""

    noun = "keyword"

    @classmethod
    def from_config(cls, item: Any) -> Keyword:
        """A keyword as config.yml writes it: `LLM`, or `{name: MoE, regex: '\\bMoE\\b', weight: 2}`."""
        if isinstance(item, str):
            if not item.strip():
                raise Invalid("empty keyword", "remove the empty entry")
            return cls(item.strip(), re.compile(r"\b" + re.escape(item.strip()), re.IGNORECASE))
        if isinstance(item, dict):
            unknown = set(item) - {"name", "regex", "weight"}
            if unknown:
                raise Invalid(f"unknown key {sorted(unknown)[0]!r} in a keyword", "a keyword mapping takes name, regex and weight")
            if "name" not in item:
                raise Invalid("keyword mapping without 'name'", "add name: <tag shown on pages>")
            name = Text().read(item["name"]).strip()
            weight = Number(integer=False, above=True).read(item["weight"]) if "weight" in item else 1.0
            if "regex" in item:
                source = Text().read(item["regex"])
                try:
                    pattern = re.compile(source, re.IGNORECASE)
                except re.error as exc:
                    raise Invalid(
                        f"regex {source!r} does not compile: {exc}", "fix the regular expression (Python syntax; quote it in single quotes)"
                    ) from None
            else:
                pattern = re.compile(r"\b" + re.escape(name), re.IGNORECASE)
            return cls(name, pattern, weight)
        raise Invalid(
            f"expected a keyword string or a mapping, got {type_name(item)}",
            "write '- LLM' or '- {name: MoE, regex: \"\\\\bMoE\\\\b\", weight: 2}'",
        )


@section
class SiteConfig:
    title: str = setting("arXiv daily archive", "Site name in the header, the browser tab and the feeds")
    url: str = setting(
        PLACEHOLDER_SITE_URL,
        "Public address of the site (GitHub Pages: `https://<user>.github.io/<repo>/`): feeds, the sitemap and citations use it; "
        "in GitHub Actions the placeholder becomes the repository's Pages address",
        check=checks.url(),
    )
    description: str = setting(
        "New arXiv papers on efficient LLM systems, ranked and summarized every weekday.",
        "One sentence under the title and in the feeds",
        allow_empty=True,
    )


@section
class AuthorsConfig:
    include: tuple[str, ...] = setting(
        [], "Papers by these authors are always listed, first, whatever their score (a full name, or a surname; accents ignored)"
    )
    exclude: tuple[str, ...] = setting([], "Papers by these authors are never listed")


@section
class InterestsConfig:
    """The reader's own papers (config `interests`); see ranking/selection.py for how they rank the day."""

    papers: tuple[str, ...] = setting(
        [], "Your papers, by arXiv id: the day's papers most similar to them are listed and ranked higher",
        check=checks.arxiv_ids, as_written=True, example=["2211.17192", "2302.01318"],
    )  # fmt: skip
    bibtex: str | None = setting(
        None,
        "A BibTeX export (Zotero: Export Library…) whose arXiv entries are added to `papers`, relative to config.yml",
        file="write the path of a BibTeX export (relative to config.yml), e.g. Zotero's File > Export Library as BibTeX",
        example="my-library.bib",
    )
    weight: float = setting(20, "Ranking value = keyword score + weight × similarity to the nearest of your papers")
    min_similarity: float = setting(0.12, "A paper at least this similar to one of yours is listed whatever its keywords", maximum=1)

    @property
    def configured(self) -> bool:
        return bool(self.papers or self.bibtex)


@section
class EmbeddingsConfig:
    """An OpenAI-compatible embeddings endpoint for related papers (config `related.embeddings`)."""

    model: str = setting("text-embedding-3-small", "Embedding model; cached vectors are kept per model")
    base_url: str = setting(
        "https://api.openai.com/v1", "OpenAI-compatible embeddings endpoint", check=checks.url(), env="EMBEDDINGS_BASE_URL"
    )
    api_key_env: str = setting("OPENAI_API_KEY", "NAME of the environment variable holding the key", check=checks.environment_variable_name)
    timeout: float = setting(60, "Seconds before one request is abandoned", above=True)
    max_retries: int = setting(3, "Retries of one request on 408/409/429/5xx, timeouts and connection errors", maximum=10)
    batch_size: int = setting(64, "Papers per request", minimum=1, maximum=2048)


@section
class RelatedConfig:
    count: int = setting(5, "Related papers shown per paper", minimum=1, maximum=20)
    embeddings: EmbeddingsConfig | None = subsection(
        "Vectors from an OpenAI-compatible endpoint, cached in docs/data/; absent: TF-IDF (no network, no key)", optional=True
    )


@section
class SummaryConfig:
    enabled: bool = setting(True, "Make AI summaries (the API key must still be in the environment)")
    base_url: str = setting(
        "https://dashscope.aliyuncs.com/compatible-mode/v1", "OpenAI-compatible endpoint", check=checks.url(), env="LLM_BASE_URL"
    )
    model: str = setting("qwen-long", "Model name as the endpoint knows it; part of the cache key")
    api_key_env: str = setting(
        "DASHSCOPE_API_KEY", "NAME of the environment variable holding the key", check=checks.environment_variable_name
    )
    prompt_file: str | None = setting(
        None,
        "Markdown prompt template, relative to config.yml; `{language}` is filled in; part of the cache key (null: the built-in prompt)",
        file="write the path of a Markdown prompt (relative to config.yml), or null for the built-in prompt",
    )
    language: str = setting("Chinese", "Language of the summaries; technical terms stay untranslated")
    max_papers_to_summarize: int = setting(15, "Top papers of each day that get a summary")
    max_workers: int = setting(3, "Papers summarized in parallel (LLM requests in flight at once)", minimum=1, maximum=32)
    max_input_tokens: int = setting(
        30000, "Estimated tokens of one request (prompt + paper text); the paper text is cut to fit", minimum=500
    )
    max_output_tokens: int = setting(2000, "Longest answer requested, in tokens", minimum=100)
    temperature: float = setting(0.3, "Sampling temperature", maximum=2)
    timeout: float = setting(120, "Seconds before one LLM request is abandoned", above=True)
    max_retries: int = setting(3, "Retries of one request on 408/409/429/5xx, timeouts and connection errors", maximum=10)
    retry_backoff: float = setting(
        2, "Seconds before the first retry when the server sends no Retry-After, doubling on each further retry", maximum=600
    )
    token_budget: int = setting(1_000_000, "No new request once a run has used this many tokens (in + out)")
    price_per_1k_input: float = setting(0.0005, "Price of 1,000 input tokens, for the cost estimate in the run report")
    price_per_1k_output: float = setting(0.002, "Price of 1,000 output tokens")
    currency: str = setting("CNY", "Currency of the prices")


@section
class ArxivConfig:
    feed_url: str = setting(
        "https://rss.arxiv.org/rss/{categories}",
        "Announcement feed; `{categories}` becomes the `+`-joined list (one request for all)",
        check=checks.url("{categories}"),
        env="ARXIV_FEED_URL",
    )
    api_url: str = setting(
        "https://export.arxiv.org/api/query",
        "arXiv API, for details the feed lacks and for backfills",
        check=checks.url(),
        env="ARXIV_API_URL",
    )
    pdf_url: str = setting(
        "https://arxiv.org/pdf/{id}", "PDF location, full text for summaries; `{id}` becomes the versioned id",
        check=checks.url("{id}"), env="ARXIV_PDF_URL",
    )  # fmt: skip
    request_delay: float = setting(3, "Seconds between two arXiv requests (arXiv's terms ask for 3)", env="ARXIV_REQUEST_DELAY")
    timeout: float = setting(30, "Seconds before one arXiv request is abandoned", above=True)
    max_retries: int = setting(4, "Retries of one arXiv request on 429, 5xx and connection errors, honouring Retry-After", maximum=10)
    user_agent: str = setting(
        PLACEHOLDER_USER_AGENT,
        "How this job introduces itself to arXiv: put your repository's URL in it (in GitHub Actions the placeholder names the repository)",
    )


# Generous next to real answers (a four-category feed is about 1 MB, an API page of 200
# results about 0.6 MB, arXiv caps abstracts at 1,920 characters, the largest collaborations
# sign with about 5,000 names) and small enough to bound memory and pages.
@section
class Limits:
    """Ceilings on what arXiv sends (config `limits`): a hit costs a one-line warning naming the key, never the night."""

    feed_bytes: int = setting(50 * MB, "Largest announcement feed read, in bytes; a larger one fails the night", minimum=10_000)
    api_bytes: int = setting(
        20 * MB, "Largest arXiv API answer read, in bytes; a larger one costs that enrichment or catch-up", minimum=10_000
    )
    pdf_bytes: int = setting(
        50 * MB, "Largest PDF downloaded for a summary, in bytes; a larger one is summarized from its abstract", minimum=10_000
    )
    pdf_pages: int = setting(200, "Pages of one PDF read for its text, at most", minimum=1)
    announcements_per_day: int = setting(10_000, "Announcements of one day considered, at most (the feed's first ones)", minimum=1)
    title_chars: int = setting(1_000, "Longest title kept, in characters (cut at a word, ending in an ellipsis)", minimum=20)
    abstract_chars: int = setting(6_000, "Longest abstract kept, in characters (arXiv's own limit is 1,920)", minimum=100)
    authors: int = setting(6_000, "Most authors kept per paper (the first ones)", minimum=1)


DEFAULT_KEYWORDS = [
    "LLM", "RL", "RLHF", "Inference", "Training", "Attention", "Pipeline", "MOE", "Sparse",
    "Quantization", "Speculative", "Efficient", "Efficiency", "Framework", "Parallel",
    "Distributed", "Kernel", "Decode", "Decoding", "Prefill", "Throughput", "Fast", "Network",
    "Hardware", "Cluster", "FP8", "FP4", "Optimization", "Scalable", "Communication",
]  # fmt: skip


@dataclass(frozen=True)
class DeprecatedKey:
    """A key config.yml still uses although it is on its way out: the doctor prints it as a warning."""

    key: str
    """The key as written, dotted (`interests.min_similarity`)."""
    line: int | None
    """Its line in config.yml."""
    note: str
    """What replaced it, or why it goes."""
    fix: str

    def message(self, source: str) -> str:
        """One line for the doctor: `config.yml:42: interests.min_similarity is deprecated: <note>`."""
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"{where}: {self.key} is deprecated: {self.note}"


@section
class Config:
    """config.yml, validated: every section and key as declared below; `path`, `raw` and `deprecated` say where it came from."""

    path: str = ""
    """File the config came from (for messages)."""
    site: SiteConfig = subsection("The site's name, public address and tagline")
    categories: tuple[str, ...] = setting(
        ["cs.AI", "cs.CL", "cs.DC", "cs.LG"],
        "arXiv categories to follow (https://arxiv.org/category_taxonomy), all fetched in one request",
        nonempty=True,
        check=checks.arxiv_categories,
    )
    keywords: tuple[Keyword, ...] = setting(
        DEFAULT_KEYWORDS,
        "Keywords that score a paper: a word matches at word starts, case-insensitively; "
        "`{name, regex, weight}` gives a regular expression and a weight",
        check=checks.distinct_keywords,
    )
    exclude_keywords: tuple[Keyword, ...] = setting(
        ["survey", "review", "tutorial"], "A paper whose title or abstract matches any of these is dropped", check=checks.distinct_keywords
    )
    authors: AuthorsConfig = subsection("Followed and excluded authors")
    max_papers: int = setting(30, "Papers listed per day at most, best first", minimum=1)
    days_back: int = setting(7, "Days backfilled from the arXiv API by the first run on an empty archive", maximum=365)
    catch_up_days: int = setting(
        10,
        "Each run fills from the arXiv API the announcement days of this many last days that failed nights left out (0: never)",
        maximum=60,
    )
    min_score: float = setting(2.5, "Papers scoring below this are not listed")
    announce_types: tuple[str, ...] = setting(
        ["new"],
        "Announcements to consider: new, cross (cross-lists), replace and replace-cross (new versions)",
        nonempty=True,
        check=checks.one_of(ANNOUNCE_TYPES, "an announce type"),
    )
    interests: InterestsConfig = subsection("Your own papers, which rank the day by their similarity to it")
    related: RelatedConfig = subsection("Related papers on every paper page: TF-IDF, or embeddings")
    ai_summary: SummaryConfig = subsection("AI summaries of each day's best papers, from an OpenAI-compatible endpoint")
    arxiv: ArxivConfig = subsection("arXiv's endpoints, the pace of requests and the User-Agent")
    limits: Limits = subsection("Ceilings on what arXiv sends; a hit is one warning naming the key, never a failed night")
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The YAML mapping as read (for the site's About page)."""
    deprecated: tuple[DeprecatedKey, ...] = field(default=(), compare=False)
    """Keys config.yml uses that are on their way out, for the doctor and the run report."""

    @property
    def authors_include(self) -> tuple[str, ...]:
        return self.authors.include

    @property
    def authors_exclude(self) -> tuple[str, ...]:
        return self.authors.exclude
