"""`python -m day12`: the Todo settings under a few environments, and what production refuses.

Each scenario runs with only its own ``TODO_*`` variables set (the others are put back after),
and with a `.env` in a temporary folder only where the scenario has one, so a `.env` in the
current folder changes nothing here. ``--generate-secret`` prints a new secret key instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from day12.settings import (
    PREFIX,
    ConfigError,
    TodoSettings,
    generate_secret,
    load_settings,
)

#: A fixed production secret, so the output is the same every run (never reuse it).
DEMO_SECRET = "demo-1kq7Vb0mZ3xT9rWc2LpQe8sN4yHu6fJd"
DEMO_DATABASE = "postgresql+psycopg://todo:s3cret@db.internal/todo"


def build_parser() -> argparse.ArgumentParser:
    """The demo's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m day12",
        description="Load the Day 12 Todo settings under a few environments (TODO_* variables "
        "and a .env file) and show what TODO_ENV=production refuses.",
    )
    parser.add_argument(
        "--generate-secret",
        action="store_true",
        help="print a new random secret key for TODO_SECRET_KEY and exit",
    )
    return parser


@contextmanager
def only_these(variables: Mapping[str, str]) -> Iterator[None]:
    """Run with exactly ``variables`` as the ``TODO_*`` environment; restore it afterwards."""
    saved = {
        name: os.environ.pop(name) for name in list(os.environ) if name.upper().startswith(PREFIX)
    }
    os.environ.update(variables)
    try:
        yield
    finally:
        for name in variables:
            os.environ.pop(name, None)
        os.environ.update(saved)


def show(settings: TodoSettings) -> None:
    for name in TodoSettings.model_fields:
        value = getattr(settings, name)
        shown = str(value) if name == "secret_key" else repr(value)
        print(f"    {PREFIX}{name.upper():<13} = {shown}")


def scenario(
    title: str, variables: Mapping[str, str], dotenv: str | None = None, folder: Path | None = None
) -> None:
    """Load the settings with ``variables`` set (and ``dotenv`` as `.env`) and print them."""
    print(f"\n{title}")
    for name, value in variables.items():
        print(f"  env   {name}={value}")
    env_file = None
    if dotenv is not None and folder is not None:
        env_file = folder / ".env"
        env_file.write_text(dotenv, encoding="utf-8")
        for line in dotenv.splitlines():
            print(f"  .env  {line}")
    with only_these(variables):
        try:
            settings = load_settings(env_file)
        except ConfigError as refused:
            print(f"  refused: {refused}")
            return
    show(settings)


def demo() -> None:
    print("The Todo settings from TODO_* variables and .env, one scenario at a time.")
    with tempfile.TemporaryDirectory(prefix="day12-") as tmp:
        folder = Path(tmp)
        scenario("Nothing set: the development defaults", {})
        scenario("TODO_ENV=test: an in-memory database, no debug", {"TODO_ENV": "test"})
        scenario(
            "The real environment wins over .env; .env fills in the rest",
            {"TODO_PAGE_SIZE": "10"},
            dotenv="TODO_PAGE_SIZE=50\nTODO_DEBUG=false\nOTHER_APP_TOKEN=ignored",
            folder=folder,
        )
        scenario(
            'Text becomes types: "off" is False, "a, b" is a tuple, "2_5" is 25 (!)',
            {
                "TODO_DEBUG": "off",
                "TODO_CORS_ORIGINS": "https://todo.example, https://admin.todo.example",
                "TODO_PAGE_SIZE": "2_5",
            },
        )
        scenario(
            "Production, configured: a SecretStr prints as stars (a password in a URL does not)",
            {
                "TODO_ENV": "production",
                "TODO_SECRET_KEY": DEMO_SECRET,
                "TODO_DATABASE_URL": DEMO_DATABASE,
            },
        )
        print("\nWhat is refused, each in one line:")
        scenario("Production with nothing else set", {"TODO_ENV": "production"})
        scenario(
            "Production with a short secret and SQLite",
            {
                "TODO_ENV": "production",
                "TODO_SECRET_KEY": "hunter2",
                "TODO_DATABASE_URL": "sqlite:///todo.db",
            },
        )
        scenario(
            "Production with debug on",
            {
                "TODO_ENV": "production",
                "TODO_SECRET_KEY": DEMO_SECRET,
                "TODO_DATABASE_URL": DEMO_DATABASE,
                "TODO_DEBUG": "true",
            },
        )
        scenario("A boolean that is not one", {"TODO_DEBUG": "maybe"})
        scenario("An environment that does not exist", {"TODO_ENV": "prod"})
        scenario("A typo in a variable name", {"TODO_DEBGU": "1"})
        scenario("A typo in .env", {}, dotenv="TODO_PAGE_SIZ=50", folder=folder)
    sample = generate_secret()
    print(
        f"\nA secret key: secrets.token_urlsafe(32) gives {len(sample)} URL-safe characters "
        "(python -m day12 --generate-secret prints one)."
    )


def main(argv: list[str] | None = None) -> int:
    """The demo, or one new secret with --generate-secret; always 0."""
    args = build_parser().parse_args(argv)
    if args.generate_secret:
        print(generate_secret())
        return 0
    demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
