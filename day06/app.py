"""Day 05's bookshelf API rebuilt on SQLAlchemy: same routes, same validation, a real database.

Only storage changed: the schemas and input parsing are day 05's, copied into this day so the
lesson stands on its own (``schemas.py``, ``inputs.py``, ``isbn.py``). Each
request gets its own session (``shared.db.Database``); a view that writes commits once, after
the repository has flushed, and a request that fails is rolled back when its session is removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, url_for
from marshmallow import fields
from sqlalchemy.orm import Session, scoped_session

from day06.inputs import load_body, load_query
from day06.models import Base
from day06.repository import BookNotFound, BookRepository, DuplicateIsbn
from day06.schemas import BookListQuery, BookSchema
from shared.db import Database
from shared.errors import Conflict, NotFound, problem_details, register_error_handlers

books = Blueprint("books", __name__, url_prefix="/books")


def utc_iso(moment: datetime) -> str:
    """``2024-07-01T10:30:00.250Z``: UTC, milliseconds and Z, however the database returned it."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class UtcTimestamp(fields.Field):
    """A datetime written the way :func:`utc_iso` writes it."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else utc_iso(value)


class StoredBookSchema(BookSchema):
    """Day 05's book plus the timestamps the database keeps (read-only: sending one is a 422)."""

    created_at = UtcTimestamp(dump_only=True)
    updated_at = UtcTimestamp(dump_only=True)


book_schema = StoredBookSchema()


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the API on ``DATABASE_URL`` (default: an in-memory SQLite database)."""
    app = Flask(__name__)
    app.config.update(DATABASE_URL="sqlite://", MAX_CONTENT_LENGTH=64 * 1024)
    app.config.update(overrides or {})
    app.json.sort_keys = False
    database = Database.from_url(app.config["DATABASE_URL"])
    database.init_app(app)
    # Day 08 replaces this with migrations; until then the tables are made on start.
    Base.metadata.create_all(database.engine)
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


def session() -> scoped_session[Session]:
    """This request's session; ``Database`` removes it when the request ends."""
    database: Database = current_app.extensions["shared.db"]
    return database.session


def shelf() -> BookRepository:
    return BookRepository(session())


@books.get("")
def list_books() -> Response:
    """A page of books in id order, with the total that matched."""
    page = shelf().find(**load_query(BookListQuery()))
    return jsonify(
        items=book_schema.dump(page.items, many=True),
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@books.post("")
def create_book() -> tuple[Response, int, dict[str, str]]:
    """Add a book: 201 with the stored book and its URL in Location."""
    book = shelf().add(**load_body(book_schema))
    session().commit()
    location = url_for("books.get_book", book_id=book.id)
    return jsonify(book_schema.dump(book)), 201, {"Location": location}


@books.get("/<int:book_id>")
def get_book(book_id: int) -> Response:
    return jsonify(book_schema.dump(shelf().get(book_id)))


@books.put("/<int:book_id>")
def replace_book(book_id: int) -> Response:
    """Replace every field: a PUT that leaves one out is a 422, not a partial update."""
    repository = shelf()
    repository.get(book_id)  # 404 before 422: no point validating a change to nothing
    book = repository.update(book_id, load_body(book_schema))
    session().commit()
    return jsonify(book_schema.dump(book))


@books.patch("/<int:book_id>")
def update_book(book_id: int) -> Response:
    """Change only the fields sent."""
    repository = shelf()
    repository.get(book_id)
    book = repository.update(book_id, load_body(book_schema, partial=True))
    session().commit()
    return jsonify(book_schema.dump(book))


@books.delete("/<int:book_id>")
def delete_book(book_id: int) -> tuple[str, int]:
    shelf().delete(book_id)
    session().commit()
    return "", 204
