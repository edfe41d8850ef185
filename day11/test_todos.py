"""The rules for a todo's fields: what POST, PUT and PATCH each mean, and the ordering."""

from __future__ import annotations

from typing import Any

import pytest

from day11.todos import (
    InvalidTodo,
    Todo,
    TodoStore,
    parse_changes,
    parse_new,
    parse_replacement,
)


def refusal(parse: Any, body: Any) -> dict[str, list[str]]:
    with pytest.raises(InvalidTodo) as refused:
        parse(body)
    return refused.value.errors


def test_a_new_todo_needs_only_a_title_and_takes_the_defaults() -> None:
    assert parse_new({"title": "buy milk"}) == {
        "title": "buy milk",
        "completed": False,
        "order": None,
    }


def test_a_new_todo_without_a_title_is_refused() -> None:
    assert refusal(parse_new, {"completed": True}) == {"title": ["is required"]}


def test_a_title_is_stripped_and_a_blank_one_refused() -> None:
    assert parse_new({"title": "  buy milk "})["title"] == "buy milk"
    assert refusal(parse_new, {"title": "   "}) == {"title": ["must not be blank"]}


def test_a_title_longer_than_200_characters_is_refused() -> None:
    assert parse_new({"title": "x" * 200})["title"] == "x" * 200
    assert refusal(parse_new, {"title": "x" * 201}) == {
        "title": ["must be at most 200 characters, got 201"]
    }


def test_a_replacement_resets_every_field_it_leaves_out() -> None:
    assert parse_replacement({"title": "new"}) == {
        "title": "new",
        "completed": False,
        "order": None,
    }


def test_a_change_holds_only_the_fields_sent() -> None:
    assert parse_changes({"completed": True}) == {"completed": True}


def test_an_empty_change_is_valid_and_changes_nothing() -> None:
    assert parse_changes({}) == {}


def test_a_change_may_clear_the_order_with_null() -> None:
    assert parse_changes({"order": None}) == {"order": None}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"title": None}, {"title": ["cannot be null; send a non-empty string"]}),
        ({"completed": None}, {"completed": ["cannot be null; send true or false"]}),
        ({"title": 7}, {"title": ["must be a string, got 7"]}),
        ({"completed": "yes"}, {"completed": ["must be true or false, got 'yes'"]}),
        ({"completed": 1}, {"completed": ["must be true or false, got 1"]}),
        ({"order": True}, {"order": ["must be a whole number or null, got True"]}),
        ({"order": 1.5}, {"order": ["must be a whole number or null, got 1.5"]}),
        ({"order": "2"}, {"order": ["must be a whole number or null, got '2'"]}),
        (
            {"colour": "red"},
            {"colour": ["is not a todo field; known fields: title, completed, order"]},
        ),
        ({"id": 9}, {"id": ["is read-only; it is set by the server"]}),
        ({"url": "http://x/todos/9"}, {"url": ["is read-only; it is set by the server"]}),
    ],
    ids=[
        "null title",
        "null completed",
        "number title",
        "string completed",
        "number completed",
        "bool order",
        "float order",
        "string order",
        "unknown field",
        "id",
        "url",
    ],
)
def test_a_bad_change_is_refused_naming_the_field(
    body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    assert refusal(parse_changes, body) == errors


def test_every_problem_in_a_body_is_reported_at_once() -> None:
    errors = refusal(parse_changes, {"title": None, "colour": "red", "order": "2"})

    assert sorted(errors) == ["colour", "order", "title"]


@pytest.mark.parametrize(
    ("body", "called"),
    [
        ([{"title": "x"}], "an array"),
        ("x", "a string"),
        (None, "null"),
        (3, "a number"),
        (True, "a boolean"),
    ],
)
def test_a_body_that_is_not_an_object_is_refused_in_json_terms(body: Any, called: str) -> None:
    errors = refusal(parse_changes, body)

    assert errors == {"body": [f"must be a JSON object, got {called}"]}


def test_the_store_lists_by_order_then_unordered_then_by_id() -> None:
    store = TodoStore()
    for title, order in [("a", None), ("b", 2), ("c", 1), ("d", None), ("e", 1), ("f", -1)]:
        store.add(parse_new({"title": title, "order": order}))

    assert [todo.title for todo in store.all()] == ["f", "c", "e", "b", "a", "d"]


def test_a_change_keeps_the_fields_it_does_not_name() -> None:
    store = TodoStore()
    store.add(parse_new({"title": "a", "order": 3}))

    assert store.change(1, {"completed": True}) == Todo(1, "a", completed=True, order=3)


def test_a_replacement_keeps_only_the_id() -> None:
    store = TodoStore()
    store.add(parse_new({"title": "a", "completed": True, "order": 3}))

    assert store.replace(1, parse_replacement({"title": "b"})) == Todo(1, "b")


def test_ids_are_not_reused_after_a_delete_or_a_clear() -> None:
    store = TodoStore()
    store.add(parse_new({"title": "a"}))
    store.delete(1)
    store.add(parse_new({"title": "b"}))
    store.clear()

    assert store.add(parse_new({"title": "c"})).id == 3


def test_an_unknown_id_is_none_for_every_operation() -> None:
    store = TodoStore()

    assert (store.get(1), store.change(1, {}), store.replace(1, parse_new({"title": "x"}))) == (
        None,
        None,
        None,
    )
    assert store.delete(1) is False
