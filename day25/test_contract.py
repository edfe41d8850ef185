"""The contract, against the real served API and against one with a stale list planted."""

from __future__ import annotations

from collections.abc import Callable

from day25.contract import CheckResult, check_contract, summary
from shared.serve import free_port

NAMES = ["delete all", "create", "read one", "patch", "list", "delete one", "gone is 404"]


def test_the_served_todo_api_keeps_the_contract(api_url: str) -> None:
    results = check_contract(api_url)
    assert [result.name for result in results] == NAMES
    assert [result.detail for result in results if not result.ok] == []
    assert summary(results) == "7/7 checks pass"


def test_the_contract_runs_again_on_the_same_api(api_url: str) -> None:
    # Every run starts by emptying the list, so a second run sees what the first did.
    assert summary(check_contract(api_url)) == summary(check_contract(api_url)) == "7/7 checks pass"


def test_a_list_that_is_never_invalidated_fails_the_list_check(
    serve_api: Callable[..., str],
) -> None:
    url = serve_api('day25.faulty:create_app("stale-list")', workers=1)
    results = check_contract(url)
    assert [result.ok for result in results] == [True, True, True, True, False, False, False]
    failed = results[4]
    assert failed.detail.startswith("GET /todos after the PATCH: expected [(")
    assert failed.detail.endswith(", True, 5)], got []")
    assert [result.detail for result in results[5:]] == ["skipped after a failure"] * 2
    assert summary(results) == f"4/7 checks pass; list failed: {failed.detail}"


def test_an_address_where_nothing_listens_fails_at_the_first_check() -> None:
    results = check_contract(f"http://127.0.0.1:{free_port()}")
    assert results[0].name == "delete all" and not results[0].ok
    assert results[0].detail.startswith("no answer: ")
    assert summary(results).startswith("0/7 checks pass; delete all failed: no answer: ")


def test_a_wrong_status_names_the_request_and_both_statuses(api_url: str) -> None:
    results = check_contract(f"{api_url}/nowhere")
    assert not results[0].ok
    assert results[0].detail.startswith("DELETE /nowhere/todos: expected 204, got 404 '{")


def test_the_summary_counts_and_names_the_first_failure() -> None:
    results = [
        CheckResult("create", True),
        CheckResult("patch", False, "PATCH: expected True, got False"),
        CheckResult("list", False, "skipped after a failure"),
    ]
    assert summary(results) == "1/3 checks pass; patch failed: PATCH: expected True, got False"
