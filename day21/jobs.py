"""The jobs a worker runs, on a small SQLite todo table: a purge, a reminder and a flaky sync.

RQ stores a job as the dotted path of its function plus its arguments, so every job here is a
plain module-level function taking plain values (a database path, numbers, ISO strings).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

SCHEMA = """
CREATE TABLE IF NOT EXISTS todos (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    completed_at TEXT
);
CREATE TABLE IF NOT EXISTS reminders_sent (
    reminder_id TEXT PRIMARY KEY,
    todo_id INTEGER NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    name TEXT PRIMARY KEY,
    count INTEGER NOT NULL
);
"""


def iso(moment: datetime) -> str:
    """``moment`` in UTC as ISO 8601 with milliseconds and ``Z``; such strings sort by time."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def connect(database: str) -> sqlite3.Connection:
    """A connection to the SQLite file ``database`` that waits up to 5 s for a lock."""
    return sqlite3.connect(database, timeout=5)


def create_schema(database: str) -> None:
    """Create the three tables if they are missing."""
    with closing(connect(database)) as db, db:
        db.executescript(SCHEMA)


def add_todo(database: str, title: str, completed_at: datetime | None = None) -> int:
    """Insert a todo (completed at ``completed_at``, or open) and return its id."""
    with closing(connect(database)) as db, db:
        cursor = db.execute(
            "INSERT INTO todos (title, completed_at) VALUES (?, ?)",
            (title, iso(completed_at) if completed_at else None),
        )
        return int(cursor.lastrowid or 0)


def todo_titles(database: str) -> list[str]:
    """Every todo's title, by id."""
    with closing(connect(database)) as db:
        return [title for (title,) in db.execute("SELECT title FROM todos ORDER BY id")]


def purge_completed(database: str, older_than_days: int, now: str) -> int:
    """Delete todos completed more than ``older_than_days`` before ``now``; return how many.

    ``now`` is an argument, not a clock reading, so the job means the same whenever it runs, and
    running it twice deletes nothing the second time.
    """
    # practice 1: delete the todos completed before the cutoff and say how many went
    # hint: the cutoff is now minus the days, as an ISO string (they sort by time); open todos
    # hint: have no completed_at. The cursor's rowcount is the answer.
    cutoff = iso(datetime.fromisoformat(now) - timedelta(days=older_than_days))
    with closing(connect(database)) as db, db:
        cursor = db.execute(
            "DELETE FROM todos WHERE completed_at IS NOT NULL AND completed_at < ?", (cutoff,)
        )
        return cursor.rowcount
    # end practice 1


def send_reminder(database: str, reminder_id: str, todo_id: int) -> bool:
    """Record that reminder ``reminder_id`` went out; False if it already had (nothing changes).

    The reminder id is the primary key, so applying the job twice writes one row.
    """
    with closing(connect(database)) as db, db:
        cursor = db.execute(
            "INSERT OR IGNORE INTO reminders_sent (reminder_id, todo_id, sent_at) VALUES (?, ?, ?)",
            (reminder_id, todo_id, iso(datetime.now(UTC))),
        )
        return cursor.rowcount == 1


def reminders_sent(database: str) -> list[tuple[str, int]]:
    """The reminders recorded, as (reminder id, todo id), in the order they were sent."""
    with closing(connect(database)) as db:
        rows = db.execute("SELECT reminder_id, todo_id FROM reminders_sent ORDER BY rowid")
        return [(reminder_id, todo_id) for reminder_id, todo_id in rows]


class PartnerUnavailable(ConnectionError):
    """The (pretend) partner API did not answer."""


def sync_todos(database: str, name: str, failures: int) -> int:
    """Pretend to push the todos to a partner API that fails the first ``failures`` attempts.

    Each attempt is counted in the ``attempts`` table under ``name``; returns the attempt that
    succeeded, or raises :class:`PartnerUnavailable`.
    """
    with closing(connect(database)) as db, db:
        db.execute(
            "INSERT INTO attempts (name, count) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET count = count + 1",
            (name,),
        )
        (attempt,) = db.execute("SELECT count FROM attempts WHERE name = ?", (name,)).fetchone()
    if attempt <= failures:
        raise PartnerUnavailable(f"partner API did not answer (attempt {attempt})")
    return int(attempt)
