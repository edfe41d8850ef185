"""Helpers the Blog API tests share: unique names, accounts and the error-shape check."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

SECRET = "a-test-secret-long-enough-for-hs256-and-the-hs512-forgery-test-0123456789"
# argon2's smallest parameters: tests check behaviour, not the cost of guessing passwords.
CHEAP_HASHING = {"PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 8, "PASSWORD_PARALLELISM": 1}
PASSWORD = "correct horse battery"


def settings_for(database_url: str, **overrides: Any) -> dict[str, Any]:
    """create_app overrides for a test app on ``database_url``."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "LOGIN_RATE_LIMIT": "10000 per minute",
        # Not the harness's REDIS_URL from the environment: tests that want Redis say so.
        "REDIS_URL": None,
        "TESTING": True,
        **CHEAP_HASHING,
        **overrides,
    }


def unique(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@dataclass
class Account:
    username: str
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


@dataclass
class Conduit:
    """The API as a learner would call it, with helpers that assert each setup step worked."""

    client: FlaskClient
    accounts: list[Account] = field(default_factory=list)

    def register(
        self, username: str | None = None, email: str | None = None, **extra: Any
    ) -> Account:
        username = username or unique()
        email = email or f"{username}@example.com".lower()
        payload = {"user": {"username": username, "email": email, "password": PASSWORD, **extra}}
        response = self.client.post("/api/users", json=payload)
        assert response.status_code == 201, response.json
        account = Account(username, email, PASSWORD, response.json["user"]["token"])
        self.accounts.append(account)
        return account

    def write(self, author: Account, **fields: Any) -> dict[str, Any]:
        article = {
            "title": "How to train your dragon",
            "description": "Ever wonder how?",
            "body": "Very carefully.",
            **fields,
        }
        response = self.client.post(
            "/api/articles", json={"article": article}, headers=author.headers
        )
        assert response.status_code == 201, response.json
        return response.json["article"]

    def comment(self, author: Account, slug: str, body: str = "Nice!") -> dict[str, Any]:
        response = self.client.post(
            f"/api/articles/{slug}/comments",
            json={"comment": {"body": body}},
            headers=author.headers,
        )
        assert response.status_code == 200, response.json
        return response.json["comment"]

    def favorite(self, account: Account, slug: str) -> None:
        response = self.client.post(f"/api/articles/{slug}/favorite", headers=account.headers)
        assert response.status_code == 200, response.json

    def follow(self, follower: Account, followee: Account) -> None:
        response = self.client.post(
            f"/api/profiles/{followee.username}/follow", headers=follower.headers
        )
        assert response.status_code == 200, response.json


def assert_error(response: Any, status: int, field: str) -> None:
    """The response is ``status`` with the RealWorld error shape naming ``field``."""
    body = response.get_json(silent=True)
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {body}"
    assert isinstance(body, dict) and isinstance(body.get("errors"), dict), body
    assert field in body["errors"], f"expected an error for {field!r}, got {body}"
    messages = body["errors"][field]
    assert messages and all(isinstance(message, str) and message for message in messages), body
