"""What a real `docker build` sends: the .dockerignore matcher agrees with the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from day14.checks import ignored
from shared.testing.docker import (
    Container,
    Engine,
    build_image,
    image_files,
    remove_image,
    run_container,
    unique_name,
)

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(180)]

FILES = [
    "keep.txt",
    "notes.md",
    "docs/guide.md",
    "src/app.py",
    "src/__pycache__/app.cpython-311.pyc",
    "src/tests/test_app.py",
    "src/vendored/.git/HEAD",
    "secrets/token",
    "secrets/public.pem",
]
PATTERNS = """\
*.md
**/__pycache__
**/.git
src/tests
secrets
!secrets/*.pem
"""


def test_the_matcher_leaves_out_what_docker_leaves_out(
    docker_engine: Engine, tmp_path: Path
) -> None:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    (tmp_path / ".dockerignore").write_text(PATTERNS)
    (tmp_path / "Dockerfile").write_text("ARG PYTHON_IMAGE\nFROM ${PYTHON_IMAGE}\nCOPY . /ctx\n")
    tag = unique_name("day14-context")
    build_image(docker_engine, tmp_path / "Dockerfile", tag, tmp_path)
    try:
        copied = image_files(tag, ["/ctx"])
    finally:
        remove_image(tag)
    expected = sorted(
        f"/ctx/{name}"
        for name in [*FILES, ".dockerignore", "Dockerfile"]
        if not ignored(PATTERNS, name)
    )
    assert copied == expected


def test_a_shell_as_pid_1_ignores_sigterm_and_is_killed_after_the_grace_period(
    docker_engine: Engine, containers: list[Container]
) -> None:
    # What a shell-form CMD does: /bin/sh is PID 1, and PID 1 gets no default SIGTERM handler.
    container = run_container(
        docker_engine.base_image, "sh", "-c", "sleep 30; echo done", before_image=False
    )
    containers.append(container)
    exit_code, took = container.stop(grace=2)
    assert exit_code == 137  # 128 + SIGKILL
    assert took >= 2


def test_an_exec_ed_process_gets_sigterm_and_stops_at_once(
    docker_engine: Engine, containers: list[Container]
) -> None:
    container = run_container(
        docker_engine.base_image,
        "python3",
        "-c",
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
        "time.sleep(30)",
        before_image=False,
    )
    containers.append(container)
    exit_code, took = container.stop(grace=5)
    assert (exit_code, took < 5) == (0, True)
