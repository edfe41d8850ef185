"""What Authlib 1.9 does on its own, pinned on the locked version (Flask test client)."""

from __future__ import annotations

from requests.auth import _basic_auth_str

from day19.provider import create_provider

REDIRECT = "http://127.0.0.1:8080/callback"


def code_without_pkce(require_s256: bool):
    app = create_provider({"REQUIRE_S256": require_s256})
    app.testing = True  # an error in a grant reaches the test, not a 500
    client = app.test_client()
    response = client.post(
        "/authorize",
        query_string={
            "response_type": "code",
            "client_id": "todo-web",
            "redirect_uri": REDIRECT,
            "state": "s",
        },
        data={"username": "ada", "password": "lovelace", "confirm": "yes"},
    )
    return client, response


def test_code_challenge_required_alone_lets_a_confidential_client_skip_pkce():
    client, response = code_without_pkce(require_s256=False)
    code = response.headers["Location"].split("code=")[1].split("&")[0]
    token = client.post(
        "/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        headers={"Authorization": _basic_auth_str("todo-web", "todo-web-secret")},
    )
    assert token.status_code == 200, token.json


def test_the_provider_refuses_what_authlib_lets_through():
    _, response = code_without_pkce(require_s256=True)
    assert "error=invalid_request" in response.headers["Location"]
    assert "code=" not in response.headers["Location"]
