"""How request bodies become view arguments, with every refusal as an RFC 9457 problem detail.

flask-smorest parses with webargs; this parser adds what an API here promises about input: a body
that is present must be ``application/json`` (415), valid JSON (400) and an object (422), and
a field error is a 422 whose ``errors`` name each field and whose ``detail`` says what to fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

import flask_smorest
import marshmallow as ma
from flask import Request
from marshmallow import fields
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from shared.errors import PROBLEM_JSON, ApiError, BadRequest, Unprocessable


def body_errors(max_body_variable: str) -> dict[int, str]:
    """What a view taking a JSON body can answer before it runs, besides a bad field's 422."""
    return {
        400: "The body is not valid JSON",
        413: f"The body is larger than {max_body_variable}",
        415: "The body is not application/json",
        422: "A field is missing, unknown or of the wrong type",
    }


class ProblemResponse(ma.Schema):
    """An RFC 9457 problem: what went wrong, and (``errors``) which field and why."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Content"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"example": "title: must be a string"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ProblemParser(FlaskParser):
    """webargs' Flask parser with strict JSON bodies and problem-detail errors.

    ``example`` is a body shown in the error for a body that is not an object.
    """

    def __init__(self, example: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.example = example

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        raw = req.get_data(cache=True)  # over MAX_CONTENT_LENGTH this raises 413
        if not raw.strip():
            return core.missing
        if not is_json_request(req):
            raise ApiError(
                f"Content-Type must be application/json, got {req.mimetype or 'none'!r}; "
                "send the body as JSON with that header",
                status=415,
                title="Unsupported Media Type",
            )
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError) as error:
            if isinstance(error, json.JSONDecodeError):
                reason = error.msg
            elif isinstance(error, UnicodeDecodeError):
                reason = f"byte {error.start} is not UTF-8; send the body encoded as UTF-8"
            else:
                reason = "nested too deeply"
            raise BadRequest(f"request body is not valid JSON: {reason}") from None
        if not isinstance(payload, dict):
            raise Unprocessable(
                f"the body must be a JSON object, got a JSON {type(payload).__name__}; "
                f"send e.g. {self.example}",
                errors={"body": ["must be a JSON object"]},
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
        errors = field_errors(error.messages)
        detail = "; ".join(f"{field}: {', '.join(texts)}" for field, texts in errors.items())
        raise Unprocessable(detail, errors=errors)


def field_errors(messages: Any) -> dict[str, list[str]]:
    """Flatten webargs' ``{"json": {"title": [...]}}`` to ``{"title": [...]}``."""
    errors: dict[str, list[str]] = {}
    for location_errors in as_mapping(messages).values():
        for field, value in as_mapping(location_errors).items():
            name = "body" if field == "_schema" else str(field)
            errors.setdefault(name, []).extend(message_strings(value))
    return {field: list(dict.fromkeys(texts)) for field, texts in errors.items()}


def as_mapping(value: Any) -> Mapping[Any, Any]:
    """``value`` if it is a mapping of fields, else ``{"_schema": value}`` (a whole-body error)."""
    return value if isinstance(value, Mapping) else {"_schema": value}


def message_strings(value: Any) -> Iterator[str]:
    """Every message string in marshmallow's nested errors, in order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from message_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from message_strings(item)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, parsing with :class:`ProblemParser` and documenting its errors.

    An API subclasses it with its own parser and body errors::

        class Blueprint(shared.problems.Blueprint):
            ARGUMENTS_PARSER = ProblemParser(example='{"title": "buy milk"}')
            BODY_ERRORS = body_errors("TODO_MAX_BODY_BYTES")
    """

    ARGUMENTS_PARSER = ProblemParser(example="{}")
    BODY_ERRORS = body_errors("the largest body the API accepts")

    def problem_response(self, status: int, description: str) -> Any:
        """Document an error answer as what it is: ``application/problem+json``."""
        return self.alt_response(
            status, schema=ProblemResponse, description=description, content_type=PROBLEM_JSON
        )

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        parse = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return parse

        def decorator(view: Any) -> Any:
            view = parse(view)
            for status, description in self.BODY_ERRORS.items():
                view = self.problem_response(status, description)(view)
            return view

        return decorator
