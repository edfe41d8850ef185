"""Register, log in, and who the current user is (``Authorization: Bearer <jwt>``).

Passwords and tokens are ``shared.auth``'s, the same code the Blog API uses. A route that
needs a user answers 401 without a token, with a malformed or expired one, and with one whose
user is gone or has changed password since.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import g
from flask.views import MethodView

from projects.notes_ai import schemas
from projects.notes_ai.extensions import db_session, notes_state
from projects.notes_ai.models import User
from projects.notes_ai.parsing import Blueprint
from shared.auth import InvalidToken, presented_token
from shared.errors import Conflict, Unauthorized

blp = Blueprint("auth", __name__, description="Accounts and the tokens that prove who you are")

SCHEMES = {"bearer"}
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="notes"'}
#: OpenAPI security requirement of the routes that need a token.
BEARER_SECURITY = [{"Bearer": []}]

View = TypeVar("View", bound=Callable[..., Any])


def authenticate() -> User:
    """The user the request's token names, or a 401 problem saying what to do."""
    token = presented_token(SCHEMES, CHALLENGE, "'Bearer <jwt>'")
    if token is None:
        raise Unauthorized(
            "authorization required: send 'Authorization: Bearer <token>' with the token from "
            "POST /api/auth/login",
            headers=CHALLENGE,
        )
    state = notes_state()
    try:
        auth_id = state.tokens.subject(token)
    except InvalidToken as error:
        raise Unauthorized(str(error), headers=CHALLENGE) from None
    user = db_session().scalar(sa.select(User).where(User.auth_id == auth_id))
    if user is None:
        raise Unauthorized("token is no longer valid; log in again", headers=CHALLENGE)
    return user


def auth_required(blueprint: Blueprint) -> Callable[[View], View]:
    """``@auth_required(blp)``: a 401 unless the request carries a valid token; documented."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.current_user = authenticate()
            return view(*args, **kwargs)

        documented = blueprint.problem_response(401, "No token, or a token that is not valid")(
            wrapper
        )
        return cast(View, blueprint.doc(security=BEARER_SECURITY)(documented))

    return decorate


def current_user() -> User:
    """The authenticated user (only inside an ``@auth_required(blp)`` view)."""
    return cast(User, g.current_user)


@blp.route("/api/auth/register")
class Register(MethodView):
    @blp.arguments(schemas.Credentials)
    @blp.response(201, schemas.TokenResponse)
    @blp.problem_response(409, "The email is taken")
    def post(self, credentials: dict[str, str]) -> dict[str, str]:
        """Create an account; the answer carries a token, as a login's does."""
        state = notes_state()
        session = db_session()
        email = credentials["email"]
        if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            raise Conflict(
                f"{email} is already registered; log in with POST /api/auth/login",
                errors={"email": ["is already registered"]},
            )
        user = User(email=email, password_hash=state.passwords.hash(credentials["password"]))
        session.add(user)
        try:
            session.commit()
        except sa.exc.IntegrityError:
            # Another request registered the same email between our check and our insert.
            session.rollback()
            raise Conflict(
                f"{email} is already registered; log in with POST /api/auth/login",
                errors={"email": ["is already registered"]},
            ) from None
        return {"token": state.tokens.issue(user.auth_id)}


@blp.route("/api/auth/login")
class Login(MethodView):
    @blp.arguments(schemas.Credentials)
    @blp.response(200, schemas.TokenResponse)
    @blp.problem_response(401, "The email or the password is wrong")
    def post(self, credentials: dict[str, str]) -> dict[str, str]:
        """Exchange an email and password for a token."""
        state = notes_state()
        session = db_session()
        user = session.scalar(sa.select(User).where(User.email == credentials["email"]))
        stored = user.password_hash if user else None
        if user is None or not state.passwords.verify(stored, credentials["password"]):
            raise Unauthorized("email or password is wrong", headers=CHALLENGE)
        if state.passwords.needs_rehash(user.password_hash):
            user.password_hash = state.passwords.hash(credentials["password"])
            session.commit()
        return {"token": state.tokens.issue(user.auth_id)}
