"""One JSON error path for Flask apps.

Views raise :class:`ApiError` (or a subclass); one handler renders every error, including
Werkzeug's own (404 for an unknown route, 405, 413) and unexpected exceptions, which are
logged and answered as a bare 500 with no traceback. A database lock that could not be had
in time (SQLite's busy timeout, a MySQL or PostgreSQL lock wait or deadlock) is a 503 with
``Retry-After``: the transaction was rolled back, and trying again shortly is the remedy.
The default shape is RFC 9457 problem details; an app whose spec fixes another shape passes
its own renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from shared.db import is_database_busy

PROBLEM_JSON = "application/problem+json"
#: Seconds a client is asked to wait after a 503 for a busy database.
BUSY_RETRY_AFTER = 1


class ApiError(Exception):
    """An error meant for the client: a status, a short title and a detail saying what to fix."""

    status = 400
    title = "Bad Request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        status: int | None = None,
        title: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.status = status or self.status
        self.title = title or self.title
        self.detail = detail
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})


class BadRequest(ApiError):
    status, title = 400, "Bad Request"


class Unauthorized(ApiError):
    status, title = 401, "Unauthorized"


class Forbidden(ApiError):
    status, title = 403, "Forbidden"


class NotFound(ApiError):
    status, title = 404, "Not Found"


class Conflict(ApiError):
    status, title = 409, "Conflict"


class ServiceUnavailable(ApiError):
    status, title = 503, "Service Unavailable"


class Unprocessable(ApiError):
    """Input that parses but breaks a rule; ``errors`` maps each field to its messages."""

    status, title = 422, "Unprocessable Content"


Renderer = Callable[[ApiError], Response]


def problem_details(error: ApiError) -> Response:
    """Render ``error`` as RFC 9457 ``application/problem+json``."""
    body: dict[str, Any] = {"type": "about:blank", "title": error.title, "status": error.status}
    if error.detail:
        body["detail"] = error.detail
    if error.errors:
        body["errors"] = error.errors
    response = jsonify(body)
    response.status_code = error.status
    response.mimetype = PROBLEM_JSON
    return response


def from_http_exception(exc: HTTPException) -> ApiError:
    """Werkzeug's exceptions (unknown route, wrong method, body too large) as ApiErrors."""
    status = exc.code or 500
    headers = dict(exc.get_headers()) if status == 405 else {}
    headers.pop("Content-Type", None)
    return ApiError(exc.description, status=status, title=exc.name, headers=headers)


def register_error_handlers(app: Flask, renderer: Renderer = problem_details) -> None:
    """Route every error raised in ``app`` through ``renderer``."""

    def render(error: ApiError) -> Response:
        response = renderer(error)
        response.headers.update(error.headers)
        return response

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> Response:
        return render(error)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException) -> Response:
        return render(from_http_exception(exc))

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error", exc_info=exc)
        return render(
            ApiError("Something went wrong on our side.", status=500, title="Internal Server Error")
        )

    @app.errorhandler(sa.exc.OperationalError)
    def handle_database_error(exc: sa.exc.OperationalError) -> Response:
        if not is_database_busy(exc):
            return handle_unexpected(exc)
        app.logger.warning("database busy, answered 503: %s", exc.orig)
        return render(
            ServiceUnavailable(
                "the database is busy with other writes; retry after the delay in the "
                "Retry-After header",
                headers={"Retry-After": str(BUSY_RETRY_AFTER)},
            )
        )
