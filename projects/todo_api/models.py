"""The Todo API's one table, as a typed SQLAlchemy 2.0 model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from projects.todo_api.config import TITLE_COLUMN_MAX

#: Alembic's revision table: a name of its own, so another app's migrations may share the database.
VERSION_TABLE = "todo_alembic_version"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def when_created(context: Any) -> datetime:
    """``updated_at``'s insert default: the row's ``created_at``, so a new todo does not look
    edited because two clock reads landed a microsecond apart."""
    return context.get_current_parameters()["created_at"]  # type: ignore[no-any-return]


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend, with microseconds.

    PostgreSQL keeps the zone (``timestamptz``); MySQL and SQLite store a naive value, written
    as UTC and read back with ``tzinfo=UTC``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware one, e.g. utcnow()")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Todo(Base):
    """One thing to do. ``order`` is the client's own sort key (``sort_order`` in SQL, where
    ORDER is a reserved word)."""

    __tablename__ = "todos"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_COLUMN_MAX))
    completed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    order: Mapped[int | None] = mapped_column("sort_order", sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=when_created, onupdate=utcnow
    )
    #: When ``completed`` last became true (None while it is false); the purge job reads it.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the last reminder job for this todo ran (None: never).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"Todo(id={self.id!r}, title={self.title!r}, completed={self.completed!r})"


@sa.event.listens_for(Todo.completed, "set", active_history=True)
def _stamp_completion(todo: Todo, value: bool, previous: Any, _initiator: Any) -> None:
    """Keep ``completed_at`` with ``completed``: stamped when it turns true (a repeated
    ``true`` keeps the first stamp), cleared when it turns false."""
    if value and previous is not True:
        todo.completed_at = utcnow()
    elif not value:
        todo.completed_at = None
