"""The build cache between nights (generator/website/buildcache.py, build.py): a warm build writes only what
changed, and the same site a build from scratch writes.

Night N-1 is the fixture archive without its last announcement day; night N adds that day (its papers,
its day page) and a new version of an older paper. Site A: night N built cold. Site B: night N-1 built
cold, then night N built warm in the same folders. The two trees are compared byte for byte, except the
build's own clock (freshness-values.js, fixed here by SOURCE_DATE_EPOCH anyway) and Pagefind's files,
whose chunk names differ between two builds of the same documents (their contents are compared instead).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from generator.archive import paths
from generator.archive.records import paper_page, read_day, read_paper
from generator.ranking.similarity import fit_vocabulary
from generator.ranking.vocabulary import VOCABULARY_PATH, paper_words_of
from tests.sitekit import build_site

EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}


def last_day_removed(docs: Path) -> None:
    """Night N-1: the archive before its last day (that day's page and its papers' pages gone)."""
    day = sorted((docs / "days").glob("*/*.md"))[-1]
    record = read_day(day.read_text(encoding="utf-8"), str(day))
    for arxiv_id in record.papers:
        (docs / paths.paper_path(arxiv_id)).unlink()
    day.unlink()


def new_version(docs: Path) -> str:
    """Night N also brings a new version of the oldest paper (its title and abstract change)."""
    page = sorted((docs / "papers").rglob("*.md"))[0]
    paper = read_paper(page.read_text(encoding="utf-8"), str(page))
    ann = replace(paper.announcement, version=paper.announcement.version + 1, title=paper.announcement.title + " (revised)",
                  abstract="A revised abstract: " + paper.announcement.abstract)  # fmt: skip
    page.write_text(paper_page(replace(paper, announcement=ann)), encoding="utf-8")
    return ann.arxiv_id


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def pagefind_contents(files: dict[str, bytes]) -> dict[str, bytes]:
    """What a Pagefind bundle holds that two builds of the same documents write alike: its fragments and index chunks
    (named by their content). Its filter chunks hold the same values in another order each build, so their names and
    bytes differ (tests/browser/test_search_segments.py compares them decoded)."""
    return {name: data for name, data in files.items() if name.startswith(("pagefind/fragment/", "pagefind/index/"))}


def build_log_line(result) -> str:
    return next(line for line in result.stderr.splitlines() if "archive:" in line and " build: " in line)


@pytest.fixture(scope="module")
def nights(fixture_archive, tmp_path_factory):
    root = tmp_path_factory.mktemp("nights")
    full = root / "full"
    shutil.copytree(fixture_archive.docs, full)
    revised = new_version(full)
    before = root / "before"
    shutil.copytree(full, before)
    last_day_removed(before)
    old = sorted((before / "papers").rglob("*.md"))[0]  # night N-1 has the paper's old version
    shutil.copy(fixture_archive.docs / old.relative_to(before), old)
    # The archive's vocabulary for related papers, as the night writes it when an archive doubles
    # (generator/ranking/vocabulary.py): fitted on night N-1's papers, the same in both nights.
    vocabulary = fit_vocabulary(paper_words_of(p.read_text(encoding="utf-8"), str(p))[1] for p in sorted((before / "papers").rglob("*.md")))
    for docs in (full, before):
        (docs / "data").mkdir(exist_ok=True)
        (docs.joinpath(*VOCABULARY_PATH.parts)).write_text(vocabulary.to_json(), encoding="utf-8")
    return full, before, revised


def test_a_warm_night_writes_what_a_cold_build_writes(nights, fixture_archive, tmp_path):
    full, before, revised = nights
    cold = build_site(full, fixture_archive.config, tmp_path / "a", environ={**EPOCH, "ARCHIVE_CACHE": str(tmp_path / "cache-a")})
    assert cold.returncode == 0, cold.stderr[-3000:]
    assert "cold build" in build_log_line(cold)
    docs = tmp_path / "docs"
    shutil.copytree(before, docs)
    environ = {**EPOCH, "ARCHIVE_CACHE": str(tmp_path / "cache-b")}
    first = build_site(docs, fixture_archive.config, tmp_path / "b", environ=environ)
    assert first.returncode == 0 and "cold build" in build_log_line(first)
    shutil.rmtree(docs)
    shutil.copytree(full, docs)  # the night's commit lands in the same folder
    warm = build_site(docs, fixture_archive.config, tmp_path / "b", environ=environ)
    assert warm.returncode == 0, warm.stderr[-3000:]
    line = build_log_line(warm)
    assert "warm build" in line
    written, unchanged = (int(n) for n in re.search(r"(\d+) written, (\d+) unchanged", line).groups())
    assert 0 < written < unchanged, line  # the new day, its papers, the revised paper and what lists them; not the rest
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert sorted(set(a) ^ set(b)) == [] or all(name.startswith("pagefind/") for name in set(a) ^ set(b)), sorted(set(a) ^ set(b))
    differ = [name for name in set(a) & set(b) if not name.startswith("pagefind/") and a[name] != b[name]]
    assert differ == []
    assert pagefind_contents(a) == pagefind_contents(b)
    page = (tmp_path / "b" / paths.page_url(paths.paper_path(revised)) / "index.html").read_text(encoding="utf-8")
    assert "(revised)" in page and "A revised abstract" in page


def test_removing_the_cache_or_changing_a_template_makes_the_next_build_cold(fixture_archive, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(fixture_archive.docs, docs)
    cache = tmp_path / "cache"
    environ = {**EPOCH, "ARCHIVE_CACHE": str(cache)}
    assert "cold build" in build_log_line(build_site(docs, fixture_archive.config, tmp_path / "site", environ=environ))
    again = build_site(docs, fixture_archive.config, tmp_path / "site", environ=environ)
    assert "warm build" in build_log_line(again) and re.search(r" 0 written", build_log_line(again))
    shutil.rmtree(cache)
    assert "cold build" in build_log_line(build_site(docs, fixture_archive.config, tmp_path / "site", environ=environ))
    # The site folder emptied by hand (or by another tool): its marker is gone, so the cache no longer describes it.
    shutil.rmtree(tmp_path / "site")
    assert "cold build" in build_log_line(build_site(docs, fixture_archive.config, tmp_path / "site", environ=environ))
