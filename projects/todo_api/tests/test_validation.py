"""Bad input: each answer is a clear 4xx problem naming the field and the fix; nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

JSON = "application/json"
EXISTING = {"title": "stays as it is", "completed": False, "order": 7}

# (body as sent, status, the field the problem names or None)
BAD_BODIES = [
    pytest.param("{bad json", 400, None, id="malformed-json"),
    pytest.param('["a list"]', 422, "body", id="a-list-not-an-object"),
    pytest.param('"a string"', 422, "body", id="a-string-not-an-object"),
    pytest.param("null", 422, "body", id="null-not-an-object"),
    pytest.param('{"title": 5}', 422, "title", id="title-not-a-string"),
    pytest.param('{"title": ["x"]}', 422, "title", id="title-a-list"),
    pytest.param('{"title": null}', 422, "title", id="title-null"),
    pytest.param('{"title": ""}', 422, "title", id="title-empty"),
    pytest.param('{"title": "   "}', 422, "title", id="title-blank"),
    pytest.param('{"title": "nul\\u0000"}', 422, "title", id="title-with-nul"),
    pytest.param('{"title": "\\ud800"}', 422, "title", id="title-lone-surrogate"),
    pytest.param('{"title": "' + "x" * 256 + '"}', 422, "title", id="title-too-long"),
    pytest.param('{"completed": "yes"}', 422, "completed", id="completed-yes"),
    pytest.param('{"completed": 1}', 422, "completed", id="completed-one"),
    pytest.param('{"completed": "true"}', 422, "completed", id="completed-string-true"),
    pytest.param('{"completed": null}', 422, "completed", id="completed-null"),
    pytest.param('{"order": "3"}', 422, "order", id="order-a-string"),
    pytest.param('{"order": 1.5}', 422, "order", id="order-a-float"),
    pytest.param('{"order": true}', 422, "order", id="order-a-bool"),
    pytest.param('{"order": 2147483648}', 422, "order", id="order-too-big"),
    pytest.param('{"url": "http://x/todos/1"}', 422, "url", id="unknown-field"),
    pytest.param('{"id": 99}', 422, "id", id="id-is-not-writable"),
]


@pytest.fixture
def existing(client: FlaskClient) -> dict[str, Any]:
    response = client.post("/todos", json=EXISTING)
    assert response.status_code == 201
    return response.get_json()  # type: ignore[no-any-return]


def assert_problem(response: Any, status: int, field: str | None) -> None:
    body = response.get_json()
    assert (response.status_code, response.mimetype) == (status, "application/problem+json"), body
    assert body["status"] == status and body["title"] and body["detail"], body
    if field is not None:
        assert field in body["errors"], body
        assert body["detail"].startswith(f"{field}:") or field == "body", body


def with_title(body: str) -> str:
    """A POST body: the bad field next to a good title, unless the title is what is bad."""
    if body.startswith("{") and '"title"' not in body and body != "{bad json":
        return '{"title": "ok", ' + body[1:]
    return body


@pytest.mark.parametrize(("body", "status", "field"), BAD_BODIES)
def test_a_bad_post_is_refused_and_nothing_is_stored(
    client: FlaskClient, existing: dict[str, Any], body: str, status: int, field: str | None
) -> None:
    response = client.post("/todos", data=with_title(body), content_type=JSON)
    assert_problem(response, status, field)
    assert client.get("/todos").get_json() == [existing]


@pytest.mark.parametrize(("body", "status", "field"), BAD_BODIES)
def test_a_bad_patch_is_refused_and_the_todo_is_unchanged(
    client: FlaskClient, existing: dict[str, Any], body: str, status: int, field: str | None
) -> None:
    response = client.patch(f"/todos/{existing['id']}", data=body, content_type=JSON)
    assert_problem(response, status, field)
    assert client.get("/todos").get_json() == [existing]


def test_a_post_without_a_title_names_the_title(client: FlaskClient) -> None:
    response = client.post("/todos", json={"completed": True})
    assert_problem(response, 422, "title")
    assert "is required" in response.get_json()["errors"]["title"][0]
    assert client.get("/todos").get_json() == []


def test_an_empty_post_body_names_the_title(client: FlaskClient) -> None:
    assert_problem(client.post("/todos", data="", content_type=JSON), 422, "title")


def test_a_body_that_is_not_json_is_a_415_naming_the_content_type(
    client: FlaskClient, existing: dict[str, Any]
) -> None:
    for send in (
        lambda: client.post("/todos", data='{"title": "x"}', content_type="text/plain"),
        lambda: client.patch(f"/todos/{existing['id']}", data="title=x",
                             content_type="application/x-www-form-urlencoded"),
    ):  # fmt: skip
        response = send()
        assert_problem(response, 415, None)
        assert "application/json" in response.get_json()["detail"]
    assert client.get("/todos").get_json() == [existing]


def test_a_body_over_the_limit_is_a_413(make_app: Any) -> None:
    client = make_app(MAX_BODY_BYTES=100).test_client()
    response = client.post("/todos", json={"title": "x" * 200})
    assert_problem(response, 413, None)
    assert client.get("/todos").get_json() == []


def test_the_title_limit_is_a_setting(make_app: Any) -> None:
    client = make_app(TITLE_MAX_LENGTH=5).test_client()
    assert client.post("/todos", json={"title": "12345"}).status_code == 201
    response = client.post("/todos", json={"title": "123456"})
    assert_problem(response, 422, "title")
    assert "at most 5" in response.get_json()["detail"]


def test_every_error_message_says_what_is_allowed(client: FlaskClient) -> None:
    detail = client.post("/todos", json={"title": "x", "colour": "red"}).get_json()["detail"]
    assert detail == "colour: unknown field; a todo has only title, completed and order"


def test_an_id_too_large_for_the_column_is_a_404_not_an_error(client: FlaskClient) -> None:
    for method in ("get", "delete"):
        assert getattr(client, method)("/todos/99999999999999999999").status_code == 404


def test_an_unknown_route_and_a_wrong_method_are_problems(app: Flask) -> None:
    client = app.test_client()
    assert_problem(client.get("/nothing-here"), 404, None)
    response = client.put("/todos")
    assert_problem(response, 405, None)
    assert "POST" in response.headers["Allow"]
