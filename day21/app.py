"""A small Flask API that hands slow work to RQ: a purge, a reminder, and a job's status.

- ``POST /todos/purge`` ``{"older_than_days": 30}``: enqueue today's purge. 202 with the job
  when it is new; 200 with the same job when it was already enqueued today.
- ``POST /todos/<id>/reminders`` ``{"in_seconds": 300}`` with an ``Idempotency-Key`` header:
  schedule a reminder. 202 when new; 200 with the first job when the key was used before.
- ``GET /jobs/<id>``: the job's status, result, retries left and, for a failure, its last line.

Errors are RFC 9457 problem details through :mod:`shared.errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from flask import Flask, current_app, request
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job

from day21 import background
from day21.jobs import create_schema
from shared.errors import BadRequest, NotFound, Unprocessable, register_error_handlers

QUEUE_NAME = "day21"
MAX_DAYS = 3650
MAX_DELAY = 24 * 60 * 60
MAX_KEY = 64


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """The API; ``REDIS_URL`` and ``DATABASE`` (an SQLite path) must be given in ``overrides``."""
    app = Flask(__name__)
    app.config.update(QUEUE=QUEUE_NAME, CLOCK=lambda: datetime.now(UTC))
    app.config.update(overrides or {})
    for name in ("REDIS_URL", "DATABASE"):
        if not app.config.get(name):
            raise ValueError(f"create_app needs {name}, e.g. create_app({{'{name}': ...}})")
    create_schema(app.config["DATABASE"])
    # RQ stores pickled arguments, so its connection must not decode responses.
    connection = redis.Redis.from_url(app.config["REDIS_URL"])
    app.extensions["day21.queue"] = Queue(app.config["QUEUE"], connection=connection)
    register_error_handlers(app)
    app.add_url_rule("/todos/purge", view_func=purge, methods=["POST"])
    app.add_url_rule("/todos/<int:todo_id>/reminders", view_func=remind, methods=["POST"])
    app.add_url_rule("/jobs/<job_id>", view_func=job_status, methods=["GET"])
    return app


def queue() -> Queue:
    return current_app.extensions["day21.queue"]


def clock() -> datetime:
    now: Callable[[], datetime] = current_app.config["CLOCK"]
    return now()


def whole_number(body: dict[str, Any], field: str, low: int, high: int) -> int:
    """``body[field]`` as an int from ``low`` to ``high``, or a 422 naming the field."""
    value = body.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Unprocessable(
            f"{field} must be a whole number from {low} to {high}, got {value!r}",
            errors={field: [f"a whole number from {low} to {high}"]},
        )
    return value


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest('send a JSON object, e.g. {"older_than_days": 30}')
    return body


def describe(job: Job) -> dict[str, Any]:
    """A job as the API shows it."""
    status = job.get_status(refresh=True)
    shown: dict[str, Any] = {
        "id": job.id,
        "status": status.value if status else None,
        "retries_left": job.retries_left,
    }
    result = job.latest_result()
    if result is not None and result.type == result.Type.SUCCESSFUL:
        shown["result"] = result.return_value
    elif result is not None and result.exc_string:
        shown["error"] = result.exc_string.strip().splitlines()[-1]
    return shown


def purge() -> tuple[dict[str, Any], int]:
    days = whole_number(json_body(), "older_than_days", 1, MAX_DAYS)
    job, new = background.enqueue_purge(queue(), current_app.config["DATABASE"], days, clock())
    return describe(job), 202 if new else 200


def remind(todo_id: int) -> tuple[dict[str, Any], int]:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > MAX_KEY or not key.replace("-", "").isalnum():
        raise BadRequest(
            f"send an Idempotency-Key header of 1 to {MAX_KEY} letters, digits or dashes "
            "(a UUID will do), so that a retried request schedules one reminder"
        )
    delay = whole_number(json_body(), "in_seconds", 1, MAX_DELAY)
    job, new = background.schedule_reminder(
        queue(), current_app.config["DATABASE"], key, todo_id, timedelta(seconds=delay)
    )
    return describe(job), 202 if new else 200


def job_status(job_id: str) -> dict[str, Any]:
    try:
        job = Job.fetch(job_id, connection=queue().connection)
    except NoSuchJobError:
        raise NotFound(f"no job {job_id!r}: it never existed or its result expired") from None
    return describe(job)
