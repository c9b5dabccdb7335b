"""The build cache between nights (generator/website/buildcache.py, build.py): a warm build writes only what
changed, and the same site a build from scratch writes.

Night N-1 is the fixture archive without its last announcement day; night N adds that day (its papers,
its day page) and a new version of an older paper. Site A: night N built cold. Site B: night N-1 built
cold, then night N built warm in the same folders. The two trees are compared byte for byte (the build's
own clock, freshness-values.js, fixed by SOURCE_DATE_EPOCH), except the search index's bundles, whose filter
chunks get other names in two builds of the same documents: the manifest and pagefind.js are compared byte
for byte, each bundle by what it holds (outputs/search.py: bundle_contents). On a synthetic archive over three
years in four search segments, a warm night that touches one year runs Pagefind for that year's segment only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from generator.archive import paths
from generator.archive.records import paper_page, read_paper
from generator.ranking.similarity import fit_vocabulary
from generator.ranking.vocabulary import VOCABULARY_PATH, paper_words_of
from generator.website.outputs.search import OUTPUT_SUBDIR, bundle_contents, read_manifest
from tests.sitekit import DEMO_CONFIG, add_papers, build_command, build_site, last_day_removed

EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}


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


def outside_search(site: Path) -> dict[str, bytes]:
    """Every file of the site but the search index's, by path."""
    return {name: data for name, data in tree(site).items() if not name.startswith(OUTPUT_SUBDIR + "/")}


def search_contents(site: Path) -> dict:
    """The search index as what it holds: the files beside the bundles (manifest, pagefind.js) byte for byte, each bundle
    canonically (its filter chunks hold the same values in another order each build, so their names and bytes differ)."""
    folder = site / OUTPUT_SUBDIR
    manifest = read_manifest(folder)
    assert manifest, f"no search segments in {folder}"
    return {
        "files": {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()},
        "folders": sorted(p.name for p in folder.iterdir() if p.is_dir()),
        "bundles": {segment["name"]: bundle_contents(folder / segment["path"]) for segment in manifest},
    }


def vocabulary_of(docs: Path, *others: Path) -> None:
    """The archive's vocabulary for related papers, as the night writes it when an archive doubles
    (generator/ranking/vocabulary.py): fitted on `docs`' papers, written into it and the `others`."""
    vocabulary = fit_vocabulary(paper_words_of(p.read_text(encoding="utf-8"), str(p))[1] for p in sorted((docs / "papers").rglob("*.md")))
    for folder in (docs, *others):
        (folder / "data").mkdir(exist_ok=True)
        (folder.joinpath(*VOCABULARY_PATH.parts)).write_text(vocabulary.to_json(), encoding="utf-8")


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
    vocabulary_of(before, full)  # fitted on night N-1's papers, the same in both nights
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
    a, b = outside_search(tmp_path / "a"), outside_search(tmp_path / "b")
    assert sorted(set(a) ^ set(b)) == []
    assert [name for name in a if a[name] != b[name]] == []
    assert search_contents(tmp_path / "a") == search_contents(tmp_path / "b")
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


def search_log(result) -> str:
    [line] = [line for line in result.stderr.splitlines() if "search index in" in line]
    return line


@pytest.fixture(scope="module")
def years(tmp_path_factory):
    """Nights N-1 and N of a synthetic archive over three years (four segments at 450 papers: 2024 in halves); night N adds
    three papers to the last day of 2024, and a cold build of night N (site, build log)."""
    from benchmarks.synth import synthesize

    root = tmp_path_factory.mktemp("years")
    before = synthesize(1000, root / "n-1", start=dt.date(2023, 11, 1), per_day=1)  # about three papers a weekday
    full = root / "n"
    shutil.copytree(before, full)
    day = max(dt.date.fromisoformat(p.stem) for p in (full / "days").glob("2024/*.md"))
    added = add_papers(full, day, 3)
    vocabulary_of(before, full)
    cold = build_site(full, DEMO_CONFIG, root / "cold", environ={**EPOCH, **SEGMENTS, "ARCHIVE_CACHE": str(root / "cache-cold")})
    assert cold.returncode == 0, cold.stderr[-3000:]
    return before, full, added, root / "cold"


SEGMENTS = {"ARCHIVE_SEARCH_SEGMENT_PAPERS": "450"}


