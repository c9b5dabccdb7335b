"""Ranking by the reader's own papers (config `interests`): BibTeX, the arXiv API cache, selection."""

from __future__ import annotations

import dataclasses
import datetime as dt

import yaml
from werkzeug import Request, Response

from generator.archive.paths import day_path, paper_path
from generator.archive.records import split_front_matter
from generator.archive.store import Archive
from generator.arxiv.api import ApiClient, make_session
from generator.arxiv.feed import parse_announcements
from generator.config import load_config
from generator.night.pipeline import Pipeline
from generator.night.progress import Progress
from generator.ranking.interests import cache_file, entry_arxiv_id, fetch_interest_papers, read_bibtex, read_cache
from generator.ranking.selection import rank_value, select
from generator.ranking.similarity import words
from tests.conftest import FIXTURES, ROOT, fixture_bytes

QUANT_PH = "rss_quant-ph_2025-04-28.xml"
DAY = dt.date(2025, 4, 28)
ZOTERO = ROOT / "tests" / "fixtures" / "interests" / "zotero_export.bib"
ANSWERS = {
    # id_list query -> recorded API answer
    "quant-ph/0201082": "api2026_idlist_quant-ph_0201082v1.xml",
    "0808.05394,1707.08567": "api2026_idlist_0808.05394_1707.08567.xml",
}


def serve_arxiv(server, interest_queries: list[str]) -> None:
    """The quant-ph day's feed; the API answers interest queries from recordings, anything else (enrichment) with 'no results'."""
    server.expect_request("/rss/quant-ph").respond_with_data(fixture_bytes(QUANT_PH), content_type="application/rss+xml")

    def api(request: Request) -> Response:
        id_list = request.args.get("id_list", "")
        if id_list in ANSWERS:
            interest_queries.append(id_list)
            return Response(fixture_bytes(ANSWERS[id_list]), content_type="application/atom+xml")
        return Response(fixture_bytes("api2026_empty_totalResults0_idlist_0000.0000.xml"), content_type="application/atom+xml")

    server.expect_request("/api/query").respond_with_handler(api)


def interest_config(write_config, **overrides):
    base = {
        "categories": ["quant-ph"],
        "keywords": [],
        "min_score": 1.5,
        "max_papers": 10,
        "interests": {"papers": ["quant-ph/0201082"], "min_similarity": 0.03},
    }
    base.update(overrides)
    return write_config(**base)


def day_ids(docs) -> list[str]:
    meta, _ = split_front_matter((docs / day_path(DAY)).read_text(encoding="utf-8"), "day")
    return [str(i) for i in meta["papers"]]


# -- BibTeX ---------------------------------------------------------------------


def test_a_zotero_export_gives_its_arxiv_ids_and_names_the_entries_it_skips():
    bib = read_bibtex(ZOTERO)
    # Zotero 7 preprint (url, doi, note) and Zotero 6 journal article (journal = {arXiv:ID [cs]}).
    assert bib.ids == ("1707.08567", "0808.05394")
    assert bib.skipped == ("cover_elements_2006", "shannon_mathematical_1948")


def test_arxiv_ids_in_the_shapes_other_exporters_write():
    # Better BibTeX / arXiv's own "Export BibTeX citation": eprint + archivePrefix.
    assert entry_arxiv_id({"eprint": "2401.12345", "archivePrefix": "arXiv", "journal": "arXiv preprint"}) == "2401.12345"
    assert entry_arxiv_id({"eprint": "hep-th/9901001v2", "eprinttype": "arxiv"}) == "hep-th/9901001"
    # Google Scholar: journal = {arXiv preprint arXiv:ID}.
    assert entry_arxiv_id({"journal": "arXiv preprint arXiv:2106.09685"}) == "2106.09685"
    assert entry_arxiv_id({"url": "https://arxiv.org/pdf/2106.09685v2.pdf"}) == "2106.09685"
    assert entry_arxiv_id({"doi": "10.48550/ARXIV.2211.06679"}) == "2211.06679"
    # An eprint of another server, and a journal paper, are not arXiv papers.
    assert entry_arxiv_id({"eprint": "hal-01234567", "archivePrefix": "HAL"}) is None
    assert entry_arxiv_id({"journal": "Physical Review A", "doi": "10.1103/PhysRevA.1.1"}) is None


