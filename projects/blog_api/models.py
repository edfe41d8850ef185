"""The blog's tables as typed SQLAlchemy 2.0 models.

Users write articles and comments, follow each other and favourite articles; articles carry
tags. Every foreign key and every column a list filters on is indexed, and the unique columns
(username, email, slug, tag name) are unique in the database, not only in the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from shared.columns import (
    NAMING_CONVENTION,
    UTCDateTime,
    exact_string,
    long_text,
    new_auth_id,
    utcnow,
    when_created,
)

# Column sizes, shared with the request schemas so that input longer than a column is a 422.
USERNAME_MAX = 64
EMAIL_MAX = 254
PASSWORD_HASH_MAX = 255
BIO_MAX = 2000
IMAGE_MAX = 2048
SLUG_MAX = 255
TITLE_MAX = 255
DESCRIPTION_MAX = 1000
ARTICLE_BODY_MAX = 100_000
COMMENT_BODY_MAX = 10_000
TAG_MAX = 64


class Base(DeclarativeBase):
    """Declarative base whose constraints get predictable names (Alembic needs them)."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


follows = sa.Table(
    "follows",
    Base.metadata,
    sa.Column("follower_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "followee_id",
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    # No CHECK (follower_id <> followee_id): MySQL 8 refuses CHECKs on columns with ON DELETE
    # CASCADE, so following oneself is refused by the API instead.
)

favorites = sa.Table(
    "favorites",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "article_id",
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

article_tags = sa.Table(
    "article_tags",
    Base.metadata,
    sa.Column("article_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ContentVersion(Base):
    """One row whose number goes up with every committed write that can change an article list.

    List pages are cached per process under this number (see ``listcache.py``): reading it is
    one primary-key SELECT, and a write bumps it in its own transaction, so no reader that
    starts after a commit can be served a page from before it.
    """

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class User(Base):
    """Someone who writes, comments, follows and favourites."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What a token's ``sub`` names: opaque, never the row id, and replaced when the password
    #: changes, which signs every older token out.
    auth_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_auth_id)
    username: Mapped[str] = mapped_column(exact_string(USERNAME_MAX), unique=True)
    #: Stored lower-cased, so uniqueness ignores case.
    email: Mapped[str] = mapped_column(exact_string(EMAIL_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(PASSWORD_HASH_MAX))
    bio: Mapped[str | None] = mapped_column(sa.String(BIO_MAX))
    image: Mapped[str | None] = mapped_column(sa.String(IMAGE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=when_created, onupdate=utcnow
    )

    def __repr__(self) -> str:
        return f"<User {self.username!r}>"


class Tag(Base):
    """A label on articles; names are unique."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(exact_string(TAG_MAX), unique=True)

    def __repr__(self) -> str:
        return f"<Tag {self.name!r}>"


class Article(Base):
    """A post, found by its unique slug."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(exact_string(SLUG_MAX), unique=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.String(DESCRIPTION_MAX))
    body: Mapped[str] = mapped_column(long_text())
    author_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Every list is newest first.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=when_created, onupdate=utcnow
    )

    # Written when an article is created; never read through (queries.py selects columns).
    # lazy="raise" makes a read that forgot to load it fail in tests instead of running one
    # query per row in production.
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, lazy="raise")

    def __repr__(self) -> str:
        return f"<Article {self.slug!r}>"


class Comment(Base):
    """A reply to an article."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(sa.Text())
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=when_created, onupdate=utcnow
    )

    def __repr__(self) -> str:
        return f"<Comment {self.id}>"


def insert_ignoring_duplicates(
    session: Session, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows``, silently skipping any that would break a unique key.

    One statement, and safe when two requests race to add the same row (a follow, a
    favourite, a new tag), unlike "select, then insert if missing".
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing()
    else:
        # MySQL has no DO NOTHING; setting a given column to the value it already has is the
        # no-op upsert (INSERT IGNORE would also swallow foreign-key errors).
        statement = mysql.insert(table)
        key = next(iter(rows[0]))
        statement = statement.on_duplicate_key_update({key: statement.inserted[key]})
    session.execute(statement, list(rows))


def ensure_tags(session: Session, names: Iterable[str]) -> list[Tag]:
    """The Tag rows for ``names``, creating the missing ones (two statements)."""
    unique_names = sorted(set(names))
    if not unique_names:
        return []
    insert_ignoring_duplicates(session, Tag.__table__, [{"name": name} for name in unique_names])
    return list(session.scalars(sa.select(Tag).where(Tag.name.in_(unique_names))))


def unique_violation(
    error: sa.exc.IntegrityError, table: str, columns: Iterable[str]
) -> str | None:
    """Which of ``columns`` a unique-constraint error is about, if it names one.

    Backends word it differently (SQLite: ``users.email``; MySQL and PostgreSQL: the
    constraint name ``uq_users_email``), and the naming convention makes both predictable.
    """
    message = str(error.orig)
    for column in columns:
        if f"{table}.{column}" in message or f"uq_{table}_{column}" in message:
            return column
    return None
