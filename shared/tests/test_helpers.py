"""shared.testing helpers: the statement counter and the rolled-back session."""

import socket

import pytest
import sqlalchemy as sa

from shared.db import create_engine
from shared.testing import count_queries, free_port, transactional_session, wait_for_port


def test_count_queries_counts_exactly_the_statements_in_the_block():
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
        with count_queries(engine) as counter:
            for _ in range(3):
                connection.exec_driver_sql("SELECT 2")
        connection.exec_driver_sql("SELECT 3")
    assert counter.count == 3
    assert counter.statements == ["SELECT 2"] * 3


def test_transactional_session_rolls_back_even_committed_work(db_url):
    engine = create_engine(db_url)
    table = sa.Table("helper_rows", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    table.create(engine, checkfirst=True)
    with transactional_session(engine) as session:
        session.execute(table.insert().values(id=1))
        session.commit()
        assert session.scalar(sa.select(sa.func.count()).select_from(table)) == 1
    with engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(table)) == 0
    table.drop(engine)
    engine.dispose()


def test_wait_for_port_returns_once_something_listens():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        wait_for_port(server.getsockname()[1], timeout=1)


def test_wait_for_port_gives_up_with_a_clear_message():
    with pytest.raises(TimeoutError, match=r"nothing listens on 127.0.0.1:\d+"):
        wait_for_port(free_port(), timeout=0.3)
