"""Click counts that survive concurrent hits: INCR in Redis, flushed to the database.

A redirect must not wait on a row lock, so a hit is one ``INCR short:clicks:<code>`` (atomic in
Redis however many processes send it) plus ``SADD short:dirty <code>``. :func:`flush_clicks`
moves the counts into ``links.clicks`` with ``UPDATE ... SET clicks = clicks + n``: it takes each
count with ``GETDEL`` (so two flushers never both add the same hits), and puts it back with
``INCRBY`` when the database refuses the update. Without Redis a hit is that UPDATE itself,
one row lock per click.
"""

from __future__ import annotations

from collections.abc import Callable

import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from day44.models import Link

#: The set of codes with hits not yet in the database.
DIRTY = "short:dirty"


def clicks_key(code: str) -> str:
    """The Redis counter of ``code``'s hits not yet flushed."""
    return f"short:clicks:{code}"


def add_clicks(session: Session, code: str, count: int) -> None:
    """``links.clicks += count`` in one statement: the database adds, no read-modify-write."""
    session.execute(sa.update(Link).where(Link.code == code).values(clicks=Link.clicks + count))


def record_click(
    client: redis.Redis | None, session_factory: Callable[[], Session], code: str
) -> None:
    """Count one hit on ``code``: in Redis when there is one, else straight in the database."""
    if client is None:
        with session_factory() as session, session.begin():
            add_clicks(session, code, 1)
        return
    with client.pipeline(transaction=False) as pipe:
        pipe.incr(clicks_key(code))
        pipe.sadd(DIRTY, code)
        pipe.execute()


def pending_clicks(client: redis.Redis | None, code: str) -> int:
    """Hits on ``code`` counted in Redis but not yet flushed."""
    if client is None:
        return 0
    return int(client.get(clicks_key(code)) or 0)


def flush_clicks(
    client: redis.Redis,
    session_factory: Callable[[], Session],
    after_take: Callable[[str, int], None] | None = None,
) -> int:
    """Move every pending count from Redis into ``links.clicks``; return how many hits moved.

    A hit that lands while a code is being flushed is counted again from zero and its code is
    marked dirty again, so it goes in the next flush. ``after_take`` (for tests) runs between
    taking a count from Redis and writing it.
    """
    moved = 0
    while (code := client.spop(DIRTY)) is not None:
        # practice 3: move one code's pending hits into the database, losing none
        # hint: GETDEL the counter (nothing to do if it is gone), add it with add_clicks in a
        # hint: transaction, and on any error INCRBY it back and SADD the code before re-raising.
        taken = client.getdel(clicks_key(code))
        if taken is None:
            continue
        count = int(taken)
        try:
            if after_take is not None:
                after_take(code, count)
            with session_factory() as session, session.begin():
                add_clicks(session, code, count)
        except BaseException:
            with client.pipeline(transaction=True) as pipe:
                pipe.incrby(clicks_key(code), count)
                pipe.sadd(DIRTY, code)
                pipe.execute()
            raise
        moved += count
        # end practice 3
    return moved
