"""The demo, run as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "day23", *args], cwd=REPO, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_the_demo_validates_the_repository_workflow():
    done = run("--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 findings." in done.stdout


def test_the_demo_prints_the_findings_of_a_broken_workflow(tmp_path):
    broken = tmp_path / "ci.yml"
    broken.write_text("on: push\njobs:\n  test:\n    steps:\n      - run: make test\n")
    done = run(str(broken))
    assert done.returncode == 0
    assert "'runs-on' is a required property" in done.stdout
    assert "FAIL require-services" in done.stdout
    assert run("--strict", str(broken)).returncode == 1


def test_an_unreadable_workflow_is_one_line_and_exit_2(tmp_path):
    done = run(str(tmp_path / "missing.yml"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "cannot read" in done.stderr


def test_a_file_that_is_not_a_yaml_mapping_is_one_line_and_exit_2(tmp_path):
    for text in ("jobs: [unclosed\n", "- just\n- a list\n"):
        path = tmp_path / "ci.yml"
        path.write_text(text)
        done = run(str(path))
        assert done.returncode == 2, text
        assert done.stderr.count("\n") == 1, done.stderr
