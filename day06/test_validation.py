"""What the API accepts, on the schemas and input parsing this day carries (copied from day 05).

Validation runs before any SQL, so these tests use one in-memory SQLite app; the backends'
differences are in test_api.py and test_repository.py.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from day06.app import create_app
from day06.isbn import check_digit
from shared.errors import PROBLEM_JSON


def isbn(n: int) -> str:
    first_twelve = f"978{n:09d}"
    return first_twelve + str(check_digit(first_twelve))


def book_json(n: int = 1, **changes: Any) -> dict[str, Any]:
    book = {"title": f"Book {n}", "author": "Octavia E. Butler", "year": 1979, "isbn": isbn(n)}
    return book | changes


@pytest.fixture
def client() -> FlaskClient:
    return create_app({"TESTING": True}).test_client()


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    body = response.get_json(force=True)
    assert (response.status_code, response.mimetype) == (status, PROBLEM_JSON), body
    return body


def test_create_normalises_the_isbn_and_trims_text(client: FlaskClient) -> None:
    sent = book_json(title="  Kindred ", isbn=f"{isbn(1)[:3]}-{isbn(1)[3:6]} {isbn(1)[6:]}")

    body = client.post("/books", json=sent).get_json()

    assert (body["title"], body["isbn"]) == ("Kindred", isbn(1))


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
        ("year", 1449, "Must be between 1450 and"),
        ("year", 9999, "Must be between 1450 and"),
        ("isbn", "9780261103345", "the check digit should be 4, not 5"),
        ("isbn", "0261103342", "13 digits"),
        ("isbn", " - ", "Not a valid ISBN-13: an ISBN-13 has 13 digits, this has none."),
        (
            "isbn",
            "97802611033X4",
            "Not a valid ISBN-13: an ISBN-13 has only digits (hyphens and spaces are ignored).",
        ),
        ("isbn", "1234567890128", "Not a valid ISBN-13: an ISBN-13 starts with 978 or 979."),
    ],
)
def test_create_with_an_invalid_field_is_422_with_that_fields_message(
    client: FlaskClient, field: str, value: Any, message: str
) -> None:
    body = assert_problem(client.post("/books", json=book_json(**{field: value})), 422)

    assert list(body["errors"]) == [field], body
    assert message in body["errors"][field][0], body["errors"]
    assert field in body["detail"]


@pytest.mark.parametrize("year", [1450, 1979])
def test_create_accepts_a_year_from_the_first_printed_books_on(
    client: FlaskClient, year: int
) -> None:
    assert client.post("/books", json=book_json(year=year)).status_code == 201


@pytest.mark.parametrize("unknown", ["yaer", "id", "created_at"])
def test_create_rejects_unknown_and_server_owned_fields(client: FlaskClient, unknown: str) -> None:
    body = assert_problem(client.post("/books", json=book_json() | {unknown: 1}), 422)

    assert body["errors"] == {unknown: ["Unknown field."]}


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("{'title': 'x'}", "not valid JSON"),
        ("  \n", "the body is empty"),
        ("[]", "must be a JSON object, not an array"),
        ('"a book"', "must be a JSON object, not a string"),
        ("true", "must be a JSON object, not a boolean"),
        ("3", "must be a JSON object, not a number"),
        ("1.5", "must be a JSON object, not a number"),
        ("null", "must be a JSON object, not null"),
        ('{"year": NaN}', "NaN is not a JSON value"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(
    client: FlaskClient, raw: str, detail: str
) -> None:
    response = client.post("/books", data=raw, content_type="application/json")

    assert detail in assert_problem(response, 400)["detail"]


@pytest.mark.parametrize(
    ("content_type", "named"),
    [("text/plain", "text/plain"), (None, "no Content-Type")],
)
def test_a_body_not_declared_as_json_is_415_naming_what_was_sent(
    client: FlaskClient, content_type: str | None, named: str
) -> None:
    options: dict[str, Any] = {"data": '{"year": 1980}'}
    if content_type is not None:
        options["content_type"] = content_type

    detail = assert_problem(client.post("/books", **options), 415)["detail"]

    assert f"expected Content-Type: application/json, got {named}" in detail


def test_patch_validates_only_the_fields_it_is_sent(client: FlaskClient) -> None:
    book = client.post("/books", json=book_json()).get_json()

    changed = client.patch(f"/books/{book['id']}", json={"year": 1980})
    refused = client.patch(f"/books/{book['id']}", json={"year": "soon"})

    assert changed.status_code == 200 and changed.get_json()["year"] == 1980
    assert assert_problem(refused, 422)["errors"] == {"year": ["Not a valid integer."]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("offset=-1", "offset"),
        ("author=%20", "author"),
        ("autor=Tolkien", "autor"),
    ],
)
def test_list_with_a_bad_query_parameter_is_422_naming_it(
    client: FlaskClient, query: str, field: str
) -> None:
    body = assert_problem(client.get(f"/books?{query}"), 422)

    assert list(body["errors"]) == [field], body


def test_list_defaults_to_the_first_twenty_and_allows_a_hundred(client: FlaskClient) -> None:
    first = client.get("/books").get_json()
    widest = client.get("/books?limit=100&offset=0").get_json()

    assert (first["limit"], first["offset"]) == (20, 0)
    assert widest["limit"] == 100


def test_the_exact_400_for_an_empty_body_and_for_a_number_past_64_bits(client: FlaskClient) -> None:
    empty = client.post("/books", data=" ", content_type="application/json")
    huge = client.post("/books", data='{"year": 1e400}', content_type="application/json")

    assert assert_problem(empty, 400)["detail"] == "the body is empty; send a JSON object"
    assert assert_problem(huge, 400)["detail"] == (
        "the number 1e400 is too large to hold as a 64-bit float; "
        "send numbers between -1.7e308 and 1.7e308"
    )


def test_a_422_names_where_the_invalid_fields_are(client: FlaskClient) -> None:
    body = assert_problem(client.post("/books", json=book_json(title=" ", year="x")), 422)
    query = assert_problem(client.get("/books?limit=0&offset=-1"), 422)

    assert body["detail"] == "the body has invalid fields (title, year); see errors for each one"
    assert query["detail"] == (
        "the query string has invalid fields (limit, offset); see errors for each one"
    )


def test_next_years_books_are_accepted_and_the_year_after_is_not(client: FlaskClient) -> None:
    next_year = date.today().year + 1

    accepted = client.post("/books", json=book_json(1, year=next_year))
    refused = client.post("/books", json=book_json(2, year=next_year + 1))

    assert accepted.status_code == 201, accepted.get_json()
    assert assert_problem(refused, 422)["errors"] == {
        "year": [f"Must be between 1450 and {next_year}."]
    }


def test_a_body_of_64_kib_is_read_and_one_byte_more_is_413(client: FlaskClient) -> None:
    def body_of(size: int) -> str:
        padding = size - len(json.dumps(book_json(title="")))
        return json.dumps(book_json(title="x" * padding))

    at_limit = client.post("/books", data=body_of(64 * 1024), content_type="application/json")
    over = client.post("/books", data=body_of(64 * 1024 + 1), content_type="application/json")

    assert assert_problem(at_limit, 422)["errors"] == {"title": ["Longer than maximum length 200."]}
    assert_problem(over, 413)


def test_create_app_applies_its_overrides() -> None:
    client = create_app({"MAX_CONTENT_LENGTH": 10}).test_client()

    assert_problem(client.post("/books", json=book_json()), 413)


def test_timestamps_are_utc_with_z_whatever_the_local_zone(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Etc/GMT+5")
    time.tzset()
    try:
        body = client.post("/books", json=book_json()).get_json()
    finally:
        monkeypatch.undo()
        time.tzset()

    created = datetime.fromisoformat(body["created_at"])
    assert body["created_at"].endswith("Z"), body["created_at"]
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60


def test_a_book_is_written_with_its_fields_in_schema_order(client: FlaskClient) -> None:
    response = client.post("/books", json=book_json())

    fields = list(json.loads(response.get_data(as_text=True)))
    assert fields == ["id", "title", "author", "year", "isbn", "created_at", "updated_at"]


def test_a_duplicate_isbn_names_the_book_that_holds_it(client: FlaskClient) -> None:
    first = client.post("/books", json=book_json(1)).get_json()

    body = assert_problem(client.post("/books", json=book_json(1, title="Copy")), 409)

    assert body["detail"] == (
        f"ISBN {isbn(1)} already belongs to book {first['id']}; use another ISBN, "
        f"or change book {first['id']} instead"
    )
