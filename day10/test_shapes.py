"""The response shapes: bodies the RealWorld spec allows fit, and each kind of break is named."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema_rs
import pytest

from day10.shapes import NULLABLE_STRING, SHAPES, STRING, _object, violations

AUTHOR = {"username": "user1", "bio": None, "image": None, "following": False}
ARTICLE = {
    "slug": "testing-an-api",
    "title": "Testing an API",
    "description": "What I learned",
    "body": "Fixtures, factories, contract tests and pagination.",
    "tagList": ["testing"],
    "createdAt": "2026-12-02T05:00:00.000Z",
    "updatedAt": "2026-12-02T05:00:00.000Z",
    "favorited": False,
    "favoritesCount": 0,
    "author": AUTHOR,
}
COMMENT = {
    "id": 1,
    "createdAt": "2026-12-02T05:00:00.000Z",
    "updatedAt": "2026-12-02T05:00:00.000Z",
    "body": "Thanks.",
    "author": AUTHOR,
}
USER = {"email": "user1@example.com", "token": "a.b.c", "username": "user1"}
GOOD: dict[str, Any] = {
    "user": {"user": {**USER, "bio": "I test.", "image": "https://example.com/me.png"}},
    "profile": {"profile": {**AUTHOR, "following": True}},
    "article": {"article": ARTICLE},
    "articles": {
        "articles": [{k: v for k, v in ARTICLE.items() if k != "body"}],
        "articlesCount": 1,
    },
    "comment": {"comment": COMMENT},
    "comments": {"comments": [COMMENT, {**COMMENT, "id": 2}]},
    "tags": {"tags": ["testing", "day10"]},
    "errors": {"errors": {"body": ["can't be empty"]}},
}


def test_every_shape_has_a_good_example_here() -> None:
    assert set(GOOD) == set(SHAPES)


@pytest.mark.parametrize("shape", sorted(GOOD))
def test_a_body_the_spec_allows_fits(shape: str) -> None:
    assert violations(shape, GOOD[shape]) == []


def test_an_empty_list_of_articles_fits() -> None:
    assert violations("articles", {"articles": [], "articlesCount": 0}) == []


def test_bio_and_image_may_be_null_in_a_user() -> None:
    assert violations("user", {"user": {**USER, "bio": None, "image": None}}) == []


def changed(shape: str, path: str, value: Any) -> Any:
    """The good body of ``shape`` with the field at ``path`` (``a.b.0.c``) set, or removed."""
    body = copy.deepcopy(GOOD[shape])
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    index = int(last) if isinstance(node, list) else last
    if value is REMOVED:
        del node[index]
    else:
        node[index] = value
    return body


REMOVED = object()


@pytest.mark.parametrize(
    ("shape", "path", "value", "problem"),
    [
        ("user", "user.token", REMOVED, 'user: "token" is a required property'),
        ("user", "user.token", None, 'user.token: null is not of type "string"'),
        ("profile", "profile.following", "yes", 'profile.following: "yes" is not of type'),
        ("article", "article.body", REMOVED, 'article: "body" is a required property'),
        ("article", "article.createdAt", "yesterday", 'article.createdAt: "yesterday" is not a'),
        ("article", "article.favoritesCount", -1, "article.favoritesCount: -1 is less than"),
        ("article", "article.favoritesCount", 1.5, "article.favoritesCount: 1.5 is not of type"),
        ("article", "article.tagList", "testing", 'article.tagList: "testing" is not of type'),
        ("article", "article.author.username", REMOVED, 'article.author: "username" is a'),
        ("articles", "articlesCount", REMOVED, 'body: "articlesCount" is a required property'),
        ("articles", "articlesCount", -1, "articlesCount: -1 is less than the minimum of 0"),
        ("articles", "articles.0.author", REMOVED, 'articles.0: "author" is a required property'),
        ("comment", "comment.id", "1", 'comment.id: "1" is not of type "integer"'),
        ("comments", "comments.1.body", REMOVED, 'comments.1: "body" is a required property'),
        ("tags", "tags.0", 7, 'tags.0: 7 is not of type "string"'),
        ("errors", "errors", {}, "errors: {} has less than 1 property"),
        ("errors", "errors.body", "can't be empty", 'errors.body: "can\'t be empty" is not of'),
    ],
)
def test_a_broken_body_names_the_place_and_the_problem(
    shape: str, path: str, value: Any, problem: str
) -> None:
    found = violations(shape, changed(shape, path, value))

    assert len(found) == 1 and found[0].startswith(problem), found


def test_a_body_that_is_not_an_object_is_one_problem_at_body() -> None:
    assert violations("comment", []) == ['body: [] is not of type "object"']


def test_several_problems_are_all_listed_in_order() -> None:
    body = {"user": {"email": 1, "username": "user1", "bio": None, "image": None}}

    assert violations("user", body) == [
        'user.email: 1 is not of type "string"',
        'user: "token" is a required property',
    ]


def test_an_unknown_shape_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        violations("widget", {})


# --- what jsonschema-rs does, on the locked version -----------------------------------------

DATE_TIME = {"type": "string", "format": "date-time"}


def test_format_is_only_a_note_under_the_default_draft_unless_asked() -> None:
    # Draft 2020-12, the default, treats "format" as an annotation: checking it is opt-in.
    assert jsonschema_rs.validator_for(DATE_TIME).is_valid("yesterday")
    assert not jsonschema_rs.validator_for(DATE_TIME, validate_formats=True).is_valid("yesterday")


def test_format_is_checked_by_default_under_draft_7() -> None:
    draft_7 = {"$schema": "http://json-schema.org/draft-07/schema#", **DATE_TIME}

    assert not jsonschema_rs.validator_for(draft_7).is_valid("yesterday")


def test_the_shapes_check_timestamps() -> None:
    body = changed("comment", "comment.createdAt", "2026-13-45T99:00:00Z")

    assert violations("comment", body) == [
        'comment.createdAt: "2026-13-45T99:00:00Z" is not a "date-time"'
    ]


def test_an_object_shape_requires_each_of_its_properties() -> None:
    assert _object(b=STRING, a=NULLABLE_STRING) == {
        "type": "object",
        "required": ["a", "b"],
        "properties": {"b": STRING, "a": NULLABLE_STRING},
    }
