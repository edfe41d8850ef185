"""The job endpoints: enqueue a purge or a reminder (202 and a ``Location``), and inspect jobs.

- ``POST /todos/purge`` ``{"older_than_days": 30}``: today's purge for that limit; 202 with the
  new job, or 200 with the same job when it was already asked for today.
- ``POST /todos/{id}/reminder`` ``{"in_seconds": 300}``: a reminder, due that many seconds
  from now; 404 for a todo that is not there. With an ``Idempotency-Key`` header, a retried
  request answers 200 with the reminder the first one scheduled.
- ``GET /jobs/{id}``: one job's status, result, retries left and last error.
- ``GET /jobs/failed``: the jobs out of retries, still in the failed registry.

The blueprint is registered only when the API has a Redis URL (without one there is no queue
to offer). With one that does not answer, each of these is a 503 problem with ``Retry-After``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import marshmallow as ma
from flask import request, url_for
from flask.views import MethodView
from marshmallow import fields

from projects.todo_api.jobs import JobQueue, describe, job_queue
from projects.todo_api.parsing import Blueprint
from projects.todo_api.schemas import StrictInteger
from projects.todo_api.todos import todo_or_404
from shared.errors import BadRequest, NotFound, ServiceUnavailable

blp = Blueprint("jobs", __name__, description="Background jobs, run by the worker")

PURGE_DAYS_MAX = 3650
REMINDER_SECONDS_MAX = 30 * 24 * 60 * 60
UNREACHABLE = "The job queue's Redis does not answer; see Retry-After"


def bounded(low: int, high: int, example: int) -> StrictInteger:
    """A required JSON whole number from ``low`` to ``high``."""
    number = StrictInteger(required=True, metadata={"example": example})
    number.validators.append(
        ma.validate.Range(low, high, error=f"must be from {low} to {high}, e.g. {example}")
    )
    return number


class _Body(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class PurgeRequest(_Body):
    """The body of ``POST /todos/purge``."""

    older_than_days = bounded(0, PURGE_DAYS_MAX, 30)


class ReminderRequest(_Body):
    """The body of ``POST /todos/{id}/reminder``."""

    in_seconds = bounded(1, REMINDER_SECONDS_MAX, 300)


class JobResponse(ma.Schema):
    """A job as the queue knows it."""

    id = fields.String(required=True, metadata={"example": "purge-2026-12-02-30d"})
    status = fields.String(
        required=True,
        metadata={"example": "queued", "description": "queued, scheduled, started, "
                  "finished, failed, stopped, canceled or deferred"},
    )  # fmt: skip
    description = fields.String(allow_none=True)
    enqueued_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    ended_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    retries_left = fields.Integer(allow_none=True)
    result = fields.Raw(allow_none=True, metadata={"description": "what the job returned"})
    error = fields.String(allow_none=True, metadata={"description": "its last error's line"})


IDEMPOTENCY_KEY_MAX = 255
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Any unique text of the client's (a UUID, say): the same key on a retry "
    "finds the first reminder",
    "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX},
}


def idempotency_key() -> str | None:
    """The request's ``Idempotency-Key``, None without one; a 400 problem if it is unusable."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii():
        raise BadRequest(
            f"the Idempotency-Key header must be 1 to {IDEMPOTENCY_KEY_MAX} ASCII characters, "
            "e.g. a UUID; send the same key when you retry the request"
        )
    return key


def queue_or_503() -> JobQueue:
    queue = job_queue()
    if queue is None:  # pragma: no cover - the blueprint is only registered with a queue
        raise ServiceUnavailable("no job queue: TODO_REDIS_URL is not set")
    return queue


#: A job's description, the status and the headers (``Location``).
Accepted = tuple[dict[str, Any], int, dict[str, str]]


def accepted(job: Any, status: int = 202) -> Accepted:
    """``job`` described, with its URL in ``Location``."""
    location = url_for("jobs.job", job_id=job.id, _external=True)
    return describe(job), status, {"Location": location}


@blp.route("/todos/purge")
class Purge(MethodView):
    @blp.arguments(PurgeRequest)
    @blp.response(202, JobResponse, description="The purge is queued; Location is its job")
    @blp.alt_response(200, schema=JobResponse, description="Today's purge was already asked for")
    @blp.problem_response(503, UNREACHABLE)
    def post(self, body: dict[str, int]) -> Accepted:
        """Delete, in the background, the todos completed more than ``older_than_days`` ago.

        One purge per day and limit: asking again the same (UTC) day returns the first job.
        """
        job, new = queue_or_503().enqueue_purge(body["older_than_days"], datetime.now(UTC))
        return accepted(job, 202 if new else 200)


@blp.route("/todos/<int:todo_id>/reminder")
class Reminder(MethodView):
    @blp.arguments(ReminderRequest)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    @blp.response(202, JobResponse, description="The reminder is scheduled; Location is its job")
    @blp.alt_response(
        200, schema=JobResponse, description="This Idempotency-Key already scheduled it"
    )
    @blp.problem_response(400, "The Idempotency-Key header is empty, too long or not ASCII")
    @blp.problem_response(404, "No todo has this id")
    @blp.problem_response(503, UNREACHABLE)
    def post(self, body: dict[str, int], todo_id: int) -> Accepted:
        """Remind of a todo ``in_seconds`` from now (its ``reminded_at`` is stamped then).

        With an ``Idempotency-Key`` header, repeating the request (a retry after a timeout)
        answers 200 with the reminder the first one scheduled instead of scheduling another.
        """
        key = idempotency_key()
        todo = todo_or_404(todo_id)
        delay = timedelta(seconds=body["in_seconds"])
        job, new = queue_or_503().schedule_reminder(todo.id, delay, key)
        return accepted(job, 202 if new else 200)


@blp.route("/jobs/failed")
class FailedJobs(MethodView):
    @blp.response(200, JobResponse(many=True))
    @blp.problem_response(503, UNREACHABLE)
    def get(self) -> list[dict[str, Any]]:
        """The jobs that failed after their last retry, oldest first."""
        return [describe(job) for job in queue_or_503().failed()]


@blp.route("/jobs/<job_id>", endpoint="job")
class JobItem(MethodView):
    @blp.response(200, JobResponse)
    @blp.problem_response(404, "No job of this queue has this id (or it expired)")
    @blp.problem_response(503, UNREACHABLE)
    def get(self, job_id: str) -> dict[str, Any]:
        """One job: its status, and its result or last error."""
        job = queue_or_503().fetch(job_id)
        if job is None:
            raise NotFound(
                f"there is no job {job_id!r}; finished jobs are kept a day, failed ones a week"
            )
        return describe(job)
