"""`python -m day43`: one question asked of the Blog API by REST and by GraphQL, then its cost.

It builds the Blog API on a throwaway SQLite file with ``/graphql`` mounted beside ``/api``,
seeds it with the project's own seeders (fixed random seed), asks "the newest articles, with
their author, tags and comments" both ways, and counts the SQL statements each way runs for
several page sizes. Nothing timed, nothing random printed: the output is the same every run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import sys
import tempfile
from collections.abc import Sequence

from flask import Flask
from flask.testing import FlaskClient

from day43.graphql_api import mount_graphql
from day43.side_by_side import PAGE_QUERY, count_statements, graphql_answer, rest_answer
from projects.blog_api import create_app
from projects.blog_api.cli import seed_articles, seed_users

SEED = 43
USERS, ARTICLES = 6, 30


def build_app(database_url: str) -> Flask:
    """The Blog API on ``database_url`` with the GraphQL endpoints beside its REST routes."""
    settings = {
        "DATABASE_URL": database_url,
        "REDIS_URL": None,
        "SECRET_KEY": "day43-demo-secret-not-for-production-0123456789",
    }
    return mount_graphql(create_app(settings))


def seed(app: Flask) -> None:
    """Users, articles, tags and comments from the project's seeders, with a fixed seed."""
    rng = random.Random(SEED)
    # The seeders draw progress bars for a terminal; here they would only add noise.
    with contextlib.redirect_stdout(io.StringIO()), app.extensions["blog"].db.transaction() as s:
        user_ids = seed_users(s, rng, "demo", USERS, password_hash="!unusable")
        seed_articles(s, rng, user_ids, ARTICLES)


def show_question(http: FlaskClient, limit: int) -> None:
    rest, rest_requests, rest_bytes = rest_answer(http, limit)
    graphql, graphql_requests, graphql_bytes = graphql_answer(http, limit)
    print(f"The question: the {limit} newest articles, with author, tags and comments.\n")
    print(f"REST: {rest_requests} requests, {rest_bytes:,} bytes received")
    print(f"  GET /api/articles?limit={limit}")
    print(f"  GET /api/articles/<slug>/comments   once per article: {limit} calls")
    print(f"GraphQL: {graphql_requests} request, {graphql_bytes:,} bytes received")
    print("  POST /graphql  variables {" + f'"limit": {limit}' + "}")
    print("\n".join("    " + line for line in PAGE_QUERY.splitlines()))
    print(f"\nThe same answer both ways: {rest == graphql}")
    for article in graphql:
        commenters = ", ".join(author for _, _, author in article["comments"]) or "none"
        print(f"  {article['title']!r} by {article['author']}")
        print(f"    tags: {', '.join(article['tagList'])}")
        print(f"    comments, newest first, by: {commenters}")


def show_statements(app: Flask, http: FlaskClient, sizes: Sequence[int]) -> None:
    print("\nSQL statements for the same question, by page size:")
    print(f"  {'page size':>9}  {'REST (all calls)':>16}  {'GraphQL naive':>13}  {'batched':>7}")
    for size in sizes:
        rest = count_statements(app, rest_answer, http, size)
        naive = count_statements(app, graphql_answer, http, size, path="/graphql/naive")
        batched = count_statements(app, graphql_answer, http, size)
        print(f"  {size:>9}  {rest:>16}  {naive:>13}  {batched:>7}")
    print(
        "  REST: 4 for the list, 2 for each comments call. Naive: the page, then per article its"
        "\n  tags, author and comments, and per comment its author. Batched: the page, the tags,"
        "\n  the comments, the authors, then the commenters not loaded yet (at 20 there were"
        "\n  none left: the loader's per-request cache had them all)."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m day43",
        description="The Blog API's data by REST and by GraphQL, with SQL statement counts.",
    )
    parser.add_argument("--limit", type=int, default=3, help="articles in the question's page")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[5, 10, 20], help="page sizes to count"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="day43-") as folder:
        app = build_app(f"sqlite:///{folder}/blog.db")
        seed(app)
        print(f"Seeded {USERS} users and {ARTICLES} articles (random seed {SEED}).\n")
        http = app.test_client()
        show_question(http, args.limit)
        show_statements(app, http, args.sizes)
        app.extensions["blog"].db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
