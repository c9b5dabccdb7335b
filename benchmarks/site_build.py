"""Benchmark: the site build against the anchor "bare Material", in the same run, on the same archive.

For each size, synthesizes the archive once (benchmarks.synth, cached under
benchmarks/out/), then builds it twice with the real `mkdocs build`, as a user does:

- (a) the anchor: benchmarks/mkdocs-bare.yml, the same docs/ built by mkdocs-material with
  no plugins, no search and the papers out of the nav;
- (b) the project: mkdocs.yml, the whole site (derived pages, feeds, sitemap, search index).

and, after them, (c) Pagefind alone: the project's search documents (rendered first,
untimed) indexed and written by Pagefind into the build's segments with nothing else running,
as the project's build drives it (generator.website.outputs.search). The search index is part of (b); (c) is its floor: (b) cannot
take less than it, whatever the rest of the build costs.

It reports both wall times, the ratio b/a, the CPU time of each and the load average
before each (this machine's absolute times vary more than 2x from hour to hour; the
ratio holds), the project's own phase log, and the project site's bytes per paper by
top-level folder, its largest page and file.

    python -m benchmarks.site_build --papers 1000 10000 [--runs 2] [--keep] [--v1-docs DIR]

`--v1-docs DIR` also builds the anchor on DIR, the same synthetic archive written in format
v1 (pages carrying their finished layout HTML, as before format v2; the `benchmarks/synth.py`
of commit 4d3c70b writes it): the anchor the issue's "today's ratio, about 0.95" was measured on.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.synth import synthesize
from generator.archive import paths

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
CONFIG = ROOT / "demo" / "config.yml"
PROJECT = ROOT / "mkdocs.yml"
ANCHOR = ROOT / "benchmarks" / "mkdocs-bare.yml"


def archive(papers: int) -> Path:
    docs = OUT / f"archive-{papers}" / "docs"
    if not (docs / "days").is_dir():
        synthesize(papers, docs.parent)
    return docs


def site_sizes(site: Path, papers: int) -> dict[str, object]:
    """Bytes of the built site (files only), by top-level folder; the largest page and file."""
    total = 0
    largest_page = (0, "")
    largest_file = (0, "")
    by_folder: dict[str, int] = {}
    for root, _, files in os.walk(site):
        for name in files:
            path = Path(root, name)
            size = path.stat().st_size
            total += size
            rel = path.relative_to(site).as_posix()
            top = rel.split("/")[0] if "/" in rel else "(root files)"
            by_folder[top] = by_folder.get(top, 0) + size
            if name.endswith(".html") and size > largest_page[0]:
                largest_page = (size, rel)
            if size > largest_file[0]:
                largest_file = (size, rel)
    return {"bytes": total, "per_paper": total / papers, "largest_page": largest_page, "largest_file": largest_file, "folders": by_folder}


def build(config: Path, docs: Path, site: Path) -> dict[str, object]:
    """One real `mkdocs build --strict`: wall and CPU time, load before, the archive plugin's log lines."""
    if site.exists():
        shutil.rmtree(site)
    env = {
        **os.environ,
        "ARCHIVE_DOCS": str(docs),
        "ARCHIVE_CONFIG": str(CONFIG),
        "DISABLE_MKDOCS_2_WARNING": "true",
        "NO_MKDOCS_2_WARNING": "1",
    }
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    command = [sys.executable, "-m", "mkdocs", "build", "-q" if config == ANCHOR else "--strict", "-f", str(config), "-d", str(site)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(f"mkdocs build -f {config.name} failed:\n{result.stderr[-3000:]}")
    return {
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "load": load,
        "log": re.findall(r"archive: .*", result.stderr),
    }


def pagefind_alone(docs: Path, out: Path) -> dict[str, float]:
    """(c): Pagefind indexing the project's search documents into the build's segments, nothing else running."""
    import hashlib

    from generator.website.catalog import read_catalog
    from generator.website.outputs.search import SegmentedIndex, plan_segments
    from generator.website.render import Renderer, environment

    renderer = Renderer(environment([ROOT / "overrides"]))
    papers = read_catalog(docs).papers.values()
    documents = {p.arxiv_id: ("/" + paths.page_url(p.path, True), renderer.search_document(p)) for p in papers}
    plans = plan_segments((p.arxiv_id, p.announced, hashlib.sha256("\n".join(documents[p.arxiv_id]).encode()).hexdigest()) for p in papers)
    if out.exists():
        shutil.rmtree(out)
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    SegmentedIndex(out).update(plans, lambda plan: (documents[i] for i in plan.ids))
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=1, help="anchor and project builds per size (alternating)")
    parser.add_argument("--keep", action="store_true", help="keep the built sites (and Pagefind's bundle of (c)) under benchmarks/out/")
    parser.add_argument("--v1-docs", type=Path, help="the same archive in format v1: bare Material is also timed on it (one size only)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    rows = []
    built: list[Path] = []
    for papers in args.papers:
        docs = archive(papers)
        for run in range(1, args.runs + 1):
            # A folder per build, all removed at the end: a site deleted just before the next build
            # makes ext4 slower to create files for a few minutes (it skips recently freed
            # inodes), which would weigh on whichever build came next.
            anchor_site, project_site = OUT / f"bare-{papers}-{run}", OUT / f"site-{papers}-{run}"
            built.extend([anchor_site, project_site])
            anchor = build(ANCHOR, docs, anchor_site)
            if args.v1_docs:
                v1 = build(ANCHOR, args.v1_docs, anchor_site)
                print(f"  (a') bare Material on the v1 pages: {v1['wall']:.1f} s wall, {v1['cpu']:.1f} s CPU, load before {v1['load']:.2f}")
            project = build(PROJECT, docs, project_site)
            floor = pagefind_alone(docs, OUT / f"pagefind-{papers}-{run}")
            built.append(OUT / f"pagefind-{papers}-{run}")
            sizes = site_sizes(project_site, papers)
            anchor_sizes = site_sizes(anchor_site, papers)
            ratio = project["wall"] / anchor["wall"]
            if args.v1_docs:
                print(
                    f"  ratio b/a' (against bare Material on the v1 pages): {project['wall'] / v1['wall']:.2f} (wall), "
                    f"{project['cpu'] / v1['cpu']:.2f} (CPU)"
                )
            rows.append((papers, run, anchor, project, ratio, sizes, floor))
            print(f"\n{papers} papers, run {run}")
            print(
                f"  (a) bare Material: {anchor['wall']:.1f} s wall, {anchor['cpu']:.1f} s CPU, load before {anchor['load']:.2f}; "
                f"{anchor_sizes['per_paper'] / 1000:.1f} KB per paper"
            )
            print(f"  (b) this project:  {project['wall']:.1f} s wall, {project['cpu']:.1f} s CPU, load before {project['load']:.2f}")
            print(f"  ratio b/a: {ratio:.2f} (wall), {project['cpu'] / anchor['cpu']:.2f} (CPU)")
            print(f"  (c) Pagefind alone on the project's search documents: {floor['wall']:.1f} s wall, {floor['cpu']:.1f} s CPU, load "
                  f"before {floor['load']:.2f}; "
                  f"c/a {floor['wall'] / anchor['wall']:.2f}: the floor of b/a")  # fmt: skip
            for line in project["log"]:
                print("  " + line)
            print(f"  site: {sizes['bytes'] / 1e6:.1f} MB, {sizes['per_paper'] / 1000:.2f} KB per paper")
            print(
                f"  largest page: {sizes['largest_page'][0] / 1000:.0f} KB ({sizes['largest_page'][1]}); largest file: "
                f"{sizes['largest_file'][0] / 1000:.0f} KB ({sizes['largest_file'][1]})"
            )
            print(
                "  bytes per paper by folder: "
                + ", ".join(f"{name} {size / papers:.0f}" for name, size in sorted(sizes["folders"].items(), key=lambda kv: -kv[1]))
            )
    if not args.keep:
        for site in built:
            shutil.rmtree(site, ignore_errors=True)
    print(
        "\n| papers | run | bare Material (a) | load | this project (b) | load | b/a wall | b/a CPU "
        "| Pagefind alone (c) | c/a wall | KB per paper |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for papers, run, anchor, project, ratio, sizes, floor in rows:
        print(f"| {papers:,} | {run} | {anchor['wall']:.1f} s | {anchor['load']:.2f} | {project['wall']:.1f} s | {project['load']:.2f} | "
              f"{ratio:.2f} | {project['cpu'] / anchor['cpu']:.2f} | {floor['wall']:.1f} s | {floor['wall'] / anchor['wall']:.2f} | "
              f"{sizes['per_paper'] / 1000:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
