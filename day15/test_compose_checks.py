"""The compose checks, on the Todo API's compose file and on copies with one thing broken."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from day15.compose_checks import ComposeError, check_compose, load

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE = REPO_ROOT / "projects" / "todo_api" / "compose.yaml"


def broken(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, str]:
    """Check a copy of the compose file with ``change`` applied: {failed check: its detail}."""
    data = yaml.safe_load(COMPOSE.read_text())
    change(data)
    # The copy sits where the original does relative to the Dockerfile it builds.
    folder = tmp_path / "projects" / "todo_api"
    folder.mkdir(parents=True)
    shutil.copy(COMPOSE.parent / "Dockerfile", folder / "Dockerfile")
    data["services"]["api"]["build"]["context"] = "../.."
    path = folder / "compose.yaml"
    path.write_text(yaml.safe_dump(data))
    return {check.name: check.detail for check in check_compose(path) if not check.passed}


def test_the_todo_api_compose_file_passes_every_check() -> None:
    assert [str(check) for check in check_compose(COMPOSE) if not check.passed] == []


def test_the_api_counts_as_healthy_through_its_dockerfile_healthcheck() -> None:
    checks = {check.name: check for check in check_compose(COMPOSE)}
    assert "healthcheck" not in load(COMPOSE)["services"]["api"]
    assert "nginx -> api" in checks["start order"].detail


def test_an_unchanged_copy_passes(tmp_path: Path) -> None:
    assert broken(tmp_path, lambda data: None) == {}


def test_a_plain_list_of_dependencies_fails_start_order(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["services"]["api"]["depends_on"] = ["mysql", "redis"]

    assert broken(tmp_path, change) == {
        "start order": "api: depends_on is a list: it waits for nothing"
    }


def test_waiting_only_for_the_start_fails_start_order(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["services"]["api"]["depends_on"]["redis"] = {"condition": "service_started"}

    assert broken(tmp_path, change) == {"start order": "api -> redis: service_started"}


def test_waiting_on_a_service_without_a_health_check_fails(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["services"]["mysql"]["healthcheck"]

    assert broken(tmp_path, change) == {"start order": "api -> mysql: no health check"}


def test_a_disabled_health_check_is_none(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["services"]["redis"]["healthcheck"] = {"disable": True}

    assert broken(tmp_path, change) == {"start order": "api -> redis: no health check"}


def test_a_dockerfile_without_healthcheck_fails_the_gate_on_the_api(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["services"]["api"]["build"]["dockerfile"] = "projects/todo_api/Missing"

    assert broken(tmp_path, change) == {"start order": "nginx -> api: no health check"}


def test_data_in_the_container_fails_volumes(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["services"]["mysql"]["volumes"] = ["./mysql:/var/lib/mysql"]

    assert broken(tmp_path, change) == {"volumes": "mysql: /var/lib/mysql is not on a named volume"}


@pytest.mark.parametrize(
    ("key", "value", "detail"),
    [
        ("deploy", {"replicas": 1}, "api: 1 replicas, expected 2"),
        ("ports", ["8000:8000"], "api: a published port, which only one can bind"),
        ("container_name", "api", "api: container_name, which only one can have"),
    ],
)
def test_what_two_replicas_cannot_share_fails_replicas(
    tmp_path: Path, key: str, value: object, detail: str
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["services"]["api"][key] = value

    assert broken(tmp_path, change) == {"replicas": detail}


def test_a_build_without_the_base_argument_fails(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["services"]["api"]["build"]["args"]

    assert broken(tmp_path, change) == {"build arg PYTHON_IMAGE": "api does not pass PYTHON_IMAGE"}


@pytest.mark.parametrize(
    ("text", "message"), [("services: [a\n", "not valid YAML"), ("x: 1\n", "no services mapping")]
)
def test_a_file_that_is_no_compose_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    with pytest.raises(ComposeError, match=message):
        check_compose(path)
