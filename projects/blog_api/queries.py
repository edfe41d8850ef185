"""The read side: the few SELECTs each response is built from, returned as the spec's dicts.

Lists run a fixed number of statements whatever the page size: one count, one page (author,
favourites count, ``favorited`` and ``following`` computed in SQL as columns), and one for the
page's tags. Rows are plain column tuples, not ORM objects, so building a page costs little
more than reading it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from projects.blog_api.models import (
    Article,
    Comment,
    Tag,
    User,
    article_tags,
    favorites,
    follows,
)
from shared.errors import NotFound

Json = dict[str, Any]


def one_or_404(session: Session, statement: sa.Select[Any], message: str) -> Any:
    """What ``statement`` finds first (the bare value when it selects one column or model,
    else the row), or NotFound with ``message``: the one lookup-or-404 of every view."""
    row = session.execute(statement.limit(1)).first()
    if row is None:
        raise NotFound(message)
    return row[0] if len(row) == 1 else row


def no_article(slug: str) -> str:
    return f"no article has the slug {slug!r}"


def no_user(username: str) -> str:
    return f"no user is called {username!r}"


def no_comment(slug: str, comment_id: int) -> str:
    return f"article {slug!r} has no comment {comment_id}"


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``: ``2026-02-05T10:00:00.123Z``."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def following_column(viewer_id: int | None, author_id: Any) -> Any:
    """SQL for "the viewer follows this author", or a constant false for anonymous viewers."""
    if viewer_id is None:
        return sa.false().label("following")
    return (
        sa.exists()
        .where(follows.c.follower_id == viewer_id, follows.c.followee_id == author_id)
        .label("following")
    )


def profile_json(username: str, bio: str | None, image: str | None, following: Any) -> Json:
    """A profile in the spec's shape."""
    return {"username": username, "bio": bio, "image": image, "following": bool(following)}


# --- profiles ---------------------------------------------------------------------------------


def profile_by_username(session: Session, username: str, viewer_id: int | None) -> Json:
    """A user's profile as ``viewer_id`` sees it (one statement), or 404."""
    row = one_or_404(
        session,
        sa.select(User.username, User.bio, User.image, following_column(viewer_id, User.id)).where(
            User.username == username
        ),
        no_user(username),
    )
    return profile_json(*row)


# --- articles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleFilters:
    tag: str | None = None
    author: str | None = None
    favorited: str | None = None
    #: Only authors this user follows (the feed).
    followed_by: int | None = None

    def conditions(self) -> list[Any]:
        conditions: list[Any] = []
        if self.tag is not None:
            tagged = (
                sa.select(article_tags.c.article_id)
                .join(Tag, Tag.id == article_tags.c.tag_id)
                .where(Tag.name == self.tag)
            )
            conditions.append(Article.id.in_(tagged))
        if self.author is not None:
            author_id = sa.select(User.id).where(User.username == self.author).scalar_subquery()
            conditions.append(Article.author_id == author_id)
        if self.favorited is not None:
            favourited = (
                sa.select(favorites.c.article_id)
                .join(User, User.id == favorites.c.user_id)
                .where(User.username == self.favorited)
            )
            conditions.append(Article.id.in_(favourited))
        if self.followed_by is not None:
            followed = sa.select(follows.c.followee_id).where(
                follows.c.follower_id == self.followed_by
            )
            conditions.append(Article.author_id.in_(followed))
        return conditions


def _article_select(viewer_id: int | None, with_body: bool) -> sa.Select[Any]:
    favorites_count = (
        sa.select(sa.func.count())
        .where(favorites.c.article_id == Article.id)
        .correlate(Article)
        .scalar_subquery()
        .label("favorites_count")
    )
    favorited: Any = sa.false().label("favorited")
    if viewer_id is not None:
        favorited = (
            sa.exists()
            .where(favorites.c.article_id == Article.id, favorites.c.user_id == viewer_id)
            .label("favorited")
        )
    columns: list[Any] = [
        Article.id,
        Article.author_id,
        Article.slug,
        Article.title,
        Article.description,
        Article.created_at,
        Article.updated_at,
        favorites_count,
        favorited,
        User.username,
        User.bio,
        User.image,
        following_column(viewer_id, Article.author_id),
    ]
    if with_body:
        columns.append(Article.body)
    return sa.select(*columns).join(User, User.id == Article.author_id)


