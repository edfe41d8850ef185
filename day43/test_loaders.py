"""The batch functions behind the loaders: one SELECT for many keys, answers in key order."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from day43.conftest import Blog
from day43.loaders import (
    ARTICLES_PER_AUTHOR,
    BatchedReader,
    NaiveReader,
    articles_by_author_ids,
    comments_by_article_ids,
    tags_by_article_ids,
    users_by_ids,
)
from projects.blog_api.models import Article, User
from shared.testing import QueryCounter, count_queries

MISSING = 10**9


@pytest.fixture
def session(blog: Blog) -> Iterator[Session]:
    with blog.app.extensions["blog"].db.session_factory() as session:
        yield session


def user_id(session: Session, username: str) -> int:
    return session.scalar(sa.select(User.id).where(User.username == username))


def article_id(session: Session, slug: str) -> int:
    return session.scalar(sa.select(Article.id).where(Article.slug == slug))


def selects(blog: Blog) -> AbstractContextManager[QueryCounter]:
    return count_queries(blog.app.extensions["blog"].db.engine)


def test_users_come_back_in_the_order_of_the_ids_with_none_for_a_missing_one(
    blog: Blog, session: Session
) -> None:
    writer, critic = user_id(session, blog.writer.username), user_id(session, blog.critic.username)
    with selects(blog) as counter:
        found = users_by_ids(session, [critic, MISSING, writer])
    assert [person and person.username for person in found] == [
        blog.critic.username,
        None,
        blog.writer.username,
    ]
    assert counter.count == 1, counter.statements


def test_tags_come_sorted_per_article_with_an_empty_list_for_a_missing_one(
    blog: Blog, session: Session
) -> None:
    busy = article_id(session, blog.busy_slug)
    with selects(blog) as counter:
        found = tags_by_article_ids(session, [MISSING, busy])
    assert found == [[], [blog.shared_tag]]
    assert counter.count == 1, counter.statements


def test_comments_come_newest_first_per_article_with_an_empty_list_for_a_missing_one(
    blog: Blog, session: Session
) -> None:
    busy = article_id(session, blog.busy_slug)
    with selects(blog) as counter:
        found = comments_by_article_ids(session, [busy, MISSING, busy])
    assert [[c.body for c in comments] for comments in found] == [
        ["third", "second", "first"],
        [],
        ["third", "second", "first"],
    ]
    assert counter.count == 1, counter.statements


def test_each_author_gets_their_newest_articles_however_many_authors_are_asked(
    blog: Blog, session: Session
) -> None:
    writer = user_id(session, blog.writer.username)
    columnist = user_id(session, blog.columnist.username)
    with selects(blog) as counter:
        found = articles_by_author_ids(session, [columnist, MISSING, writer])
    titles = [[row.title for row in rows] for rows in found]
    assert titles == [
        ["Column 2", "Column 1", "Column 0"],
        [],
        [f"Article {n}" for n in range(19, 19 - ARTICLES_PER_AUTHOR, -1)],
    ]
    assert counter.count == 1, counter.statements


def test_the_batched_reader_answers_loads_made_together_with_one_select(
    blog: Blog, session: Session
) -> None:
    ids = [user_id(session, account.username) for account in (blog.writer, blog.reader)]
    reader = BatchedReader(session)

    async def load_together() -> list[str]:
        people = await asyncio.gather(*(reader.user(i) for i in [*ids, *ids]))
        return [person.username for person in people if person]

    with selects(blog) as counter:
        names = asyncio.run(load_together())
    assert names == [blog.writer.username, blog.reader.username] * 2
    assert counter.count == 1, counter.statements


def test_the_naive_reader_runs_one_select_per_load(blog: Blog, session: Session) -> None:
    ids = [user_id(session, account.username) for account in (blog.writer, blog.reader)]
    reader = NaiveReader(session)

    async def load_together() -> list[object]:
        return await asyncio.gather(*(reader.user(i) for i in [*ids, *ids]))

    with selects(blog) as counter:
        asyncio.run(load_together())
    assert counter.count == 4, counter.statements
