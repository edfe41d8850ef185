"""Sinks keep every row or none: a file replaced atomically, a table filled in one transaction."""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from day03.importer import (
    DatabaseRejected,
    DatabaseSink,
    InvalidRows,
    JsonLinesSink,
    Order,
    OutputFailed,
    atomic_write,
    import_csv,
)
from day03.importer.sinks import orders_table
from shared.db import create_engine


class Boom(Exception):
    """Stands for anything going wrong halfway through a write."""


# --- atomic_write ------------------------------------------------------------------------------


def test_atomic_write_creates_the_file_when_the_block_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"

    with atomic_write(target) as handle:
        handle.write("complete\n")

    assert target.read_text(encoding="utf-8") == "complete\n"
    assert list(tmp_path.iterdir()) == [target], "no temporary file may be left behind"


def test_the_target_is_untouched_while_the_block_is_still_writing(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")

    with atomic_write(target) as handle:
        handle.write("new\n")
        handle.flush()
        during = target.read_text(encoding="utf-8")
        neighbours = sorted(path.name for path in tmp_path.iterdir())

    assert during == "old\n"
    assert len(neighbours) == 2, neighbours
    assert neighbours[0].startswith(".out.txt.") and neighbours[0].endswith(".tmp"), neighbours


def test_an_exception_mid_write_leaves_no_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"

    with pytest.raises(Boom), atomic_write(target) as handle:
        handle.write("half of it\n")
        raise Boom

    assert list(tmp_path.iterdir()) == []


def test_an_exception_mid_write_keeps_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old content\n", encoding="utf-8")

    with pytest.raises(Boom), atomic_write(target) as handle:
        handle.write("new content that never completes")
        raise Boom

    assert target.read_text(encoding="utf-8") == "old content\n"
    assert list(tmp_path.iterdir()) == [target]


def test_ctrl_c_mid_write_also_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"

    with pytest.raises(KeyboardInterrupt), atomic_write(target) as handle:
        handle.write("half of it\n")
        raise KeyboardInterrupt

    assert list(tmp_path.iterdir()) == []


def test_a_successful_write_replaces_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old content\n", encoding="utf-8")

    with atomic_write(target) as handle:
        handle.write("new content\n")

    assert target.read_text(encoding="utf-8") == "new content\n"


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)

    with atomic_write(target) as handle:
        handle.write("new\n")

    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_follows_the_umask_where_mkstemp_would_make_it_private(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "new.txt") as handle:
            handle.write("new\n")
        descriptor, private = tempfile.mkstemp(dir=tmp_path)
        os.close(descriptor)
    finally:
        os.umask(umask)

    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640  # 0o666 & ~0o027
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600


def test_the_json_lines_sink_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    sink = JsonLinesSink(tmp_path / "missing" / "orders.jsonl")

    with pytest.raises(OutputFailed, match=r"the folder .*missing does not exist"), sink.open():
        pass


# --- DatabaseSink, on SQLite, MySQL and PostgreSQL -----------------------------------------------

ORDERS = [
    Order("A-1", "ana@example.com", date(2024, 3, 1), 2, Decimal("19.90")),
    Order("A-2", "ben@example.com", date(2024, 3, 2), 1, Decimal("249.00")),
    Order("A-3", "cy@example.com", date(2024, 3, 3), 7, Decimal("0.99")),
]


@pytest.fixture
def orders_engine(db_url: str) -> Iterator[Engine]:
    """An engine on the backend's database with no ``imported_orders`` table in it yet."""
    engine = create_engine(db_url)
    # The database lives for the whole test session, so each test clears the table it made.
    orders_table.drop(engine, checkfirst=True)
    yield engine
    orders_table.drop(engine, checkfirst=True)
    engine.dispose()


def committed_orders(db_url: str) -> list[sa.Row]:
    """The rows another program would see: a brand-new engine, so only committed data shows."""
    engine = create_engine(db_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.select(orders_table).order_by("order_id")))
    finally:
        engine.dispose()


def test_the_database_sink_inserts_every_row_on_success(
    orders_engine: Engine, db_url: str, clean_sample: Path
) -> None:
    report = import_csv(clean_sample, DatabaseSink(orders_engine), batch_size=4)

    rows = committed_orders(db_url)
    assert report.rows_imported == len(rows) == 6
    expected = ("A-1004", "dmitri.p@example.com", date(2024, 3, 4), 5, Decimal("12.50"))
    assert tuple(rows[3]) == expected


def test_a_unique_violation_mid_way_leaves_nothing_inserted(
    orders_engine: Engine, db_url: str
) -> None:
    sink = DatabaseSink(orders_engine)

    with pytest.raises(DatabaseRejected) as caught, sink.open() as writer:
        writer.write(ORDERS[:2])  # really inserted, inside the transaction
        writer.write([ORDERS[2], ORDERS[0]])  # A-1 again: the primary key refuses it

    assert committed_orders(db_url) == []
    message = str(caught.value)
    assert message.startswith("the database refused the rows, so none were inserted: "), message
    assert "\n" not in message and "INSERT" not in message, message


