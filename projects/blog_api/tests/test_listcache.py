"""Cached article lists: never stale after a write, whichever worker made it, on every backend.

Each test warms the cache of a second app on the same database (another gunicorn worker, in
effect), writes through the first, and reads the list again through the second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from projects.blog_api import create_app
from projects.blog_api.listcache import CachedPage, ListCache
from projects.blog_api.models import ContentVersion
from projects.blog_api.tests.support import Account, Conduit, settings_for, unique
from shared.testing import count_queries


@pytest.fixture(scope="module")
def other_worker(app: Flask) -> Iterator[Flask]:
    """A second app on the same database, with its own in-process cache."""
    other = create_app(settings_for(app.extensions["blog"].settings.database_url))
    yield other
    other.extensions["blog"].db.engine.dispose()


@pytest.fixture
def reader(other_worker: Flask) -> Conduit:
    return Conduit(other_worker.test_client())


def listing(reader: Conduit, author: Account, viewer: Account | None = None) -> dict[str, Any]:
    """The author's articles as ``reader`` sees them, read twice so the second is cached."""
    url = f"/api/articles?author={author.username}"
    headers = viewer.headers if viewer else {}
    first = reader.client.get(url, headers=headers)
    second = reader.client.get(url, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json == second.json, "a cached page must equal the page it was cached from"
    return second.json


def version(app: Flask) -> int:
    with app.extensions["blog"].db.engine.connect() as connection:
        return connection.scalar(sa.select(ContentVersion.version))


def test_a_new_article_shows_at_once(conduit: Conduit, reader: Conduit) -> None:
    author = conduit.register()
    conduit.write(author, title="first")
    assert [a["title"] for a in listing(reader, author)["articles"]] == ["first"]
    conduit.write(author, title="second")
    body = listing(reader, author)
    assert [a["title"] for a in body["articles"]] == ["second", "first"]
    assert body["articlesCount"] == 2


def test_an_edited_article_shows_its_new_fields(conduit: Conduit, reader: Conduit) -> None:
    author = conduit.register()
    slug = conduit.write(author, title="draft")["slug"]
    listing(reader, author)
    response = conduit.client.put(
        f"/api/articles/{slug}",
        json={"article": {"title": "final", "description": "now with a summary"}},
        headers=author.headers,
    )
    assert response.status_code == 200, response.json
    (article,) = listing(reader, author)["articles"]
    assert (article["title"], article["description"]) == ("final", "now with a summary")


def test_a_deleted_article_disappears(conduit: Conduit, reader: Conduit) -> None:
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    assert listing(reader, author)["articlesCount"] == 1
    assert conduit.client.delete(f"/api/articles/{slug}", headers=author.headers).status_code == 204
    assert listing(reader, author) == {"articles": [], "articlesCount": 0}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "token"])
def test_favourites_count_and_flag_follow_each_change(
    conduit: Conduit, reader: Conduit, signed_in: bool
) -> None:
    author, fan = conduit.register(), conduit.register()
    slug = conduit.write(author)["slug"]
    viewer = fan if signed_in else None
    listing(reader, author, viewer)
    conduit.favorite(fan, slug)
    (article,) = listing(reader, author, viewer)["articles"]
    assert (article["favoritesCount"], article["favorited"]) == (1, signed_in)
    response = conduit.client.delete(f"/api/articles/{slug}/favorite", headers=fan.headers)
    assert response.status_code == 200
    (article,) = listing(reader, author, viewer)["articles"]
    assert (article["favoritesCount"], article["favorited"]) == (0, False)


def test_following_shows_for_the_follower_only(conduit: Conduit, reader: Conduit) -> None:
    author, fan, stranger = conduit.register(), conduit.register(), conduit.register()
    conduit.write(author)
    listing(reader, author, fan)
    conduit.follow(fan, author)
    assert listing(reader, author, fan)["articles"][0]["author"]["following"] is True
    assert listing(reader, author, stranger)["articles"][0]["author"]["following"] is False
    assert listing(reader, author)["articles"][0]["author"]["following"] is False


