"""Two ways to page through a query: limit/offset, and keyset (a cursor after the last row).

Both take a SQLAlchemy ``select()`` of one entity and a sort key of columns that is unique
together (``(Post.created_at, Post.id)``: the id breaks ties between equal timestamps), newest
first. :func:`offset_page` is what the RealWorld spec asks for (``?limit=20&offset=40``) and
counts every match; :func:`keyset_page` asks for the rows *after* the last one seen, so a row
written between two requests can neither repeat nor hide a row, and a deep page costs what the
first one costs. Its cursor is opaque to clients: base64 of the last row's key.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PaginationError(ValueError):
    """A page was asked for with a bad limit, offset or cursor; the message says which."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows; ``total`` for an offset page, ``next_cursor`` for a keyset page."""

    items: list[T]
    total: int | None = None
    next_cursor: str | None = None


def check_limit(limit: int | None) -> int:
    """``limit``, or :data:`DEFAULT_LIMIT` when it is None; refused unless 1..MAX_LIMIT."""
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise PaginationError(f"limit must be from 1 to {MAX_LIMIT}, got {limit}")
    return limit


def _newest_first(key: Sequence[InstrumentedAttribute[Any]]) -> list[Any]:
    return [column.desc() for column in key]


def offset_page(
    session: Session,
    query: sa.Select[Any],
    key: Sequence[InstrumentedAttribute[Any]],
    *,
    limit: int | None = None,
    offset: int = 0,
) -> Page[Any]:
    """Rows ``offset+1 .. offset+limit`` of ``query`` in ``key`` order, and how many match."""
    limit = check_limit(limit)
    if offset < 0:
        raise PaginationError(f"offset must be 0 or more, got {offset}")
    # practice 1: count every match, then read one page of them newest first
    # hint: count over query.subquery(), so filters are kept; order by the key descending, then
    # hint: limit and offset.
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(*_newest_first(key)).limit(limit).offset(offset)).all()
    return Page(items=list(rows), total=total)
    # end practice 1


def keyset_page(
    session: Session,
    query: sa.Select[Any],
    key: Sequence[InstrumentedAttribute[Any]],
    *,
    limit: int | None = None,
    after: str | None = None,
) -> Page[Any]:
    """The ``limit`` rows of ``query`` that come after the cursor ``after`` in ``key`` order.

    ``next_cursor`` is None on the last page. One row more than asked is read to know that,
    instead of a second query or an empty last page.
    """
    limit = check_limit(limit)
    # practice 2: read the rows after the cursor, and a cursor for the next page if there is one
    # hint: compare the whole key at once with the cursor's values (sa.tuple_), newest first;
    # hint: read one row more than the limit to know whether a next page exists.
    if after is not None:
        values = decode_cursor(after, len(key))
        query = query.where(sa.tuple_(*key) < sa.tuple_(*values))
    rows = list(session.scalars(query.order_by(*_newest_first(key)).limit(limit + 1)).all())
    if len(rows) <= limit:
        return Page(items=rows)
    last = rows[limit - 1]
    return Page(items=rows[:limit], next_cursor=encode_cursor([getattr(last, c.key) for c in key]))
    # end practice 2


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque, URL-safe cursor holding a row's key values (ints, strings, datetimes)."""
    plain = [
        {"at": value.isoformat()} if isinstance(value, datetime) else value for value in values
    ]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The key values in ``cursor``; PaginationError unless it holds exactly ``size`` of them."""
    try:
        # Padding was stripped; the decoder ignores any "=" beyond what is missing.
        plain = json.loads(base64.urlsafe_b64decode(cursor + "=="))
        if isinstance(plain, list) and len(plain) == size:
            return [
                datetime.fromisoformat(item["at"]) if isinstance(item, dict) else item
                for item in plain
            ]
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
        pass
    raise PaginationError(f"not a cursor this API gave out: {cursor!r}")
