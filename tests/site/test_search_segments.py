"""The search index in segments (generator/website/outputs/search.py): the plan, and real builds that keep, rebuild and drop bundles.

The plan is pure (ids, days, fingerprints in; segments out). The builds are real `mkdocs build`s of a
synthetic archive over three announcement years (benchmarks.synth) with a small segment cap
(ARCHIVE_SEARCH_SEGMENT_PAPERS, the `search_segment_papers` option of mkdocs.yml), run again in the same
site folder as a night does: nothing changed keeps every bundle (no Pagefind process runs), papers
added to one year rebuild that year's bundle only, and a bundle rebuilt from the same documents holds
what the kept one held (compared canonically: filter chunks get other names).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pytest

from generator.website.catalog import read_catalog
from generator.website.outputs.search import (
    MANIFEST,
    SearchIndexError,
    SegmentedIndex,
    bundle_contents,
    plan_segments,
    read_manifest,
)
from tests.sitekit import DEMO_CONFIG, add_papers, build_site

CAP = 450
"""Papers per segment in these builds: 2024 of the synthetic archive (about 800 papers) goes in halves."""


def papers_on(days: dict[dt.date, int]) -> list[tuple[str, dt.date, str]]:
    out = []
    for day, count in sorted(days.items()):
        for n in range(count):
            arxiv_id = f"{day:%y%m}.{day.day:02d}{n:03d}"
            out.append((arxiv_id, day, f"doc-{arxiv_id}"))
    return out


# -- the plan -----------------------------------------------------------------------------------


def test_one_segment_per_year_halves_over_the_cap_months_over_that_newest_first():
    days = {dt.date(2024, 3, 4): 3, dt.date(2025, 2, 3): 4, dt.date(2025, 9, 1): 4, dt.date(2026, 1, 5): 5, dt.date(2026, 1, 6): 5}
    days |= {dt.date(2026, 8, 3): 2, dt.date(2026, 9, 1): 2}
    plans = plan_segments(papers_on(days), cap=8, release="1.5.2")
    assert [(p.name, p.first, p.last, len(p.ids)) for p in plans] == [
        ("2026-2", dt.date(2026, 8, 3), dt.date(2026, 9, 1), 4),
        ("2026-01", dt.date(2026, 1, 5), dt.date(2026, 1, 6), 10),  # a month over the cap stays whole: days never straddle
        ("2025", dt.date(2025, 2, 3), dt.date(2025, 9, 1), 8),
        ("2024", dt.date(2024, 3, 4), dt.date(2024, 3, 4), 3),
    ]
    assert {i for p in plans for i in p.ids} == {i for i, _, _ in papers_on(days)}


def test_a_segment_fingerprint_changes_with_its_papers_documents_pagefind_and_nothing_else():
    papers = papers_on({dt.date(2025, 5, 5): 3, dt.date(2026, 5, 5): 3})
    base = {p.name: p.fingerprint for p in plan_segments(papers, release="1.5.2")}
    assert {p.name: p.fingerprint for p in plan_segments(list(reversed(papers)), release="1.5.2")} == base  # order does not matter
    changed = [(i, d, f + "x" if i == papers[0][0] else f) for i, d, f in papers]
    after = {p.name: p.fingerprint for p in plan_segments(changed, release="1.5.2")}
    assert after["2025"] != base["2025"] and after["2026"] == base["2026"]
    added = {p.name: p.fingerprint for p in plan_segments([*papers, ("2605.99999", dt.date(2026, 5, 6), "new")], release="1.5.2")}
    assert added["2025"] == base["2025"] and added["2026"] != base["2026"]
    assert all(a != b for a, b in zip(base.values(), (p.fingerprint for p in plan_segments(papers, release="1.6.0")), strict=True))
    with pytest.raises(ValueError):
        plan_segments(papers, cap=0)


# -- the index, without MkDocs --------------------------------------------------------------------


def test_a_failed_segment_puts_nothing_in_place_and_keeps_the_previous_manifest(tmp_path):
    papers = papers_on({dt.date(2025, 5, 5): 2, dt.date(2026, 5, 5): 2})
    documents = {
        i: (f"/papers/{i}/", f"<html><body data-pagefind-body><h1>paper {i} word{d.year}</h1></body></html>") for i, d, _ in papers
    }
    plans = plan_segments(papers, release="1.5.2")
    SegmentedIndex(tmp_path).update(plans, lambda plan: (documents[i] for i in plan.ids))
    before = (tmp_path / "pagefind" / MANIFEST).read_bytes()
    grown = plan_segments([*papers, ("2605.99999", dt.date(2026, 5, 6), "new")], release="1.5.2")
    with pytest.raises(SearchIndexError, match=r"search segment 2026: 2 documents for its 3 papers; fix: "):
        SegmentedIndex(tmp_path).update(grown, lambda plan: (documents[i] for i in plan.ids if i in documents))
    assert (tmp_path / "pagefind" / MANIFEST).read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "pagefind").iterdir()) == sorted(["2025", "2026", MANIFEST, "pagefind.js"])


def test_a_bundle_cut_short_is_rebuilt_not_kept(tmp_path):
    """Regression: Pagefind's WriteFiles answered before its writes were done, and a bundle of a 200,000-paper build kept
    an empty pagefind-entry.json (its search failed in the browser). Files now come in GetFiles' answer; a bundle whose
    entry file does not hold its papers is rebuilt."""
    papers = papers_on({dt.date(2025, 5, 5): 2, dt.date(2026, 5, 5): 3})
    documents = {
        i: (f"/papers/{i}/", f"<html><body data-pagefind-body><h1>paper {i} word{d.year}</h1></body></html>") for i, d, _ in papers
    }
    plans = plan_segments(papers, release="1.5.2")
    report = SegmentedIndex(tmp_path).update(plans, lambda plan: (documents[i] for i in plan.ids))
    assert [b.name for b in report.built] == ["2026", "2025"] and report.kept == ()
    for segment in read_manifest(tmp_path / "pagefind"):
        entry = json.loads((tmp_path / "pagefind" / segment["path"] / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert entry["languages"]["en"]["page_count"] == segment["papers"]
    (tmp_path / "pagefind" / "2025" / "pagefind-entry.json").write_text("")
    report = SegmentedIndex(tmp_path).update(plans, lambda plan: (documents[i] for i in plan.ids))
    assert [b.name for b in report.built] == ["2025"] and report.kept == ("2026",)
    assert (
        json.loads((tmp_path / "pagefind" / "2025" / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"]["en"]["page_count"]
        == 2
    )


# -- real builds ------------------------------------------------------------------------------------


def bundle_urls(bundle: Path) -> set[str]:
    """The page addresses a bundle's fragments hold (gzip of b"pagefind_dcd" and JSON)."""
    return {json.loads(gzip.decompress(f.read_bytes())[12:])["url"] for f in (bundle / "fragment").iterdir()}


