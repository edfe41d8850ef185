"""The descriptor checks: good descriptors pass, and each broken one is caught by name."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from day24.descriptors import (
    ProcfileError,
    binds_platform_port,
    check_app_json,
    check_procfile,
    check_render,
    check_same_release,
    parse_procfile,
    release_commands,
    variable_names,
)
from projects.todo_api.config import TodoSettings

RELEASE = "python -m projects.todo_api.release"
WEB = "gunicorn --bind \"0.0.0.0:$PORT\" 'projects.todo_api:create_app()'"
SETTINGS = variable_names(TodoSettings)
PROCESSES = {"web": WEB, "release": RELEASE}
APP_JSON: dict[str, Any] = {
    "name": "todo",
    "env": {"APP_ENV": "production", "TODO_SECRET_KEY": {"generator": "secret"}},
    "formation": {"web": {"quantity": 1}},
    "scripts": {"postdeploy": RELEASE},
}
RENDER: dict[str, Any] = {
    "services": [
        {
            "type": "web",
            "name": "api",
            "startCommand": WEB,
            "healthCheckPath": "/healthz",
            "preDeployCommand": RELEASE,
            "envVars": [
                {"key": "TODO_SECRET_KEY", "generateValue": True},
                {"key": "TODO_DATABASE_URL", "fromDatabase": {"name": "db", "property": "x"}},
                {
                    "key": "TODO_REDIS_URL",
                    "fromService": {"type": "keyvalue", "name": "kv", "property": "x"},
                },
            ],
        },
        {"type": "keyvalue", "name": "kv", "ipAllowList": []},
    ],
    "databases": [{"name": "db"}],
}


def test_procfile_parses_names_and_commands_skipping_comments_and_blanks() -> None:
    text = "# processes\n\nweb: gunicorn app:app\nrelease:python -m migrate  \n"
    assert parse_procfile(text) == {"web": "gunicorn app:app", "release": "python -m migrate"}


def test_procfile_command_keeps_its_own_colons() -> None:
    assert parse_procfile("web: gunicorn 'pkg:create_app()'\n") == {
        "web": "gunicorn 'pkg:create_app()'"
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("web gunicorn app:app\n", "line 1: expected 'name: command'"),
        ("web server: gunicorn\n", "line 1: expected 'name: command'"),
        ("web:\n", "line 1: process 'web' has no command"),
        ("web: a\nweb: b\n", "line 2: process 'web' is declared twice"),
    ],
    ids=["no-colon", "space-in-name", "empty-command", "duplicate"],
)
def test_a_procfile_heroku_would_not_run_is_refused_naming_the_line(
    text: str, message: str
) -> None:
    with pytest.raises(ProcfileError, match=message):
        parse_procfile(text)


@pytest.mark.parametrize(
    ("command", "binds"),
    [
        (WEB, True),
        ("gunicorn -b 0.0.0.0:${PORT} app:app", True),
        ("gunicorn --bind=0.0.0.0:$PORT app:app", True),
        ("gunicorn --bind 127.0.0.1:$PORT app:app", False),
        ("gunicorn --bind 0.0.0.0:8000 app:app", False),
        ("gunicorn app:app", False),
        ("gunicorn --bind '0.0.0.0:$PORT app:app", False),
    ],
    ids=["quoted", "short-braces", "equals", "loopback", "fixed-port", "no-bind", "bad-quote"],
)
def test_binds_platform_port(command: str, binds: bool) -> None:
    assert binds_platform_port(command) is binds, command


def test_variable_names_are_the_prefixed_names_and_the_plain_fallbacks() -> None:
    assert {"TODO_DATABASE_URL", "DATABASE_URL", "APP_ENV", "TODO_DEBUG"} <= SETTINGS
    # Own-name-only: plain DEBUG belongs to other tools.
    assert "DEBUG" not in SETTINGS


def test_good_descriptors_have_no_problems() -> None:
    assert check_procfile(PROCESSES) == []
    assert check_app_json(APP_JSON, SETTINGS, PROCESSES) == []
    assert check_render(RENDER, SETTINGS) == []
    assert check_same_release(release_commands(PROCESSES, APP_JSON, RENDER)) == []


@pytest.mark.parametrize(
    ("processes", "problem"),
    [
        ({"release": RELEASE}, "Procfile has no web process"),
        ({"web": "gunicorn app:app", "release": RELEASE}, "Procfile web does not bind"),
        ({"web": WEB}, "Procfile has no release process"),
    ],
    ids=["no-web", "web-without-port", "no-release"],
)
def test_broken_procfile(processes: dict[str, str], problem: str) -> None:
    problems = check_procfile(processes)
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def _broken_app_json(change: str) -> dict[str, Any]:
    data = copy.deepcopy(APP_JSON)
    if change == "long-name":
        data["name"] = "x" * 31
    elif change == "typo-setting":
        data["env"]["TODO_DATABSE_URL"] = "postgres://h/d"
    elif change == "committed-secret":
        data["env"]["TODO_SECRET_KEY"] = {"value": "hunter2"}
    elif change == "secret-as-string":
        data["env"]["TODO_SECRET_KEY"] = "hunter2"
    elif change == "release-script":
        data["scripts"]["release"] = RELEASE
    elif change == "formation-unknown":
        data["formation"]["worker"] = {"quantity": 1}
    return data


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("long-name", "app.json name must be"),
        ("typo-setting", "app.json env TODO_DATABSE_URL is not a setting"),
        ("committed-secret", "app.json env TODO_SECRET_KEY is a secret"),
        ("secret-as-string", "app.json env TODO_SECRET_KEY is a secret"),
        ("release-script", "app.json scripts.release is not run by Heroku"),
        ("formation-unknown", "app.json formation.worker is not a process"),
    ],
)
def test_broken_app_json(change: str, problem: str) -> None:
    problems = check_app_json(_broken_app_json(change), SETTINGS, PROCESSES)
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def _broken_render(change: str) -> dict[str, Any]:
    data = copy.deepcopy(RENDER)
    web = data["services"][0]
    if change == "loopback":
        web["startCommand"] = "gunicorn --bind 127.0.0.1:$PORT app:app"
    elif change == "no-health":
        del web["healthCheckPath"]
    elif change == "no-predeploy":
        del web["preDeployCommand"]
    elif change == "typo-setting":
        web["envVars"].append({"key": "TODO_REDIS", "value": "redis://h"})
    elif change == "committed-secret":
        web["envVars"][0] = {"key": "TODO_SECRET_KEY", "value": "hunter2"}
    elif change == "undeclared-database":
        web["envVars"][1]["fromDatabase"]["name"] = "other-db"
    elif change == "undeclared-service":
        web["envVars"][2]["fromService"]["type"] = "redis"
    elif change == "unquoted-value":
        web["envVars"].append({"key": "TODO_AUTO_MIGRATE", "value": False})
    elif change == "no-web":
        data["services"] = data["services"][1:]
    return data


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("loopback", "render.yaml api startCommand does not bind"),
        ("no-health", "render.yaml api has no healthCheckPath"),
        ("no-predeploy", "render.yaml api has no preDeployCommand"),
        ("typo-setting", "render.yaml api envVars TODO_REDIS is not a setting"),
        ("committed-secret", "render.yaml api envVars TODO_SECRET_KEY is a secret"),
        ("undeclared-database", "render.yaml api envVars TODO_DATABASE_URL reads an undeclared"),
        ("undeclared-service", "render.yaml api envVars TODO_REDIS_URL reads an undeclared"),
        ("unquoted-value", "render.yaml api envVars TODO_AUTO_MIGRATE is a YAML bool"),
        ("no-web", "render.yaml has no web service"),
    ],
)
def test_broken_render_yaml(change: str, problem: str) -> None:
    problems = check_render(_broken_render(change), SETTINGS)
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_release_commands_that_differ_are_listed_with_where_each_is() -> None:
    render = copy.deepcopy(RENDER)
    render["services"][0]["preDeployCommand"] = "alembic upgrade head"
    problems = check_same_release(release_commands(PROCESSES, APP_JSON, render))
    assert problems == [
        "the release commands differ: Procfile release: 'python -m projects.todo_api.release'; "
        "app.json scripts.postdeploy: 'python -m projects.todo_api.release'; "
        "render.yaml api preDeployCommand: 'alembic upgrade head'"
    ]


def test_yaml_reads_an_unquoted_false_as_a_bool_and_a_quoted_one_as_text() -> None:
    import yaml

    assert yaml.safe_load('a: false\nb: "false"\nc: 1\n') == {"a": False, "b": "false", "c": 1}
