"""The bookshelf API through the test client: every status it promises, and one error shape."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import ValidationError, fields

from day05.app import create_app
from day05.isbn import check_digit
from shared.errors import PROBLEM_JSON

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def isbn(n: int) -> str:
    first_twelve = f"978{n:09d}"
    return first_twelve + str(check_digit(first_twelve))


def book_json(n: int = 1, **changes: Any) -> dict[str, Any]:
    book = {"title": f"Book {n}", "author": "Octavia E. Butler", "year": 1979, "isbn": isbn(n)}
    return book | changes


@pytest.fixture
def client() -> FlaskClient:
    return create_app({"TESTING": True}).test_client()


def create_response_of(n: int, book_id: int = 1) -> dict[str, Any]:
    """What GET answers for the book ``create(client, n)`` stored as ``book_id``."""
    return {"id": book_id, **book_json(n)}


def create(client: FlaskClient, n: int = 1, **changes: Any) -> dict[str, Any]:
    response = client.post("/books", json=book_json(n, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """problem+json with ``status``, and nothing outside the one error shape."""
    body = response.get_json(force=True)
    assert (response.status_code, response.mimetype) == (status, PROBLEM_JSON), body
    assert set(body) <= PROBLEM_KEYS and body["status"] == status, body
    assert body["title"] and body["detail"], body
    return body


# --- POST /books -------------------------------------------------------------------------------


def test_create_answers_201_with_the_book_and_its_location(client: FlaskClient) -> None:
    response = client.post("/books", json=book_json(1))

    body = response.get_json()
    assert response.status_code == 201
    assert body == {"id": body["id"], **book_json(1)}
    assert response.headers["Location"] == f"/books/{body['id']}"
    assert client.get(response.headers["Location"]).get_json() == body


def test_create_normalises_the_isbn_and_trims_text(client: FlaskClient) -> None:
    hyphenated = f"{isbn(7)[:3]}-{isbn(7)[3:]}"

    body = create(client, 7, isbn=hyphenated, title="  Kindred  ")

    assert (body["isbn"], body["title"]) == (isbn(7), "Kindred")


@pytest.mark.parametrize("field", ["title", "author", "year", "isbn"])
def test_create_without_a_field_is_422_naming_it(client: FlaskClient, field: str) -> None:
    sent = book_json()
    del sent[field]

    body = assert_problem(client.post("/books", json=sent), 422)

    assert body["errors"] == {field: ["Missing data for required field."]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "   ", "Must not be blank."),
        ("title", None, "Field may not be null."),
        ("title", "x" * 201, "Longer than maximum length 200."),
        ("author", 42, "Not a valid string."),
        ("year", "1979", "Not a valid integer."),
        ("year", 1979.5, "Not a valid integer."),
        ("year", True, "Not a valid integer."),
        ("year", 1200, "Must be between 1450 and"),
        ("isbn", "9780261103345", "the check digit should be 4, not 5"),
        ("isbn", "0261103342", "13 digits"),
    ],
)
def test_create_with_an_invalid_field_is_422_with_that_fields_message(
    client: FlaskClient, field: str, value: Any, message: str
) -> None:
    body = assert_problem(client.post("/books", json=book_json(**{field: value})), 422)

    assert list(body["errors"]) == [field], body
    assert message in body["errors"][field][0], body["errors"]
    assert field in body["detail"]


def test_create_reports_every_invalid_field_at_once(client: FlaskClient) -> None:
    sent = {"title": "", "author": "", "year": "soon", "isbn": "nope"}

    body = assert_problem(client.post("/books", json=sent), 422)

    assert set(body["errors"]) == {"title", "author", "year", "isbn"}
    assert body["detail"] == (
        "the body has invalid fields (author, isbn, title, year); see errors for each one"
    )


def test_the_publication_year_runs_from_1450_to_next_year(client: FlaskClient) -> None:
    next_year = date.today().year + 1

    accepted = [
        client.post("/books", json=book_json(n, year=year))
        for n, year in enumerate([1450, next_year], start=1)
    ]
    refused = [
        client.post("/books", json=book_json(9, year=year)) for year in (1449, next_year + 1)
    ]

    assert [response.status_code for response in accepted] == [201, 201]
    for response in refused:
        errors = assert_problem(response, 422)["errors"]
        assert errors == {"year": [f"Must be between 1450 and {next_year}."]}, errors


@pytest.mark.parametrize("unknown", ["yaer", "publisher", "id"])
def test_create_rejects_unknown_fields_including_the_server_owned_id(
    client: FlaskClient, unknown: str
) -> None:
    body = assert_problem(client.post("/books", json=book_json() | {unknown: 1}), 422)

    assert body["errors"] == {unknown: ["Unknown field."]}


def test_create_with_an_isbn_already_on_the_shelf_is_409(client: FlaskClient) -> None:
    first = create(client, 1)
    hyphenated_same = f"{isbn(1)[:3]}-{isbn(1)[3:]}"

    body = assert_problem(client.post("/books", json=book_json(1, isbn=hyphenated_same)), 409)

    assert body["errors"] == {"isbn": [f"Already used by book {first['id']}."]}
    assert client.get("/books").get_json()["total"] == 1


def test_create_with_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/books", data="{'title': 'x'}", content_type="application/json")

    assert "not valid JSON" in assert_problem(response, 400)["detail"]


def test_create_with_a_json_array_is_400(client: FlaskClient) -> None:
    response = client.post("/books", json=[book_json()])

    assert "must be a JSON object, not an array" in assert_problem(response, 400)["detail"]


def test_create_with_a_form_body_is_415(client: FlaskClient) -> None:
    response = client.post("/books", data={"title": "x"})

    assert "application/json" in assert_problem(response, 415)["detail"]


# --- bodies that are not a JSON object, on every method that takes one --------------------------

WRITES = ["POST", "PUT", "PATCH"]

UNREADABLE_BODIES = {
    "malformed": ("{'title': 'x'}", "not valid JSON"),
    "empty": ("  \n", "the body is empty"),
    "array": ("[]", "must be a JSON object, not an array"),
    "string": ('"a book"', "must be a JSON object, not a string"),
    "NaN": ('{"year": NaN}', "NaN is not a JSON value"),
    "Infinity": ('{"year": -Infinity}', "-Infinity is not a JSON value"),
    "too large": ('{"year": 1e400}', "the number 1e400 is too large"),
}

NOT_JSON_TYPES = {
    "text": ("text/plain", "text/plain"),
    "form": ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
    "multipart": ("multipart/form-data; boundary=x", "multipart/form-data"),
    "xml": ("application/xml", "application/xml"),
    "none": (None, "no Content-Type"),
}


def write(client: FlaskClient, method: str, **options: Any) -> Any:
    """Send ``method`` to the collection (POST) or to a stored book (PUT, PATCH)."""
    path = "/books" if method == "POST" else f"/books/{create(client, 1)['id']}"
    return client.open(path, method=method, **options)


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("kind", list(UNREADABLE_BODIES))
def test_a_body_that_is_not_a_json_object_is_400_and_changes_nothing(
    client: FlaskClient, method: str, kind: str
) -> None:
    raw, detail = UNREADABLE_BODIES[kind]

    response = write(client, method, data=raw, content_type="application/json")

    assert detail in assert_problem(response, 400)["detail"]
    books = client.get("/books").get_json()["items"]
    assert books == ([] if method == "POST" else [create_response_of(1)]), books


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("kind", list(NOT_JSON_TYPES))
def test_a_body_not_declared_as_json_is_415_naming_what_was_sent(
    client: FlaskClient, method: str, kind: str
) -> None:
    content_type, named = NOT_JSON_TYPES[kind]
    options: dict[str, Any] = {"data": '{"year": 1980}'}
    if content_type is not None:
        options["content_type"] = content_type

    detail = assert_problem(write(client, method, **options), 415)["detail"]

    assert "expected Content-Type: application/json" in detail and f"got {named}" in detail
    books = client.get("/books").get_json()["items"]
    assert books == ([] if method == "POST" else [create_response_of(1)]), books


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("true", "a boolean"), ("7", "a number"), ("7.5", "a number"), ("null", "null")],
)
def test_a_body_that_is_a_json_scalar_is_400_naming_its_kind(
    client: FlaskClient, raw: str, kind: str
) -> None:
    response = client.post("/books", data=raw, content_type="application/json")

    assert assert_problem(response, 400)["detail"] == f"the body must be a JSON object, not {kind}"


def test_an_empty_body_is_400_saying_so(client: FlaskClient) -> None:
    response = client.post("/books", data="", content_type="application/json")

    assert assert_problem(response, 400)["detail"] == "the body is empty; send a JSON object"


def test_a_body_up_to_64_kib_is_read_and_one_byte_more_is_413(client: FlaskClient) -> None:
    def body_of(size: int) -> str:
        padding = size - len('{"title": ""}')
        return '{"title": "' + "x" * padding + '"}'

    at_limit = client.post("/books", data=body_of(64 * 1024), content_type="application/json")
    over = client.post("/books", data=body_of(64 * 1024 + 1), content_type="application/json")

    assert "title" in assert_problem(at_limit, 422)["errors"]  # read, then judged: too long
    assert_problem(over, 413)


def test_a_book_is_sent_with_its_fields_in_schema_order_not_sorted(client: FlaskClient) -> None:
    response = client.post("/books", json=book_json(1))

    assert list(response.get_json()) == ["id", "title", "author", "year", "isbn"]


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/merge-patch+json"]
)
def test_any_json_media_type_is_read(client: FlaskClient, content_type: str) -> None:
    book = create(client, 1)

    response = client.patch(
        f"/books/{book['id']}", data='{"year": 1980}', content_type=content_type
    )

    assert response.status_code == 200 and response.get_json()["year"] == 1980


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_missing_book_is_404_before_its_body_is_read(client: FlaskClient, method: str) -> None:
    response = client.open("/books/9", method=method, data="x", content_type="text/plain")

    assert "no book with id 9" in assert_problem(response, 404)["detail"]


def test_a_large_finite_number_is_read_and_judged_by_the_schema(client: FlaskClient) -> None:
    response = client.post("/books", data='{"year": 1.5e308}', content_type="application/json")

    assert assert_problem(response, 422)["errors"]["year"] == ["Not a valid integer."]


def test_marshmallow_strict_integer_refuses_a_bool_on_its_own() -> None:
    # Why BookSchema.year needs no guard of its own on the locked marshmallow 4.4.
    for value in (True, False):
        with pytest.raises(ValidationError, match="Not a valid integer"):
            fields.Integer(strict=True).deserialize(value)


# --- GET /books --------------------------------------------------------------------------------


def test_list_of_an_empty_shelf_is_an_empty_page(client: FlaskClient) -> None:
    body = client.get("/books").get_json()

    assert body == {"items": [], "total": 0, "limit": 20, "offset": 0}


def test_list_filters_by_author_ignoring_case(client: FlaskClient) -> None:
    create(client, 1, author="N. K. Jemisin")
    create(client, 2, author="Ted Chiang")
    create(client, 3, author="N. K. Jemisin")

    body = client.get("/books", query_string={"author": "n. k. jemisin"}).get_json()

    assert [book["isbn"] for book in body["items"]] == [isbn(1), isbn(3)]
    assert body["total"] == 2


def test_list_pages_with_limit_and_offset_and_reports_the_total(client: FlaskClient) -> None:
    for n in range(5):
        create(client, n)

    body = client.get("/books?limit=2&offset=2").get_json()

    assert [book["isbn"] for book in body["items"]] == [isbn(2), isbn(3)]
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 2)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("autor=Tolkien", "autor"),
    ],
)
def test_list_with_a_bad_query_parameter_is_422_naming_it(
    client: FlaskClient, query: str, field: str
) -> None:
    body = assert_problem(client.get(f"/books?{query}"), 422)

    assert list(body["errors"]) == [field], body


def test_a_bad_query_string_names_every_bad_parameter_in_its_detail(client: FlaskClient) -> None:
    body = assert_problem(client.get("/books?offset=-1&limit=0"), 422)

    assert body["detail"] == (
        "the query string has invalid fields (limit, offset); see errors for each one"
    )


# --- GET, PUT, PATCH, DELETE /books/<id> -------------------------------------------------------


def test_get_of_a_missing_book_is_404_naming_the_id(client: FlaskClient) -> None:
    assert "no book with id 404" in assert_problem(client.get("/books/404"), 404)["detail"]


def test_put_replaces_every_field(client: FlaskClient) -> None:
    book = create(client, 1)
    replacement = book_json(2, title="Parable of the Sower", year=1993)

    response = client.put(f"/books/{book['id']}", json=replacement)

    assert response.status_code == 200
    assert response.get_json() == {"id": book["id"], **replacement}
    assert client.get(f"/books/{book['id']}").get_json() == response.get_json()


def test_put_with_a_field_missing_is_422_and_changes_nothing(client: FlaskClient) -> None:
    book = create(client, 1)

    body = assert_problem(client.put(f"/books/{book['id']}", json={"year": 1980}), 422)

    assert set(body["errors"]) == {"title", "author", "isbn"}
    assert client.get(f"/books/{book['id']}").get_json() == book


def test_put_of_a_missing_book_is_404_even_with_an_invalid_body(client: FlaskClient) -> None:
    assert_problem(client.put("/books/9", json={"year": "never"}), 404)


def test_put_with_another_books_isbn_is_409(client: FlaskClient) -> None:
    create(client, 1)
    second = create(client, 2)

    response = client.put(f"/books/{second['id']}", json=book_json(2, isbn=isbn(1)))

    assert_problem(response, 409)


def test_patch_changes_only_the_fields_sent(client: FlaskClient) -> None:
    book = create(client, 1)

    response = client.patch(f"/books/{book['id']}", json={"year": 1980})

    assert response.status_code == 200
    assert response.get_json() == book | {"year": 1980}


def test_patch_validates_the_fields_it_is_sent(client: FlaskClient) -> None:
    book = create(client, 1)

    body = assert_problem(client.patch(f"/books/{book['id']}", json={"isbn": "978"}), 422)

    assert list(body["errors"]) == ["isbn"]
    assert client.get(f"/books/{book['id']}").get_json() == book


def test_patch_with_an_unknown_field_is_422_not_a_silent_no_op(client: FlaskClient) -> None:
    book = create(client, 1)

    body = assert_problem(client.patch(f"/books/{book['id']}", json={"yaer": 1980}), 422)

    assert body["errors"] == {"yaer": ["Unknown field."]}


def test_patch_with_another_books_isbn_is_409(client: FlaskClient) -> None:
    create(client, 1)
    second = create(client, 2)

    assert_problem(client.patch(f"/books/{second['id']}", json={"isbn": isbn(1)}), 409)


def test_patch_of_a_missing_book_is_404(client: FlaskClient) -> None:
    assert_problem(client.patch("/books/9", json={"year": 1980}), 404)


def test_delete_answers_204_with_no_body_and_the_book_is_gone(client: FlaskClient) -> None:
    book = create(client, 1)

    response = client.delete(f"/books/{book['id']}")

    assert (response.status_code, response.data) == (204, b"")
    assert_problem(client.get(f"/books/{book['id']}"), 404)


def test_delete_twice_is_404_the_second_time(client: FlaskClient) -> None:
    book = create(client, 1)
    client.delete(f"/books/{book['id']}")

    assert_problem(client.delete(f"/books/{book['id']}"), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/books", {"GET", "POST"}),
        ("POST", "/books/1", {"GET", "PUT", "PATCH", "DELETE"}),
    ],
)
def test_a_method_the_resource_lacks_is_405_listing_the_ones_it_has(
    client: FlaskClient, method: str, path: str, allowed: set[str]
) -> None:
    response = client.open(path, method=method)

    assert_problem(response, 405)
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_a_non_numeric_id_is_404(client: FlaskClient) -> None:
    assert_problem(client.get("/books/abc"), 404)


# --- one error shape ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "options", "status"),
    [
        ("POST", "/books", {"data": "{", "content_type": "application/json"}, 400),
        ("GET", "/books/1", {}, 404),
        ("DELETE", "/books", {}, 405),
        ("POST", "/books", {"json": book_json(1)}, 409),
        ("POST", "/books", {"data": "x", "content_type": "text/plain"}, 415),
        ("POST", "/books", {"json": {}}, 422),
        ("GET", "/nowhere", {}, 404),
    ],
)
def test_every_error_is_problem_json_with_the_same_keys(
    client: FlaskClient, method: str, path: str, options: dict[str, Any], status: int
) -> None:
    if status == 409:
        create(client, 1)

    body = assert_problem(client.open(path, method=method, **options), status)

    assert body["type"] == "about:blank"
    assert body["title"] != body["detail"], "detail should add what to do, not repeat the title"
