"""``flask seed`` and ``flask migrate``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from projects.blog_api import create_app
from projects.blog_api.cli import SEED_PASSWORD
from projects.blog_api.models import Article, Comment, Tag, User, article_tags, favorites, follows
from projects.blog_api.tests.support import settings_for
from shared.testing import BACKENDS


@pytest.fixture(
    scope="module",
    params=BACKENDS,
)
def seed_app(
    request: pytest.FixtureRequest, make_database: Callable[[str], str]
) -> Iterator[Flask]:
    """An app on its own database, so seeding does not touch the other tests' data."""
    app = create_app(settings_for(make_database(request.param)))
    yield app
    app.extensions["blog"].db.engine.dispose()


def counts(app: Flask) -> dict[str, int]:
    tables = {
        "users": User.__table__,
        "articles": Article.__table__,
        "comments": Comment.__table__,
        "tags": Tag.__table__,
        "article_tags": article_tags,
        "favorites": favorites,
        "follows": follows,
    }
    with app.extensions["blog"].db.engine.connect() as connection:
        return {
            name: connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for name, table in tables.items()
        }


def test_seed_fills_every_table(seed_app: Flask) -> None:
    before = counts(seed_app)
    result = seed_app.test_cli_runner().invoke(args=["seed", "--users", "20", "--articles", "120"])
    assert result.exit_code == 0, result.output
    after = counts(seed_app)
    assert after["users"] - before["users"] == 20
    assert after["articles"] - before["articles"] == 120
    for table in ("comments", "article_tags", "favorites", "follows"):
        assert after[table] > before[table], f"seed added no {table}: {after}"
    assert "added 20 users and 120 articles" in result.output


def test_seeding_again_adds_more_without_clashing(seed_app: Flask) -> None:
    runner = seed_app.test_cli_runner()
    before = counts(seed_app)
    for _ in range(2):
        result = runner.invoke(
            args=["seed", "--users", "5", "--articles", "30", "--random-seed", "1"]
        )
        assert result.exit_code == 0, result.output
    after = counts(seed_app)
    assert (after["users"] - before["users"], after["articles"] - before["articles"]) == (10, 60)


def test_seeded_data_is_served_and_users_can_log_in(seed_app: Flask) -> None:
    seed_app.test_cli_runner().invoke(args=["seed", "--users", "3", "--articles", "10"])
    client = seed_app.test_client()
    listed = client.get("/api/articles?limit=5").json
    assert len(listed["articles"]) == 5
    article = client.get(f"/api/articles/{listed['articles'][0]['slug']}").json["article"]
    assert "\n\n" in article["body"], "bodies should have several paragraphs"
    with seed_app.app_context():
        email = seed_app.extensions["blog"].db.session().scalar(sa.select(User.email).limit(1))
    login = client.post(
        "/api/users/login", json={"user": {"email": email, "password": SEED_PASSWORD}}
    )
    assert login.status_code == 200, login.json


def test_seeding_articles_with_no_users_says_what_to_do(make_app: Callable[..., Flask]) -> None:
    result = make_app().test_cli_runner().invoke(args=["seed", "--users", "0", "--articles", "5"])
    assert result.exit_code == 2
    assert "pass --users N" in result.output


def test_seed_refuses_a_negative_count(make_app: Callable[..., Flask]) -> None:
    result = make_app().test_cli_runner().invoke(args=["seed", "--users", "-1"])
    assert result.exit_code == 2
    assert "--users" in result.output


def test_migrate_reports_an_up_to_date_database(make_app: Callable[..., Flask]) -> None:
    result = make_app(AUTO_MIGRATE=False).test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "is up to date" in result.output
