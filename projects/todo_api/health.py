"""``/healthz`` (the process answers) and ``/readyz`` (it can serve as configured).

An orchestrator restarts a process whose liveness fails and stops routing to one that is not
ready, so liveness never touches the database: a database outage must not restart every worker.

Readiness asks the database (``SELECT 1``), its schema (at this code's migration heads) and,
when the app has a Redis URL, Redis (``PING``). Redis down makes readiness 503, with the check
naming Redis: the API still answers every request (the list cache steps aside, the rate limits
count per process), but it is not serving as configured, and a monitor should say so. Every
replica shares the one Redis, so the deploy files route on ``/healthz``, not on this: a Redis
outage is reported, not turned into an outage of the whole API. Without a Redis URL the check
says ``not configured`` and passes. A Redis that accepts connections and then hangs costs
readiness at most :data:`REDIS_TIMEOUT` per socket operation: one try, no retries.
"""

from __future__ import annotations

from typing import Any

import redis
import sqlalchemy as sa
from alembic.migration import MigrationContext
from flask import current_app
from flask.views import MethodView
from redis.backoff import NoBackoff
from redis.retry import Retry

from projects.todo_api import schemas
from projects.todo_api.extensions import todo_state
from projects.todo_api.models import VERSION_TABLE
from projects.todo_api.parsing import Blueprint

blp = Blueprint("health", __name__, description="Liveness and readiness")

OK = "ok"
NOT_CONFIGURED = "not configured"
#: Check results that leave the app ready.
PASSING = frozenset({OK, NOT_CONFIGURED})
#: Seconds readiness waits for Redis to connect, and then to answer PING.
REDIS_TIMEOUT = 0.5
#: Where each app keeps its readiness client to Redis (one pool per app, not per request).
_CLIENT_KEY = "todo.readiness_redis"


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, schemas.CheckResponse)
    def get(self) -> dict[str, Any]:
        """The process is up (the database is not asked)."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, schemas.CheckResponse)
    @blp.alt_response(503, schema=schemas.CheckResponse, description="Not ready; see checks")
    def get(self) -> tuple[dict[str, Any], int]:
        """The database answers, its schema is at the latest migration, and Redis (when the app
        has a Redis URL) answers PING; else 503, with what is wrong in each check."""
        checks = readiness_checks()
        ready = all(result in PASSING for result in checks.values())
        return {"status": "ready" if ready else "not ready", "checks": checks}, (
            200 if ready else 503
        )


def readiness_checks() -> dict[str, str]:
    """``{"database": ..., "migrations": ..., "redis": ...}``, each ``"ok"`` or what is wrong
    (``"not configured"`` for Redis when there is no Redis URL)."""
    return {**database_checks(), "redis": redis_check()}


def database_checks() -> dict[str, str]:
    """``{"database": ..., "migrations": ...}``, each ``"ok"`` or what is wrong."""
    state = todo_state()
    checks = {"database": OK, "migrations": OK}
    try:
        with state.db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            current = frozenset(context.get_current_heads())
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        checks["database"] = f"unreachable: {reason}"
        checks["migrations"] = "unknown: the database is unreachable"
        return checks
    if current != state.migration_heads:
        at = ", ".join(sorted(current)) or "none"
        checks["migrations"] = (
            f"behind: at {at}, expected {', '.join(sorted(state.migration_heads))}; migrate "
            "(TODO_AUTO_MIGRATE=true on start)"
        )
    return checks


def redis_check() -> str:
    """``"ok"`` if the app's Redis answers PING, ``"not configured"`` without a Redis URL, else
    ``"unreachable: <reason>"``."""
    client = readiness_client()
    if client is None:
        return NOT_CONFIGURED
    try:
        client.ping()
    except redis.RedisError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"unreachable: {reason}"
    return OK


def readiness_client() -> redis.Redis | None:
    """This app's client for the Redis check, made on first use; None without a Redis URL."""
    url = todo_state().settings.redis_url
    if url is None:
        return None
    extensions = current_app.extensions
    if _CLIENT_KEY not in extensions:
        # Two threads may both get here; the loser's client is simply never used.
        extensions[_CLIENT_KEY] = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
            # redis-py retries 3 times with backoff by default: a hung Redis would hang readyz.
            retry=Retry(NoBackoff(), 0),
        )
    return extensions[_CLIENT_KEY]  # type: ignore[no-any-return]
