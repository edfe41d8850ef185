"""A tiny auth API: register, log in for a signed expiring token, call protected routes with it.

``POST /register`` and ``POST /login`` take ``{"username": …, "password": …}``; ``GET /me`` and
``GET /users/<id>`` need ``Authorization: Bearer <token>``. Every error is RFC 9457 problem
details, and every 401 carries a ``WWW-Authenticate: Bearer`` challenge (RFC 6750).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, Flask, current_app, g, request, url_for
from pydantic_settings import SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from day09.models import Base, User
from day09.passwords import Passwords
from day09.tokens import MIN_SECRET_BYTES, InvalidToken, issue_token, read_token
from shared.config import GENERATE_SECRET, BaseSettings, ConfigError, load_settings, secret
from shared.db import Database
from shared.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Unauthorized,
    Unprocessable,
    register_error_handlers,
)

PREFIX = "DAY09_"
USERNAME_PATTERN = re.compile(r"[a-z0-9_]{3,32}")
PASSWORD_LENGTH = range(8, 129)
WRONG_CREDENTIALS = "username or password is incorrect"
REALM = 'Bearer realm="day09"'
MAX_BODY_BYTES = 16 * 1024

P = ParamSpec("P")
R = TypeVar("R")


class AuthSettings(BaseSettings):
    """Settings read from ``DAY09_*`` (then the plain names), with development defaults."""

    model_config = SettingsConfigDict(env_prefix=PREFIX)

    # Long enough for HS256; production refuses it because it is the default.
    secret_key: str = secret("day09-development-signing-key-change-me-in-production")
    database_url: str = "sqlite://"
    token_ttl: int = 900
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 4


@dataclass(frozen=True)
class Auth:
    """What the views need, stored on the app by :func:`create_app`."""

    settings: AuthSettings
    db: Database
    passwords: Passwords


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``overrides`` take plain names (``{"TOKEN_TTL": 60}``) over the environment.

    Raises :class:`~shared.config.ConfigError` naming the variable when a setting is unusable.
    """
    settings = load_settings(AuthSettings, overrides)
    check_settings(settings)
    app = Flask(__name__)
    # Credentials are a few hundred bytes: refuse megabyte "passwords" before hashing them.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    db = Database.from_url(settings.database_url, var=f"{PREFIX}DATABASE_URL")
    Base.metadata.create_all(db.engine)
    db.init_app(app)
    passwords = Passwords(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_cost,
        parallelism=settings.argon2_parallelism,
    )
    app.extensions["day09"] = Auth(settings, db, passwords)
    register_error_handlers(app)
    app.register_blueprint(routes)
    return app


def check_settings(settings: AuthSettings) -> None:
    """Refuse settings that would start an insecure or broken app, naming the variable."""
    key_bytes = len(settings.secret_key.encode())
    if key_bytes < MIN_SECRET_BYTES:
        raise ConfigError(
            f"{PREFIX}SECRET_KEY is {key_bytes} bytes; HS256 needs at least {MIN_SECRET_BYTES}. "
            f"Generate one: {GENERATE_SECRET}"
        )
    if settings.token_ttl < 1:
        raise ConfigError(f"{PREFIX}TOKEN_TTL must be at least 1 second, got {settings.token_ttl}")
    if settings.argon2_time_cost < 1 or settings.argon2_parallelism < 1:
        raise ConfigError(f"{PREFIX}ARGON2_TIME_COST and {PREFIX}ARGON2_PARALLELISM must be >= 1")
    if settings.argon2_memory_cost < 8 * settings.argon2_parallelism:
        raise ConfigError(
            f"{PREFIX}ARGON2_MEMORY_COST must be at least 8 KiB per lane "
            f"({8 * settings.argon2_parallelism} for {settings.argon2_parallelism} lanes)"
        )


def auth() -> Auth:
    """The current app's settings, database and password hasher."""
    return current_app.extensions["day09"]


# --- input -------------------------------------------------------------------------------------


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 saying what to send."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(
            'request body must be a JSON object like {"username": "ada", "password": "..."} '
            "sent with Content-Type: application/json"
        )
    return body


def missing_text(value: Any) -> str | None:
    """Why ``value`` is not a usable text field, or None when it is."""
    if value is None:
        return "is required"
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    return None if value.strip() else "must not be empty"


