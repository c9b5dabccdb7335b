"""Benchmark: the nightly `update` against a replayed recorded day, on archives of growing size.

For each archive size, synthesizes that many paper pages, then runs the real CLI
(`python -m generator update`, request delay 0) against the loopback replay of a
recorded feed, twice: the first run archives the day, the second is a rerun that
must change and touch no file. Reports wall time of the whole process and of the
update step itself (the run report's time), pages written, files touched.

    python -m benchmarks.update_bench [--sizes 0 1000 10000] [--feed rss_quant-ph_2025-04-28.xml]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.synth import synthesize
from demo.replay import ArxivReplay
from tests.conftest import snapshot

ROOT = Path(__file__).resolve().parent.parent


def write_config(path: Path) -> Path:
    data = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    data["categories"] = ["quant-ph"]
    data["keywords"] += ["quantum", "entanglement", "qubit"]
    data["min_score"] = 1.5
    data["days_back"] = 0
    # The synthesized archive ends years before the replayed day: a catch-up would fill the
    # days in between (empty, the replay's API knows none) and this measures one night's update.
    data["catch_up_days"] = 0
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run_update(docs: Path, config: Path, env: dict[str, str]) -> tuple[float, float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "generator", "update", "--config", str(config), "--docs", str(docs)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    step = float(re.search(r"time\s+([\d.]+) s", done.stderr).group(1))
    written = re.search(r"pages written / unchanged\s+(\d+ / \d+)", done.stderr).group(1)
    return wall, step, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1000, 10000])
    parser.add_argument("--feed", default="rss_quant-ph_2025-04-28.xml")
    args = parser.parse_args()
    print(
        "| archive pages | synth time | update wall | update step | pages written / unchanged "
        "| rerun wall | rerun step | files touched by rerun |"
    )
    print("|---:|---:|---:|---:|---|---:|---:|---:|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp, ArxivReplay() as replay:
            tmp_path = Path(tmp)
            started = time.perf_counter()
            docs = synthesize(size, tmp_path)
            synth_time = time.perf_counter() - started
            config = write_config(tmp_path / "config.yml")
            replay.serve_day(args.feed)
            env = {**os.environ, **replay.environ(), "PYTHONPATH": str(ROOT)}
            env.pop("DASHSCOPE_API_KEY", None)
            wall, step, written = run_update(docs, config, env)
            before = snapshot(docs)
            rerun_wall, rerun_step, _ = run_update(docs, config, env)
            after = snapshot(docs)
            touched = sum(1 for key in set(before) | set(after) if before.get(key) != after.get(key))
            print(
                f"| {size:,} | {synth_time:.1f} s | {wall:.2f} s | {step:.2f} s | {written} | {rerun_wall:.2f} s | {rerun_step:.2f} s | "
                f"{touched} |"
            )


if __name__ == "__main__":
    main()
