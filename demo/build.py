"""Build the demo archive from recorded arXiv data: no network, no API key.

Runs the real CLI (`python -m generator update|backfill`) against a loopback
replay of recorded arXiv responses, day by day, into demo/build/docs. Summaries
come from the real summary stage talking to a loopback OpenAI-compatible server
(demo/llm.py) that replays the answers committed in demo/answers/ as the model
`demo-replay`; the dummy key it needs is set for the generator's subprocess only.
The repository's own docs/ is never touched.

    python -m demo.build [--out demo/build]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from demo.llm import ReplayLLM
from demo.replay import ArxivReplay

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "demo" / "config.yml"
DEMO_KEY_ENV = "DEMO_REPLAY_KEY"
"""The variable demo/config.yml's ai_summary.api_key_env names; a dummy value, never a real key."""

# API recordings served for backfill searches, by category.
SEARCHES = {
    "cs.LG": "api2026_search_cat_cs.LG_OR_cs.AI_max20.xml",
    "cs.AI": "api2026_search_cat_cs.LG_OR_cs.AI_max20.xml",
    "cs.CL": "api2026_search_cat_cs.CL_max3.xml",
}
# (command, feeds served as that day's announcements), in the order a real archive grows.
STEPS: list[tuple[list[str], tuple[str, ...]]] = [
    (["update"], ("rss_quant-ph_2025-04-28.xml",)),
    (["update"], ("rss_cs_AI_2026-04-27_trimmed3.xml", "rss_cs_CL_2026-04-27_trimmed3.xml", "rss_cs_LG_2026-04-27_trimmed3.xml")),
    (["backfill", "--since", "2026-04-28", "--until", "2026-09-24"], ()),
    (["update"], ("rss_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed4.xml",)),
]


def build_archive(out: Path, config: Path = CONFIG, quiet: bool = False) -> Path:
    """Write the demo archive into out/docs (replacing it) and return that folder."""
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    with ArxivReplay(searches=SEARCHES) as replay, ReplayLLM() as llm:
        env = {
            **os.environ,
            **replay.environ(),
            "PYTHONPATH": str(ROOT),
            "LLM_BASE_URL": llm.base_url,
            DEMO_KEY_ENV: "demo-replay-not-a-key",
        }
        env.pop("DASHSCOPE_API_KEY", None)  # a real key never goes near the demo
        for command, feeds in STEPS:
            if feeds:
                replay.serve_day(*feeds)
            run = subprocess.run(
                [sys.executable, "-m", "generator", *command, "--config", str(config), "--docs", str(docs)],
                cwd=ROOT,
                env={**env, "PYTHONFAULTHANDLER": "1"},  # a crash of the interpreter says where it was
                stdout=subprocess.DEVNULL if quiet else None,
                stderr=subprocess.PIPE if quiet else None,
                text=True,
            )
            if run.returncode != 0:
                failed = f"`python -m generator {' '.join(command)}` failed (exit code {run.returncode})"
                raise RuntimeError(f"{failed}: {(run.stderr or '')[-4000:]}")
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "demo" / "build")
    args = parser.parse_args()
    docs = build_archive(args.out)
    print(f"demo archive written to {docs}")


if __name__ == "__main__":
    main()