def test_a_malformed_bibtex_file_is_one_line_naming_the_file_and_line(tmp_path, arxiv_env, write_config, run_cli):
    broken = tmp_path / "library.bib"
    text = ZOTERO.read_text(encoding="utf-8")
    # The third entry loses the brace that closes its title (a hand edit gone wrong).
    broken.write_text(
        text.replace("{Preprint} {Whose} {Identifier} was {Mistyped}},", "{Preprint} {Whose} {Identifier} was {Mistyped},"),
        encoding="utf-8",
    )
    line = text[: text.index("@article{lee_missing_2008")].count("\n") + 1
    config = interest_config(write_config, interests={"bibtex": "library.bib"})
    code, err = run_cli("update", "--config", config, "--docs", tmp_path / "docs")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {broken}:{line}: BibTeX syntax error") and "fix:" in lines[0]
    assert arxiv_env.log == []  # stopped before any request
    assert not (tmp_path / "docs").exists()


def test_a_missing_bibtex_file_is_a_config_error(tmp_path, write_config):
    config = interest_config(write_config, interests={"bibtex": "nowhere.bib"})
    try:
        load_config(config, environ={})
    except Exception as exc:  # noqa: BLE001 - the message is what is checked
        message = str(exc)
    assert message.startswith(f"{config}:") and "interests.bibtex" in message and "nowhere.bib is not a file" in message


# -- the night --------------------------------------------------------------------


def test_interests_alone_select_and_rank_a_day_without_keywords(tmp_path, arxiv_env, write_config, run_cli):
    queries: list[str] = []
    serve_arxiv(arxiv_env, queries)
    docs = tmp_path / "docs"
    config_path = interest_config(write_config)
    code, err = run_cli("update", "--config", config_path, "--docs", docs)
    assert code == 0, err
    assert queries == ["quant-ph/0201082"]  # the interest paper was fetched once
    listed = day_ids(docs)
    assert 0 < len(listed) <= 10
    # The run report says how many papers similarity alone listed: here, all of them.
    assert f"listed for their similarity {len(listed)}" in " ".join(err.split())

    # The same day in memory: every listed paper carries its interest, best first.
    config = load_config(config_path, environ={"ARXIV_API_URL": arxiv_env.url_for("/api/query"), "ARXIV_REQUEST_DELAY": "0"})
    pipeline = Pipeline.create(config, docs, "update", Progress(None))
    announcements = parse_announcements(fixture_bytes(QUANT_PH), source=QUANT_PH).announcements
    record, _, report = pipeline.days.build(DAY, announcements)
    assert queries == ["quant-ph/0201082"]  # from the cache in docs/data/interests.yml: no second request
    assert [p.arxiv_id for p in record.papers] == listed
    sims = [p.interest.similarity for p in record.papers]
    assert sims == sorted(sims, reverse=True) and min(sims) >= 0.03
    assert all(p.interest.nearest == "quant-ph/0201082" for p in record.papers)
    assert record.papers[0].interest.nearest_title.startswith("Quantum Computers and Quantum Computer Languages")
    assert report.similar == len(listed)
    # Stored with each paper (format v2 front matter), as the day computed it.
    for paper in record.papers:
        meta, _ = split_front_matter((docs / paper_path(paper.arxiv_id)).read_text(encoding="utf-8"), paper.arxiv_id)
        assert meta["interest"] == {
            "similarity": paper.interest.similarity,
            "nearest": "quant-ph/0201082",
            "nearest_title": paper.interest.nearest_title,
        }
    # Similarity comes from shared words: each listed paper shares some with the interest paper.
    [interest] = pipeline.interests.papers
    interest_words = set(words(interest.title + " " + interest.abstract))
    assert all(interest_words & set(words(p.announcement.title + " " + p.announcement.abstract)) for p in record.papers)


