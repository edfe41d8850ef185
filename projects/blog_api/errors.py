"""Errors in the RealWorld shape: ``{"errors": {"field": ["message", …]}}``.

Field errors (422) name the field; every other error puts its message under ``body``, the key
the spec's ``GenericErrorModel`` requires. Everything goes through shared.errors, so unknown
routes, wrong methods, oversized bodies and unexpected exceptions come out the same way.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify
from flask_limiter.errors import RateLimitExceeded

from shared.errors import ApiError, register_error_handlers


def realworld_error(error: ApiError) -> Response:
    """Render ``error`` as ``{"errors": {...}}`` with its status."""
    errors = error.errors or {"body": [error.detail or error.title]}
    response = jsonify({"errors": errors})
    response.status_code = error.status
    return response


def register_blog_errors(app: Flask) -> None:
    """Render every error ``app`` raises in the RealWorld shape (429s included)."""
    register_error_handlers(app, realworld_error)

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(exc: RateLimitExceeded) -> Response:
        # flask-limiter adds Retry-After (and X-RateLimit-*) to this response afterwards.
        return realworld_error(
            ApiError(
                f"too many requests (limit: {exc.description}); retry after the delay in "
                "the Retry-After header",
                status=429,
            )
        )
