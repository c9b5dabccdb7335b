"""`python -m generator doctor`: is this archive ready for its nightly run?

Checks, in a few seconds, what otherwise shows up days later: the config, the
addresses a fork must make its own (site.url, the User-Agent), whether the arXiv
endpoints answer with the XML the generator reads, whether the LLM endpoint accepts
the key and knows the model, whether every archived page can be read, and whether
every stored AI summary shows on the site (one the site's renderer turns into no
text at all is a warning naming the page). Each finding is one line, `ok`,
`warning` or `error`, with the fix; the command exits 1 when there is an error, so
the nightly workflow stops on night one with the fix in its log.

The network checks send one request each (arXiv's through the polite session, the
LLM's through the openai client, a one-token completion); `--offline` skips them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import openai
from lxml import etree

from generator.archive import records
from generator.archive.models import Paper
from generator.archive.runs import load_records
from generator.archive.store import Archive
from generator.arxiv.api import feed_url, make_session
from generator.arxiv.feed import parse_announcements
from generator.config import Config, load_config
from generator.config.addresses import ERROR, OK, SKIPPED, WARNING, Finding, check_addresses, effective_user_agent
from generator.errors import ArchiveError, ConfigError, FeedError, FetchError
from generator.redaction import error_cause, redact, register
from generator.text.cut import shorten
from generator.text.markdown import html_text, render_summary_html
from generator.web import PoliteSession, UnreachableError, unreachable_reason

NETWORK_TIMEOUT = 20.0
"""Longest wait for one answer: the doctor must be quick even when an endpoint hangs."""
ARCHIVE_ERRORS_SHOWN = 10
"""Unreadable pages listed one per line; the rest are counted."""
ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


# -- arXiv endpoints ------------------------------------------------------------------------


def _looks_like_html(content_type: str, body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


def check_feed(session: PoliteSession, config: Config) -> Finding:
    """One request to the feed endpoint: an RSS/Atom announcement feed, not an error feed or a web page."""
    url = feed_url(config)
    check = "feed endpoint"
    fix = "set ARXIV_FEED_URL (or arxiv.feed_url in config.yml) to https://rss.arxiv.org/rss/{categories} or a mirror of it"
    try:
        response = session.get(url)
    except FetchError as err:
        return _fetch_failure(check, err)
    body, kind = response.content, response.headers.get("Content-Type", "")
    if _busy(response.status_code):
        return _busy_finding(check, url, response.status_code)
    if _looks_like_html(kind, body):
        return Finding(ERROR, check, f"{url} answered HTTP {response.status_code} with an HTML page, not an RSS feed", fix=fix)
    try:
        feed = parse_announcements(body, source=url)
    except FeedError as err:
        if response.status_code != 200 and "error feed" not in err.message:
            return Finding(ERROR, check, f"{url} answered HTTP {response.status_code}", fix=fix)
        return Finding(ERROR, check, err.message, fix=err.fix or fix)
    if response.status_code != 200:
        return Finding(ERROR, check, f"{url} answered HTTP {response.status_code}", fix=fix)
    day = f" of {feed.date}" if feed.date else ""
    if not feed.announcements:
        return Finding(OK, check, f"{url}: an announcement feed{day} with no announcements (a weekend or holiday)")
    return Finding(OK, check, f"{url}: an announcement feed{day} with {len(feed.announcements)} announcements")


def _busy(status: int) -> bool:
    return status in (429, 503) or status >= 500


def _busy_finding(check: str, url: str, status: int) -> Finding:
    """An endpoint busy or down: a warning, since the night retries."""
    return Finding(
        WARNING,
        check,
        f"{url} answered HTTP {status} (busy or down)",
        fix="nothing if it passes: the nightly run retries; rerun doctor later",
    )


def check_api(session: PoliteSession, config: Config) -> Finding:
    """One request to the API endpoint (one result of the first category): an Atom feed without arXiv's error entry."""
    query = f"cat:{config.categories[0]}"
    url = config.arxiv.api_url
    check = "API endpoint"
    fix = "set ARXIV_API_URL (or arxiv.api_url in config.yml) to https://export.arxiv.org/api/query or a mirror of it"
    try:
        response = session.get(url, params={"search_query": query, "max_results": 1})
    except FetchError as err:
        return _fetch_failure(check, err)
    body, kind = response.content, response.headers.get("Content-Type", "")
    if _busy(response.status_code):
        return _busy_finding(check, url, response.status_code)
    if _looks_like_html(kind, body):
        return Finding(ERROR, check, f"{url} answered HTTP {response.status_code} with an HTML page, not the API's Atom feed", fix=fix)
    try:
        root = etree.fromstring(body, parser=_XML)
    except etree.XMLSyntaxError as exc:
        return Finding(ERROR, check, f"{url} answered HTTP {response.status_code} with a body that is not XML ({exc})", fix=fix)
    if root.tag != f"{ATOM}feed":
        return Finding(ERROR, check, f"{url} answered <{etree.QName(root).localname}>, not the API's Atom feed", fix=fix)
    for entry in root.iter(f"{ATOM}entry"):
        if "/api/errors" in (entry.findtext(f"{ATOM}id") or ""):
            problem = " ".join((entry.findtext(f"{ATOM}summary") or "an error").split())
            return Finding(ERROR, check, f"{url} answered with arXiv's error entry: {problem[:200]}", fix=fix)
    if response.status_code != 200:
        return Finding(ERROR, check, f"{url} answered HTTP {response.status_code}", fix=fix)
    total = root.findtext(f"{OPENSEARCH}totalResults")
    found = f", {int(total):,} results for {query}" if total and total.strip().isdigit() else ""
    return Finding(OK, check, f"{url}: the API's Atom feed{found}")


