"""A leaderboard in a Redis sorted set: scores, ties that share a rank, and a weekly board.

Writes go through MULTI/EXEC (a transactional pipeline), so a score and the board's expiry
change together. Reads that need two commands (a player's rank, a top N cut inside a tie)
WATCH the board and retry if it changed between them, so they describe one state of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import redis
from redis.client import Pipeline

from day17.validation import InvalidInput, check_key, check_limit, check_name, check_ttl

#: The longest top N the board hands out.
MAX_TOP = 100
#: How long a weekly board lives after its first score: the week and one more day to read it.
WEEKLY_TTL = 8 * 24 * 60 * 60


@dataclass(frozen=True)
class Entry:
    """One line of a board: ``rank`` is shared by players with the same score."""

    rank: int
    player: str
    score: float


def check_score(value: object, what: str = "score") -> float:
    """A finite int or float as a float; InvalidInput for anything else (bools and NaN too)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise InvalidInput(f"{what} must be a finite number, got {value!r}")
    return float(value)


def weekly_key(prefix: str, day: date) -> str:
    """The key of the board for the ISO week that ``day`` falls in, e.g. ``scores:2026-W49``."""
    year, week, _ = day.isocalendar()
    return f"{check_key(prefix)}:{year}-W{week:02d}"


def ranked(rows: list[tuple[str, float]]) -> list[Entry]:
    """Rows (any order) as entries: best score first, ties by name, ranks 1, 2, 2, 4."""
    # practice 2: rank the rows so that tied players share a rank and the next one skips
    # hint: sort by (-score, name); a player tied with the previous entry takes its rank.
    ordered = sorted(rows, key=lambda row: (-row[1], row[0]))
    entries: list[Entry] = []
    for position, (player, score) in enumerate(ordered, start=1):
        tied = entries and entries[-1].score == score
        entries.append(Entry(entries[-1].rank if tied else position, player, score))
    return entries
    # end practice 2


class Leaderboard:
    """A board under one key. With ``ttl`` the key expires that many seconds after its first
    write; later writes do not push the expiry back (``EXPIRE ... NX``).

    ``after_watched_read`` runs between the watched read and MULTI of :meth:`top` and
    :meth:`rank`: the place a concurrent write makes them start again.
    """

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        ttl: int | None = None,
        after_watched_read: Callable[[], None] | None = None,
    ) -> None:
        self.client = client
        self.key = check_key(key)
        self.ttl = None if ttl is None else check_ttl(ttl)
        self.after_watched_read = after_watched_read

    @classmethod
    def weekly(cls, client: redis.Redis, prefix: str, day: date) -> Leaderboard:
        """The board of ``day``'s ISO week, gone 8 days after its first score."""
        return cls(client, weekly_key(prefix, day), ttl=WEEKLY_TTL)

    def _expire(self, pipe: Pipeline) -> None:
        if self.ttl is not None:
            pipe.expire(self.key, self.ttl, nx=True)

    def set_score(self, player: str, score: float) -> None:
        """Give ``player`` exactly ``score``, replacing any earlier one."""
        player, score = check_name(player, "player"), check_score(score)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.zadd(self.key, {player: score})
            self._expire(pipe)
            pipe.execute()

    def add_points(self, player: str, points: float) -> float:
        """Add ``points`` (may be negative) to ``player``, who starts at 0; the new score."""
        player, points = check_name(player, "player"), check_score(points, "points")
        with self.client.pipeline(transaction=True) as pipe:
            pipe.zincrby(self.key, points, player)
            self._expire(pipe)
            new_score, *_ = pipe.execute()
        return float(new_score)

    def transfer(self, giver: str, receiver: str, points: float) -> None:
        """Move ``points`` from one player to another in one MULTI: no reader sees only half."""
        giver, receiver = check_name(giver, "giver"), check_name(receiver, "receiver")
        points = check_score(points, "points")
        if giver == receiver:
            raise InvalidInput(f"giver and receiver must differ, got {giver!r} twice")
        with self.client.pipeline(transaction=True) as pipe:
            pipe.zincrby(self.key, -points, giver)
            pipe.zincrby(self.key, points, receiver)
            self._expire(pipe)
            pipe.execute()

    def score(self, player: str) -> float | None:
        """``player``'s score, ``None`` if they are not on the board."""
        value = self.client.zscore(self.key, check_name(player, "player"))
        return None if value is None else float(value)

    def _watched(self, read_then_queue: Callable[[Pipeline], None]) -> list[Any]:
        """WATCH the board, read, MULTI, queue, EXEC; all again if the board changed meanwhile."""
        return self.client.transaction(read_then_queue, self.key)

    def _after_read(self) -> None:
        if self.after_watched_read is not None:
            self.after_watched_read()

    def rank(self, player: str) -> Entry | None:
        """``player``'s entry: rank 1 + the number of players with a strictly higher score."""
        player = check_name(player, "player")
        # practice 3: a player's rank is 1 + the number of players strictly above, in one state
        # hint: read the score under WATCH, then MULTI: ZSCORE again and ZCOUNT from "(score" up.

        def read_then_queue(pipe: Pipeline) -> None:
            seen = pipe.zscore(self.key, player)
            self._after_read()
            pipe.multi()
            pipe.zscore(self.key, player)
            if seen is not None:
                pipe.zcount(self.key, f"({seen!r}", "+inf")

        score, *higher = self._watched(read_then_queue)
        if score is None:
            return None
        return Entry(higher[0] + 1, player, float(score))
        # end practice 3

    def top(self, n: int) -> list[Entry]:
        """The best ``n`` players, and everyone tied with the last of them (so maybe more)."""
        n = check_limit(n, "n", MAX_TOP)

        def read_then_queue(pipe: Pipeline) -> None:
            cut = pipe.zrevrange(self.key, n - 1, n - 1, withscores=True)
            self._after_read()
            pipe.multi()
            if cut:
                pipe.zrevrangebyscore(self.key, "+inf", cut[0][1], withscores=True)
            else:
                pipe.zrevrange(self.key, 0, -1, withscores=True)

        (rows,) = self._watched(read_then_queue)
        return ranked([(player, float(score)) for player, score in rows])

    def size(self) -> int:
        """How many players are on the board."""
        return int(self.client.zcard(self.key))

    def seconds_left(self) -> int | None:
        """The board's TTL in seconds; ``None`` when it never expires or does not exist."""
        ttl = int(self.client.ttl(self.key))
        return ttl if ttl >= 0 else None
