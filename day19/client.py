"""The client side of the code flow: a Flask app that logs its users in through the provider.

``GET /login`` makes a ``state`` and a PKCE ``code_verifier``, keeps both in the (Redis)
session and redirects to the provider. ``GET /callback`` checks the state, trades the code and
the verifier for a token, reads ``/userinfo``, then gives the session a new id and stores the
user in it. ``POST /logout`` deletes the session. Settings: ``DAY19_PROVIDER_URL``,
``DAY19_CLIENT_ID``, ``DAY19_CLIENT_SECRET``, ``DAY19_REDIRECT_URI``, ``DAY19_SECRET_KEY``,
``REDIS_URL`` (or ``overrides``).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import redis
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import MismatchingStateException
from flask import Flask, Response, jsonify, redirect, request, session

from day19.provider import SCOPE
from day19.sessions import RedisSessionInterface, end_session, rotate

#: Where this app's sessions live in Redis.
SESSION_PREFIX = "day19:session:"


def create_client(overrides: dict[str, Any] | None = None) -> Flask:
    """The client app; its sessions are stored in the Redis at ``REDIS_URL``."""
    settings = {
        "PROVIDER_URL": os.environ.get("DAY19_PROVIDER_URL", "http://127.0.0.1:9000"),
        "CLIENT_ID": os.environ.get("DAY19_CLIENT_ID", "todo-web"),
        "CLIENT_SECRET": os.environ.get("DAY19_CLIENT_SECRET", "todo-web-secret"),
        "REDIRECT_URI": os.environ.get("DAY19_REDIRECT_URI", "http://127.0.0.1:8080/callback"),
        "SECRET_KEY": os.environ.get("DAY19_SECRET_KEY", "day19-demo-only"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "SESSION_TTL": timedelta(minutes=30),
        **(overrides or {}),
    }
    provider = settings["PROVIDER_URL"].rstrip("/")
    app = Flask(__name__)
    app.secret_key = settings["SECRET_KEY"]
    app.session_interface = RedisSessionInterface(
        redis.Redis.from_url(settings["REDIS_URL"]), SESSION_PREFIX, settings["SESSION_TTL"]
    )

    def oauth(**kwargs: Any) -> OAuth2Session:
        client = OAuth2Session(
            settings["CLIENT_ID"],
            settings["CLIENT_SECRET"],
            scope=SCOPE,
            redirect_uri=settings["REDIRECT_URI"],
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
            **kwargs,
        )
        client.trust_env = False  # straight to the provider, whatever http_proxy says
        return client

    @app.get("/")
    def index() -> Response:
        return jsonify(user=session.get("user"))

    @app.get("/login")
    def login() -> Response:
        verifier = generate_token(48)
        url, state = oauth().create_authorization_url(
            f"{provider}/authorize", code_verifier=verifier
        )
        session["oauth"] = {"state": state, "verifier": verifier}
        return redirect(url)

    @app.get("/callback")
    def callback() -> Any:
        pending = session.pop("oauth", None)
        if pending is None:
            return jsonify(error="no_login_in_progress"), 400
        if "error" in request.args:
            return jsonify(error=request.args["error"]), 400
        try:
            with oauth(state=pending["state"]) as client:
                token = client.fetch_token(
                    f"{provider}/token",
                    authorization_response=request.url,
                    code_verifier=pending["verifier"],
                )
                profile = client.get(f"{provider}/userinfo", timeout=5).json()
        except MismatchingStateException:
            return jsonify(error="mismatching_state"), 400
        except (OAuthError, OAuth2Error) as error:
            return jsonify(error=error.error, error_description=error.description), 400
        rotate(session)  # a session id known before the login is worthless after it
        session["user"] = profile
        session["token_type"] = token["token_type"]
        return redirect("/")

    @app.post("/logout")
    def logout() -> Response:
        end_session(session)
        return jsonify(user=None)

    return app
