"""Two rate limiters by hand on Redis: a fixed window (INCR + EXPIRE) and a sliding log (a
sorted set trimmed and counted in one Lua script), each with the wait before the next request.

Both take a ``clock`` (seconds, a float) so tests can stand on a window boundary exactly.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import redis

Clock = Callable[[], float]


class InvalidLimit(ValueError):
    """A limit that cannot be enforced; the message says what is expected."""


@dataclass(frozen=True)
class Decision:
    """Whether one request may pass, how many more may follow, and how long to wait if not."""

    allowed: bool
    limit: int
    remaining: int
    #: Seconds until a request would pass (0.0 when this one did).
    retry_after: float

    @property
    def retry_after_header(self) -> str:
        """The ``Retry-After`` value: whole seconds, rounded up so a client never comes early."""
        return str(math.ceil(self.retry_after))


def _checked(limit: int, window: float) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidLimit(f"limit must be a whole number of requests >= 1, got {limit!r}")
    if isinstance(window, bool) or not isinstance(window, int | float) or not window > 0:
        raise InvalidLimit(f"window must be a number of seconds > 0, got {window!r}")


def _checked_key(key: str) -> str:
    if not isinstance(key, str) or not key or len(key) > 200:
        raise InvalidLimit(f"key must be a non-empty string of at most 200 characters: {key!r}")
    return key


class FixedWindow:
    """At most ``limit`` requests per key in each window [k*window, (k+1)*window).

    One counter per key and window (``PREFIX:KEY:k``): INCR, and EXPIRE when it is new, in one
    MULTI. Cheap and simple; its flaw is the boundary, where up to 2*limit pass in an instant.
    """

    def __init__(
        self,
        client: redis.Redis,
        limit: int,
        window: float,
        *,
        prefix: str = "day20:fixed",
        clock: Clock = time.time,
    ) -> None:
        _checked(limit, window)
        self.client, self.limit, self.window = client, limit, float(window)
        self.prefix, self.clock = prefix, clock

    def hit(self, key: str) -> Decision:
        """Count one request for ``key`` and say whether it passes."""
        # practice 1: count the request in its window's counter and say whether it passes
        # hint: the window number is floor(now / window); INCR and EXPIRE ... NX in one MULTI;
        # hint: a refused request waits until the window ends.
        now = self.clock()
        number = math.floor(now / self.window)
        counter = f"{self.prefix}:{_checked_key(key)}:{number}"
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(counter)
        # A little longer than the window, so a slow clock never reads a vanished counter.
        pipe.expire(counter, math.ceil(self.window) + 1, nx=True)
        count, _ = pipe.execute()
        if count <= self.limit:
            return Decision(True, self.limit, self.limit - count, 0.0)
        window_end = (number + 1) * self.window
        return Decision(False, self.limit, 0, window_end - now)
        # end practice 1


# KEYS[1] the log; ARGV: now in ms, window in ms, limit, a unique member.
# Everything older than the window goes, then the rest is counted; a request that passes is
# logged. Denied requests are not logged, so hammering does not push the wait back.
_SLIDING_LOG = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
"""


class SlidingLog:
    """At most ``limit`` requests per key in any ``window`` seconds, exactly.

    Each passed request is a member of a sorted set scored by its time in milliseconds. A Lua
    script trims, counts and adds atomically, and when the log is full answers the exact wait:
    until the oldest logged request is ``window`` old. Memory is one entry per request passed.
    """

    def __init__(
        self,
        client: redis.Redis,
        limit: int,
        window: float,
        *,
        prefix: str = "day20:log",
        clock: Clock = time.time,
    ) -> None:
        _checked(limit, window)
        self.client, self.limit, self.window = client, limit, float(window)
        self.prefix, self.clock = prefix, clock
        self._script = client.register_script(_SLIDING_LOG)

    def hit(self, key: str) -> Decision:
        """Count one request for ``key`` and say whether it passes."""
        # practice 2: run the sliding-log script for one request and answer its Decision
        # hint: the script takes whole milliseconds (Lua truncates) and a member unique per request;
        # hint: it answers allowed, remaining and the wait in ms.
        now_ms = round(self.clock() * 1000)
        window_ms = round(self.window * 1000)
        log = f"{self.prefix}:{_checked_key(key)}"
        member = f"{now_ms}-{uuid.uuid4().hex}"
        allowed, remaining, wait_ms = self._script(
            keys=[log], args=[now_ms, window_ms, self.limit, member]
        )
        return Decision(bool(allowed), self.limit, int(remaining), int(wait_ms) / 1000)
        # end practice 2
