"""The auth API through Flask's test client: register, login, /me, and every way in refused."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from day09.app import AuthSettings, create_app
from day09.forgery import unsigned, with_claims, with_signature_altered
from day09.models import User
from day09.tokens import issue_token
from shared.config import ConfigError, load_settings
from shared.testing import BACKENDS

SECRET = "test-signing-key-0123456789-abcdefghij"
TTL = 900
# Microseconds instead of a fifth of a second per hash.
CHEAP_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}
SETTINGS = {"SECRET_KEY": SECRET, "DATABASE_URL": "sqlite://", "TOKEN_TTL": TTL} | CHEAP_HASHING
ADA = {"username": "ada", "password": "correct horse battery"}

SIGNATURE_INVALID = "token signature is invalid; it was altered or signed with another key"


@pytest.fixture
def app() -> Flask:
    return create_app(SETTINGS)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def ada_id(client: FlaskClient) -> int:
    """Ada is registered; her user id."""
    return client.post("/register", json=ADA).get_json()["id"]


@pytest.fixture
def ada_token(client: FlaskClient, ada_id: int) -> str:
    return client.post("/login", json=ADA).get_json()["access_token"]


def problem(response: TestResponse, status: int) -> dict[str, Any]:
    """The problem-details body of ``response``, after checking its status and media type."""
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.get_data(as_text=True)}"
    )
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def get_me(client: FlaskClient, authorization: str | None) -> TestResponse:
    headers = {} if authorization is None else {"Authorization": authorization}
    return client.get("/me", headers=headers)


# --- register ----------------------------------------------------------------------------------


def test_register_creates_the_user_and_returns_it_without_the_hash(client: FlaskClient) -> None:
    response = client.post("/register", json=ADA)

    body = response.get_json()
    assert response.status_code == 201
    assert body == {"id": body["id"], "username": "ada"}
    assert response.headers["Location"] == f"/users/{body['id']}"


def test_register_stores_an_argon2_hash_and_never_the_password(app: Flask, ada_id: int) -> None:
    with app.app_context():
        stored = app.extensions["day09"].db.session.get(User, ada_id).password_hash

    assert stored.startswith("$argon2id$")
    assert ADA["password"] not in stored


def test_register_refuses_a_taken_username_with_409(client: FlaskClient, ada_id: int) -> None:
    body = problem(client.post("/register", json=ADA), 409)

    assert body["detail"] == "username 'ada' is already taken; choose another or log in"


def test_register_treats_usernames_case_insensitively(client: FlaskClient, ada_id: int) -> None:
    response = client.post("/register", json={"username": " ADA ", "password": "another one"})

    assert problem(response, 409)["detail"].startswith("username 'ada' is already taken")


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"password": "long enough"}, {"username": ["is required"]}),
        ({"username": "ada"}, {"password": ["is required"]}),
        (
            {"username": "ad", "password": "short"},
            {
                "username": ["must be 3 to 32 letters, digits or underscores"],
                "password": ["must be 8 to 128 characters long"],
            },
        ),
        (
            {"username": "ada lovelace", "password": "x" * 129},
            {
                "username": ["must be 3 to 32 letters, digits or underscores"],
                "password": ["must be 8 to 128 characters long"],
            },
        ),
        (
            {"username": 7, "password": ["a", "list"]},
            {"username": ["must be a string, not int"], "password": ["must be a string, not list"]},
        ),
        ({"username": "   ", "password": "long enough"}, {"username": ["must not be empty"]}),
    ],
)
def test_register_rejects_invalid_fields_with_422_naming_each(
    client: FlaskClient, payload: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    body = problem(client.post("/register", json=payload), 422)

    assert body["errors"] == errors


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda c: c.post("/register", data="username=ada"), id="form-encoded"),
        pytest.param(lambda c: c.post("/register", json=["ada", "secret"]), id="json-array"),
        pytest.param(
            lambda c: c.post("/register", data="{not json", content_type="application/json"),
            id="broken-json",
        ),
    ],
)
def test_register_rejects_a_body_that_is_not_a_json_object_with_400(
    client: FlaskClient, send: Callable[[FlaskClient], TestResponse]
) -> None:
    body = problem(send(client), 400)

    assert body["detail"] == (
        'request body must be a JSON object like {"username": "ada", "password": "..."} '
        "sent with Content-Type: application/json"
    )


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> str:
    """A new, empty database on each backend."""
    return make_database(request.param)


def test_register_race_gives_the_loser_409_and_keeps_one_account(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(SETTINGS | {"DATABASE_URL": database_url})
    passwords = app.extensions["day09"].passwords
    real_hash, rival_started, rival = passwords.hash, threading.Event(), []

    def register_rival() -> None:
        rival.append(app.test_client().post("/register", json=ADA))

    def hash_after_a_rival_registers(password: str) -> str:
        # Hashing runs after the "is it taken?" check and before the insert: the rival
        # registers the same name, to the end, exactly there.
        if not rival_started.is_set():
            rival_started.set()
            thread = threading.Thread(target=register_rival)
            thread.start()
            thread.join(timeout=30)
        return real_hash(password)

    monkeypatch.setattr(passwords, "hash", hash_after_a_rival_registers)

    loser = app.test_client().post("/register", json=ADA)

    assert [response.status_code for response in rival] == [201]
    body = problem(loser, 409)
    assert body["detail"] == "username 'ada' is already taken; choose another or log in"
    with app.app_context():
        users = app.extensions["day09"].db.session.scalars(select(User.username)).all()
    assert users == ["ada"]
    app.extensions["day09"].db.engine.dispose()


def test_register_reads_a_body_of_exactly_16_kib_and_refuses_one_byte_more(
    client: FlaskClient,
) -> None:
    def body_of(size: int) -> str:
        padding = size - len(json.dumps({"username": "ada", "password": ""}))
        return json.dumps({"username": "ada", "password": "x" * padding})

    at_limit = client.post("/register", data=body_of(16 * 1024), content_type="application/json")
    over = client.post("/register", data=body_of(16 * 1024 + 1), content_type="application/json")

    # At the limit the body is read and judged (the password is too long); over it, never read.
    assert problem(at_limit, 422)["errors"] == {"password": ["must be 8 to 128 characters long"]}
    problem(over, 413)


def test_register_refuses_an_oversized_body_with_413(client: FlaskClient) -> None:
    response = client.post("/register", json={"username": "ada", "password": "x" * 20_000})

    problem(response, 413)


# --- login -------------------------------------------------------------------------------------


def test_login_returns_a_bearer_token_for_the_user_that_expires_after_the_ttl(
    client: FlaskClient, ada_id: int
) -> None:
    response = client.post("/login", json=ADA)

    body = response.get_json()
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert response.status_code == 200
    assert (body["token_type"], body["expires_in"]) == ("Bearer", TTL)
    assert claims["sub"] == str(ada_id)
    assert claims["exp"] - claims["iat"] == TTL
    assert response.headers["Cache-Control"] == "no-store"


def test_login_rejects_a_wrong_password_with_401(client: FlaskClient, ada_id: int) -> None:
    response = client.post("/login", json={"username": "ada", "password": "wrong horse"})

    assert problem(response, 401)["detail"] == "username or password is incorrect"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="day09"'


def test_login_answers_an_unknown_user_exactly_like_a_wrong_password(
    client: FlaskClient, ada_id: int
) -> None:
    wrong_password = client.post("/login", json={"username": "ada", "password": "wrong horse"})
    unknown_user = client.post("/login", json={"username": "bob", "password": "wrong horse"})

    assert problem(unknown_user, 401) == problem(wrong_password, 401)


@pytest.fixture
def argon2_verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hash argon2-cffi is asked to verify a password against, in order."""
    checked: list[str] = []
    real_verify = PasswordHasher.verify

    def recording_verify(self: PasswordHasher, stored_hash: str, password: str) -> bool:
        checked.append(stored_hash)
        return real_verify(self, stored_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", recording_verify)
    return checked


def test_login_for_an_unknown_user_still_verifies_one_argon2_hash_of_the_same_cost(
    client: FlaskClient, ada_id: int, argon2_verifications: list[str]
) -> None:
    client.post("/login", json={"username": "ada", "password": "wrong horse"})
    client.post("/login", json={"username": "bob", "password": "wrong horse"})

    # Timing cannot tell the two apart: each costs one Argon2 check with the same parameters.
    wrong_password, unknown_user = argon2_verifications
    cost = "$argon2id$v=19$m=8,t=1,p=1$"
    assert wrong_password.startswith(cost), wrong_password
    assert unknown_user.startswith(cost), f"expected a decoy hash, got {unknown_user!r}"
    assert unknown_user != wrong_password, "the decoy is no user's hash"


def test_login_rejects_missing_fields_with_422(client: FlaskClient) -> None:
    body = problem(client.post("/login", json={"username": "ada"}), 422)

    assert body["errors"] == {"password": ["is required"]}


def test_login_rehashes_a_password_hashed_with_older_parameters(tmp_path: Path) -> None:
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'users.db'}"}
    old = create_app(SETTINGS | database)
    old.test_client().post("/register", json=ADA)
    new = create_app(SETTINGS | database | {"ARGON2_TIME_COST": 2})

    response = new.test_client().post("/login", json=ADA)

    with new.app_context():
        stored = new.extensions["day09"].db.session.scalar(select(User.password_hash))
    assert response.status_code == 200
    assert ",t=2," in stored, f"expected the hash redone with t=2, got {stored}"


