"""`python -m generator doctor` and the addresses derived in GitHub Actions (issue 14).

Every finding is produced by the real command against real servers on 127.0.0.1:
the recorded arXiv feed and API (pytest-httpserver), an OpenAI-compatible loopback
LLM (tests/loopback.py FakeLLM) that answers a wrong key and an unknown model as
OpenAI does, a port nothing listens on, and archive pages broken on disk.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from generator.archive.migrate import migrate
from generator.config import load_config
from generator.config.addresses import effective_site_url, effective_user_agent, pages_url, with_effective_addresses
from generator.night.cli import main
from tests.conftest import ROOT, fixture_bytes, serve_empty_api
from tests.loopback import FakeLLM

FEED = "rss_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed4.xml"
CATEGORIES = "cs.AI+cs.CL+cs.DC+cs.LG"
KEY = "sk-doctor-test-0123456789abcdef"
ACTIONS = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "Alice-Lab/arxiv-daily"}
V1_ARCHIVE = ROOT / "tests" / "fixtures" / "archive-v1" / "docs"


@pytest.fixture(autouse=True)
def _outside_actions(monkeypatch):
    # The suite itself runs in GitHub Actions (ci.yml): start every test outside it.
    for name in ("GITHUB_ACTIONS", "GITHUB_REPOSITORY", "GITHUB_SERVER_URL", "DASHSCOPE_API_KEY", "LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def doctor(capsys):
    """Run `python -m generator doctor ...` in-process; return (exit code, {check: [lines]}, output)."""

    def run(*args) -> tuple[int, dict[str, list[str]], str]:
        code = main(["doctor", *map(str, args)])
        out = capsys.readouterr().out
        by_check: dict[str, list[str]] = {}
        for line in out.splitlines()[:-1]:
            check = line[9:].split(":", 1)[0]
            by_check.setdefault(check, []).append(line)
        return code, by_check, out

    return run


def serve_arxiv(server) -> None:
    server.expect_request(f"/rss/{CATEGORIES}").respond_with_data(fixture_bytes(FEED), content_type="application/rss+xml")
    server.expect_request("/api/query").respond_with_data(
        fixture_bytes("api2026_search_cat_cs.CL_max3.xml"), content_type="application/atom+xml"
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_fresh_fork_is_warned_about_its_placeholders_and_may_run(tmp_path, write_config, doctor):
    code, found, out = doctor("--config", write_config(days_back=7), "--docs", tmp_path / "docs", "--offline")
    assert code == 0, out
    [site] = found["site.url"]
    assert site.startswith("warning  site.url: https://example.github.io/arxiv-daily/ is the placeholder")
    assert "fix: set site.url in config.yml to your site's address, https://<you>.github.io/<repo>/" in site
    [agent] = found["arxiv.user_agent"]
    assert agent.startswith(
        "warning  arxiv.user_agent: 'arxiv-daily-archive/1.0 (+https://github.com/example/arxiv-daily)' names no repository of yours"
    )
    assert "fix: put your repository's URL in arxiv.user_agent" in agent
    assert found["config"][0].startswith("ok       config: ")
    assert found["feed endpoint"][0].startswith("skipped  feed endpoint: ") and found["API endpoint"][0].startswith("skipped  ")
    assert found["archive"] == [
        f"ok       archive: {tmp_path / 'docs'} holds no pages yet: the first nightly run backfills days_back (7) days"
    ]
    assert out.splitlines()[-1] == "doctor: 0 errors, 3 warnings: no errors; read the warnings above"


def test_in_actions_the_placeholders_become_the_repositorys_addresses(tmp_path, write_config, doctor, monkeypatch):
    for name, value in ACTIONS.items():
        monkeypatch.setenv(name, value)
    code, found, out = doctor("--config", write_config(), "--docs", tmp_path / "docs", "--offline")
    assert found["site.url"] == [
        "ok       site.url: left at the placeholder; this run uses https://alice-lab.github.io/arxiv-daily/, the Pages address of "
        "Alice-Lab/arxiv-daily"
    ]
    assert found["arxiv.user_agent"] == [
        "ok       arxiv.user_agent: left at the placeholder; this run sends 'arxiv-daily-archive/1.0 (+https://github.com/Alice-Lab/arxiv-daily)'"
    ]
    assert code == 0, out


def test_in_actions_another_forks_pages_address_is_an_error(tmp_path, write_config, doctor, monkeypatch):
    # The fork kept its upstream's address: feeds and citations would point at someone else's site.
    for name, value in ACTIONS.items():
        monkeypatch.setenv(name, value)
    config = write_config(site={"url": "https://bob.github.io/arxiv-daily/"})
    code, found, out = doctor("--config", config, "--docs", tmp_path / "docs", "--offline")
    assert code == 1, out
    assert found["site.url"] == [
        "error    site.url: https://bob.github.io/arxiv-daily/ is not the Pages address of Alice-Lab/arxiv-daily "
        "(https://alice-lab.github.io/arxiv-daily/): it is another GitHub Pages site; fix: set site.url in config.yml to "
        "https://alice-lab.github.io/arxiv-daily/ (or to https://example.github.io/arxiv-daily/, which Actions replaces with it)"
    ]
    assert out.splitlines()[-1] == "doctor: 1 error, 1 warning: not ready: fix the errors above"


@pytest.mark.parametrize(
    "url,level",
    [
        ("https://alice-lab.github.io/arxiv-daily", "ok"),  # no trailing slash, same site
        ("https://Alice-Lab.github.io/arxiv-daily/", "ok"),  # host names are case-insensitive
        ("https://papers.alice.example/", "ok"),  # a custom domain
        ("https://alice-lab.github.io/other-repo/", "error"),
    ],
)
def test_the_pages_address_check_accepts_equivalent_addresses_and_custom_domains(tmp_path, write_config, doctor, monkeypatch, url, level):
    for name, value in ACTIONS.items():
        monkeypatch.setenv(name, value)
    code, found, _ = doctor("--config", write_config(site={"url": url}), "--docs", tmp_path / "docs", "--offline")
    assert found["site.url"][0].startswith(f"{level:<8} site.url: {url}")
    assert code == (1 if level == "error" else 0)


def test_pages_addresses_of_project_and_root_sites():
    assert pages_url("Alice-Lab/arxiv-daily") == "https://alice-lab.github.io/arxiv-daily/"
    assert pages_url("Alice-Lab/alice-lab.github.io") == "https://alice-lab.github.io/"
    assert pages_url("Alice-Lab/Alice-Lab.github.io") == "https://alice-lab.github.io/"


def test_addresses_are_derived_only_in_actions_and_only_from_placeholders(write_config):
    config = load_config(write_config())
    assert effective_site_url(config, {}) == "https://example.github.io/arxiv-daily/"
    assert effective_site_url(config, {"GITHUB_REPOSITORY": "a/b"}) == "https://example.github.io/arxiv-daily/"  # not in Actions
    assert effective_site_url(config, ACTIONS) == "https://alice-lab.github.io/arxiv-daily/"
    assert (
        effective_site_url(config, {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "alice/alice.github.io"}) == "https://alice.github.io/"
    )
    assert effective_user_agent(config, ACTIONS) == "arxiv-daily-archive/1.0 (+https://github.com/Alice-Lab/arxiv-daily)"
    assert (
        effective_user_agent(config, {**ACTIONS, "GITHUB_SERVER_URL": "https://ghe.example.com"})
        == "arxiv-daily-archive/1.0 (+https://ghe.example.com/Alice-Lab/arxiv-daily)"
    )
    own = load_config(
        write_config(site={"url": "https://papers.example.org/"}, arxiv={"user_agent": "mine/1.0 (+https://github.com/me/x)"})
    )
    assert effective_site_url(own, ACTIONS) == "https://papers.example.org/"
    assert effective_user_agent(own, ACTIONS) == "mine/1.0 (+https://github.com/me/x)"
    assert with_effective_addresses(own, ACTIONS) == (own, [])
    derived, notes = with_effective_addresses(config, ACTIONS)
    assert derived.site.url == "https://alice-lab.github.io/arxiv-daily/" and len(notes) == 2


def test_an_update_in_actions_sends_the_derived_user_agent_and_says_so(tmp_path, arxiv_env, write_config, run_cli, monkeypatch):
    for name, value in ACTIONS.items():
        monkeypatch.setenv(name, value)
    arxiv_env.expect_request("/rss/quant-ph").respond_with_data(
        fixture_bytes("rss_quant-ph_2025-04-28.xml"), content_type="application/rss+xml"
    )
    serve_empty_api(arxiv_env)
    config = write_config(categories=["quant-ph"], keywords=["quantum"], min_score=1, max_papers=3)
    code, err = run_cli("update", "--config", config, "--docs", tmp_path / "docs")
    assert code == 0, err
    assert {request.headers["User-Agent"] for request, _ in arxiv_env.log} == {
        "arxiv-daily-archive/1.0 (+https://github.com/Alice-Lab/arxiv-daily)"
    }
    assert (
        "site.url is the placeholder; using https://alice-lab.github.io/arxiv-daily/, the Pages address of Alice-Lab/arxiv-daily "
        "(GITHUB_REPOSITORY)" in err
    )
    assert "arxiv.user_agent is the placeholder; sending 'arxiv-daily-archive/1.0 (+https://github.com/Alice-Lab/arxiv-daily)'" in err


# -- endpoints -------------------------------------------------------------------------------


def test_a_ready_setup_is_all_ok(tmp_path, arxiv_env, write_config, doctor, monkeypatch):
    serve_arxiv(arxiv_env)
    config = write_config(
        site={"url": "https://alice-lab.github.io/arxiv-daily/"},
        arxiv={"user_agent": "arxiv-daily-archive/1.0 (+https://github.com/Alice-Lab/arxiv-daily)"},
    )
    with FakeLLM(models={"qwen-long"}, keys={KEY}) as llm:
        monkeypatch.setenv("LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
        code, found, out = doctor("--config", config, "--docs", tmp_path / "docs")
    assert code == 0, out
    assert all(line.startswith("ok ") for lines in found.values() for line in lines), out
    assert found["feed endpoint"] == [
        f"ok       feed endpoint: {arxiv_env.url_for('/rss/' + CATEGORIES)}: an announcement feed of 2026-09-24 with 4 announcements"
    ]
    assert found["API endpoint"][0].startswith(f"ok       API endpoint: {arxiv_env.url_for('/api/query')}: the API's Atom feed")
    assert found["summaries"] == [
        f"ok       summaries: LLM endpoint {llm.base_url} accepts the key in DASHSCOPE_API_KEY and answers as qwen-long"
    ]
    # One request to each: the feed, the API, and a one-token completion.
    assert [request.path for request, _ in arxiv_env.log] == [f"/rss/{CATEGORIES}", "/api/query"]
    assert arxiv_env.log[1][0].args["max_results"] == "1"
    assert len(llm.requests) == 1 and llm.requests[0].body["max_tokens"] == 1
    assert KEY not in out


def test_a_feed_endpoint_answering_a_web_page_is_an_error(tmp_path, arxiv_env, write_config, doctor):
    # A mirror address that lands on the mirror's home page answers 200 with HTML.
    arxiv_env.expect_request(f"/rss/{CATEGORIES}").respond_with_data(
        "<!DOCTYPE html><html><body>Welcome</body></html>", content_type="text/html"
    )
    arxiv_env.expect_request("/api/query").respond_with_data("<html><body>Not here</body></html>", status=404, content_type="text/html")
    code, found, out = doctor("--config", write_config(), "--docs", tmp_path / "docs")
    assert code == 1, out
    assert found["feed endpoint"] == [
        f"error    feed endpoint: {arxiv_env.url_for('/rss/' + CATEGORIES)} answered HTTP 200 with an HTML page, not an RSS feed; "
        "fix: set ARXIV_FEED_URL (or arxiv.feed_url in config.yml) to https://rss.arxiv.org/rss/{categories} or a mirror of it"
    ]
    assert found["API endpoint"][0].startswith(
        f"error    API endpoint: {arxiv_env.url_for('/api/query')} answered HTTP 404 with an HTML page, not the API's Atom feed; fix: set "
        "ARXIV_API_URL"
    )


def test_an_api_endpoint_answering_a_web_page_with_200_is_an_error(tmp_path, arxiv_env, write_config, doctor):
    # A proxy's or mirror's home page, status 200: the API check reads the answer, not its status.
    arxiv_env.expect_request(f"/rss/{CATEGORIES}").respond_with_data(fixture_bytes(FEED), content_type="application/rss+xml")
    arxiv_env.expect_request("/api/query").respond_with_data("<!DOCTYPE html><html><body>Welcome</body></html>", content_type="text/html")
    code, found, out = doctor("--config", write_config(), "--docs", tmp_path / "docs")
    assert code == 1, out
    assert found["feed endpoint"][0].startswith("ok "), out
    assert found["API endpoint"][0].startswith(
        f"error    API endpoint: {arxiv_env.url_for('/api/query')} answered HTTP 200 with an HTML page, not the API's Atom feed; fix: set "
        "ARXIV_API_URL"
    )


def test_arxivs_error_feed_and_error_entry_are_errors(tmp_path, arxiv_env, write_config, doctor):
    arxiv_env.expect_request(f"/rss/{CATEGORIES}").respond_with_data(
        fixture_bytes("rss_error_bad_archive_astroph_2024-11-28.xml"), content_type="application/rss+xml"
    )
    arxiv_env.expect_request("/api/query").respond_with_data(
        fixture_bytes("api2026_error_http400_idlist_abc.xml"), status=400, content_type="application/atom+xml"
    )
    code, found, out = doctor("--config", write_config(), "--docs", tmp_path / "docs")
    assert code == 1, out
    assert "arXiv answered with an error feed" in found["feed endpoint"][0] and found["feed endpoint"][0].startswith("error ")
    assert "answered with arXiv's error entry" in found["API endpoint"][0] and found["API endpoint"][0].startswith("error ")


def test_endpoints_refusing_connections_are_errors_naming_the_setting(tmp_path, arxiv_env, write_config, doctor, monkeypatch):
    port = closed_port()
    monkeypatch.setenv("ARXIV_FEED_URL", f"http://127.0.0.1:{port}/rss/{{categories}}")
    monkeypatch.setenv("ARXIV_API_URL", f"http://127.0.0.1:{port}/api/query")
    monkeypatch.setenv("LLM_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    code, found, out = doctor("--config", write_config(), "--docs", tmp_path / "docs")
    assert code == 1, out
    assert found["feed endpoint"] == [
        f"error    feed endpoint: http://127.0.0.1:{port}/rss/{CATEGORIES}: connection refused; fix: check ARXIV_FEED_URL (arxiv.feed_url "
        "in config.yml)"
    ]
    assert found["API endpoint"] == [
        f"error    API endpoint: http://127.0.0.1:{port}/api/query: connection refused; fix: check ARXIV_API_URL (arxiv.api_url in "
        "config.yml)"
    ]
    assert found["summaries"] == [
        f"error    summaries: LLM endpoint http://127.0.0.1:{port}/v1: connection refused; fix: check LLM_BASE_URL (or ai_summary.base_url "
        "in config.yml)"
    ]
    assert "throttl" not in out and KEY not in out


def test_a_busy_arxiv_is_a_warning_not_a_failed_night(tmp_path, arxiv_env, write_config, doctor):
    # The nightly run retries a 503 with backoff; the doctor sends one request and must not fail the night for it.
    arxiv_env.expect_request(f"/rss/{CATEGORIES}").respond_with_data("busy", status=503, headers={"Retry-After": "600"})
    arxiv_env.expect_request("/api/query").respond_with_data(fixture_bytes("api2026_search_cat_cs.CL_max3.xml"))
    code, found, out = doctor("--config", write_config(), "--docs", tmp_path / "docs")
    assert found["feed endpoint"][0].startswith("warning  feed endpoint: ") and "HTTP 503" in found["feed endpoint"][0]
    assert [request.path for request, _ in arxiv_env.log] == [f"/rss/{CATEGORIES}", "/api/query"]  # no retry, no 600 s wait
    assert code == 0, out


# -- the LLM -------------------------------------------------------------------------------------


def test_a_missing_key_is_a_warning_with_the_secret_to_add(tmp_path, write_config, doctor):
    code, found, out = doctor("--config", write_config(), "--docs", tmp_path / "docs", "--offline")
    assert found["summaries"] == [
        "warning  summaries: the environment variable DASHSCOPE_API_KEY (ai_summary.api_key_env) is not set, "
        "so nightly runs make no AI summaries; "
        "fix: add a repository secret named DASHSCOPE_API_KEY (Settings → Secrets and variables → Actions) or export it locally; "
        "or set ai_summary.enabled: false"
    ]
    assert code == 0, out


def test_a_model_the_endpoint_does_not_know_is_an_error(tmp_path, write_config, doctor, monkeypatch):
    with FakeLLM(models={"qwen-long", "qwen-max"}) as llm:
        monkeypatch.setenv("LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
        code, found, out = doctor("--config", write_config(ai_summary={"model": "qwen-lnog"}), "--docs", tmp_path / "docs", "--offline")
        assert llm.requests == []  # --offline sends nothing
        assert found["summaries"][0].startswith("skipped ")
        code, found, out = doctor("--config", write_config(ai_summary={"model": "qwen-lnog"}), "--docs", tmp_path / "docs")
    assert code == 1, out
    assert found["summaries"] == [
        f"error    summaries: LLM endpoint {llm.base_url} does not know the model 'qwen-lnog' (HTTP 404: The model `qwen-lnog` does not "
        "exist "
        "or you do not have access to it.); fix: set ai_summary.model to a model this endpoint serves (its /models list)"
    ]


def test_a_rejected_key_is_an_error_and_never_printed(tmp_path, write_config, doctor, monkeypatch):
    with FakeLLM(keys={"sk-the-right-one"}) as llm:
        monkeypatch.setenv("LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
        code, found, out = doctor("--config", write_config(), "--docs", tmp_path / "docs")
    assert code == 1, out
    assert found["summaries"][0].startswith(
        f"error    summaries: LLM endpoint {llm.base_url} rejected the key in DASHSCOPE_API_KEY (HTTP 401: Incorrect API key provided"
    )
    assert "fix: put a valid key in the DASHSCOPE_API_KEY secret" in found["summaries"][0]
    assert KEY not in out


# -- the config and the archive ---------------------------------------------------------------


def test_an_invalid_config_is_an_error_and_the_archive_is_still_checked(tmp_path, write_config, doctor):
    code, found, out = doctor("--config", write_config(categories=["cs.lg"]), "--docs", tmp_path / "docs", "--offline")
    assert code == 1, out
    [config] = found["config"]
    assert config.startswith("error    config: ") and "'cs.lg' is not an arXiv category" in config and "did you mean cs.LG?" in config
    assert "archive" in found


@pytest.fixture
def v2_archive(tmp_path) -> Path:
    """The v1 fixture archive, upgraded by `migrate` (46 papers, 5 days, 1 run-record file)."""
    docs = tmp_path / "archive" / "docs"
    shutil.copytree(V1_ARCHIVE, docs)
    migrate(docs)
    return docs


def test_an_unparsable_page_is_an_error_naming_the_file(v2_archive, write_config, doctor):
    docs = v2_archive
    paper = docs / "papers" / "2504" / "2504.18298.md"
    paper.write_text(paper.read_text(encoding="utf-8").replace("\n---\n", "\n", 1), encoding="utf-8")  # front matter never closed
    day = docs / "days" / "2026" / "2026-09-24.md"
    day.write_text("---\nformat: 2\ntitle: [unclosed\n---\n", encoding="utf-8")
    code, found, out = doctor("--config", write_config(), "--docs", docs, "--offline")
    assert code == 1, out
    lines = found["archive"]
    assert (
        lines[0] == f"error    archive: {paper}: front matter is not closed by '---'; fix: restore the page with `git checkout -- {paper}`"
    )
    assert lines[1].startswith(f"error    archive: {day}: front matter is not valid YAML")
    assert lines[-1].startswith("error    archive: 2 of the 46 paper pages, 5 day pages and 1 run-record files in ")


def test_a_page_missing_a_key_is_an_error_naming_the_key(v2_archive, write_config, doctor):
    paper = v2_archive / "papers" / "2609" / "2609.26811.md"
    paper.write_text(paper.read_text(encoding="utf-8").replace("\narxiv_id: ", "\nid: ", 1), encoding="utf-8")
    code, found, out = doctor("--config", write_config(), "--docs", v2_archive, "--offline")
    assert code == 1, out
    assert found["archive"][0].startswith(f"error    archive: {paper}: ") and "arxiv_id" in found["archive"][0]


def test_a_readable_archive_is_ok(v2_archive, write_config, doctor):
    code, found, out = doctor("--config", write_config(), "--docs", v2_archive, "--offline")
    assert found["archive"] == [
        f"ok       archive: 46 paper pages, 5 day pages and 1 run-record files in {v2_archive}, all readable, format v2"
    ]
    assert code == 0, out


def test_an_archive_in_the_old_format_is_a_warning_naming_migrate(write_config, doctor):
    # The nightly workflow migrates before archiving, so an old format must not stop it at the doctor.
    code, found, out = doctor("--config", write_config(), "--docs", V1_ARCHIVE, "--offline")
    assert found["archive"] == [
        "warning  archive: 51 pages are in an older archive format (51 in v1; this code reads v2): `update` stops until they are upgraded; "
        f"fix: run `python -m generator migrate --docs {V1_ARCHIVE}` (lossless, safe to rerun; the nightly workflow runs it before "
        "archiving)"
    ]
    assert code == 0, out


def test_a_page_in_a_newer_format_is_an_error(v2_archive, write_config, doctor):
    day = v2_archive / "days" / "2026" / "2026-09-25.md"
    day.write_text(day.read_text(encoding="utf-8").replace("format: 2\n", "format: 3\n", 1), encoding="utf-8")
    code, found, out = doctor("--config", write_config(), "--docs", v2_archive, "--offline")
    assert code == 1, out
    assert (
        found["archive"][0]
        == "error    archive: 1 page is in a newer archive format (1 in v3) than this code (v2); fix: update this repository's code (git "
        "pull)"
    )


SUMMARY_META = "summary:\n  model: qwen-long\n  input: abstract\n  prompt_sha256: '0'\n  created: '2026-09-24T06:00:00Z'\n  version: 1\n"


def with_summary_body(page: Path, body: str) -> None:
    """The page with a `summary` key (if it had none) and `body` as its whole body."""
    meta, _ = page.read_text(encoding="utf-8").split("\n---\n", 1)
    if "\nsummary:\n" not in meta + "\n":
        meta += "\n" + SUMMARY_META.rstrip("\n")
    page.write_text(f"{meta}\n---\n{body}", encoding="utf-8")


def test_a_summary_that_shows_nothing_on_the_site_is_a_warning_per_page(v2_archive, write_config, doctor):
    # Issue 20: a summary the site's renderer turns into no text is silently missing from its page.
    papers = v2_archive / "papers"
    empty, comment, image = papers / "2609/2609.26811.md", papers / "2504/2504.17837.md", papers / "2604/2604.26837.md"
    with_summary_body(empty, "")
    with_summary_body(comment, "\n<!-- the summary was here -->\n")
    with_summary_body(image, "\n![a figure](https://example.org/figure.png)\n")
    code, found, out = doctor("--config", write_config(), "--docs", v2_archive, "--offline")
    assert code == 0, out  # a warning: the night can run, the fix is the reader's call
    lines = found["archive"]
    expected = sorted([comment, empty, image], key=lambda p: p.relative_to(papers).as_posix())
    assert len(lines) == 4 and lines[-1].startswith("ok       archive: 46 paper pages"), lines
    for line, page in zip(lines, expected):
        arxiv_id = page.stem
        assert line == (
            f"warning  archive: {page}: its AI summary shows nothing on the site (front matter key `summary` is set, but the body is empty "
            "or holds only what the site drops: raw HTML inside Markdown, comments, images); "
            f"fix: write the summary's text as Markdown below the front matter of {page}, "
            f"or make a new one with `python -m generator resummarize --id {arxiv_id} --force`"
        )
    # The migrated archive's summaries kept as v1 HTML show their text: no warning for them (tests/archive/test_migrate.py).
    assert "2609.99901" not in out and "9901001" not in out


def test_many_summaries_that_show_nothing_are_listed_up_to_ten_then_counted(v2_archive, write_config, doctor):
    pages = sorted((v2_archive / "papers" / "2504").glob("*.md"))[:12]
    for page in pages:
        with_summary_body(page, "")
    code, found, out = doctor("--config", write_config(), "--docs", v2_archive, "--offline")
    lines = found["archive"]
    assert [line.split(":", 2)[1].strip() for line in lines[:10]] == [str(p) for p in pages[:10]]
    assert (
        lines[10]
        == "warning  archive: 2 more paper pages' AI summaries show nothing on the site (first ones above); fix: fix the first ones, then "
        "rerun doctor"
    )
    assert code == 0, out
