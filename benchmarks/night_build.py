"""Benchmark: a cold build and a warm night, at archive sizes up to 200,000 papers (issue 23).

For each size N, in one run, on synthetic archives (benchmarks/synth.py: real recorded titles and
abstracts recombined, ~30 papers a weekday, the archive's related-papers vocabulary written as the
night writes it):

- (a) cold: `mkdocs build` of night N-1 (N papers) with an empty build cache and an empty site folder;
- (b) warm: night N adds `--add` papers (the next synthetic day or days), copied into the same archive
  folder the way a night's commit lands (only new and changed files are written), and `mkdocs build`
  runs again with the cache of (a);
- (c) with `--fresh-checkout`, the same warm night after every record's mtime changed (a fresh
  `git checkout` on a CI runner): every record is hashed again, none is parsed.

Reported for each: wall time, CPU of the whole process tree (the build, Pagefind, the related-papers
worker), the peak resident memory of every process (sampled from /proc), the ratio warm/cold, the
bytes of the site, the load average. Archives are cached under benchmarks/out/.

    python -m benchmarks.night_build --papers 10000 50000 200000 [--add 100] [--fresh-checkout] [--keep]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.synth import synthesize
from generator.website.sitesize import site_bytes

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
CONFIG = ROOT / "demo" / "config.yml"
CLK = os.sysconf("SC_CLK_TCK")


def archive(papers: int) -> Path:
    """The synthetic archive of `papers` papers (cached), with its vocabulary as the night writes it."""
    docs = OUT / f"archive-{papers}" / "docs"
    if not (docs / "days").is_dir():
        synthesize(papers, docs.parent)
    from generator.ranking.vocabulary import refresh_vocabulary

    refresh_vocabulary(docs)
    return docs


def _children(pid: int) -> list[int]:
    """The children of every thread of `pid` (the search segments' Pagefind processes are started from pool threads)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _peak(pid: int) -> tuple[str, float] | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            status = dict(line.split(":", 1) for line in handle if ":" in line)
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    name = "pagefind" if "pagefind" in command else "related worker" if "related import serve" in command else "build"
    return name, int(status.get("VmHWM", "0 kB").split()[0]) / 1024


class Sampler:
    """Every process of a build's tree, sampled every 0.2 s: the peak resident memory of each, by kind."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peaks: dict[str, float] = defaultdict(float)
        self.processes: dict[str, set[int]] = defaultdict(set)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.is_set():
            todo, seen = [self.pid], set()
            while todo:
                pid = todo.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                found = _peak(pid)
                if found:
                    name, peak = found
                    self.peaks[name] = max(self.peaks[name], peak)
                    self.processes[name].add(pid)
                todo += _children(pid)
            time.sleep(0.2)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def build(docs: Path, site: Path, cache: Path) -> dict:
    """One real `mkdocs build` (as a user runs it), measured."""
    env = {**os.environ, "ARCHIVE_DOCS": str(docs), "ARCHIVE_CONFIG": str(CONFIG), "ARCHIVE_CACHE": str(cache),
           "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}  # fmt: skip
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(site)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    sampler = Sampler(process.pid)
    _, stderr = process.communicate()
    wall = time.monotonic() - started
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"build failed:\n{stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    log = [line.split("-  ", 1)[-1] for line in stderr.splitlines() if "archive:" in line]
    return {
        "wall": wall,
        "cpu": cpu,
        "load": load,
        "peaks": dict(sampler.peaks),
        "pagefind processes": len(sampler.processes["pagefind"]),
        "log": log,
    }


def land_night(source: Path, target: Path) -> int:
    """Copy night N's archive over night N-1's as a commit lands: new and changed files only; return how many."""
    changed = 0
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        dest = target / path.relative_to(source)
        data = path.read_bytes()
        if dest.is_file() and dest.read_bytes() == data:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        changed += 1
    return changed


def show(label: str, result: dict) -> None:
    peaks = ", ".join(f"{name} {mb:.0f} MB" for name, mb in sorted(result["peaks"].items()))
    print(f"  {label}: {result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU, load before {result['load']:.2f}; peak memory: {peaks}"
          f" ({result['pagefind processes']} Pagefind processes)")  # fmt: skip
    for line in result["log"]:
        print(f"      {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[10000])
    parser.add_argument("--add", type=int, default=100, help="papers the warm night adds")
    parser.add_argument(
        "--fresh-checkout", action="store_true", help="also time the warm night after touching every record (a CI checkout)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the built sites and caches under benchmarks/out/")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    rows = []
    for papers in args.papers:
        before, after = archive(papers), archive(papers + args.add)
        work = OUT / f"night-{papers}"
        shutil.rmtree(work, ignore_errors=True)
        docs, site, cache = work / "docs", work / "site", work / "cache"
        shutil.copytree(before, docs)
        print(f"\n{papers} papers, then a night adding {args.add}")
        cold = build(docs, site, cache)
        show("(a) cold", cold)
        size = site_bytes(site)
        print(f"  site: {size / 1e6:.1f} MB, {size / papers / 1000:.2f} KB per paper")
        changed = land_night(after, docs)
        warm = build(docs, site, cache)
        show(f"(b) warm night ({changed} files landed)", warm)
        print(f"  ratio warm/cold: {warm['wall'] / cold['wall']:.3f} (wall), {warm['cpu'] / cold['cpu']:.3f} (CPU)")
        fresh = None
        if args.fresh_checkout:
            stamp = time.time()
            for path in docs.rglob("*.md"):
                os.utime(path, (stamp, stamp))
            fresh = build(docs, site, cache)
            show("(c) warm, fresh checkout (every mtime changed)", fresh)
        rows.append((papers, cold, warm, fresh, size))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\n| papers | cold wall | cold CPU | warm wall | warm CPU | warm/cold | peak memory (largest process) | site | per paper |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for papers, cold, warm, _, size in rows:
        peak = max(max(cold["peaks"].values()), max(warm["peaks"].values()))
        print(f"| {papers:,} | {cold['wall']:.1f} s | {cold['cpu']:.1f} s | {warm['wall']:.1f} s | {warm['cpu']:.1f} s | "
              f"{warm['wall'] / cold['wall']:.3f} | {peak:.0f} MB | {size / 1e6:.1f} MB | {size / papers / 1000:.2f} KB |")  # fmt: skip


if __name__ == "__main__":
    main()
