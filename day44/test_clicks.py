"""The flush from Redis to the database loses no click, whatever happens during it."""

from __future__ import annotations

import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from day44.clicks import DIRTY, clicks_key, flush_clicks, record_click
from day44.models import Link
from day44.test_app import clicks_in_database, create


def test_a_hit_during_the_flush_is_kept_for_the_next_one(
    cached: Flask, redis_client: redis.Redis
) -> None:
    state = cached.extensions["day44"]
    code = create(cached)
    for _ in range(3):
        record_click(redis_client, state.db.writer, code)

    meanwhile = [code]

    def hit_meanwhile(_code: str, _count: int) -> None:
        while meanwhile:  # once, during the first take
            record_click(redis_client, state.db.writer, meanwhile.pop())

    assert flush_clicks(redis_client, state.db.writer, after_take=hit_meanwhile) == 4
    assert clicks_in_database(cached, code) == 4
    assert redis_client.get(clicks_key(code)) is None


def test_a_count_the_database_refuses_is_put_back_in_redis(
    cached: Flask, redis_client: redis.Redis
) -> None:
    state = cached.extensions["day44"]
    code = create(cached)
    for _ in range(5):
        record_click(redis_client, state.db.writer, code)

    def database_down(_code: str, _count: int) -> None:
        raise sa.exc.OperationalError("UPDATE links", {}, Exception("gone away"))

    with pytest.raises(sa.exc.OperationalError):
        flush_clicks(redis_client, state.db.writer, after_take=database_down)
    assert int(redis_client.get(clicks_key(code))) == 5
    assert redis_client.smembers(DIRTY) == {code}
    assert flush_clicks(redis_client, state.db.writer) == 5
    assert clicks_in_database(cached, code) == 5


def test_a_flush_adds_to_the_clicks_already_in_the_database(
    cached: Flask, redis_client: redis.Redis
) -> None:
    state = cached.extensions["day44"]
    code = create(cached)
    with state.db.transaction() as session:
        session.execute(sa.update(Link).where(Link.code == code).values(clicks=10))
    record_click(redis_client, state.db.writer, code)
    state.flush()
    assert clicks_in_database(cached, code) == 11
