"""The day's notes API: accounts, CRUD, ownership and both kinds of search, through the client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from day32.notes import TITLE_MAX, create_app, fts_query, like_pattern
from shared.auth import Tokens

Client = Callable[..., Any]
BREAD = {"title": "Sourdough", "body": "Baking the loaf at 250 C, covered, for twenty minutes."}


@pytest.fixture
def client() -> FlaskClient:
    return create_app().test_client()


def account(client: FlaskClient, email: str) -> dict[str, str]:
    """The headers of a new user's requests."""
    response = client.post("/register", json={"email": email, "password": "correct horse"})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.fixture
def ada(client: FlaskClient) -> dict[str, str]:
    return account(client, "ada@example.com")


@pytest.fixture
def bob(client: FlaskClient) -> dict[str, str]:
    return account(client, "bob@example.com")


def add(client: FlaskClient, headers: dict[str, str], **fields: str) -> dict[str, Any]:
    response = client.post("/notes", json=fields, headers=headers)
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def search(client: FlaskClient, headers: dict[str, str], q: str, kind: str = "words") -> list[str]:
    response = client.get("/notes/search", query_string={"q": q, "kind": kind}, headers=headers)
    assert response.status_code == 200, response.json
    return [note["title"] for note in response.json["notes"]]


def test_a_registered_user_logs_in_with_the_same_password(client: FlaskClient) -> None:
    account(client, "ada@example.com")
    good = client.post("/login", json={"email": "ADA@example.com", "password": "correct horse"})
    bad = client.post("/login", json={"email": "ada@example.com", "password": "wrong horse"})
    unknown = client.post("/login", json={"email": "eve@example.com", "password": "correct horse"})
    assert good.status_code == 200 and good.json["token"]
    assert (
        (bad.status_code, bad.json)
        == (unknown.status_code, unknown.json)
        == (
            401,
            {"error": "email or password is wrong"},
        )
    )


def test_an_email_registers_once(client: FlaskClient, ada: dict[str, str]) -> None:
    again = client.post("/register", json={"email": "Ada@Example.com", "password": "another one"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Token abc"}],
    ids=["none", "garbage", "other scheme"],
)
def test_notes_need_a_valid_bearer_token(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.get("/notes", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="notes"'


def test_a_note_is_created_read_edited_and_deleted(
    client: FlaskClient, ada: dict[str, str]
) -> None:
    note = add(client, ada, **BREAD)
    url = f"/notes/{note['id']}"
    assert client.get(url, headers=ada).json == note
    edited = client.patch(url, json={"title": "Bread"}, headers=ada).json
    assert (edited["title"], edited["body"]) == ("Bread", BREAD["body"])
    assert edited["updated_at"] >= note["updated_at"]
    assert client.delete(url, headers=ada).status_code == 204
    assert client.get(url, headers=ada).status_code == 404


def test_the_list_shows_only_the_callers_notes_newest_first(
    client: FlaskClient, ada: dict[str, str], bob: dict[str, str]
) -> None:
    add(client, ada, title="First", body="one")
    add(client, bob, title="Bob's", body="two")
    add(client, ada, title="Second", body="three")
    assert [n["title"] for n in client.get("/notes", headers=ada).json["notes"]] == [
        "Second",
        "First",
    ]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_another_users_note_is_a_404_like_a_missing_one(
    client: FlaskClient, ada: dict[str, str], bob: dict[str, str], method: str
) -> None:
    note = add(client, ada, **BREAD)
    theirs = client.open(f"/notes/{note['id']}", method=method, json={"title": "x"}, headers=bob)
    missing = client.open("/notes/999", method=method, json={"title": "x"}, headers=bob)
    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert client.get(f"/notes/{note['id']}", headers=ada).json == note


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "x"},
        {"title": "x", "body": "y", "pinned": "yes"},
        {"title": "  ", "body": "y"},
        {"title": 5, "body": "y"},
        {"title": "t" * (TITLE_MAX + 1), "body": "y"},
    ],
    ids=["missing body", "unknown field", "blank title", "number title", "long title"],
)
def test_a_bad_note_is_a_422(client: FlaskClient, ada: dict[str, str], fields: dict) -> None:
    assert client.post("/notes", json=fields, headers=ada).status_code == 422


