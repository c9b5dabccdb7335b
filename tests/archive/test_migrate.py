"""`python -m generator migrate` on an archive written by the v1 code (tests/fixtures/archive-v1)."""

from __future__ import annotations

import re
import shutil
from html import escape
from pathlib import Path

import pytest

from generator.archive import records
from generator.archive import store as archive_module
from generator.archive.migrate import migrate, shown_text, summary_body
from generator.archive.v1_summary import render_v1_summary
from generator.text.markdown import html_text, is_html_body, render_summary_html, sanitize_html
from tests.conftest import ROOT, snapshot
from tests.hostile import active_content, parse_html, raw_html

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


KEPT_AS_HTML = ("2609.99901", "hep-th/9901001")
"""The fixture's v1 summaries with no exact Markdown form (tests/fixtures/archive-v1/README.md: a link whose unsafe address v1 removed)."""


def letters(text: str) -> str:
    """The letters and digits of a text, in order: what a reader reads, whatever the markup."""
    return "".join(ch for ch in text if ch.isalnum())


def test_migrate_is_lossless(v1_docs, run_cli):
    before = {p.relative_to(v1_docs): p.read_text(encoding="utf-8") for p in pages(v1_docs, "papers") + pages(v1_docs, "days")}
    code, err = run_cli("migrate", "--docs", v1_docs)
    assert code == 0, err
    assert "46 paper pages and 5 day pages upgraded to format v2; 0 already in format v2; 6 summaries: 4 as Markdown, 2 kept as HTML" in err
    assert (
        "kept as their sanitized v1 HTML, which the site shows as HTML (each checked to show all its text): 2609.99901, hep-th/9901001"
        in err
    )
    summaries = kept = 0
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
        html = records.v1_summary_html(old_body)
        if html is None:
            assert new_body == ""
            continue
        summaries += 1
        body = new_body.strip("\n")
        if old_meta["arxiv_id"] in KEPT_AS_HTML:
            kept += 1
            assert is_html_body(body) and body == sanitize_html(html), rel  # v1's HTML, as v1 stored it
        else:
            assert raw_html(new_body) == [] and not is_html_body(body), rel  # no layout HTML left (code blocks may show `<`)
            # The stored Markdown converts back to exactly the HTML v1 stored.
            assert squeeze(render_v1_summary(new_body)) == squeeze(html), rel
        # Either way the site shows all the text v1 showed (issue 20: kept HTML used to render to nothing).
        assert letters(shown_text(body)) == letters(html_text(html)) != "", rel
    assert (summaries, kept) == (6, 2)


def test_a_summary_kept_as_html_shows_on_the_page_and_in_feeds_with_its_math(v1_docs):
    migrate(v1_docs)
    paper = records.read_paper((v1_docs / "papers/hep-th/9901001.md").read_text(encoding="utf-8"), "p")
    page = render_summary_html(paper.summary.markdown)
    assert "<h3>1. 主要贡献</h3>" in page and "<td>3 到 " in page and "<blockquote>" in page
    # Math in the kept HTML is marked for KaTeX as in a Markdown summary; in a feed it is readable text.
    assert '<span class="tex-math">$\\mathcal{N}=4$</span>' in page and '<span class="tex-math">$SU(N_c)$</span>' in page
    feed = render_summary_html(paper.summary.markdown, math_html=lambda source: escape(source.strip("$"), quote=False))
    assert "tex-math" not in feed and "计算了 \\mathcal{N}=4 理论" in feed
    # The link whose address v1 removed is its text, linking nowhere.
    assert '<a rel="nofollow noopener noreferrer">项目页面</a>' in page
    # The search index and a day's entry get its words, math as readable text, no markup.
    from generator.text.markdown import summary_text
    from generator.website.reader import gist
    from generator.website.related import _summary_words

    words = summary_text(paper.summary.markdown)
    assert "计算了 𝒩=4 理论" in words and "3 到 ∞" in words and "<" not in words
    assert gist(paper.summary.markdown) == "计算了 𝒩=4 理论在大 N_c 极限下的谱,固定 (g^2 N_c)。"
    assert "<" not in _summary_words(paper.summary.markdown) and "项目页面" in _summary_words(paper.summary.markdown)
    hostile = records.read_paper((v1_docs / "papers/2609/2609.99901.md").read_text(encoding="utf-8"), "p")
    shown = render_summary_html(hostile.summary.markdown)
    assert "Zygodactyl evaluation" in shown and '<span class="tex-math">$x_1 &lt; y$</span>' in shown
    assert active_content(parse_html(shown)) == []


