"""Comments on an article: ``/api/articles/{slug}/comments`` and ``…/comments/{id}``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from projects.blog_api import schemas
from projects.blog_api.extensions import db_session
from projects.blog_api.models import Article, Comment
from projects.blog_api.parsing import Blueprint
from projects.blog_api.queries import (
    comment_by_id,
    comments_on,
    no_article,
    no_comment,
    one_or_404,
)
from projects.blog_api.security import (
    auth_optional,
    auth_required,
    current_user,
    viewer_id,
)
from shared.errors import Forbidden

blp = Blueprint("comments", __name__, description="Comments on articles")

# Ids beyond a 32-bit INTEGER cannot exist; asking the database would be an overflow error.
ID_MAX = 2**31 - 1


def article_id_for(slug: str) -> int:
    """The id of the article with ``slug``, or 404."""
    article_id: int = one_or_404(
        db_session(), sa.select(Article.id).where(Article.slug == slug), no_article(slug)
    )
    return article_id


@blp.route("/articles/<name:slug>/comments", methods=["GET"])
@auth_optional(blp)
@blp.alt_response(200, schema=schemas.CommentsResponse, success=True)
@blp.alt_response(404, schema=schemas.ErrorResponse)
def list_comments(slug: str) -> dict[str, Any]:
    """Every comment on the article, newest first."""
    return {"comments": comments_on(db_session(), article_id_for(slug), viewer_id())}


@blp.route("/articles/<name:slug>/comments", methods=["POST"])
@auth_required(blp)
@blp.arguments(schemas.NewCommentRequest)
@blp.alt_response(200, schema=schemas.CommentResponse, success=True)
@blp.alt_response(404, schema=schemas.ErrorResponse)
@blp.alt_response(422, schema=schemas.ErrorResponse)
@blp.doc(responses={200: {"links": schemas.COMMENT_LINKS}})
def add_comment(new: dict[str, Any], slug: str) -> dict[str, Any]:
    """Comment on an article (the spec answers 200, not 201)."""
    session = db_session()
    me = current_user()
    comment = Comment(body=new["body"], article_id=article_id_for(slug), author_id=me.id)
    session.add(comment)
    session.commit()
    return {"comment": comment_by_id(session, comment.id, me.id)}


@blp.route("/articles/<name:slug>/comments/<int:comment_id>", methods=["DELETE"])
@auth_required(blp)
@blp.alt_response(204, description="Deleted", success=True)
@blp.alt_response(403, schema=schemas.ErrorResponse)
@blp.alt_response(404, schema=schemas.ErrorResponse)
def delete_comment(slug: str, comment_id: int) -> tuple[str, int]:
    """Delete a comment (its author only)."""
    session = db_session()
    article_id = article_id_for(slug)
    # A larger id cannot exist, and comparing with it would overflow the column.
    same_id = Comment.id == comment_id if comment_id <= ID_MAX else sa.false()
    comment: Comment = one_or_404(
        session,
        sa.select(Comment).where(same_id, Comment.article_id == article_id),
        no_comment(slug, comment_id),
    )
    if comment.author_id != current_user().id:
        raise Forbidden("only the comment's author may delete it")
    session.delete(comment)
    session.commit()
    return "", 204