def test_a_body_that_is_no_json_object_is_a_400(client: FlaskClient, ada: dict[str, str]) -> None:
    response = client.post("/notes", data="[1]", content_type="application/json", headers=ada)
    assert response.status_code == 400


def test_word_search_finds_other_forms_of_a_word_best_match_first(
    client: FlaskClient, ada: dict[str, str]
) -> None:
    add(client, ada, **BREAD)
    add(client, ada, title="Bake sale", body="Bake two cakes and bake the cookies.")
    add(client, ada, title="Cycling", body="Pump the tyres.")
    assert search(client, ada, "bakes") == ["Bake sale", "Sourdough"]


def test_word_search_needs_every_word(client: FlaskClient, ada: dict[str, str]) -> None:
    add(client, ada, **BREAD)
    assert search(client, ada, "loaf covered") == ["Sourdough"]
    assert search(client, ada, "loaf tyres") == []


def test_what_a_user_types_is_never_fts5_syntax(client: FlaskClient, ada: dict[str, str]) -> None:
    add(client, ada, **BREAD)
    for typed in ('bake AND "', "loaf*", "NEAR(bake", "title:loaf"):
        response = client.get("/notes/search", query_string={"q": typed}, headers=ada)
        assert response.status_code == 200, f"{typed!r}: {response.json}"


def test_substring_search_matches_inside_words_and_escapes_wildcards(
    client: FlaskClient, ada: dict[str, str]
) -> None:
    add(client, ada, title="Hydration", body="Use 75% water and a_b notation.")
    add(client, ada, title="Other", body="750 grams, and ab")
    assert search(client, ada, "ydrat", kind="substring") == ["Hydration"]
    assert search(client, ada, "5%", kind="substring") == ["Hydration"]
    assert search(client, ada, "a_b", kind="substring") == ["Hydration"]


def test_search_sees_edits_and_deletes_and_only_the_callers_notes(
    client: FlaskClient, ada: dict[str, str], bob: dict[str, str]
) -> None:
    note = add(client, ada, **BREAD)
    add(client, bob, title="Bob bakes", body="Baking bagels.")
    assert search(client, ada, "baking") == ["Sourdough"]
    client.patch(f"/notes/{note['id']}", json={"body": "Cycling to the bakery."}, headers=ada)
    assert search(client, ada, "loaf") == [] and search(client, ada, "cycle") == ["Sourdough"]
    client.delete(f"/notes/{note['id']}", headers=ada)
    assert search(client, ada, "cycle") == [] and search(client, bob, "bagel") == ["Bob bakes"]


@pytest.mark.parametrize(
    ("query", "status"), [({}, 422), ({"q": " "}, 422), ({"q": "x", "kind": "fuzzy"}, 422)]
)
def test_a_search_needs_a_query_and_a_known_kind(
    client: FlaskClient, ada: dict[str, str], query: dict[str, str], status: int
) -> None:
    assert client.get("/notes/search", query_string=query, headers=ada).status_code == status


def test_like_pattern_escapes_its_own_wildcards_and_the_escape() -> None:
    assert like_pattern("100%_a\\b") == "%100\\%\\_a\\\\b%"


def test_fts_query_quotes_each_word_and_doubles_quotes() -> None:
    assert fts_query('bake  AND "x') == '"bake" "AND" """x"'


def test_an_expired_token_is_a_401_that_says_so(client: FlaskClient, ada: dict[str, str]) -> None:
    hour_and_a_bit_ago = datetime.now(UTC) - timedelta(seconds=3700)
    stale = Tokens("day32-" + "x" * 32, ttl_seconds=3600).issue("1", now=hour_and_a_bit_ago)
    response = client.get("/notes", headers={"Authorization": f"Bearer {stale}"})
    assert (response.status_code, response.json) == (
        401,
        {"error": "token has expired; log in again"},
    )
