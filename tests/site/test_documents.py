"""The search documents by year (generator/website/outputs/documents.py): kept, linked, merged, rendered again."""

from __future__ import annotations

import datetime as dt
import gzip
import json

from generator.website.outputs.documents import DocumentSpool, document_fingerprint, documents
from generator.website.outputs.search import plan_segments


def _spool(folder, previous, counts, papers, rendered=()):
    """papers: (year, id, html or None for kept)."""
    spool = DocumentSpool(folder, previous, counts)
    prints = {}
    for year, arxiv_id, html in papers:
        if html is None:
            spool.keep(year, arxiv_id)
        else:
            prints[arxiv_id] = spool.add(year, arxiv_id, "sha-" + arxiv_id, f"/papers/{arxiv_id}/", html)
    calls = []

    def render(arxiv_id):
        calls.append(arxiv_id)
        return "sha-" + arxiv_id, f"/papers/{arxiv_id}/", f"<p>again {arxiv_id}</p>"

    prints.update(spool.finish(render))
    return spool, prints, calls


def _ids(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line)[0] for line in handle]


def test_a_warm_build_links_unchanged_years_merges_changed_ones_in_reading_order_and_renders_what_is_lost(tmp_path):
    first = [(2023, "a1", "<p>a1</p>"), (2023, "a2", "<p>a2</p>"), (2024, "b1", "<p>b1</p>"), (2024, "b3", "<p>b3</p>")]
    cold, prints, _ = _spool(tmp_path / "one", None, {}, first)
    assert _ids(cold.folder / "2023.jsonl.gz") == ["a1", "a2"] and _ids(cold.folder / "2024.jsonl.gz") == ["b1", "b3"]
    assert prints["a1"] == document_fingerprint("/papers/a1/", "<p>a1</p>")
    assert not list(cold.folder.glob("*.new.gz"))

    # Night N: 2023 unchanged, 2024 gains b2 between b1 and b3, 2025 is new.
    night = [(2023, "a1", None), (2023, "a2", None), (2024, "b1", None), (2024, "b2", "<p>b2</p>"), (2024, "b3", None)]
    night.append((2025, "c1", "<p>c</p>"))
    warm, _, calls = _spool(tmp_path / "two", cold.folder, {2023: 2, 2024: 2}, night)
    assert (warm.folder / "2023.jsonl.gz").stat().st_ino == (cold.folder / "2023.jsonl.gz").stat().st_ino
    assert _ids(warm.folder / "2024.jsonl.gz") == ["b1", "b2", "b3"]
    assert _ids(warm.folder / "2025.jsonl.gz") == ["c1"] and calls == []
    plans = plan_segments([(i, dt.date(y, 3, 1), "x") for y, i, _ in night], cap=10)
    by_year = {plan.first.year: list(documents(warm.folder, plan)) for plan in plans}
    assert [url for url, _ in by_year[2024]] == ["/papers/b1/", "/papers/b2/", "/papers/b3/"]
    assert by_year[2023][0] == ("/papers/a1/", "<p>a1</p>")

    # A damaged cache: the last build's 2024 file lost b3's line; b3 is rendered again, the rest copied.
    with gzip.open(warm.folder / "2024.jsonl.gz", "rt", encoding="utf-8") as handle:
        lines = handle.readlines()
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    with gzip.open(damaged / "2024.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.writelines(lines[:2])
    third = [(2024, "b1", None), (2024, "b2", None), (2024, "b3", None), (2024, "b4", "<p>b4</p>")]
    repaired, prints, calls = _spool(tmp_path / "three", damaged, {2024: 3}, third)
    assert calls == ["b3"] and prints["b3"] == document_fingerprint("/papers/b3/", "<p>again b3</p>")
    assert _ids(repaired.folder / "2024.jsonl.gz") == ["b1", "b2", "b3", "b4"]