def test_a_changed_profile_shows_in_the_author_block(conduit: Conduit, reader: Conduit) -> None:
    author = conduit.register()
    conduit.write(author)
    listing(reader, author)
    response = conduit.client.put(
        "/api/user", json={"user": {"bio": "I write.", "image": None}}, headers=author.headers
    )
    assert response.status_code == 200, response.json
    assert listing(reader, author)["articles"][0]["author"]["bio"] == "I write."


def test_a_refused_write_leaves_the_version_alone(app: Flask, conduit: Conduit) -> None:
    author = conduit.register()
    before = version(app)
    response = conduit.client.post(
        "/api/articles", json={"article": {"title": ""}}, headers=author.headers
    )
    assert response.status_code == 422
    assert version(app) == before


def test_reads_and_comments_leave_the_version_alone(
    app: Flask, conduit: Conduit, reader: Conduit
) -> None:
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    before = version(app)
    listing(reader, author)
    conduit.comment(author, slug)
    assert version(app) == before


def test_the_personalised_page_equals_the_uncached_one(
    app: Flask, conduit: Conduit, make_database: Callable[[str], str]
) -> None:
    author, fan = conduit.register(), conduit.register()
    slugs = [conduit.write(author, tagList=[unique("t")])["slug"] for _ in range(3)]
    conduit.favorite(fan, slugs[1])
    conduit.follow(fan, author)
    url = f"/api/articles?author={author.username}"
    uncached_app = create_app(
        settings_for(app.extensions["blog"].settings.database_url, LIST_CACHE_PAGES=0)
    )
    try:
        for viewer in (None, fan, author):
            headers = viewer.headers if viewer else {}
            cached = listing(conduit, author, viewer)
            assert cached == uncached_app.test_client().get(url, headers=headers).json
    finally:
        uncached_app.extensions["blog"].db.engine.dispose()


def test_the_seed_command_invalidates_running_workers(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    conduit = Conduit(app.test_client())
    assert conduit.client.get("/api/articles").json["articlesCount"] == 0
    result = app.test_cli_runner().invoke(args=["seed", "--users", "2", "--articles", "3"])
    assert result.exit_code == 0, result.output
    assert conduit.client.get("/api/articles").json["articlesCount"] == 3


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "token"])
def test_lists_work_on_an_in_memory_database(
    make_app: Callable[..., Flask], signed_in: bool
) -> None:
    # One shared connection there: reading the version must not open a second transaction.
    conduit = Conduit(make_app().test_client())
    author = conduit.register()
    conduit.write(author)
    headers = author.headers if signed_in else {}
    for _ in range(2):
        response = conduit.client.get("/api/articles", headers=headers)
        assert (response.status_code, response.json["articlesCount"]) == (200, 1), response.json


def test_with_the_cache_off_every_request_computes_its_page(make_app: Callable[..., Flask]) -> None:
    app = make_app(LIST_CACHE_PAGES=0)
    client = app.test_client()
    client.get("/api/articles")
    with count_queries(app.extensions["blog"].db.engine) as counter:
        client.get("/api/articles")
    assert not any("content_version" in statement for statement in counter.statements)
    assert any("count(" in statement.lower() for statement in counter.statements)


def page(n: int) -> CachedPage:
    return CachedPage([], n, b"{}", (), ())


def test_the_cache_keeps_the_most_recently_used_pages() -> None:
    cache = ListCache(max_pages=2)
    for key in ("a", "b"):
        cache.put(1, key, page(0))
    cache.get(1, "a")
    cache.put(1, "c", page(0))
    assert [key for key in "abc" if cache.get(1, key)] == ["a", "c"]


def test_a_newer_version_empties_the_cache_and_an_older_one_is_ignored() -> None:
    cache = ListCache(max_pages=8)
    cache.put(1, "a", page(1))
    cache.put(2, "b", page(2))
    assert cache.get(1, "a") is None and cache.get(2, "a") is None
    cache.put(1, "c", page(1))
    assert cache.get(1, "c") is None and cache.get(2, "b") == page(2)
