"""The site's public address and the User-Agent: the placeholders config.yml ships, and what GitHub Actions tells us.

A fork that never edited `site.url` or `arxiv.user_agent` gets, inside GitHub Actions, its
repository's Pages address and a User-Agent naming the repository (`effective_site_url`,
`effective_user_agent`); the generator and the site build both use these. `check_addresses`
judges both settings in `doctor`'s words (a `Finding` per setting), for `python -m generator
doctor` and for the site build's log.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from generator.config.model import PLACEHOLDER_SITE_URL, PLACEHOLDER_USER_AGENT, Config

OLD_DEFAULT_USER_AGENT = "arxiv-daily-archive/1.0 (+https://github.com/; nightly digest of new arXiv papers)"
"""The User-Agent a config.yml without arxiv.user_agent got before the default became the shipped placeholder."""

OK, WARNING, ERROR, SKIPPED = "ok", "warning", "error", "skipped"


@dataclass(frozen=True)
class Finding:
    """One result of one check."""

    level: str
    """`ok`, `warning`, `error`, or `skipped` (a network check under --offline)."""
    check: str
    """What was checked: `config`, `site.url`, `feed endpoint`, `archive`, ..."""
    message: str
    """What was found, one line."""
    fix: str | None = None
    """What to do about it (warnings and errors)."""

    def line(self) -> str:
        text = f"{self.level:<8} {self.check}: {self.message}"
        return f"{text}; fix: {self.fix}" if self.fix else text


# -- addresses (pure) --------------------------------------------------------------------


def is_placeholder_site_url(url: str) -> bool:
    """True for the shipped site.url (any path on example.github.io)."""
    return (urlsplit(url).hostname or "").lower() == "example.github.io"


def is_placeholder_user_agent(user_agent: str) -> bool:
    """True for a User-Agent that names no repository of the owner's (the shipped ones)."""
    return user_agent.strip() in (OLD_DEFAULT_USER_AGENT, PLACEHOLDER_USER_AGENT) or "github.com/example/" in user_agent


def github_repository(environ: Mapping[str, str]) -> str | None:
    """`owner/repo` when running in GitHub Actions (GITHUB_ACTIONS=true, GITHUB_REPOSITORY set), else None."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return None
    repository = environ.get("GITHUB_REPOSITORY", "").strip()
    return repository if re.fullmatch(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+", repository) else None


def pages_url(repository: str) -> str:
    """GitHub Pages address of `owner/repo`: the owner's root site for `<owner>.github.io`, else a project site.

    Pages host names are lower case; the project path keeps the repository's spelling.
    """
    owner, repo = repository.split("/", 1)
    owner = owner.lower()
    if repo.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{repo}/"


def repository_user_agent(repository: str, environ: Mapping[str, str]) -> str:
    """A User-Agent that names the repository the job runs in."""
    server = environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/") or "https://github.com"
    return f"arxiv-daily-archive/1.0 (+{server}/{repository})"


def effective_site_url(config: Config, environ: Mapping[str, str] | None = None) -> str:
    """The site's public address: site.url, or in GitHub Actions the repository's Pages address when site.url is the placeholder.

    The generator and the site build both use this, so feeds, canonical links, the
    sitemap and citations of a fork that never edited site.url point at the fork.
    """
    environ = os.environ if environ is None else environ
    repository = github_repository(environ)
    if repository and is_placeholder_site_url(config.site.url):
        return pages_url(repository)
    return config.site.url


def effective_user_agent(config: Config, environ: Mapping[str, str] | None = None) -> str:
    """The User-Agent sent to arXiv: arxiv.user_agent, or in GitHub Actions one naming the repository when it is a placeholder."""
    environ = os.environ if environ is None else environ
    repository = github_repository(environ)
    if repository and is_placeholder_user_agent(config.arxiv.user_agent):
        return repository_user_agent(repository, environ)
    return config.arxiv.user_agent


def with_effective_addresses(config: Config, environ: Mapping[str, str] | None = None) -> tuple[Config, list[str]]:
    """The config with the effective site URL and User-Agent, and one note per derived value (for the run report)."""
    environ = os.environ if environ is None else environ
    site_url = effective_site_url(config, environ)
    user_agent = effective_user_agent(config, environ)
    notes = []
    repository = github_repository(environ)
    if site_url != config.site.url:
        notes.append(f"site.url is the placeholder; using {site_url}, the Pages address of {repository} (GITHUB_REPOSITORY)")
    if user_agent != config.arxiv.user_agent:
        notes.append(f"arxiv.user_agent is the placeholder; sending {user_agent!r} (from GITHUB_REPOSITORY)")
    if not notes:
        return config, notes
    derived = replace(config, site=replace(config.site, url=site_url), arxiv=replace(config.arxiv, user_agent=user_agent))
    return derived, notes


def check_addresses(config: Config, environ: Mapping[str, str]) -> list[Finding]:
    """site.url and arxiv.user_agent: placeholders, and in GitHub Actions the repository's Pages address."""
    findings = []
    repository = github_repository(environ)
    url = config.site.url
    if is_placeholder_site_url(url):
        if repository:
            findings.append(
                Finding(
                    OK,
                    "site.url",
                    f"left at the placeholder; this run uses {effective_site_url(config, environ)}, the Pages address of {repository}",
                )
            )
        else:
            findings.append(Finding(
                WARNING, "site.url",
                f"{url} is the placeholder: feeds, canonical links, the sitemap and citations would point at someone else's address",
                fix="set site.url in config.yml to your site's address, https://<you>.github.io/<repo>/ on GitHub Pages",
            ))  # fmt: skip
    elif repository:
        expected = pages_url(repository)
        if _same_address(url, expected):
            findings.append(Finding(OK, "site.url", f"{url} is the Pages address of {repository}"))
        elif _host(url).endswith(".github.io"):
            findings.append(Finding(
                ERROR, "site.url", f"{url} is not the Pages address of {repository} ({expected}): it is another GitHub Pages site",
                fix=f"set site.url in config.yml to {expected} (or to {PLACEHOLDER_SITE_URL}, which Actions replaces with it)",
            ))  # fmt: skip
        else:
            findings.append(
                Finding(OK, "site.url", f"{url} (a custom domain; it must match Settings → Pages → Custom domain of {repository})")
            )
    else:
        findings.append(Finding(OK, "site.url", url))

    agent = config.arxiv.user_agent
    if is_placeholder_user_agent(agent):
        if repository:
            findings.append(
                Finding(OK, "arxiv.user_agent", f"left at the placeholder; this run sends {effective_user_agent(config, environ)!r}")
            )
        else:
            findings.append(Finding(
                WARNING, "arxiv.user_agent", f"{agent!r} names no repository of yours: arXiv would not know who sends these requests",
                fix="put your repository's URL in arxiv.user_agent in config.yml, e.g. 'arxiv-daily-archive/1.0 (+https://github.com/<you>/<repo>)'",
            ))  # fmt: skip
    else:
        findings.append(Finding(OK, "arxiv.user_agent", repr(agent)))
    return findings


def _host(url: str) -> str:
    match = re.match(r"^https?://([^/:]+)", url, re.IGNORECASE)
    return match.group(1).lower() if match else ""


def _same_address(a: str, b: str) -> bool:
    def norm(url: str) -> tuple[str, str]:
        path = re.sub(r"^https?://[^/]+", "", url).rstrip("/") + "/"
        return _host(url), path.lower()

    return norm(a) == norm(b)
