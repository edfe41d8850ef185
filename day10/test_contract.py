"""The contract runner's parts: the collection, newman's command and report, and a real server."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from day10 import contract
from day10.contract import (
    COLLECTION_COMMIT,
    COLLECTION_ENV,
    NEWMAN,
    ContractError,
    Credentials,
    Failure,
    Summary,
    check_collection,
    find_collection,
    fresh_credentials,
    newman_arguments,
    newman_command,
    parse_report,
    read_report,
    serve_blog,
)
from projects.blog_api.schemas import NewUser
from shared.serve import Served, ServerDidNotStart

# --- newman's JSON report ------------------------------------------------------------------


def newman_report(
    *failures: Mapping[str, Any], requests: int = 3, assertions: int = 7
) -> dict[str, Any]:
    """The parts of a ``--reporters json`` report that a summary reads."""
    failed = sum(1 for failure in failures if failure["error"]["name"] == "AssertionError")
    return {
        "collection": {"info": {"name": "Tiny"}},
        "run": {
            "stats": {
                "requests": {"total": requests, "pending": 0, "failed": 0},
                "assertions": {"total": assertions, "pending": 0, "failed": failed},
            },
            "failures": list(failures),
        },
    }


def failed_assertion(request: str, test: str, message: str) -> dict[str, Any]:
    return {
        "error": {"name": "AssertionError", "index": 0, "test": test, "message": message},
        "at": "assertion:0 in test-script",
        "source": {"name": request},
    }


def script_error(request: str, kind: str, message: str) -> dict[str, Any]:
    return {
        "error": {"name": kind, "message": message},
        "at": "test-script",
        "source": {"name": request},
    }


def test_a_report_without_failures_is_a_pass() -> None:
    summary = parse_report(newman_report(requests=3, assertions=7))

    assert summary == Summary(requests=3, assertions=7, failures=())
    assert summary.passed
    assert summary.describe() == "3 requests, 7 assertions, 0 failed"


def test_a_failed_assertion_keeps_its_request_name_and_message() -> None:
    report = newman_report(
        failed_assertion("Login", 'User has "token" property', "expected false to be truthy")
    )

    summary = parse_report(report)

    assert summary.failures == (
        Failure("Login", 'User has "token" property', "expected false to be truthy"),
    )
    assert (summary.failed_assertions, summary.errors, summary.passed) == (1, 0, False)
    assert summary.describe() == "3 requests, 7 assertions, 1 failed"


def test_a_script_error_fails_the_run_as_an_error_not_an_assertion() -> None:
    # A test script that throws skips every assertion after it, so counting only failed
    # assertions would call this run green.
    report = newman_report(
        script_error("All Tags", "TypeError", "Cannot read properties of undefined"),
        assertions=2,
    )

    summary = parse_report(report)

    assert summary.failures == (
        Failure("All Tags", "TypeError", "Cannot read properties of undefined", is_assertion=False),
    )
    assert (summary.failed_assertions, summary.errors, summary.passed) == (0, 1, False)
    assert summary.describe() == "3 requests, 2 assertions, 0 failed, 1 error"


def test_read_report_reads_the_file_newman_exports(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(newman_report(requests=5, assertions=9)), encoding="utf-8")

    assert read_report(path) == Summary(requests=5, assertions=9)


@pytest.mark.parametrize(
    "report",
    [{}, {"run": {}}, {"run": {"stats": {"requests": {"total": 1}}}}, {"run": None}],
    ids=["empty", "no stats", "no assertions", "null run"],
)
def test_a_report_without_run_statistics_is_a_contract_error(report: dict[str, Any]) -> None:
    with pytest.raises(ContractError, match="the newman report has no run statistics"):
        parse_report(report)


def test_a_report_file_that_is_not_json_is_a_contract_error(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("{half a report", encoding="utf-8")

    with pytest.raises(ContractError, match="cannot read the newman report"):
        read_report(path)


# --- credentials and newman's arguments ----------------------------------------------------


def test_every_run_gets_a_new_username_email_and_password() -> None:
    first, second = fresh_credentials(), fresh_credentials()

    assert first.username != second.username, (first, second)
    assert first.email != second.email, (first, second)
    assert first.password != second.password, (first, second)


def test_credentials_never_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Login shells export USERNAME; a name an earlier run registered would fail registration.
    exported = {"USERNAME": "root", "EMAIL": "root@example.com", "PASSWORD": "hunter22"}
    for name, value in exported.items():
        monkeypatch.setenv(name, value)

    credentials = fresh_credentials()

    used = {"USERNAME": credentials.username, "EMAIL": credentials.email}
    used["PASSWORD"] = credentials.password
    assert not set(used.items()) & set(exported.items()), used


@pytest.mark.parametrize("prefix", ["", "celeb_"])
def test_credentials_pass_the_blog_apis_registration_rules(prefix: str) -> None:
    # The collection registers USERNAME and also celeb_USERNAME with celeb_EMAIL.
    credentials = fresh_credentials()
    user = {
        "username": prefix + credentials.username,
        "email": prefix + credentials.email,
        "password": credentials.password,
    }

    assert NewUser().validate(user) == {}, user


def test_newman_gets_the_api_url_and_this_runs_credentials_as_globals(tmp_path: Path) -> None:
    credentials = Credentials("conduit_abc", "conduit_abc@example.com", "s3cret-pass")
    collection, report = tmp_path / "c.json", tmp_path / "report.json"

    arguments = newman_arguments("http://127.0.0.1:5001/api", collection, report, credentials)

    assert arguments[:2] == ["run", str(collection)]
    pairs = [arguments[i + 1] for i, arg in enumerate(arguments) if arg == "--global-var"]
    assert dict(pair.split("=", 1) for pair in pairs) == {
        "APIURL": "http://127.0.0.1:5001/api",
        "USERNAME": "conduit_abc",
        "EMAIL": "conduit_abc@example.com",
        "PASSWORD": "s3cret-pass",
    }
    assert arguments[arguments.index("--reporters") + 1] == "cli,json"
    assert arguments[arguments.index("--reporter-json-export") + 1] == str(report)


# --- finding and checking the collection ---------------------------------------------------

TINY_COLLECTION = {
    "info": {"name": "Tiny", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"},
    "item": [
        {"name": "Auth", "item": [{"name": "Login", "request": {"method": "POST"}}]},
        {
            "name": "Articles",
            "item": [
                {"name": "All", "request": {"method": "GET"}},
                {"name": "Feed", "item": [{"name": "Mine", "request": {"method": "GET"}}]},
            ],
        },
    ],
}


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_find_collection_prefers_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = write_json(tmp_path / "chosen.json", TINY_COLLECTION)
    default = write_json(tmp_path / "default.json", TINY_COLLECTION)
    monkeypatch.setenv(COLLECTION_ENV, str(chosen))

    assert find_collection(default=default) == chosen


def test_find_collection_falls_back_to_the_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = write_json(tmp_path / "default.json", TINY_COLLECTION)
    monkeypatch.delenv(COLLECTION_ENV, raising=False)

    assert find_collection(default=default) == default


def test_find_collection_says_where_to_download_it_when_there_is_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(COLLECTION_ENV, raising=False)

    with pytest.raises(ContractError) as caught:
        find_collection(default=tmp_path / "missing.json")

    message = str(caught.value)
    for hint in (
        "realworld-apps/realworld",
        "api/Conduit.postman_collection.json",
        COLLECTION_COMMIT,
        COLLECTION_ENV,
    ):
        assert hint in message, f"{hint!r} not in {message!r}"


def test_a_variable_naming_a_missing_file_is_an_error_not_a_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = write_json(tmp_path / "default.json", TINY_COLLECTION)
    monkeypatch.setenv(COLLECTION_ENV, str(tmp_path / "typo.json"))

    with pytest.raises(ContractError, match=f"^{COLLECTION_ENV}=.*typo.json is not a file"):
        find_collection(default=default)


def test_check_collection_counts_requests_in_nested_folders(tmp_path: Path) -> None:
    assert check_collection(write_json(tmp_path / "c.json", TINY_COLLECTION)) == 3


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"info": {"name": "cut off', "is not JSON"),
        ("[1, 2, 3]", "is not a Postman collection"),
        ('{"openapi": "3.1.0"}', "is not a Postman collection"),
        ('{"info": {"name": "Empty"}, "item": []}', "holds no requests"),
    ],
    ids=["truncated", "a list", "an OpenAPI document", "no requests"],
)
def test_check_collection_refuses_what_is_not_a_collection(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "collection.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ContractError, match=problem):
        check_collection(path)


# --- newman through npx --------------------------------------------------------------------


def test_newman_command_runs_the_pinned_newman_through_npx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    npx = tmp_path / "npx"
    npx.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    npx.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))

    assert newman_command() == [str(npx), "--yes", NEWMAN]
    assert NEWMAN == "newman@6.2.2"


def test_newman_command_without_npx_says_how_to_install_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder with no npx in it

    with pytest.raises(ContractError, match=r"npx is not installed.*install Node\.js .*npm"):
        newman_command()


# --- serving the Blog API ------------------------------------------------------------------


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """The server processes serve_blog starts (through shared.serve.served) during the test."""
    processes: list[subprocess.Popen[bytes]] = []
    real_served = contract.served

    @contextmanager
    def recording(*args: Any, **kwargs: Any) -> Iterator[Served]:
        with real_served(*args, **kwargs) as server:
            processes.append(server.process)
            yield server

    monkeypatch.setattr(contract, "served", recording)
    return processes


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.mark.slow
def test_serve_blog_serves_the_api_on_127_0_0_1_and_stops_it_afterwards(
    tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    with (
        serve_blog(f"sqlite:///{tmp_path / 'blog.db'}") as api_url,
        urllib.request.urlopen(f"{api_url}/tags", timeout=10) as response,
    ):
        status, body = response.status, json.load(response)
        [process] = started
        # The served process is gunicorn's master; its children are the workers. The first
        # worker answering does not mean the second has forked yet: give it a bounded while.
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        deadline = time.monotonic() + 15
        while len(workers := children.read_text().split()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)

    address = urlsplit(api_url)
    assert (address.hostname, address.path) == ("127.0.0.1", "/api"), api_url
    assert (status, body) == (200, {"tags": []})
    assert len(workers) == 2, workers
    assert process.poll() is not None, "gunicorn is still running after the block"
    assert refuses_connections(address.port or 0), f"something still listens on {api_url}"


@pytest.mark.slow
def test_serve_blog_stops_the_server_when_the_block_fails(
    tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    with pytest.raises(RuntimeError, match="the run broke"):  # noqa: SIM117
        with serve_blog(f"sqlite:///{tmp_path / 'blog.db'}"):
            raise RuntimeError("the run broke")

    [process] = started
    assert process.poll() is not None, "gunicorn outlived a failed block"


def test_serve_blog_reports_an_app_that_cannot_start_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[subprocess.Popen[bytes]]
) -> None:
    monkeypatch.setenv("BLOG_LOG_LEVEL", "LOUD")  # the server inherits the environment

    with pytest.raises(ContractError) as caught:  # noqa: SIM117
        with serve_blog(f"sqlite:///{tmp_path / 'blog.db'}"):
            pytest.fail("the Blog API started with a log level it does not know")

    message = str(caught.value)
    assert "\n" not in message, message
    assert re.fullmatch(
        r"the Blog API did not start: the server exited with status 2 before answering "
        r"http://127\.0\.0\.1:\d+/api/tags \(its last output: BLOG_LOG_LEVEL must be one of "
        r"DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'\)",
        message,
    ), message
    assert started == [], "a server that never answered was handed to the block"


def test_serve_blog_reports_a_server_that_does_not_start_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[subprocess.Popen[bytes]]
) -> None:
    # The server cannot import the app it is asked to serve.
    monkeypatch.setattr(contract, "BLOG_APP", "projects.blog_api:no_such_factory()")

    with pytest.raises(ContractError) as caught:  # noqa: SIM117
        with serve_blog(f"sqlite:///{tmp_path / 'blog.db'}"):
            pytest.fail("a server started with an app that does not exist")

    message = str(caught.value)
    assert "\n" not in message, message
    assert message.startswith("the Blog API did not start: the server exited with status 2"), (
        message
    )
    assert "no_such_factory" in message, message


# --- the details a summary line and a failure carry ----------------------------------------


def test_two_errors_are_counted_in_the_plural() -> None:
    report = newman_report(
        script_error("All Tags", "TypeError", "boom"),
        script_error("Feed", "JSONError", "not JSON"),
    )

    assert parse_report(report).describe() == "3 requests, 7 assertions, 0 failed, 2 errors"


def test_a_report_without_a_failures_list_has_no_failures() -> None:
    report = newman_report()
    del report["run"]["failures"]

    assert parse_report(report) == Summary(requests=3, assertions=7)


def test_a_report_without_run_statistics_names_what_is_missing() -> None:
    with pytest.raises(ContractError) as caught:
        parse_report({})

    assert str(caught.value) == "the newman report has no run statistics (KeyError: 'run')"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {"error": {"name": "Error"}, "at": "request"},
            Failure("(collection)", "Error", "", False),
        ),
        (
            {"error": {}, "at": "prerequest-script"},
            Failure("(collection)", "prerequest-script", "", False),
        ),
        ({}, Failure("(collection)", "error", "", False)),
        (
            {
                "error": {"name": "TypeError", "test": "t", "message": " m "},
                "source": {"name": "R"},
            },
            Failure("R", "TypeError", "m", False),
        ),
    ],
    ids=["no source", "no error name", "nothing at all", "an error inside a test"],
)
def test_a_failure_falls_back_to_what_the_entry_has(
    entry: dict[str, Any], expected: Failure
) -> None:
    stats = {"requests": {"total": 1}, "assertions": {"total": 1}}
    report = {"run": {"stats": stats, "failures": [entry]}}

    assert parse_report(report).failures == (expected,)


def test_a_report_that_is_not_an_object_is_a_contract_error(tmp_path: Path) -> None:
    path = write_json(tmp_path / "report.json", [])

    with pytest.raises(
        ContractError, match=r"^the newman report .*report\.json is not a JSON object$"
    ):
        read_report(path)


def test_a_collection_that_cannot_be_read_is_a_contract_error(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"^cannot read the collection .*: \[Errno 21\]"):
        check_collection(tmp_path)  # a folder, not a file


def test_check_collection_counts_each_request_and_skips_what_is_neither(tmp_path: Path) -> None:
    collection = {
        "info": {"name": "Flat"},
        "item": [
            {"name": "A", "request": {"method": "GET"}},
            {"name": "a note, not a request"},
            {"name": "B", "request": {"method": "GET"}},
        ],
    }

    assert check_collection(write_json(tmp_path / "c.json", collection)) == 2


def test_credentials_have_the_documented_lengths() -> None:
    credentials = fresh_credentials()

    assert re.fullmatch(r"conduit_[0-9a-f]{12}", credentials.username), credentials
    assert len(credentials.password) == 24, credentials


def test_newman_gets_exactly_these_arguments(tmp_path: Path) -> None:
    credentials = Credentials("u", "u@example.com", "pw")
    collection, report = tmp_path / "c.json", tmp_path / "r.json"

    assert newman_arguments("http://h/api", collection, report, credentials) == [
        "run", str(collection),
        "--global-var", "APIURL=http://h/api",
        "--global-var", "USERNAME=u",
        "--global-var", "EMAIL=u@example.com",
        "--global-var", "PASSWORD=pw",
        "--timeout-request", "30000",
        "--reporters", "cli,json",
        "--reporter-cli-no-console",
        "--reporter-json-export", str(report),
    ]  # fmt: skip


def test_the_npx_message_names_newman_and_postman(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(ContractError) as caught:
        newman_command()

    assert "it runs newman (the Postman command-line runner)" in str(caught.value)


@pytest.mark.parametrize(
    ("message", "line"),
    [
        (
            "the server exited with status 1 before answering http://x (it printed nothing)",
            "the server exited with status 1 before answering http://x (it printed nothing)",
        ),
        (
            "gone; its last output:\nfirst; its last output:\nlast\n\n",
            "gone (its last output: last)",
        ),
    ],
    ids=["no output", "output that repeats the separator"],
)
def test_a_server_that_did_not_start_is_told_in_one_line(message: str, line: str) -> None:
    assert contract._one_line(ServerDidNotStart(message)) == line


def test_the_blog_api_is_served_on_this_database_with_a_fresh_secret_and_migrations_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BLOG_AUTO_MIGRATE", "false")  # what a developer's shell may hold

    first = contract.blog_environment("sqlite:////tmp/one.db")
    second = contract.blog_environment("sqlite:////tmp/one.db")

    assert first["BLOG_DATABASE_URL"] == "sqlite:////tmp/one.db"
    assert first["BLOG_AUTO_MIGRATE"] == "true"
    assert len(first["BLOG_SECRET_KEY"]) == 64, first["BLOG_SECRET_KEY"]
    assert first["BLOG_SECRET_KEY"] != second["BLOG_SECRET_KEY"]
    assert first["PATH"] == os.environ["PATH"]  # the rest of the environment is passed on
