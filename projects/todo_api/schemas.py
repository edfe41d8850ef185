"""Request and response schemas (marshmallow), read by flask-smorest to parse, shape and document.

Input is strict: JSON types are not coerced (``"yes"`` or ``1`` is no boolean, ``"3"`` no order),
unknown fields are refused rather than dropped, and a title must be storable text. One schema
(:class:`TodoResponse`) both shapes and documents every todo the API returns.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, url_for
from marshmallow import fields, validate, validates

# Re-exported: the API documents its errors with it.
from shared.problems import ProblemResponse as ProblemResponse

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
FIELDS = "title, completed and order"


class StrictBoolean(fields.Boolean):
    """A JSON ``true`` or ``false``, nothing that merely looks like one."""

    default_error_messages = {  # noqa: RUF012 (marshmallow merges this dict up the MRO)
        "invalid": "must be true or false (a JSON boolean), not a string or number",
        "null": "must be true or false, not null",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Integer):
    """A JSON whole number that fits a 32-bit column; ``true`` and ``"3"`` are refused."""

    default_error_messages = {  # noqa: RUF012
        "invalid": "must be a whole number (or null), e.g. 1",
    }

    def __init__(self, **kwargs: Any) -> None:
        limit = validate.Range(INT_MIN, INT_MAX, error=f"must be from {INT_MIN} to {INT_MAX}")
        super().__init__(strict=True, validate=limit, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


#: What the OpenAPI document says a title holds: something besides whitespace (JSON Schema
#: patterns search, so this reads "contains a non-space"). Its maxLength is the setting's.
TITLE_PATTERN = r"\S"


class Title(fields.String):
    """Text with something besides spaces in it, storable on every backend."""

    default_error_messages = {  # noqa: RUF012
        "invalid": "must be a string",
        "required": 'is required, e.g. {{"title": "buy milk"}}',
        "null": "must be a string, not null",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if not text.strip():
            raise ma.ValidationError("must not be blank")
        # PostgreSQL refuses NUL in text, and the drivers refuse lone surrogates.
        if "\x00" in text:
            raise ma.ValidationError("must not contain NUL characters")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ma.ValidationError("must be valid text (no unpaired surrogates)") from None
        return text


class _Input(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": f"unknown field; a todo has only {FIELDS}"}  # noqa: RUF012

    @validates("title")
    def _title_fits(self, value: str, **_kwargs: Any) -> None:
        limit: int = current_app.extensions["todo"].settings.title_max_length
        if len(value) > limit:
            raise ma.ValidationError(f"is too long ({len(value)} characters; at most {limit})")


class TodoCreate(_Input):
    """The body of ``POST /todos``: a title, and optionally ``completed`` and ``order``."""

    title = Title(required=True, metadata={"example": "buy milk", "pattern": TITLE_PATTERN})
    completed = StrictBoolean(load_default=False)
    order = StrictInteger(allow_none=True, load_default=None, metadata={"example": 1})


class TodoUpdate(_Input):
    """The body of ``PATCH /todos/{id}``: only the fields to change."""

    title = Title(metadata={"example": "buy oat milk", "pattern": TITLE_PATTERN})
    completed = StrictBoolean()
    order = StrictInteger(allow_none=True)


def todo_url(todo: Any) -> str:
    """The absolute URL of ``todo``: the public scheme, host and prefix of this request."""
    return url_for("todos.todo", todo_id=todo.id, _external=True)


class TodoResponse(ma.Schema):
    """A todo as the Todo-Backend spec has it, with the absolute ``url`` to fetch or change it."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    completed = fields.Boolean(required=True)
    order = fields.Integer(allow_none=True, required=True)
    url = fields.Function(todo_url, metadata={"format": "uri"}, required=True)


class CheckResponse(ma.Schema):
    """``/healthz`` and ``/readyz``: an overall status and, for readiness, each check."""

    status = fields.String(required=True, metadata={"example": "ok"})
    checks = fields.Dict(keys=fields.String(), values=fields.String())
