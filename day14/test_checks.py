"""The Dockerfile checks and the .dockerignore matcher, on small files and on the Todo API's."""

from __future__ import annotations

from pathlib import Path

import pytest

from day14.checks import (
    DockerfileError,
    check_base_argument,
    check_cache_order,
    check_dockerfile,
    check_healthcheck,
    check_multi_stage,
    check_non_root,
    check_port,
    check_signals,
    ignored,
    parse,
    stages,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
TODO_DOCKERFILE = REPO_ROOT / "projects" / "todo_api" / "Dockerfile"

GOOD = """\
# syntax comment
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE} AS build
COPY requirements.lock ./
RUN python3 -m venv /opt/venv \\
    # a comment inside a continued line is dropped
    && /opt/venv/bin/pip install -r requirements.lock
FROM ${PYTHON_IMAGE}
ENV PORT=8000
COPY --from=build /opt/venv /opt/venv
COPY app/ app/
USER 10001:10001
HEALTHCHECK --interval=5s CMD ["python3", "-c", "print(1)"]
CMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT} app:app"]
"""


def replaced(old: str, new: str) -> list:
    assert old in GOOD, old
    return parse(GOOD.replace(old, new))


def test_parse_joins_continuations_and_drops_comments() -> None:
    instructions = parse(GOOD)
    run = instructions[3]
    assert (run.line, run.keyword) == (5, "RUN")
    assert run.args == "python3 -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.lock"
    assert [i.keyword for i in instructions][:3] == ["ARG", "FROM", "COPY"]


def test_parse_upper_cases_keywords() -> None:
    assert parse("from python:3.11-slim\nuser app\n")[1].keyword == "USER"


def test_parse_refuses_a_file_without_from() -> None:
    with pytest.raises(DockerfileError, match="no FROM instruction"):
        parse("RUN true\n")


def test_parse_refuses_a_file_ending_inside_a_continuation() -> None:
    with pytest.raises(DockerfileError, match="line 2: the file ends inside"):
        parse("FROM x:1\nRUN true \\\n")


def test_parse_refuses_a_line_that_is_no_instruction() -> None:
    with pytest.raises(DockerfileError, match="line 2: expected an instruction, got '--x'"):
        parse("FROM x:1\n--x y\n")


def test_stages_start_at_each_from() -> None:
    found = stages(parse(GOOD))
    assert [len(stage) for stage in found] == [3, 7]
    assert found[1][0].args == "${PYTHON_IMAGE}"


def test_every_check_passes_on_the_good_file() -> None:
    checks = check_dockerfile(GOOD)
    assert [check.name for check in checks if not check.passed] == []
    assert len(checks) == 7


def test_one_stage_fails_multi_stage() -> None:
    check = check_multi_stage(parse("FROM python:3.11-slim\nRUN true\n"))
    assert not check.passed
    assert "one stage" in check.detail


def test_a_last_stage_that_copies_nothing_from_the_first_fails() -> None:
    check = check_multi_stage(replaced("COPY --from=build /opt/venv /opt/venv\n", ""))
    assert (check.passed, check.detail) == (False, "2 stages, but the last copies nothing in")


@pytest.mark.parametrize(
    ("old", "new", "detail"),
    [
        ("ARG PYTHON_IMAGE=python:3.11-slim\n", "", "no ARG PYTHON_IMAGE before the first FROM"),
        ("python:3.11-slim\n", "python\n", "default 'python' is not pinned to a tag"),
        ("python:3.11-slim\n", "python:latest\n", "default 'python:latest' is not pinned"),
        ("FROM ${PYTHON_IMAGE}\n", "FROM python:3.12\n", "FROM python:3.12 ignores PYTHON_IMAGE"),
    ],
)
def test_the_base_must_come_from_the_argument(old: str, new: str, detail: str) -> None:
    check = check_base_argument(replaced(old, new))
    assert not check.passed
    assert detail in check.detail


def test_a_stage_built_on_an_earlier_stage_counts_as_using_the_argument() -> None:
    check = check_base_argument(replaced("FROM ${PYTHON_IMAGE}\n", "FROM build\n"))
    assert check.passed, check.detail


def test_copying_the_code_before_the_install_fails_cache_order() -> None:
    check = check_cache_order(
        replaced("COPY requirements.lock ./\n", "COPY requirements.lock src/ ./\n")
    )
    assert not check.passed
    assert check.detail == "line 4: src/ is copied before the install on line 5"


@pytest.mark.parametrize("user", ["", "USER root\n", "USER 0:0\n"])
def test_root_fails_non_root(user: str) -> None:
    check = check_non_root(replaced("USER 10001:10001\n", user))
    assert not check.passed


def test_only_the_last_user_counts() -> None:
    check = check_non_root(replaced("USER 10001:10001\n", "USER app\nUSER root\n"))
    assert (check.passed, check.detail) == (False, "line 13: USER root is root")


@pytest.mark.parametrize(
    ("new", "detail"),
    [("", "no HEALTHCHECK"), ("HEALTHCHECK NONE\n", "HEALTHCHECK NONE")],
)
def test_a_missing_or_disabled_healthcheck_fails(new: str, detail: str) -> None:
    old = 'HEALTHCHECK --interval=5s CMD ["python3", "-c", "print(1)"]\n'
    check = check_healthcheck(replaced(old, new))
    assert not check.passed
    assert detail in check.detail


def test_the_healthcheck_interval_is_reported() -> None:
    assert check_healthcheck(parse(GOOD)).detail == "line 13, every 5s"


def test_a_fixed_port_fails() -> None:
    check = check_port(replaced("0.0.0.0:${PORT}", "0.0.0.0:8000"))
    assert (check.passed, check.detail) == (False, "the CMD does not use $PORT")
    check = check_port(replaced("ENV PORT=8000\n", ""))
    assert not check.passed


@pytest.mark.parametrize(
    ("cmd", "detail"),
    [
        ("CMD gunicorn app:app\n", "shell form, /bin/sh gets SIGTERM"),
        ('CMD ["sh", "-c", "gunicorn app:app"]\n', "the shell does not exec"),
    ],
)
def test_a_shell_between_docker_and_the_server_fails_signals(cmd: str, detail: str) -> None:
    old = 'CMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT} app:app"]\n'
    check = check_signals(replaced(old, cmd))
    assert not check.passed
    assert detail in check.detail


def test_a_plain_exec_form_passes_signals() -> None:
    old = 'CMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT} app:app"]\n'
    check = check_signals(replaced(old, 'CMD ["gunicorn", "app:app"]\n'))
    assert (check.passed, check.detail) == (True, "exec form, PID 1 is gunicorn")


def test_the_todo_api_dockerfile_passes_every_check() -> None:
    checks = check_dockerfile(TODO_DOCKERFILE.read_text())
    assert [str(check) for check in checks if not check.passed] == []


# --- .dockerignore ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        (".git\n", ".git/HEAD", True),  # a folder's pattern covers what is inside it
        (".git\n", "src/.git", False),  # patterns are anchored at the context's root
        ("**/.git\n", "src/.git", True),
        ("**/__pycache__\n", "a/b/__pycache__/x.pyc", True),
        ("*.md\n", "README.md", True),
        ("*.md\n", "docs/README.md", False),  # * never crosses a /
        ("docs/**\n", "docs/a/b.md", True),
        ("day??\n", "day14/x.py", True),
        ("day??\n", "day1/x.py", False),
        ("*\n!shared/\n", "shared/db.py", False),
        ("*\n!shared/\nshared/testing\n", "shared/testing/plugin.py", True),
        ("!shared\n*\n", "shared/db.py", True),  # the last matching pattern wins
        ("# a comment\n\n", "x.py", False),
        ("./build/\n", "build/out", True),
    ],
)
def test_ignored_follows_dockers_rules(patterns: str, path: str, expected: bool) -> None:
    assert ignored(patterns, path) is expected


def test_the_dockerignore_sends_only_what_the_image_copies() -> None:
    patterns = (REPO_ROOT / ".dockerignore").read_text()
    sent = ["requirements-docker.lock", "shared/db.py", "projects/todo_api/__init__.py"]
    kept_out = [
        ".git/HEAD",
        ".venv/bin/python",
        "docs/heatmap.svg",
        "day14/checks.py",
        ".pytest_cache/README.md",
        "projects/todo_api/tests/test_docker.py",
        "projects/todo_api/__pycache__/config.cpython-311.pyc",
        "shared/testing/plugin.py",
    ]
    assert [path for path in sent if ignored(patterns, path)] == []
    assert [path for path in kept_out if not ignored(patterns, path)] == []
