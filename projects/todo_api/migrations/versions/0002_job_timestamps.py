"""completed_at and reminded_at, for the background jobs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

The purge job deletes todos completed more than N days ago, so completion needs a time of its
own; a todo already completed when this runs gets its ``updated_at``, the latest moment it can
have been completed. ``reminded_at`` is when a reminder job last ran for the todo.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("completed_at", "reminded_at")


def utc_timestamp() -> sa.types.TypeEngine:
    """timestamptz on PostgreSQL; DATETIME(6) (microseconds) on MySQL."""
    return sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("todos", sa.Column(name, utc_timestamp(), nullable=True))
    todos = sa.table(
        "todos",
        sa.column("completed", sa.Boolean()),
        sa.column("updated_at", utc_timestamp()),
        sa.column("completed_at", utc_timestamp()),
    )
    op.execute(
        todos.update().where(todos.c.completed == sa.true()).values(completed_at=todos.c.updated_at)
    )


def downgrade() -> None:
    # SQLite before 3.35 cannot drop a column: batch mode copies the table there.
    with op.batch_alter_table("todos") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
