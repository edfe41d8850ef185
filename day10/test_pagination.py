"""Offset and keyset pages over a real table, on SQLite, MySQL and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from day10.factories import Factory, Lazy, Sequence
from day10.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PaginationError,
    check_limit,
    decode_cursor,
    encode_cursor,
    keyset_page,
    offset_page,
)

START = datetime(2026, 1, 1, 9, 0)


class Base(DeclarativeBase):
    pass


class Post(Base):
    __tablename__ = "day10_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime]


@pytest.fixture
def db_metadata() -> sa.MetaData:
    return Base.metadata


@pytest.fixture
def posts() -> Factory[Post]:
    """Posts a minute apart, with ids given in order, so the expected order is known."""
    return Factory(
        Post,
        id=Sequence(lambda n: n),
        title=Lazy(lambda post: f"post {post['id']}"),
        created_at=Sequence(lambda n: START + timedelta(minutes=n)),
    )


@pytest.fixture
def make_posts(db_session: Session, posts: Factory[Post]) -> Callable[..., list[Post]]:
    """``make_posts(n, **overrides)``: ``n`` posts written to this test's transaction."""

    def make(size: int, **overrides: Any) -> list[Post]:
        rows = posts.build_batch(size, **overrides)
        db_session.add_all(rows)
        db_session.flush()
        return rows

    return make


KEY = (Post.created_at, Post.id)
ALL = sa.select(Post)


def titles(page: Any) -> list[str]:
    return [post.title for post in page.items]


