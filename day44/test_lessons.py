"""What the lesson says about the libraries and servers, checked on the locked versions."""

from __future__ import annotations

from collections.abc import Callable

import redis
import sqlalchemy as sa
from flask import Flask, redirect

from day44.models import Link


def test_mysql_default_collation_compares_codes_regardless_of_case(
    make_database: Callable[[str], str],
) -> None:
    engine = sa.create_engine(make_database("mysql"))
    with engine.connect() as connection:
        plain = connection.scalar(sa.text("SELECT 'aB7' = 'Ab7'"))
        exact = connection.scalar(sa.text("SELECT 'aB7' = 'Ab7' COLLATE utf8mb4_bin"))
    engine.dispose()
    assert (plain, exact) == (1, 0)


def test_the_code_column_is_byte_for_byte_on_mysql(make_database: Callable[[str], str]) -> None:
    engine = sa.create_engine(make_database("mysql"))
    column = sa.schema.CreateTable(Link.__table__).compile(engine)  # type: ignore[arg-type]
    engine.dispose()
    assert "code VARCHAR(7) COLLATE utf8mb4_bin" in str(column)


def test_getdel_takes_a_counter_once_however_many_ask(redis_client: redis.Redis) -> None:
    redis_client.set("counter", 5)
    assert [redis_client.getdel("counter"), redis_client.getdel("counter")] == ["5", None]


def test_flask_redirect_is_302_unless_asked_otherwise() -> None:
    app = Flask(__name__)
    with app.test_request_context():
        assert redirect("https://example.com").status_code == 302
        assert redirect("https://example.com", code=301).status_code == 301
