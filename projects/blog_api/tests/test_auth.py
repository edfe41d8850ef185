"""Tokens: what a valid one looks like, and every way a bad one is refused with 401."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from flask.testing import FlaskClient

from projects.blog_api.security import Tokens
from projects.blog_api.tests.support import SECRET, Conduit, assert_error

PROTECTED = "/api/user"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def bad_tokens(valid: str, auth_id: str) -> dict[str, str]:
    """A name for each way a token can be wrong, and the Authorization header showing it."""
    now = datetime.now(UTC)
    header, payload, signature = valid.split(".")
    flipped = signature[:-2] + ("BB" if signature.endswith("AA") else "AA")
    claims = {"sub": auth_id, "iat": now, "exp": now + timedelta(hours=1)}
    forged_claims = _b64({"sub": "someone-else", "iat": 1, "exp": 2**40})
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'sub': auth_id, 'exp': 2**40})}."
    other_secret = "another secret of a decent length 0123456789abcdef"
    no_expiry = {"sub": auth_id, "iat": now}
    return {
        "no scheme": valid,
        "basic scheme": f"Basic {valid}",
        "empty token": "Token ",
        "garbage": "Token not-a-jwt",
        "tampered signature": f"Token {header}.{payload}.{flipped}",
        "tampered payload": f"Token {header}.{forged_claims}.{signature}",
        "alg none": f"Token {unsigned}",
        "other algorithm": f"Token {jwt.encode(claims, SECRET, algorithm='HS512')}",
        "other secret": f"Token {jwt.encode(claims, other_secret, algorithm='HS256')}",
        "expired": f"Token {Tokens(SECRET, 60).issue(auth_id, now=now - timedelta(hours=1))}",
        "no expiry": f"Token {jwt.encode(no_expiry, SECRET, algorithm='HS256')}",
        "unknown user": f"Token {Tokens(SECRET, 60).issue('0' * 32)}",
    }


def auth_id_of(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["sub"]


BAD_KINDS = list(bad_tokens("a.b.c", "x"))


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_a_protected_route_refuses_a_bad_token(conduit: Conduit, kind: str) -> None:
    account = conduit.register()
    header = bad_tokens(account.token, auth_id_of(account.token))[kind]
    response = conduit.client.get(PROTECTED, headers={"Authorization": header})
    assert_error(response, 401, "body")
    assert response.headers["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_an_optional_auth_route_refuses_a_bad_token_too(conduit: Conduit, kind: str) -> None:
    account = conduit.register()
    header = bad_tokens(account.token, auth_id_of(account.token))[kind]
    response = conduit.client.get("/api/articles", headers={"Authorization": header})
    assert_error(response, 401, "body")


def test_an_optional_auth_route_serves_anonymous_requests(client: FlaskClient) -> None:
    assert client.get("/api/articles").status_code == 200


def test_the_token_carries_sub_iat_and_exp_but_no_row_id(conduit: Conduit) -> None:
    account = conduit.register()
    claims = jwt.decode(account.token, SECRET, algorithms=["HS256"])
    assert set(claims) == {"sub", "iat", "exp"}
    assert claims["exp"] - claims["iat"] == 7 * 24 * 3600
    assert not claims["sub"].isdigit()


def test_the_bearer_scheme_is_accepted_as_well(conduit: Conduit) -> None:
    account = conduit.register()
    response = conduit.client.get(PROTECTED, headers={"Authorization": f"Bearer {account.token}"})
    assert response.status_code == 200


def test_an_expired_token_says_so(conduit: Conduit) -> None:
    account = conduit.register()
    expired = bad_tokens(account.token, auth_id_of(account.token))["expired"]
    response = conduit.client.get(PROTECTED, headers={"Authorization": expired})
    assert response.json["errors"]["body"] == ["token has expired; log in again"]
