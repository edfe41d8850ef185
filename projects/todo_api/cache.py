"""The Redis cache of ``GET /todos``: cache-aside of the JSON body, as day 18 built it.

The body is kept under ``todo:list:v{N}:{variant}``, where N is the list's version and the
variant says which scheme, host and prefix the todo urls in it were written for. Every write
bumps N (INCR) after its commit, so a reader that loaded the old rows can only store them
under a key nobody reads any more, and a write through one process is seen by all of them.

Next to each body, ``todo:list:stamp:{variant}`` says ``N:stamp``: which version was stored
last, with a random stamp. Each process keeps the last body it stored or read per variant with
its stamp, so a hit is one MGET of the version and the stamp, a few bytes, and the body crosses
the network only when Redis holds a copy this process has not seen. The copy is served only
while the stamp names the current version and that very copy: a write, an expiry or a
restarted, empty Redis (whose counter starts again at 0, but never with the same stamp) all
make the next read fetch or load again.

On a miss one reader takes a SET NX PX lock and loads; the others poll the key briefly and read
the database themselves if it does not appear. When Redis is unreachable the cache steps
aside: the database answers, one warning is logged, Redis is tried again at most once per
``retry_after`` seconds (so a Redis that hangs does not slow every request), and the first
request that reaches it puts the cache back (with one more version bump if a write happened
meanwhile).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis

log = logging.getLogger(__name__)

#: Seconds a Redis call may take before the database answers instead.
SOCKET_TIMEOUT = 0.5

# Delete the lock only if it is still ours: a holder that outlived its PX must not free another's.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# Store a body and point the variant's stamp at it, unless the stamp already names a newer
# version (a slow loader of an old version must not send readers of the new one the long way).
_STORE = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
local current = redis.call('GET', KEYS[2])
if current and tonumber(string.match(current, '^%d+')) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2] .. ':' .. ARGV[3], 'PX', ARGV[4])
return 1
"""
#: Variants whose last body a process keeps; the Host header is the client's to choose.
LOCAL_COPIES = 16


