"""Add first_name and last_name, nullable until 0003 fills them.

The schema half of splitting the name: new columns only, so it is safe to run while the old
code still writes full_name.

Revision ID: 0002_add_name_parts
Revises: 0001_create_users
Create Date: 2026-11-23 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_add_name_parts"
down_revision = "0001_create_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("first_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("last_name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_name")
        batch.drop_column("first_name")