def test_an_offset_page_is_newest_first_with_the_total_count(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    make_posts(5)

    page = offset_page(db_session, ALL, KEY, limit=2, offset=2)

    assert (titles(page), page.total, page.next_cursor) == (["post 3", "post 2"], 5, None)


def test_an_offset_page_counts_the_filtered_rows_not_the_page(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    make_posts(5)

    page = offset_page(db_session, ALL.where(Post.id > 1), KEY, limit=1)

    assert (titles(page), page.total) == (["post 5"], 4)


def test_an_offset_past_the_end_is_an_empty_page_with_the_count(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    make_posts(3)

    page = offset_page(db_session, ALL, KEY, limit=2, offset=10)

    assert (page.items, page.total) == ([], 3)


def test_offset_pages_repeat_a_row_when_one_is_written_between_them(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    make_posts(4)
    first = offset_page(db_session, ALL, KEY, limit=2)
    make_posts(1)  # post 5, newer than all: everything shifts down by one
    second = offset_page(db_session, ALL, KEY, limit=2, offset=2)

    assert (titles(first), titles(second)) == (["post 4", "post 3"], ["post 3", "post 2"])


def test_offset_pages_hide_a_row_when_one_is_deleted_between_them(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    newest, *_ = reversed(make_posts(5))
    first = offset_page(db_session, ALL, KEY, limit=2)
    db_session.delete(newest)  # post 5, on the first page: everything shifts up by one
    db_session.flush()
    second = offset_page(db_session, ALL, KEY, limit=2, offset=2)

    assert (titles(first), titles(second)) == (["post 5", "post 4"], ["post 2", "post 1"])


def test_keyset_pages_neither_repeat_nor_skip_when_a_row_is_written_between_them(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    make_posts(4)
    first = keyset_page(db_session, ALL, KEY, limit=2)
    make_posts(1)
    second = keyset_page(db_session, ALL, KEY, limit=2, after=first.next_cursor)

    assert (titles(first), titles(second)) == (["post 4", "post 3"], ["post 2", "post 1"])
    assert second.next_cursor is None


def test_keyset_pages_walk_every_row_once_when_timestamps_tie(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    make_posts(5, created_at=START)  # one timestamp for all: the id decides the order
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = keyset_page(db_session, ALL, KEY, limit=2, after=cursor)
        seen += titles(page)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == ["post 5", "post 4", "post 3", "post 2", "post 1"]


def test_a_full_last_keyset_page_has_no_next_cursor(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    make_posts(2)

    page = keyset_page(db_session, ALL, KEY, limit=2)

    assert (titles(page), page.next_cursor, page.total) == (["post 2", "post 1"], None, None)


def test_a_keyset_page_reads_one_row_more_than_it_returns(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    # The extra row says whether there is a next page, without a count or an empty last page.
    make_posts(6)
    limits: list[int | None] = []
    sa.event.listen(db_session, "do_orm_execute", lambda state: limits.append(read_limit(state)))

    keyset_page(db_session, ALL, KEY, limit=2)

    assert limits == [3]


def read_limit(state: Any) -> int | None:
    compiled = state.statement.compile(
        dialect=state.session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    found = re.search(r"LIMIT (\d+)", str(compiled))
    return int(found[1]) if found else None


def test_a_keyset_cursor_holds_the_last_rows_key(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    make_posts(3)

    page = keyset_page(db_session, ALL, KEY, limit=2)

    assert page.next_cursor is not None
    assert decode_cursor(page.next_cursor, 2) == [START + timedelta(minutes=2), 2]


def test_a_keyset_page_keeps_the_querys_filter(
    db_session: Session, make_posts: Callable[..., list[Post]]
) -> None:
    make_posts(6)
    odd = ALL.where(Post.id % 2 == 1)

    first = keyset_page(db_session, odd, KEY, limit=2)
    second = keyset_page(db_session, odd, KEY, limit=2, after=first.next_cursor)

    assert (titles(first), titles(second)) == (["post 5", "post 3"], ["post 1"])


# --- limits and cursors, no database -------------------------------------------------------


def test_no_limit_means_the_default_and_the_bounds_are_allowed() -> None:
    assert (check_limit(None), check_limit(1), check_limit(MAX_LIMIT)) == (
        DEFAULT_LIMIT,
        1,
        MAX_LIMIT,
    )
    assert (DEFAULT_LIMIT, MAX_LIMIT) == (20, 100)


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_a_limit_out_of_range_is_refused(limit: int) -> None:
    with pytest.raises(PaginationError, match=f"^limit must be from 1 to 100, got {limit}$"):
        check_limit(limit)


def test_a_negative_offset_is_refused() -> None:
    with pytest.raises(PaginationError, match=r"^offset must be 0 or more, got -1$"):
        offset_page(None, ALL, KEY, offset=-1)  # type: ignore[arg-type]  # refused before a query


@pytest.mark.parametrize("length", range(8))
def test_a_cursor_of_any_length_has_no_padding_and_round_trips(length: int) -> None:
    values = ["x" * length, length]

    cursor = encode_cursor(values)

    assert not cursor.startswith("=") and not cursor.endswith("="), cursor
    assert decode_cursor(cursor, 2) == values


def test_a_cursor_round_trips_ints_strings_and_datetimes() -> None:
    values = [START, 7, "slug-of-it"]

    cursor = encode_cursor(values)

    assert decode_cursor(cursor, 3) == values
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor, cursor


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        encode_cursor([1]),
        "e30",  # {} in base64
        "eyJhdCI6IDF9",  # {"at": 1}, not a list
        encode_cursor([{"when": "2026"}, 1]),
        "W3siYXQiOiAxfSwgMV0",  # [{"at": 1}, 1]: a timestamp that is not text
        "W3siYXQiOiAibm90IGEgZGF0ZSJ9LCAxXQ",  # [{"at": "not a date"}, 1]
        "_w",  # one byte that is not UTF-8
    ],
    ids=["junk", "too short", "object", "not a list", "no at", "at not text", "bad date", "bytes"],
)
def test_a_cursor_the_api_did_not_give_out_is_refused(cursor: str) -> None:
    with pytest.raises(PaginationError, match=r"^not a cursor this API gave out: "):
        decode_cursor(cursor, 2)
