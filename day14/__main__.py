"""`python -m day14`: check a Dockerfile's invariants and what a .dockerignore keeps out.

By default it checks the Todo API's image (projects/todo_api/Dockerfile and the repository's
.dockerignore). It reads files only: no Docker engine is needed. Exit status 0 when every check
passes, 1 when one fails, 2 for a file that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from day14.checks import DockerfileError, check_dockerfile, ignored

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = Path("projects/todo_api/Dockerfile")
DOCKERIGNORE = Path(".dockerignore")
#: Paths of this repository, to show which ones the build context carries.
SAMPLE_PATHS = (
    "requirements-docker.lock",
    "shared/db.py",
    "projects/__init__.py",
    "projects/todo_api/__init__.py",
    ".git/HEAD",
    ".venv/bin/python",
    "requirements.lock",
    "docs/heatmap.svg",
    "day14/checks.py",
    "projects/blog_api/__init__.py",
    "projects/todo_api/tests/test_docker.py",
    "shared/testing/plugin.py",
    "shared/__pycache__/db.cpython-311.pyc",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m day14",
        description="Check a Dockerfile's invariants (multi-stage, base image from an ARG, cache "
        "order, non-root USER, HEALTHCHECK, $PORT, signals) and show which paths a "
        ".dockerignore leaves out of the build context.",
    )
    parser.add_argument(
        "dockerfile",
        nargs="?",
        type=Path,
        default=DOCKERFILE,
        help=f"the Dockerfile to check (default {DOCKERFILE}, relative to the repository)",
    )
    parser.add_argument(
        "--dockerignore",
        type=Path,
        default=DOCKERIGNORE,
        metavar="FILE",
        help=f"the .dockerignore to apply (default {DOCKERIGNORE} at the repository root)",
    )
    return parser


def read(parser: argparse.ArgumentParser, path: Path) -> str:
    """The text of ``path`` (relative paths from the repository root), or exit 2 in one line."""
    full = path if path.is_absolute() else REPO_ROOT / path
    try:
        return full.read_text(encoding="utf-8")
    except OSError as error:
        parser.exit(2, f"{parser.prog}: error: cannot read {path}: {error.strerror}\n")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    text = read(parser, args.dockerfile)
    try:
        checks = check_dockerfile(text)
    except DockerfileError as error:
        parser.exit(2, f"{parser.prog}: error: {args.dockerfile}: {error}\n")
    print(f"{args.dockerfile}:")
    for check in checks:
        print(f"  {check}")
    failed = [check for check in checks if not check.passed]
    print(f"  {len(checks) - len(failed)} of {len(checks)} checks pass")

    patterns = read(parser, args.dockerignore)
    print(f"\n{args.dockerignore}: what `docker build` gets from the repository root")
    for path in SAMPLE_PATHS:
        print(f"  {'left out ' if ignored(patterns, path) else 'sent     '} {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