def test_an_order_already_in_the_table_makes_the_whole_import_insert_nothing(
    orders_engine: Engine, db_url: str, clean_sample: Path
) -> None:
    existing = Order("A-1005", "someone@example.com", date(2023, 1, 1), 1, Decimal("1.00"))
    with DatabaseSink(orders_engine).open() as writer:
        writer.write([existing])

    with pytest.raises(DatabaseRejected):
        # batches of 2: A-1001..A-1004 go in before A-1005 collides with the stored row
        import_csv(clean_sample, DatabaseSink(orders_engine), batch_size=2)

    assert [row.order_id for row in committed_orders(db_url)] == ["A-1005"]


def test_an_invalid_row_after_inserted_rows_rolls_them_back(
    orders_engine: Engine, db_url: str, bad_sample: Path
) -> None:
    with pytest.raises(InvalidRows):
        # batches of 1: line 2 is inserted before line 3 turns out to be bad
        import_csv(bad_sample, DatabaseSink(orders_engine), batch_size=1)

    assert committed_orders(db_url) == []


def test_a_rollback_is_logged(
    orders_engine: Engine, bad_sample: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="day03.importer.sinks")

    with pytest.raises(InvalidRows):
        import_csv(bad_sample, DatabaseSink(orders_engine), batch_size=1)

    messages = [record.getMessage() for record in caplog.records]
    assert any("rolled back the transaction" in message for message in messages), messages
    assert not any(message.startswith("committed") for message in messages), messages


# --- what each database does after a refused row (the lesson's claims, on the servers we run) ---

#: After a duplicate key inside a transaction: does the transaction go on, or is it aborted?
CARRIES_ON_AFTER_A_DUPLICATE = {"sqlite": True, "mysql": True, "postgresql": False}
#: Does the default collation make ``a-1`` and ``A-1`` the same primary key?
IGNORES_CASE_IN_KEYS = {"sqlite": False, "mysql": True, "postgresql": False}


def backend_of(engine: Engine) -> str:
    return engine.url.get_backend_name()


def test_after_a_duplicate_key_only_postgresql_aborts_the_whole_transaction(
    orders_engine: Engine,
) -> None:
    orders_table.create(orders_engine)
    row = ORDERS[0].as_row()
    with orders_engine.connect() as connection:
        connection.execute(sa.insert(orders_table), [row])
        with pytest.raises(sa.exc.IntegrityError):
            connection.execute(sa.insert(orders_table), [row])
        try:
            count = connection.scalar(sa.select(sa.func.count()).select_from(orders_table))
            carried_on = True
        except sa.exc.DBAPIError as error:
            assert "current transaction is aborted" in str(error), error
            carried_on = False
        connection.rollback()

    expected = CARRIES_ON_AFTER_A_DUPLICATE[backend_of(orders_engine)]
    assert carried_on is expected, f"{backend_of(orders_engine)}: carried on = {carried_on}"
    if carried_on:
        assert count == 1, "only the failing statement was undone: the first row is still there"


def test_only_mariadbs_default_collation_makes_order_ids_differing_in_case_collide(
    orders_engine: Engine,
) -> None:
    orders_table.create(orders_engine)
    lower = ORDERS[0].as_row() | {"order_id": "a-1"}
    upper = ORDERS[0].as_row() | {"order_id": "A-1"}

    try:
        with orders_engine.begin() as connection:
            connection.execute(sa.insert(orders_table), [lower, upper])
        collided = False
    except sa.exc.IntegrityError:
        collided = True

    expected = IGNORES_CASE_IN_KEYS[backend_of(orders_engine)]
    assert collided is expected, (
        f"{backend_of(orders_engine)}: 'a-1' and 'A-1' collided = {collided}"
    )


def test_the_database_sink_logs_each_batch_and_the_rows_it_committed(
    orders_engine: Engine, clean_sample: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="day03.importer.sinks")

    import_csv(clean_sample, DatabaseSink(orders_engine), batch_size=4)

    messages = [record.getMessage() for record in caplog.records]
    assert "inserted 4 rows (4 so far, not committed)" in messages, messages
    assert "inserted 2 rows (6 so far, not committed)" in messages, messages
    assert any(message.startswith("committed 6 rows to ") for message in messages), messages


def test_the_json_lines_sink_writes_non_ascii_characters_as_they_are(tmp_path: Path) -> None:
    target = tmp_path / "orders.jsonl"
    order = Order("Ü-1", "zoë@example.com", date(2024, 3, 1), 1, Decimal("1.00"))

    with JsonLinesSink(target).open() as writer:
        writer.write([order])

    line = target.read_text(encoding="utf-8")
    assert '"Ü-1"' in line and '"zoë@example.com"' in line, line


def test_the_database_sink_names_its_destination_without_the_password() -> None:
    engine = create_engine("postgresql://importer:s3cret@127.0.0.1:1/shop")

    name = DatabaseSink(engine).name

    assert "s3cret" not in name and name.endswith(
        "://importer:***@127.0.0.1:1/shop (imported_orders)"
    ), name


def test_a_successful_write_syncs_the_folder_so_the_rename_survives_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced_folders = []
    real_fsync = os.fsync

    def fsync_and_note(descriptor: int) -> None:
        if stat.S_ISDIR(os.fstat(descriptor).st_mode):
            synced_folders.append(os.path.samestat(os.fstat(descriptor), os.stat(tmp_path)))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync_and_note)

    with atomic_write(tmp_path / "out.txt") as handle:
        handle.write("complete\n")

    assert synced_folders == [True], "the folder holding the renamed file is synced once"
