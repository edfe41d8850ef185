"""`python -m day23`: validate the repository's CI workflow and print the findings.

First the official GitHub workflow schema (shipped with check-jsonschema, so offline), then the
invariants of :mod:`day23.workflow`. Exit 0 whatever it finds, unless ``--strict``.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from day23.workflow import (
    WorkflowError,
    ci_script_commands,
    invariant_findings,
    load_workflow,
    schema_findings,
)

REPO = Path(__file__).resolve().parents[1]
RULES = [
    ("permissions", "top-level permissions are set"),
    ("timeout", "every job has timeout-minutes"),
    ("service-health", "every service container has a health check"),
    ("require-services", "make test runs with REQUIRE_SERVICES=1"),
    ("service-urls", "MYSQL_URL and REDIS_URL point at published service ports"),
    ("docker-base-image", "the Docker tests' base image is there before make test"),
    ("python-version", "setup-python uses the version pyproject.toml requires"),
    ("pip-cache", "pip is cached, keyed on a lock file that exists"),
    ("pinned-actions", "every action has an @version"),
    ("same-steps", "the same checks as .ci/run, in the same order"),
]


def main(argv: list[str] | None = None) -> int:
    """Validate, print, and return 0 (or 1 with ``--strict`` when something is wrong)."""
    parser = argparse.ArgumentParser(
        prog="python -m day23",
        description="Validate a GitHub Actions workflow against the official schema "
        "(check-jsonschema, offline) and this repository's CI invariants.",
    )
    parser.add_argument(
        "workflow",
        nargs="?",
        type=Path,
        default=REPO / ".github/workflows/ci.yml",
        help="the workflow file (default: .github/workflows/ci.yml)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything is found")
    args = parser.parse_args(argv)
    path: Path = args.workflow
    shown = path.resolve().relative_to(REPO) if path.resolve().is_relative_to(REPO) else path
    try:
        workflow = load_workflow(path)
    except WorkflowError as error:
        print(error, file=sys.stderr)
        return 2
    script = (REPO / ".ci/run").read_text()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())

    print(f"{shown}: the schema vendor.github-workflows (check-jsonschema, offline)")
    schema = schema_findings(path)
    print("  ok" if not schema else "\n".join(f"  {finding}" for finding in schema))

    findings = invariant_findings(workflow, script, pyproject, REPO)
    broken = {finding.rule for finding in findings}
    print(f"\n{shown}: the repository's invariants")
    for rule, meaning in RULES:
        print(f"  {'FAIL' if rule in broken else 'ok  '} {rule:<18} {meaning}")
    for finding in findings:
        print(f"  {finding}")
    print("\nThe checks, in order, in both .ci/run and the workflow:")
    for number, command in enumerate(ci_script_commands(script), 1):
        print(f"  {number}. {command}")
    total = len(schema) + len(findings)
    print(f"\n{total} finding{'s' if total != 1 else ''}.")
    return 1 if args.strict and total else 0


if __name__ == "__main__":
    sys.exit(main())