# --- /me and the bearer token ------------------------------------------------------------------


def test_me_returns_the_user_without_the_hash(
    client: FlaskClient, ada_id: int, ada_token: str
) -> None:
    response = get_me(client, f"Bearer {ada_token}")

    assert response.status_code == 200
    assert response.get_json() == {"id": ada_id, "username": "ada"}
    assert "argon2" not in response.get_data(as_text=True)


def test_me_accepts_the_scheme_in_any_case(client: FlaskClient, ada_token: str) -> None:
    assert get_me(client, f"bearer {ada_token}").status_code == 200


def test_me_rejects_a_missing_header_with_a_challenge(client: FlaskClient) -> None:
    response = get_me(client, None)

    body = problem(response, 401)
    assert body["detail"] == "missing Authorization header; send 'Authorization: Bearer <token>'"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="day09"'


@pytest.mark.parametrize(
    "header", ["Basic YWRhOnNlY3JldA==", "eyJhbGciOi.x.y"], ids=["basic-scheme", "no-scheme"]
)
def test_me_answers_another_scheme_with_a_bare_challenge(client: FlaskClient, header: str) -> None:
    response = get_me(client, header)

    body = problem(response, 401)
    assert body["detail"] == (
        "Authorization header must be 'Bearer <token>' with the token from POST /login"
    )
    # RFC 6750 §3.1: a request without Bearer credentials gets no error code.
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="day09"'


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer   ", "Bearer two tokens", "bearer a b c"],
    ids=["no-token", "blank-token", "two-tokens", "three-tokens"],
)
def test_me_rejects_a_malformed_bearer_header_as_invalid_request_400(
    client: FlaskClient, header: str
) -> None:
    response = get_me(client, header)

    body = problem(response, 400)
    assert body["detail"] == (
        "Authorization header must be 'Bearer <token>': one token, from POST /login"
    )
    # RFC 6750 §3.1: invalid_request goes with 400 Bad Request, not 401.
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="day09", error="invalid_request"'


