"""One question asked both ways: a page of articles with author, tags and comments.

REST answers it with ``GET /api/articles`` and then one ``GET …/comments`` per article;
GraphQL with one query. Both answers are reduced to the same plain shape, so they compare.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from shared.testing import count_queries

#: The question, in GraphQL: a page of articles with what a list view shows about each.
PAGE_QUERY = """\
query Page($limit: Int!, $author: String) {
  articles(limit: $limit, author: $author) {
    slug title tagList
    author { username }
    comments { body createdAt author { username } }
  }
}"""
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

#: Per article: slug, title, tagList, author's username, comments as (body, createdAt, author).
Answer = list[dict[str, Any]]


def _answer(article: dict[str, Any], comments: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "slug": article["slug"],
        "title": article["title"],
        "tagList": article["tagList"],
        "author": article["author"]["username"],
        "comments": [(c["body"], c["createdAt"], c["author"]["username"]) for c in comments],
    }


def rest_answer(
    http: FlaskClient, limit: int, author: str | None = None
) -> tuple[Answer, int, int]:
    """The answer, the number of requests and the bytes received, from the REST API."""
    query = {"limit": limit} | ({"author": author} if author else {})
    page = http.get("/api/articles", query_string=query)
    assert page.status_code == 200, page.json
    requests, size, answer = 1, len(page.data), []
    for article in page.json["articles"]:
        comments = http.get(f"/api/articles/{article['slug']}/comments")
        assert comments.status_code == 200, comments.json
        requests, size = requests + 1, size + len(comments.data)
        answer.append(_answer(article, comments.json["comments"]))
    return answer, requests, size


def graphql_answer(
    http: FlaskClient, limit: int, author: str | None = None, path: str = "/graphql"
) -> tuple[Answer, int, int]:
    """The same, from one POST to the GraphQL endpoint at ``path``."""
    response = http.post(
        path, json={"query": PAGE_QUERY, "variables": {"limit": limit, "author": author}}
    )
    assert response.status_code == 200 and "errors" not in response.json, response.json
    answer = [_answer(a, a["comments"]) for a in response.json["data"]["articles"]]
    return answer, 1, len(response.data)


def count_statements(app: Flask, ask: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """SQL statements (transaction control aside) the app ran for ``ask(*args, **kwargs)``."""
    with count_queries(app.extensions["blog"].db.engine) as counter:
        ask(*args, **kwargs)
    return sum(
        not statement.lstrip().upper().startswith(TRANSACTION_CONTROL)
        for statement in counter.statements
    )