def _fetch_failure(check: str, err: FetchError) -> Finding:
    if isinstance(err, UnreachableError):  # a setting to fix
        setting = err.endpoint.setting if err.endpoint else "the address"
        return Finding(ERROR, check, f"{err.url}: {err.reason}", fix=f"check {setting}")
    # No answer in time, or a lasting 5xx: the nightly run waits and retries where the doctor does not.
    return Finding(WARNING, check, err.message, fix="rerun doctor later; if it persists, check the address")


# -- the LLM endpoint ---------------------------------------------------------------------


def check_llm(config: Config, environ: Mapping[str, str], *, offline: bool) -> Finding:
    """The key is set; unless offline, one 1-token completion says the endpoint accepts it and knows the model."""
    settings = config.ai_summary
    check = "summaries"
    if not settings.enabled:
        return Finding(OK, check, "off (ai_summary.enabled: false)")
    key = environ.get(settings.api_key_env, "").strip()
    if not key:
        unset = f"the environment variable {settings.api_key_env} (ai_summary.api_key_env) is not set"
        return Finding(
            WARNING, check, f"{unset}, so nightly runs make no AI summaries",
            fix=f"add a repository secret named {settings.api_key_env} (Settings → Secrets and variables → Actions) or export it locally; "
            "or set ai_summary.enabled: false",
        )  # fmt: skip
    register(key)
    where = f"LLM endpoint {settings.base_url}"
    if offline:
        return Finding(SKIPPED, check, f"{settings.api_key_env} is set; {where} and model {settings.model} not checked (--offline)")
    setting = "LLM_BASE_URL (or ai_summary.base_url in config.yml)"
    client = openai.OpenAI(base_url=settings.base_url, api_key=key, timeout=min(settings.timeout, NETWORK_TIMEOUT), max_retries=0)
    try:
        client.chat.completions.create(model=settings.model, messages=[{"role": "user", "content": "Reply with OK."}], max_tokens=1)
    except openai.APITimeoutError:
        return Finding(
            WARNING,
            check,
            f"{where} gave no answer within {min(settings.timeout, NETWORK_TIMEOUT):g} s",
            fix=f"rerun doctor later; if it persists, check {setting}",
        )
    except openai.APIConnectionError as exc:
        reason = unreachable_reason(exc, settings.base_url) or f"cannot connect ({error_cause(exc)})"
        return Finding(ERROR, check, f"{where}: {reason}", fix=f"check {setting}")
    except openai.APIStatusError as exc:
        return _llm_status_finding(exc, where, settings.model, settings.api_key_env, setting)
    except (openai.OpenAIError, ValueError) as exc:  # ValueError: a body that is not JSON (an HTML page)
        return Finding(
            ERROR,
            check,
            f"{where} answered something that is not an OpenAI-compatible answer ({type(exc).__name__})",
            fix=f"check {setting}: it ends in /v1 for most servers",
        )
    return Finding(OK, check, f"{where} accepts the key in {settings.api_key_env} and answers as {settings.model}")


