"""Profiles and follows: ``/api/profiles/{username}`` and ``…/follow``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from projects.blog_api import schemas
from projects.blog_api.extensions import db_session
from projects.blog_api.models import User, follows, insert_ignoring_duplicates
from projects.blog_api.parsing import Blueprint
from projects.blog_api.queries import no_user, one_or_404, profile_by_username
from projects.blog_api.security import (
    auth_optional,
    auth_required,
    current_user,
    viewer_id,
)
from shared.errors import Unprocessable

blp = Blueprint("profiles", __name__, description="Profiles and follows")


def profile_response(username: str, viewer_id: int | None) -> dict[str, Any]:
    """``{"profile": ...}`` as ``viewer_id`` sees it, or 404."""
    return {"profile": profile_by_username(db_session(), username, viewer_id)}


def followee_id(username: str) -> int:
    """The id of the user called ``username``, or 404."""
    user_id: int = one_or_404(
        db_session(), sa.select(User.id).where(User.username == username), no_user(username)
    )
    return user_id


@blp.route("/profiles/<name:username>", methods=["GET"])
@auth_optional(blp)
@blp.alt_response(200, schema=schemas.ProfileResponse, success=True)
@blp.alt_response(404, schema=schemas.ErrorResponse)
@blp.doc(responses={200: {"links": schemas.PROFILE_LINKS}})
def show_profile(username: str) -> dict[str, Any]:
    """A user's public profile; ``following`` is for the caller (false when anonymous)."""
    return profile_response(username, viewer_id())


@blp.route("/profiles/<name:username>/follow", methods=["POST"])
@auth_required(blp)
@blp.alt_response(200, schema=schemas.ProfileResponse, success=True)
@blp.alt_response(404, schema=schemas.ErrorResponse)
@blp.alt_response(422, schema=schemas.ErrorResponse)
def follow(username: str) -> dict[str, Any]:
    """Follow a user (following twice is fine)."""
    me = current_user()
    target = followee_id(username)
    if target == me.id:
        raise Unprocessable("you cannot follow yourself")
    session = db_session()
    insert_ignoring_duplicates(session, follows, [{"follower_id": me.id, "followee_id": target}])
    session.commit()
    return profile_response(username, me.id)


@blp.route("/profiles/<name:username>/follow", methods=["DELETE"])
@auth_required(blp)
@blp.alt_response(200, schema=schemas.ProfileResponse, success=True)
@blp.alt_response(404, schema=schemas.ErrorResponse)
def unfollow(username: str) -> dict[str, Any]:
    """Stop following a user (a no-op when not following)."""
    me = current_user()
    target = followee_id(username)
    session = db_session()
    session.execute(
        sa.delete(follows).where(follows.c.follower_id == me.id, follows.c.followee_id == target)
    )
    session.commit()
    return profile_response(username, me.id)
