"""Redis goes away under the served API and comes back: the API keeps answering, and recovers.

One gunicorn worker of 24 threads (``shared.serve.served``, the command ``make todo`` runs,
gthread as everywhere the API is deployed) on an SQLite file and a redis-server of the test's
own, which the test stops and starts again on the same port. While Redis is away every read and
write still answers 2xx with the right todos (the list cache steps aside, the rate limit counts
in the process), ``/readyz`` is a 503 naming Redis, the job endpoints a 503 with
``Retry-After``, and the log says each of the cache and the limiter is off once, with no 500
and no traceback. When Redis is back, nobody restarts anything: ``/readyz`` turns 200, the list is
served from Redis again (Redis's own hit and miss counters show it) and the write budget is
counted in Redis again.

One worker, so "once" means once: each process says it once, and 2 workers say it twice.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from projects.todo_api.limits import FALLBACK_LINE, KEY_PREFIX
from projects.todo_api.tests.test_cache import RedisServer
from shared.serve import Served, served

pytestmark = pytest.mark.timeout(90)

APP = "projects.todo_api:create_app()"
#: The list cache's one line when Redis goes away (see cache.ListCache._went_down).
CACHE_OFF = "todo list cache off, Redis unreachable"
CACHE_ON = "todo list cache back on, Redis answers again"
#: How long recovery may take: the limiter looks at Redis again 1, 2, 4 … seconds apart.
RECOVERY_TIMEOUT = 20.0
#: The only 5xx the API answers on purpose, and only while Redis is away.
DOCUMENTED_503 = {"/readyz", "/todos/purge"}


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def api(own_redis: RedisServer, tmp_path: Path) -> Iterator[Served]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TODO_", "PROMETHEUS_"))},
        "TODO_DATABASE_URL": f"sqlite:///{tmp_path / 'todo.db'}",
        "TODO_REDIS_URL": own_redis.url,
        "TODO_WRITE_RATE_LIMIT": "1000 per minute",
    }
    with served(
        APP, env=env, workers=1, threads=24, ready_path="/healthz", access_log=False
    ) as server:
        yield server


class Http:
    """A client of the served API that keeps every answer, to check none was a 500."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.trust_env = False  # straight to 127.0.0.1, whatever http_proxy says
        self.answers: list[tuple[str, str, int]] = []

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.session.request(method, self.base + path, timeout=5, **kwargs)
        self.answers.append((method, path, response.status_code))
        return response

    def titles(self) -> list[str]:
        response = self("GET", "/todos")
        assert response.status_code == 200, response.text
        return [todo["title"] for todo in response.json()]

    def create(self, title: str) -> dict[str, Any]:
        response = self("POST", "/todos", json={"title": title})
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


def path_of(todo: dict[str, Any]) -> str:
    return "/todos/" + str(todo["url"]).rsplit("/", 1)[-1]


def redis_stats(admin: redis.Redis) -> tuple[int, int]:
    """Redis's own (keyspace_hits, keyspace_misses) since it started."""
    stats = admin.info("stats")
    return int(stats["keyspace_hits"]), int(stats["keyspace_misses"])


def limit_keys(admin: redis.Redis) -> list[bytes]:
    return admin.keys(f"LIMITS:LIMITER/{KEY_PREFIX}/*")


def a_second_get_is_served_by_redis(http: Http, admin: redis.Redis) -> bool:
    """GET /todos twice: whether the second read missed nothing in Redis and looked a key up."""
    first = http("GET", "/todos").json()
    hits, misses = redis_stats(admin)
    second = http("GET", "/todos").json()
    after_hits, after_misses = redis_stats(admin)
    assert second == first
    return after_misses == misses and after_hits > hits


