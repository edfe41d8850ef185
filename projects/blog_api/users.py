"""Registration, login and the current user: ``/api/users``, ``/api/users/login``, ``/api/user``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from projects.blog_api import schemas
from projects.blog_api.extensions import blog_state, db_session
from projects.blog_api.models import User, new_auth_id, unique_violation
from projects.blog_api.parsing import Blueprint
from projects.blog_api.security import (
    CHALLENGE,
    auth_required,
    current_token,
    current_user,
)
from shared.errors import Unauthorized, Unprocessable

blp = Blueprint("users", __name__, description="Registration, login and the current user")

TAKEN = "has already been taken"


def user_json(user: User, token: str) -> dict[str, Any]:
    """``{"user": ...}`` in the spec's shape, with ``token``."""
    return {
        "user": {
            "email": user.email,
            "token": token,
            "username": user.username,
            "bio": user.bio,
            "image": user.image,
        }
    }


def taken_fields(
    session: Session, username: str | None, email: str | None, exclude_id: int | None = None
) -> dict[str, list[str]]:
    """Which of ``username``/``email`` another user already has, as field errors."""
    clauses = []
    if username is not None:
        clauses.append(User.username == username)
    if email is not None:
        clauses.append(User.email == email)
    if not clauses:
        return {}
    query = sa.select(User.username, User.email).where(sa.or_(*clauses))
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    errors: dict[str, list[str]] = {}
    for other_username, other_email in session.execute(query):
        if other_username == username:
            errors["username"] = [TAKEN]
        if other_email == email:
            errors["email"] = [TAKEN]
    return errors


def commit_unique_user(session: Session) -> None:
    """Commit; a unique-key race lost to another request answers 422, like the pre-check."""
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        field = unique_violation(error, "users", ("username", "email"))
        if field is None:
            raise
        raise Unprocessable(f"{field} {TAKEN}", errors={field: [TAKEN]}) from None


@blp.route("/users", methods=["POST"])
@blp.arguments(schemas.NewUserRequest)
@blp.alt_response(201, schema=schemas.UserResponse, success=True)
@blp.alt_response(422, schema=schemas.ErrorResponse)
@blp.doc(responses={201: {"links": schemas.USER_LINKS}})
def register(new_user: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Register a new user."""
    state = blog_state()
    session = db_session()
    email = new_user["email"]
    if errors := taken_fields(session, new_user["username"], email):
        raise Unprocessable("already registered", errors=errors)
    user = User(
        auth_id=new_auth_id(),
        username=new_user["username"],
        email=email,
        password_hash=state.passwords.hash(new_user["password"]),
    )
    session.add(user)
    commit_unique_user(session)
    return user_json(user, state.tokens.issue(user.auth_id)), 201


@blp.route("/users/login", methods=["POST"])
@blp.arguments(schemas.LoginRequest)
@blp.alt_response(200, schema=schemas.UserResponse, success=True)
@blp.alt_response(401, schema=schemas.ErrorResponse)
@blp.alt_response(429, schema=schemas.ErrorResponse, description="Too many login attempts")
def login(credentials: dict[str, Any]) -> dict[str, Any]:
    """Log in with email and password; rate-limited per client address."""
    state = blog_state()
    session = db_session()
    user = session.scalar(sa.select(User).where(User.email == credentials["email"]))
    # Verified even for an unknown email, so response times do not reveal who has an account.
    matches = state.passwords.verify(user.password_hash if user else None, credentials["password"])
    if user is None or not matches:
        raise Unauthorized("email or password is invalid", headers=CHALLENGE)
    if state.passwords.needs_rehash(user.password_hash):
        user.password_hash = state.passwords.hash(credentials["password"])
        session.commit()
    return user_json(user, state.tokens.issue(user.auth_id))


@blp.route("/user", methods=["GET"])
@auth_required(blp)
@blp.alt_response(200, schema=schemas.UserResponse, success=True)
def me() -> dict[str, Any]:
    """The user the token belongs to (the same token comes back)."""
    return user_json(current_user(), current_token())


@blp.route("/user", methods=["PUT"])
@auth_required(blp)
@blp.arguments(schemas.UpdateUserRequest)
@blp.alt_response(200, schema=schemas.UserResponse, success=True)
@blp.alt_response(422, schema=schemas.ErrorResponse)
def update_me(changes: dict[str, Any]) -> dict[str, Any]:
    """Change any of username, email, password, bio, image (``""`` or null clears bio/image).

    A new password signs out every other token; the response carries a fresh one.
    """
    state = blog_state()
    session = db_session()
    user = current_user()
    errors = taken_fields(session, changes.get("username"), changes.get("email"), user.id)
    if errors:
        raise Unprocessable("already registered", errors=errors)
    token = current_token()
    for field in ("username", "email", "bio", "image"):
        if field in changes:
            setattr(user, field, changes[field])
    if "password" in changes:
        user.password_hash = state.passwords.hash(changes["password"])
        user.auth_id = new_auth_id()
        token = state.tokens.issue(user.auth_id)
    commit_unique_user(session)
    return user_json(user, token)
