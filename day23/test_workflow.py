"""The checker on the repository's own workflow, and on broken copies of it."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from day23.workflow import (
    ci_script_commands,
    commands,
    invariant_findings,
    load_workflow,
    minimum_python,
    schema_findings,
)

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_PATH = REPO / ".github/workflows/ci.yml"
CI_SCRIPT = (REPO / ".ci/run").read_text()
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


@pytest.fixture
def workflow() -> dict[str, Any]:
    return load_workflow(WORKFLOW_PATH)


def job(workflow: dict[str, Any]) -> dict[str, Any]:
    return workflow["jobs"]["test"]


def step(workflow: dict[str, Any], uses: str = "", name: str = "") -> dict[str, Any]:
    for item in job(workflow)["steps"]:
        if (uses and str(item.get("uses", "")).startswith(uses)) or (
            name and item.get("name") == name
        ):
            return item
    raise AssertionError(f"no step {uses or name}")


def rules(workflow: dict[str, Any], pyproject: dict[str, Any] = PYPROJECT) -> list[str]:
    return sorted({f.rule for f in invariant_findings(workflow, CI_SCRIPT, pyproject, REPO)})


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "ci.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# --- the repository's workflow ----------------------------------------------------------------


def test_the_repository_workflow_passes_the_official_schema():
    assert schema_findings(WORKFLOW_PATH) == []


def test_the_repository_workflow_keeps_every_invariant(workflow):
    assert invariant_findings(workflow, CI_SCRIPT, PYPROJECT, REPO) == []


def test_the_workflow_runs_the_same_checks_as_ci_run(workflow):
    assert ci_script_commands(CI_SCRIPT)[:2] == ["make test", ".venv/bin/python -m day10"]
    assert "make lint" in ci_script_commands(CI_SCRIPT)


# --- YAML and the schema ----------------------------------------------------------------------


def test_pyyaml_reads_a_bare_on_key_as_true_and_the_loader_puts_it_back(tmp_path):
    path = tmp_path / "w.yml"
    path.write_text("on: push\njobs: {}\n")
    assert True in yaml.safe_load(path.read_text())
    assert load_workflow(path)["on"] == "push"


def test_the_schema_names_a_job_without_runs_on(tmp_path, workflow):
    del job(workflow)["runs-on"]
    messages = [f.message for f in schema_findings(write(tmp_path, workflow))]
    assert any("'runs-on' is a required property" in m for m in messages), messages


def test_the_schema_names_a_misspelt_job_key(tmp_path, workflow):
    job(workflow)["step"] = job(workflow).pop("steps")
    findings = schema_findings(write(tmp_path, workflow))
    assert findings and all(f.rule == "schema" for f in findings), findings


def test_the_schema_refuses_a_timeout_that_is_not_a_number(tmp_path, workflow):
    job(workflow)["timeout-minutes"] = "soon"
    assert schema_findings(write(tmp_path, workflow)) != []


def test_the_schema_needs_no_network(tmp_path, workflow, monkeypatch):
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:1")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:1")
    assert schema_findings(write(tmp_path, workflow)) == []


# --- each invariant, broken on purpose --------------------------------------------------------


def no_health(w):
    job(w)["services"]["redis"]["options"] = "--health-interval=5s"


def no_require_services(w):
    del job(w)["env"]["REQUIRE_SERVICES"]


def require_services_zero(w):
    job(w)["env"]["REQUIRE_SERVICES"] = "0"


def wrong_python(w):
    step(w, uses="actions/setup-python@")["with"]["python-version"] = "3.12"


def no_pip_cache(w):
    del step(w, uses="actions/setup-python@")["with"]["cache"]


def cache_on_missing_lock(w):
    setup = step(w, uses="actions/setup-python@")
    setup["with"]["cache-dependency-path"] = "requirements-nowhere.txt"


def cache_on_one_missing_lock_of_two(w):
    setup = step(w, uses="actions/setup-python@")
    setup["with"]["cache-dependency-path"] = "requirements.lock\nrequirements-nowhere.txt\n"


def lint_dropped(w):
    job(w)["steps"] = [s for s in job(w)["steps"] if s.get("name") != "Lint"]


def lint_moved_first(w):
    steps = job(w)["steps"]
    lint = step(w, name="Lint")
    steps.remove(lint)
    steps.insert(0, lint)


def redis_url_wrong_port(w):
    job(w)["env"]["REDIS_URL"] = "redis://127.0.0.1:6380/0"


def no_permissions(w):
    del w["permissions"]


def no_timeout(w):
    del job(w)["timeout-minutes"]


def unpinned_action(w):
    step(w, uses="actions/checkout@")["uses"] = "actions/checkout"


def no_docker_base_image(w):
    job(w)["steps"] = [s for s in job(w)["steps"] if "docker pull" not in str(s.get("run", ""))]


def other_docker_base_image(w):
    job(w)["env"]["DOCKER_BASE_IMAGE"] = "python:3.12-slim"


BROKEN: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (no_health, "service-health"),
    (no_require_services, "require-services"),
    (require_services_zero, "require-services"),
    (wrong_python, "python-version"),
    (no_pip_cache, "pip-cache"),
    (cache_on_missing_lock, "pip-cache"),
    (cache_on_one_missing_lock_of_two, "pip-cache"),
    (lint_dropped, "same-steps"),
    (lint_moved_first, "same-steps"),
    (redis_url_wrong_port, "service-urls"),
    (no_permissions, "permissions"),
    (no_timeout, "timeout"),
    (unpinned_action, "pinned-actions"),
    (no_docker_base_image, "docker-base-image"),
    (other_docker_base_image, "docker-base-image"),
]


@pytest.mark.parametrize(("breakage", "rule"), BROKEN, ids=[b.__name__ for b, _ in BROKEN])
def test_each_broken_invariant_is_named(workflow, breakage, rule):
    broken = copy.deepcopy(workflow)
    breakage(broken)
    assert rules(broken) == [rule]


def test_a_finding_says_what_is_wrong_in_one_line(workflow):
    no_health(workflow)
    (finding,) = invariant_findings(workflow, CI_SCRIPT, PYPROJECT, REPO)
    assert str(finding) == (
        "service-health: service redis of job test lacks --health-cmd, --health-retries: "
        "steps would start before it is ready"
    )


def test_the_python_version_follows_pyproject(workflow):
    bumped = {"project": {"requires-python": ">=3.12"}}
    assert rules(workflow, bumped) == ["python-version"]


def test_a_workflow_without_jobs_is_named(workflow):
    assert "jobs" in rules({"on": "push", "permissions": {}, "jobs": {}})


def test_the_default_base_image_is_the_one_the_docker_fixtures_use():
    from day23.workflow import DEFAULT_BASE_IMAGE
    from shared.testing.docker import DEFAULT_BASE_IMAGE as fixtures_default

    assert fixtures_default == DEFAULT_BASE_IMAGE


# --- the pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("make log && git diff --exit-code -- README.md docs/",
         ["make log", "git diff --exit-code -- README.md docs/"]),
        ('.venv/bin/python -m day10 --db "mysql+pymysql://ci:ci@127.0.0.1:${p}/x"',
         [".venv/bin/python -m day10 --db"]),
        ("git diff --exit-code -- docs/ || { echo stale; exit 1; }",
         ["git diff --exit-code -- docs/"]),
        ("# make test\necho hi\n.venv/bin/python -c 'print(1)'", []),
    ],
)  # fmt: skip
def test_commands_keep_the_fixed_words_of_each_check(script, expected):
    assert commands(script) == expected


def test_ci_run_commands_ignore_lines_inside_functions():
    script = "f() {\n  make clean\n}\nmake test\n"
    assert ci_script_commands(script) == ["make test"]


@pytest.mark.parametrize(
    ("spec", "expected"), [(">=3.11", "3.11"), (">= 3.12, <4", "3.12"), ("~=3.11", None)]
)
def test_minimum_python_reads_the_lower_bound(spec, expected):
    assert minimum_python({"project": {"requires-python": spec}}) == expected
