"""The todos table.

Revision ID: 0001
Revises:
Create Date: 2026-12-02

Types are spelled out here rather than imported from models.py, so this revision keeps
building the same schema whatever the models become later.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def utc_timestamp() -> sa.types.TypeEngine:
    """timestamptz on PostgreSQL; DATETIME(6) (microseconds) on MySQL."""
    return sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "todos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("completed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=True),
        sa.Column("created_at", utc_timestamp(), nullable=False),
        sa.Column("updated_at", utc_timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_todos")),
    )


def downgrade() -> None:
    op.drop_table("todos")