def test_a_summary_the_site_would_not_show_stops_migrate_and_nothing_is_written(v1_docs, run_cli):
    # A hand-edited v1 page whose summary starts with text, then a table: markdownify gives no exact form,
    # and that HTML read as Markdown loses the table (cmark drops an HTML block). migrate must not write it.
    page = v1_docs / "papers/2504/2504.18141.md"
    text = page.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n---\n")
    meta = "summary:\n  model: qwen-long\n  input: abstract\n  prompt_sha256: '0'\n  created: '2025-04-28T06:00:00Z'\n"
    page.write_text(
        f"{head}\n{meta}---\n{rest}\n<!-- ai-summary:begin -->\nIntro words\n"
        "<table><tr><td>Quokka cell</td></tr></table>\n<!-- ai-summary:end -->\n",
        encoding="utf-8",
    )
    empty = v1_docs / "papers/2504/2504.18098.md"
    text = empty.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n---\n")
    empty.write_text(f"{head}\n{meta}---\n{rest}\n<!-- ai-summary:begin -->\n<!-- ai-summary:end -->\n", encoding="utf-8")
    before = snapshot(v1_docs)
    for args in (("--dry-run",), ()):
        code, err = run_cli("migrate", "--docs", v1_docs, *args)
        assert code == 1
        [line] = [line for line in err.splitlines() if line.strip()]
        assert line.startswith(
            f"error: {v1_docs.name}/papers/2504/2504.18098.md: front matter key `summary` names a summary, "
            "but the page holds no summary text"
        )
        assert f"(and 1 more pages: {v1_docs.name}/papers/2504/2504.18141.md)" in line and "nothing was written" in line
        assert (
            f"fix: remove the `summary:` key from {v1_docs.name}/papers/2504/2504.18098.md" in line
            and "resummarize --id 2504.18098 --force" in line
        )
        assert snapshot(v1_docs) == before
    empty.write_text(text, encoding="utf-8")  # the fix for that one: no summary
    before = snapshot(v1_docs)
    code, err = run_cli("migrate", "--docs", v1_docs)
    assert code == 1 and snapshot(v1_docs) == before
    assert err.strip() == (
        f"error: {v1_docs.name}/papers/2504/2504.18141.md: its AI summary would lose 2 of its 4 words (first: 'Quokka') on the site, kept "
        "as Markdown; "
        f"fix: in {v1_docs.name}/papers/2504/2504.18141.md, put the summary between its ai-summary markers inside <p>…</p> "
        "(or another block element such as <ul>), then rerun `python -m generator migrate`; nothing was written"
    )
    # The fix the line names works: the summary becomes HTML the site shows, with every word.
    page.write_text(page.read_text(encoding="utf-8").replace("Intro words\n", "<p>Intro words</p>\n"), encoding="utf-8")
    code, err = run_cli("migrate", "--docs", v1_docs)
    assert code == 0, err
    assert "2 kept as HTML" not in err and "3 kept as HTML" in err and "2504.18141" in err
    paper = records.read_paper(page.read_text(encoding="utf-8"), "p")
    assert letters(shown_text(paper.summary.markdown)) == "IntrowordsQuokkacell"


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
    markdown, kept = summary_body(html)
    assert not kept and not markdown.startswith("<")
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

    monkeypatch.setattr("generator.archive.migrate.atomic_write", fail_after_twenty)
    with pytest.raises(OSError):
        migrate(v1_docs)
    # Every page is whole: v2 for the twenty written, v1 for the rest; no day page was written yet.
    formats = {}
    for path in pages(v1_docs, "papers") + pages(v1_docs, "days"):
        meta, _ = records.split_front_matter(path.read_text(encoding="utf-8"), str(path))
        formats[path] = meta.get("format", 1)
    assert sorted(formats.values()).count(2) == 20 and all(formats[p] == 1 for p in pages(v1_docs, "days"))
    assert run_cli("update", "--config", write_config(), "--docs", v1_docs)[0] == 1  # still refused
    monkeypatch.setattr("generator.archive.migrate.atomic_write", real)
    report = migrate(v1_docs)
    assert (report.papers, report.days, report.current) == (26, 5, 20)
    assert not list(v1_docs.rglob(".tmp-*"))
