"""The in-memory repository on its own, without HTTP."""

from __future__ import annotations

import threading

import pytest

from day05.books import Book, BookNotFound, BookRepository, DuplicateIsbn
from day05.isbn import check_digit


def isbn(n: int) -> str:
    """A valid ISBN-13 that differs for every ``n``."""
    first_twelve = f"978{n:09d}"
    return first_twelve + str(check_digit(first_twelve))


def add(shelf: BookRepository, n: int, author: str = "Ursula K. Le Guin") -> Book:
    return shelf.add(title=f"Book {n}", author=author, year=1970 + n % 50, isbn=isbn(n))


def test_add_gives_increasing_ids_starting_at_one() -> None:
    shelf = BookRepository()

    ids = [add(shelf, n).id for n in range(3)]

    assert ids == [1, 2, 3]


def test_get_returns_what_add_stored() -> None:
    shelf = BookRepository()
    book = add(shelf, 1)

    assert shelf.get(book.id) == book


def test_get_of_a_missing_id_raises_book_not_found_naming_it() -> None:
    with pytest.raises(BookNotFound, match="no book with id 42"):
        BookRepository().get(42)


def test_add_refuses_an_isbn_that_is_taken_and_names_its_owner() -> None:
    shelf = BookRepository()
    first = add(shelf, 1)

    with pytest.raises(DuplicateIsbn) as error:
        shelf.add(title="Copy", author="Someone", year=2000, isbn=first.isbn)

    assert error.value.existing_id == first.id
    assert shelf.find().total == 1


def test_find_filters_by_author_ignoring_case() -> None:
    shelf = BookRepository()
    add(shelf, 1, author="Ursula K. Le Guin")
    add(shelf, 2, author="Iain M. Banks")
    add(shelf, 3, author="Ursula K. Le Guin")

    page = shelf.find(author="ursula k. le guin")

    assert [book.id for book in page.items] == [1, 3]
    assert page.total == 2


def test_find_slices_a_page_and_counts_every_match() -> None:
    shelf = BookRepository()
    for n in range(7):
        add(shelf, n)

    page = shelf.find(limit=3, offset=3)

    assert ([book.id for book in page.items], page.total) == ([4, 5, 6], 7)


def test_find_past_the_end_is_an_empty_page_with_the_total() -> None:
    shelf = BookRepository()
    add(shelf, 1)

    page = shelf.find(limit=10, offset=5)

    assert (page.items, page.total) == ([], 1)


def test_update_changes_only_the_given_fields() -> None:
    shelf = BookRepository()
    book = add(shelf, 1)

    updated = shelf.update(book.id, {"year": 1999})

    assert updated == Book(book.id, book.title, book.author, 1999, book.isbn)
    assert shelf.get(book.id) == updated


def test_update_to_a_new_isbn_frees_the_old_one() -> None:
    shelf = BookRepository()
    book = add(shelf, 1)

    shelf.update(book.id, {"isbn": isbn(2)})
    reused = shelf.add(title="Reuse", author="A", year=2001, isbn=book.isbn)

    assert reused.isbn == book.isbn


def test_update_may_keep_the_books_own_isbn() -> None:
    shelf = BookRepository()
    book = add(shelf, 1)

    assert shelf.update(book.id, {"isbn": book.isbn, "title": "Renamed"}).title == "Renamed"


def test_update_to_another_books_isbn_raises_and_changes_nothing() -> None:
    shelf = BookRepository()
    first, second = add(shelf, 1), add(shelf, 2)

    with pytest.raises(DuplicateIsbn):
        shelf.update(second.id, {"isbn": first.isbn, "title": "Changed"})

    assert shelf.get(second.id) == second


def test_update_refuses_fields_that_are_not_editable() -> None:
    shelf = BookRepository()
    book = add(shelf, 1)

    with pytest.raises(TypeError, match="not editable: id"):
        shelf.update(book.id, {"id": 99})


def test_delete_removes_the_book_and_frees_its_isbn() -> None:
    shelf = BookRepository()
    book = add(shelf, 1)

    shelf.delete(book.id)

    with pytest.raises(BookNotFound):
        shelf.get(book.id)
    assert shelf.add(title="Again", author="A", year=2000, isbn=book.isbn).id != book.id


def test_delete_of_a_missing_id_raises_book_not_found() -> None:
    with pytest.raises(BookNotFound):
        BookRepository().delete(1)


def test_concurrent_adds_of_one_isbn_store_exactly_one_book() -> None:
    shelf = BookRepository()
    threads_count = 16
    start = threading.Barrier(threads_count)
    outcomes: list[str] = []

    def add_same_isbn() -> None:
        start.wait()  # release every thread at once to make the race likely
        try:
            shelf.add(title="Race", author="A", year=2000, isbn=isbn(1))
            outcomes.append("added")
        except DuplicateIsbn:
            outcomes.append("duplicate")

    threads = [threading.Thread(target=add_same_isbn) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["added"] + ["duplicate"] * (threads_count - 1)
    assert shelf.find().total == 1
