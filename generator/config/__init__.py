"""config.yml: every key declared once, and the typed, validated `Config` read from it.

The package along its jobs: `schema.py` is how a key is declared (type, default, bounds,
checks, environment variable, one line of documentation, deprecation); `checks.py` the
rules beyond a type (URLs, arXiv categories and ids, ...); `model.py` the typed config,
whose fields are the declarations; `load.py` reads config.yml against them (line
numbers, environment overrides, paths relative to config.yml, old keys); `reference.py`
writes README's tables from them; `addresses.py` the site's public address and
User-Agent in GitHub Actions. The rest of the code imports from here.
"""

from __future__ import annotations

from generator.config.load import load, load_config
from generator.config.model import (
    PLACEHOLDER_SITE_URL,
    PLACEHOLDER_USER_AGENT,
    ArxivConfig,
    AuthorsConfig,
    Config,
    DeprecatedKey,
    EmbeddingsConfig,
    InterestsConfig,
    Keyword,
    Limits,
    RelatedConfig,
    SiteConfig,
    SummaryConfig,
)

__all__ = [
    "PLACEHOLDER_SITE_URL",
    "PLACEHOLDER_USER_AGENT",
    "ArxivConfig",
    "AuthorsConfig",
    "Config",
    "DeprecatedKey",
    "EmbeddingsConfig",
    "InterestsConfig",
    "Keyword",
    "Limits",
    "RelatedConfig",
    "SiteConfig",
    "SummaryConfig",
    "load",
    "load_config",
]