def _llm_status_finding(exc: openai.APIStatusError, where: str, model: str, key_env: str, setting: str) -> Finding:
    status = exc.status_code
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
    code = str(error.get("code") or "")
    message = shorten(redact(str(error.get("message") or exc.message)))
    check = "summaries"
    unknown_model = code == "model_not_found" or (
        status in (400, 404) and re.search(r"model.*(not (exist|found)|does not exist|unknown)|unknown model", message, re.IGNORECASE)
    )
    if unknown_model:
        return Finding(
            ERROR,
            check,
            f"{where} does not know the model {model!r} (HTTP {status}: {message})",
            fix="set ai_summary.model to a model this endpoint serves (its /models list)",
        )
    if status == 401:
        return Finding(
            ERROR,
            check,
            f"{where} rejected the key in {key_env} (HTTP 401: {message})",
            fix=f"put a valid key in the {key_env} secret (Settings → Secrets and variables → Actions)",
        )
    if status == 403:
        return Finding(
            ERROR,
            check,
            f"{where} refused the key in {key_env} for model {model!r} (HTTP 403: {message})",
            fix="check the key's permissions and the account's access to the model",
        )
    if status == 404:
        return Finding(
            ERROR,
            check,
            f"{where} has no chat-completions API (HTTP 404: {message})",
            fix=f"check {setting}: it ends in /v1 for most servers",
        )
    if status == 429:
        return Finding(
            WARNING,
            check,
            f"{where} accepted the request but is rate-limiting it or the quota is used up (HTTP 429: {message})",
            fix="check the account's quota and billing; the nightly run retries",
        )
    if status >= 500:
        return Finding(WARNING, check, f"{where} failed (HTTP {status}: {message})", fix="rerun doctor later; the nightly run retries")
    return Finding(
        WARNING,
        check,
        f"{where} answered HTTP {status} to a one-token test request: {message}",
        fix="check ai_summary.model and the endpoint's documentation",
    )


# -- the archive ------------------------------------------------------------------------------


def read_page(kind: str, text: str, source: str) -> Paper | None:
    """Parse one page as the generator will (one read through generator.archive.records); ArchiveError when it cannot.

    A paper page gives its record (its summary is checked next), other pages None.
    """
    if kind == "paper":
        return records.read_paper(text, source)
    if kind == "day":
        records.read_day(text, source)
    else:
        try:
            load_records(text, source)
        except ValueError as exc:
            raise ArchiveError(str(exc), fix=f"restore the file with `git checkout -- {source}`") from None
    return None


def summary_shows_nothing(paper: Paper) -> bool:
    """A paper whose front matter names a summary, but whose body the site renders to no text at all."""
    return paper.summary is not None and not html_text(render_summary_html(paper.summary.markdown)).strip()


def unshown_summary(path: Path, paper: Paper) -> Finding:
    return Finding(
        WARNING, "archive",
        f"{path}: its AI summary shows nothing on the site (front matter key `summary` is set, but the body is empty "
        "or holds only what the site drops: raw HTML inside Markdown, comments, images)",
        fix=f"write the summary's text as Markdown below the front matter of {path}, "
        f"or make a new one with `python -m generator resummarize --id {paper.arxiv_id} --force`",
    )  # fmt: skip


def _format_of(text: str, source: str) -> int | None:
    """The format version of a page that failed to read, or None when even its front matter is broken."""
    try:
        return records.page_format(records.split_front_matter(text, source)[0], source)
    except ArchiveError:
        return None


