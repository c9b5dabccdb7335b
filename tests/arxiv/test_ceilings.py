"""Every input has a ceiling (config `limits`): an oversized input for each, through the real CLI.

Loopback servers answer with edited copies of recorded fixtures made too large: a feed and an
API answer over their byte ceilings (with and without a Content-Length), a PDF over its size
and its page ceilings, a day with more announcements than allowed, an item whose title,
abstract and author list are over theirs. Each hit is one warning line naming the key (or,
for the feed, the night's one error line), and the rest of the night is unaffected.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import etree
from werkzeug import Response

from generator.archive.paths import day_path, paper_path
from generator.archive.records import split_front_matter
from tests.conftest import fixture_bytes, serve_empty_api, snapshot
from tests.loopback import FakeLLM, PdfServer, make_pdf, pdf_file

QUANT_PH = "rss_quant-ph_2025-04-28.xml"
DAY = dt.date(2025, 4, 28)
KEY_ENV = "CEILING_TEST_KEY"


def config(write_config, limits: dict | None = None, **extra):
    extra.setdefault("ai_summary", {"enabled": False})
    return write_config(
        categories=["quant-ph"], keywords=["quantum", "entanglement", "noise", "qubit"], min_score=1.5, max_papers=12,
        limits=limits or {}, **extra,
    )  # fmt: skip


def warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning:")]


def serve_feed(server, data: bytes = fixture_bytes(QUANT_PH), *, chunked: bool = False) -> None:
    if chunked:  # no Content-Length: the body is cut while it is read
        server.expect_request("/rss/quant-ph").respond_with_handler(
            lambda request: Response((data[i : i + 4096] for i in range(0, len(data), 4096)), content_type="application/rss+xml")
        )
    else:
        server.expect_request("/rss/quant-ph").respond_with_data(data, content_type="application/rss+xml")


@pytest.mark.parametrize("chunked", [False, True], ids=["Content-Length", "chunked"])
def test_a_feed_over_feed_bytes_fails_the_night_naming_the_limit_and_changes_nothing(tmp_path, arxiv_env, write_config, run_cli, chunked):
    serve_feed(arxiv_env, chunked=chunked)  # 147,733 bytes
    serve_empty_api(arxiv_env)
    docs = tmp_path / "docs"
    code, err = run_cli("update", "--config", config(write_config, {"feed_bytes": 100_000}), "--docs", docs)
    assert code == 1
    [error] = [line for line in err.splitlines() if line.startswith("error:")]
    assert "over limits.feed_bytes (100,000 bytes)" in error and "raise limits.feed_bytes in config.yml" in error
    assert ("147,733 bytes" in error) != chunked  # declared: the size; streamed: cut at the limit
    assert len(arxiv_env.log) == 1  # not retried: the same answer would come back
    assert not docs.exists()


def test_an_api_answer_over_api_bytes_costs_only_the_enrichment(tmp_path, arxiv_env, write_config, run_cli):
    serve_feed(arxiv_env)
    # The enrichment query answered with a recorded 46,848-byte search page.
    arxiv_env.expect_request("/api/query").respond_with_data(fixture_bytes("api2026_search_cat_cs.LG_OR_cs.AI_max20.xml"))
    docs = tmp_path / "docs"
    code, err = run_cli("update", "--config", config(write_config, {"api_bytes": 20_000}), "--docs", docs)
    assert code == 0, err
    [warning] = warnings(err)
    assert "enrichment skipped" in warning and "46,848 bytes, over limits.api_bytes (20,000 bytes)" in warning
    assert len(split_front_matter((docs / day_path(DAY)).read_text(encoding="utf-8"), "d")[0]["papers"]) == 12


def test_more_announcements_than_announcements_per_day_keeps_the_first_ones(tmp_path, arxiv_env, write_config, run_cli):
    serve_feed(arxiv_env)  # 81 announcements
    serve_empty_api(arxiv_env)
    docs = tmp_path / "docs"
    code, err = run_cli("update", "--config", config(write_config, {"announcements_per_day": 30}), "--docs", docs)
    assert code == 0, err
    [warning] = warnings(err)
    assert warning.startswith("warning: limits.announcements_per_day (30) reached by 1 item (2025-04-28: 81 announced)")
    assert "raise limits.announcements_per_day in config.yml" in warning
    assert split_front_matter((docs / day_path(DAY)).read_text(encoding="utf-8"), "d")[0]["counts"]["fetched"] == 30


def oversized_feed() -> tuple[bytes, str]:
    """The recorded day with its first item's title, abstract and authors made huge (edited copy)."""
    root = etree.fromstring(fixture_bytes(QUANT_PH), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    item = root.find("channel").find("item")
    item.find("title").text = "Quantum noise " + "and more quantum noise " * 200
    description = item.find("description")
    description.text = re.sub(
        r"Abstract: .*", "Abstract: " + "We study entanglement and qubits. " * 1000, description.text, flags=re.DOTALL
    )
    item.find("{http://purl.org/dc/elements/1.1/}creator").text = ", ".join(f"Author Number{n}" for n in range(300))
    arxiv_id = item.findtext("guid").rsplit(":", 1)[1].split("v")[0]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), arxiv_id


