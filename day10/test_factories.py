"""Factories: sequences, derived fields, overrides, batches, and the bodies they build."""

from __future__ import annotations

from typing import Any

import pytest

from day10.factories import Factory, Lazy, Sequence
from projects.blog_api.schemas import NewArticle, NewComment, NewUser


def test_a_sequence_numbers_the_objects_from_1(users: Factory[dict[str, Any]]) -> None:
    assert [user["username"] for user in users.build_batch(3)] == ["user1", "user2", "user3"]


def test_a_lazy_field_follows_the_fields_before_it(users: Factory[dict[str, Any]]) -> None:
    assert users.build()["email"] == "user1@example.com"


def test_an_override_replaces_a_field_and_lazy_fields_see_it(
    users: Factory[dict[str, Any]],
) -> None:
    alice = users.build(username="alice")

    assert alice == {
        "username": "alice",
        "email": "alice@example.com",
        "password": "correct horse battery staple",
    }


def test_an_override_still_uses_up_a_number_of_the_sequence(
    users: Factory[dict[str, Any]],
) -> None:
    users.build(username="alice")

    assert users.build()["username"] == "user2"


def test_an_override_of_a_field_that_does_not_exist_is_a_type_error(
    users: Factory[dict[str, Any]],
) -> None:
    with pytest.raises(TypeError, match=r"^no field nickname, usrname in this factory$"):
        users.build(usrname="alice", nickname="al")


def test_a_batch_gives_every_object_the_same_overrides(
    articles: Factory[dict[str, Any]],
) -> None:
    batch = articles.build_batch(2, body="Same body.")

    assert [article["body"] for article in batch] == ["Same body.", "Same body."]
    assert [article["title"] for article in batch] == [
        "Testing an API, part 1",
        "Testing an API, part 2",
    ]


def test_a_list_in_the_recipe_is_copied_for_each_object(
    articles: Factory[dict[str, Any]],
) -> None:
    first, second = articles.build(), articles.build()
    first["tagList"].append("changed")

    assert second["tagList"] == ["testing", "day10"]
    assert articles.build()["tagList"] == ["testing", "day10"]


def test_reset_starts_the_sequences_again(users: Factory[dict[str, Any]]) -> None:
    users.build_batch(2)
    users.reset()

    assert users.build()["username"] == "user1"


def test_two_factories_never_share_a_sequence() -> None:
    one = Factory(dict, n=Sequence(lambda n: n))
    two = Factory(dict, n=Sequence(lambda n: n))
    one.build_batch(3)

    assert two.build() == {"n": 1}


def test_make_receives_the_fields_as_keyword_arguments() -> None:
    points = Factory(
        lambda x, y: (x, y), x=Sequence(lambda n: n * 10), y=Lazy(lambda p: p["x"] + 1)
    )

    assert points.build_batch(2) == [(10, 11), (20, 21)]


def test_the_factories_build_bodies_the_blog_api_accepts(
    users: Factory[dict[str, Any]],
    articles: Factory[dict[str, Any]],
    comments: Factory[dict[str, Any]],
) -> None:
    user, article, comment = users.build(), articles.build(), comments.build()

    assert NewUser().validate(user) == {}, user
    assert NewArticle().validate(article) == {}, article
    assert NewComment().validate(comment) == {}, comment
    assert article["description"] == "What I learned writing testing an api, part 1"
    assert article["body"] == "Fixtures, factories, contract tests and pagination."
    assert comment["body"] == "Comment 1: thanks for writing this up."


def test_a_nested_value_in_the_recipe_is_copied_all_the_way_down() -> None:
    notes = Factory(dict, meta={"tags": ["a"]})
    first, second = notes.build(), notes.build()
    first["meta"]["tags"].append("b")

    assert second == {"meta": {"tags": ["a"]}}
