"""Run the official RealWorld Postman collection against the Blog API, served for real.

The pieces, in the order ``python -m day10`` uses them:

- :func:`find_collection` and :func:`check_collection`: where the collection is, and that it is one;
- :func:`newman_command`: the pinned Postman command-line runner, through ``npx``;
- :func:`serve_blog`: the Blog API under gunicorn (:func:`shared.serve.served`) on a free port
  of 127.0.0.1, its database migrated once before the workers fork;
- :func:`run_collection`: newman with fresh credentials, its JSON report read into a
  :class:`Summary`.

Anything that keeps the run from happening raises :class:`ContractError`, whose message is one
line saying what is wrong and how to fix it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.serve import ServerDidNotStart, served

REPO_ROOT = Path(__file__).resolve().parents[1]
COLLECTION_ENV = "REALWORLD_COLLECTION"
#: The copy next to the repository (``../shared/realworld``), used when the variable is unset.
DEFAULT_COLLECTION = REPO_ROOT.parent / "shared" / "realworld" / "Conduit.postman_collection.json"
#: The RealWorld commit whose collection this day was written against.
COLLECTION_COMMIT = "747190ecf0bb27d461cf1100f6cb3468c6c914ed"
COLLECTION_URL = (
    "https://raw.githubusercontent.com/realworld-apps/realworld/"
    f"{COLLECTION_COMMIT}/api/Conduit.postman_collection.json"
)
#: Pinned, so a new newman release cannot change what "green" means between two runs.
NEWMAN = "newman@6.2.2"
BLOG_APP = "projects.blog_api:create_app()"
WORKERS = 2
#: Per request, in milliseconds: a stuck request fails the run instead of hanging it.
REQUEST_TIMEOUT_MS = 30_000


class ContractError(Exception):
    """The contract run cannot go ahead; the message says what is missing and how to get it."""


@dataclass(frozen=True)
class Credentials:
    """The account the collection registers, logs in with and writes articles as."""

    username: str
    email: str
    password: str


@dataclass(frozen=True)
class Failure:
    """One thing that went wrong in a run: a failed assertion, or an error (a request that got no
    response, a test script that threw) which stops the assertions after it from running."""

    request: str
    name: str
    message: str
    is_assertion: bool = True


@dataclass(frozen=True)
class Summary:
    """What a newman run did and what failed, read from its JSON report."""

    requests: int
    assertions: int
    failures: tuple[Failure, ...] = ()

    @property
    def failed_assertions(self) -> int:
        return sum(failure.is_assertion for failure in self.failures)

    @property
    def errors(self) -> int:
        return len(self.failures) - self.failed_assertions

    @property
    def passed(self) -> bool:
        """True when every request got a response and every assertion held."""
        return not self.failures

    def describe(self) -> str:
        """``32 requests, 311 assertions, 0 failed`` (plus errors, when there were any)."""
        text = (
            f"{self.requests} requests, {self.assertions} assertions, "
            f"{self.failed_assertions} failed"
        )
        if self.errors:
            text += f", {self.errors} error{'s' if self.errors != 1 else ''}"
        return text


def how_to_get_collection() -> str:
    """Where the collection comes from and how to point this code at it, in one clause."""
    return (
        f"download api/Conduit.postman_collection.json from github.com/realworld-apps/realworld "
        f"at commit {COLLECTION_COMMIT} ({COLLECTION_URL}) and set {COLLECTION_ENV} to its path"
    )


def find_collection(default: Path = DEFAULT_COLLECTION) -> Path:
    """The collection file: ``$REALWORLD_COLLECTION`` when set, else ``default`` when it exists.

    Raises :class:`ContractError` when the variable names a missing file (it is never silently
    ignored) or when neither is there, saying where to download the collection.
    """
    if configured := os.environ.get(COLLECTION_ENV, "").strip():
        path = Path(configured).expanduser()
        if not path.is_file():
            raise ContractError(
                f"{COLLECTION_ENV}={configured} is not a file; {how_to_get_collection()}"
            )
        return path
    if default.is_file():
        return default
    raise ContractError(
        f"the RealWorld Postman collection is not in {default} and {COLLECTION_ENV} is unset; "
        f"{how_to_get_collection()}"
    )


def check_collection(path: Path) -> int:
    """The number of requests in the Postman collection at ``path``.

    Raises :class:`ContractError` when the file is not JSON or not a Postman collection, so a
    truncated download fails here in one line rather than inside newman.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ContractError(f"cannot read the collection {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise ContractError(
            f"{path} is not JSON ({error.msg} at line {error.lineno}); {how_to_get_collection()}"
        ) from None
    if not (
        isinstance(document, dict)
        and isinstance(document.get("info"), dict)
        and isinstance(document.get("item"), list)
    ):
        raise ContractError(
            f"{path} is not a Postman collection (no 'info' and 'item'); {how_to_get_collection()}"
        )
    count = _count_requests(document["item"])
    if count == 0:
        raise ContractError(f"{path} holds no requests; {how_to_get_collection()}")
    return count


def _count_requests(items: Sequence[Any]) -> int:
    """Requests in a tree of Postman items (folders hold ``item``, requests hold ``request``)."""
    total = 0
    for entry in items:
        if isinstance(entry, dict) and isinstance(entry.get("item"), list):
            total += _count_requests(entry["item"])
        elif isinstance(entry, dict) and "request" in entry:
            total += 1
    return total


def newman_command() -> list[str]:
    """The command that runs the pinned newman: ``npx --yes newman@6.2.2``.

    Raises :class:`ContractError` when ``npx`` is not on ``PATH``.
    """
    npx = shutil.which("npx")
    if npx is None:
        raise ContractError(
            "npx is not installed, and it runs newman (the Postman command-line runner); install "
            "Node.js 18+ with npm (apt-get install nodejs npm, or https://nodejs.org/en/download)"
        )
    return [npx, "--yes", NEWMAN]


