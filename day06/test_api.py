"""The bookshelf API on a real database: every test runs on SQLite, MySQL and PostgreSQL.

Requests commit for real here (that is what is under test), so each test empties the table
afterwards instead of rolling back. Validation is tested in test_validation.py; these tests are
about what the database adds: ids, persistence, the unique ISBN, timestamps, transactions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from day06.app import create_app
from day06.isbn import check_digit
from day06.models import Book
from shared.db import Database
from shared.errors import PROBLEM_JSON

UTC_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def isbn(n: int) -> str:
    first_twelve = f"978{n:09d}"
    return first_twelve + str(check_digit(first_twelve))


def book_json(n: int = 1, **changes: Any) -> dict[str, Any]:
    book = {"title": f"Book {n}", "author": "Octavia E. Butler", "year": 1979, "isbn": isbn(n)}
    return book | changes


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    database: Database = app.extensions["shared.db"]
    yield app
    with database.engine.begin() as connection:
        connection.execute(sa.delete(Book))
    database.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def create(client: FlaskClient, n: int = 1, **changes: Any) -> dict[str, Any]:
    response = client.post("/books", json=book_json(n, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    body = response.get_json(force=True)
    assert (response.status_code, response.mimetype) == (status, PROBLEM_JSON), body
    assert set(body) <= {"type", "title", "status", "detail", "errors"}, body
    return body


def rows_seen_by_another_connection(app: Flask) -> list[tuple[str, str]]:
    """(isbn, title) of every row, read outside the app's sessions: only committed data."""
    database: Database = app.extensions["shared.db"]
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.select(Book.isbn, Book.title))]


def test_create_answers_201_with_id_timestamps_and_location(client: FlaskClient) -> None:
    response = client.post("/books", json=book_json(1))

    body = response.get_json()
    assert response.status_code == 201
    assert {key: body[key] for key in book_json(1)} == book_json(1)
    assert response.headers["Location"] == f"/books/{body['id']}"
    for stamp in ("created_at", "updated_at"):
        assert UTC_MILLIS.match(body[stamp]), f"{stamp}={body[stamp]!r} is not UTC with millis"


def test_a_created_book_is_committed_for_other_connections_to_see(
    app: Flask, client: FlaskClient
) -> None:
    create(client, 1)

    assert rows_seen_by_another_connection(app) == [(isbn(1), "Book 1")]


def test_get_reads_back_what_create_returned(client: FlaskClient) -> None:
    created = create(client, 1)

    assert client.get(f"/books/{created['id']}").get_json() == created


def test_a_duplicate_isbn_is_409_and_stores_nothing(app: Flask, client: FlaskClient) -> None:
    first = create(client, 1)

    body = assert_problem(client.post("/books", json=book_json(1, title="Copy")), 409)

    assert body["errors"] == {"isbn": [f"Already used by book {first['id']}."]}
    assert rows_seen_by_another_connection(app) == [(isbn(1), "Book 1")]


def test_the_request_after_a_409_starts_clean(client: FlaskClient) -> None:
    create(client, 1)
    client.post("/books", json=book_json(1, title="Copy"))

    create(client, 2)

    assert client.get("/books").get_json()["total"] == 2


def test_invalid_fields_are_422_before_the_database_is_touched(
    app: Flask, client: FlaskClient
) -> None:
    body = assert_problem(client.post("/books", json=book_json(isbn="123")), 422)

    assert list(body["errors"]) == ["isbn"]
    assert rows_seen_by_another_connection(app) == []


def test_timestamps_cannot_be_sent_by_the_client(client: FlaskClient) -> None:
    sent = book_json() | {"created_at": "2000-01-01T00:00:00Z"}

    body = assert_problem(client.post("/books", json=sent), 422)

    assert body["errors"] == {"created_at": ["Unknown field."]}


def test_list_filters_by_author_ignoring_case_and_pages_with_a_total(client: FlaskClient) -> None:
    for n in range(5):
        create(client, n, author="N. K. Jemisin" if n % 2 == 0 else "Ted Chiang")

    body = client.get("/books?author=n.+k.+jemisin&limit=2&offset=1").get_json()

    assert [book["isbn"] for book in body["items"]] == [isbn(2), isbn(4)]
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 1)


def test_put_replaces_and_persists(app: Flask, client: FlaskClient) -> None:
    book = create(client, 1)

    response = client.put(f"/books/{book['id']}", json=book_json(2, title="Kindred"))

    assert response.status_code == 200
    assert rows_seen_by_another_connection(app) == [(isbn(2), "Kindred")]


def test_patch_changes_one_field_and_moves_updated_at_not_created_at(
    client: FlaskClient,
) -> None:
    book = create(client, 1)

    patched = client.patch(f"/books/{book['id']}", json={"year": 1980}).get_json()

    assert patched == book | {"year": 1980, "updated_at": patched["updated_at"]}
    assert datetime.fromisoformat(patched["updated_at"]) >= datetime.fromisoformat(
        book["updated_at"]
    )


def test_patch_to_another_books_isbn_is_409_and_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    create(client, 1)
    second = create(client, 2)

    assert_problem(client.patch(f"/books/{second['id']}", json={"isbn": isbn(1)}), 409)

    assert sorted(rows_seen_by_another_connection(app)) == [
        (isbn(1), "Book 1"),
        (isbn(2), "Book 2"),
    ]


def test_delete_is_204_and_the_row_is_gone(app: Flask, client: FlaskClient) -> None:
    book = create(client, 1)

    response = client.delete(f"/books/{book['id']}")

    assert (response.status_code, response.data) == (204, b"")
    assert rows_seen_by_another_connection(app) == []
    assert_problem(client.get(f"/books/{book['id']}"), 404)


@pytest.mark.parametrize("book_id", ["999999", str(2**31), str(2**64)])
def test_a_missing_or_impossible_id_is_404(client: FlaskClient, book_id: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = client.open(f"/books/{book_id}", method=method, json={"year": 2000})
        assert_problem(response, 404)


@pytest.mark.parametrize(
    ("method", "path", "options", "status"),
    [
        ("POST", "/books", {"data": "{", "content_type": "application/json"}, 400),
        ("POST", "/books", {"data": "x", "content_type": "text/plain"}, 415),
        ("DELETE", "/books", {}, 405),
        ("GET", "/books?limit=0", {}, 422),
    ],
)
def test_errors_share_the_problem_shape(
    client: FlaskClient, method: str, path: str, options: dict[str, Any], status: int
) -> None:
    assert_problem(client.open(path, method=method, **options), status)
