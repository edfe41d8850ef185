"""What the compose tools here accept: Debian's Compose v1 and the compose spec's JSON schema."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
FILE = "services:\n  web:\n    image: example:1\n"


def run(command: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=60)


@pytest.fixture
def with_name(tmp_path: Path) -> Path:
    (tmp_path / "compose.yaml").write_text("name: todo\n" + FILE)
    return tmp_path


def test_compose_v1_refuses_the_top_level_name(with_name: Path) -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    done = run(["docker-compose", "-f", "compose.yaml", "config", "--quiet"], with_name)
    assert done.returncode == 1
    assert "'name' does not match any of the regexes" in done.stderr


def test_the_compose_spec_schema_accepts_the_top_level_name(with_name: Path) -> None:
    command = [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", "compose.yaml"]
    done = run(command, with_name)
    assert done.returncode == 0, done.stdout + done.stderr
