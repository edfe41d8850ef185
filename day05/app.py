"""The bookshelf API: ``/books`` and ``/books/<id>``, in memory, with one error shape.

| request                 | success          | failures                                |
|-------------------------|------------------|-----------------------------------------|
| GET    /books           | 200 page + total | 422 bad query                           |
| POST   /books           | 201 + Location   | 400 / 415 unreadable, 422 invalid, 409  |
| GET    /books/<id>      | 200              | 404                                     |
| PUT    /books/<id>      | 200 (replace)    | 404, 400 / 415, 422 (all fields), 409   |
| PATCH  /books/<id>      | 200 (merge)      | 404, 400 / 415, 422, 409                |
| DELETE /books/<id>      | 204              | 404                                     |

Anything else is a 404 (unknown route) or 405 (wrong method). Every error is problem+json.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, url_for

from day05.books import BookNotFound, BookRepository, DuplicateIsbn
from day05.inputs import load_body, load_query
from day05.schemas import BookListQuery, BookSchema
from shared.errors import Conflict, NotFound, problem_details, register_error_handlers

books = Blueprint("books", __name__, url_prefix="/books")

book_schema = BookSchema()


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the API with its own empty shelf; ``overrides`` are plain Flask config keys."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024)
    app.config.update(overrides or {})
    app.json.sort_keys = False
    app.extensions["bookshelf"] = BookRepository()
    register_error_handlers(app)
    register_domain_errors(app)
    app.register_blueprint(books)
    return app


def register_domain_errors(app: Flask) -> None:
    """The repository's exceptions mean 404 and 409 here; it never hears about HTTP."""

    @app.errorhandler(BookNotFound)
    def book_not_found(error: BookNotFound) -> Response:
        return problem_details(NotFound(f"{error}; GET /books lists the books that exist"))

    @app.errorhandler(DuplicateIsbn)
    def duplicate_isbn(error: DuplicateIsbn) -> Response:
        return problem_details(
            Conflict(
                f"{error}; use another ISBN, or change book {error.existing_id} instead",
                errors={"isbn": [f"Already used by book {error.existing_id}."]},
            )
        )


def shelf() -> BookRepository:
    return current_app.extensions["bookshelf"]


@books.get("")
def list_books() -> Response:
    """A page of books in id order, with the total that matched."""
    query = load_query(BookListQuery())
    page = shelf().find(**query)
    return jsonify(
        items=book_schema.dump(page.items, many=True),
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@books.post("")
def create_book() -> tuple[Response, int, dict[str, str]]:
    """Add a book: 201 with the stored book and its URL in Location."""
    # practice 4: store the validated book and answer 201 with its URL in Location
    # hint: load_body(book_schema) gives the fields for shelf().add; url_for("books.get_book",
    # hint: ...) builds the URL; a view may return (body, status, headers).
    book = shelf().add(**load_body(book_schema))
    location = url_for("books.get_book", book_id=book.id)
    return jsonify(book_schema.dump(book)), 201, {"Location": location}
    # end practice 4


@books.get("/<int:book_id>")
def get_book(book_id: int) -> Response:
    return jsonify(book_schema.dump(shelf().get(book_id)))


@books.put("/<int:book_id>")
def replace_book(book_id: int) -> Response:
    """Replace every field: a PUT that leaves one out is a 422, not a partial update."""
    shelf().get(book_id)  # 404 before 422: no point validating a change to nothing
    book = shelf().update(book_id, load_body(book_schema))
    return jsonify(book_schema.dump(book))


@books.patch("/<int:book_id>")
def update_book(book_id: int) -> Response:
    """Change only the fields sent; each one is validated as strictly as in POST."""
    shelf().get(book_id)
    book = shelf().update(book_id, load_body(book_schema, partial=True))
    return jsonify(book_schema.dump(book))


@books.delete("/<int:book_id>")
def delete_book(book_id: int) -> tuple[str, int]:
    shelf().delete(book_id)
    return "", 204
