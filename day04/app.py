"""A small JSON API: ``GET /health``, ``POST /echo`` and ``GET /time``, built by a factory.

Every error, Flask's own included (unknown route, wrong method, body too large), leaves as
RFC 9457 problem details through ``shared.errors``, so a client only ever parses one shape.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from shared.errors import ApiError, BadRequest, register_error_handlers

DEFAULTS: dict[str, Any] = {
    # Time zone of GET /time when the request names none.
    "DEFAULT_TIMEZONE": "UTC",
    # Werkzeug raises 413 when a view reads a body longer than this (not before the view runs).
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Where "now" comes from; tests swap in a fixed clock.
    "CLOCK": lambda: datetime.now(UTC),
}

TZ_HELP = "use an IANA name such as Europe/Paris, America/New_York or UTC"

api = Blueprint("api", __name__)


class UnsupportedMediaType(ApiError):
    status, title = 415, "Unsupported Media Type"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults first, then ``overrides`` (plain Flask config keys)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(overrides or {})
    # Keep keys in the order the views write them (Flask sorts them by default).
    app.json.sort_keys = False
    register_error_handlers(app)
    app.register_blueprint(api)
    return app


@api.get("/health")
def health() -> Response:
    """Liveness: answers as long as the process can serve a request."""
    return jsonify(status="ok")


@api.post("/echo")
def echo() -> Response:
    """Send the JSON object back, with what the server saw of the request around it."""
    body = read_json_object()
    return jsonify(
        echo=body,
        request={
            "method": request.method,
            "path": request.path,
            "query": request.args.to_dict(flat=False),
            "content_type": request.content_type,
            "content_length": request.content_length,
            "user_agent": request.user_agent.string or None,
        },
    )


@api.get("/time")
def current_time() -> Response:
    """The current time in ``?tz=`` (default: the app's DEFAULT_TIMEZONE), ISO 8601."""
    name = request.args.get("tz", current_app.config["DEFAULT_TIMEZONE"])
    zone = find_zone(name)
    # practice 1: answer with "now" from the app's clock, in the zone and in UTC
    # hint: take CLOCK from current_app.config; isoformat(timespec="milliseconds") with a Z for
    # hint: UTC, format_offset for the offset, and the Unix time rounded to milliseconds.
    clock: Callable[[], datetime] = current_app.config["CLOCK"]
    now_utc = clock().astimezone(UTC)
    local = now_utc.astimezone(zone)
    return jsonify(
        timezone=name,
        local=local.isoformat(timespec="milliseconds"),
        utc=now_utc.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        utc_offset=format_offset(local.utcoffset() or timedelta(0)),
        unix=round(now_utc.timestamp(), 3),
    )
    # end practice 1


def find_zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``, or a 400 that says how to name one."""
    if not known_zone_names():
        # No system database and no `tzdata` package: every name would look unknown.
        raise ApiError(
            "this server has no time zone database; install the tzdata package",
            status=500,
            title="Internal Server Error",
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        # ValueError: keys like "" or "../etc/passwd" that are not even shaped like a zone name.
        # IsADirectoryError: a region such as "Europe", read from the tzdata package (without a
        # system zone database), is a folder there rather than a missing file.
        pass
    hint = suggest_zone(name)
    fix = f"did you mean {hint}?" if hint else TZ_HELP
    raise BadRequest(f"unknown time zone {name!r} in ?tz=; {fix}")


def format_offset(offset: timedelta) -> str:
    """``+05:30`` for five and a half hours east of UTC (``%:z`` needs Python 3.12)."""
    minutes = round(offset.total_seconds() / 60)
    hours, minutes = divmod(abs(minutes), 60)
    return f"{'-' if offset < timedelta(0) else '+'}{hours:02d}:{minutes:02d}"


@cache
def known_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def suggest_zone(name: str) -> str | None:
    """The zone whose name differs from ``name`` only in case or spaces, if there is one."""
    # practice 3: find the zone whose name differs only in case or spaces
    # hint: normalise both sides the same way (spaces to "_", casefold) and return the first
    # hint: known zone that matches, or None.
    wanted = name.strip().replace(" ", "_").casefold()
    return next((zone for zone in known_zone_names() if zone.casefold() == wanted), None)
    # end practice 3


def read_json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a 415/400 problem saying what to send instead."""
    # practice 2: read the body as a JSON object, or raise the 415 or 400 that says what to send
    # hint: check request.is_json before reading; json.loads with the parse_constant and
    # hint: parse_float hooks below; a body that is empty or not a dict is a BadRequest too.
    if not request.is_json:
        sent = request.mimetype or "no Content-Type"
        raise UnsupportedMediaType(
            f"expected Content-Type: application/json, got {sent}; send the body as JSON"
        )
    raw = request.get_data()  # the 413 for a body over MAX_CONTENT_LENGTH comes from here
    if not raw.strip():
        raise BadRequest('the body is empty; send a JSON object, e.g. {"message": "hi"}')
    try:
        body = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except NumberOutOfRange as error:
        raise BadRequest(f"{error}; send numbers between -1.7e308 and 1.7e308") from None
    except ValueError as error:
        raise BadRequest(
            f'the body is not valid JSON ({error}); send a JSON object, e.g. {{"message": "hi"}}'
        ) from None
    if not isinstance(body, dict):
        kind = _json_kind(body)
        raise BadRequest(f'the body must be a JSON object, not {kind}; e.g. {{"message": "hi"}}')
    return body
    # end practice 2


class NumberOutOfRange(ValueError):
    """A JSON number too large for a float: Python would read it as infinity."""


def _reject_constant(name: str) -> None:
    # Python's json module accepts NaN and Infinity, which are not JSON and would echo back invalid.
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    # 1e400 is valid JSON, but float() makes it infinity, which Flask would echo as `Infinity`.
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
