"""What the site is built from: which archive folder, which config.yml, which public URL.

Two environment variables let one mkdocs.yml build any archive (the repository's
docs/, the demo, the tests' fixture archives, the benchmarks' synthetic ones):

- `ARCHIVE_DOCS`: the archive folder (mkdocs.yml reads it as `docs_dir`; default `docs`);
- `ARCHIVE_CONFIG`: the config.yml whose `site`, `categories`, `keywords` and
  `authors` the site shows (default `config.yml` next to mkdocs.yml).

Relative paths are taken from the folder of mkdocs.yml, so `mkdocs build` works
from any working directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.config import Config, load_config

DOCS_ENV = "ARCHIVE_DOCS"
CONFIG_ENV = "ARCHIVE_CONFIG"


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
    )


def config_path(base: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The config.yml the site reads: $ARCHIVE_CONFIG, else config.yml, relative to `base`."""
    environ = os.environ if environ is None else environ
    return (Path(base) / (environ.get(CONFIG_ENV) or "config.yml")).resolve()


def load_site_config(base: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Load and validate that config.yml (ConfigError names the file, key and fix)."""
    # The site never calls arXiv or an LLM: endpoint overrides do not concern it.
    return load_config(config_path(base, environ), environ={})
