"""Split full_name into first_name and last_name, make them required, drop full_name.

The data half: each full name splits at its first space ("Ludwig van Beethoven" becomes
"Ludwig" and "van Beethoven"; "Cher" becomes "Cher" and ""). The downgrade joins the parts back
with one space. Runs of whitespace collapse to one space on the way, so a round trip keeps every
name but not stray spaces.

The rule lives here rather than being imported from the app: a migration must keep doing what it
did on the day it was written, whatever the app's code becomes.

Revision ID: 0003_split_full_name
Revises: 0002_add_name_parts
Create Date: 2026-11-23 09:20:00
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

revision = "0003_split_full_name"
down_revision = "0002_add_name_parts"
branch_labels = None
depends_on = None

NAME_LENGTH = 200
BATCH_SIZE = 500

# A snapshot of the table as this revision sees it, not the app's model, which will move on.
users = sa.table(
    "users",
    sa.column("id", sa.Integer()),
    sa.column("full_name", sa.String(NAME_LENGTH)),
    sa.column("first_name", sa.String(NAME_LENGTH)),
    sa.column("last_name", sa.String(NAME_LENGTH)),
)


def split_full_name(full_name: str) -> tuple[str, str]:
    """'Ada Lovelace' -> ('Ada', 'Lovelace'); 'Cher' -> ('Cher', '')."""
    # practice 1: split a full name at its first space, after collapsing runs of whitespace
    # hint: str.split() with no argument drops stray spaces at both ends and between words;
    # hint: str.partition splits once and gives an empty rest when there is no space.
    first, _, rest = " ".join(full_name.split()).partition(" ")
    return first, rest
    # end practice 1


def join_name(first_name: str, last_name: str) -> str:
    """The inverse of split_full_name for names it produced."""
    return f"{first_name} {last_name}" if last_name else first_name


def rows_in_batches(bind: sa.Connection, *columns: sa.ColumnElement) -> Iterator[Sequence[sa.Row]]:
    """Every user's id and ``columns``, BATCH_SIZE rows at a time, by ascending id."""
    last_id: int | None = None
    while True:
        query = sa.select(users.c.id, *columns).order_by(users.c.id).limit(BATCH_SIZE)
        if last_id is not None:
            query = query.where(users.c.id > last_id)
        rows = bind.execute(query).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def upgrade() -> None:
    bind = op.get_bind()
    fill_parts = (
        users.update()
        .where(users.c.id == sa.bindparam("user_id"))
        .values(first_name=sa.bindparam("first"), last_name=sa.bindparam("last"))
    )
    for rows in rows_in_batches(bind, users.c.full_name):
        parts = [(row.id, *split_full_name(row.full_name)) for row in rows]
        bind.execute(
            fill_parts,
            [{"user_id": id_, "first": first, "last": last} for id_, first, last in parts],
        )

    with op.batch_alter_table("users") as batch:
        batch.alter_column("first_name", existing_type=sa.String(NAME_LENGTH), nullable=False)
        batch.alter_column("last_name", existing_type=sa.String(NAME_LENGTH), nullable=False)
        batch.drop_column("full_name")


def downgrade() -> None:
    bind = op.get_bind()
    # practice 2: refuse the downgrade, before any change, if a joined name outgrows full_name
    # hint: collect the ids whose join_name is longer than NAME_LENGTH, batch by batch, and raise
    # hint: ValueError naming them (the test pins the exact message) before the first ALTER.
    # Check before changing anything: MySQL commits each ALTER, so a failure half-way would stick.
    too_long = [
        row.id
        for rows in rows_in_batches(bind, users.c.first_name, users.c.last_name)
        for row in rows
        if len(join_name(row.first_name, row.last_name)) > NAME_LENGTH
    ]
    if too_long:
        raise ValueError(
            f"cannot downgrade: users {too_long} have names longer than {NAME_LENGTH} characters "
            "once joined, more than full_name holds; shorten them first"
        )
    # end practice 2

    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("full_name", sa.String(NAME_LENGTH), nullable=True))

    fill_full_name = (
        users.update()
        .where(users.c.id == sa.bindparam("user_id"))
        .values(full_name=sa.bindparam("full"))
    )
    for rows in rows_in_batches(bind, users.c.first_name, users.c.last_name):
        bind.execute(
            fill_full_name,
            [{"user_id": row.id, "full": join_name(row.first_name, row.last_name)} for row in rows],
        )

    with op.batch_alter_table("users") as batch:
        batch.alter_column("full_name", existing_type=sa.String(NAME_LENGTH), nullable=False)
        batch.alter_column("first_name", existing_type=sa.String(NAME_LENGTH), nullable=True)
        batch.alter_column("last_name", existing_type=sa.String(NAME_LENGTH), nullable=True)
