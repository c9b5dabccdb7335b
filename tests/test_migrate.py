"""`python -m generator migrate` on an archive written by the v1 code (tests/fixtures/archive-v1)."""

from __future__ import annotations

import re
import shutil
from html import escape
from pathlib import Path

import pytest

from generator import archive as archive_module
from generator import records
from generator.migrate import migrate, summary_markdown
from generator.sanitize import render_summary_html, summary_html
from tests.conftest import ROOT, snapshot
from tests.hostile import raw_html
from tests.sitekit import DEMO_CONFIG, build_site

V1 = ROOT / "tests" / "fixtures" / "archive-v1" / "docs"


@pytest.fixture
def v1_docs(tmp_path) -> Path:
    docs = tmp_path / "docs"
    shutil.copytree(V1, docs)
    return docs


def squeeze(html: str) -> str:
    """HTML without the whitespace between tags (which no browser shows)."""
    return re.sub(r">\s+<", "><", html.strip())


def pages(docs: Path, folder: str) -> list[Path]:
    return sorted((docs / folder).rglob("*.md"))


def test_migrate_is_lossless(v1_docs, run_cli):
    before = {p.relative_to(v1_docs): p.read_text(encoding="utf-8") for p in pages(v1_docs, "papers") + pages(v1_docs, "days")}
    code, err = run_cli("migrate", "--docs", v1_docs)
    assert code == 0, err
    assert "46 paper pages and 5 day pages upgraded to format v2; 0 already in format v2; 4 summaries as Markdown" in err
    summaries = 0
    for rel, old in before.items():
        new = (v1_docs / rel).read_text(encoding="utf-8")
        source = str(rel)
        old_meta, old_body = records.split_front_matter(old, source)
        new_meta, new_body = records.split_front_matter(new, source)
        assert new_meta.pop("format") == 2
        if rel.parts[0] == "days":
            assert new_meta == old_meta and new_body == ""  # order, counts, updated: the same record; the layout is gone
            continue
        assert new_meta == old_meta, rel  # ids, versions, titles, authors, abstracts, scores, tags, links, summary metadata
        assert raw_html(new_body) == []  # no layout HTML left (code blocks may show `<`)
        html = records.v1_summary_html(old_body)
        if html is None:
            assert new_body == ""
            continue
        summaries += 1
        # The stored Markdown converts back to exactly the HTML v1 stored.
        assert squeeze(summary_html(new_body)) == squeeze(html), rel
    assert summaries == 4


def test_a_summary_keeps_its_tables_code_links_and_math(v1_docs):
    migrate(v1_docs)
    paper = records.read_paper((v1_docs / "papers/2504/2504.17837.md").read_text(encoding="utf-8"), "p")
    markdown = paper.summary.markdown
    for piece in ("| WikiText-103 | 103M tokens |", "[the code](https://github.com/example/repo)", "```\ncode block <kept>\n```",
                  "$O(n \\log n)$", "**17.4**", "> Limits: only English."):  # fmt: skip
        assert piece in markdown, piece
    assert paper.summary.version == 1 and paper.announcement.version == 1


def test_a_summary_with_tex_escapes_in_math_keeps_them():
    # Regression: a summary holding `$\\nabla f/\\|\\nabla f\\|$` (synthetic 10,000-paper archive, 2101.01437):
    # Markdown reads `\\|` as an escaped `|`, so no Markdown form rendered back to the stored HTML the
    # Python-Markdown way, and 2% of the summaries stayed HTML. The site keeps math as written.
    html = "<p>the normalized gradient $\\nabla f(\\mathbf{x})/\\|\\nabla f(\\mathbf{x})\\|$ is $\\varepsilon$-close</p>"
    kept: list[int] = []
    markdown = summary_markdown(html, lambda: kept.append(1))
    assert kept == [] and not markdown.startswith("<")
    # The same HTML with math as v1 stored it (text); on a page the math, as written, is marked for KaTeX.
    assert squeeze(render_summary_html(markdown, math_html=lambda source: escape(source, quote=False))) == squeeze(html)
    assert '<span class="tex-math">$\\nabla f(\\mathbf{x})/\\|\\nabla f(\\mathbf{x})\\|$</span>' in render_summary_html(markdown)


