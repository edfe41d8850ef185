"""The Todo resource over HTTP (Flask's test client): CRUD, PATCH, PUT and the errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient


def add(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    response = client.post("/todos", json=fields)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def test_a_created_todo_is_201_with_its_location_and_defaults(client: FlaskClient) -> None:
    response = client.post("/todos", json={"title": "buy milk"})

    assert response.status_code == 201
    assert response.headers["Location"] == "http://localhost/todos/1"
    assert response.get_json() == {
        "id": 1,
        "title": "buy milk",
        "completed": False,
        "order": None,
        "url": "http://localhost/todos/1",
    }


def test_the_location_of_a_new_todo_serves_it(client: FlaskClient) -> None:
    created = client.post("/todos", json={"title": "buy milk", "order": 4})

    assert client.get(created.headers["Location"]).get_json() == created.get_json()


def test_the_list_is_by_order_then_unordered_todos_by_id(client: FlaskClient) -> None:
    add(client, title="no order")
    add(client, title="second", order=2)
    add(client, title="first", order=1)
    add(client, title="also no order")

    titles = [todo["title"] for todo in client.get("/todos").get_json()]

    assert titles == ["first", "second", "no order", "also no order"]


def test_patch_changes_only_the_fields_sent(client: FlaskClient) -> None:
    add(client, title="buy milk", order=3)

    response = client.patch("/todos/1", json={"completed": True})

    assert response.status_code == 200
    assert {k: response.get_json()[k] for k in ("title", "completed", "order")} == {
        "title": "buy milk",
        "completed": True,
        "order": 3,
    }


def test_patch_with_null_clears_the_order(client: FlaskClient) -> None:
    add(client, title="buy milk", order=3)

    assert client.patch("/todos/1", json={"order": None}).get_json()["order"] is None


def test_an_empty_patch_changes_nothing(client: FlaskClient) -> None:
    before = add(client, title="buy milk", order=3, completed=True)

    assert client.patch("/todos/1", json={}).get_json() == before


def test_patch_takes_a_json_merge_patch_body_too(client: FlaskClient) -> None:
    add(client, title="buy milk")

    response = client.patch(
        "/todos/1", data='{"title": "buy oat milk"}', content_type="application/merge-patch+json"
    )

    assert (response.status_code, response.get_json()["title"]) == (200, "buy oat milk")


def test_put_replaces_the_todo_and_resets_what_it_leaves_out(client: FlaskClient) -> None:
    add(client, title="buy milk", order=3, completed=True)

    response = client.put("/todos/1", json={"title": "buy bread"})

    assert response.status_code == 200
    assert response.get_json() == {
        "id": 1,
        "title": "buy bread",
        "completed": False,
        "order": None,
        "url": "http://localhost/todos/1",
    }


def test_put_without_a_title_is_refused_where_patch_is_not(client: FlaskClient) -> None:
    add(client, title="buy milk")

    assert client.put("/todos/1", json={"completed": True}).status_code == 422
    assert client.patch("/todos/1", json={"completed": True}).status_code == 200


def test_a_refused_patch_is_a_422_problem_naming_each_field_and_changes_nothing(
    client: FlaskClient,
) -> None:
    before = add(client, title="buy milk")

    response = client.patch("/todos/1", json={"title": None, "colour": "red"})

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == {
        "title": ["cannot be null; send a non-empty string"],
        "colour": ["is not a todo field; known fields: title, completed, order"],
    }
    assert client.get("/todos/1").get_json() == before


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("PATCH", {"completed": True}), ("PUT", {"title": "x"}), ("DELETE", None)],
)
def test_an_unknown_todo_is_a_404_problem(client: FlaskClient, method: str, body: Any) -> None:
    response = client.open("/todos/42", method=method, json=body)

    assert response.status_code == 404
    assert response.get_json()["detail"] == "there is no todo 42"


def test_a_body_that_is_not_json_is_a_415_saying_what_to_send(client: FlaskClient) -> None:
    add(client, title="buy milk")

    response = client.patch("/todos/1", data="completed=true", content_type="text/plain")

    assert response.status_code == 415
    assert response.get_json()["detail"] == (
        "send the body as application/json or application/merge-patch+json, got text/plain"
    )


def test_post_does_not_take_a_merge_patch(client: FlaskClient) -> None:
    response = client.post(
        "/todos", data='{"title": "x"}', content_type="application/merge-patch+json"
    )

    assert response.status_code == 415


def test_malformed_json_is_a_400(client: FlaskClient) -> None:
    response = client.post("/todos", data='{"title": ', content_type="application/json")

    assert (response.status_code, response.get_json()["detail"]) == (
        400,
        "the body is not valid JSON",
    )


def test_a_json_null_body_is_refused_as_not_an_object(client: FlaskClient) -> None:
    response = client.post("/todos", data="null", content_type="application/json")

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"body": ["must be a JSON object, got null"]}


def test_delete_removes_one_todo_then_all(client: FlaskClient) -> None:
    for title in ("a", "b", "c"):
        add(client, title=title)

    assert client.delete("/todos/2").status_code == 204
    assert [todo["id"] for todo in client.get("/todos").get_json()] == [1, 3]
    assert client.delete("/todos").status_code == 204
    assert client.get("/todos").get_json() == []
