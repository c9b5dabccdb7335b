"""What the site shows of config.yml: its name, URL and description, what it follows.

Two environment variables let one mkdocs.yml build any archive (the repository's
docs/, the demo, the tests' fixture archives, the benchmarks' synthetic ones):

- `ARCHIVE_DOCS`: the archive folder (mkdocs.yml reads it as `docs_dir`; default `docs`);
- `ARCHIVE_CONFIG`: the config.yml whose `site`, `categories`, `keywords` and
  `authors` the site shows (mkdocs.yml gives it to the plugin's `config` option;
  default `config.yml`, relative to the folder of mkdocs.yml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import Config, load_config


@dataclass(frozen=True)
class SiteInfo:
    """The parts of config.yml the site shows, plus how MkDocs builds URLs."""

    title: str
    """Site name (raw text from config.yml: escape before output)."""
    url: str
    """Public base URL, ending with `/`."""
    description: str
    """One sentence about the archive."""
    categories: tuple[str, ...]
    """Categories the nightly job follows."""
    keywords: tuple[tuple[str, float], ...]
    """(keyword, weight) pairs in config order."""
    authors: tuple[str, ...]
    """Followed authors (`authors.include`)."""
    min_score: float
    """Papers scoring below this are not listed."""
    max_papers: int
    """At most this many papers a day."""
    directory_urls: bool = True
    """MkDocs' `use_directory_urls`: `papers/x/` rather than `papers/x.html`."""
    keyword_regexes: tuple[tuple[str, str], ...] = ()
    """(keyword, regular expression) for keywords given as a regex in config.yml."""
    exclude_keywords: tuple[str, ...] = ()
    """A paper matching any of these is dropped."""
    authors_exclude: tuple[str, ...] = ()
    """Papers by these authors are never listed."""
    announce_types: tuple[str, ...] = ("new",)
    """Announce types listed (new, cross, replace, replace-cross)."""
    summary: SummaryInfo | None = None
    """How papers are summarized; None when summaries are off."""
    interests: InterestsInfo = field(default_factory=lambda: _interests_info(Config()))
    """How the reader's own papers rank the day (config `interests`)."""
    related_count: int = 5
    """Related papers listed per paper (config `related.count`)."""
    related_model: str | None = None
    """The embedding model of config `embeddings`, or None for TF-IDF."""


@dataclass(frozen=True)
class SummaryInfo:
    """The summary settings readers should know about (never the endpoint or the key)."""

    model: str
    language: str
    papers_per_day: int
    max_input_tokens: int


@dataclass(frozen=True)
class InterestsInfo:
    """The ranking by the reader's own papers, as the About page explains it (config `interests`)."""

    configured: bool
    """Interest papers are listed in config.yml (ids or a BibTeX file)."""
    weight: float
    """Ranking value = keyword score + weight x relevance."""
    min_similarity: float
    """The TF-IDF similarity whose fallback relevance is min_relevance (what a page from before the learned ranker is read by)."""
    min_relevance: float
    """A paper this relevant is listed whatever its keywords (and its pages say which interest paper it is close to)."""
    profile: str = ""
    """The reader's research profile paragraph (config interests.profile), or empty."""
    judge: str | None = None
    """The judge's model (config ranking.judge: the summary model rates the day's candidates with a reason), or None when off."""

    @property
    def ranks(self) -> bool:
        """The day is ranked by relevance: interest papers or a profile."""
        return self.configured or bool(self.profile)


def site_info(config: Config, directory_urls: bool = True) -> SiteInfo:
    url = config.site.url if config.site.url.endswith("/") else config.site.url + "/"
    return SiteInfo(
        title=config.site.title,
        url=url,
        description=config.site.description,
        categories=config.categories,
        keywords=tuple((k.name, k.weight) for k in config.keywords),
        authors=config.authors_include,
        min_score=config.min_score,
        max_papers=config.max_papers,
        directory_urls=directory_urls,
        keyword_regexes=tuple((k.name, k.pattern.pattern) for k in config.keywords if k.pattern.pattern != r"\b" + re.escape(k.name)),
        exclude_keywords=tuple(k.name for k in config.exclude_keywords),
        authors_exclude=config.authors_exclude,
        announce_types=config.announce_types,
        summary=SummaryInfo(
            model=config.ai_summary.model,
            language=config.ai_summary.language,
            papers_per_day=config.ai_summary.max_papers_to_summarize,
            max_input_tokens=config.ai_summary.max_input_tokens,
        )
        if config.ai_summary.enabled
        else None,
        interests=_interests_info(config),
        related_count=config.related.count,
        related_model=config.embeddings.model if config.embeddings else None,
    )


def _interests_info(config: Config) -> InterestsInfo:
    from generator.ranking.learned import similarity_for_relevance  # NumPy: the related papers load it anyway
    from generator.ranking.selection import ranking_policy

    policy = ranking_policy(config)
    return InterestsInfo(
        config.interests.configured,
        policy.weight,
        similarity_for_relevance(policy.min_relevance),
        policy.min_relevance,
        policy.profile,
        config.ai_summary.model if config.ranking.judge else None,
    )


def load_site_config(path: Path) -> Config:
    """Load and validate the archive's config.yml (ConfigError names the file, key and fix)."""
    # The site never calls arXiv or an LLM: endpoint overrides do not concern it.
    return load_config(Path(path), environ={})