def test_keywords_and_interests_combined(tmp_path, arxiv_env, write_config):
    serve_arxiv(arxiv_env, [])
    config = load_config(
        interest_config(
            write_config,
            keywords=["entanglement"],
            min_score=1.0,
            max_papers=40,
            interests={"papers": ["quant-ph/0201082"], "weight": 10, "min_similarity": 0.035},
        ),
        environ={"ARXIV_API_URL": arxiv_env.url_for("/api/query"), "ARXIV_REQUEST_DELAY": "0"},
    )
    client = ApiClient(make_session(config), config.arxiv.api_url)
    interests = fetch_interest_papers(client, ["quant-ph/0201082"])
    announcements = parse_announcements(fixture_bytes(QUANT_PH), source=QUANT_PH).announcements
    selection = select(announcements, config, {}, DAY, interests)
    by_keyword = [c for c in selection.listed if c.score.matched_keywords]
    by_similarity = [c for c in selection.listed if c.by_similarity]
    assert by_keyword and by_similarity and selection.listed_for_similarity == len(by_similarity)
    for candidate in selection.listed:
        # Listed for a keyword, or for similarity; never for neither.
        assert candidate.score.matched_keywords or candidate.interest.similarity >= 0.035
        assert candidate.by_similarity == (not candidate.score.matched_keywords)
    # Ranked by score + weight x similarity.
    values = [rank_value(c.score, c.interest, 10) for c in selection.listed]
    assert values == sorted(values, reverse=True)
    # Without interests the same config lists only the keyword matches, in score order.
    plain = select(announcements, dataclasses.replace(config, interests=dataclasses.replace(config.interests, papers=())), {}, DAY, ())
    assert {c.announcement.arxiv_id for c in plain.listed} == {c.announcement.arxiv_id for c in by_keyword}
    # Weight 0: similarity still selects, but no longer ranks (keyword matches come first).
    unweighted = select(
        announcements, dataclasses.replace(config, interests=dataclasses.replace(config.interests, weight=0.0)), {}, DAY, interests
    )
    scores = [c.score.value for c in unweighted.listed]
    assert scores == sorted(scores, reverse=True)


def test_an_id_arxiv_does_not_know_is_a_warning_and_the_night_goes_on(tmp_path, arxiv_env, write_config, run_cli):
    queries: list[str] = []
    serve_arxiv(arxiv_env, queries)
    docs = tmp_path / "docs"
    (tmp_path / "library.bib").write_bytes(ZOTERO.read_bytes())
    config = interest_config(write_config, interests={"bibtex": "library.bib", "min_similarity": 0.05})
    code, err = run_cli("update", "--config", config, "--docs", docs)
    assert code == 0, err
    assert queries == ["0808.05394,1707.08567"]
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert any("arXiv does not know 0808.05394" in w for w in warnings), err
    assert any("2 entries name no arXiv id and are skipped (cover_elements_2006, shannon_mathematical_1948)" in w for w in warnings), err
    assert (docs / day_path(DAY)).is_file()  # the night went on
    cached = read_cache(docs)
    assert [p.arxiv_id for p in cached.papers] == ["1707.08567"] and cached.unknown == ("0808.05394",)
    assert cached.papers[0].title.startswith("Proceedings of Workshop AEW10")
    assert yaml.safe_load(cache_file(docs).read_text(encoding="utf-8"))["requested"] == ["1707.08567", "0808.05394"]

    # Next night: the list is unchanged, so no API request for it; the warning stays (the config is still wrong).
    code, err = run_cli("update", "--config", config, "--docs", docs)
    assert code == 0 and queries == ["0808.05394,1707.08567"]
    assert "arXiv does not know 0808.05394" in err and "entries name no arXiv id" not in err

    # A changed list is fetched again.
    config = interest_config(write_config, interests={"papers": ["quant-ph/0201082"], "bibtex": "library.bib"})
    code, err = run_cli("update", "--config", config, "--docs", docs)
    assert code == 0
    assert queries == ["0808.05394,1707.08567"]  # the 3-id list has no recorded answer: the API said 'no results'
    assert "arXiv does not know quant-ph/0201082, 1707.08567, 0808.05394" in err


