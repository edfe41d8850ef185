"""CORS on the locked flask-cors: the exact headers of a preflight and of the request after it.

A browser sends a preflight (OPTIONS with Origin and Access-Control-Request-*) before any
request that is not "simple": PATCH is not, and neither is a JSON Content-Type. It then sends
the real request only if the answer allows its origin, its method and every header it asked for.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
from flask import Flask, Response
from flask.testing import FlaskClient
from flask_cors import CORS

from day11.app import create_app
from day11.conftest import FRONT_END
from shared.serve import served

ELSEWHERE = "https://evil.example"
PREFLIGHT = {
    "Origin": FRONT_END,
    "Access-Control-Request-Method": "PATCH",
    "Access-Control-Request-Headers": "Content-Type",
}
#: What the front end's preflight for a JSON PATCH gets back, every CORS header exactly.
ALLOWED_PREFLIGHT = {
    "Access-Control-Allow-Origin": FRONT_END,
    "Access-Control-Allow-Methods": "DELETE, GET, PATCH, POST, PUT",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
    "Access-Control-Expose-Headers": "Location",
    "Vary": "Origin",
}


def cors_headers(headers: Any) -> dict[str, str]:
    """The CORS headers of a response (Werkzeug's or requests' headers), plus Vary."""
    return {
        name: value
        for name, value in headers.items()
        if name.startswith("Access-Control-") or name == "Vary"
    }


def test_the_preflight_for_a_json_patch_allows_the_front_end_exactly(client: FlaskClient) -> None:
    response = client.options("/todos/1", headers=PREFLIGHT)

    assert response.status_code == 200
    assert cors_headers(response.headers) == ALLOWED_PREFLIGHT


def test_a_preflight_is_answered_before_any_view_runs_even_for_a_missing_todo(
    client: FlaskClient,
) -> None:
    response = client.options("/todos/999", headers=PREFLIGHT)

    assert (response.status_code, response.get_data()) == (200, b"")


def test_the_request_after_the_preflight_gets_its_origin_back_and_may_read_location(
    client: FlaskClient,
) -> None:
    created = client.post("/todos", json={"title": "x"}, headers={"Origin": FRONT_END})
    patched = client.patch("/todos/1", json={"completed": True}, headers={"Origin": FRONT_END})

    expected = {
        "Access-Control-Allow-Origin": FRONT_END,
        "Access-Control-Expose-Headers": "Location",
        "Vary": "Origin",
    }
    assert cors_headers(created.headers) == expected
    assert cors_headers(patched.headers) == expected


def test_an_error_carries_the_cors_headers_so_the_page_can_read_it(client: FlaskClient) -> None:
    client.post("/todos", json={"title": "x"})
    missing = client.patch("/todos/9", json={"completed": True}, headers={"Origin": FRONT_END})
    refused = client.patch("/todos/1", json={"colour": "red"}, headers={"Origin": FRONT_END})

    assert (missing.status_code, refused.status_code) == (404, 422)
    assert missing.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert refused.headers["Access-Control-Allow-Origin"] == FRONT_END


def test_another_origin_gets_no_cors_header_at_all(client: FlaskClient) -> None:
    preflight = client.options("/todos/1", headers={**PREFLIGHT, "Origin": ELSEWHERE})
    plain = client.get("/todos", headers={"Origin": ELSEWHERE})

    # The server still answers; it is the browser that refuses to hand the answer to the page.
    assert (preflight.status_code, plain.status_code) == (200, 200)
    assert cors_headers(preflight.headers) == {"Vary": "Origin"}
    assert cors_headers(plain.headers) == {"Vary": "Origin"}


def test_an_origin_is_matched_exactly_not_by_prefix(client: FlaskClient) -> None:
    for origin in (
        "http://localhost:5173.evil.example",
        "http://localhost:517",
        "https://localhost:5173",
    ):
        response = client.get("/todos", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in response.headers, origin


def test_an_origin_differing_only_in_case_is_allowed(client: FlaskClient) -> None:
    response = client.get("/todos", headers={"Origin": "HTTP://LOCALHOST:5173"})

    # Schemes and host names are case-insensitive; flask-cors echoes what the browser sent.
    assert response.headers["Access-Control-Allow-Origin"] == "HTTP://LOCALHOST:5173"


def test_a_request_without_origin_gets_no_cors_headers(client: FlaskClient) -> None:
    assert cors_headers(client.get("/todos").headers) == {"Vary": "Origin"}


def test_a_method_not_allowed_gets_only_the_origin_so_the_browser_stops(
    client: FlaskClient,
) -> None:
    response = client.options(
        "/todos/1", headers={**PREFLIGHT, "Access-Control-Request-Method": "TRACE"}
    )

    assert cors_headers(response.headers) == {
        "Access-Control-Allow-Origin": FRONT_END,
        "Access-Control-Expose-Headers": "Location",
        "Vary": "Origin",
    }


def test_a_header_not_allowed_is_left_out_of_allow_headers(client: FlaskClient) -> None:
    response = client.options(
        "/todos/1",
        headers={**PREFLIGHT, "Access-Control-Request-Headers": "content-type, x-secret"},
    )

    # Allow-Headers echoes the allowed ones as the browser spelled them; x-secret is missing,
    # so the browser will not send the request.
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"


def test_only_a_header_not_allowed_gets_no_allow_headers(client: FlaskClient) -> None:
    response = client.options(
        "/todos/1", headers={**PREFLIGHT, "Access-Control-Request-Headers": "X-Secret"}
    )

    assert "Access-Control-Allow-Headers" not in response.headers


def test_several_origins_still_get_one_vary_origin() -> None:
    client = create_app({"CORS_ORIGINS": [FRONT_END, "https://todo.example"]}).test_client()

    for origin in (FRONT_END, "https://todo.example"):
        response = client.options("/todos/1", headers={**PREFLIGHT, "Origin": origin})
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert response.headers.getlist("Vary") == ["Origin"]


def test_flask_cors_alone_sends_no_vary_for_a_single_origin() -> None:
    # Why the app adds Vary itself: the answer depends on Origin all the same.
    bare = Flask(__name__)
    CORS(bare, origins=[FRONT_END])
    bare.get("/")(lambda: "ok")
    client = bare.test_client()

    allowed = client.get("/", headers={"Origin": FRONT_END})
    other = client.get("/", headers={"Origin": ELSEWHERE})

    assert allowed.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Vary" not in allowed.headers and "Vary" not in other.headers


def test_flask_cors_vary_plus_the_apps_own_sends_it_twice_for_several_origins() -> None:
    # Why the app turns flask-cors's Vary off rather than adding its own beside it.
    bare = Flask(__name__)
    CORS(bare, origins=[FRONT_END, "https://todo.example"])

    @bare.after_request
    def vary(response: Response) -> Response:
        response.vary.add("Origin")
        return response

    bare.get("/")(lambda: "ok")

    response = bare.test_client().get("/", headers={"Origin": FRONT_END})

    assert response.headers.getlist("Vary") == ["Origin", "Origin"]


def test_flask_cors_sends_its_origins_even_without_an_origin_header_by_default() -> None:
    # always_send=True is flask-cors's default; the app turns it off.
    bare = Flask(__name__)
    CORS(bare, origins=[FRONT_END])
    bare.get("/")(lambda: "ok")

    assert bare.test_client().get("/").headers["Access-Control-Allow-Origin"] == FRONT_END


@pytest.mark.timeout(60)
def test_a_real_preflight_over_http_to_gunicorn_gets_the_same_headers() -> None:
    env = {**os.environ}
    with served("day11.app:create_app()", env=env, workers=1, ready_path="/todos") as server:
        preflight = requests.options(f"{server.url}/todos/1", headers=PREFLIGHT, timeout=10)
        created = requests.post(
            f"{server.url}/todos", json={"title": "x"}, headers={"Origin": FRONT_END}, timeout=10
        )
        patched = requests.patch(
            created.headers["Location"],
            json={"completed": True},
            headers={"Origin": FRONT_END},
            timeout=10,
        )

    assert preflight.status_code == 200
    assert cors_headers(preflight.headers) == ALLOWED_PREFLIGHT
    assert patched.status_code == 200, patched.text
    assert patched.json()["completed"] is True
    assert patched.headers["Access-Control-Allow-Origin"] == FRONT_END