def credential_errors(username: Any, password: Any) -> dict[str, list[str]]:
    """What is wrong with a new account's username and password; empty when both are fine."""
    errors: dict[str, list[str]] = {}
    if problem := missing_text(username):
        errors["username"] = [problem]
    elif not USERNAME_PATTERN.fullmatch(normalise_username(username)):
        errors["username"] = ["must be 3 to 32 letters, digits or underscores"]
    if problem := missing_text(password):
        errors["password"] = [problem]
    elif len(password) not in PASSWORD_LENGTH:
        errors["password"] = [
            f"must be {PASSWORD_LENGTH.start} to {PASSWORD_LENGTH.stop - 1} characters long"
        ]
    return errors


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive: "Ada" and "ada" are one account."""
    return username.strip().lower()


# --- authentication ----------------------------------------------------------------------------


def challenge(error: str | None = None) -> dict[str, str]:
    """The RFC 6750 ``WWW-Authenticate`` header, with an error code when one applies."""
    return {"WWW-Authenticate": f'{REALM}, error="{error}"' if error else REALM}


def unauthorized(detail: str, error: str | None = None) -> Unauthorized:
    """A 401 with the challenge; ``error="invalid_token"`` when the token itself was refused."""
    return Unauthorized(detail, headers=challenge(error))


def bearer_token(header: str | None) -> str:
    """The token in an ``Authorization: Bearer <token>`` header, or the error saying what is wrong.

    RFC 6750 §3.1: no credentials, or another scheme, is a bare 401 challenge; a Bearer header
    that is malformed is ``invalid_request``, which is a 400.
    """
    # practice 2: take the token out of 'Bearer <token>': 401 without one, 400 when it is malformed
    # hint: no header or another scheme is a bare 401 challenge; Bearer with no token or two is
    # hint: a 400 with error="invalid_request". Compare the scheme case-insensitively.
    if not header or not header.strip():
        raise unauthorized("missing Authorization header; send 'Authorization: Bearer <token>'")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    # The value is never echoed back: it may be someone's credentials.
    if scheme.lower() != "bearer":
        raise unauthorized(
            "Authorization header must be 'Bearer <token>' with the token from POST /login"
        )
    if not token or " " in token:
        raise BadRequest(
            "Authorization header must be 'Bearer <token>': one token, from POST /login",
            headers=challenge("invalid_request"),
        )
    return token
    # end practice 2


def authenticated_user(header: str | None) -> User:
    """The user a request's bearer token belongs to, or a 401 saying why there is none."""
    settings = auth().settings
    try:
        claims = read_token(bearer_token(header), settings.secret_key)
    except InvalidToken as error:
        raise unauthorized(str(error), error="invalid_token") from None
    user_id = user_id_from_subject(claims.subject)
    user = auth().db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise unauthorized("token's user no longer exists; log in again", error="invalid_token")
    return user


def user_id_from_subject(subject: str) -> int | None:
    """The user id a token's ``sub`` names; None for anything that is not a plain id."""
    # str.isdigit() alone accepts "²"; the length cap keeps the id within a 64-bit column.
    if subject.isascii() and subject.isdigit() and len(subject) <= 18:
        return int(subject)
    return None


def login_required(view: Callable[P, R]) -> Callable[P, R]:
    """Run ``view`` only for a request with a valid bearer token; ``g.user`` is its user."""

    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        g.user = authenticated_user(request.headers.get("Authorization"))
        return view(*args, **kwargs)

    return guarded


# --- routes ------------------------------------------------------------------------------------

routes = Blueprint("auth", __name__)


@routes.post("/register")
def register() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Create an account from a username and password; 201 with the user."""
    body = json_body()
    username, password = body.get("username"), body.get("password")
    if errors := credential_errors(username, password):
        raise Unprocessable("the account cannot be created as sent", errors=errors)
    username = normalise_username(username)
    session = auth().db.session
    taken = f"username {username!r} is already taken; choose another or log in"
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(taken)
    # End the read before the slow hash: no transaction stays open across it, and on SQLite an
    # insert from a read that started before a rival's commit is "database is locked", not 409.
    session.commit()
    user = User(username=username, password_hash=auth().passwords.hash(password))
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        # The failed transaction must be rolled back before this session can ask why it failed.
        session.rollback()
        if session.scalar(select(User.id).where(User.username == username)) is None:
            raise  # not the username after all: a 500, never disguised as "taken"
        # Another request registered the same name between our check and our insert.
        raise Conflict(taken) from None
    return user.to_json(), 201, {"Location": url_for(".user_by_id", user_id=user.id)}


@routes.post("/login")
def login() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Check a username and password; 200 with a bearer token for that user."""
    body = json_body()
    username, password = body.get("username"), body.get("password")
    errors = {
        name: [problem]
        for name, value in (("username", username), ("password", password))
        if (problem := missing_text(value))
    }
    if errors:
        raise Unprocessable("send a username and a password", errors=errors)
    # practice 3: check the credentials at the same cost either way, rehash if due, issue a token
    # hint: an unknown user still costs one Argon2 check (verify_nothing) and gets the same 401;
    # hint: needs_rehash tells when to store a new hash; the body names the token, type and TTL.
    session, passwords = auth().db.session, auth().passwords
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        passwords.verify_nothing(password)
        raise unauthorized(WRONG_CREDENTIALS)
    if not passwords.verify(user.password_hash, password):
        raise unauthorized(WRONG_CREDENTIALS)
    if passwords.needs_rehash(user.password_hash):
        # The only moment the plain password is at hand to upgrade an old hash.
        user.password_hash = passwords.hash(password)
        session.commit()
    ttl = auth().settings.token_ttl
    token = issue_token(str(user.id), auth().settings.secret_key, timedelta(seconds=ttl))
    body = {"access_token": token, "token_type": "Bearer", "expires_in": ttl}
    # RFC 6749 §5.1: responses carrying tokens must not be cached.
    return body, 200, {"Cache-Control": "no-store"}
    # end practice 3


@routes.get("/me")
@login_required
def me() -> dict[str, Any]:
    """The user the bearer token belongs to."""
    return g.user.to_json()


@routes.get("/users/<int:user_id>")
@login_required
def user_by_id(user_id: int) -> dict[str, Any]:
    """One account, readable only by its owner."""
    # Authorization, not authentication: we know who is asking, and the answer is still no.
    if user_id != g.user.id:
        raise Forbidden("you may only read your own account")
    return g.user.to_json()
