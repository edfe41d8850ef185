"""Bad input is refused with a 4xx problem that names the fix, never a 500, on every backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from projects.notes_ai.models import TITLE_MAX
from projects.notes_ai.tests.conftest import NotesClient, register

GOOD = {"title": "Sourdough", "body": "Feed it daily."}


def problem(response: TestResponse, status: int) -> dict[str, Any]:
    """The problem body of ``response``, after checking its status and media type."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {text}"
    assert response.mimetype == "application/problem+json", response.mimetype
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status and body["title"] and body.get("detail"), body
    return body


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        ("{", 400, "not valid JSON"),
        ("[" * 100_000, 400, "not valid JSON"),
        ('["title"]', 422, "must be a JSON object"),
        ('"Sourdough"', 422, "must be a JSON object"),
        ("null", 422, "must be a JSON object"),
    ],
    ids=["truncated", "nested too deeply", "array", "string", "null"],
)
def test_a_body_that_is_no_json_object_is_refused(
    user: NotesClient, data: str, status: int, says: str
) -> None:
    response = user.post("/api/notes", data=data, content_type="application/json")
    assert says in problem(response, status)["detail"]


def test_a_body_that_is_not_utf8_is_a_400_that_says_so(user: NotesClient) -> None:
    response = user.post("/api/notes", data=b'{"title": "\xff"}', content_type="application/json")
    assert "is not UTF-8" in problem(response, 400)["detail"]


def test_a_body_that_is_not_json_is_a_415(user: NotesClient) -> None:
    response = user.post("/api/notes", data="title=x", content_type="text/plain")
    assert "application/json" in problem(response, 415)["detail"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"body": "x"}, "title", "Missing data for required field."),
        ({"title": "x"}, "body", "Missing data for required field."),
        ({**GOOD, "pinned": True}, "pinned", "Unknown field."),
        ({**GOOD, "title": 5}, "title", "must be a string"),
        ({**GOOD, "title": None}, "title", "must be a string, not null"),
        ({**GOOD, "body": ["a"]}, "body", "must be a string"),
        ({**GOOD, "title": "   "}, "title", "must not be blank"),
        ({**GOOD, "title": "a\x00b"}, "title", "must not contain NUL characters"),
        ({**GOOD, "body": "a\x00b"}, "body", "must not contain NUL characters"),
        ({**GOOD, "title": "\ud800"}, "title", "must be valid text (no unpaired surrogates)"),
        (
            {**GOOD, "title": "t" * (TITLE_MAX + 1)},
            "title",
            f"Longer than maximum length {TITLE_MAX}.",
        ),
    ],
    ids=[
        "no title",
        "no body",
        "unknown field",
        "number title",
        "null title",
        "list body",
        "blank title",
        "NUL in title",
        "NUL in body",
        "lone surrogate",
        "title too long",
    ],
)
def test_a_bad_field_is_a_422_naming_it(
    user: NotesClient, body: dict[str, Any], field: str, message: str
) -> None:
    created = problem(user.post("/api/notes", json=body), 422)
    assert created["errors"] == {field: [message]}, created
    assert created["detail"].startswith(f"{field}: "), created


def test_a_patch_is_validated_as_strictly_as_a_create(user: NotesClient) -> None:
    note = user.add_note(**GOOD)
    url = f"/api/notes/{note['id']}"
    assert problem(user.patch(url, json={"title": ""}), 422)["errors"] == {
        "title": ["must not be blank"]
    }
    assert problem(user.patch(url, json={"color": "red"}), 422)["errors"] == {
        "color": ["Unknown field."]
    }
    assert problem(user.patch(url, json={}), 422)["errors"] == {
        "body": ["send title, body or both"]
    }
    assert user.get(url).get_json()["title"] == GOOD["title"]


def test_an_empty_body_is_allowed(user: NotesClient) -> None:
    assert user.add_note("Just a title", "")["body"] == ""


def test_a_body_over_the_character_limit_is_a_422_naming_the_setting(
    make_app: Callable[..., Flask],
) -> None:
    user = register(make_app(MAX_NOTE_CHARS=50).test_client())
    body = problem(user.post("/api/notes", json={"title": "Long", "body": "x" * 51}), 422)
    assert body["errors"] == {
        "body": ["is too long (51 characters; at most 50, NOTES_MAX_NOTE_CHARS)"]
    }
    assert user.post("/api/notes", json={"title": "Fits", "body": "x" * 50}).status_code == 201


def test_a_request_over_the_byte_limit_is_a_413_naming_the_setting(
    make_app: Callable[..., Flask],
) -> None:
    user = register(make_app(MAX_BODY_BYTES=2000).test_client())
    response = user.post("/api/notes", json={"title": "Big", "body": "x" * 3000})
    assert "NOTES_MAX_BODY_BYTES" in problem(response, 413)["detail"]


@pytest.mark.parametrize("note_id", [2**31, 2**63, 10**30])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_id_beyond_the_column_is_a_404(user: NotesClient, method: str, note_id: int) -> None:
    response = user.client.open(
        f"/api/notes/{note_id}", method=method, headers=user.headers, json={"title": "x"}
    )
    assert f"no note {note_id}" in problem(response, 404)["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 2**31}, "offset"),
    ],
)
def test_bad_paging_is_a_422_naming_the_parameter(
    user: NotesClient, query: dict[str, object], field: str
) -> None:
    assert set(problem(user.get("/api/notes", query_string=query), 422)["errors"]) == {field}


def test_an_unknown_route_and_a_wrong_method_are_problems_too(user: NotesClient) -> None:
    problem(user.get("/api/nothing-here"), 404)
    assert "Allow" in user.client.put("/api/notes", headers=user.headers).headers
    problem(user.client.put("/api/notes", headers=user.headers), 405)
