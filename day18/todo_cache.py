"""A todo list read through a Redis cache: cache-aside with a TTL, invalidation on every write,
one recompute per expiry (a SET NX PX lock with waiters), and hit/miss counters."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import redis
import sqlalchemy as sa
from sqlalchemy.engine import Engine

metadata = sa.MetaData()
todos = sa.Table(
    "day18_todos",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("done", sa.Boolean, nullable=False, default=False),
)

MAX_TITLE = 200
Todo = dict[str, Any]
Invalidation = Literal["version", "delete"]

# Delete the lock only if it is still ours: a holder that outlived its PX must not free another's.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class InvalidTodo(ValueError):
    """A todo that cannot be stored; the message says what is wrong and what is expected."""


def checked_title(title: object) -> str:
    """The title with surrounding spaces stripped: a non-empty string of at most 200 characters."""
    if not isinstance(title, str):
        raise InvalidTodo(f"title must be a string, got {type(title).__name__}")
    stripped = title.strip()
    if not stripped or len(stripped) > MAX_TITLE:
        raise InvalidTodo(
            f"title must be 1 to {MAX_TITLE} characters, got {len(stripped)}: {title[:20]!r}"
        )
    return stripped


class TodoStore:
    """The source of truth: the todo table. Every method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_table(self) -> None:
        metadata.create_all(self.engine)

    def list(self) -> list[Todo]:
        """Every todo, oldest first, in one SELECT."""
        query = sa.select(todos.c.id, todos.c.title, todos.c.done).order_by(todos.c.id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [{"id": row.id, "title": row.title, "done": bool(row.done)} for row in rows]

    def add(self, title: str) -> int:
        """Insert a todo (not done) and return its id; InvalidTodo for a bad title."""
        title = checked_title(title)
        with self.engine.begin() as connection:
            result = connection.execute(sa.insert(todos).values(title=title, done=False))
        return int(result.inserted_primary_key[0])

    def set_done(self, todo_id: int, done: bool = True) -> bool:
        """Mark a todo done (or not); False when there is no such todo."""
        update = sa.update(todos).where(todos.c.id == todo_id).values(done=done)
        with self.engine.begin() as connection:
            return connection.execute(update).rowcount == 1

    def delete(self, todo_id: int) -> bool:
        """Delete a todo; False when there is no such todo."""
        with self.engine.begin() as connection:
            return connection.execute(sa.delete(todos).where(todos.c.id == todo_id)).rowcount == 1


@dataclass(frozen=True)
class CacheStats:
    """Reads answered from Redis (hits) or not (misses), and how many went to the database."""

    hits: int
    misses: int
    loads: int
    waited: int

    @property
    def hit_ratio(self) -> float:
        reads = self.hits + self.misses
        return self.hits / reads if reads else 0.0


class CachedTodoList:
    """The todo list, cache-aside: read Redis first, on a miss load the table and store it.

    ``invalidation="version"`` (the default) keeps the list under ``NS:todos:vN`` and a write
    bumps N (INCR) after its commit, so a reader that loaded the old rows can only store them
    under a key nobody reads any more. ``"delete"`` keeps one key and deletes it after each
    write: simpler, and open to a slow reader putting stale rows back (the tests force it).

    On a miss, one reader takes ``NS:todos:vN:lock`` (SET NX PX) and loads; the others poll the
    key until the list appears, and read the table themselves only after ``wait_timeout``.
    ``after_load`` runs between the load and the SET; the tests use it to write in between.
    """

    def __init__(
        self,
        store: TodoStore,
        client: redis.Redis,
        *,
        namespace: str = "day18",
        ttl: float = 60.0,
        invalidation: Invalidation = "version",
        lock_ttl: float = 5.0,
        wait_timeout: float = 5.0,
        poll_interval: float = 0.01,
        after_load: Callable[[list[Todo]], None] | None = None,
    ) -> None:
        if ttl <= 0 or lock_ttl <= 0 or wait_timeout <= 0 or poll_interval <= 0:
            raise ValueError("ttl, lock_ttl, wait_timeout and poll_interval must be > 0 seconds")
        if invalidation not in ("version", "delete"):
            raise ValueError(f"invalidation must be 'version' or 'delete', got {invalidation!r}")
        self.store = store
        self.client = client
        self.namespace = namespace
        self.ttl_ms = int(ttl * 1000)
        self.invalidation = invalidation
        self.lock_ttl_ms = int(lock_ttl * 1000)
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        self.after_load = after_load
        self._release = client.register_script(_RELEASE)
        self._counts = {"hits": 0, "misses": 0, "loads": 0, "waited": 0}
        self._counts_lock = threading.Lock()

    # --- keys ---

    @property
    def generation_key(self) -> str:
        return f"{self.namespace}:todos:generation"

    def generation(self) -> int:
        """The current version of the list (0 before the first write); always 0 for "delete"."""
        if self.invalidation == "delete":
            return 0
        return int(self.client.get(self.generation_key) or 0)

    def data_key(self, generation: int) -> str:
        if self.invalidation == "delete":
            return f"{self.namespace}:todos:list"
        return f"{self.namespace}:todos:v{generation}"

    # --- reads ---

    def read(self) -> list[Todo]:
        """The list, from Redis when it is there, else loaded once and cached for the TTL."""
        return json.loads(self.read_json())

    def read_json(self) -> str:
        """The list as the JSON text that is cached: what an API would send as it is."""
        key = self.data_key(self.generation())
        cached = self.client.get(key)
        if cached is not None:
            self._count("hits")
            return cached
        self._count("misses")
        return self._recompute(key)

    def _recompute(self, key: str) -> str:
        # practice 1: on a miss, let one reader load the list while the others wait for it
        # hint: SET the lock NX PX with a token, release it in a finally; the others poll the key.
        lock_key, token = f"{key}:lock", uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_timeout
        waited = False
        while True:
            if self.client.set(lock_key, token, nx=True, px=self.lock_ttl_ms):
                try:
                    # Someone may have filled it between our miss and our lock.
                    cached = self.client.get(key)
                    if cached is not None:
                        return cached
                    return self._load_and_store(key)
                finally:
                    self._release(keys=[lock_key], args=[token])
            if not waited:
                waited = True
                self._count("waited")
            time.sleep(self.poll_interval)
            cached = self.client.get(key)
            if cached is not None:
                return cached
            if time.monotonic() > deadline:
                # The holder is stuck or gone: answer from the database rather than fail.
                self._count("loads")
                return json.dumps(self.store.list())
        # end practice 1

    def _load_and_store(self, key: str) -> str:
        rows = self.store.list()
        self._count("loads")
        if self.after_load is not None:
            self.after_load(rows)
        text = json.dumps(rows)
        self.client.set(key, text, px=self.ttl_ms)
        return text

    # --- writes: commit first, then invalidate ---

    def invalidate(self) -> None:
        """Make the next read load the table: bump the version, or delete the one key."""
        # practice 2: make the next read miss, by the invalidation this cache was built with
        # hint: "delete" removes its one key; "version" INCRs the generation key instead.
        if self.invalidation == "delete":
            self.client.delete(self.data_key(0))
        else:
            self.client.incr(self.generation_key)
        # end practice 2

    def add(self, title: str) -> int:
        todo_id = self.store.add(title)
        self.invalidate()
        return todo_id

    def set_done(self, todo_id: int, done: bool = True) -> bool:
        changed = self.store.set_done(todo_id, done)
        self.invalidate()
        return changed

    def delete(self, todo_id: int) -> bool:
        deleted = self.store.delete(todo_id)
        self.invalidate()
        return deleted

    # --- counters ---

    def _count(self, name: str) -> None:
        with self._counts_lock:
            self._counts[name] += 1

    def stats(self) -> CacheStats:
        with self._counts_lock:
            return CacheStats(**self._counts)
