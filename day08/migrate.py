"""Run day 08's migrations from code: upgrade, downgrade, where a database is, what is pending.

Every helper takes an :class:`~sqlalchemy.engine.Engine` and hands Alembic an open connection
(``config.attributes["connection"]``), the same way :func:`shared.db.upgrade_to_head` does, so
no alembic.ini is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from day08.models import Base

MIGRATIONS = Path(__file__).with_name("migrations")


class UnknownRevision(ValueError):
    """A revision that is not in the history; the message lists the ones that are."""


@dataclass(frozen=True)
class Revision:
    """One step of the history."""

    id: str
    parent: str | None
    message: str


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for day 08's migrations folder, bound to ``connection`` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def history() -> list[Revision]:
    """Every revision, oldest first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    revisions = [
        Revision(script.revision, script.down_revision, (script.doc or "").strip())
        for script in scripts.walk_revisions()
    ]
    return revisions[::-1]


def head() -> str:
    """The newest revision id."""
    return history()[-1].id


def check_revision(revision: str) -> str:
    """Return ``revision`` if it names a step (an id, ``head`` or ``base``), else raise."""
    known = [step.id for step in history()]
    if revision in ("head", "base", *known):
        return revision
    raise UnknownRevision(
        f"unknown revision {revision!r}; use one of: base, {', '.join(known)}, head"
    )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database forward to ``revision``, in one transaction where the backend can."""
    target = check_revision(revision)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), target)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database back to ``revision`` (``base`` undoes everything)."""
    target = check_revision(revision)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), target)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, ``None`` when it has never been migrated (or is at base)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def pending_changes(engine: Engine) -> list[Any]:
    """What autogenerate would still write to make the database match ``day08/models.py``.

    An empty list means no drift. Each item is one of Alembic's diff tuples, e.g.
    ``("remove_column", None, "users", Column("full_name", ...))``; a list of them means a
    change to one column (type, nullability).
    """
    # practice 3: ask autogenerate what it would still change to make the database match models.py
    # hint: a MigrationContext on a connection (comparing column types too) and the models'
    # hint: metadata are what alembic.autogenerate.compare_metadata compares.
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))
    # end practice 3
