"""CRUD for books with SQLAlchemy 2.0 ``select()``, on a session the caller owns.

The repository flushes but never commits: the caller (a request, a CLI command) decides what
one unit of work is. Writes run in a SAVEPOINT, so a refused row (a duplicate ISBN) rolls back
only itself and leaves the caller's transaction usable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from day06.models import Book

EDITABLE_FIELDS = ("title", "author", "year", "isbn")

# Ids are 32-bit on MySQL; anything outside this range cannot exist, and a driver may choke on it.
MAX_ID = 2**31 - 1


class BookNotFound(LookupError):
    def __init__(self, book_id: int) -> None:
        super().__init__(f"no book with id {book_id}")
        self.book_id = book_id


class DuplicateIsbn(ValueError):
    """The database refused a second book with the same ISBN."""

    def __init__(self, isbn: str, existing_id: int) -> None:
        super().__init__(f"ISBN {isbn} already belongs to book {existing_id}")
        self.isbn = isbn
        self.existing_id = existing_id


@dataclass(frozen=True)
class Page:
    """One slice of a listing, with the size of the whole listing."""

    items: list[Book]
    total: int
    limit: int
    offset: int


class BookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, title: str, author: str, year: int, isbn: str) -> Book:
        """Insert a book and flush it (so it has an id); DuplicateIsbn if the ISBN is taken."""
        book = Book(title=title, author=author, year=year, isbn=isbn)
        self._flush_guarded(lambda: self.session.add(book), isbn)
        return book

    def get(self, book_id: int) -> Book:
        """The book with ``book_id``, or BookNotFound."""
        book = self.session.get(Book, book_id) if 0 < book_id <= MAX_ID else None
        if book is None:
            raise BookNotFound(book_id)
        return book

    def find(self, author: str | None = None, limit: int = 20, offset: int = 0) -> Page:
        """Books in id order, optionally by one author (case-insensitive): two statements."""
        # practice 1: count the matching books, then select one page of them in id order
        # hint: _matching(author) gives the WHERE conditions for both; select(func.count())
        # hint: .select_from(Book) for the total, then select(Book) with order_by, limit, offset.
        conditions = _matching(author)
        total = self.session.scalar(select(func.count()).select_from(Book).where(*conditions))
        rows = self.session.scalars(
            select(Book).where(*conditions).order_by(Book.id).limit(limit).offset(offset)
        )
        return Page(list(rows), total=total or 0, limit=limit, offset=offset)
        # end practice 1

    def update(self, book_id: int, changes: Mapping[str, Any]) -> Book:
        """Apply ``changes`` and flush; DuplicateIsbn leaves the row as it was."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
        book = self.get(book_id)

        def apply() -> None:
            for field, value in changes.items():
                setattr(book, field, value)

        self._flush_guarded(apply, changes.get("isbn", book.isbn), own_id=book.id)
        return book

    def delete(self, book_id: int) -> None:
        """Delete a book and flush; BookNotFound if there is none."""
        book = self.get(book_id)
        self.session.delete(book)
        self.session.flush()

    def _flush_guarded(
        self, change: Callable[[], None], isbn: str, own_id: int | None = None
    ) -> None:
        """Make ``change`` and flush inside a savepoint; a duplicate ISBN becomes DuplicateIsbn."""
        # practice 2: make the change in a savepoint, and turn a taken ISBN into DuplicateIsbn
        # hint: `with self.session.begin_nested():` flushes on exit; on IntegrityError look up who
        # hint: holds the ISBN, and re-raise as it was if nobody else does.
        try:
            with self.session.begin_nested():
                change()
        except IntegrityError:
            # The savepoint is rolled back. Ask which book holds the ISBN, to name it: if none
            # does, the error was about something else and must not be disguised.
            owner = self.session.scalar(select(Book.id).where(Book.isbn == isbn))
            if owner is None or owner == own_id:
                raise
            raise DuplicateIsbn(isbn, owner) from None
        # end practice 2


def _matching(author: str | None) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a listing; none at all when there is no filter."""
    if author is None:
        return []
    # MySQL's default collation ignores case, PostgreSQL's does not: lower() makes them agree.
    # The database lowers both sides, because SQLite's lower() folds ASCII only, unlike Python's.
    return [func.lower(Book.author) == func.lower(author)]
