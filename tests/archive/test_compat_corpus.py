"""The compatibility corpus: an archive written by each released format, built for real, every stored record on its page.

Issue 20: `migrate` kept some v1 summaries as HTML and the site dropped them, and no test
looked. Here each released format's archive is built with `mkdocs build --strict`
(tests/sitekit.build_site) and every paper page, day page and run record is compared
with what the archive stores:

- v1: tests/fixtures/archive-v1/ (written by the v1 code; two summaries have no Markdown
  form and stay HTML), upgraded by `migrate` in a temporary copy;
- v2: tests/fixtures/archive-v2/ (written by the v2 code and frozen: never regenerated).

Text is compared by its letters and digits, in order (accents folded): markup, TeX
delimiters, dashes and spacing are the renderers' business (tests/text/test_tex.py,
tests/summaries/test_summary_parts.py), losing or garbling a word is not. A summary's text is
taken independently of the site's renderer: from v1's stored HTML, and from the stored
Markdown as Python-Markdown reads it. Each failure names the page and the field.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path, PurePosixPath

import cmarkgfm
import feedparser
import pytest
from lxml import html as lxml_html

from generator.archive import paths, records
from generator.archive.migrate import migrate
from generator.archive.runs import load_records
from generator.arxiv.ids import abs_url
from generator.arxiv.taxonomy import category_name
from generator.text.markdown import is_html_body
from generator.text.tex import split_math
from generator.website.settings import load_site_config, site_info
from tests.conftest import ROOT
from tests.sitekit import DEMO_CONFIG, build_site

pytestmark = pytest.mark.slow  # runs `mkdocs build --strict` on every frozen archive format (left out of `make test-fast`)

FIXTURES = ROOT / "tests" / "fixtures"
FORMATS = ("v1", "v2")

PAPER_KEYS_SHOWN = frozenset({
    "arxiv_id", "version", "title", "authors", "categories", "primary_category", "announced", "announce_type", "score",
    "matched_keywords", "matched_authors", "tags", "links", "abstract", "updated", "comment", "journal_ref", "doi",
    "affiliations", "interest", "summary",
})  # fmt: skip
PAPER_KEYS_NOT_SHOWN = {
    "format": "the page's format version, not the paper's",
    "license": "no template shows it (the feed's licence URL, kept in the record)",
}
SUMMARY_KEYS_NOT_SHOWN = {"prompt_sha256": "the cache key"}
DAY_KEYS_SHOWN = frozenset({"title", "date", "papers", "counts", "updated", "source"})


class Corpus:
    """One format's archive: its stored pages (as written, before any migration) and its built site."""

    def __init__(self, name: str, docs: Path, site: Path, written: Path):
        self.name = name
        self.docs = docs
        self.site = site
        self.written = written
        """The archive as that format's code wrote it (for v1: before `migrate`)."""


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """Build each format's archive once per module, on first use: `corpora("v1")`."""
    cache: dict[str, Corpus] = {}

    def get(name: str) -> Corpus:
        if name not in cache:
            root = tmp_path_factory.mktemp(f"corpus-{name}")
            written = FIXTURES / f"archive-{name}" / "docs"
            docs = root / "docs"
            shutil.copytree(written, docs)
            if name == "v1":
                migrate(docs)
            site = root / "site"
            result = build_site(docs, DEMO_CONFIG, site)
            assert result.returncode == 0, f"{name}: mkdocs build --strict failed:\n{result.stderr[-3000:]}"
            cache[name] = Corpus(name, docs, site, written)
        return cache[name]

    return get


@pytest.fixture(params=FORMATS)
def corpus(request, corpora) -> Corpus:
    return corpora(request.param)


