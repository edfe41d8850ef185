"""The Todo API's one table, as a typed SQLAlchemy 2.0 model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from projects.todo_api.config import TITLE_COLUMN_MAX
from shared.columns import NAMING_CONVENTION, UTCDateTime, utcnow, when_created

#: Alembic's revision table: a name of its own, so another app's migrations may share the database.
VERSION_TABLE = "todo_alembic_version"


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
