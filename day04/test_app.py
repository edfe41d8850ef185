"""The day 04 API, specified through Flask's test client (no server, no network)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from day04 import app as day04_app
from day04.app import create_app, format_offset
from shared.errors import PROBLEM_JSON

# 2024-07-01 10:30:00.250 UTC: summer time in Paris (+02:00), winter in Sydney (+10:00).
FIXED_NOW = datetime(2024, 7, 1, 10, 30, 0, 250_000, tzinfo=UTC)


@pytest.fixture
def app() -> Flask:
    return create_app({"CLOCK": lambda: FIXED_NOW, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def assert_problem(response: Any, status: int, *detail_words: str) -> dict[str, Any]:
    """The response is problem+json with ``status``, and its detail names each of the words."""
    body = response.get_json(force=True)
    assert (response.status_code, response.mimetype) == (status, PROBLEM_JSON), body
    assert body["status"] == status and body["title"] and body["type"] == "about:blank", body
    for word in detail_words:
        assert word in body["detail"], f"{word!r} missing from detail {body['detail']!r}"
    return body


# --- GET /health -------------------------------------------------------------------------------


def test_health_answers_ok_as_json(client: FlaskClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok"}


def test_health_rejects_post_with_405_and_names_the_allowed_methods(client: FlaskClient) -> None:
    response = client.post("/health")

    assert_problem(response, 405)
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert "GET" in allowed and "POST" not in allowed, allowed


# --- POST /echo --------------------------------------------------------------------------------


def test_echo_returns_the_object_it_was_sent(client: FlaskClient) -> None:
    sent = {"message": "héllo", "nested": {"n": [1, 2.5, None, True]}}

    response = client.post("/echo", json=sent)

    assert response.status_code == 200
    assert response.get_json()["echo"] == sent


def test_echo_reports_request_metadata(client: FlaskClient) -> None:
    raw = b'{"message": "hi"}'

    response = client.post(
        "/echo?lang=en&lang=fr",
        data=raw,
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "demo/1.0"},
    )

    assert response.get_json()["request"] == {
        "method": "POST",
        "path": "/echo",
        "query": {"lang": ["en", "fr"]},
        "content_type": "application/json; charset=utf-8",
        "content_length": len(raw),
        "user_agent": "demo/1.0",
    }


def test_echo_rejects_malformed_json_with_400_naming_the_parse_error(client: FlaskClient) -> None:
    response = client.post("/echo", data='{"message": "hi"', content_type="application/json")

    assert_problem(response, 400, "not valid JSON", "line 1 column")


def test_echo_rejects_an_empty_body_with_400(client: FlaskClient) -> None:
    response = client.post("/echo", data="", content_type="application/json")

    assert_problem(response, 400, "empty")


@pytest.mark.parametrize(
    ("raw", "kind"), [("[1, 2]", "array"), ('"hi"', "string"), ("42", "number"), ("null", "null")]
)
def test_echo_rejects_json_that_is_not_an_object(client: FlaskClient, raw: str, kind: str) -> None:
    response = client.post("/echo", data=raw, content_type="application/json")

    assert_problem(response, 400, "must be a JSON object", kind)


def test_echo_rejects_nan_which_python_would_otherwise_accept(client: FlaskClient) -> None:
    response = client.post("/echo", data='{"x": NaN}', content_type="application/json")

    assert_problem(response, 400, "NaN is not a JSON value")


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1E+309", "123456789e999"])
def test_echo_rejects_a_number_too_large_for_a_float(client: FlaskClient, number: str) -> None:
    response = client.post("/echo", data=f'{{"x": {number}}}', content_type="application/json")

    assert_problem(response, 400, f"the number {number} is too large", "1.7e308")


def test_echo_keeps_the_largest_finite_float_and_tiny_ones(client: FlaskClient) -> None:
    raw = '{"big": 1.7976931348623157e308, "tiny": 1e-400, "negative": -2.5e10}'
    response = client.post("/echo", data=raw, content_type="application/json")

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["echo"] == {
        "big": 1.7976931348623157e308,
        "tiny": 0.0,
        "negative": -2.5e10,
    }
    assert "Infinity" not in response.get_data(as_text=True)


def test_python_reads_1e400_as_infinity_and_flask_would_send_it_back_as_invalid_json() -> None:
    # Why the two refusals above exist: neither library objects on the locked versions.
    assert json.loads("1e400") == math.inf and math.isnan(json.loads("NaN"))
    assert create_app().json.dumps({"x": math.inf}) == '{"x": Infinity}'


def test_echo_rejects_a_non_json_content_type_with_415(client: FlaskClient) -> None:
    response = client.post("/echo", data='{"message": "hi"}', content_type="text/plain")

    assert_problem(response, 415, "application/json", "text/plain")


def test_echo_rejects_a_body_over_the_configured_limit_with_413() -> None:
    client = create_app({"MAX_CONTENT_LENGTH": 100}).test_client()

    response = client.post("/echo", json={"message": "x" * 200})

    assert_problem(response, 413)


def test_the_413_comes_when_the_view_reads_the_body_not_before_the_view_runs() -> None:
    # The view checks the Content-Type before it reads: a large body it never reads gets a 415.
    client = create_app({"MAX_CONTENT_LENGTH": 100}).test_client()

    response = client.post("/echo", data="x" * 200, content_type="text/plain")

    assert_problem(response, 415, "text/plain")


def test_a_body_at_the_limit_is_read() -> None:
    client = create_app({"MAX_CONTENT_LENGTH": 100}).test_client()
    raw = '{"m": "' + "x" * 91 + '"}'

    response = client.post("/echo", data=raw, content_type="application/json")

    assert len(raw) == 100 and response.status_code == 200, response.get_json()


def test_echo_rejects_get_with_405(client: FlaskClient) -> None:
    assert_problem(client.get("/echo"), 405)


# --- GET /time ---------------------------------------------------------------------------------


def test_time_defaults_to_utc_with_a_z_suffix(client: FlaskClient) -> None:
    body = client.get("/time").get_json()

    assert body == {
        "timezone": "UTC",
        "local": "2024-07-01T10:30:00.250+00:00",
        "utc": "2024-07-01T10:30:00.250Z",
        "utc_offset": "+00:00",
        "unix": FIXED_NOW.timestamp(),
    }


@pytest.mark.parametrize(
    ("zone", "local", "offset"),
    [
        ("Europe/Paris", "2024-07-01T12:30:00.250+02:00", "+02:00"),
        ("America/New_York", "2024-07-01T06:30:00.250-04:00", "-04:00"),
        ("Asia/Kolkata", "2024-07-01T16:00:00.250+05:30", "+05:30"),
    ],
)
def test_time_converts_the_current_instant_to_the_requested_zone(
    client: FlaskClient, zone: str, local: str, offset: str
) -> None:
    body = client.get("/time", query_string={"tz": zone}).get_json()

    assert (body["timezone"], body["local"], body["utc_offset"]) == (zone, local, offset)
    assert body["utc"] == "2024-07-01T10:30:00.250Z", "the instant itself must not move"


def test_time_local_and_utc_parse_back_to_the_same_instant(client: FlaskClient) -> None:
    body = client.get("/time?tz=Australia/Sydney").get_json()

    local = datetime.fromisoformat(body["local"])
    utc = datetime.fromisoformat(body["utc"])
    assert local == utc == FIXED_NOW, (local, utc)


def test_time_uses_the_configured_default_zone() -> None:
    app = create_app({"DEFAULT_TIMEZONE": "Asia/Tokyo", "CLOCK": lambda: FIXED_NOW})

    body = app.test_client().get("/time").get_json()

    assert (body["timezone"], body["utc_offset"]) == ("Asia/Tokyo", "+09:00")


def test_time_rejects_an_unknown_zone_with_400_naming_it_and_the_fix(client: FlaskClient) -> None:
    response = client.get("/time?tz=Mars/Olympus")

    assert_problem(response, 400, "'Mars/Olympus'", "IANA", "Europe/Paris")


def test_time_suggests_the_right_spelling_for_a_zone_in_the_wrong_case(
    client: FlaskClient,
) -> None:
    response = client.get("/time?tz=america/new york")

    assert_problem(response, 400, "'america/new york'", "did you mean America/New_York?")


@pytest.mark.parametrize("name", ["", "../../etc/passwd", "/etc/localtime", "Europe"])
def test_time_rejects_names_that_are_not_zones_with_400(client: FlaskClient, name: str) -> None:
    response = client.get("/time", query_string={"tz": name})

    assert_problem(response, 400, "unknown time zone")


def test_time_says_what_to_install_when_the_zone_database_is_missing(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(day04_app, "known_zone_names", frozenset)

    response = client.get("/time?tz=UTC")

    body = assert_problem(response, 500)
    assert body["title"] == "Internal Server Error"
    assert body["detail"] == "this server has no time zone database; install the tzdata package"


def test_format_offset_handles_negative_half_hour_offsets() -> None:
    assert format_offset(timedelta(hours=-9, minutes=-30)) == "-09:30"


# --- errors everyone shares --------------------------------------------------------------------


def test_unknown_route_is_a_404_problem(client: FlaskClient) -> None:
    assert_problem(client.get("/no/such/route"), 404)


def test_an_unexpected_exception_is_a_500_problem_without_a_traceback(app: Flask) -> None:
    app.config["TESTING"] = False  # let the handler answer instead of re-raising

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")

    body = assert_problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True), body
    assert "Traceback" not in response.get_data(as_text=True), body


# --- what the locked Flask does on its own (the claims in the README) ---------------------------


def test_flask_get_json_hides_the_parse_error_outside_debug_mode() -> None:
    bare = Flask(__name__)

    @bare.post("/")
    def parse() -> dict[str, Any]:
        return {"body": request.get_json()}

    response = bare.test_client().post("/", data='{"a": ', content_type="application/json")

    assert response.status_code == 400
    assert b"decode" not in response.data.lower() and b"line 1" not in response.data, response.data


def test_flask_sorts_json_keys_unless_told_not_to() -> None:
    assert Flask(__name__).json.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
    assert create_app().json.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'


# --- the exact words of each refusal, and the default limit ------------------------------------

EXAMPLE = '{"message": "hi"}'


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("[1]", "an array"),
        ('"hi"', "a string"),
        ("true", "a boolean"),
        ("7", "a number"),
        ("7.5", "a number"),
        ("null", "null"),
    ],
)
def test_a_body_that_is_not_an_object_is_told_what_it_is_and_what_to_send(
    client: FlaskClient, raw: str, kind: str
) -> None:
    response = client.post("/echo", data=raw, content_type="application/json")

    detail = assert_problem(response, 400)["detail"]
    assert detail == f"the body must be a JSON object, not {kind}; e.g. {EXAMPLE}"


def test_an_empty_body_is_told_what_to_send(client: FlaskClient) -> None:
    response = client.post("/echo", data=" \n", content_type="application/json")

    assert (
        assert_problem(response, 400)["detail"]
        == f"the body is empty; send a JSON object, e.g. {EXAMPLE}"
    )


def test_broken_json_is_told_where_it_broke_and_what_to_send(client: FlaskClient) -> None:
    response = client.post("/echo", data='{"a": ', content_type="application/json")

    assert assert_problem(response, 400)["detail"] == (
        "the body is not valid JSON (Expecting value: line 1 column 7 (char 6)); "
        f"send a JSON object, e.g. {EXAMPLE}"
    )


@pytest.mark.parametrize(
    ("content_type", "named"), [("text/plain", "text/plain"), (None, "no Content-Type")]
)
def test_a_body_not_sent_as_json_is_told_what_it_was(
    client: FlaskClient, content_type: str | None, named: str
) -> None:
    options: dict[str, Any] = {"data": EXAMPLE}
    if content_type:
        options["content_type"] = content_type

    detail = assert_problem(client.post("/echo", **options), 415)["detail"]

    assert detail == f"expected Content-Type: application/json, got {named}; send the body as JSON"


def test_an_unknown_zone_is_told_how_zones_are_named(client: FlaskClient) -> None:
    detail = assert_problem(client.get("/time?tz=Mars/Olympus"), 400)["detail"]

    assert detail == (
        "unknown time zone 'Mars/Olympus' in ?tz=; "
        "use an IANA name such as Europe/Paris, America/New_York or UTC"
    )


def test_the_default_limit_reads_64_kib_and_refuses_one_byte_more(client: FlaskClient) -> None:
    def body_of(size: int) -> str:
        return '{"m": "' + "x" * (size - len('{"m": ""}')) + '"}'

    at_limit = client.post("/echo", data=body_of(64 * 1024), content_type="application/json")
    over = client.post("/echo", data=body_of(64 * 1024 + 1), content_type="application/json")

    assert at_limit.status_code == 200
    assert_problem(over, 413)
