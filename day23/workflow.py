"""Checks of a GitHub Actions workflow: the official schema, then this repository's invariants.

:func:`schema_findings` runs check-jsonschema with the GitHub workflow schema it ships (offline).
:func:`invariant_findings` reads the YAML and checks what the schema cannot know: that service
containers report health, that the tests run with ``REQUIRE_SERVICES=1``, that the Python
version is the one ``pyproject.toml`` asks for, that pip is cached on the lock file, and that
the workflow runs the same checks, in the same order, as ``.ci/run``.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

#: The commands that count as checks when comparing the workflow with .ci/run.
CHECK_PREFIXES = ("make ", ".venv/bin/python -m ", "git diff ")
#: What a service's health check needs besides the command itself.
HEALTH_OPTIONS = ("--health-cmd", "--health-interval", "--health-retries")
#: The image the Docker tests build on when DOCKER_BASE_IMAGE is unset (shared/testing/docker.py).
DEFAULT_BASE_IMAGE = "python:3.11-slim"


@dataclass(frozen=True)
class Finding:
    """One broken rule: its name and what is wrong, in one line."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


class WorkflowError(Exception):
    """The file cannot be read as a workflow at all; the message says why."""


def load_workflow(path: Path) -> dict[str, Any]:
    """The workflow as a dict, with the ``on`` key a string again.

    YAML 1.1 (PyYAML) reads a bare ``on`` as the boolean True; GitHub reads it as "on".
    """
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as error:
        raise WorkflowError(f"cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or type(error).__name__
        raise WorkflowError(f"cannot read {where}: not valid YAML ({problem})") from None
    if not isinstance(data, dict):
        raise WorkflowError(f"{path} is not a YAML mapping (got {type(data).__name__})")
    if True in data:
        data["on"] = data.pop(True)
    return data


def schema_findings(path: Path) -> list[Finding]:
    """check-jsonschema's verdict on ``path`` against its built-in GitHub workflow schema."""
    # practice 1: validate the file against GitHub's workflow schema, one finding per error
    # hint: run check_jsonschema as a module with --builtin-schema vendor.github-workflows and
    # hint: -o json; each error's best_deep_match has path and message; no JSON is a finding too.
    command = [
        sys.executable, "-m", "check_jsonschema",
        "--builtin-schema", "vendor.github-workflows", "-o", "json", str(path),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return [Finding("schema", f"check-jsonschema failed: {done.stderr.strip()[-300:]}")]
    findings = []
    for error in report.get("errors", []):
        best = error.get("best_deep_match") or error
        findings.append(Finding("schema", f"{best['path']}: {best['message']}"))
    for error in report.get("parse_errors", []):
        findings.append(Finding("schema", f"cannot parse: {error.get('message', error)}"))
    return findings
    # end practice 1


def jobs(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each job's id and body."""
    for name, job in (workflow.get("jobs") or {}).items():
        if isinstance(job, dict):
            yield name, job


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    """A job's steps (an empty list when it has none)."""
    return [step for step in job.get("steps") or [] if isinstance(step, dict)]


def commands(script: str) -> list[str]:
    """The check commands in a shell script, in order, each reduced to its fixed words.

    Lines are split on ``&&`` and cut at ``||``; words holding a URL, a variable or a quote
    are dropped, since the two environments spell those differently.
    """
    # practice 3: reduce a shell script to its check commands, each to its fixed words
    # hint: skip comment lines; split on &&, cut at ||, keep parts starting with CHECK_PREFIXES;
    # hint: shlex.split the words (plain split if it refuses) and drop those with ://, $ or ".
    found = []
    for raw in script.splitlines():
        if raw.lstrip().startswith("#"):
            continue
        for part in raw.strip().split("&&"):
            part = part.split("||")[0].strip()
            if not part.startswith(CHECK_PREFIXES):
                continue
            try:
                words = shlex.split(part)
            except ValueError:
                words = part.split()
            fixed = [w for w in words if "://" not in w and "$" not in w and '"' not in w]
            found.append(" ".join(fixed))
    return found
    # end practice 3


def workflow_commands(workflow: dict[str, Any]) -> list[str]:
    """The check commands of every ``run`` step, job after job."""
    found = []
    for _, job in jobs(workflow):
        for step in steps(job):
            if isinstance(step.get("run"), str):
                found.extend(commands(step["run"]))
    return found


def ci_script_commands(script: str) -> list[str]:
    """The check commands of ``.ci/run``: the top-level lines only (not inside functions)."""
    top_level = "\n".join(line for line in script.splitlines() if not line[:1].isspace())
    return commands(top_level)


def minimum_python(pyproject: dict[str, Any]) -> str | None:
    """ "3.11" for ``requires-python = ">=3.11"``; None when it says no lower bound."""
    match = re.search(r">=\s*(\d+\.\d+)", pyproject.get("project", {}).get("requires-python", ""))
    return match.group(1) if match else None


def _env(*layers: dict[str, Any]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for layer in layers:
        merged.update({k: str(v) for k, v in (layer.get("env") or {}).items()})
    return merged


def _published_ports(service: dict[str, Any]) -> set[int]:
    ports = set()
    for entry in service.get("ports") or []:
        host = str(entry).split(":")[0]
        if host.isdigit():
            ports.add(int(host))
    return ports


def invariant_findings(
    workflow: dict[str, Any], ci_script: str, pyproject: dict[str, Any], repo: Path
) -> list[Finding]:
    """Every invariant the workflow breaks; an empty list when it keeps them all."""
    findings: list[Finding] = []
    if "permissions" not in workflow:
        findings.append(Finding("permissions", "no top-level permissions: set contents: read"))
    all_jobs = list(jobs(workflow))
    if not all_jobs:
        findings.append(Finding("jobs", "the workflow has no jobs"))
    for name, job in all_jobs:
        if "timeout-minutes" not in job:
            findings.append(Finding("timeout", f"job {name} has no timeout-minutes (default 360)"))
        services = job.get("services") or {}
        # practice 2: name each service container of the job that lacks a health check
        # hint: a service's options string must hold every flag of HEALTH_OPTIONS; say which
        # hint: are missing, and why it matters, in one Finding per service.
        for service_name, service in services.items():
            options = str((service or {}).get("options", ""))
            missing = [opt for opt in HEALTH_OPTIONS if opt not in options]
            if missing:
                findings.append(Finding(
                    "service-health",
                    f"service {service_name} of job {name} lacks {', '.join(missing)}: steps "
                    "would start before it is ready",
                ))  # fmt: skip
        # end practice 2
        ports = {p for s in services.values() for p in _published_ports(s or {})}
        earlier = ""
        for step in steps(job):
            env = _env(workflow, job, step)
            run = step.get("run")
            if isinstance(run, str) and "make test" in commands(run):
                base = env.get("DOCKER_BASE_IMAGE", DEFAULT_BASE_IMAGE)
                if "DOCKER_BASE_IMAGE" in ci_script and not (
                    f"docker pull {base}" in earlier or "docker import" in earlier
                ):
                    findings.append(Finding(
                        "docker-base-image",
                        f"job {name} runs make test before any step pulls or imports {base}: "
                        "with REQUIRE_SERVICES=1 the Docker tests fail for want of it",
                    ))  # fmt: skip
                if env.get("REQUIRE_SERVICES") != "1":
                    findings.append(Finding(
                        "require-services",
                        f"job {name} runs make test without REQUIRE_SERVICES=1: a missing "
                        "service would skip tests instead of failing them",
                    ))  # fmt: skip
                for var in ("MYSQL_URL", "REDIS_URL"):
                    port = urlsplit(env.get(var, "")).port if env.get(var) else None
                    if env.get(var) is None:
                        findings.append(Finding("service-urls", f"job {name}: {var} is not set"))
                    elif port not in ports:
                        findings.append(Finding(
                            "service-urls",
                            f"job {name}: {var} points at port {port}, which no service "
                            f"publishes ({sorted(ports)})",
                        ))  # fmt: skip
            if isinstance(run, str):
                earlier += run + "\n"
            uses = str(step.get("uses", ""))
            if uses.startswith("actions/setup-python@"):
                findings.extend(_python_findings(name, step, pyproject, repo))
            if uses and "@" not in uses:
                findings.append(Finding("pinned-actions", f"job {name}: {uses} has no @version"))
    if not any(
        str(step.get("uses", "")).startswith("actions/setup-python@")
        for _, job in all_jobs
        for step in steps(job)
    ):
        findings.append(Finding("python-version", "no actions/setup-python step"))
    expected, actual = ci_script_commands(ci_script), workflow_commands(workflow)
    if expected != actual:
        findings.append(Finding(
            "same-steps",
            f".ci/run runs {expected} but the workflow runs {actual}",
        ))  # fmt: skip
    return findings


def _python_findings(
    job: str, step: dict[str, Any], pyproject: dict[str, Any], repo: Path
) -> list[Finding]:
    options = step.get("with") or {}
    findings = []
    wanted, got = minimum_python(pyproject), str(options.get("python-version", ""))
    if wanted is not None and got != wanted:
        findings.append(Finding(
            "python-version",
            f"job {job} sets up Python {got or '(none)'}, pyproject.toml requires >={wanted}",
        ))  # fmt: skip
    if options.get("cache") != "pip":
        findings.append(Finding("pip-cache", f"job {job}: setup-python has no cache: pip"))
    else:
        # One path, or several on their own lines (a YAML block).
        locks = str(options.get("cache-dependency-path") or "").split()
        missing = [lock for lock in locks if not (repo / lock).is_file()]
        if not locks or missing:
            findings.append(Finding(
                "pip-cache",
                f"job {job}: cache-dependency-path {(missing or [''])[0]!r} is not a file in "
                "the repository",
            ))  # fmt: skip
    return findings
