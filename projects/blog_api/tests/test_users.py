"""Registration, login and the current user (POST /users, POST /users/login, GET/PUT /user)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from projects.blog_api import users
from projects.blog_api.models import User
from projects.blog_api.security import Passwords
from projects.blog_api.tests.support import PASSWORD, Conduit, assert_error, unique


def test_register_answers_201_with_the_user_and_a_token(client: FlaskClient) -> None:
    name = unique()
    response = client.post(
        "/api/users",
        json={"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}},
    )
    assert response.status_code == 201, response.json
    user = response.json["user"]
    assert set(user) == {"email", "token", "username", "bio", "image"}
    assert (user["username"], user["email"], user["bio"], user["image"]) == (
        name,
        f"{name}@example.com",
        None,
        None,
    )
    assert user["token"].count(".") == 2


def test_register_stores_the_email_in_lower_case(client: FlaskClient) -> None:
    name = unique()
    response = client.post(
        "/api/users",
        json={"user": {"username": name, "email": f"{name}@Example.COM", "password": PASSWORD}},
    )
    assert response.json["user"]["email"] == f"{name}@example.com"


def test_register_refuses_a_taken_username(conduit: Conduit) -> None:
    taken = conduit.register()
    response = conduit.client.post(
        "/api/users",
        json={
            "user": {"username": taken.username, "email": "x" + taken.email, "password": PASSWORD}
        },
    )
    assert_error(response, 422, "username")


def test_register_refuses_a_taken_email_whatever_its_case(conduit: Conduit) -> None:
    taken = conduit.register()
    response = conduit.client.post(
        "/api/users",
        json={"user": {"username": unique(), "email": taken.email.upper(), "password": PASSWORD}},
    )
    assert_error(response, 422, "email")


def test_usernames_differing_only_in_case_are_different_users(conduit: Conduit) -> None:
    lower = unique("ab")
    conduit.register(lower)
    conduit.register(
        lower.upper(), email=f"{unique()}@example.com"
    )  # asserts 201, on MySQL too (binary collation)


@pytest.mark.parametrize("field", ["username", "email"])
def test_a_unique_key_race_lost_in_the_database_answers_422(
    conduit: Conduit, monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    taken = conduit.register()
    # As if another request registered the same name between our check and our insert.
    monkeypatch.setattr(users, "taken_fields", lambda *args, **kwargs: {})
    new = {"username": unique(), "email": f"{unique()}@example.com", "password": PASSWORD}
    new[field] = getattr(taken, field)
    response = conduit.client.post("/api/users", json={"user": new})
    assert_error(response, 422, field)


def test_login_answers_the_user_and_a_fresh_token(conduit: Conduit) -> None:
    account = conduit.register()
    response = conduit.client.post(
        "/api/users/login", json={"user": {"email": account.email, "password": PASSWORD}}
    )
    assert response.status_code == 200, response.json
    assert response.json["user"]["username"] == account.username
    assert response.json["user"]["token"]


def test_login_ignores_the_case_of_the_email(conduit: Conduit) -> None:
    account = conduit.register()
    response = conduit.client.post(
        "/api/users/login",
        json={"user": {"email": account.email.upper(), "password": PASSWORD}},
    )
    assert response.status_code == 200, response.json


def test_login_refuses_a_wrong_password(conduit: Conduit) -> None:
    account = conduit.register()
    response = conduit.client.post(
        "/api/users/login", json={"user": {"email": account.email, "password": "wrong password"}}
    )
    assert_error(response, 401, "body")


def test_login_refuses_an_unknown_email_with_the_same_answer(client: FlaskClient) -> None:
    response = client.post(
        "/api/users/login",
        json={"user": {"email": f"{unique()}@example.com", "password": PASSWORD}},
    )
    assert_error(response, 401, "body")
    assert response.json["errors"]["body"] == ["email or password is invalid"]


def test_login_upgrades_a_hash_made_with_older_parameters(app: Flask, conduit: Conduit) -> None:
    account = conduit.register()
    engine = app.extensions["blog"].db.engine
    by_name = sa.select(User).where(User.username == account.username)
    with Session(engine) as session, session.begin():
        session.scalars(by_name).one().password_hash = Passwords(2, 16, 1).hash(PASSWORD)
    response = conduit.client.post(
        "/api/users/login", json={"user": {"email": account.email, "password": PASSWORD}}
    )
    assert response.status_code == 200
    with Session(engine) as session:
        upgraded = session.scalars(by_name).one().password_hash
    assert not app.extensions["blog"].passwords.needs_rehash(upgraded), upgraded


def test_current_user_answers_the_user_with_the_same_token(conduit: Conduit) -> None:
    account = conduit.register()
    response = conduit.client.get("/api/user", headers=account.headers)
    assert response.status_code == 200, response.json
    assert response.json["user"]["username"] == account.username
    assert response.json["user"]["token"] == account.token


def test_current_user_needs_a_token(client: FlaskClient) -> None:
    assert_error(client.get("/api/user"), 401, "body")


def test_update_user_changes_the_given_fields_only(conduit: Conduit) -> None:
    account = conduit.register()
    response = conduit.client.put(
        "/api/user",
        json={"user": {"bio": "I like dragons", "image": "https://example.com/me.png"}},
        headers=account.headers,
    )
    assert response.status_code == 200, response.json
    user = response.json["user"]
    assert (user["username"], user["email"]) == (account.username, account.email)
    assert (user["bio"], user["image"]) == ("I like dragons", "https://example.com/me.png")


@pytest.mark.parametrize("cleared", ["", None, "   "])
def test_update_user_clears_bio_and_image_with_empty_or_null(
    conduit: Conduit, cleared: str | None
) -> None:
    account = conduit.register(bio="x")
    conduit.client.put(
        "/api/user",
        json={"user": {"bio": "old", "image": "https://example.com/a.png"}},
        headers=account.headers,
    )
    response = conduit.client.put(
        "/api/user", json={"user": {"bio": cleared, "image": cleared}}, headers=account.headers
    )
    assert response.status_code == 200, response.json
    assert (response.json["user"]["bio"], response.json["user"]["image"]) == (None, None)


def test_update_user_can_change_username_and_email(conduit: Conduit) -> None:
    account = conduit.register()
    new_name = unique()
    response = conduit.client.put(
        "/api/user",
        json={"user": {"username": new_name, "email": f"{new_name}@example.com"}},
        headers=account.headers,
    )
    assert response.status_code == 200, response.json
    assert conduit.client.get(f"/api/profiles/{new_name}").status_code == 200
    # The token names the account, not the username, so it keeps working.
    assert conduit.client.get("/api/user", headers=account.headers).status_code == 200


def test_update_user_stores_the_new_email_in_lower_case(conduit: Conduit) -> None:
    account = conduit.register()
    name = unique()
    response = conduit.client.put(
        "/api/user", json={"user": {"email": f" {name}@Example.COM "}}, headers=account.headers
    )
    assert response.status_code == 200, response.json
    assert response.json["user"]["email"] == f"{name}@example.com"
    login = conduit.client.post(
        "/api/users/login", json={"user": {"email": f"{name}@EXAMPLE.com", "password": PASSWORD}}
    )
    assert login.status_code == 200, login.json


def test_an_email_is_measured_after_lower_casing_it(client: FlaskClient) -> None:
    # 162 characters as sent, 312 lower-cased ("İ" becomes "i" and a combining dot).
    email = "İ" * 150 + "@example.com"
    response = client.post(
        "/api/users",
        json={"user": {"username": unique(), "email": email, "password": PASSWORD}},
    )
    assert_error(response, 422, "email")


def test_update_user_keeps_an_unchanged_email_without_calling_it_taken(conduit: Conduit) -> None:
    account = conduit.register()
    response = conduit.client.put(
        "/api/user", json={"user": {"email": account.email}}, headers=account.headers
    )
    assert response.status_code == 200, response.json


def test_update_user_refuses_another_users_username(conduit: Conduit) -> None:
    account, other = conduit.register(), conduit.register()
    response = conduit.client.put(
        "/api/user", json={"user": {"username": other.username}}, headers=account.headers
    )
    assert_error(response, 422, "username")


def test_a_new_password_works_and_signs_out_older_tokens(conduit: Conduit) -> None:
    account = conduit.register()
    response = conduit.client.put(
        "/api/user", json={"user": {"password": "a brand new secret"}}, headers=account.headers
    )
    assert response.status_code == 200, response.json
    fresh = response.json["user"]["token"]
    assert fresh != account.token
    assert_error(conduit.client.get("/api/user", headers=account.headers), 401, "body")
    assert (
        conduit.client.get("/api/user", headers={"Authorization": f"Token {fresh}"}).status_code
        == 200
    )
    login = conduit.client.post(
        "/api/users/login",
        json={"user": {"email": account.email, "password": "a brand new secret"}},
    )
    assert login.status_code == 200


def test_update_user_needs_at_least_one_field(conduit: Conduit) -> None:
    account = conduit.register()
    response = conduit.client.put("/api/user", json={"user": {}}, headers=account.headers)
    assert_error(response, 422, "user")


def test_no_response_leaks_the_password_hash_or_internal_ids(conduit: Conduit) -> None:
    account = conduit.register()
    bodies = [
        conduit.client.get("/api/user", headers=account.headers).get_data(as_text=True),
        conduit.client.get(f"/api/profiles/{account.username}").get_data(as_text=True),
    ]
    for body in bodies:
        for secret in ("argon2", "password", "auth_id", '"id"', PASSWORD):
            assert secret not in body, f"{secret!r} leaked in {body}"
