"""The shortener's HTTP API on SQLite, MySQL and PostgreSQL, with and without Redis."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from day44.app import cache_key
from day44.clicks import clicks_key
from day44.models import URL_MAX_LENGTH, Link

THREADS = 8
EACH = 10


def create(app: Flask, url: str = "https://example.com/page") -> str:
    response = app.test_client().post("/links", json={"url": url})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["code"])


def clicks_in_database(app: Flask, code: str) -> int:
    with app.extensions["day44"].db.session_factory() as session:
        return int(session.scalar(sa.select(Link.clicks).where(Link.code == code)))


def in_threads(work: Callable[[], object]) -> list[object]:
    """``work`` EACH times in each of THREADS threads, all released at once."""
    start = threading.Barrier(THREADS)

    def worker(_: int) -> list[object]:
        start.wait(timeout=10)
        return [work() for _ in range(EACH)]

    with ThreadPoolExecutor(THREADS) as pool:
        return [done for part in pool.map(worker, range(THREADS)) for done in part]


def test_a_new_link_is_201_with_its_code_and_short_url(uncached: Flask) -> None:
    response = uncached.test_client().post("/links", json={"url": "https://example.com/x?q=1"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["short_url"] == f"http://localhost/{body['code']}" == response.headers["Location"]
    assert body["target"] == "https://example.com/x?q=1"


def test_a_code_redirects_with_302_to_its_target(uncached: Flask) -> None:
    code = create(uncached, "https://example.com/target")
    response = uncached.test_client().get(f"/{code}")
    assert (response.status_code, response.headers["Location"]) == (
        302,
        "https://example.com/target",
    )


def test_an_unknown_code_is_a_404_problem(uncached: Flask) -> None:
    response = uncached.test_client().get("/zzzzzzz")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "no short link 'zzzzzzz'"


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.com/file"},
        {"url": "javascript:alert(1)"},
        {"url": "https://"},
        {"url": "https://example.com/" + "a" * URL_MAX_LENGTH},
        {"url": ""},
        {"link": "https://example.com"},
        ["https://example.com"],
    ],
    ids=["ftp", "javascript", "no-host", "too-long", "blank", "no-url", "not-an-object"],
)
def test_a_target_that_is_not_an_http_url_is_refused_with_422(
    uncached: Flask, body: object
) -> None:
    response = uncached.test_client().post("/links", json=body)
    assert response.status_code == 422, response.get_json()
    assert "url" in response.get_json()["errors"]


def test_codes_that_differ_only_in_case_are_two_links(uncached: Flask) -> None:
    with uncached.extensions["day44"].db.transaction() as session:
        session.add_all(
            [Link(code="caseAAA", target="https://a"), Link(code="caseaaa", target="https://b")]
        )
    client = uncached.test_client()
    assert client.get("/caseAAA").headers["Location"] == "https://a"
    assert client.get("/caseaaa").headers["Location"] == "https://b"


def test_links_created_at_once_from_many_threads_all_get_distinct_codes(uncached: Flask) -> None:
    codes = in_threads(lambda: create(uncached))
    assert len(set(codes)) == len(codes) == THREADS * EACH


def test_without_redis_concurrent_hits_are_all_counted_in_the_database(uncached: Flask) -> None:
    code = create(uncached)
    statuses = in_threads(lambda: uncached.test_client().get(f"/{code}").status_code)
    assert statuses == [302] * (THREADS * EACH)
    assert clicks_in_database(uncached, code) == THREADS * EACH


def test_a_followed_code_is_cached_in_redis_with_its_ttl(
    cached: Flask, redis_client: redis.Redis
) -> None:
    code = create(cached, "https://example.com/cached")
    cached.test_client().get(f"/{code}")
    assert redis_client.get(cache_key(code)) == "https://example.com/cached"
    assert 0 < redis_client.ttl(cache_key(code)) <= 3600


def test_a_cached_code_redirects_without_reading_the_database(cached: Flask) -> None:
    code = create(cached, "https://example.com/kept")
    client = cached.test_client()
    client.get(f"/{code}")
    with cached.extensions["day44"].db.transaction() as session:
        session.execute(sa.update(Link).where(Link.code == code).values(target="https://changed"))
    assert client.get(f"/{code}").headers["Location"] == "https://example.com/kept"


def test_concurrent_hits_are_counted_in_redis_then_flushed_exactly(
    cached: Flask, redis_client: redis.Redis
) -> None:
    code = create(cached)
    in_threads(lambda: cached.test_client().get(f"/{code}"))
    assert int(redis_client.get(clicks_key(code))) == THREADS * EACH
    assert cached.test_client().get(f"/links/{code}").get_json()["clicks"] == THREADS * EACH
    assert cached.extensions["day44"].flush() == THREADS * EACH
    assert clicks_in_database(cached, code) == THREADS * EACH
    assert redis_client.get(clicks_key(code)) is None


def test_creating_past_the_limit_is_a_429_with_retry_after(
    make_app: Callable[..., Flask], redis_url: str, redis_client: redis.Redis, tmp_path: object
) -> None:
    app = make_app("sqlite://", redis_url, CREATE_LIMIT="2 per minute")
    client = app.test_client()
    statuses = [client.post("/links", json={"url": "https://e.com"}).status_code for _ in range(3)]
    refused = client.post("/links", json={"url": "https://e.com"})
    assert statuses == [201, 201, 429]
    assert refused.mimetype == "application/problem+json"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert redis_client.keys("*short:limits*"), "the counts are not in Redis"


def test_two_apps_on_one_redis_share_the_creation_budget(
    make_app: Callable[..., Flask], redis_url: str, redis_client: redis.Redis
) -> None:
    first, second = (make_app("sqlite://", redis_url, CREATE_LIMIT="2 per minute") for _ in "ab")
    assert first.test_client().post("/links", json={"url": "https://e.com"}).status_code == 201
    assert second.test_client().post("/links", json={"url": "https://e.com"}).status_code == 201
    assert first.test_client().post("/links", json={"url": "https://e.com"}).status_code == 429


def test_a_bad_rate_limit_setting_is_refused_naming_the_variable(
    make_app: Callable[..., Flask],
) -> None:
    from shared.config import ConfigError

    with pytest.raises(ConfigError, match="SHORT_CREATE_LIMIT is not a rate limit"):
        make_app("sqlite://", CREATE_LIMIT="lots")


def test_resolve_fills_the_cache_from_the_database_and_knows_no_unknown_code(
    cached: Flask, redis_client: redis.Redis
) -> None:
    state = cached.extensions["day44"]
    code = "resolve"  # made by hand: this test is about the lookup, not the codes
    with state.db.transaction() as session:
        session.add(Link(code=code, target="https://example.com/resolved"))
    assert redis_client.get(cache_key(code)) is None
    assert state.resolve(code) == "https://example.com/resolved"
    assert redis_client.get(cache_key(code)) == "https://example.com/resolved"
    assert state.resolve("zzzzzzz") is None