def fresh_credentials() -> Credentials:
    """A new random account for one run.

    Never read from the environment: login shells set ``USERNAME``, and a name an earlier run
    registered would fail registration.
    """
    username = f"conduit_{secrets.token_hex(6)}"
    return Credentials(
        username=username,
        email=f"{username}@example.com",
        password=secrets.token_urlsafe(18),
    )


def newman_arguments(
    api_url: str, collection: Path, report: Path, credentials: Credentials
) -> list[str]:
    """newman's ``run`` arguments: the collection, its globals, and a JSON report at ``report``."""
    return [
        "run",
        str(collection),
        "--global-var",
        f"APIURL={api_url}",
        "--global-var",
        f"USERNAME={credentials.username}",
        "--global-var",
        f"EMAIL={credentials.email}",
        "--global-var",
        f"PASSWORD={credentials.password}",
        "--timeout-request",
        str(REQUEST_TIMEOUT_MS),
        "--reporters",
        "cli,json",
        # The collection's scripts use old Postman APIs, and newman prints a deprecation warning
        # for each use, burying the results.
        "--reporter-cli-no-console",
        "--reporter-json-export",
        str(report),
    ]


def parse_report(report: Mapping[str, Any]) -> Summary:
    """A :class:`Summary` of a newman JSON report (``run.stats`` and ``run.failures``).

    Raises :class:`ContractError` when the report lacks those parts.
    """
    try:
        run = report["run"]
        stats = run["stats"]
        requests = int(stats["requests"]["total"])
        assertions = int(stats["assertions"]["total"])
        raw_failures = run.get("failures", [])
    except (KeyError, TypeError, ValueError) as error:
        raise ContractError(
            f"the newman report has no run statistics ({type(error).__name__}: {error})"
        ) from None
    failures = tuple(_failure(entry) for entry in raw_failures)
    return Summary(requests=requests, assertions=assertions, failures=failures)


def _failure(entry: Mapping[str, Any]) -> Failure:
    """One entry of ``run.failures``: which request, which check, and newman's message."""
    error = entry.get("error") or {}
    source = entry.get("source") or {}
    is_assertion = error.get("name") == "AssertionError"
    # An assertion has its test's name; an error only its kind ("Error", "JSONError", "TypeError").
    name = error.get("test") if is_assertion else None
    return Failure(
        request=str(source.get("name") or "(collection)"),
        name=str(name or error.get("name") or entry.get("at") or "error"),
        message=str(error.get("message") or "").strip(),
        is_assertion=is_assertion,
    )


def read_report(path: Path) -> Summary:
    """:func:`parse_report` on the JSON file at ``path``."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ContractError(f"cannot read the newman report {path}: {error}") from None
    if not isinstance(report, dict):
        raise ContractError(f"the newman report {path} is not a JSON object")
    return parse_report(report)


def run_collection(api_url: str, collection: Path) -> Summary:
    """Run ``collection`` against ``api_url`` (ending in ``/api``) with newman; summarise it.

    Every call registers a fresh account. newman's own output goes straight to the terminal;
    the summary comes from its JSON report. Raises :class:`ContractError` when newman cannot
    run at all (no npx, or npx could not fetch newman).
    """
    command = newman_command()
    with tempfile.TemporaryDirectory(prefix="day10-newman-") as folder:
        report = Path(folder) / "report.json"
        arguments = newman_arguments(api_url, collection, report, fresh_credentials())
        # Flush first, so our lines and newman's appear in the order they were written.
        sys.stdout.flush()
        finished = subprocess.run([*command, *arguments], check=False)
        if not report.exists():
            raise ContractError(
                f"newman exited with status {finished.returncode} without a report "
                f"(see its output above); check that npx can fetch {NEWMAN} from the npm registry"
            )
        return read_report(report)


def blog_environment(database_url: str) -> dict[str, str]:
    """The environment the Blog API is served with: this database and a random secret."""
    return {
        **os.environ,
        "BLOG_DATABASE_URL": database_url,
        # A fresh key per run: tokens from this run are worthless anywhere else.
        "BLOG_SECRET_KEY": secrets.token_urlsafe(48),
        # Migrated by the one app gunicorn's master builds before it forks the workers, so
        # two workers never race to migrate an empty database.
        "BLOG_AUTO_MIGRATE": "true",
    }


def _one_line(error: ServerDidNotStart) -> str:
    """The reason a server did not start, with the last line it printed, on one line."""
    reason, _, output = str(error).partition("; its last output:\n")
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return f"{reason} (its last output: {lines[-1]})" if lines else reason


@contextmanager
def serve_blog(database_url: str, timeout: float = 30.0) -> Iterator[str]:
    """Serve the Blog API on ``database_url`` with gunicorn; yield its base URL (``…/api``).

    :func:`shared.serve.served` builds the app once (which migrates the database), forks two
    workers on a free port of 127.0.0.1 with a random secret and waits until ``GET /api/tags``
    answers. The server is stopped when the block ends, however it ends. Raises
    :class:`ContractError` in one line when the server does not start.
    """
    env = blog_environment(database_url)
    with ExitStack() as stack:
        try:
            server = stack.enter_context(
                served(
                    BLOG_APP,
                    env=env,
                    workers=WORKERS,
                    ready_path="/api/tags",
                    timeout=timeout,
                )
            )
        except ServerDidNotStart as error:
            raise ContractError(f"the Blog API did not start: {_one_line(error)}") from None
        yield f"{server.url}/api"
