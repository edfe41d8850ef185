"""Wait for a dependency to accept connections, with capped exponential backoff and jitter.

``depends_on: condition: service_healthy`` orders a compose file's start, but only the first
start: a database that restarts later, or a platform without compose, leaves the app to wait by
itself. :func:`wait_for` retries a probe until it passes or a deadline passes; the n-th pause is
drawn uniformly from ``[0, min(cap, base * factor**n)]`` ("full jitter"), so many replicas that
start together do not knock on the database in step. :func:`port_open` is the usual probe.
"""

from __future__ import annotations

import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass


class DependencyTimeout(Exception):
    """The dependency did not answer before the deadline; the message names it and the last
    error."""


@dataclass(frozen=True)
class Backoff:
    """The pause before each retry: full jitter under a capped exponential."""

    base: float = 0.05
    factor: float = 2.0
    cap: float = 2.0

    def __post_init__(self) -> None:
        if not (self.base > 0 and self.factor >= 1 and self.cap >= self.base):
            raise ValueError(
                f"backoff needs base > 0, factor >= 1 and cap >= base, got base={self.base}, "
                f"factor={self.factor}, cap={self.cap}"
            )

    def ceiling(self, attempt: int) -> float:
        """The largest pause after failed attempt number ``attempt`` (0-based)."""
        # practice 1: the capped exponential: base, base * factor, … never above cap
        # hint: base * factor**attempt overflows a float for a huge attempt; return the cap first.
        # min() before ** would be wrong for huge attempts; compare exponents instead.
        if attempt > 60:
            return self.cap
        return min(self.cap, self.base * self.factor**attempt)
        # end practice 1

    def pause(self, attempt: int, draw: Callable[[], float] = random.random) -> float:
        """A pause after failed attempt ``attempt``: ``draw()`` (in [0, 1)) times the ceiling."""
        return draw() * self.ceiling(attempt)


@dataclass(frozen=True)
class Waited:
    """How a successful wait went."""

    attempts: int
    seconds: float


def wait_for(
    probe: Callable[[], None],
    what: str,
    timeout: float = 30.0,
    backoff: Backoff | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    draw: Callable[[], float] = random.random,
) -> Waited:
    """Call ``probe`` until it returns without raising ``OSError``; give up at ``timeout``.

    A pause never runs past the deadline, and the probe is tried once more at the deadline,
    so the time spent is at most ``timeout`` plus one probe.
    """
    if timeout < 0:
        raise ValueError(f"timeout must be 0 or more seconds, got {timeout}")
    backoff = backoff or Backoff()
    # practice 2: retry the probe with jittered pauses until it passes or the deadline comes
    # hint: retry only OSError; cut the last pause to the time left, and probe at the deadline.
    start = clock()
    deadline = start + timeout
    attempt = 0
    while True:
        try:
            probe()
        except OSError as error:
            last = error
        else:
            return Waited(attempts=attempt + 1, seconds=clock() - start)
        left = deadline - clock()
        if left <= 0:
            raise DependencyTimeout(
                f"{what} did not answer within {timeout:g} s ({attempt + 1} attempts); "
                f"last error: {last}"
            )
        sleep(min(backoff.pause(attempt, draw), left))
        attempt += 1
    # end practice 2


def port_open(host: str, port: int, connect_timeout: float = 1.0) -> Callable[[], None]:
    """A probe that opens a TCP connection to ``host:port`` and closes it again."""

    def probe() -> None:
        with socket.create_connection((host, port), timeout=connect_timeout):
            pass

    return probe


def parse_target(text: str) -> tuple[str, int]:
    """``host:port`` (``tcp://`` allowed in front) as a pair; ValueError saying what is wrong."""
    rest = text.removeprefix("tcp://")
    host, sep, port = rest.rpartition(":")
    if not sep or not host:
        raise ValueError(f"expected host:port, got {text!r}")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"expected a port from 1 to 65535 in {text!r}, got {port!r}")
    return host.strip("[]"), int(port)