def _digest(variant: str) -> str:
    return hashlib.sha256(variant.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CacheStats:
    """Reads answered from Redis (hits) or not (misses); ``loads`` went to the database,
    ``waited`` polled another reader's lock, ``bypassed`` found Redis unreachable."""

    hits: int
    misses: int
    loads: int
    waited: int
    bypassed: int


class ListCache:
    """The cached list body, with a version key bumped on every write.

    ``before_store`` runs between a load and its SET; tests use it to hold the loader until
    the other readers are waiting. ``clock`` (monotonic seconds) times ``retry_after``.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl: float,
        namespace: str = "todo:list",
        lock_ttl: float = 5.0,
        wait_timeout: float = 2.0,
        poll_interval: float = 0.01,
        retry_after: float = 1.0,
        before_store: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_count: Callable[[str], None] | None = None,
    ) -> None:
        if ttl <= 0 or lock_ttl <= 0 or wait_timeout <= 0 or poll_interval <= 0:
            raise ValueError("ttl, lock_ttl, wait_timeout and poll_interval must be > 0 seconds")
        self.client = client
        self.namespace = namespace
        self.ttl_ms = int(ttl * 1000)
        self.lock_ttl_ms = int(lock_ttl * 1000)
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        self.retry_after = retry_after
        self.before_store = before_store
        self.clock = clock
        #: Told each counter's name as it goes up (the app's metrics count them across processes).
        self.on_count = on_count
        self._release = client.register_script(_RELEASE)
        self._store_script = client.register_script(_STORE)
        #: variant -> (stamp, body): the last body this process stored or read for it.
        self._copies: dict[str, tuple[str, str]] = {}
        self._counts = dict.fromkeys(("hits", "misses", "loads", "waited", "bypassed"), 0)
        self._lock = threading.Lock()
        self._down = False
        self._down_at = 0.0
        self._missed_bump = False

    @classmethod
    def from_url(cls, url: str, *, ttl: float, **kwargs: Any) -> ListCache:
        """A cache on the Redis at ``url``, with short timeouts and no retries, so a Redis
        that is gone costs a request a fraction of a second rather than hangs it."""
        client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=SOCKET_TIMEOUT,
            socket_timeout=SOCKET_TIMEOUT,
            retry_on_timeout=False,
            retry=None,
        )
        return cls(client, ttl=ttl, **kwargs)

    @property
    def version_key(self) -> str:
        return f"{self.namespace}:version"

    def data_key(self, version: int, variant: str) -> str:
        return f"{self.namespace}:v{version}:{_digest(variant)}"

    def stamp_key(self, variant: str) -> str:
        return f"{self.namespace}:stamp:{_digest(variant)}"

    # --- reads ---

    def read(self, variant: str, load: Callable[[], str]) -> str:
        """The body for ``variant`` from Redis, else ``load()`` once and cached for the TTL.
        Without Redis, ``load()`` every time."""
        if self._resting():
            self._count("bypassed")
            return self._load(load)
        try:
            self._catch_up()
            version, cached = self._fetch(variant)
        except redis.RedisError as error:
            return self._bypass(error, load)
        if cached is not None:
            self._up()
            self._count("hits")
            return cached
        self._up()
        self._count("misses")
        try:
            return self._recompute(version, variant, load)
        except redis.RedisError as error:
            return self._bypass(error, load)

    def _fetch(self, variant: str) -> tuple[int, str | None]:
        """The current version and the body stored for it (None if there is none): this
        process's copy when the stamp says Redis holds that very one, else Redis's."""
        raw_version, pointer = self.client.mget(self.version_key, self.stamp_key(variant))
        version = int(raw_version or 0)
        stamp = None
        if pointer is not None:
            stored, _, stamp = pointer.partition(":")
            copy = self._copies.get(variant)
            if stored != str(version):
                stamp = None
            elif copy is not None and copy[0] == stamp:
                return version, copy[1]
        body = self.client.get(self.data_key(version, variant))
        if body is not None and stamp is not None:
            self._keep(variant, stamp, body)
        return version, body

    def _keep(self, variant: str, stamp: str, body: str) -> None:
        with self._lock:
            self._copies.pop(variant, None)
            if len(self._copies) >= LOCAL_COPIES:
                self._copies.pop(next(iter(self._copies)))
            self._copies[variant] = (stamp, body)

    def _store(self, version: int, variant: str, body: str) -> None:
        stamp = uuid.uuid4().hex
        self._store_script(
            keys=[self.data_key(version, variant), self.stamp_key(variant)],
            args=[body, version, stamp, self.ttl_ms],
        )
        self._keep(variant, stamp, body)

    def _recompute(self, version: int, variant: str, load: Callable[[], str]) -> str:
        key = self.data_key(version, variant)
        lock_key, token = f"{key}:lock", uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_timeout
        waited = False
        while True:
            if self.client.set(lock_key, token, nx=True, px=self.lock_ttl_ms):
                try:
                    # Another reader may have filled it between our miss and our lock.
                    cached = self.client.get(key)
                    if cached is not None:
                        return cached
                    body = self._load(load)
                    if self.before_store is not None:
                        self.before_store()
                    self._store(version, variant, body)
                    return body
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
                # The holder is slow or gone: answer from the database rather than wait on.
                return self._load(load)

    def _load(self, load: Callable[[], str]) -> str:
        self._count("loads")
        return load()

    # --- writes: the caller commits first, then invalidates ---

    def invalidate(self) -> None:
        """Make every process's next read load the list again (call after the commit)."""
        if self._resting():
            self._missed_bump = True
            return
        try:
            self.client.incr(self.version_key)
        except redis.RedisError as error:
            # Redis may come back with the old list in it: bump as soon as it answers.
            self._missed_bump = True
            self._went_down(error)
            return
        self._up()

    def _catch_up(self) -> None:
        if self._missed_bump:
            self.client.incr(self.version_key)
            self._missed_bump = False

    # --- Redis going away and coming back, logged once each way ---

    def _bypass(self, error: redis.RedisError, load: Callable[[], str]) -> str:
        self._went_down(error)
        self._count("bypassed")
        return self._load(load)

    def _resting(self) -> bool:
        """Whether Redis failed less than ``retry_after`` seconds ago (so is not tried now)."""
        return self._down and self.clock() - self._down_at < self.retry_after

    def _went_down(self, error: redis.RedisError) -> None:
        with self._lock:
            self._down_at = self.clock()
            if self._down:
                return
            self._down = True
        log.warning("todo list cache off, Redis unreachable (%s); reading the database", error)

    def _up(self) -> None:
        if not self._down:
            return
        with self._lock:
            if not self._down:
                return
            self._down = False
        log.info("todo list cache back on, Redis answers again")

    # --- counters ---

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1
        if self.on_count is not None:
            self.on_count(name)

    def stats(self) -> CacheStats:
        """The counters so far."""
        with self._lock:
            return CacheStats(**self._counts)

    def reset_stats(self) -> None:
        with self._lock:
            self._counts = dict.fromkeys(self._counts, 0)