def test_titles_abstracts_and_author_lists_over_their_ceilings_are_cut_with_one_warning_each(tmp_path, arxiv_env, write_config, run_cli):
    feed, arxiv_id = oversized_feed()
    serve_feed(arxiv_env, feed)
    serve_empty_api(arxiv_env)
    docs = tmp_path / "docs"
    limits = {"title_chars": 200, "abstract_chars": 2000, "authors": 80}  # the recorded day's longest: 153, 1,921, 71
    code, err = run_cli("update", "--config", config(write_config, limits), "--docs", docs)
    assert code == 0, err
    meta, _ = split_front_matter((docs / paper_path(arxiv_id)).read_text(encoding="utf-8"), arxiv_id)
    assert len(meta["title"]) <= 200 and meta["title"].endswith(" …") and meta["title"].startswith("Quantum noise and more")
    assert len(meta["abstract"]) <= 2000 and meta["abstract"].endswith(" …")
    assert meta["authors"] == [f"Author Number{n}" for n in range(80)]
    lines = warnings(err)
    for key, value, what in (
        ("title_chars", 200, "titles cut"),
        ("abstract_chars", 2000, "abstracts cut"),
        ("authors", 80, "author lists cut"),
    ):
        [line] = [w for w in lines if f"limits.{key} " in w]
        assert f"limits.{key} ({value}) reached by 1 item ({arxiv_id}): {what}" in line
    # The stored record is the cut one: a rerun changes no byte.
    before = snapshot(docs)
    assert run_cli("update", "--config", config(write_config, limits), "--docs", docs)[0] == 0
    assert snapshot(docs) == before


def multi_page_pdf(pages: int) -> bytes:
    """A PDF of `pages` pages, each with one line of text."""
    kids = [5 + 2 * n for n in range(pages)]  # objects: catalog, page tree, font, then (content, page) per page
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for n in range(pages):
        stream = f"BT /F1 10 Tf 50 780 Td (Page {n + 1}: we study qubits, entanglement and noise in depth here.) Tj ET".encode()
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * n} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
    return pdf_file(objects)


@pytest.fixture
def summaries(arxiv_env, monkeypatch):
    serve_feed(arxiv_env)
    serve_empty_api(arxiv_env)
    pdfs: dict[str, bytes] = {}
    with FakeLLM() as llm, PdfServer(lambda versioned: pdfs.get("any")) as server:
        monkeypatch.setenv("LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv(KEY_ENV, "sk-ceiling-test")
        monkeypatch.setenv("ARXIV_PDF_URL", server.template)
        yield pdfs, llm


SUMMARY = {
    "api_key_env": KEY_ENV,
    "model": "m",
    "language": "English",
    "max_papers_to_summarize": 1,
    "max_workers": 1,
    "timeout": 5,
    "max_retries": 0,
}


def test_a_pdf_over_pdf_bytes_is_not_downloaded_whole_and_the_summary_uses_the_abstract(tmp_path, write_config, run_cli, summaries):
    pdfs, llm = summaries
    pdfs["any"] = make_pdf(["Full text"] + ["we study qubits and noise " * 4] * 40) + b"%" + b"x" * 60_000
    docs = tmp_path / "docs"
    code, err = run_cli("update", "--config", config(write_config, {"pdf_bytes": 50_000}, ai_summary=SUMMARY), "--docs", docs)
    assert code == 0, err
    [warning] = [w for w in warnings(err) if "pdf_bytes" in w]
    assert "over limits.pdf_bytes (50,000 bytes): summarized from the abstract" in warning
    [request] = llm.requests
    assert "Abstract of the paper" in request.user
    meta = split_front_matter((docs / paper_path(request.arxiv_id)).read_text(encoding="utf-8"), "p")[0]
    assert meta["summary"]["input"] == "abstract"


def test_a_pdf_over_pdf_pages_is_read_up_to_the_ceiling(tmp_path, write_config, run_cli, summaries):
    pdfs, llm = summaries
    pdfs["any"] = multi_page_pdf(12)
    docs = tmp_path / "docs"
    code, err = run_cli("update", "--config", config(write_config, {"pdf_pages": 5}, ai_summary=SUMMARY), "--docs", docs)
    assert code == 0, err
    [warning] = [w for w in warnings(err) if "pdf_pages" in w]
    assert "limits.pdf_pages (5) reached: the summary was made from the PDF's first 5 pages" in warning
    [request] = llm.requests
    assert "Page 5:" in request.user and "Page 6:" not in request.user
    assert "Full text of the paper" in request.user