def test_migrate_is_idempotent_and_dry_run_writes_nothing(v1_docs, run_cli):
    before = snapshot(v1_docs)
    code, err = run_cli("migrate", "--docs", v1_docs, "--dry-run")
    assert code == 0 and "46 paper pages and 5 day pages would be upgraded" in err and "nothing was written" in err
    assert snapshot(v1_docs) == before
    assert run_cli("migrate", "--docs", v1_docs)[0] == 0
    migrated = snapshot(v1_docs)
    code, err = run_cli("migrate", "--docs", v1_docs)
    assert code == 0 and "0 paper pages and 0 day pages upgraded" in err and "51 already in format v2" in err
    assert snapshot(v1_docs) == migrated  # no byte, no modification time changed


def test_update_on_a_v1_archive_stops_with_one_line_naming_migrate(v1_docs, arxiv_env, write_config, run_cli):
    before = snapshot(v1_docs)
    code, err = run_cli("update", "--config", write_config(), "--docs", v1_docs)
    assert code == 1
    [line] = [line for line in err.splitlines() if line.strip()]
    assert line.startswith("error: ") and "format v1" in line and "run `python -m generator migrate`" in line
    assert arxiv_env.log == []  # it stopped before asking arXiv anything
    assert snapshot(v1_docs) == before


def test_a_migration_cut_short_is_finished_by_the_next_run_and_update_waits_for_it(v1_docs, monkeypatch, run_cli, arxiv_env, write_config):
    real = archive_module.atomic_write
    written: list[Path] = []

    def fail_after_twenty(target: Path, data: bytes) -> None:
        if len(written) == 20:
            raise OSError("disk full")
        real(target, data)
        written.append(target)

    monkeypatch.setattr("generator.migrate.atomic_write", fail_after_twenty)
    with pytest.raises(OSError):
        migrate(v1_docs)
    # Every page is whole: v2 for the twenty written, v1 for the rest; no day page was written yet.
    formats = {}
    for path in pages(v1_docs, "papers") + pages(v1_docs, "days"):
        meta, _ = records.split_front_matter(path.read_text(encoding="utf-8"), str(path))
        formats[path] = meta.get("format", 1)
    assert sorted(formats.values()).count(2) == 20 and all(formats[p] == 1 for p in pages(v1_docs, "days"))
    assert run_cli("update", "--config", write_config(), "--docs", v1_docs)[0] == 1  # still refused
    monkeypatch.setattr("generator.migrate.atomic_write", real)
    report = migrate(v1_docs)
    assert (report.papers, report.days, report.current) == (26, 5, 20)
    assert not [p for p in v1_docs.rglob(".tmp-*")]


def test_the_migrated_v1_archive_builds_into_a_site_with_every_page_kind(v1_docs, tmp_path):
    migrate(v1_docs)
    site = tmp_path / "site"
    result = build_site(v1_docs, DEMO_CONFIG, site)
    assert result.returncode == 0, result.stderr[-3000:]
    for page in ("index.html", "archive/index.html", "categories/index.html", "categories/cs.LG/index.html", "tags/index.html",
                 "stats/index.html", "feeds/index.html", "search/index.html", "about/index.html", "runs/index.html",
                 "days/2026/2026-09-24/index.html", "papers/2504/2504.17837/index.html", "papers/hep-th/9901001/index.html",
                 "feeds/all.atom.xml", "sitemap.xml", "pagefind/pagefind.js"):  # fmt: skip
        assert (site / page).is_file(), page
    paper = (site / "papers/2504/2504.17837/index.html").read_text(encoding="utf-8")
    assert "<td>WikiText-103</td>" in paper and "Statistical noise enhances quantumness benefits" in paper
