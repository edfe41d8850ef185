"""Concurrent writers against a running Todo API: every POST answered, every todo stored.

``run_writers`` starts N threads behind a barrier, each with its own keep-alive session, and
each POSTs its share of todos with titles of its own. Then one GET /todos counts the run's
titles: a write that was answered 201 but not stored, or stored twice, shows up as a difference.
Latencies are per request, from send to the whole answer read.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from day25.contract import direct_session

MAX_WRITERS = 64
MAX_PER_WRITER = 1000
#: Seconds one request may take; a slower one counts as an error, not a hang.
REQUEST_TIMEOUT = 10.0


class BadLoad(ValueError):
    """The load cannot run as asked; the message says what to change."""


@dataclass(frozen=True)
class LoadReport:
    writers: int
    per_writer: int
    #: Answers by status; 0 stands for no answer at all (refused, reset, timed out).
    statuses: Counter[int]
    #: Todos of this run that GET /todos listed afterwards (None: the list could not be read).
    stored: int | None
    seconds: float
    latencies_ms: list[float] = field(repr=False, default_factory=list)

    @property
    def sent(self) -> int:
        return self.writers * self.per_writer

    @property
    def created(self) -> int:
        return self.statuses[201]

    @property
    def failed(self) -> int:
        """Writes that did not get a 201: server errors, refusals, no answer."""
        return self.sent - self.created

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    @property
    def ok(self) -> bool:
        """Every write created and every created todo stored, once."""
        return self.failed == 0 and self.stored == self.created

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile latency in milliseconds (0 when nothing was timed)."""
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q) - 1]

    def line(self) -> str:
        """One line on what happened, without timings (the same every run when all is well)."""
        answers = ", ".join(
            f"{count} x {status or 'no answer'}" for status, count in sorted(self.statuses.items())
        )
        if self.stored is None:
            stored = "the list could not be read"
        else:
            stored = f"the list holds {self.stored} of {self.created} created"
        return f"{self.writers} writers x {self.per_writer} POSTs -> {answers}; {stored}"


def check_load(base: str, writers: int, per_writer: int) -> None:
    """Raise :class:`BadLoad` unless the arguments make a run."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadLoad(f"the API's address must be http://host:port, got {base!r}")
    if not 1 <= writers <= MAX_WRITERS:
        raise BadLoad(f"writers must be from 1 to {MAX_WRITERS}, got {writers}")
    if not 1 <= per_writer <= MAX_PER_WRITER:
        raise BadLoad(f"POSTs per writer must be from 1 to {MAX_PER_WRITER}, got {per_writer}")


def run_writers(base: str, writers: int, per_writer: int) -> LoadReport:
    """``writers`` threads POST ``per_writer`` todos each to ``base``/todos at once; then the
    list is read to count what was stored."""
    check_load(base, writers, per_writer)
    # practice 2: start the writers together, count every answer, then count what was stored
    # hint: a Barrier(writers) makes the threads start at once; a failed request is status 0;
    # hint: titles carry a run id, so the list can be counted by prefix (stored_titles).
    root = f"{base.rstrip('/')}/todos"
    run = uuid.uuid4().hex[:8]
    start = threading.Barrier(writers)
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def write(writer: int) -> None:
        with direct_session() as http:
            start.wait()
            for number in range(per_writer):
                began = time.perf_counter()
                try:
                    response = http.post(
                        root,
                        json={"title": f"load {run} {writer}-{number}"},
                        timeout=REQUEST_TIMEOUT,
                    )
                    status = response.status_code
                except requests.RequestException:
                    status = 0
                took = (time.perf_counter() - began) * 1000
                with lock:
                    statuses[status] += 1
                    latencies.append(took)

    began = time.perf_counter()
    threads = [threading.Thread(target=write, args=(n,), daemon=True) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return LoadReport(
        writers, per_writer, statuses, stored_titles(root, f"load {run} "), seconds, latencies
    )
    # end practice 2


def stored_titles(root: str, prefix: str) -> int | None:
    """How many todos in the list have a title starting with ``prefix``."""
    try:
        with direct_session() as http:
            response = http.get(root, timeout=REQUEST_TIMEOUT)
        response.raise_for_status()
        return sum(str(todo.get("title", "")).startswith(prefix) for todo in response.json())
    except (requests.RequestException, ValueError):
        return None
