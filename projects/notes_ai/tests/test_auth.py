"""Accounts and tokens: register, log in, and every way a token can fail, on every backend."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from projects.notes_ai.models import User
from projects.notes_ai.tests.conftest import PASSWORD, NotesClient, register

CHALLENGE = 'Bearer realm="notes"'
#: ``<converter:name>`` in a rule; an ``int`` gets a number, every other converter a word.
PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def problem(response: TestResponse) -> dict[str, object]:
    assert response.mimetype == "application/problem+json", response.mimetype
    return response.get_json()  # type: ignore[no-any-return]


def auth_id(app: Flask, email: str) -> str:
    with app.extensions["notes"].db.transaction() as session:
        return str(session.scalar(sa.select(User.auth_id).where(User.email == email)))


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return client.post("/api/auth/login", json={"email": email, "password": password})


def test_register_answers_201_with_a_token_that_works(client: FlaskClient) -> None:
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"token"}
    notes = client.get("/api/notes", headers={"Authorization": f"Bearer {body['token']}"})
    assert notes.status_code == 200, notes.get_data(as_text=True)


def test_a_taken_email_is_a_409_whatever_its_case(client: FlaskClient, user: NotesClient) -> None:
    response = client.post(
        "/api/auth/register", json={"email": user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 409, response.get_data(as_text=True)
    body = problem(response)
    assert body["errors"] == {"email": ["is already registered"]}
    assert "POST /api/auth/login" in str(body["detail"])


def test_login_answers_200_with_a_token_for_the_right_password(
    client: FlaskClient, user: NotesClient
) -> None:
    response = login(client, user.email.upper())
    assert response.status_code == 200, response.get_data(as_text=True)
    token = response.get_json()["token"]
    assert client.get("/api/notes", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_wrong_password_and_an_unknown_email_get_the_same_401(
    client: FlaskClient, user: NotesClient
) -> None:
    wrong = login(client, user.email, "not the password")
    unknown = login(client, "nobody-here@example.com")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert problem(wrong) == problem(unknown)
    assert problem(wrong)["detail"] == "email or password is wrong"


def tampered(token: str) -> str:
    """``token`` with its subject changed and the signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "0" * 32
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("malformed", "token is invalid"),
        ("tampered", "token is invalid"),
        ("expired", "token has expired; log in again"),
        ("other scheme", "Authorization header must be 'Bearer <jwt>'"),
        ("no token after the scheme", "Authorization header must be 'Bearer <jwt>'"),
        ("missing", "authorization required"),
    ],
)
def test_a_bad_token_is_a_401_with_a_challenge_and_what_to_do(
    app: Flask, client: FlaskClient, user: NotesClient, kind: str, detail: str
) -> None:
    state = app.extensions["notes"]
    week_ago = datetime.now(UTC) - timedelta(seconds=state.settings.token_ttl + 60)
    headers = {
        "malformed": {"Authorization": "Bearer not-a-jwt"},
        "tampered": {"Authorization": f"Bearer {tampered(user.token)}"},
        "expired": {
            "Authorization": f"Bearer {state.tokens.issue(auth_id(app, user.email), week_ago)}"
        },
        "other scheme": {"Authorization": f"Token {user.token}"},
        "no token after the scheme": {"Authorization": "Bearer "},
        "missing": {},
    }[kind]
    response = client.get("/api/notes", headers=headers)
    assert response.status_code == 401, f"{kind}: {response.status_code}"
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert str(problem(response)["detail"]).startswith(detail), problem(response)


def test_the_token_of_a_deleted_user_is_a_401(app: Flask, client: FlaskClient) -> None:
    gone = register(client)
    with app.extensions["notes"].db.transaction() as session:
        session.execute(sa.delete(User).where(User.email == gone.email))
    response = gone.get("/api/notes")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert problem(response)["detail"] == "token is no longer valid; log in again"


def protected_operations(app: Flask) -> list[tuple[str, str]]:
    """``(method, concrete URL)`` of every route under /api/notes and /api/search."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/notes", "/api/search")):
            continue
        url = PLACEHOLDER.sub(lambda m: "1" if m[1] == "int" else "sample", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_every_notes_and_search_route_needs_a_token(app: Flask, client: FlaskClient) -> None:
    operations = protected_operations(app)
    assert len(operations) >= 6, operations  # the walk found the API, not an empty map
    open_routes = [
        f"{method} {url}: {response.status_code}"
        for method, url in operations
        if (response := client.open(url, method=method, json={})).status_code != 401
        or response.headers.get("WWW-Authenticate") != CHALLENGE
    ]
    assert not open_routes, open_routes


def test_a_registration_that_loses_the_race_for_its_email_is_a_409(
    app: Flask, client: FlaskClient
) -> None:
    engine = app.extensions["notes"].db.engine
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite takes the write lock before the check: no writer can come between")
    email = f"racer-{uuid.uuid4().hex[:8]}@example.com"
    raced: list[str] = []

    def register_first(conn: sa.Connection, cursor: object, statement: str, *args: object) -> None:
        # Between this request's check for the email and its INSERT, another one commits it.
        if statement.lstrip().upper().startswith("INSERT INTO NOTES_USERS") and not raced:
            raced.append(email)
            with Session(engine) as other:
                other.add(User(email=email, password_hash="taken"))
                other.commit()

    sa.event.listen(engine, "before_cursor_execute", register_first)
    try:
        response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    finally:
        sa.event.remove(engine, "before_cursor_execute", register_first)
    assert raced == [email], "the INSERT was never reached"
    assert response.status_code == 409, response.get_data(as_text=True)
    assert problem(response)["errors"] == {"email": ["is already registered"]}
