"""How much of GitHub Pages' 1 GB the built site takes, said at the end of every build.

GitHub Pages publishes a site of at most 1 GB; a larger one fails to deploy. The archive only
grows (about 19 KB of site per paper with its search index: BENCHMARKS.md), so the build says
how close it is every night, early enough to act:

- below 80%: one line in the build log;
- from 80%: a warning that does not stop the night (a `--strict` build counts MkDocs' warnings
  as errors, so it is printed outside MkDocs' logger), and in GitHub Actions an annotation on
  the run's summary page;
- at 100% and above: a MkDocs warning, so the nightly `mkdocs build --strict` fails with the
  message instead of publishing a site that GitHub Pages would refuse.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.archive")
early = logging.getLogger("generator.website.sitesize")
"""Not under `mkdocs`: its warnings reach the terminal without failing a strict build."""

PAGES_LIMIT = 1_000_000_000
"""GitHub Pages' limit on a published site, in bytes ("no larger than 1 GB")."""
WARN_FROM = 0.8
FIX = (
    "fix: list fewer papers a day (max_papers, min_score in config.yml) or publish site/ to a host without the limit "
    "(README, 'How big an archive fits GitHub Pages' 1 GB')"
)


def site_bytes(folder: Path) -> int:
    """The bytes of every file below `folder` that would be published (hidden files and folders are not)."""
    total = 0
    stack = [os.fspath(folder)]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
    return total


def report_size(folder: Path, papers: int, environ=os.environ) -> int:
    """Say how much of Pages' 1 GB the site in `folder` takes (see the module's docstring); return its bytes."""
    size = site_bytes(folder)
    share = size / PAGES_LIMIT
    per_paper = f", {size / papers / 1000:.1f} KB a paper" if papers else ""
    line = f"archive: the site is {size / 1e6:,.0f} MB{per_paper}: {share:.0%} of GitHub Pages' 1 GB"
    if share >= 1:
        log.warning("%s; GitHub Pages would refuse it; %s", line, FIX)
    elif share >= WARN_FROM:
        papers_left = int((PAGES_LIMIT - size) / (size / papers)) if papers else 0
        message = f"{line}; about {papers_left:,} more papers fit; {FIX}"
        early.warning("WARNING -  %s", message)
        if environ.get("GITHUB_ACTIONS") == "true":
            print(f"::warning title=The site nears GitHub Pages' 1 GB::{message}", file=sys.stdout, flush=True)
    else:
        log.info(line)
    return size
