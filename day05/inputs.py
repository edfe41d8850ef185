"""Turning a request into validated data, or into the problem that says what to send instead.

400: the body cannot be read as a JSON object. 415: it is not declared as JSON.
422: it is a JSON object, but its fields break the schema (``errors`` lists them per field).
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError

from shared.errors import ApiError, BadRequest, Unprocessable


class UnsupportedMediaType(ApiError):
    status, title = 415, "Unsupported Media Type"


def read_json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a 415/400 problem."""
    if not request.is_json:
        sent = request.mimetype or "no Content-Type"
        raise UnsupportedMediaType(
            f"expected Content-Type: application/json, got {sent}; send the body as JSON"
        )
    raw = request.get_data()
    if not raw.strip():
        raise BadRequest("the body is empty; send a JSON object")
    try:
        body = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except NumberOutOfRange as error:
        raise BadRequest(f"{error}; send numbers between -1.7e308 and 1.7e308") from None
    except ValueError as error:
        raise BadRequest(f"the body is not valid JSON ({error}); send a JSON object") from None
    if not isinstance(body, dict):
        raise BadRequest(f"the body must be a JSON object, not {_json_kind(body)}")
    return body


def load_body(schema: Schema, *, partial: bool = False) -> dict[str, Any]:
    """The JSON body validated by ``schema`` (``partial``: only the fields sent, as in PATCH)."""
    return validate_or_422(schema, read_json_object(), partial=partial, where="body")


def load_query(schema: Schema) -> dict[str, Any]:
    """The query string validated by ``schema``."""
    return validate_or_422(schema, request.args, partial=False, where="query string")


def validate_or_422(schema: Schema, data: Any, *, partial: bool, where: str) -> dict[str, Any]:
    """``schema.load(data)``, turning marshmallow's errors into a 422 with per-field ``errors``."""
    # practice 3: load the data with the schema, or raise a 422 that names every bad field
    # hint: catch marshmallow's ValidationError; normalized_messages() maps each field to its
    # hint: messages: name them, sorted, in the detail and pass them on as errors=.
    try:
        return schema.load(data, partial=partial)
    except ValidationError as error:
        messages = error.normalized_messages()
        names = ", ".join(sorted(messages))
        raise Unprocessable(
            f"the {where} has invalid fields ({names}); see errors for each one",
            errors=messages,
        ) from None
    # end practice 3


class NumberOutOfRange(ValueError):
    """A JSON number too large for a float: Python would read it as infinity."""


def _reject_constant(name: str) -> None:
    # Python's json module accepts NaN and Infinity, which are not JSON.
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    # 1e400 is valid JSON, but float() makes it infinity, which cannot be sent back as JSON.
    number = float(text)
    if not math.isfinite(number):
        raise NumberOutOfRange(f"the number {text} is too large to hold as a 64-bit float")
    return number


def _json_kind(value: object) -> str:
    kinds = {
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }
    return kinds.get(type(value), "null")
