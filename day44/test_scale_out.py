"""Two instances behind nginx on one MariaDB database and one Redis: a bounded load run."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis

from day44.loadrun import Cluster, LoadResult, run, scaled_out
from shared.testing.nginx import nginx_binary

__all__ = ["nginx_binary"]  # a fixture, imported for this module

pytestmark = [pytest.mark.nginx, pytest.mark.slow, pytest.mark.timeout(60)]


@pytest.fixture(scope="module")
def cluster(
    nginx_binary: str, make_database: Callable[[str], str], redis_url: str
) -> Iterator[Cluster]:
    redis.Redis.from_url(redis_url).flushdb()
    with scaled_out(nginx_binary, make_database("mysql"), redis_url) as running:
        yield running


@pytest.fixture(scope="module")
def result(cluster: Cluster) -> LoadResult:
    return run(cluster, links=60, threads=8, seconds=2)


def test_links_created_through_both_instances_at_once_have_distinct_codes(
    result: LoadResult,
) -> None:
    assert len(set(result.codes)) == len(result.codes) == 60
    assert len(result.created_by) == 2, f"one instance made them all: {result.created_by}"


def test_every_redirect_through_nginx_is_a_302_from_either_instance(result: LoadResult) -> None:
    assert not result.errors
    assert len(result.answered_by) == 2
    assert len(result.latencies) > 100


def test_no_click_is_lost_across_the_two_instances(result: LoadResult) -> None:
    assert sum(result.hits.values()) == len(result.latencies)
    assert result.lost_clicks == 0
    assert {code: result.clicks_in_database[code] for code in result.hits} == dict(result.hits)
