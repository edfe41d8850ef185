"""`python -m day24`: check the repository's deploy descriptors against their invariants.

It reads Procfile, app.json and render.yaml at the repository root and the Todo API's settings
(to know which variables are real). It reads files only: no network, no platform account.
Exit status 0 when every check passes, 1 when one fails, 2 for a file that cannot be read or
parsed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from day24.descriptors import (
    ProcfileError,
    check_app_json,
    check_procfile,
    check_render,
    check_same_release,
    parse_procfile,
    release_commands,
    variable_names,
)

REPO_ROOT = Path(__file__).resolve().parents[1]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m day24",
        description="Check a Procfile, app.json and render.yaml: web on 0.0.0.0:$PORT, a health "
        "check, one release command everywhere, only real settings, no committed secrets.",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=REPO_ROOT,
        metavar="DIR",
        help="the folder holding the three files (default: the repository root)",
    )
    return parser


def load(parser: argparse.ArgumentParser, path: Path) -> Any:
    """The parsed file (JSON, YAML or Procfile by name), or exit 2 in one line."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return json.loads(text)
        if path.suffix == ".yaml":
            return yaml.safe_load(text) or {}
        return parse_procfile(text)
    except OSError as error:
        parser.exit(2, f"{parser.prog}: error: cannot read {path.name}: {error.strerror}\n")
    except (ValueError, yaml.YAMLError, ProcfileError) as error:
        reason = str(error).splitlines()[0]
        parser.exit(2, f"{parser.prog}: error: {path.name} does not parse: {reason}\n")


def report(name: str, problems: list[str], passed: str) -> None:
    print(f"{name}:")
    for line in problems or [passed]:
        print(f"  {'FAIL' if problems else 'ok  '} {line}")


def main(argv: list[str] | None = None) -> int:
    from projects.todo_api.config import TodoSettings

    parser = build_parser()
    args = parser.parse_args(argv)
    processes = load(parser, args.root / "Procfile")
    app_json = load(parser, args.root / "app.json")
    render = load(parser, args.root / "render.yaml")
    settings = variable_names(TodoSettings)

    print(f"Procfile processes: {', '.join(processes)}")
    failures = 0
    for name, problems, passed in (
        ("Procfile", check_procfile(processes), "web binds 0.0.0.0:$PORT; release migrates"),
        (
            "app.json",
            check_app_json(app_json, settings, processes),
            f"{len(app_json.get('env') or {})} env vars, all settings; secrets generated",
        ),
        (
            "render.yaml",
            check_render(render, settings),
            "web on $PORT with a health check and a pre-deploy step; sources declared",
        ),
    ):
        report(name, problems, passed)
        failures += len(problems)

    commands = release_commands(processes, app_json, render)
    same = check_same_release(commands)
    first = next(iter(commands.values()))
    report("release", same, f"one command in {len(commands)} places: {first}")
    failures += len(same)
    print(f"{failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
