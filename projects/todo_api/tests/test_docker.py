"""The Todo API's image: the Dockerfile's invariants, and the real image built and run.

The real tests build the image once per session from ``DOCKER_BASE_IMAGE`` (see
shared/testing/docker.py), run it on the host network against real MariaDB and Redis, wait for
its HEALTHCHECK, use the Todo-Backend contract through it, and stop it with ``docker stop``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from shared.serve import free_port
from shared.testing.docker import (
    Container,
    DockerError,
    Engine,
    build_image,
    containers,
    docker,
    docker_engine,
    image_files,
    remove_image,
    run_container,
    unique_name,
)

__all__ = ["containers", "docker_engine"]  # fixtures, imported for this module

TODO_API = Path(__file__).resolve().parents[1]
REPO_ROOT = TODO_API.parents[1]
DOCKERFILE = TODO_API / "Dockerfile"
TEXT = DOCKERFILE.read_text()
#: The Dockerfile's instructions, continuation lines joined, comments dropped.
INSTRUCTIONS = [
    line.strip()
    for line in re.sub(r"\\\n\s*", " ", re.sub(r"(?m)^\s*#.*\n", "", TEXT)).splitlines()
    if line.strip()
]
STAGES = [i for i, line in enumerate(INSTRUCTIONS) if line.startswith("FROM ")]
LAST_STAGE = INSTRUCTIONS[STAGES[-1] :]


def last(keyword: str) -> str:
    found = [line for line in LAST_STAGE if line.startswith(f"{keyword} ")]
    assert found, f"no {keyword} in the last stage"
    return found[-1].removeprefix(f"{keyword} ")


def test_the_base_image_is_a_build_argument_defaulting_to_python_slim() -> None:
    assert INSTRUCTIONS[0] == "ARG PYTHON_IMAGE=python:3.11-slim"
    froms = [INSTRUCTIONS[i] for i in STAGES]
    assert froms == ["FROM ${PYTHON_IMAGE} AS build", "FROM ${PYTHON_IMAGE}"]


def test_the_runtime_stage_gets_the_venv_from_the_build_stage_and_only_the_apis_code() -> None:
    copies = [line for line in LAST_STAGE if line.startswith("COPY ")]
    assert copies == [
        "COPY --from=build /opt/venv /opt/venv",
        "COPY shared/ shared/",
        "COPY projects/__init__.py projects/",
        "COPY projects/todo_api/ projects/todo_api/",
    ]


def test_the_build_stage_installs_from_the_runtime_lock_before_any_code() -> None:
    build = INSTRUCTIONS[STAGES[0] : STAGES[1]]
    copies = [line for line in build if line.startswith("COPY ")]
    assert copies == ["COPY requirements-docker.lock ./"]
    runs = " ".join(line for line in build if line.startswith("RUN "))
    assert "pip wheel --wheel-dir /build/wheels -r requirements-docker.lock" in runs
    assert "pip install --no-index --find-links /build/wheels" in runs


def test_the_dockerfile_says_how_to_regenerate_the_lock() -> None:
    assert "uv pip compile pyproject.toml --no-header --python-version 3.11" in TEXT


def test_the_image_runs_as_a_numeric_non_root_user() -> None:
    assert last("USER") == "10001:10001"


def test_the_healthcheck_asks_healthz_on_port_with_python() -> None:
    health = last("HEALTHCHECK")
    words = json.loads(health.split(" CMD ", 1)[1])
    assert words[:2] == ["python3", "-c"]
    assert "/healthz" in words[2]
    assert "os.environ.get('PORT', '8000')" in words[2]


def test_the_cmd_execs_gunicorn_on_port_with_the_factory() -> None:
    assert "PORT=8000" in " ".join(line for line in LAST_STAGE if line.startswith("ENV "))
    shell, flag, command = json.loads(last("CMD"))
    assert (shell, flag) == ("sh", "-c")
    assert command.startswith("exec gunicorn ")
    assert '--bind "0.0.0.0:${PORT}"' in command
    assert command.endswith("'projects.todo_api:create_app()'")


def test_the_dockerfile_is_hadolint_clean() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.exists():
        pytest.skip("hadolint is not installed next to the interpreter: run make venv")
    done = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout) == (0, "")


# --- the real image ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def todo_image(docker_engine: Engine) -> Iterator[str]:
    """The Todo API's image, built once per session and removed afterwards."""
    package = TODO_API / "__init__.py"
    if not package.exists() or "def create_app" not in package.read_text():
        pytest.skip("projects/todo_api/__init__.py has no create_app yet: no app for the image")
    tag = f"{unique_name('backend45-todo-api')}:test"
    try:
        build_image(docker_engine, DOCKERFILE, tag, REPO_ROOT)
    except DockerError as error:
        remove_image(tag)
        pytest.fail(f"the image did not build: {error}", pytrace=False)
    yield tag
    remove_image(tag)


@pytest.fixture
def started_api(
    todo_image: str,
    containers: list[Container],
    make_database: Callable[[str], str],
    redis_url: str,
) -> tuple[Container, str]:
    """The image running on a free port against a new MariaDB database and Redis: container
    and base URL, once docker reports it healthy."""
    port = free_port()
    container = run_container(
        todo_image,
        "--health-interval=1s",
        "--health-start-period=60s",
        env={
            "PORT": str(port),
            "TODO_DATABASE_URL": make_database("mysql"),
            "TODO_REDIS_URL": redis_url,
        },
    )
    containers.append(container)
    container.wait_healthy(timeout=90)
    return container, f"http://127.0.0.1:{port}"


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_image_carries_only_the_api_and_runs_as_10001(todo_image: str) -> None:
    files = image_files(todo_image, ["/app"])
    tops = sorted({"/".join(path.split("/")[2:4]) for path in files})
    assert tops[0] == "projects/__init__.py"
    assert {top.split("/")[0] for top in tops} == {"projects", "shared"}
    assert [path for path in files if "/tests/" in path or "__pycache__" in path] == []
    assert [path for path in files if path.startswith("/app/shared/testing/")] == []
    assert docker("image", "inspect", "--format", "{{.Config.User}}", todo_image).strip() == (
        "10001:10001"
    )


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_container_serves_the_todo_contract_and_stops_cleanly(
    started_api: tuple[Container, str],
) -> None:
    container, base = started_api
    assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    assert requests.get(f"{base}/readyz", timeout=5).status_code == 200

    created = requests.post(f"{base}/todos", json={"title": "ship the image"}, timeout=5)
    assert created.status_code == 201, created.text
    todo = created.json()
    assert (todo["title"], todo["completed"]) == ("ship the image", False)
    assert todo["url"].startswith(f"{base}/todos/")

    assert requests.get(todo["url"], timeout=5).json()["title"] == "ship the image"
    patched = requests.patch(todo["url"], json={"completed": True}, timeout=5)
    assert (patched.status_code, patched.json()["completed"]) == (200, True)
    listed = requests.get(f"{base}/todos", timeout=5).json()
    assert [item["url"] for item in listed] == [todo["url"]]
    assert requests.delete(todo["url"], timeout=5).status_code in (200, 204)
    assert requests.get(todo["url"], timeout=5).status_code == 404

    exit_code, took = container.stop(grace=10)
    assert exit_code == 0, container.logs()
    assert took < 10, f"docker stop took {took:.1f} s: SIGTERM did not stop gunicorn"
    assert "Shutting down: Master" in container.logs()