def check_archive(docs: Path, days_back: int | None = None) -> list[Finding]:
    """Every page under docs/papers, docs/days and docs/runs parses, in the current format (one read each)."""
    counts = {"paper": 0, "day": 0, "runs": 0}
    failures: list[ArchiveError] = []
    unshown: list[Finding] = []
    older: dict[int, int] = {}
    newer: dict[int, int] = {}
    for page in Archive(docs).pages("paper", "day", "runs"):  # never a killed run's leftovers (removed by the next run)
        kind, path = page.kind, page.path
        counts[kind] += 1
        try:
            text = page.read_text()
        except ArchiveError as err:
            failures.append(err)
            continue
        try:
            paper = read_page(kind, text, str(path))
            if paper is not None and summary_shows_nothing(paper):
                unshown.append(unshown_summary(path, paper))
        except ArchiveError as err:
            # Only a page that failed is read a second time, to tell an old format from damage.
            version = _format_of(text, str(path)) if kind != "runs" else None
            if version is not None and version < records.FORMAT:
                older[version] = older.get(version, 0) + 1
            elif version is not None and version > records.FORMAT:
                newer[version] = newer.get(version, 0) + 1
            else:
                failures.append(err)
    if not counts["paper"] and not counts["day"]:
        first = f"the first nightly run backfills days_back ({days_back}) days" if days_back else "the first nightly run starts it"
        return [Finding(OK, "archive", f"{docs} holds no pages yet: {first}")]
    findings = []

    def pages_are(n: int) -> str:
        return f"{n:,} page is" if n == 1 else f"{n:,} pages are"

    if older:
        versions = ", ".join(f"{n:,} in v{v}" for v, n in sorted(older.items()))
        older_pages = f"{pages_are(sum(older.values()))} in an older archive format ({versions}; this code reads v{records.FORMAT})"
        findings.append(Finding(
            WARNING, "archive", f"{older_pages}: `update` stops until they are upgraded",
            fix=f"run `python -m generator migrate --docs {docs}` (lossless, safe to rerun; the nightly workflow runs it before archiving)",
        ))  # fmt: skip
    if newer:
        versions = ", ".join(f"{n:,} in v{v}" for v, n in sorted(newer.items()))
        findings.append(
            Finding(
                ERROR,
                "archive",
                f"{pages_are(sum(newer.values()))} in a newer archive format ({versions}) than this code (v{records.FORMAT})",
                fix="update this repository's code (git pull)",
            )
        )
    findings += [Finding(ERROR, "archive", err.message, fix=err.fix) for err in failures[:ARCHIVE_ERRORS_SHOWN]]
    if len(failures) > ARCHIVE_ERRORS_SHOWN:
        findings.append(
            Finding(
                ERROR,
                "archive",
                f"{len(failures) - ARCHIVE_ERRORS_SHOWN} more pages cannot be read (first ones above)",
                fix="fix the first ones, then rerun doctor",
            )
        )
    findings += unshown[:ARCHIVE_ERRORS_SHOWN]
    if len(unshown) > ARCHIVE_ERRORS_SHOWN:
        findings.append(
            Finding(
                WARNING,
                "archive",
                f"{len(unshown) - ARCHIVE_ERRORS_SHOWN} more paper pages' AI summaries show nothing on the site (first ones above)",
                fix="fix the first ones, then rerun doctor",
            )
        )
    pages = f"{counts['paper']:,} paper pages, {counts['day']:,} day pages and {counts['runs']:,} run-record files"
    if failures:
        findings.append(Finding(ERROR, "archive", f"{len(failures):,} of the {pages} in {docs} cannot be read"))
    elif not older and not newer:
        findings.append(Finding(OK, "archive", f"{pages} in {docs}, all readable, format v{records.FORMAT}"))
    return findings


# -- all of it ----------------------------------------------------------------------------


def diagnose(
    config_path: str | os.PathLike[str],
    docs: Path,
    *,
    offline: bool = False,
    environ: Mapping[str, str] | None = None,
    report: Callable[[Finding], None] = lambda finding: None,
) -> list[Finding]:
    """Run every check; `report` sees each finding as soon as it is made (the CLI prints it)."""
    environ = os.environ if environ is None else environ
    findings: list[Finding] = []

    def add(*new: Finding) -> None:
        for finding in new:
            findings.append(finding)
            report(finding)

    try:
        config = load_config(config_path, environ)
    except ConfigError as err:
        add(Finding(ERROR, "config", err.message, fix=err.fix))
        add(*check_archive(Path(docs)))
        return findings
    add(Finding(OK, "config", f"{config_path} is valid ({len(config.categories)} categories, {len(config.keywords)} keywords)"))
    add(*deprecated_keys(config))
    add(*check_addresses(config, environ))
    if offline:
        add(Finding(SKIPPED, "feed endpoint", f"{feed_url(config)} not checked (--offline)"))
        add(Finding(SKIPPED, "API endpoint", f"{config.arxiv.api_url} not checked (--offline)"))
    else:
        effective = replace(
            config,
            arxiv=replace(
                config.arxiv,
                user_agent=effective_user_agent(config, environ),
                max_retries=0,
                timeout=min(config.arxiv.timeout, NETWORK_TIMEOUT),
            ),
        )
        session = make_session(effective)
        add(check_feed(session, effective))
        add(check_api(session, effective))
    add(check_llm(config, environ, offline=offline))
    add(*check_archive(Path(docs), config.days_back))
    return findings


def deprecated_keys(config: Config) -> list[Finding]:
    """A warning per key config.yml still uses although its declaration says it is on its way out."""
    return [Finding(WARNING, "config", old.message(config.path), fix=old.fix) for old in config.deprecated]


def summary_line(findings: list[Finding]) -> str:
    errors = sum(f.level == ERROR for f in findings)
    warnings = sum(f.level == WARNING for f in findings)
    verdict = "not ready: fix the errors above" if errors else "no errors; read the warnings above" if warnings else "ready"
    return f"doctor: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}: {verdict}"
