"""The Redis session interface, on a real Redis, through Flask's test client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from flask import Flask, jsonify, session
from flask.testing import FlaskClient

from day19.sessions import RedisSession, RedisSessionInterface, end_session, rotate

PREFIX = "test:session:"


@pytest.fixture
def app(redis_client: redis.Redis) -> Flask:
    app = Flask(__name__)
    app.testing = True  # an error in the session interface reaches the test, not a 500
    app.secret_key = "test-secret"
    app.session_interface = RedisSessionInterface(redis_client, PREFIX, timedelta(seconds=120))

    @app.get("/")
    def show() -> object:
        return jsonify(dict(session))

    @app.post("/cart/<item>")
    def add(item: str) -> object:
        session["cart"] = [*session.get("cart", []), item]
        return jsonify(dict(session))

    @app.post("/login")
    def login() -> object:
        rotate(session)
        session["user"] = "ada"
        return jsonify(dict(session))

    @app.post("/logout")
    def logout() -> object:
        end_session(session)
        return jsonify({})

    return app


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client


def keys(store: redis.Redis) -> list[str]:
    return sorted(store.scan_iter(f"{PREFIX}*"))


def session_id(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value.rsplit(".", 1)[0]


def test_a_session_is_stored_in_redis_under_its_id_with_a_ttl(client, redis_client):
    client.post("/cart/apple")
    sid = session_id(client)
    assert keys(redis_client) == [PREFIX + sid]
    assert redis_client.get(PREFIX + sid) == '{"cart": ["apple"]}'
    assert 118 <= redis_client.ttl(PREFIX + sid) <= 120


def test_the_cookie_is_only_a_signed_id_httponly_and_samesite_lax(client):
    response = client.post("/cart/apple")
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Max-Age=120" in header, header
    assert "apple" not in header


def test_the_session_is_read_back_on_the_next_request(client):
    client.post("/cart/apple")
    client.post("/cart/pear")
    assert client.get("/").json == {"cart": ["apple", "pear"]}


def test_a_request_that_does_not_touch_the_session_writes_nothing(client, redis_client):
    response = client.get("/")
    assert "Set-Cookie" not in response.headers
    assert keys(redis_client) == []


def test_a_tampered_cookie_is_not_looked_up(client, redis_client):
    client.post("/cart/apple")
    sid = session_id(client)
    client.set_cookie("session", f"{sid}.forged-signature")
    assert client.get("/").json == {}
    client.set_cookie("session", sid)  # an id without a signature is no better
    assert client.get("/").json == {}


def test_login_rotates_the_id_and_deletes_the_old_key(client, redis_client):
    client.post("/cart/apple")
    before = session_id(client)
    assert client.post("/login").json == {"cart": ["apple"], "user": "ada"}
    after = session_id(client)
    assert after != before
    assert keys(redis_client) == [PREFIX + after]


def test_an_id_planted_before_login_is_worthless_after_it(app, client, redis_client):
    client.post("/cart/apple")
    planted = client.get_cookie("session").value
    client.post("/login")
    with app.test_client() as attacker:
        attacker.set_cookie("session", planted)
        assert attacker.get("/").json == {}


def test_logout_deletes_the_key_and_the_cookie(client, redis_client):
    client.post("/login")
    response = client.post("/logout")
    assert keys(redis_client) == []
    assert "session=;" in response.headers["Set-Cookie"]
    assert client.get_cookie("session") is None


def test_a_session_whose_key_expired_starts_empty(client, redis_client):
    client.post("/login")
    redis_client.delete(PREFIX + session_id(client))  # what the TTL does when it runs out
    assert client.get("/").json == {}


def test_saving_a_rotated_session_moves_its_data_to_a_new_key(app, redis_client):
    redis_client.set(PREFIX + "planted", '{"cart": ["apple"]}')
    session = RedisSession({"cart": ["apple"]}, sid="planted")
    rotate(session)
    response = app.response_class()
    app.session_interface.save_session(app, session, response)
    assert session.sid != "planted"
    assert keys(redis_client) == [PREFIX + session.sid]
    assert session.sid in response.headers["Set-Cookie"]
