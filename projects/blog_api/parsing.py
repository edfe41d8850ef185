"""How request bodies and query strings become arguments for the views.

flask-smorest parses with webargs; this parser adds what the API promises about input: a body
that is present must be JSON (415 otherwise), valid (400) and an object (422), and every
validation error comes back as RealWorld's ``{"errors": {"field": ["message"]}}`` with 422.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

import flask_smorest
import marshmallow as ma
from flask import Request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from projects.blog_api.schemas import ErrorResponse
from shared.errors import ApiError, BadRequest, Unprocessable
from shared.problems import as_mapping, message_strings

#: Top-level keys that wrap a resource ({"user": {...}}); their fields are reported bare.
ENVELOPES = frozenset({"user", "article", "comment"})


class RealWorldParser(FlaskParser):
    """webargs' Flask parser with strict JSON bodies and RealWorld-shaped errors."""

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        raw = req.get_data(cache=True)  # over MAX_CONTENT_LENGTH this raises 413
        if not raw.strip():
            return core.missing
        if not is_json_request(req):
            raise ApiError(
                f"Content-Type must be application/json, got {req.mimetype or 'none'!r}",
                status=415,
                title="Unsupported Media Type",
            )
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError) as error:
            reason = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
            raise BadRequest(f"request body is not valid JSON: {reason}") from None
        if not isinstance(payload, dict):
            raise Unprocessable(
                "body must be a JSON object", errors={"body": ["must be a JSON object"]}
            )
        return payload

    def handle_error(
        self,
        error: ma.ValidationError,
        req: Request,
        schema: ma.Schema,
        *,
        error_status_code: int | None,
        error_headers: Mapping[str, str] | None,
    ) -> NoReturn:
        raise Unprocessable("invalid input", errors=field_errors(error.messages))


def field_errors(messages: Any) -> dict[str, list[str]]:
    """Flatten webargs' ``{"json": {"user": {"email": [...]}}}`` to ``{"email": [...]}``."""
    errors: dict[str, list[str]] = {}
    for location_errors in as_mapping(messages).values():
        for field, value in as_mapping(location_errors).items():
            if field in ENVELOPES and isinstance(value, Mapping):
                for inner, inner_value in value.items():
                    name = field if inner == "_schema" else str(inner)
                    errors.setdefault(name, []).extend(message_strings(inner_value))
            else:
                name = "body" if field == "_schema" else str(field)
                errors.setdefault(name, []).extend(message_strings(value))
    return {field: list(dict.fromkeys(texts)) for field, texts in errors.items()}


URI_TOO_LONG = "The URL is longer than the server accepts (gunicorn: 4094 bytes)"
#: What a view taking a JSON body can answer before it runs, besides the 422 of a bad field.
BODY_ERRORS = {
    400: "The body is not valid JSON",
    413: "The body is larger than BLOG_MAX_BODY_BYTES",
    415: "The body is not application/json",
}


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, parsing with :class:`RealWorldParser`.

    Views that take a JSON body also document the errors the parser answers for it, and views
    that read a query string the 414 of a URL too long to reach them.
    """

    ARGUMENTS_PARSER = RealWorldParser()

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        parse = super().arguments(schema, location=location, **kwargs)
        if location == "query":
            # The server in front (gunicorn) answers this, in plain text, before the app runs.
            return lambda view: self.alt_response(414, description=URI_TOO_LONG)(parse(view))
        if location != "json":
            return parse

        def decorator(view: Any) -> Any:
            view = parse(view)
            for status, description in BODY_ERRORS.items():
                view = self.alt_response(status, schema=ErrorResponse, description=description)(
                    view
                )
            return view

        return decorator
