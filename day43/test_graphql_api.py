"""The GraphQL endpoint against the REST API on the same data, and against bad input."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask.testing import FlaskClient

import day43.graphql_api
from day43.conftest import WRITTEN, Blog
from day43.side_by_side import count_statements, graphql_answer, rest_answer


def ask(http: FlaskClient, query: str, path: str = "/graphql", **variables: Any) -> Any:
    """The response JSON of a GraphQL query that must succeed."""
    response = http.post(path, json={"query": query, "variables": variables})
    assert response.status_code == 200 and "errors" not in response.json, response.json
    return response.json["data"]


def refusal(http: FlaskClient, query: str) -> str:
    """The one error message of a query that must fail, answered as GraphQL does: 200 JSON."""
    response = http.post("/graphql", json={"query": query})
    assert (response.status_code, response.content_type) == (200, "application/json")
    assert response.json.get("data") is None, response.json
    [error] = response.json["errors"]
    return error["message"]


# --- the N+1 problem, counted ------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 5, 20])
def test_the_batched_endpoint_runs_five_statements_whatever_the_page_size(
    blog: Blog, http: FlaskClient, limit: int
) -> None:
    # The page, its tags, its comments, the authors, then the commenters (one level deeper).
    ran = count_statements(blog.app, graphql_answer, http, limit, blog.writer.username)
    assert ran == 5, f"limit {limit}: {ran} statements"


@pytest.mark.parametrize("limit", [1, 5, 20])
def test_the_naive_endpoint_runs_four_more_statements_per_article(
    blog: Blog, http: FlaskClient, limit: int
) -> None:
    # Per article: its tags, its author, its comments, and its one comment's author.
    ran = count_statements(
        blog.app, graphql_answer, http, limit, blog.writer.username, path="/graphql/naive"
    )
    assert ran == 1 + 4 * limit, f"limit {limit}: {ran} statements"


def test_an_author_met_again_deeper_in_the_query_costs_no_statement(
    blog: Blog, http: FlaskClient
) -> None:
    query = "query ($a: String) { articles(author: $a, limit: 2) { author { articles { author {"
    query += " username } } } } }"
    # The page, its author, the author's articles; their author is the writer, already loaded.
    assert count_statements(blog.app, ask, http, query, a=blog.writer.username) == 3


# --- the same answers as REST ------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 7, WRITTEN])
def test_a_page_with_comments_is_the_same_by_graphql_and_by_rest(
    blog: Blog, http: FlaskClient, limit: int
) -> None:
    by_rest, requests, _ = rest_answer(http, limit, blog.writer.username)
    by_graphql, one, _ = graphql_answer(http, limit, blog.writer.username)
    assert by_graphql == by_rest
    assert (len(by_graphql), requests, one) == (limit, limit + 1, 1)


def test_articles_come_newest_first_with_sorted_tags_and_their_author(
    blog: Blog, http: FlaskClient
) -> None:
    query = "query ($a: String) { articles(author: $a, limit: 3) {"
    query += " title tagList author { username } } }"
    articles = ask(http, query, a=blog.writer.username)["articles"]
    assert [a["title"] for a in articles] == ["Article 19", "Article 18", "Article 17"]
    assert articles[0]["tagList"] == ["a-first", "z19"]
    assert {a["author"]["username"] for a in articles} == {blog.writer.username}


def test_comments_come_newest_first_with_their_authors(blog: Blog, http: FlaskClient) -> None:
    article = ask(
        http,
        "query ($s: String!) { article(slug: $s) { comments { body author { username } } } }",
        s=blog.busy_slug,
    )["article"]
    expected = [
        ("third", blog.reader.username),
        ("second", blog.critic.username),
        ("first", blog.reader.username),
    ]
    assert [(c["body"], c["author"]["username"]) for c in article["comments"]] == expected
    rest = http.get(f"/api/articles/{blog.busy_slug}/comments").json["comments"]
    assert [c["body"] for c in rest] == [body for body, _ in expected]


@pytest.mark.parametrize(
    ("rest", "graphql"),
    [
        ("tag={tag}", 'tag: "{tag}"'),
        ("author={columnist}", 'author: "{columnist}"'),
        ("tag={tag}&author={writer}", 'tag: "{tag}", author: "{writer}"'),
        ("author={writer}&limit=3&offset=2", 'author: "{writer}", limit: 3, offset: 2'),
        ("author={writer}&offset=19", 'author: "{writer}", offset: 19'),
        ("tag=&author={columnist}", 'tag: "", author: "{columnist}"'),
        ("tag=no-such-tag", 'tag: "no-such-tag"'),
    ],
)
def test_filters_and_paging_pick_the_same_slugs_as_rest(
    blog: Blog, http: FlaskClient, rest: str, graphql: str
) -> None:
    names = {
        "tag": blog.shared_tag,
        "writer": blog.writer.username,
        "columnist": blog.columnist.username,
    }
    by_rest = http.get(f"/api/articles?{rest.format(**names)}").json["articles"]
    by_graphql = ask(http, f"{{ articles({graphql.format(**names)}) {{ slug }} }}")["articles"]
    assert [a["slug"] for a in by_graphql] == [a["slug"] for a in by_rest]


def test_the_tag_filter_finds_the_articles_of_both_authors(blog: Blog, http: FlaskClient) -> None:
    articles = ask(http, f'{{ articles(tag: "{blog.shared_tag}") {{ author {{ username }} }} }}')
    authors = [a["author"]["username"] for a in articles["articles"]]
    assert authors.count(blog.columnist.username) == 3
    assert authors.count(blog.writer.username) == WRITTEN // 4


def test_an_author_shows_their_five_newest_articles(blog: Blog, http: FlaskClient) -> None:
    profile = ask(
        http,
        "query ($u: String!) { profile(username: $u) { username articles { title } } }",
        u=blog.writer.username,
    )["profile"]
    assert [a["title"] for a in profile["articles"]] == [f"Article {n}" for n in range(19, 14, -1)]


def test_unknown_slugs_and_usernames_are_null_not_errors(http: FlaskClient) -> None:
    data = ask(http, '{ article(slug: "nope") { title } profile(username: "nobody") { bio } }')
    assert data == {"article": None, "profile": None}


# --- what it refuses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("limit: 0", "limit must be between 1 and 100, got 0"),
        ("limit: 101", "limit must be between 1 and 100, got 101"),
        ("offset: -1", "offset must be 0 or more, got -1"),
    ],
)
def test_a_page_rest_would_refuse_is_a_graphql_error_that_says_why(
    http: FlaskClient, arguments: str, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert refusal(http, f"{{ articles({arguments}) {{ slug }} }}") == message
    assert "Traceback" not in caplog.text and not caplog.records


def test_a_query_deeper_than_five_levels_is_refused_before_it_runs(
    blog: Blog, http: FlaskClient
) -> None:
    five = "{ articles(limit: 1) { author { articles { author { articles { title } } } } } }"
    six = (
        "{ articles(limit: 1) { author { articles { author { articles { author { bio } } } } } } }"
    )
    assert ask(http, five)["articles"]
    assert count_statements(blog.app, refusal, http, six) == 0
    assert refusal(http, six) == "'anonymous' exceeds maximum operation depth of 5"


def test_a_query_of_more_than_2000_tokens_is_refused(http: FlaskClient) -> None:
    aliases = " ".join(f"a{n}: tags" for n in range(1001))
    assert refusal(http, f"{{ {aliases} }}") == (
        "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    )


def test_a_field_that_does_not_exist_is_named_in_the_error(http: FlaskClient) -> None:
    assert refusal(http, "{ articles { password } }") == (
        "Cannot query field 'password' on type 'Article'."
    )


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("{not json", "application/json", "Unable to parse request body as JSON"),
        ('[{"query": "{ tags }"}]', "application/json", "Batching is not enabled"),
        ('{"variables": {}}', "application/json", "No GraphQL query found in the request"),
        ("query=%7B+tags+%7D", "text/plain", "Unsupported content type"),
    ],
)
def test_a_body_that_is_no_graphql_request_is_a_json_400(
    http: FlaskClient, body: str, content_type: str, message: str
) -> None:
    response = http.post("/graphql", data=body, content_type=content_type)
    assert (response.status_code, response.content_type) == (400, "application/json")
    assert response.json == {"errors": [{"message": message}]}


def test_queries_come_by_post_only(http: FlaskClient) -> None:
    response = http.get("/graphql", query_string={"query": "{ tags }"})
    assert response.status_code == 405
    assert response.content_type == "application/json"


def test_a_bug_is_logged_and_the_client_sees_no_detail(
    http: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_session: object) -> list[str]:
        raise RuntimeError("password=hunter2 in the connection string")

    monkeypatch.setattr(day43.graphql_api, "popular_tags", broken)
    with caplog.at_level(logging.ERROR):
        message = refusal(http, "{ tags }")
    assert message == "Unexpected error."
    assert "hunter2" in caplog.text
