"""The bookshelf's tables as SQLAlchemy 2.0 typed models.

Models describe rows; they never open sessions or commit. Timestamps are timezone-aware UTC
in Python on every backend, whatever the database itself can store (see :class:`UtcDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Dialect, Index, MetaData, String, func
from sqlalchemy.dialects import mysql
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

# Named constraints: the same name on every backend, so errors and migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def same_as_created_at(context: DefaultExecutionContext) -> datetime:
    """A new row was last updated when it was created, to the microsecond."""
    # Defaults run in column order, so created_at already has its value here.
    return context.get_current_parameters()["created_at"]


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite, MySQL and PostgreSQL alike.

    PostgreSQL has ``timestamptz``. SQLite and MySQL's DATETIME store no zone, so the value is
    converted to UTC before it is written and labelled UTC when it is read. A naive datetime is
    refused: nobody can tell which zone it meant.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mysql":
            # Plain DATETIME drops the microseconds; fsp=6 keeps them.
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # practice 3: refuse a naive datetime, and write an aware one as UTC
        # hint: a value without utcoffset() is naive: raise ValueError; astimezone(UTC) converts,
        # hint: and only PostgreSQL keeps the tzinfo, the others get a naive UTC datetime.
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} has no time zone; "
                "pass an aware one, e.g. datetime.now(UTC)"
            )
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)
        # end practice 3

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every Mapped[datetime] column gets the UTC-preserving type.
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


class Book(Base):
    # Prefixed because every day's tests share one database per backend.
    __tablename__ = "day06_books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    # The database enforces uniqueness; the repository only translates its refusal.
    isbn: Mapped[str] = mapped_column(String(13), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # SQLAlchemy passes the context to a default whose signature takes one argument; a lambda
    # keeps that signature visible even when the function is wrapped (by a profiler, a mutator).
    updated_at: Mapped[datetime] = mapped_column(
        default=lambda context: same_as_created_at(context), onupdate=utcnow
    )

    def __repr__(self) -> str:
        return f"Book(id={self.id!r}, isbn={self.isbn!r}, title={self.title!r})"


# The repository filters on lower(author), which an index on plain author cannot serve; an index
# on the expression can. MariaDB cannot index an expression (it would need a generated column),
# so there the filter scans the table.
Index("ix_day06_books_author_lower", func.lower(Book.author)).ddl_if(
    dialect=("sqlite", "postgresql")
)