@pytest.mark.parametrize(
    ("forge", "detail"),
    [
        pytest.param(
            lambda token: with_claims(token, sub="2"), SIGNATURE_INVALID, id="payload-tampered"
        ),
        pytest.param(with_signature_altered, SIGNATURE_INVALID, id="signature-tampered"),
        pytest.param(
            unsigned,
            "token algorithm is not allowed; only HS256 tokens are accepted",
            id="alg-none",
        ),
        pytest.param(
            lambda token: token.replace(".", "", 1),
            "token is malformed; expected three base64url parts: header.payload.signature",
            id="garbled-token",
        ),
    ],
)
def test_me_rejects_a_forged_token(
    client: FlaskClient, ada_token: str, forge: Callable[[str], str], detail: str
) -> None:
    response = get_me(client, f"Bearer {forge(ada_token)}")

    assert problem(response, 401)["detail"] == detail
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="day09", error="invalid_token"'


def test_me_rejects_a_token_signed_with_another_secret(client: FlaskClient, ada_id: int) -> None:
    token = issue_token(str(ada_id), "someone-elses-signing-key-0123456789-xyz", timedelta(hours=1))

    assert problem(get_me(client, f"Bearer {token}"), 401)["detail"] == SIGNATURE_INVALID


def test_me_rejects_an_expired_token(client: FlaskClient, ada_id: int) -> None:
    issued = datetime.now(UTC) - timedelta(seconds=TTL + 1)
    token = issue_token(str(ada_id), SECRET, timedelta(seconds=TTL), now=issued)

    body = problem(get_me(client, f"Bearer {token}"), 401)
    assert body["detail"] == "token has expired; log in again for a new one"


@pytest.mark.parametrize(
    "subject",
    ["999", "ada", "²", "9" * 19, "9" * 40],
    ids=["deleted-id", "name", "superscript", "past-64-bits", "huge"],
)
@pytest.mark.filterwarnings("error")  # no lookup by a null key either: SQLAlchemy warns on one
def test_me_rejects_a_token_whose_subject_is_no_user(client: FlaskClient, subject: str) -> None:
    token = issue_token(subject, SECRET, timedelta(minutes=5))

    response = get_me(client, f"Bearer {token}")

    assert problem(response, 401)["detail"] == "token's user no longer exists; log in again"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="day09", error="invalid_token"'


