"""requirements-docker.lock: the runtime dependencies only, pinned exactly as requirements.lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


def requirement_name(spec: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~ ;]", spec, maxsplit=1)[0]).lower()


def test_every_docker_pin_is_the_same_as_in_requirements_lock() -> None:
    docker = pins(REPO_ROOT / "requirements-docker.lock")
    full = pins(REPO_ROOT / "requirements.lock")
    differ = {name: (version, full.get(name)) for name, version in docker.items()}
    assert {n: v for n, v in differ.items() if v[0] != v[1]} == {}


def test_the_docker_lock_has_every_runtime_dependency_and_no_dev_tool() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    docker = pins(REPO_ROOT / "requirements-docker.lock")
    runtime = {requirement_name(spec) for spec in project["dependencies"]}
    dev = {requirement_name(spec) for spec in project["optional-dependencies"]["dev"]}
    assert sorted(runtime - docker.keys()) == []
    assert sorted(dev & docker.keys()) == []