def test_an_unreachable_api_keeps_the_cached_interests(tmp_path, arxiv_env, write_config, run_cli, monkeypatch):
    queries: list[str] = []
    serve_arxiv(arxiv_env, queries)
    docs = tmp_path / "docs"
    config = interest_config(write_config)
    assert run_cli("update", "--config", config, "--docs", docs)[0] == 0
    before = cache_file(docs).read_bytes()
    # The list changes while the API is down: the night goes on with the papers cached earlier.
    changed = interest_config(write_config, interests={"papers": ["quant-ph/0201082", "1707.08567"], "min_similarity": 0.03})
    monkeypatch.setenv("ARXIV_API_URL", "http://127.0.0.1:9/api/query")  # nothing listens on port 9
    code, err = run_cli("update", "--config", changed, "--docs", docs)
    assert code == 0, err
    assert "interests: the arXiv API failed" in err and "1 interest papers cached earlier are used tonight" in err
    assert cache_file(docs).read_bytes() == before  # fetched again next run
    assert Archive(docs).day_exists(DAY)


def test_a_first_night_without_any_interest_paper_fails_and_changes_nothing(tmp_path, arxiv_env, write_config, run_cli, monkeypatch):
    # An interest-only archive whose API is down on its first night would write the day with no
    # paper at all, and an archived day is never redone: the night fails instead, docs/ untouched.
    serve_arxiv(arxiv_env, [])
    docs = tmp_path / "docs"
    monkeypatch.setenv("ARXIV_API_URL", "http://127.0.0.1:9/api/query")  # nothing listens on port 9
    code, err = run_cli("update", "--config", interest_config(write_config), "--docs", docs)
    assert code == 1
    [line] = [line for line in err.splitlines() if line.startswith("error:")]
    assert "none of the interest papers is cached yet" in line and "rerun later" in line
    assert not (docs / "days").exists() and not cache_file(docs).exists()


def test_fixture_files_are_in_sources():
    sources = (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    for name in ANSWERS.values():
        assert f"`{name}`" in sources


def test_config_errors_of_the_new_keys_are_one_line_with_file_line_key_and_fix(tmp_path):
    cases = [
        (
            "interests:\n  papers:\n    - 2401.12345\n    - attention-is-all-you-need\n",
            "config.yml:4: interests.papers[1]: 'attention-is-all-you-need' is not an arXiv id",
        ),
        ("interests:\n  min_similarity: 2\n", "config.yml:2: interests.min_similarity: must be at most 1, got 2"),
        ("interests:\n  weigth: 3\n", "config.yml:2: interests.weigth: unknown key; fix: did you mean 'weight'?"),
        ("related:\n  count: 0\n", "config.yml:2: related.count: must be at least 1, got 0"),
        (
            "related:\n  embeddings:\n    model: m\n    api_key_env: sk-live-123\n",
            "config.yml:4: related.embeddings.api_key_env: 'sk-live-123' is not an environment variable name",
        ),
        ("related:\n  embeddings: yes\n", "config.yml:2: related.embeddings: expected a mapping of keys, got true/false"),
    ]
    for text, expected in cases:
        path = tmp_path / "config.yml"
        path.write_text(text, encoding="utf-8")
        try:
            load_config(path, environ={})
        except Exception as exc:  # noqa: BLE001 - the message is what is checked
            message = str(exc)
        else:
            raise AssertionError(f"accepted: {text!r}")
        assert message.startswith(str(tmp_path / expected.split(":", 1)[0]) + ":" + expected.split(":", 1)[1]), message
        assert "\n" not in message and "; fix: " in message
    # Unquoted ids stay ids: YAML would read 2401.10000 as the number 2401.1.
    (tmp_path / "config.yml").write_text("interests:\n  papers:\n    - 2401.10000\n    - hep-th/9901001v2\n", encoding="utf-8")
    assert load_config(tmp_path / "config.yml", environ={}).interests.papers == ("2401.10000", "hep-th/9901001")


def test_a_failed_night_stores_no_interest_papers(tmp_path, httpserver, arxiv_env, write_config, run_cli):
    # The interest papers are fetched first; then arXiv answers the feed with its error document.
    queries: list[str] = []
    httpserver.expect_request("/rss/quant-ph").respond_with_data(
        fixture_bytes("rss_error_bad_archive_astroph_2024-11-28.xml"), content_type="application/rss+xml"
    )
    serve_arxiv(arxiv_env, queries)
    docs = tmp_path / "docs"
    docs.mkdir()
    code, err = run_cli("update", "--config", interest_config(write_config), "--docs", docs)
    assert code == 1 and queries == ["quant-ph/0201082"]
    assert list(docs.rglob("*")) == []  # docs/ as it was: the cache is written only by a run that succeeds