def search_log(result) -> str:
    [line] = [line for line in result.stderr.splitlines() if "search index in" in line]
    return line


@pytest.fixture(scope="module")
def archive_three_years(tmp_path_factory) -> Path:
    from benchmarks.synth import synthesize

    root = tmp_path_factory.mktemp("segments")
    return synthesize(1000, root, start=dt.date(2023, 11, 1), per_day=1)  # about three papers a weekday


def test_a_second_build_keeps_every_segment_and_new_papers_rebuild_their_segment_only(archive_three_years, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(archive_three_years, docs)
    site = tmp_path / "site"
    environ = {"ARCHIVE_SEARCH_SEGMENT_PAPERS": str(CAP)}
    first = build_site(docs, DEMO_CONFIG, site, environ=environ)
    assert first.returncode == 0, first.stderr[-3000:]
    manifest = read_manifest(site / "pagefind")
    names = [s["name"] for s in manifest]
    catalog = read_catalog(docs)
    assert len(names) >= 4 and names == sorted(names, reverse=True) and {n[:4] for n in names} == {"2023", "2024", "2025"}
    assert sum(s["papers"] for s in manifest) == len(catalog.papers) and all(s["papers"] <= CAP or len(s["name"]) == 7 for s in manifest)
    assert f"0 kept, {len(names)} built" in search_log(first)
    # What the manifest says of each bundle is what it holds: its papers by year, its fingerprint.
    for segment in manifest:
        bundle = site / "pagefind" / segment["path"]
        assert sum(segment["filters"]["year"].values()) == segment["papers"] == len(bundle_contents(bundle)["fragments"])
        assert list(segment["filters"]["year"]) == [segment["name"][:4]]
    stamps = {s["name"]: (site / "pagefind" / s["path"] / "pagefind-entry.json").stat().st_mtime_ns for s in manifest}

    second = build_site(docs, DEMO_CONFIG, site, environ=environ)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"{len(names)} kept, 0 built" in search_log(second)  # no Pagefind process ran
    assert read_manifest(site / "pagefind") == manifest
    assert {s["name"]: (site / "pagefind" / s["path"] / "pagefind-entry.json").stat().st_mtime_ns for s in manifest} == stamps
    assert not (site / ".archive-kept").exists()

    # A night adds papers to one day of 2024: the segment holding that day is rebuilt, no other.
    day = next(d.date for d in catalog.days if d.date.year == 2024 and d.date.month == 3 and d.papers)
    added = add_papers(docs, day, 3)
    third = build_site(docs, DEMO_CONFIG, site, environ=environ)
    assert third.returncode == 0, third.stderr[-3000:]
    after = read_manifest(site / "pagefind")
    [grown] = [s["name"] for s in after if s["first"] <= day.isoformat() <= s["last"]]
    assert f"{len(names) - 1} kept, 1 built; {grown}: " in search_log(third)
    assert [s["name"] for s in after] == names
    for old, new in zip(manifest, after, strict=True):
        assert (old == new) is (old["name"] != grown), old["name"]
    assert next(s for s in after if s["name"] == grown)["papers"] == next(s for s in manifest if s["name"] == grown)["papers"] + 3
    assert {f"/papers/{i[:4]}/{i}/" for i in added} <= bundle_urls(site / "pagefind" / grown)

    # The same documents again, rebuilt: the bundle holds what the kept one held (canonically; raw file names may differ).
    kept = next(s for s in after if s["name"] != grown)
    held = bundle_contents(site / "pagefind" / kept["path"])
    shutil.rmtree(site / "pagefind" / kept["path"])
    fourth = build_site(docs, DEMO_CONFIG, site, environ=environ)
    assert fourth.returncode == 0, fourth.stderr[-3000:]
    assert f"{len(names) - 1} kept, 1 built; {kept['name']}: " in search_log(fourth)
    assert bundle_contents(site / "pagefind" / kept["path"]) == held
    assert read_manifest(site / "pagefind") == after
