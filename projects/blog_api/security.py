"""Who the current user is: the Blog API's side of ``shared.auth`` (passwords and tokens).

A request proves who it is with ``Authorization: Token <jwt>`` (``Bearer`` is accepted too).
On routes where auth is optional, no header means anonymous, but a header that is present and
wrong (malformed, tampered, expired, another algorithm, a user that no longer exists) is a
401 everywhere: a client with a broken token should hear about it, not silently see the
anonymous view.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from copy import deepcopy
from typing import Any, TypeVar, cast

from flask import current_app, g
from flask_smorest import Blueprint
from sqlalchemy import select

from projects.blog_api.models import User
from projects.blog_api.schemas import ErrorResponse
from shared import auth as shared_auth
from shared.auth import InvalidToken, Passwords, Tokens
from shared.errors import Unauthorized

__all__ = ["InvalidToken", "Passwords", "Tokens", "auth_optional", "auth_required"]
SCHEMES = {"token", "bearer"}
CHALLENGE = {"WWW-Authenticate": 'Token realm="api"'}
#: OpenAPI security requirement of the routes that need ``Authorization: Token <jwt>``.
TOKEN_SECURITY = [{"Token": []}]
#: ... and of the routes where it is optional (``{}`` is OpenAPI's "anonymous is fine too").
TOKEN_OR_ANONYMOUS = [{"Token": []}, {}]

View = TypeVar("View", bound=Callable[..., Any])


def presented_token() -> str | None:
    """The token in the Authorization header, ``None`` when there is no header."""
    return shared_auth.presented_token(SCHEMES, CHALLENGE, "'Token <jwt>'")


def authenticate() -> User | None:
    """The user the request's token names; ``None`` without a header; 401 for a bad token."""
    token = presented_token()
    if token is None:
        return None
    state = current_app.extensions["blog"]
    try:
        auth_id = state.tokens.subject(token)
    except InvalidToken as error:
        raise Unauthorized(str(error), headers=CHALLENGE) from None
    user = state.db.session.scalar(select(User).where(User.auth_id == auth_id))
    if user is None:
        # The user is gone, or changed their password since this token was issued.
        raise Unauthorized("token is no longer valid; log in again", headers=CHALLENGE)
    g.current_user, g.token = user, token
    return user


def auth_required(blp: Blueprint) -> Callable[[View], View]:
    """``@auth_required(blp)``: answer 401 unless the request carries a valid token.

    The decorator also documents what it enforces, the Token requirement and the 401, in the
    operation's OpenAPI entry, so the document cannot drift from the code.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if authenticate() is None:
                raise Unauthorized(
                    "authorization required: send 'Authorization: Token <jwt>'",
                    headers=CHALLENGE,
                )
            return view(*args, **kwargs)

        return documented(blp, wrapper, TOKEN_SECURITY, "No token, or a token that is not valid")

    return checked_blueprint(blp, decorate)


def auth_optional(blp: Blueprint) -> Callable[[View], View]:
    """``@auth_optional(blp)``: let anonymous requests through; a token, if sent, must be valid.

    Documented as "a token, or none" and with the 401 a bad token gets.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            authenticate()
            return view(*args, **kwargs)

        return documented(blp, wrapper, TOKEN_OR_ANONYMOUS, "A token that is not valid")

    return checked_blueprint(blp, decorate)


def checked_blueprint(blp: Blueprint, decorate: Callable[[View], View]) -> Callable[[View], View]:
    """``decorate``, after making sure it was given a blueprint rather than the view itself."""
    if not isinstance(blp, Blueprint):
        raise TypeError("pass the view's blueprint: @auth_required(blp) / @auth_optional(blp)")
    return decorate


def documented(
    blp: Blueprint, view: View, security: list[dict[str, list[str]]], unauthorized: str
) -> View:
    """``view`` with ``security`` and a 401 in its OpenAPI operation.

    flask-smorest's own ``doc`` and ``alt_response`` do the storing, so this merges with the
    view's other decorators the way theirs do.
    """
    view = blp.alt_response(401, schema=ErrorResponse, description=unauthorized)(view)
    return cast(View, blp.doc(security=deepcopy(security))(view))


def current_user() -> User:
    """The authenticated user (only inside an ``@auth_required(blp)`` view)."""
    return cast(User, g.current_user)


def current_user_or_none() -> User | None:
    """The authenticated user, or ``None`` for an anonymous request."""
    return g.get("current_user")


def viewer_id() -> int | None:
    """The caller's user id, ``None`` when anonymous (what the read queries take)."""
    viewer = current_user_or_none()
    return viewer.id if viewer else None


def current_token() -> str:
    """The token the request was authenticated with."""
    return cast(str, g.token)
