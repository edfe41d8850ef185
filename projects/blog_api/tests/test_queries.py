"""The read side: constant statement counts, and timestamps that survive every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from projects.blog_api.models import User, new_auth_id
from projects.blog_api.queries import timestamp
from projects.blog_api.tests.support import Account, Conduit, unique
from shared.testing import count_queries

ARTICLES = 25


@pytest.fixture(scope="module")
def busy(app: Flask) -> dict[str, object]:
    """An author with 25 tagged, favourited articles; a reader who follows them; 25 comments."""
    conduit = Conduit(app.test_client())
    author, reader = conduit.register(), conduit.register()
    conduit.follow(reader, author)
    slugs = [
        conduit.write(author, tagList=[unique("t"), "shared"])["slug"] for _ in range(ARTICLES)
    ]
    for slug in slugs:
        conduit.favorite(reader, slug)
    for _ in range(ARTICLES):
        conduit.comment(reader, slugs[0])
    return {"conduit": conduit, "author": author, "reader": reader, "slug": slugs[0]}


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements(app: Flask, conduit: Conduit, url: str, account: Account | None) -> int:
    """How many SQL statements (transaction control aside) answering ``url`` runs."""
    headers = account.headers if account else {}
    with count_queries(app.extensions["blog"].db.engine) as counter:
        response = conduit.client.get(url, headers=headers)
    assert response.status_code == 200, response.json
    return sum(
        not statement.lstrip().upper().startswith(TRANSACTION_CONTROL)
        for statement in counter.statements
    )


@pytest.mark.parametrize(
    ("path", "who", "most"),
    [
        # Lists are cached per content version (listcache.py): a cold page reads the version,
        # counts, selects the page and its tags; a signed-in reader adds the token's user and
        # two lookups that personalise the page.
        ("/api/articles?author={author}&limit={limit}", None, 4),
        ("/api/articles?author={author}&limit={limit}", "reader", 7),
        ("/api/articles?tag=shared&favorited={reader}&limit={limit}", "reader", 7),
        ("/api/articles/feed?limit={limit}", "reader", 4),
    ],
)
def test_article_lists_run_the_same_few_statements_for_1_or_20_rows(
    app: Flask, busy: dict[str, object], path: str, who: str | None, most: int
) -> None:
    conduit, author, reader = busy["conduit"], busy["author"], busy["reader"]
    assert isinstance(conduit, Conduit) and isinstance(author, Account)
    assert isinstance(reader, Account)
    account = reader if who == "reader" else None
    counts = {
        limit: statements(
            app,
            conduit,
            path.format(author=author.username, reader=reader.username, limit=limit),
            account,
        )
        for limit in (1, 20)
    }
    assert counts[1] == counts[20] <= most, f"{path}: statements per page size {counts}"


@pytest.mark.parametrize(("who", "expected"), [(None, 1), ("reader", 4)])
def test_a_repeated_list_request_is_served_from_the_cache(
    app: Flask, busy: dict[str, object], who: str | None, expected: int
) -> None:
    conduit, author, reader = busy["conduit"], busy["author"], busy["reader"]
    assert isinstance(conduit, Conduit) and isinstance(author, Account)
    assert isinstance(reader, Account)
    account = reader if who == "reader" else None
    url = f"/api/articles?author={author.username}&limit=20&offset=1"
    statements(app, conduit, url, account)
    warm = statements(app, conduit, url, account)
    assert warm == expected, f"a warm page ran {warm} statements, expected {expected}"


@pytest.mark.parametrize(("who", "most"), [(None, 2), ("reader", 3)])
def test_a_comment_list_runs_the_same_statements_for_1_or_25_comments(
    app: Flask, busy: dict[str, object], who: str | None, most: int
) -> None:
    conduit, author, reader = busy["conduit"], busy["author"], busy["reader"]
    assert isinstance(conduit, Conduit) and isinstance(author, Account)
    assert isinstance(reader, Account)
    account = reader if who == "reader" else None
    lone = conduit.write(conduit.register())["slug"]
    conduit.comment(reader, lone)
    one = statements(app, conduit, f"/api/articles/{lone}/comments", account)
    many = statements(app, conduit, f"/api/articles/{busy['slug']}/comments", account)
    assert one == many <= most, f"statements for 1 comment: {one}, for {ARTICLES}: {many}"


def test_a_page_of_20_is_complete(busy: dict[str, object]) -> None:
    conduit, author, reader = busy["conduit"], busy["author"], busy["reader"]
    assert isinstance(conduit, Conduit) and isinstance(author, Account)
    assert isinstance(reader, Account)
    body = conduit.client.get(
        f"/api/articles?author={author.username}&limit=20", headers=reader.headers
    ).json
    assert body["articlesCount"] == ARTICLES
    assert len(body["articles"]) == 20
    assert all(a["favorited"] and a["favoritesCount"] == 1 for a in body["articles"])
    assert all(len(a["tagList"]) == 2 for a in body["articles"])
    assert all(a["author"]["following"] for a in body["articles"])


def test_timestamps_come_back_as_the_same_utc_instant_with_microseconds(app: Flask) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    written = datetime(2026, 2, 5, 15, 30, 0, 123456, tzinfo=india)
    name = unique()
    engine = app.extensions["blog"].db.engine
    with Session(engine) as session, session.begin():
        session.add(
            User(
                auth_id=new_auth_id(),
                username=name,
                email=f"{name}@example.com",
                password_hash="x",
                created_at=written,
                updated_at=written,
            )
        )
    with Session(engine) as session:
        read = session.scalar(sa.select(User.created_at).where(User.username == name))
    assert read == written
    assert read is not None and read.tzinfo is not None and read.utcoffset() == timedelta(0)
    assert read.microsecond == 123456


def test_a_naive_datetime_is_refused_before_it_reaches_the_database(app: Flask) -> None:
    name = unique()
    with Session(app.extensions["blog"].db.engine) as session:
        session.add(
            User(
                auth_id=new_auth_id(),
                username=name,
                email=f"{name}@example.com",
                password_hash="x",
                created_at=datetime(2026, 1, 1),
            )
        )
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            session.flush()


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 2, 5, 10, 0, 0, 123456, tzinfo=UTC), "2026-02-05T10:00:00.123Z"),
        (datetime(2026, 2, 5, 10, 0, 0, tzinfo=UTC), "2026-02-05T10:00:00.000Z"),
        (
            datetime(2026, 2, 5, 11, 0, 0, 999999, tzinfo=timezone(timedelta(hours=1))),
            "2026-02-05T10:00:00.999Z",
        ),
    ],
)
def test_timestamps_render_as_iso_8601_utc_with_milliseconds(moment: datetime, text: str) -> None:
    assert timestamp(moment) == text


def test_every_lookup_that_finds_nothing_is_a_404_naming_what_is_missing(
    conduit: Conduit,
) -> None:
    reader = conduit.register()
    slug = conduit.write(reader)["slug"]
    missing = unique("missing")
    expected = {
        ("GET", f"/api/articles/{missing}"): f"no article has the slug '{missing}'",
        ("POST", f"/api/articles/{missing}/favorite"): f"no article has the slug '{missing}'",
        ("GET", f"/api/articles/{missing}/comments"): f"no article has the slug '{missing}'",
        ("GET", f"/api/profiles/{missing}"): f"no user is called '{missing}'",
        ("POST", f"/api/profiles/{missing}/follow"): f"no user is called '{missing}'",
        ("DELETE", f"/api/articles/{slug}/comments/7777777"): (
            f"article '{slug}' has no comment 7777777"
        ),
    }
    for (method, url), message in expected.items():
        response = conduit.client.open(url, method=method, headers=reader.headers)
        assert (response.status_code, response.json) == (404, {"errors": {"body": [message]}}), (
            method,
            url,
        )
