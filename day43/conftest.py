"""Day 43's fixtures: the Blog API with /graphql mounted, on each database, with known data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from day43.graphql_api import mount_graphql
from projects.blog_api import create_app
from projects.blog_api.tests.support import Account, Conduit, settings_for, unique
from shared.testing import BACKENDS

#: Articles by the writer, each with exactly one comment, so statement counts are exact.
WRITTEN = 20


@dataclass(frozen=True)
class Blog:
    """What the tests may rely on: who wrote what, and the tags they used."""

    app: Flask
    conduit: Conduit
    writer: Account
    columnist: Account
    reader: Account
    critic: Account
    shared_tag: str
    busy_slug: str


@pytest.fixture(scope="session", params=BACKENDS)
def blog(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> Iterator[Blog]:
    """The API on a fresh database of each backend, filled once for the session.

    The writer has ``WRITTEN`` articles, each with one comment by the reader; the columnist
    three, tagged with ``shared_tag`` too, one of them (``busy_slug``) with three comments.
    """
    app = mount_graphql(create_app(settings_for(make_database(request.param))))
    conduit = Conduit(app.test_client())
    writer, columnist, reader, critic = (conduit.register() for _ in range(4))
    shared_tag = unique("tag")
    for number in range(WRITTEN):
        tags = [shared_tag, unique("t")] if number % 4 == 0 else [f"z{number}", "a-first"]
        slug = conduit.write(writer, title=f"Article {number}", tagList=tags)["slug"]
        conduit.comment(reader, slug, f"on article {number}")
    columns = [
        conduit.write(columnist, title=f"Column {number}", tagList=[shared_tag])["slug"]
        for number in range(3)
    ]
    for who, body in ((reader, "first"), (critic, "second"), (reader, "third")):
        conduit.comment(who, columns[1], body)
    yield Blog(app, conduit, writer, columnist, reader, critic, shared_tag, columns[1])
    app.extensions["blog"].db.engine.dispose()


@pytest.fixture
def http(blog: Blog) -> FlaskClient:
    return blog.app.test_client()
