"""The Book resource and an in-memory repository that is safe to share between request threads.

The repository knows nothing about HTTP: it raises :class:`BookNotFound` and
:class:`DuplicateIsbn`, and the API decides that those mean 404 and 409.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

#: The fields a client may set; ``id`` is the server's.
EDITABLE_FIELDS = ("title", "author", "year", "isbn")


@dataclass(frozen=True)
class Book:
    id: int
    title: str
    author: str
    year: int
    isbn: str


@dataclass(frozen=True)
class Page:
    """One slice of a listing, with the size of the whole listing."""

    items: list[Book]
    total: int
    limit: int
    offset: int


class BookNotFound(LookupError):
    def __init__(self, book_id: int) -> None:
        super().__init__(f"no book with id {book_id}")
        self.book_id = book_id


class DuplicateIsbn(ValueError):
    def __init__(self, isbn: str, existing_id: int) -> None:
        super().__init__(f"ISBN {isbn} already belongs to book {existing_id}")
        self.isbn = isbn
        self.existing_id = existing_id


def _carry_on() -> None:
    pass


class BookRepository:
    """Books in a dict, ISBNs in an index; one lock makes each operation atomic.

    Without the lock, two requests adding the same ISBN at once could both pass the
    uniqueness check before either stored its book.

    ``after_isbn_check`` runs between that check and the write, inside the lock; the race test
    parks a thread there to force the interleaving. ``lock`` is what guards each operation: the
    same test passes a lock that does nothing, to prove the interleaving it forces is a real race.
    """

    def __init__(
        self,
        *,
        lock: AbstractContextManager[Any] | None = None,
        after_isbn_check: Callable[[], None] = _carry_on,
    ) -> None:
        self._books: dict[int, Book] = {}
        self._ids_by_isbn: dict[str, int] = {}
        self._next_id = itertools.count(1)
        self._lock = threading.Lock() if lock is None else lock
        self._after_isbn_check = after_isbn_check

    def add(self, title: str, author: str, year: int, isbn: str) -> Book:
        """Store a new book with the next id; DuplicateIsbn if the ISBN is taken."""
        with self._lock:
            self._ensure_isbn_free(isbn, for_id=None)
            self._after_isbn_check()
            book = Book(id=next(self._next_id), title=title, author=author, year=year, isbn=isbn)
            self._store(book)
            return book

    def get(self, book_id: int) -> Book:
        """The book with ``book_id``, or BookNotFound."""
        with self._lock:
            return self._get(book_id)

    def find(self, author: str | None = None, limit: int = 20, offset: int = 0) -> Page:
        """Books in id order, optionally by one author (case-insensitive), sliced for a page."""
        # practice 2: filter the books by author, then slice one page and count every match
        # hint: copy the books in id order under the lock; compare authors with casefold();
        # hint: the total is the number of matches before slicing [offset : offset + limit].
        with self._lock:
            books = sorted(self._books.values(), key=lambda book: book.id)
        if author is not None:
            wanted = author.casefold()
            books = [book for book in books if book.author.casefold() == wanted]
        return Page(books[offset : offset + limit], total=len(books), limit=limit, offset=offset)
        # end practice 2

    def update(self, book_id: int, changes: Mapping[str, Any]) -> Book:
        """Apply ``changes`` (any of the editable fields) to a book; PUT passes all of them."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
        with self._lock:
            current = self._get(book_id)
            if "isbn" in changes:
                self._ensure_isbn_free(changes["isbn"], for_id=book_id)
                self._after_isbn_check()
            updated = dataclasses.replace(current, **changes)
            del self._ids_by_isbn[current.isbn]
            self._store(updated)
            return updated

    def delete(self, book_id: int) -> None:
        """Remove a book; BookNotFound if there is none (DELETE is idempotent in effect only)."""
        with self._lock:
            book = self._get(book_id)
            del self._books[book_id]
            del self._ids_by_isbn[book.isbn]

    def _get(self, book_id: int) -> Book:
        try:
            return self._books[book_id]
        except KeyError:
            raise BookNotFound(book_id) from None

    def _ensure_isbn_free(self, isbn: str, for_id: int | None) -> None:
        owner = self._ids_by_isbn.get(isbn)
        if owner is not None and owner != for_id:
            raise DuplicateIsbn(isbn, owner)

    def _store(self, book: Book) -> None:
        self._books[book.id] = book
        self._ids_by_isbn[book.isbn] = book.id
