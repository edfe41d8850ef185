"""The Todo-Backend contract, as a client checks it over HTTP against a running API.

The capstone's own suite ports every statement of the reference specs; this is the short form a
smoke test or a degradation check runs again and again: create, read, change, list, delete, each
answered the way https://todobackend.com says. A failed check names the request, what the
contract expects and what came back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

#: Seconds one request may take before the check fails rather than waits on.
REQUEST_TIMEOUT = 5.0


def direct_session() -> requests.Session:
    """A keep-alive session that goes straight to the address, whatever ``http_proxy`` says."""
    session = requests.Session()
    session.trust_env = False
    return session


class ContractFailure(AssertionError):
    """A response the contract does not allow; the message says which and why."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str = ""


def expect(response: requests.Response, status: int) -> Any:
    """The JSON body of ``response`` (None for an empty one), if its status is ``status``."""
    request = response.request
    if response.status_code != status:
        raise ContractFailure(
            f"{request.method} {request.path_url}: expected {status}, got "
            f"{response.status_code} {response.text[:120]!r}"
        )
    return response.json() if response.content else None


def same(what: str, expected: Any, actual: Any) -> None:
    if expected != actual:
        raise ContractFailure(f"{what}: expected {expected!r}, got {actual!r}")


class Contract:
    """The checks, in order, against the API at ``base`` (``http://host:port``, no slash).

    Each check leaves the list as the next one expects it; the first one empties it.
    """

    def __init__(self, base: str, session: requests.Session | None = None) -> None:
        self.root = f"{base.rstrip('/')}/todos"
        self.http = session or direct_session()
        self.url = ""

    def call(self, method: str, url: str, body: Any = None) -> requests.Response:
        return self.http.request(method, url, json=body, timeout=REQUEST_TIMEOUT)

    def checks(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("delete all", self.delete_all),
            ("create", self.create),
            ("read one", self.read_one),
            ("patch", self.patch),
            ("list", self.list),
            ("delete one", self.delete_one),
            ("gone is 404", self.gone),
        ]

    def delete_all(self) -> None:
        expect(self.call("DELETE", self.root), 204)
        same("GET /todos after DELETE /todos", [], expect(self.call("GET", self.root), 200))

    def create(self) -> None:
        todo = expect(self.call("POST", self.root, {"title": "walk the dog"}), 201)
        same("the new todo's title", "walk the dog", todo.get("title"))
        same("the new todo's completed", False, todo.get("completed"))
        if not str(todo.get("url", "")).startswith(self.root + "/"):
            raise ContractFailure(f"the new todo's url: expected {self.root}/<id>, got {todo!r}")
        self.url = todo["url"]

    def read_one(self) -> None:
        todo = expect(self.call("GET", self.url), 200)
        same("GET its url: the title", "walk the dog", todo["title"])

    def patch(self) -> None:
        todo = expect(self.call("PATCH", self.url, {"completed": True, "order": 5}), 200)
        same("PATCH: completed and order", (True, 5), (todo["completed"], todo["order"]))
        same("PATCH: the title it did not send", "walk the dog", todo["title"])

    def list(self) -> None:
        todos = expect(self.call("GET", self.root), 200)
        same("GET /todos after the PATCH", [(self.url, True, 5)],
             [(t["url"], t["completed"], t["order"]) for t in todos])  # fmt: skip

    def delete_one(self) -> None:
        expect(self.call("DELETE", self.url), 204)
        same("GET /todos after deleting it", [], expect(self.call("GET", self.root), 200))

    def gone(self) -> None:
        expect(self.call("GET", self.url), 404)

    def run(self) -> list[CheckResult]:
        """Every check, in order; after the first failure the rest are not run (they build
        on it) and are reported as skipped."""
        # practice 1: run the checks in order, skipping the rest after the first failure
        # hint: a ContractFailure and a requests error both fail a check; keep a flag, and
        # hint: record each check as passed, failed with its message, or skipped.
        results: list[CheckResult] = []
        failed = False
        for name, check in self.checks():
            if failed:
                results.append(CheckResult(name, False, "skipped after a failure"))
                continue
            try:
                check()
            except ContractFailure as failure:
                failed = True
                results.append(CheckResult(name, False, str(failure)))
            except requests.RequestException as error:
                failed = True
                results.append(CheckResult(name, False, f"no answer: {error}"))
            else:
                results.append(CheckResult(name, True))
        return results
        # end practice 1


def check_contract(base: str, session: requests.Session | None = None) -> list[CheckResult]:
    """Run the contract against the API at ``base``."""
    return Contract(base, session).run()


def summary(results: list[CheckResult]) -> str:
    """``7/7 checks pass``, or the count and the first failure."""
    passed = sum(result.ok for result in results)
    line = f"{passed}/{len(results)} checks pass"
    if failure := next((result for result in results if not result.ok), None):
        line += f"; {failure.name} failed: {failure.detail}"
    return line
