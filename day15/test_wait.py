"""wait_for and Backoff: the schedule on a simulated clock, and real ports that open late."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from day15.wait import Backoff, DependencyTimeout, parse_target, port_open, wait_for
from shared.serve import free_port


class FakeTime:
    """A clock that only the pauses move, recording each pause."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def failing(times: int) -> tuple[list[int], object]:
    calls: list[int] = []

    def probe() -> None:
        calls.append(1)
        if len(calls) <= times:
            raise ConnectionRefusedError(111, "Connection refused")

    return calls, probe


def test_ceilings_double_up_to_the_cap() -> None:
    backoff = Backoff(base=0.1, factor=2, cap=1.0)
    assert [backoff.ceiling(n) for n in range(6)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]


def test_a_huge_attempt_number_stays_at_the_cap() -> None:
    assert Backoff(base=0.1, factor=2, cap=3.0).ceiling(10_000) == 3.0


def test_a_pause_is_the_draw_times_the_ceiling() -> None:
    backoff = Backoff(base=0.1, factor=2, cap=1.0)
    assert backoff.pause(2, lambda: 0.5) == pytest.approx(0.2)
    assert backoff.pause(2, lambda: 0.0) == 0.0


@pytest.mark.parametrize(
    "kwargs", [{"base": 0}, {"factor": 0.5}, {"base": 1.0, "cap": 0.5}], ids=str
)
def test_a_backoff_that_cannot_grow_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="backoff needs base > 0"):
        Backoff(**kwargs)


def test_wait_retries_with_jittered_pauses_until_the_probe_passes() -> None:
    fake = FakeTime()
    calls, probe = failing(3)
    draws = iter([0.5, 0.25, 1.0])
    waited = wait_for(
        probe,  # type: ignore[arg-type]
        "db",
        timeout=10,
        backoff=Backoff(base=0.1, factor=2, cap=1.0),
        clock=fake.clock,
        sleep=fake.sleep,
        draw=lambda: next(draws),
    )
    assert len(calls) == 4
    assert fake.pauses == pytest.approx([0.05, 0.05, 0.4])
    assert (waited.attempts, waited.seconds) == (4, pytest.approx(0.5))


def test_a_probe_that_passes_at_once_is_one_attempt_and_no_pause() -> None:
    fake = FakeTime()
    waited = wait_for(lambda: None, "db", clock=fake.clock, sleep=fake.sleep)
    assert (waited.attempts, fake.pauses) == (1, [])


def test_the_last_pause_is_cut_to_the_deadline_and_the_probe_tried_there() -> None:
    fake = FakeTime()
    calls, probe = failing(100)
    with pytest.raises(DependencyTimeout) as raised:
        wait_for(
            probe,  # type: ignore[arg-type]
            "mysql:3306",
            timeout=1.0,
            backoff=Backoff(base=0.4, factor=1, cap=0.4),
            clock=fake.clock,
            sleep=fake.sleep,
            draw=lambda: 1.0,
        )
    assert fake.pauses == pytest.approx([0.4, 0.4, 0.2])
    assert fake.now == pytest.approx(1.0)
    assert len(calls) == 4
    assert str(raised.value) == (
        "mysql:3306 did not answer within 1 s (4 attempts); "
        "last error: [Errno 111] Connection refused"
    )


def test_an_error_that_is_not_a_connection_error_is_not_retried() -> None:
    def probe() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        wait_for(probe, "db", timeout=5)


def test_a_negative_timeout_is_refused() -> None:
    with pytest.raises(ValueError, match="timeout must be 0 or more seconds, got -1"):
        wait_for(lambda: None, "db", timeout=-1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("db:3306", ("db", 3306)),
        ("tcp://127.0.0.1:6379", ("127.0.0.1", 6379)),
        ("[::1]:80", ("::1", 80)),
    ],
)
def test_parse_target_reads_host_and_port(text: str, expected: tuple[str, int]) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("db", "expected host:port"),
        (":80", "expected host:port"),
        ("db:x", "got 'x'"),
        ("db:0", "got '0'"),
    ],
)
def test_parse_target_refuses_what_is_not_host_and_port(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_target(text)


# --- real sockets -----------------------------------------------------------------------------


@pytest.fixture
def late_listener() -> Iterator[tuple[int, float]]:
    """A port on 127.0.0.1 that starts listening 0.5 s from now: (port, when it opened)."""
    port = free_port()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    opened: list[float] = []

    def open_late() -> None:
        time.sleep(0.5)
        server.bind(("127.0.0.1", port))
        server.listen()
        opened.append(time.monotonic())

    thread = threading.Thread(target=open_late, daemon=True)
    thread.start()
    yield port, 0.5
    thread.join(timeout=5)
    server.close()


def test_waits_for_a_real_port_that_opens_late(late_listener: tuple[int, float]) -> None:
    port, late = late_listener
    started = time.monotonic()
    waited = wait_for(port_open("127.0.0.1", port), "late", timeout=5, backoff=Backoff(cap=0.2))
    took = time.monotonic() - started
    assert waited.attempts > 1
    assert late <= took < late + 0.5  # the cap keeps the wait just past the opening


def test_gives_up_on_a_real_port_that_never_opens_within_the_timeout() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connects are refused
        port = closed.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(DependencyTimeout, match="Connection refused"):
            wait_for(port_open("127.0.0.1", port), "closed", timeout=0.5)
        assert 0.5 <= time.monotonic() - started < 1.0
