"""Shared test helpers: recorded arXiv data, loopback servers, configs, CLI runs."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.night.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "arxiv"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """{relative path: (sha256, mtime_ns)} of every file under folder."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[str(path.relative_to(folder))] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return out


@pytest.fixture
def write_config(tmp_path):
    """Write a config.yml from the repository's, with overrides; return its path."""

    def write(name: str = "config.yml", text: str | None = None, **overrides) -> Path:
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
            return path
        data = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
        data["days_back"] = 0
        data["arxiv"]["max_retries"] = 2
        for key, value in overrides.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key].update(value)
            else:
                data[key] = value
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path

    return write


@pytest.fixture
def arxiv_env(httpserver, monkeypatch):
    """Point every ARXIV_* endpoint at the loopback server; no delay between requests."""
    base = httpserver.url_for("")
    monkeypatch.setenv("ARXIV_FEED_URL", base + "rss/{categories}")
    monkeypatch.setenv("ARXIV_API_URL", base + "api/query")
    monkeypatch.setenv("ARXIV_PDF_URL", base + "pdf/{id}")
    monkeypatch.setenv("ARXIV_REQUEST_DELAY", "0")
    for name in ("LLM_BASE_URL", "DASHSCOPE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return httpserver


def serve_empty_api(httpserver) -> None:
    """The API's recorded 'no results' answer for every query not otherwise handled."""
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("api2026_empty_totalResults0_idlist_0000.0000.xml"), content_type="application/atom+xml"
    )


class FakeClock:
    """Stands in for time.sleep where the code takes a `sleep=` (generator.night.cli.main, PoliteSession, the LLM client).

    Records each wait a run asks for and returns at once: a retry costs no real time, and a
    test can say how long the run would have waited (Retry-After honoured, backoff bounded).
    """

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def cli_runner(capsys, sleep: Callable[[float], None] = time.sleep) -> Callable[..., tuple[int, str]]:
    """Run `python -m generator ...` in-process, waiting with `sleep`; return (exit code, stderr)."""

    def run(*args: str) -> tuple[int, str]:
        code = main([str(a) for a in args], sleep=sleep)
        return code, capsys.readouterr().err

    return run


@pytest.fixture
def run_cli(capsys):
    """Run `python -m generator ...` in-process on the real clock; return (exit code, stderr).

    tests/night/conftest.py runs it on a FakeClock instead.
    """
    return cli_runner(capsys)


SLOW_FIXTURES = {"fixture_archive", "built_site", "browser"}
"""Fixtures that build an archive with the real CLI, run `mkdocs build` or start Chromium: a test asking for one is slow."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` (left out of `make test-fast`) every browser test and every test that needs a built site.

    Modules slow for other reasons (their own site builds, subprocesses, SIGKILL) say so with
    `pytestmark = pytest.mark.slow`.
    """
    browser_tests = ROOT / "tests" / "browser"
    for item in items:
        if browser_tests in Path(item.path).parents or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # Loopback servers must be reached directly even where a proxy is configured.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield
    os.environ.pop("PYTEST_CURRENT_CONFIG", None)


# -- the site (generator/website/, mkdocs.yml): one fixture archive and one build per session ------------


@pytest.fixture(scope="session")
def fixture_archive(tmp_path_factory):
    """The demo archive (real CLI on recorded data) plus summaries, a hostile paper, an old-style id."""
    from tests.sitekit import make_fixture_archive

    return make_fixture_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="session")
def built_site(fixture_archive, tmp_path_factory):
    """`mkdocs build --strict` of the fixture archive: the site folder (the build log is site/../build.log)."""
    from tests.sitekit import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    result = build_site(fixture_archive.docs, fixture_archive.config, out)
    (out.parent / "build.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright (the test fails, never skips, when it is missing)."""
    from playwright.sync_api import sync_playwright

    from tests.sitekit import chromium_launch_options

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_launch_options())
        yield browser
        browser.close()
