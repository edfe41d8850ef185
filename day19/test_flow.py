"""The code flow end to end: provider and client served on 127.0.0.1, driven with requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from day19.apps import Apps, running_apps
from day19.client import SESSION_PREFIX
from day19.flow import authorize_by_hand, new_browser, query, run_flow, token_request

VERIFIER = "a-verifier-of-forty-three-characters-or-more-0123"


@pytest.fixture(scope="module")
def apps(redis_url: str) -> Iterator[Apps]:
    with running_apps(redis_url) as apps:
        yield apps


def code_for(apps: Apps, verifier: str = VERIFIER) -> str:
    response = authorize_by_hand(apps.provider_url, apps.client_id, apps.redirect_uri, verifier)
    assert response.status_code == 302, response.text
    return query(response.headers["Location"])["code"]


def trade(apps: Apps, code: str, verifier: str = VERIFIER, redirect_uri: str = ""):
    client = (apps.client_id, apps.client_secret)
    return token_request(
        apps.provider_url, client, code, verifier, redirect_uri or apps.redirect_uri
    )


def test_the_whole_flow_logs_the_user_in(apps):
    result = run_flow(apps.client_url)
    assert (result.status, result.body) == (
        200,
        {"user": {"sub": "ada", "name": "Ada Lovelace", "email": "ada@example.org"}},
    )


def test_the_login_session_lives_in_redis_and_logout_deletes_it(apps, redis_client):
    result = run_flow(apps.client_url)
    sid = result.browser.cookies["session"].rsplit(".", 1)[0]
    key = SESSION_PREFIX + sid
    assert list(redis_client.scan_iter(f"{SESSION_PREFIX}*")) == [key]
    assert '"sub": "ada"' in redis_client.get(key)
    assert 1790 <= redis_client.ttl(key) <= 1800
    result.browser.post(f"{apps.client_url}/logout", timeout=10)
    assert redis_client.exists(key) == 0
    assert result.browser.get(f"{apps.client_url}/", timeout=10).json() == {"user": None}


def test_the_authorize_redirect_carries_an_s256_challenge_and_a_state(apps):
    login = new_browser().get(f"{apps.client_url}/login", allow_redirects=False, timeout=10)
    params = query(login.headers["Location"])
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43 and len(params["state"]) >= 20
    assert "code_verifier" not in params


def test_a_good_code_and_verifier_get_a_bearer_token_for_userinfo(apps):
    token = trade(apps, code_for(apps)).json()
    assert token["token_type"].lower() == "bearer" and token["scope"] == "profile"
    me = new_browser().get(
        f"{apps.provider_url}/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    assert me.json()["sub"] == "ada"


def test_a_wrong_code_verifier_is_refused_with_invalid_grant(apps):
    response = trade(apps, code_for(apps), verifier="x" * 48)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_a_reused_code_is_refused_with_invalid_grant(apps):
    code = code_for(apps)
    assert trade(apps, code).status_code == 200
    again = trade(apps, code)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_an_unregistered_redirect_uri_is_refused_without_a_redirect(apps):
    response = authorize_by_hand(
        apps.provider_url, apps.client_id, "http://127.0.0.1:1/steal", VERIFIER
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    assert "Location" not in response.headers


def test_a_redirect_uri_changed_at_the_token_step_is_refused(apps):
    response = trade(apps, code_for(apps), redirect_uri=f"{apps.client_url}/other")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_a_tampered_state_is_refused_by_the_client(apps):
    result = run_flow(apps.client_url, tamper_state=True)
    assert (result.status, result.body) == (400, {"error": "mismatching_state"})


@pytest.mark.parametrize(
    "pkce",
    [{}, {"code_challenge_method": "plain", "code_challenge": VERIFIER}],
    ids=["no-challenge", "plain-method"],
)
def test_an_authorization_request_without_s256_pkce_is_sent_back_with_invalid_request(apps, pkce):
    params = {
        "response_type": "code",
        "client_id": apps.client_id,
        "redirect_uri": apps.redirect_uri,
        "state": "s9",
        **pkce,
    }
    response = new_browser().get(
        f"{apps.provider_url}/authorize", params=params, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text
    back = query(response.headers["Location"])
    assert (back["error"], back["state"]) == ("invalid_request", "s9")


def test_a_wrong_password_gets_no_code(apps):
    result = run_flow(apps.client_url, password="wrong")
    assert result.status == 401


def test_userinfo_without_a_token_is_refused(apps):
    response = new_browser().get(f"{apps.provider_url}/userinfo", timeout=10)
    assert (response.status_code, response.json()["error"]) == (401, "missing_authorization")


def test_a_replayed_callback_finds_no_login_in_progress(apps):
    browser = new_browser()
    login = browser.get(f"{apps.client_url}/login", allow_redirects=False, timeout=10)
    back = browser.post(
        login.headers["Location"],
        data={"username": "ada", "password": "lovelace", "confirm": "yes"},
        allow_redirects=False,
        timeout=10,
    )
    callback = back.headers["Location"]
    assert browser.get(callback, allow_redirects=False, timeout=10).status_code == 302
    again = browser.get(callback, allow_redirects=False, timeout=10)
    assert (again.status_code, again.json()) == (400, {"error": "no_login_in_progress"})


def test_denying_consent_sends_access_denied_back_to_the_client(apps):
    browser = new_browser()
    login = browser.get(f"{apps.client_url}/login", allow_redirects=False, timeout=10)
    back = browser.post(
        login.headers["Location"], data={"confirm": "no"}, allow_redirects=False, timeout=10
    )
    assert query(back.headers["Location"])["error"] == "access_denied"
    done = browser.get(back.headers["Location"], timeout=10)
    assert (done.status_code, done.json()) == (400, {"error": "access_denied"})
