"""hadolint, the Dockerfile linter, on the Todo API's Dockerfile and on the mistakes it catches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
HADOLINT = Path(sys.executable).parent / "hadolint"


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    if not HADOLINT.exists():
        pytest.skip(f"hadolint is not installed next to {sys.executable}: run make venv")
    return subprocess.run(
        [str(HADOLINT), "--no-color", str(path)], capture_output=True, text=True, timeout=30
    )


def test_the_todo_api_dockerfile_is_hadolint_clean() -> None:
    done = hadolint(REPO_ROOT / "projects" / "todo_api" / "Dockerfile")
    assert (done.returncode, done.stdout) == (0, "")


def test_hadolint_flags_a_shell_form_cmd_an_unpinned_base_and_a_named_user(
    tmp_path: Path,
) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python\nUSER app\nCMD gunicorn app:app\n")
    done = hadolint(dockerfile)
    codes = sorted({line.split()[1] for line in done.stdout.splitlines()})
    assert done.returncode == 1
    # DL3006: no tag on the base; DL3025: CMD not in JSON form; DL3066: a user name, not a uid.
    assert codes == ["DL3006", "DL3025", "DL3066"], done.stdout
