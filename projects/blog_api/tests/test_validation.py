"""Bad input: every kind gets a JSON 4xx naming what is wrong, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from projects.blog_api import schemas
from projects.blog_api.models import (
    ARTICLE_BODY_MAX,
    BIO_MAX,
    COMMENT_BODY_MAX,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    IMAGE_MAX,
    TAG_MAX,
    TITLE_MAX,
    USERNAME_MAX,
)
from projects.blog_api.tests.support import PASSWORD, Conduit, assert_error, unique


def new_user(**changes: Any) -> dict[str, Any]:
    name = unique()
    user = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    return {"user": {**user, **changes}}


def new_article(**changes: Any) -> dict[str, Any]:
    return {"article": {"title": "t", "description": "d", "body": "b", **changes}}


REGISTRATION_ERRORS = [
    ("missing username", {"username": None}, "username"),
    ("blank username", {"username": "   "}, "username"),
    ("username not a string", {"username": 42}, "username"),
    ("username with a space", {"username": "two words"}, "username"),
    ("username with a slash", {"username": "a/b"}, "username"),
    ("username too long", {"username": "u" * (USERNAME_MAX + 1)}, "username"),
    ("email not an email", {"email": "not-an-email"}, "email"),
    ("email too long", {"email": "e" * EMAIL_MAX + "@example.com"}, "email"),
    ("email a list", {"email": ["a@b.co"]}, "email"),
    ("password too short", {"password": "short"}, "password"),
    ("password a number", {"password": 12345678}, "password"),
    ("username with NUL", {"username": "a\x00b"}, "username"),
    ("username with lone surrogate", {"username": "a\ud800b"}, "username"),
]


@pytest.mark.parametrize(
    ("change", "field"),
    [(change, field) for _, change, field in REGISTRATION_ERRORS],
    ids=[name for name, _, _ in REGISTRATION_ERRORS],
)
def test_registration_refuses_bad_fields(
    client: FlaskClient, change: dict[str, Any], field: str
) -> None:
    user = new_user(**change)
    user["user"] = {key: value for key, value in user["user"].items() if value is not None}
    assert_error(client.post("/api/users", json=user), 422, field)


def test_registration_reports_every_missing_field_at_once(client: FlaskClient) -> None:
    response = client.post("/api/users", json={"user": {}})
    assert response.status_code == 422
    assert response.json["errors"] == {
        "username": ["can't be blank"],
        "email": ["can't be blank"],
        "password": ["can't be blank"],
    }


@pytest.mark.parametrize("body", [{}, {"users": {}}, {"user": "alice"}, {"user": [1, 2]}])
def test_registration_needs_the_user_envelope(client: FlaskClient, body: dict[str, Any]) -> None:
    assert_error(client.post("/api/users", json=body), 422, "user")


def test_unknown_keys_are_ignored_never_assigned(client: FlaskClient) -> None:
    payload = new_user(id=1, password_hash="x", auth_id="0" * 32, bio="sneaky", token="t")
    response = client.post("/api/users", json={**payload, "admin": True})
    assert response.status_code == 201, response.json
    assert response.json["user"]["bio"] is None


def test_article_unknown_keys_are_ignored(conduit: Conduit) -> None:
    author = conduit.register()
    response = conduit.client.post(
        "/api/articles",
        json=new_article(slug="chosen", favoritesCount=99, author={"username": "x"}, id=7),
        headers=author.headers,
    )
    assert response.status_code == 201, response.json
    article = response.json["article"]
    assert article["slug"] != "chosen" and article["favoritesCount"] == 0
    assert article["author"]["username"] == author.username


ARTICLE_ERRORS = [
    ("missing title", {"title": None}, "title"),
    ("blank description", {"description": ""}, "description"),
    ("whitespace body", {"body": " \n\t "}, "body"),
    ("title a number", {"title": 3}, "title"),
    ("title too long", {"title": "t" * (TITLE_MAX + 1)}, "title"),
    ("description too long", {"description": "d" * (DESCRIPTION_MAX + 1)}, "description"),
    ("body too long", {"body": "b" * (ARTICLE_BODY_MAX + 1)}, "body"),
    ("tag list a string", {"tagList": "dragons"}, "tagList"),
    ("tag not a string", {"tagList": ["ok", 5]}, "tagList"),
    ("blank tag", {"tagList": [" "]}, "tagList"),
    ("tag too long", {"tagList": ["t" * (TAG_MAX + 1)]}, "tagList"),
    ("too many tags", {"tagList": [f"t{n}" for n in range(21)]}, "tagList"),
    ("title with NUL", {"title": "a\x00"}, "title"),
]


@pytest.mark.parametrize(
    ("change", "field"),
    [(change, field) for _, change, field in ARTICLE_ERRORS],
    ids=[name for name, _, _ in ARTICLE_ERRORS],
)
def test_article_creation_refuses_bad_fields(
    conduit: Conduit, change: dict[str, Any], field: str
) -> None:
    author = conduit.register()
    article = new_article(**change)
    article["article"] = {k: v for k, v in article["article"].items() if v is not None}
    response = conduit.client.post("/api/articles", json=article, headers=author.headers)
    assert_error(response, 422, field)


def test_article_update_refuses_a_blank_title(conduit: Conduit) -> None:
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    response = conduit.client.put(
        f"/api/articles/{slug}", json={"article": {"title": ""}}, headers=author.headers
    )
    assert_error(response, 422, "title")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"comment": {"body": ""}}, "body"),
        ({"comment": {"body": 1}}, "body"),
        ({"comment": {"body": "c" * (COMMENT_BODY_MAX + 1)}}, "body"),
        ({"comment": {}}, "body"),
        ({}, "comment"),
    ],
)
def test_comments_refuse_bad_bodies(conduit: Conduit, body: dict[str, Any], field: str) -> None:
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    response = conduit.client.post(
        f"/api/articles/{slug}/comments", json=body, headers=author.headers
    )
    assert_error(response, 422, field)


USER_UPDATE_ERRORS = [
    ("bio not a string", {"bio": 7}, "bio"),
    ("bio too long", {"bio": "b" * (BIO_MAX + 1)}, "bio"),
    ("image not a URL", {"image": "javascript:alert(1)"}, "image"),
    ("image with an unclosed IPv6 host", {"image": "http://[::1"}, "image"),
    ("image too long", {"image": "https://example.com/" + "i" * IMAGE_MAX}, "image"),
    ("null email", {"email": None}, "email"),
    ("blank username", {"username": ""}, "username"),
    ("short password", {"password": "123"}, "password"),
]


@pytest.mark.parametrize(
    ("change", "field"),
    [(change, field) for _, change, field in USER_UPDATE_ERRORS],
    ids=[name for name, _, _ in USER_UPDATE_ERRORS],
)
def test_user_update_refuses_bad_fields(
    conduit: Conduit, change: dict[str, Any], field: str
) -> None:
    account = conduit.register()
    response = conduit.client.put("/api/user", json={"user": change}, headers=account.headers)
    assert_error(response, 422, field)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=1.5", "limit"),
        ("offset=-1", "offset"),
        (f"offset={2**64}", "offset"),
        ("tag=a%00b", "tag"),
        ("author=" + "a" * 300, "author"),
        ("tag=" + "t" * (TAG_MAX + 1), "tag"),
        ("favorited=" + "f" * (USERNAME_MAX + 1), "favorited"),
    ],
)
def test_list_queries_refuse_bad_parameters(client: FlaskClient, query: str, field: str) -> None:
    assert_error(client.get(f"/api/articles?{query}"), 422, field)


def test_an_empty_filter_means_no_filter(conduit: Conduit) -> None:
    conduit.write(conduit.register())
    response = conduit.client.get("/api/articles?tag=&author=&favorited=&limit=1")
    assert response.status_code == 200
    assert response.json["articlesCount"] >= 1


def test_unknown_query_parameters_are_ignored(client: FlaskClient) -> None:
    assert client.get("/api/articles?sort=desc&page=2").status_code == 200


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/api/users", data='{"user": {', content_type="application/json")
    assert_error(response, 400, "body")
    assert "not valid JSON" in response.json["errors"]["body"][0]


def test_deeply_nested_json_is_400_not_a_crash(client: FlaskClient) -> None:
    response = client.post("/api/users", data="[" * 100_000, content_type="application/json")
    assert_error(response, 400, "body")


def test_a_body_that_is_not_utf8_is_400(client: FlaskClient) -> None:
    response = client.post("/api/users", data=b'{"user": "\xff"}', content_type="application/json")
    assert_error(response, 400, "body")


@pytest.mark.parametrize("payload", ["[1, 2]", '"user"', "42", "null"])
def test_a_body_that_is_not_a_json_object_is_422(client: FlaskClient, payload: str) -> None:
    response = client.post("/api/users", data=payload, content_type="application/json")
    assert_error(response, 422, "body")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_of_another_content_type_is_415(client: FlaskClient, content_type: str) -> None:
    response = client.post(
        "/api/users", data='{"user": {"username": "x"}}', content_type=content_type
    )
    assert_error(response, 415, "body")


def test_a_huge_body_is_413(conduit: Conduit) -> None:
    author = conduit.register()
    huge = new_article(body="x" * 2_000_000)
    response = conduit.client.post("/api/articles", json=huge, headers=author.headers)
    assert_error(response, 413, "body")


def test_bodiless_writes_with_a_json_content_type_are_fine(conduit: Conduit) -> None:
    # The Postman collection sends Content-Type: application/json on every request.
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    response = conduit.client.post(
        f"/api/articles/{slug}/favorite",
        headers={**author.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200


def test_an_unknown_route_is_a_json_404(client: FlaskClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "body")


def test_a_wrong_method_is_a_json_405_with_allow(client: FlaskClient) -> None:
    response = client.patch("/api/tags")
    assert_error(response, 405, "body")
    assert "GET" in response.headers["Allow"]


def test_an_unexpected_error_is_a_json_500_without_a_traceback(
    app: Flask, conduit: Conduit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from projects.blog_api import tags

    def explode(_session: object) -> list[str]:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(tags, "popular_tags", explode)
    response = conduit.client.get("/api/tags")
    assert_error(response, 500, "body")
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_errors_never_echo_the_password(client: FlaskClient) -> None:
    response = client.post("/api/users", json=new_user(password="short1", email="bad"))
    assert "short1" not in response.get_data(as_text=True)


def openapi_document(app: Flask) -> dict[str, Any]:
    document: dict[str, Any] = app.test_client().get("/api/openapi.json").json
    return document


def test_the_document_lists_the_errors_a_json_body_can_get(make_app: Any) -> None:
    document = openapi_document(make_app())
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            statuses = set(operation["responses"])
            documented = {"400", "413", "415"} <= statuses
            assert documented == ("requestBody" in operation), (method, path, sorted(statuses))
            reads_query = any(p["in"] == "query" for p in operation.get("parameters", []))
            assert ("414" in statuses) == reads_query, (method, path, sorted(statuses))


def test_the_document_states_the_limits_text_fields_are_checked_against(make_app: Any) -> None:
    schemas = openapi_document(make_app())["components"]["schemas"]
    limits = {
        ("NewUser", "username"): USERNAME_MAX,
        ("NewUser", "email"): EMAIL_MAX,
        ("NewArticle", "title"): TITLE_MAX,
        ("NewArticle", "description"): DESCRIPTION_MAX,
        ("NewArticle", "body"): ARTICLE_BODY_MAX,
        ("NewComment", "body"): COMMENT_BODY_MAX,
        ("UpdateUser", "bio"): BIO_MAX,
        ("UpdateUser", "image"): IMAGE_MAX,
    }
    for (schema, field), limit in limits.items():
        assert schemas[schema]["properties"][field]["maxLength"] == limit, (schema, field)
    assert schemas["NewUser"]["properties"]["password"]["minLength"] == 8
    assert schemas["NewArticle"]["properties"]["tagList"]["items"]["maxLength"] == TAG_MAX


@pytest.mark.parametrize(
    ("schema", "field", "value"),
    [
        ("NewArticle", "title", "   "),
        ("NewArticle", "title", "A title"),
        ("LoginUser", "password", "        "),
        ("UpdateUser", "image", "https://example.com/me.png"),
        ("UpdateUser", "image", "javascript:alert(1)"),
        ("UpdateUser", "image", "http://[::1"),
        ("UpdateUser", "image", ""),
    ],
)
def test_the_documented_pattern_agrees_with_the_server(
    make_app: Any, schema: str, field: str, value: str
) -> None:
    app = make_app()
    pattern = openapi_document(app)["components"]["schemas"][schema]["properties"][field]["pattern"]
    # JSON Schema patterns search the string, as re.search does.
    documented_valid = re.search(pattern, value) is not None
    loaded = getattr(schemas, schema)().validate({field: value}, partial=True)
    assert documented_valid == (field not in loaded), (value, pattern, loaded)