def test_a_warm_night_touching_one_year_runs_pagefind_for_that_years_segment_only(years, tmp_path):
    before, full, added, cold_site = years
    environ = {**EPOCH, **SEGMENTS, "ARCHIVE_CACHE": str(tmp_path / "cache-b")}
    docs = tmp_path / "docs"
    shutil.copytree(before, docs)
    first = build_site(docs, DEMO_CONFIG, tmp_path / "b", environ=environ)
    assert first.returncode == 0, first.stderr[-3000:]
    segments = read_manifest(tmp_path / "b" / OUTPUT_SUBDIR)
    assert [s["name"] for s in segments] == ["2025", "2024-2", "2024-1", "2023"]
    assert "0 kept, 4 built" in search_log(first)
    stamps = {s["name"]: (tmp_path / "b" / OUTPUT_SUBDIR / s["path"] / "pagefind-entry.json").stat().st_mtime_ns for s in segments}
    spools = lambda: {p.name: p.stat().st_ino for p in (tmp_path / "cache-b").glob("*/current/search-documents/*.jsonl.gz")}  # noqa: E731
    spooled = spools()
    assert sorted(spooled) == ["2023.jsonl.gz", "2024.jsonl.gz", "2025.jsonl.gz"]
    shutil.rmtree(docs)
    shutil.copytree(full, docs)
    warm = build_site(docs, DEMO_CONFIG, tmp_path / "b", environ=environ)
    assert warm.returncode == 0, warm.stderr[-3000:]
    assert "warm build" in build_log_line(warm)
    # One Pagefind process ran: the summary names each segment built (its papers, time, CPU and peak memory).
    assert re.search(r"in 4 segments: 3 kept, 1 built; 2024-2: \d+ papers, [^;]*$", search_log(warm)), search_log(warm)
    after = {s["name"]: (tmp_path / "b" / OUTPUT_SUBDIR / s["path"] / "pagefind-entry.json").stat().st_mtime_ns for s in segments}
    assert {n: t for n, t in after.items() if n != "2024-2"} == {n: t for n, t in stamps.items() if n != "2024-2"}  # kept, not rewritten
    assert not (tmp_path / "b" / ".archive-kept").exists()
    # The search documents of the years without a change are the last build's files (linked, not written again).
    respooled = spools()
    assert [name for name in sorted(spooled) if respooled[name] == spooled[name]] == ["2023.jsonl.gz", "2025.jsonl.gz"]
    # What a cold build of night N writes, the kept bundles included.
    assert search_contents(cold_site) == search_contents(tmp_path / "b")
    a, b = outside_search(cold_site), outside_search(tmp_path / "b")
    assert sorted(set(a) ^ set(b)) == [] and [name for name in a if a[name] != b[name]] == []
    page = (tmp_path / "b" / paths.page_url(paths.paper_path(added[0])) / "index.html").read_text(encoding="utf-8")
    assert "An added paper on segment keeping 0" in page


def pagefind_children(pid: int) -> list[int]:
    """The Pagefind processes below `pid` (from /proc)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    todo.append(int(child))
                    with contextlib.suppress(OSError):
                        if "pagefind" in Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace"):
                            found.append(int(child))
    return found


def test_a_night_killed_while_pagefind_runs_leaves_no_manifest_naming_a_half_written_bundle(years, tmp_path):
    before, full, _, cold_site = years
    environ = {**EPOCH, **SEGMENTS, "ARCHIVE_CACHE": str(tmp_path / "cache")}
    docs, site = tmp_path / "docs", tmp_path / "site"
    shutil.copytree(before, docs)
    assert build_site(docs, DEMO_CONFIG, site, environ=environ).returncode == 0
    shutil.rmtree(docs)
    shutil.copytree(full, docs)
    command = build_command(docs, DEMO_CONFIG, site, environ=environ)
    night = subprocess.Popen(command.args, cwd=command.cwd, env=command.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not (running := pagefind_children(night.pid)) and night.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert running and night.poll() is None, "the build ended before Pagefind ran: " + night.stderr.read().decode()[-2000:]
        os.killpg(night.pid, signal.SIGKILL)  # the build and its Pagefind process (one session)
    finally:
        night.wait()
        night.stderr.close()
    folder = site / OUTPUT_SUBDIR
    for segment in read_manifest(folder):  # every bundle the manifest names holds its papers
        assert len(bundle_contents(folder / segment["path"])["fragments"]) == segment["papers"], segment["name"]
    again = build_site(docs, DEMO_CONFIG, site, environ=environ)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "cold build" in build_log_line(again)  # the killed build left no valid marker
    assert re.search(r"in 4 segments: 3 kept, 1 built; 2024-2: ", search_log(again)), search_log(again)  # the bundles survived
    assert search_contents(site) == search_contents(cold_site)
    a, b = outside_search(cold_site), outside_search(site)
    assert sorted(set(a) ^ set(b)) == [] and [name for name in a if a[name] != b[name]] == []