def _tags_by_article(session: Session, article_ids: Sequence[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    if article_ids:
        rows = session.execute(
            sa.select(article_tags.c.article_id, Tag.name)
            .join(Tag, Tag.id == article_tags.c.tag_id)
            .where(article_tags.c.article_id.in_(article_ids))
        )
        for article_id, name in rows:
            tags[article_id].append(name)
    return tags


def _article_json(row: Any, tags: Iterable[str], with_body: bool) -> Json:
    article = {
        "slug": row.slug,
        "title": row.title,
        "description": row.description,
        # Sorted here, by code point, so the order is the same on every database.
        "tagList": sorted(tags),
        "createdAt": timestamp(row.created_at),
        "updatedAt": timestamp(row.updated_at),
        "favorited": bool(row.favorited),
        "favoritesCount": row.favorites_count,
        "author": profile_json(row.username, row.bio, row.image, row.following),
    }
    if with_body:
        article["body"] = row.body
    return article


@dataclass(frozen=True)
class ArticlePage:
    """One page of articles in the spec's shape, the total match count, and whose they are."""

    articles: list[Json]
    total: int
    article_ids: tuple[int, ...]
    author_ids: tuple[int, ...]


def article_page(
    session: Session,
    filters: ArticleFilters,
    viewer_id: int | None,
    limit: int,
    offset: int,
) -> ArticlePage:
    """One page of matching articles (newest first, without ``body``) and the total count."""
    conditions = filters.conditions()
    total = session.scalar(sa.select(sa.func.count()).select_from(Article).where(*conditions))
    rows = session.execute(
        _article_select(viewer_id, with_body=False)
        .where(*conditions)
        .order_by(Article.created_at.desc(), Article.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    tags = _tags_by_article(session, [row.id for row in rows])
    return ArticlePage(
        articles=[_article_json(row, tags[row.id], with_body=False) for row in rows],
        total=total or 0,
        article_ids=tuple(row.id for row in rows),
        author_ids=tuple(row.author_id for row in rows),
    )


def article_by_slug(session: Session, slug: str, viewer_id: int | None) -> Json:
    """One article with its body, as the viewer sees it (two statements), or 404."""
    row = one_or_404(
        session,
        _article_select(viewer_id, with_body=True).where(Article.slug == slug),
        no_article(slug),
    )
    return _article_json(row, _tags_by_article(session, [row.id])[row.id], with_body=True)


# --- tags -------------------------------------------------------------------------------------


def popular_tags(session: Session) -> list[str]:
    """Tags in use, most used first (ties by name)."""
    uses = sa.func.count(article_tags.c.article_id)
    rows = session.execute(
        sa.select(Tag.name)
        .join(article_tags, article_tags.c.tag_id == Tag.id)
        .group_by(Tag.id, Tag.name)
        .order_by(uses.desc(), Tag.name)
    )
    return [name for (name,) in rows]


# --- comments ---------------------------------------------------------------------------------


def _comment_select(viewer_id: int | None) -> sa.Select[Any]:
    return sa.select(
        Comment.id,
        Comment.body,
        Comment.created_at,
        Comment.updated_at,
        User.username,
        User.bio,
        User.image,
        following_column(viewer_id, Comment.author_id),
    ).join(User, User.id == Comment.author_id)


def _comment_json(row: Any) -> Json:
    return {
        "id": row.id,
        "createdAt": timestamp(row.created_at),
        "updatedAt": timestamp(row.updated_at),
        "body": row.body,
        "author": profile_json(row.username, row.bio, row.image, row.following),
    }


def comments_on(session: Session, article_id: int, viewer_id: int | None) -> list[Json]:
    """Every comment on an article, newest first, in one statement."""
    rows = session.execute(
        _comment_select(viewer_id)
        .where(Comment.article_id == article_id)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    return [_comment_json(row) for row in rows]


def comment_by_id(session: Session, comment_id: int, viewer_id: int | None) -> Json | None:
    """One comment in the spec's shape (one statement)."""
    row = session.execute(_comment_select(viewer_id).where(Comment.id == comment_id)).first()
    return _comment_json(row) if row else None
