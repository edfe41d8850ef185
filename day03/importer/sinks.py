"""Where valid rows go. Every sink keeps all of them or none of them.

A sink's ``open()`` is a context manager handing out a writer: leave the ``with`` block
normally and the rows are kept; leave it with an exception and the destination is exactly as
it was before. :class:`JsonLinesSink` gets that from :func:`atomic_write`,
:class:`DatabaseSink` from one database transaction.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Protocol, TextIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from day03.importer.errors import DatabaseRejected, OutputFailed
from day03.importer.rows import Order

logger = logging.getLogger(__name__)


class OrderWriter(Protocol):
    def write(self, orders: Sequence[Order]) -> None: ...


class Sink(Protocol):
    #: Where the rows go, for reports and logs (never a password).
    name: str
    #: False for a sink that only lets the import check the rows.
    keeps_rows: bool

    def open(self) -> AbstractContextManager[OrderWriter]: ...


# --- a file, replaced in one step --------------------------------------------------------------


@contextmanager
def atomic_write(path: str | Path, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Write ``path`` all at once: readers see the old file or the complete new one, never half.

    The text goes to a temporary file in the same folder (a rename cannot cross file systems);
    on success it replaces ``path`` in one rename, on any exception it is removed and ``path``
    is left untouched.
    """
    # practice 3: write a temporary file beside the target and rename it over only on success
    # hint: open the temporary file with mode "x", yield it, flush and fsync; on BaseException
    # hint: close and unlink it and re-raise; after the block, os.replace it onto the target.
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    # "x" refuses to reuse an existing file, and unlike mkstemp it honours the umask.
    with temporary.open("x", encoding=encoding, newline="") as handle:
        logger.debug("writing %s through %s", target, temporary.name)
        try:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the bytes are on disk before the name points at them
        except BaseException:
            handle.close()
            temporary.unlink(missing_ok=True)
            logger.info("discarded %s; %s is unchanged", temporary.name, target)
            raise
    try:
        if target.exists():
            shutil.copymode(target, temporary)  # a replaced file keeps its permissions
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)
    logger.info("replaced %s", target)
    # end practice 3


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable: it lives in the folder's entry, not in the file."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class _JsonLinesWriter:
    def __init__(self, handle: TextIO) -> None:
        self._handle = handle

    def write(self, orders: Sequence[Order]) -> None:
        for order in orders:
            self._handle.write(json.dumps(order.as_json(), ensure_ascii=False) + "\n")


class JsonLinesSink:
    """Orders as JSON Lines (one object per line) in a file replaced only on success."""

    keeps_rows = True

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = str(self.path)

    @contextmanager
    def open(self) -> Iterator[OrderWriter]:
        """A writer into the new file; the file appears only if the block succeeds."""
        if not self.path.parent.is_dir():
            raise OutputFailed(
                f"cannot write {self.path}: the folder {self.path.parent} does not exist"
            )
        if self.path.is_dir():
            raise OutputFailed(f"cannot write {self.path}: it is a folder; name a file instead")
        with atomic_write(self.path) as handle:
            yield _JsonLinesWriter(handle)


# --- a table, filled in one transaction --------------------------------------------------------

metadata = sa.MetaData()

orders_table = sa.Table(
    "imported_orders",
    metadata,
    sa.Column("order_id", sa.String(20), primary_key=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("ordered_on", sa.Date, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", sa.Numeric(10, 2), nullable=False),
)


class _TableWriter:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.inserted = 0

    def write(self, orders: Sequence[Order]) -> None:
        # A list of parameter sets: one executemany round trip per batch, not one per row.
        self._connection.execute(sa.insert(orders_table), [order.as_row() for order in orders])
        self.inserted += len(orders)
        logger.debug("inserted %d rows (%d so far, not committed)", len(orders), self.inserted)


class DatabaseSink:
    """Orders inserted into ``imported_orders`` in ONE transaction: all of them, or none.

    Build the engine with ``shared.db.create_engine``; the table is created when missing.
    """

    keeps_rows = True

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.name = f"{engine.url.render_as_string(hide_password=True)} ({orders_table.name})"

    @contextmanager
    def open(self) -> Iterator[OrderWriter]:
        """A writer inside one transaction, committed only if the block succeeds."""
        try:
            metadata.create_all(self.engine)  # checks first, so an existing table is kept
        except sa.exc.DBAPIError as error:
            raise OutputFailed(f"cannot prepare {self.name}: {_first_line(error)}") from None
        # practice 4: insert in one transaction and turn a database error into an ImportFailed
        # hint: yield from inside `with self.engine.begin()`; catch IntegrityError first, as
        # hint: DatabaseRejected, then any DBAPIError as OutputFailed, both `from error`.
        try:
            # engine.begin(): commit when the block ends normally, roll back on any exception.
            with self.engine.begin() as connection:
                writer = _TableWriter(connection)
                yield writer
        except sa.exc.IntegrityError as error:
            logger.info("rolled back the transaction on %s: %s", self.name, _first_line(error))
            raise DatabaseRejected(
                f"the database refused the rows, so none were inserted: {_first_line(error)}"
            ) from error
        except sa.exc.DBAPIError as error:
            logger.info("rolled back the transaction on %s: %s", self.name, _first_line(error))
            raise OutputFailed(
                f"the database failed mid-import, so none of the rows were inserted: "
                f"{_first_line(error)}"
            ) from error
        except BaseException:
            logger.info("rolled back the transaction on %s; nothing was inserted", self.name)
            raise
        logger.info("committed %d rows to %s", writer.inserted, self.name)
        # end practice 4


def _first_line(error: sa.exc.DBAPIError) -> str:
    """The driver's own message, without SQLAlchemy's statement and parameters."""
    return str(error.orig or error).strip().splitlines()[0]


# --- nowhere -----------------------------------------------------------------------------------


class _Discard:
    def write(self, orders: Sequence[Order]) -> None:
        pass


class CheckOnlySink:
    """Keeps nothing: the import only checks the rows and reports."""

    keeps_rows = False
    name = "nowhere (check only)"

    def open(self) -> AbstractContextManager[OrderWriter]:
        return nullcontext(_Discard())