def eventually(check: Callable[[], bool], what: str, timeout: float = RECOVERY_TIMEOUT) -> float:
    """Call ``check`` until it is true; return how long that took, or fail naming ``what``."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout:g}s"
        time.sleep(0.1)
    return time.monotonic() - started


def log_records(output: str) -> list[dict[str, Any]]:
    """The JSON lines of the server's output (gunicorn's own lines are plain text)."""
    records = []
    for line in output.splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    return records


def test_the_api_serves_through_a_redis_outage_and_recovers_without_a_restart(
    api: Served, own_redis: RedisServer
) -> None:
    http = Http(api.url)
    admin = redis.Redis.from_url(own_redis.url, socket_timeout=1)
    try:
        # --- Redis up: reads, writes, readiness, the cache and the limits all on Redis ---
        walk = http.create("walk the dog")
        assert http.titles() == ["walk the dog"]
        assert a_second_get_is_served_by_redis(http, admin)
        assert limit_keys(admin), "the write budget is counted in Redis"
        ready = http("GET", "/readyz")
        assert (ready.status_code, ready.json()["checks"]["redis"]) == (200, "ok")
        purge = http("POST", "/todos/purge", json={"older_than_days": 30})
        assert purge.status_code == 202, purge.text

        # --- Redis away: every todo operation still 2xx and right --------------------------
        own_redis.stop()
        shop = http.create("shop")
        assert http.titles() == ["walk the dog", "shop"]
        patched = http("PATCH", path_of(walk), json={"completed": True})
        assert (patched.status_code, patched.json()["completed"]) == (200, True)
        assert http("DELETE", path_of(shop)).status_code == 204
        assert http.titles() == ["walk the dog"]
        assert http("GET", path_of(walk)).json()["completed"] is True
        assert http("DELETE", "/todos").status_code == 204
        assert http.titles() == []
        http.create("cook")
        assert http.titles() == ["cook"]

        ready = http("GET", "/readyz")
        assert ready.status_code == 503
        checks = ready.json()["checks"]
        assert (checks["database"], checks["migrations"]) == ("ok", "ok")
        assert checks["redis"].startswith("unreachable: "), checks
        assert http("GET", "/healthz").status_code == 200
        purge = http("POST", "/todos/purge", json={"older_than_days": 30})
        assert purge.status_code == 503, purge.text
        assert purge.headers["Content-Type"] == "application/problem+json"
        assert purge.headers["Retry-After"].isdigit()

        # --- Redis back on the same port, empty: the API finds it by itself ----------------
        own_redis.start()
        eventually(lambda: http("GET", "/readyz").status_code == 200, "readyz back to 200")
        eventually(lambda: a_second_get_is_served_by_redis(http, admin), "cache hits again")
        assert http.titles() == ["cook"]

        def counted_in_redis() -> bool:
            http.create("counted?")
            return bool(limit_keys(admin))

        eventually(counted_in_redis, "the write budget counted in Redis again")
        (key,) = limit_keys(admin)
        before = admin.llen(key)
        remaining = [
            int(http("POST", "/todos", json={"title": f"t{n}"}).headers["X-RateLimit-Remaining"])
            for n in range(3)
        ]
        assert admin.llen(key) == before + 3
        assert remaining == [remaining[0], remaining[0] - 1, remaining[0] - 2]
        purge = http("POST", "/todos/purge", json={"older_than_days": 30})
        assert purge.status_code in (200, 202), purge.text
    finally:
        admin.close()

    # --- what the server said about it, and that nothing was a 500 ---------------------------
    output = api.output()
    records = log_records(output)
    said = [r["message"] for r in records if r.get("level") in ("WARNING", "ERROR")]
    assert sum(m.startswith(CACHE_OFF) for m in said) == 1, said
    assert said.count(FALLBACK_LINE) == 1, said
    # Whatever else uses Redis (the job queue, live updates) says so once too, not per request.
    assert len(said) == len(set(said)), said
    assert [r["message"] for r in records].count(CACHE_ON) == 1
    assert "Traceback" not in output, output[-3000:]
    server_errors = [
        (r["method"], r["path"], r["status"])
        for r in records
        if r.get("status", 0) >= 500 and not (r["status"] == 503 and r["path"] in DOCUMENTED_503)
    ]
    assert server_errors == []
    assert all(status < 500 or path in DOCUMENTED_503 for _, path, status in http.answers)
