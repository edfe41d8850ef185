"""Two ways to read what an article's fields need: one query per article, or one per batch.

``NaiveReader`` runs a statement each time a resolver asks (the N+1 problem); ``BatchedReader``
hands the same questions to strawberry's ``DataLoader``, which collects every key asked for in
one tick of the event loop and calls a batch function once with all of them: one
``SELECT ... WHERE id IN (...)`` per kind of data, whatever the page size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session
from strawberry.dataloader import DataLoader

from projects.blog_api.models import Article, Comment, Tag, User, article_tags, favorites

#: How many of an author's articles ``Profile.articles`` shows, newest first.
ARTICLES_PER_AUTHOR = 5

Value = TypeVar("Value")


@dataclass(frozen=True)
class Person:
    """An author as GraphQL shows it (no ``following``: the endpoint is read-only, anonymous)."""

    id: int
    username: str
    bio: str | None
    image: str | None


@dataclass(frozen=True)
class CommentRow:
    id: int
    body: str
    author_id: int
    created_at: datetime


PERSON_COLUMNS = (User.id, User.username, User.bio, User.image)
COMMENT_COLUMNS = (Comment.id, Comment.body, Comment.author_id, Comment.created_at)
NEWEST_COMMENT_FIRST = (Comment.created_at.desc(), Comment.id.desc())
NEWEST_ARTICLE_FIRST = (Article.created_at.desc(), Article.id.desc())


def article_select() -> sa.Select[Any]:
    """The article columns a page needs, with the favourites count computed in SQL."""
    favorites_count = (
        sa.select(sa.func.count())
        .where(favorites.c.article_id == Article.id)
        .correlate(Article)
        .scalar_subquery()
        .label("favorites_count")
    )
    return sa.select(
        Article.id,
        Article.author_id,
        Article.slug,
        Article.title,
        Article.description,
        Article.body,
        Article.created_at,
        favorites_count,
    )


def users_by_ids(session: Session, ids: Sequence[int]) -> list[Person | None]:
    """The users with ``ids``, in the same order (None for an id with no user): one SELECT."""
    # practice 2: load every user in one statement, then answer in the order of the keys
    # hint: one SELECT ... WHERE users.id IN (ids); look each key up in what came back (or None).
    rows = session.execute(sa.select(*PERSON_COLUMNS).where(User.id.in_(ids)))
    found = {row.id: Person(*row) for row in rows}
    return [found.get(user_id) for user_id in ids]
    # end practice 2


def tags_by_article_ids(session: Session, ids: Sequence[int]) -> list[list[str]]:
    """Each article's tag names, sorted, in the order of ``ids``: one SELECT."""
    # practice 3: one join over article_tags and tags for all the articles at once
    # hint: select (article_id, name) for every id at once, group the names per article, sort them.
    tags: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        sa.select(article_tags.c.article_id, Tag.name)
        .join(Tag, Tag.id == article_tags.c.tag_id)
        .where(article_tags.c.article_id.in_(ids))
    )
    for article_id, name in rows:
        tags[article_id].append(name)
    return [sorted(tags[article_id]) for article_id in ids]
    # end practice 3


def comments_by_article_ids(session: Session, ids: Sequence[int]) -> list[list[CommentRow]]:
    """Each article's comments, newest first, in the order of ``ids``: one SELECT."""
    # practice 4: every comment of every article in one statement, grouped per article
    # hint: WHERE comments.article_id IN (ids) ORDER BY newest first; an empty list for none.
    comments: dict[int, list[CommentRow]] = defaultdict(list)
    rows = session.execute(
        sa.select(Comment.article_id, *COMMENT_COLUMNS)
        .where(Comment.article_id.in_(ids))
        .order_by(*NEWEST_COMMENT_FIRST)
    )
    for article_id, *fields in rows:
        comments[article_id].append(CommentRow(*fields))
    return [comments[article_id] for article_id in ids]
    # end practice 4


def articles_by_author_ids(session: Session, ids: Sequence[int]) -> list[list[Any]]:
    """Each author's newest ``ARTICLES_PER_AUTHOR`` article rows, in the order of ``ids``.

    One SELECT: a window function numbers each author's articles, newest first, and the outer
    query keeps the first few of each; a plain LIMIT would cap the whole batch instead.
    """
    rank = (
        sa.func.row_number()
        .over(partition_by=Article.author_id, order_by=NEWEST_ARTICLE_FIRST)
        .label("rank")
    )
    ranked = article_select().add_columns(rank).where(Article.author_id.in_(ids)).subquery()
    rows = session.execute(
        sa.select(ranked)
        .where(ranked.c.rank <= ARTICLES_PER_AUTHOR)
        .order_by(ranked.c.author_id, ranked.c.rank)
    )
    articles: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        articles[row.author_id].append(row)
    return [articles[author_id] for author_id in ids]


class NaiveReader:
    """One statement per question: what a resolver does when it just asks the database."""

    def __init__(self, session: Session) -> None:
        self.session = session

    async def user(self, user_id: int) -> Person | None:
        row = self.session.execute(sa.select(*PERSON_COLUMNS).where(User.id == user_id)).first()
        return Person(*row) if row else None

    async def tags(self, article_id: int) -> list[str]:
        rows = self.session.scalars(
            sa.select(Tag.name)
            .join(article_tags, article_tags.c.tag_id == Tag.id)
            .where(article_tags.c.article_id == article_id)
        )
        return sorted(rows)

    async def comments(self, article_id: int) -> list[CommentRow]:
        rows = self.session.execute(
            sa.select(*COMMENT_COLUMNS)
            .where(Comment.article_id == article_id)
            .order_by(*NEWEST_COMMENT_FIRST)
        )
        return [CommentRow(*row) for row in rows]

    async def articles(self, author_id: int) -> list[Any]:
        return list(
            self.session.execute(
                article_select()
                .where(Article.author_id == author_id)
                .order_by(*NEWEST_ARTICLE_FIRST)
                .limit(ARTICLES_PER_AUTHOR)
            )
        )


class BatchedReader:
    """The same questions through one DataLoader each, made per request (so is their cache)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.users = self._loader(users_by_ids)
        self.tag_lists = self._loader(tags_by_article_ids)
        self.comment_lists = self._loader(comments_by_article_ids)
        self.article_lists = self._loader(articles_by_author_ids)

    def _loader(
        self, load: Callable[[Session, Sequence[int]], list[Value]]
    ) -> DataLoader[int, Value]:
        async def batch(keys: list[int]) -> list[Value]:
            return load(self.session, keys)

        load_fn: Callable[[list[int]], Awaitable[list[Value]]] = batch
        return DataLoader(load_fn=load_fn)

    async def user(self, user_id: int) -> Person | None:
        return await self.users.load(user_id)

    async def tags(self, article_id: int) -> list[str]:
        return await self.tag_lists.load(article_id)

    async def comments(self, article_id: int) -> list[CommentRow]:
        return await self.comment_lists.load(article_id)

    async def articles(self, author_id: int) -> list[Any]:
        return await self.article_lists.load(author_id)


Reader = NaiveReader | BatchedReader