def letters(text: str) -> str:
    """The letters and digits of a text, in order, accents folded: what is read, whatever the markup."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if ch.isalnum())


def built(site: Path, docs_path: PurePosixPath):
    """The parsed built page of a record at docs_path."""
    return lxml_html.parse(str(site / paths.page_url(docs_path) / "index.html")).getroot()


def text_of(element) -> str:
    return " ".join(element.text_content().split()) if element is not None else ""


def css(selector: str) -> str:
    """The XPath of a simple selector: `tag.class`, `tag#id`, `tag[name=value]`, descendants by spaces, children by `>`."""
    steps = []
    axis = ".//"
    for part in selector.split():
        if part == ">":
            axis = "/"
            continue
        match = re.fullmatch(r"([a-z0-9]+)(?:\.([\w-]+)|#([\w-]+)|\[(\w+)=(\w+)\])?", part)
        tag, cls, ident, attr, value = match.groups()
        test = (
            f"[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]"
            if cls
            else f"[@id='{ident}']"
            if ident
            else f"[@{attr}='{value}']"
            if attr
            else ""
        )
        steps.append(f"{axis}{tag}{test}")
        axis = "//"
    return "".join(steps)


def find(root, selector: str) -> list:
    return root.xpath(css(selector)) if root is not None else []


def one(root, selector: str):
    found = find(root, selector)
    return found[0] if found else None


def stored_pages(docs: Path, folder: str) -> list[tuple[PurePosixPath, dict, str]]:
    """(path inside docs, front matter, body) of every page in a folder."""
    out = []
    for file in sorted((docs / folder).rglob("*.md")):
        meta, body = records.split_front_matter(file.read_text(encoding="utf-8"), str(file))
        out.append((PurePosixPath(file.relative_to(docs).as_posix()), meta, body.strip("\n")))
    return out


def summary_text_as_stored(body: str) -> str:
    """The text of a stored summary, read without the site's renderer: HTML as a browser reads it, Markdown as cmark-gfm
    (GitHub-flavoured Markdown, the one dialect of summaries) reads it, without setting math aside."""
    if not body.strip():
        return ""
    source = body if is_html_body(body) else cmarkgfm.github_flavored_markdown_to_html(body)
    return lxml_html.fragment_fromstring(source, create_parent="div").text_content()


def prose_words(text: str) -> list[str]:
    """The words of a text outside its math (feeds show math as readable text, not as written)."""
    return [w for is_math, chunk in split_math(text) if not is_math for w in chunk.split() if len(letters(w)) >= 3]


# -- the build -----------------------------------------------------------------------------


def test_the_archive_builds_into_a_site_with_every_page_kind(corpus):
    for page in ("index.html", "archive/index.html", "categories/index.html", "categories/cs.LG/index.html", "tags/index.html",
                 "stats/index.html", "feeds/index.html", "search/index.html", "about/index.html", "runs/index.html",
                 "feeds/all.atom.xml", "sitemap.xml", "pagefind/pagefind.js"):  # fmt: skip
        assert (corpus.site / page).is_file(), f"{corpus.name}: {page}"
    for rel, _, _ in stored_pages(corpus.docs, "papers") + stored_pages(corpus.docs, "days"):
        assert (corpus.site / paths.page_url(rel) / "index.html").is_file(), f"{corpus.name}: {rel} has no built page"


# -- paper pages -----------------------------------------------------------------------------


def paper_problems(site: Path, rel: PurePosixPath, meta: dict, body: str, archived: set[str], min_similarity: float) -> list[str]:
    """Every stored field of one paper page the templates show, looked for on its built page: "page: field: problem"."""
    problems: list[str] = []
    root = built(site, rel)
    article = one(root, "article")

    def check(field: str, ok: bool, detail: str) -> None:
        if not ok:
            problems.append(f"{rel}: {field}: {detail}")

    unknown = set(meta) - PAPER_KEYS_SHOWN - set(PAPER_KEYS_NOT_SHOWN)
    check("front matter", not unknown, f"keys {sorted(unknown)} are neither checked here nor known to be hidden: check them")
    title = one(article, "h1.paper-title")
    check("title", letters(text_of(title)) == letters(meta["title"]), f"shown {text_of(title)[:80]!r}")
    authors = one(article, "p.paper-authors")
    shown_authors = text_of(authors)
    position = 0
    for name in meta.get("authors") or []:
        found = shown_authors.find(" ".join(name.split()), position)
        check("authors", found >= 0, f"{name!r} missing or out of order")
        position = max(position, found)
    shown_affiliations = [text_of(span) for span in find(authors, "span.paper-affiliation")] if authors is not None else []
    expected_affiliations = [f"({'; '.join(affs)})" for name, affs in (meta.get("affiliations") or {}).items() if name in meta["authors"]]
    check("affiliations", shown_affiliations == expected_affiliations, f"shown {shown_affiliations}, stored {expected_affiliations}")
    facts = [text_of(li) for li in find(article, "ul.paper-meta > li")]
    hrefs = {a.get("href") for a in article.iter("a")}
    version = meta["version"]
    check(
        "arxiv_id/version",
        any(f"arXiv {meta['arxiv_id']}v{version}" in fact for fact in facts),
        f"no 'arXiv {meta['arxiv_id']}v{version}' in {facts[:1]}",
    )
    links = meta.get("links") or {}
    check("links.abs", f"{links.get('abs')}v{version}" in hrefs, f"no link to {links.get('abs')}v{version}")
    for kind in ("pdf", "html", "doi"):
        if kind in links:
            check(f"links.{kind}", links[kind] in hrefs, f"no link to {links[kind]}")
    check("announced/announce_type", any(f"announced {meta['announced']} as {meta['announce_type']}" in fact for fact in facts),
          f"no 'announced {meta['announced']} as {meta['announce_type']}'")  # fmt: skip
    check("announced", paths.relative_url(rel, paths.day_path(meta["announced"])) in hrefs, "no link to the day it was announced")
    if meta.get("updated"):
        check(
            "updated", f"Updated to v{version} on {meta['updated']}" in facts, f"no 'Updated to v{version} on {meta['updated']}' in {facts}"
        )
    category_links = {text_of(a): a.get("href") for li in find(article, "ul.paper-meta > li") for a in li.iter("a")}
    for code in meta.get("categories") or []:
        label = f"{code} — {category_name(code)}" if code == meta.get("primary_category") else code
        check(
            "categories",
            category_links.get(label) == paths.relative_url(rel, paths.category_path(code)),
            f"no link {label!r} to its category page",
        )
    if meta.get("primary_category"):
        check(
            "primary_category",
            any(f"{meta['primary_category']} — {category_name(meta['primary_category'])} (primary)" in f for f in facts),
            "not marked primary",
        )
    score_fact = next((f for f in facts if f.startswith("Score ")), "")
    check("score", score_fact.startswith(f"Score {meta['score']:g}"), f"shown {score_fact[:40]!r}")
    for key in ("matched_keywords", "matched_authors", "tags"):
        for tag in meta.get(key) or []:
            check(key, category_links.get(tag) == paths.relative_url(rel, paths.tag_path(tag)), f"{tag!r} is not a link to its tag page")
    check("tags", sorted(meta.get("tags") or []) == sorted((meta.get("matched_keywords") or []) + (meta.get("matched_authors") or [])),
          "stored tags are not the keywords and followed authors the page links")  # fmt: skip
    interest = meta.get("interest")
    close = one(article, "ul.paper-meta a.close-to")
    if interest and interest["similarity"] >= min_similarity:
        nearest = interest["nearest"]
        target = paths.relative_url(rel, paths.paper_path(nearest)) if nearest in archived else abs_url(nearest)
        check(
            "interest.nearest_title",
            close is not None and letters(text_of(close)) == letters(interest["nearest_title"]),
            f"shown {text_of(close)!r}",
        )
        check(
            "interest.nearest",
            close is not None and close.get("href") == target,
            f"links {close.get('href') if close is not None else None!r}, not {target!r}",
        )
        check(
            "interest.similarity", f"(similarity {interest['similarity']:g})" in score_fact, f"no '(similarity {interest['similarity']:g})'"
        )
    else:  # below min_similarity the page does not say "close to" (nor does a page without interest)
        check("interest", close is None, f"says close to {text_of(close)!r}")
    check("abstract", letters(text_of(one(article, "div.paper-abstract"))) == letters(meta.get("abstract") or ""), "text differs")
    for key, selector, label in (("comment", "p.paper-comment", "Comment:"), ("journal_ref", "p.paper-journal-ref", "Journal reference:")):
        shown = text_of(one(article, selector))
        if meta.get(key):
            check(key, shown.startswith(label) and letters(shown.removeprefix(label)) == letters(meta[key]), f"shown {shown[:80]!r}")
        else:
            check(key, not shown, "shown but not stored")
    if meta.get("doi"):
        doi_meta = one(root, "meta[name=citation_doi]")
        check("doi", doi_meta is not None and doi_meta.get("content") == meta["doi"], "no citation_doi meta tag with it")
        check("doi", records.doi_url(meta["doi"]) in hrefs, f"no link to {records.doi_url(meta['doi'])}")
    details = one(article, "details.ai-summary")
    summary = meta.get("summary")
    if not summary:
        check("summary", details is None, "an AI summary is shown but none is stored")
        return problems
    unknown = set(summary) - {"model", "input", "created", "version"} - set(SUMMARY_KEYS_NOT_SHOWN)
    check("summary", not unknown, f"keys {sorted(unknown)} are neither checked here nor known to be hidden")
    if details is None:
        problems.append(f"{rel}: summary: no AI summary on the page (the body has {len(body)} characters)")
        return problems
    line = text_of(one(details, "summary"))
    source = "the full text" if summary["input"] == "fulltext" else "the abstract"
    expected_line = f"Summarized by {summary['model']} from {source} of v{summary.get('version', version)} on {summary['created'][:10]}"
    check("summary.model/input/version/created", line == expected_line, f"shown {line!r}, expected {expected_line!r}")
    shown_summary = letters(text_of(details)).removeprefix(letters(line))
    expected_summary = letters(summary_text_as_stored(body))
    check("summary (body)", expected_summary != "" and shown_summary == expected_summary,
          f"the page shows {len(shown_summary)} of the summary's {len(expected_summary)} letters and digits, or others")  # fmt: skip
    return problems


def test_every_paper_page_shows_every_field_it_stores(corpus):
    min_similarity = site_info(load_site_config(DEMO_CONFIG)).interests.min_similarity
    pages = stored_pages(corpus.docs, "papers")
    archived = {str(meta["arxiv_id"]) for _, meta, _ in pages}
    problems = [p for rel, meta, body in pages for p in paper_problems(corpus.site, rel, meta, body, archived, min_similarity)]
    assert problems == [], f"{corpus.name}: {len(problems)} problems:\n" + "\n".join(problems)
    # What the corpus covers (so a fixture that loses a case fails here, not silently).
    metas = [meta for _, meta, _ in pages]
    for key in ("summary", "comment", "journal_ref", "doi", "affiliations", "interest", "updated", "matched_authors"):
        assert any(key in meta for meta in metas) or (corpus.name == "v1" and key in ("affiliations", "interest", "matched_authors")), (
            f"{corpus.name}: no page has {key}"
        )
    assert any("$" in meta["title"] for meta in metas) and any("$" in (meta.get("abstract") or "") for meta in metas)
    assert any("$" in body for _, meta, body in pages if meta.get("summary")), f"{corpus.name}: no summary with math"


def test_every_summary_v1_stored_is_on_its_page_with_the_text_v1_showed(corpora):
    """The summary HTML of each v1 page (before migrate), on the built page of the migrated archive."""
    corpus = corpora("v1")
    checked = kept_as_html = 0
    for rel, _meta, v1_body in stored_pages(corpus.written, "papers"):
        html = records.v1_summary_html(v1_body)
        if html is None:
            continue
        details = one(one(built(corpus.site, rel), "article"), "details.ai-summary")
        assert details is not None, f"{rel}: summary: no AI summary on the built page"
        shown = letters(text_of(details)).removeprefix(letters(text_of(one(details, "summary"))))
        assert shown == letters(lxml_html.fragment_fromstring(html, create_parent="div").text_content()) != "", (
            f"{rel}: summary: text differs from v1's"
        )
        migrated = records.split_front_matter((corpus.docs / rel).read_text(encoding="utf-8"), str(rel))[1].strip("\n")
        kept_as_html += is_html_body(migrated)
        checked += 1
    assert (checked, kept_as_html) == (6, 2)  # tests/fixtures/archive-v1/README.md


def test_every_summary_is_in_the_feed_and_on_its_day_page(corpus):
    """The other places a summary shows: the site's feed (math as readable text) and its day's entry (a one-line gist)."""
    feed = feedparser.parse(str(corpus.site / "feeds" / "all.rss.xml"))
    items = {entry.link: entry for entry in feed.entries}
    problems = []
    for rel, meta, body in stored_pages(corpus.docs, "papers"):
        if not meta.get("summary"):
            continue
        words = prose_words(summary_text_as_stored(body))
        url = "http://127.0.0.1:8000/" + paths.page_url(rel)
        item = items.get(url)
        if item is None:
            problems.append(f"{rel}: feed: no item for {url}")
            continue
        description = item.get("summary", "")
        summary_html = description.split('<div class="ai-summary">', 1)[-1] if '<div class="ai-summary">' in description else ""
        feed_words = {
            letters(w) for w in lxml_html.fragment_fromstring(summary_html or "<p></p>", create_parent="div").text_content().split()
        }
        missing = [w for w in words if letters(w) not in feed_words]
        if missing or not summary_html:
            problems.append(f"{rel}: feed: summary words missing: {missing[:5]}")
        day = built(corpus.site, paths.day_path(meta["announced"]))
        entry = next((li for li in find(day, "ol.day-papers > li") if li[0].get("href", "").rstrip("/").endswith(rel.stem)), None)
        gist = text_of(one(entry, "p.entry-gist")) if entry is not None else ""
        if not letters(gist):
            problems.append(f"{rel}: day page: no summary gist in its entry on {meta['announced']}")
    assert problems == [], "\n".join(problems)


# -- day pages and runs ------------------------------------------------------------------------


def test_every_day_page_shows_its_record_and_note(corpus):
    problems = []
    papers = {str(meta["arxiv_id"]): (rel, meta) for rel, meta, _ in stored_pages(corpus.docs, "papers")}
    for rel, meta, note in stored_pages(corpus.docs, "days"):
        unknown = set(meta) - DAY_KEYS_SHOWN - {"format"}
        if unknown:
            problems.append(f"{rel}: front matter: keys {sorted(unknown)} are neither checked here nor known to be hidden")
        article = one(built(corpus.site, rel), "article")
        if text_of(one(article, "h1")) != meta["title"]:
            problems.append(f"{rel}: title: shown {text_of(one(article, 'h1'))!r}")
        counts = meta.get("counts") or {}
        line = (
            f"{counts.get('listed', 0)} papers listed · {counts.get('matched', 0)} matched the keywords · "
            f"{counts.get('fetched', 0)} announced · {counts.get('summarized', 0)} summarized"
        )
        if line not in text_of(article):
            problems.append(f"{rel}: counts: no {line!r}")
        entries = [li[0].get("href", "") for li in find(article, "ol.day-papers > li")]
        expected = [paths.relative_url(rel, papers[str(i)][0]) for i in meta.get("papers") or []]
        if entries != expected:
            problems.append(f"{rel}: papers: entries link {entries}, expected {expected} (ranked)")
        updated = [a.get("href") for a in article.xpath(".//h2[@id='new-versions']/following-sibling::ul[1]//a")]
        if updated != [paths.relative_url(rel, papers[str(i)][0]) for i in meta.get("updated") or []]:
            problems.append(f"{rel}: updated: new versions section links {updated}")
        if (meta.get("source") == "api") != (one(article, "p.day-source") is not None):
            problems.append(f"{rel}: source: {meta.get('source')!r}, but the API note is {'missing' if meta.get('source') else 'shown'}")
        shown_note = letters(text_of(one(article, "div.day-note")))
        if shown_note != letters(summary_text_as_stored(note)):
            problems.append(f"{rel}: note: shown {shown_note[:60]!r}, stored {note[:60]!r}")
    assert problems == [], f"{corpus.name}:\n" + "\n".join(problems)
    if corpus.name == "v2":
        assert any(note for _, _, note in stored_pages(corpus.docs, "days")), "the v2 fixture has a day note"


def test_every_run_is_on_the_run_history_page(corpus):
    article = one(built(corpus.site, paths.RUNS_PATH), "article")
    rows = [[text_of(td) for td in tr.xpath("td")] for tr in find(article, "table.runs-table--runs tr")]
    runs = [
        run for file in sorted((corpus.docs / "runs").rglob("*.yml")) for run in load_records(file.read_text(encoding="utf-8"), str(file))
    ]
    assert runs, f"{corpus.name}: no run records"
    for run in runs:
        started = run.started.replace("T", " ").replace("Z", "")
        row = next((r for r in rows if r[:2] == [started, run.command]), None)
        assert row is not None, f"{corpus.name}: runs: {run.started} {run.command} is not on the run history page"
        assert row[2].startswith(", ".join(run.days[:3])) and row[3] == str(run.pages_written), (
            f"{corpus.name}: runs: {run.started}: days or pages differ: {row}"
        )
