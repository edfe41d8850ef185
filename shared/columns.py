"""What the capstones' SQLAlchemy models share: constraint names, UTC timestamps.

- ``NAMING_CONVENTION``: every index and constraint gets a predictable name, so a migration
  can drop or alter it on every backend (SQLite's batch mode needs names to find them).
- ``UTCDateTime``: a timezone-aware UTC datetime on every backend, with microseconds.
- ``utcnow`` and ``when_created``: the insert defaults of ``created_at`` and ``updated_at``.
- ``exact_string``, ``long_text`` and ``new_auth_id``: column types that mean the same on every
  backend, and the opaque id a user's tokens name.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect

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
    """``updated_at``'s insert default: the row's ``created_at``, read from the same INSERT.

    Two calls to :func:`utcnow` can land a microsecond apart, and a new row would then look
    as if it had been edited at once.
    """
    return context.get_current_parameters()["created_at"]  # type: ignore[no-any-return]


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend, with microseconds.

    PostgreSQL keeps the zone (``timestamptz``); MySQL and SQLite store a naive value, so it is
    written as UTC and read back with ``tzinfo=UTC``. MySQL's ``DATETIME`` drops fractions
    unless asked, which would lose milliseconds and the order of rows written in one second.
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


def exact_string(length: int) -> sa.types.TypeEngine[str]:
    """VARCHAR compared byte for byte everywhere: MySQL's default collation would make
    ``Alice``/``alice`` and ``é``/``e`` the same name, SQLite and PostgreSQL would not."""
    return sa.String(length).with_variant(
        mysql.VARCHAR(length, collation="utf8mb4_bin"), "mysql", "mariadb"
    )


def long_text() -> sa.types.TypeEngine[str]:
    """TEXT, but MEDIUMTEXT on MySQL, whose TEXT stops at 64 KiB."""
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def new_auth_id() -> str:
    """A random identifier for a user's tokens (32 hex characters)."""
    return uuid.uuid4().hex
