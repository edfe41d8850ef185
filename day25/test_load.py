"""Concurrent writers against the served API: all answered, all stored; and a lossy one caught."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from day25.load import BadLoad, LoadReport, run_writers
from shared.serve import free_port


def test_eight_concurrent_writers_get_201_each_and_the_list_holds_every_todo(
    api_url: str,
) -> None:
    report = run_writers(api_url, writers=8, per_writer=5)
    assert report.statuses == Counter({201: 40})
    assert (report.stored, report.server_errors, report.ok) == (40, 0, True)
    assert len(report.latencies_ms) == 40
    assert report.line() == "8 writers x 5 POSTs -> 40 x 201; the list holds 40 of 40 created"


def test_a_run_counts_only_its_own_todos(api_url: str) -> None:
    first = run_writers(api_url, writers=2, per_writer=3)
    second = run_writers(api_url, writers=3, per_writer=2)
    assert (first.stored, second.stored) == (6, 6)


def test_writes_answered_201_but_never_stored_make_the_run_fail(
    serve_api: Callable[..., str],
) -> None:
    url = serve_api('day25.faulty:create_app("lost-writes")', workers=1)
    report = run_writers(url, writers=4, per_writer=5)
    assert report.statuses == Counter({201: 20})
    assert (report.stored, report.ok) == (16, False)
    assert report.line().endswith("the list holds 16 of 20 created")


def test_no_answer_counts_as_status_0_and_the_list_as_unread() -> None:
    report = run_writers(f"http://127.0.0.1:{free_port()}", writers=2, per_writer=2)
    assert report.statuses == Counter({0: 4})
    assert (report.stored, report.failed, report.ok) == (None, 4, False)
    assert report.line() == ("2 writers x 2 POSTs -> 4 x no answer; the list could not be read")


@pytest.mark.parametrize(
    ("base", "writers", "per_writer", "message"),
    [
        ("ftp://127.0.0.1:1", 1, 1, "the API's address must be http://host:port, got 'ftp://"),
        ("127.0.0.1:5002", 1, 1, "the API's address must be http://host:port, got '127.0.0.1"),
        ("http://127.0.0.1:1", 0, 1, "writers must be from 1 to 64, got 0"),
        ("http://127.0.0.1:1", 65, 1, "writers must be from 1 to 64, got 65"),
        ("http://127.0.0.1:1", 1, 0, "POSTs per writer must be from 1 to 1000, got 0"),
        ("http://127.0.0.1:1", 1, 1001, "POSTs per writer must be from 1 to 1000, got 1001"),
    ],
)
def test_a_load_that_cannot_run_is_refused_before_any_request(
    base: str, writers: int, per_writer: int, message: str
) -> None:
    with pytest.raises(BadLoad, match="^" + message.replace("(", r"\(")):
        run_writers(base, writers, per_writer)


def test_percentiles_are_read_from_every_request() -> None:
    report = LoadReport(1, 100, Counter({201: 100}), 100, 1.0, [float(n) for n in range(1, 101)])
    assert (report.percentile(50), report.percentile(99)) == (
        pytest.approx(50.5),
        pytest.approx(99.01),
    )
    assert LoadReport(1, 1, Counter(), None, 0.0, []).percentile(99) == 0.0
