"""The shortener's one table: a code, the URL it stands for, when it was made, its clicks."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from day44.codes import LENGTH
from shared.columns import NAMING_CONVENTION, UTCDateTime, exact_string, utcnow

#: The longest target URL accepted (what browsers and most servers handle everywhere).
URL_MAX_LENGTH = 2048
#: SQLite only numbers an INTEGER PRIMARY KEY for itself, not a BIGINT one.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Link(Base):
    """A short link. ``code`` is NULL only inside the transaction that creates the row: it is
    made from ``id``, which the database assigns at the INSERT."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Compared byte for byte: MySQL's default collation would make aB7 and Ab7 the same code.
    code: Mapped[str | None] = mapped_column(exact_string(LENGTH), unique=True)
    target: Mapped[str] = mapped_column(sa.String(URL_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    clicks: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
