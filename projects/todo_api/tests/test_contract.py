"""The Todo-Backend reference specs (todobackend.com's spec runner), ported as tests of the app.

Each test name is the spec's own sentence; the runner's groups are the comments.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

ROOT = "/todos"


def create(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    response = client.post(ROOT, json={"title": "walk the dog", **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def path_of(url: str) -> str:
    """The test client wants a path; the API gives absolute URLs."""
    assert url.startswith("http://localhost/"), url
    return url.removeprefix("http://localhost")


# --- the pre-requisites ------------------------------------------------------------------


def test_the_api_root_responds_to_a_get(client: FlaskClient) -> None:
    response = client.get(ROOT)
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_the_api_root_responds_to_a_post_with_the_todo_which_was_posted_to_it(
    client: FlaskClient,
) -> None:
    response = client.post(ROOT, json={"title": "a todo"})
    assert response.status_code == 201
    assert response.get_json()["title"] == "a todo"


def test_the_api_root_responds_successfully_to_a_delete(client: FlaskClient) -> None:
    assert client.delete(ROOT).status_code == 204


def test_after_a_delete_the_api_root_responds_to_a_get_with_an_empty_array(
    client: FlaskClient,
) -> None:
    create(client)
    client.delete(ROOT)
    assert client.get(ROOT).get_json() == []


# --- storing new todos by posting to the root url ----------------------------------------


def test_adds_a_new_todo_to_the_list_of_todos_at_the_root_url(client: FlaskClient) -> None:
    client.delete(ROOT)
    create(client, title="walk the dog")
    todos = client.get(ROOT).get_json()
    assert [todo["title"] for todo in todos] == ["walk the dog"]


def test_sets_up_a_new_todo_as_initially_not_completed(client: FlaskClient) -> None:
    assert create(client)["completed"] is False
    assert client.get(ROOT).get_json()[0]["completed"] is False


def test_each_new_todo_has_a_url(client: FlaskClient) -> None:
    todo = create(client)
    assert isinstance(todo["url"], str) and todo["url"].endswith(f"/todos/{todo['id']}")


def test_each_new_todo_has_a_url_which_returns_a_todo(client: FlaskClient) -> None:
    todo = create(client, title="my todo")
    fetched = client.get(path_of(todo["url"]))
    assert fetched.status_code == 200
    assert fetched.get_json() == todo


def test_a_new_todo_has_id_title_completed_order_and_url_and_nothing_else(
    client: FlaskClient,
) -> None:
    assert list(create(client)) == ["id", "title", "completed", "order", "url"]


# --- working with an existing todo -------------------------------------------------------


def test_can_navigate_from_a_list_of_todos_to_an_individual_todo_via_urls(
    client: FlaskClient,
) -> None:
    create(client, title="todo the first")
    create(client, title="todo the second")
    listed = client.get(ROOT).get_json()
    assert len(listed) == 2
    assert client.get(path_of(listed[0]["url"])).get_json()["title"] == "todo the first"


def test_can_change_the_todos_title_by_patching_to_the_todos_url(client: FlaskClient) -> None:
    url = path_of(create(client, title="initial title")["url"])
    patched = client.patch(url, json={"title": "bathe the cat"})
    assert patched.status_code == 200
    assert patched.get_json()["title"] == "bathe the cat"


def test_can_change_the_todos_completedness_by_patching_to_the_todos_url(
    client: FlaskClient,
) -> None:
    url = path_of(create(client)["url"])
    assert client.patch(url, json={"completed": True}).get_json()["completed"] is True


def test_changes_to_a_todo_are_persisted_and_show_up_when_re_fetching_the_todo(
    client: FlaskClient,
) -> None:
    url = path_of(create(client, title="initial title")["url"])
    client.patch(url, json={"title": "changed title", "completed": True})
    fetched = client.get(url).get_json()
    assert (fetched["title"], fetched["completed"]) == ("changed title", True)
    assert client.get(ROOT).get_json()[0]["title"] == "changed title"


def test_can_delete_a_todo_making_a_delete_request_to_the_todos_url(client: FlaskClient) -> None:
    url = path_of(create(client)["url"])
    assert client.delete(url).status_code == 204
    assert client.get(ROOT).get_json() == []
    assert client.get(url).status_code == 404


def test_a_patch_changes_only_the_fields_it_names(client: FlaskClient) -> None:
    todo = create(client, title="keep me", order=4)
    patched = client.patch(path_of(todo["url"]), json={"completed": True}).get_json()
    assert patched == {**todo, "completed": True}


# --- tracking todo order -----------------------------------------------------------------


def test_can_create_a_todo_with_an_order_field(client: FlaskClient) -> None:
    assert create(client, order=523)["order"] == 523


def test_can_patch_a_todo_to_change_its_order(client: FlaskClient) -> None:
    url = path_of(create(client, order=10)["url"])
    assert client.patch(url, json={"order": 95}).get_json()["order"] == 95


def test_remembers_changes_to_a_todos_order(client: FlaskClient) -> None:
    url = path_of(create(client, order=10)["url"])
    client.patch(url, json={"order": 95})
    assert client.get(url).get_json()["order"] == 95


def test_a_todo_without_an_order_has_a_null_order(client: FlaskClient) -> None:
    assert create(client)["order"] is None


def test_the_list_is_ordered_by_order_then_id_with_unordered_todos_last(
    client: FlaskClient,
) -> None:
    create(client, title="none-1")
    create(client, title="two", order=2)
    create(client, title="one", order=1)
    create(client, title="none-2")
    create(client, title="also-two", order=2)
    titles = [todo["title"] for todo in client.get(ROOT).get_json()]
    assert titles == ["one", "two", "also-two", "none-1", "none-2"]


def test_a_missing_todo_is_a_404_problem(client: FlaskClient) -> None:
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)("/todos/999", json={} if method == "patch" else None)
        assert response.status_code == 404, method
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 404