def test_me_finds_a_user_whose_id_has_eighteen_digits(app: Flask, client: FlaskClient) -> None:
    big_id = 10**17  # the longest subject read as an id: 18 digits, well inside 64 bits
    with app.app_context():
        session = app.extensions["day09"].db.session
        session.add(User(id=big_id, username="big", password_hash="unused"))
        session.commit()
    token = issue_token(str(big_id), SECRET, timedelta(minutes=5))

    response = get_me(client, f"Bearer {token}")

    assert response.get_json() == {"id": big_id, "username": "big"}


# --- authorization: who may read what ----------------------------------------------------------


def test_a_user_may_read_their_own_account(
    client: FlaskClient, ada_id: int, ada_token: str
) -> None:
    response = client.get(f"/users/{ada_id}", headers={"Authorization": f"Bearer {ada_token}"})

    assert response.get_json() == {"id": ada_id, "username": "ada"}


def test_a_user_may_not_read_someone_elses_account(client: FlaskClient, ada_token: str) -> None:
    bob = client.post("/register", json={"username": "bob", "password": "bob's password"})

    response = client.get(
        f"/users/{bob.get_json()['id']}", headers={"Authorization": f"Bearer {ada_token}"}
    )

    assert problem(response, 403)["detail"] == "you may only read your own account"


def test_reading_an_account_without_a_token_is_401_not_403(
    client: FlaskClient, ada_id: int
) -> None:
    problem(client.get(f"/users/{ada_id}"), 401)


def test_an_unknown_route_is_a_json_404(client: FlaskClient) -> None:
    problem(client.get("/admin"), 404)


# --- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": "too-short"}, "DAY09_SECRET_KEY is 9 bytes; HS256 needs at least 32"),
        ({"SECRET_KEY": "k" * 31}, "DAY09_SECRET_KEY is 31 bytes; HS256 needs at least 32"),
        # Bytes, not characters: 16 characters of UTF-8 that make 31 bytes are still too short.
        ({"SECRET_KEY": "é" * 15 + "k"}, "DAY09_SECRET_KEY is 31 bytes; HS256 needs at least 32"),
        ({"TOKEN_TTL": 0}, "DAY09_TOKEN_TTL must be at least 1 second, got 0"),
        ({"DATABASE_URL": "not a url"}, "DAY09_DATABASE_URL is not a database URL"),
        ({"ARGON2_TIME_COST": 0}, "DAY09_ARGON2_TIME_COST and DAY09_ARGON2_PARALLELISM must be"),
        ({"ARGON2_PARALLELISM": 0}, "DAY09_ARGON2_TIME_COST and DAY09_ARGON2_PARALLELISM must be"),
        (
            {"ARGON2_MEMORY_COST": 15, "ARGON2_PARALLELISM": 2},
            r"DAY09_ARGON2_MEMORY_COST must be at least 8 KiB per lane \(16 for 2 lanes\)",
        ),
        ({"TOKEN_TTL": "soon"}, "DAY09_TOKEN_TTL must be a whole number, got 'soon'"),
        ({"ARGON2_MEMORY_COST": 4}, "DAY09_ARGON2_MEMORY_COST must be at least 8 KiB per lane"),
        ({"APP_ENV": "production", "SECRET_KEY": None}, "DAY09_SECRET_KEY is still the dev"),
    ],
)
def test_create_app_refuses_unusable_settings_naming_the_variable(
    overrides: dict[str, Any], message: str
) -> None:
    settings = {key: value for key, value in (SETTINGS | overrides).items() if value is not None}

    with pytest.raises(ConfigError, match=message):
        create_app(settings)


@pytest.mark.parametrize("key", ["k" * 32, "é" * 16], ids=["32-ascii", "16-chars-32-bytes"])
def test_create_app_accepts_a_key_of_exactly_32_bytes(key: str) -> None:
    app = create_app(SETTINGS | {"SECRET_KEY": key})

    assert app.extensions["day09"].settings.secret_key == key


@pytest.mark.parametrize(
    "overrides",
    [{"TOKEN_TTL": 1}, {"ARGON2_MEMORY_COST": 16, "ARGON2_PARALLELISM": 2}],
    ids=["one-second-ttl", "8-kib-per-lane"],
)
def test_create_app_accepts_the_smallest_usable_settings(overrides: dict[str, Any]) -> None:
    app = create_app(SETTINGS | overrides)

    settings = app.extensions["day09"].settings
    assert {name.lower(): getattr(settings, name.lower()) for name in overrides} == {
        name.lower(): value for name, value in overrides.items()
    }


def test_the_default_settings_are_a_quarter_hour_token_and_argon2_cffis_cost() -> None:
    settings = load_settings(AuthSettings, {"SECRET_KEY": SECRET})

    assert (settings.token_ttl, settings.database_url) == (900, "sqlite://")
    costs = (settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism)
    assert costs == (3, 65536, 4)
