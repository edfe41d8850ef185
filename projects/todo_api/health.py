"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database up, schema current).

An orchestrator restarts a process whose liveness fails and stops routing to one that is not
ready, so liveness never touches the database: a database outage must not restart every worker.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from flask.views import MethodView

from projects.todo_api import schemas
from projects.todo_api.extensions import todo_state
from projects.todo_api.models import VERSION_TABLE
from projects.todo_api.parsing import Blueprint

blp = Blueprint("health", __name__, description="Liveness and readiness")


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
        """The database answers and its schema is at the latest migration."""
        checks = readiness_checks()
        ready = all(result == "ok" for result in checks.values())
        return {"status": "ready" if ready else "not ready", "checks": checks}, (
            200 if ready else 503
        )


def readiness_checks() -> dict[str, str]:
    """``{"database": ..., "migrations": ...}``, each ``"ok"`` or what is wrong."""
    state = todo_state()
    checks = {"database": "ok", "migrations": "ok"}
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
