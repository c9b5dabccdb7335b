"""The nightly workflow's command sequence, run for real in a temporary clone.

The workflow runs `scripts/nightly.sh doctor`, `archive`, `commit` and `build`; this test runs
the same four phases in a clone whose `origin` is a local bare repository, against a
loopback replay of a recorded arXiv day, and checks that only docs/ changes, that the
bot commits and pushes it (rebasing when the remote moved), that the strict build
passes, and that a second night with nothing new changes and commits nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from demo.replay import ArxivReplay
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # runs the nightly workflow's phases as subprocesses on a git clone (left out of `make test-fast`)

SEARCHES = {"cs.LG": "api2026_search_cat_cs.LG_OR_cs.AI_max20.xml", "cs.CL": "api2026_search_cat_cs.CL_max3.xml"}
DAY = "rss_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed4.xml"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def phase(clone: Path, name: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "scripts/nightly.sh", name], cwd=clone, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def clone(tmp_path):
    """A clone of this repository's files (as they are now) with a bare `origin`."""
    source = tmp_path / "source"
    files = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            target = source / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    git(source, "init", "-q", "-b", "main")
    git(source, "add", "-A")
    git(source, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "initial")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(source), str(origin))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    return work


def test_the_workflow_phases_change_only_docs_and_a_second_night_changes_nothing(clone, tmp_path):
    with ArxivReplay(searches=SEARCHES) as replay:
        replay.serve_day(DAY)
        env = {**os.environ, **replay.environ(), "PYTHON": sys.executable, "PYTHONPATH": str(clone)}
        env.pop("DASHSCOPE_API_KEY", None)
        # As in GitHub Actions, where the shipped placeholder site.url becomes the fork's Pages address
        # (outside Actions the strict build refuses it: tests/site/test_site_build.py).
        env.update(GITHUB_ACTIONS="true", GITHUB_REPOSITORY="ada-l/arxiv-daily")
        first = git(clone, "rev-parse", "HEAD")

        checked = phase(clone, "doctor", env)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.splitlines()[-1].startswith("doctor: 0 errors")

        archived = phase(clone, "archive", env)
        assert archived.returncode == 0, archived.stderr
        changed = git(clone, "status", "--porcelain", "--untracked-files=all").splitlines()
        assert changed and all(line[3:].startswith("docs/") for line in changed), changed

        # Meanwhile someone pushes to the repository: the bot's push is rejected, it rebases and retries.
        other = tmp_path / "other"
        git(tmp_path, "clone", "-q", str(tmp_path / "origin.git"), str(other))
        (other / "NOTES.md").write_text("edited while the nightly job ran\n")
        git(other, "add", "NOTES.md")
        git(other, "-c", "user.name=o", "-c", "user.email=o@example.invalid", "commit", "-qm", "meanwhile")
        git(other, "push", "-q", "origin", "main")

        committed = phase(clone, "commit", env)
        assert committed.returncode == 0, committed.stderr
        assert "push rejected (attempt 1)" in committed.stderr
        remote_head = git(tmp_path / "origin.git", "rev-parse", "main")
        assert remote_head == git(clone, "rev-parse", "HEAD")
        assert git(clone, "log", "-1", "--format=%an") == "arxiv-archive-bot"
        touched = git(clone, "diff", "--name-only", "HEAD~1", "HEAD").splitlines()
        assert touched and all(name.startswith("docs/") for name in touched), touched
        assert "docs/days/2026/2026-09-24.md" in touched
        assert git(clone, "rev-list", "--count", f"{first}..HEAD") == "2"  # the other commit, then the bot's

        built = phase(clone, "build", env)
        assert built.returncode == 0, built.stderr
        assert (clone / "site" / "days" / "2026" / "2026-09-24" / "index.html").is_file()
        assert (clone / "site" / "pagefind").is_dir()
        assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""  # site/ is ignored

        # The workflow's second run of the night: nothing new, nothing written, nothing committed.
        again = phase(clone, "archive", env)
        assert again.returncode == 0, again.stderr
        assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""
        nothing = phase(clone, "commit", env)
        assert nothing.returncode == 0 and "nothing to commit" in nothing.stdout
        assert git(tmp_path / "origin.git", "rev-parse", "main") == remote_head


def test_a_failed_fetch_fails_the_phase_and_commits_nothing(clone, tmp_path):
    env = {**os.environ, "PYTHON": sys.executable, "PYTHONPATH": str(clone), "ARXIV_REQUEST_DELAY": "0"}
    env["ARXIV_FEED_URL"] = "http://127.0.0.1:9/rss/{categories}"  # nothing listens on the discard port
    env["ARXIV_API_URL"] = "http://127.0.0.1:9/api/query"
    checked = phase(clone, "doctor", env)
    assert checked.returncode == 1  # the workflow stops here, on night one
    assert (
        "error    feed endpoint: http://127.0.0.1:9/rss/cs.AI+cs.CL+cs.DC+cs.LG: connection refused; fix: check ARXIV_FEED_URL"
        in checked.stdout
    )
    failed = phase(clone, "archive", {**env, "PUSH_ATTEMPTS": "1"})
    assert failed.returncode == 1
    assert (
        failed.stderr.strip()
        .splitlines()[-1]
        .startswith("error: feed endpoint http://127.0.0.1:9/rss/cs.AI+cs.CL+cs.DC+cs.LG: connection refused")
    )
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""
