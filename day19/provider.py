"""A small OAuth 2.0 authorization server with Authlib: the authorization-code grant with PKCE.

One registered client, one user, everything in memory (serve it with one worker):
``GET /authorize`` shows a sign-in and consent form, ``POST /authorize`` issues a code and
redirects back, ``POST /token`` trades the code (with its PKCE ``code_verifier``) for a
bearer token, ``GET /userinfo`` needs that token. Settings come from the environment
(``DAY19_CLIENT_ID``, ``DAY19_CLIENT_SECRET``, ``DAY19_REDIRECT_URI``) or from ``overrides``.
"""

from __future__ import annotations

import hmac
import os
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, Response, jsonify, request
from markupsafe import escape

#: The provider's one user: username -> password and profile.
USERS = {"ada": {"password": "lovelace", "name": "Ada Lovelace", "email": "ada@example.org"}}
#: A code is good for this many seconds, once.
CODE_LIFETIME = 60
SCOPE = "profile"


@dataclass
class Client(ClientMixin):
    """A registered confidential client: it authenticates at /token with HTTP Basic."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    scope: str = SCOPE

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(self.scope.split())
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact match only: no prefixes, no wildcards (RFC 9700).
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    """An issued code, with the PKCE challenge it was issued for."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: str
    code_challenge_method: str
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class Token(TokenMixin):
    """An issued bearer token."""

    access_token: str
    client: Client
    scope: str
    user: str
    expires_at: float

    def check_client(self, client: ClientMixin) -> bool:
        return client.get_client_id() == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int(self.expires_at - time.time()))

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> str:
        return self.user

    def get_client(self) -> Client:
        return self.client


@dataclass
class Store:
    """The provider's state: clients, live codes, issued tokens."""

    clients: dict[str, Client] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)


def make_code_grant(store: Store, require_s256: bool = True) -> type[grants.AuthorizationCodeGrant]:
    """The authorization-code grant, keeping its codes in ``store``.

    With ``require_s256`` every authorization request must carry an S256 ``code_challenge``:
    Authlib's ``CodeChallenge(required=True)`` alone only insists for public clients, so a
    confidential client could otherwise skip PKCE altogether.
    """

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic"]

        def validate_authorization_request(self) -> str:
            # practice 3: refuse an authorization request without an S256 code_challenge
            # hint: let Authlib validate first (the redirect_uri is trusted after it), then raise an
            # hint: InvalidRequestError that goes back to that redirect_uri, with the state.
            redirect_uri = super().validate_authorization_request()
            data = self.request.payload.data
            if require_s256 and (
                not data.get("code_challenge") or data.get("code_challenge_method") != "S256"
            ):
                raise InvalidRequestError(
                    "PKCE is required: send a code_challenge with code_challenge_method=S256",
                    redirect_uri=redirect_uri,
                    state=self.request.payload.state,
                )
            return redirect_uri
            # end practice 3

        def save_authorization_code(self, code: str, req: Any) -> None:
            data = req.payload.data
            store.codes[code] = AuthorizationCode(
                code=code,
                client_id=req.client.client_id,
                redirect_uri=req.payload.redirect_uri,
                scope=req.scope,
                user=req.user,
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                expires_at=time.time() + CODE_LIFETIME,
            )

        def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
            item = store.codes.get(code)
            if item is None or item.client_id != client.client_id:
                return None
            if time.time() >= item.expires_at:
                store.codes.pop(code, None)
                return None
            return item

        def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
            store.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: AuthorizationCode) -> str:
            return authorization_code.user

    return CodeGrant


def consent_page(error: str = "") -> str:
    """The sign-in and consent form; it posts back to the same URL, query string included."""
    message = f"<p role='alert'>{escape(error)}</p>" if error else ""
    return (
        "<!doctype html><title>Sign in to the provider</title>"
        f"<h1>Allow the app to read your profile?</h1>{message}"
        "<form method='post'><input name='username'><input name='password' type='password'>"
        "<button name='confirm' value='yes'>Allow</button>"
        "<button name='confirm' value='no'>Deny</button></form>"
    )


def create_provider(overrides: dict[str, Any] | None = None) -> Flask:
    """The provider app, its one client registered from the environment or ``overrides``."""
    settings = {
        "CLIENT_ID": os.environ.get("DAY19_CLIENT_ID", "todo-web"),
        "CLIENT_SECRET": os.environ.get("DAY19_CLIENT_SECRET", "todo-web-secret"),
        "REDIRECT_URI": os.environ.get("DAY19_REDIRECT_URI", "http://127.0.0.1:8080/callback"),
        "REQUIRE_S256": True,
        **(overrides or {}),
    }
    store = Store()
    client = Client(settings["CLIENT_ID"], settings["CLIENT_SECRET"], (settings["REDIRECT_URI"],))
    store.clients[client.client_id] = client

    def save_token(token: dict[str, Any], req: Any) -> None:
        store.tokens[token["access_token"]] = Token(
            access_token=token["access_token"],
            client=req.client,
            scope=token.get("scope", ""),
            user=req.user,
            expires_at=time.time() + int(token["expires_in"]),
        )

    class Validator(BearerTokenValidator):
        def authenticate_token(self, token_string: str) -> Token | None:
            return store.tokens.get(token_string)

    app = Flask(__name__)
    server = AuthorizationServer(app, query_client=store.clients.get, save_token=save_token)
    server.register_grant(
        make_code_grant(store, settings["REQUIRE_S256"]), [CodeChallenge(required=True)]
    )
    require_oauth = ResourceProtector()
    require_oauth.register_token_validator(Validator())

    def oauth_error(error: OAuth2Error) -> Any:
        """JSON 400 while the redirect_uri is unknown or not registered; a redirect after."""
        return server.handle_error_response(request, error)

    @app.get("/")
    def index() -> Response:
        return jsonify(provider="day19", clients=list(store.clients))

    @app.get("/authorize")
    def authorize_form() -> Any:
        try:
            server.get_consent_grant(end_user=None)
        except OAuth2Error as error:
            return oauth_error(error)
        return consent_page()

    @app.post("/authorize")
    def authorize() -> Any:
        try:
            server.get_consent_grant(end_user=None)
        except OAuth2Error as error:
            return oauth_error(error)
        if request.form.get("confirm") != "yes":
            return server.create_authorization_response(grant_user=None)  # access_denied
        username = request.form.get("username", "")
        user = USERS.get(username)
        if user is None or not hmac.compare_digest(
            request.form.get("password", ""), user["password"]
        ):
            return consent_page("wrong username or password"), 401
        return server.create_authorization_response(grant_user=username)

    @app.post("/token")
    def token() -> Any:
        return server.create_token_response()

    @app.get("/userinfo")
    @require_oauth(SCOPE)
    def userinfo() -> Response:
        from authlib.integrations.flask_oauth2 import current_token

        username = current_token.user
        profile = USERS[username]
        return jsonify(sub=username, name=profile["name"], email=profile["email"])

    return app
