"""Drive the code flow by hand with requests: every redirect is read, printed and followed.

:func:`run_flow` goes browser-style from the client's ``/login`` to its ``/`` showing the
user; :func:`start_authorization` and :func:`token_request` are the single steps the tests
bend (a wrong verifier, a reused code, another redirect_uri).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import requests

Say = Callable[[str], None]


@dataclass
class FlowResult:
    """What a run of the flow ended with."""

    status: int
    body: dict
    browser: requests.Session
    steps: list[str] = field(default_factory=list)


def new_browser() -> requests.Session:
    """A cookie-keeping HTTP client that ignores proxy settings (everything is on 127.0.0.1)."""
    browser = requests.Session()
    browser.trust_env = False
    return browser


def query(url: str) -> dict[str, str]:
    """The query parameters of ``url``, one value each."""
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def run_flow(
    client_url: str,
    username: str = "ada",
    password: str = "lovelace",
    browser: requests.Session | None = None,
    tamper_state: bool = False,
    say: Say | None = None,
) -> FlowResult:
    """Log in at the client through the provider, following each redirect by hand."""
    browser = browser or new_browser()
    steps: list[str] = []

    def note(line: str) -> None:
        steps.append(line)
        if say:
            say(line)

    login = browser.get(f"{client_url}/login", allow_redirects=False, timeout=10)
    authorize_url = login.headers["Location"]
    params = query(authorize_url)
    note(f"1. GET /login -> {login.status_code}, to the provider's /authorize with")
    note(
        f"   response_type={params['response_type']} client_id={params['client_id']} "
        f"scope={params['scope']} code_challenge_method={params['code_challenge_method']}"
    )
    form = browser.get(authorize_url, timeout=10)
    note(f"2. GET /authorize -> {form.status_code}, the sign-in and consent form")
    answer = browser.post(
        authorize_url,
        data={"username": username, "password": password, "confirm": "yes"},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 302:
        note(f"3. POST /authorize -> {answer.status_code}, no code")
        return FlowResult(answer.status_code, {}, browser, steps)
    callback_url = answer.headers["Location"]
    note(f"3. POST /authorize as {username} -> 302, back to the client's /callback with a code")
    if tamper_state:
        callback_url = callback_url.replace(f"state={query(callback_url)['state']}", "state=forged")
        note("   (the state in the redirect is replaced by 'forged')")
    done = browser.get(callback_url, allow_redirects=False, timeout=10)
    if done.status_code != 302:
        note(f"4. GET /callback -> {done.status_code}: {done.json()}")
        return FlowResult(done.status_code, done.json(), browser, steps)
    note("4. GET /callback -> 302: state checked, code + code_verifier traded for a token,")
    note("   /userinfo read with it, the session id rotated")
    home = browser.get(f"{client_url}/", timeout=10)
    note(f"5. GET / -> {home.status_code}: {home.json()}")
    return FlowResult(home.status_code, home.json(), browser, steps)


def authorize_by_hand(
    provider_url: str,
    client_id: str,
    redirect_uri: str,
    code_verifier: str,
    state: str = "s1",
    browser: requests.Session | None = None,
) -> requests.Response:
    """Ask the provider for a code for ``code_verifier`` (S256) and consent as ada; no follow."""
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    browser = browser or new_browser()
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "profile",
        "state": state,
        "code_challenge": create_s256_code_challenge(code_verifier),
        "code_challenge_method": "S256",
    }
    return browser.post(
        f"{provider_url}/authorize",
        params=params,
        data={"username": "ada", "password": "lovelace", "confirm": "yes"},
        allow_redirects=False,
        timeout=10,
    )


def token_request(
    provider_url: str,
    client: tuple[str, str],
    code: str,
    code_verifier: str,
    redirect_uri: str,
) -> requests.Response:
    """POST /token for ``code``, the client authenticating with HTTP Basic."""
    return new_browser().post(
        f"{provider_url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
            "redirect_uri": redirect_uri,
        },
        auth=client,
        timeout=10,
    )
