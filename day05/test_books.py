"""The in-memory repository on its own, without HTTP."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

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
    with pytest.raises(BookNotFound, match="no book with id 42") as error:
        BookRepository().get(42)

    assert error.value.book_id == 42


def test_add_refuses_an_isbn_that_is_taken_and_names_its_owner() -> None:
    shelf = BookRepository()
    first = add(shelf, 1)

    with pytest.raises(DuplicateIsbn) as error:
        shelf.add(title="Copy", author="Someone", year=2000, isbn=first.isbn)

    assert (error.value.isbn, error.value.existing_id) == (first.isbn, first.id)
    assert str(error.value) == f"ISBN {first.isbn} already belongs to book {first.id}"
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


def test_find_without_a_limit_gives_a_page_of_twenty() -> None:
    shelf = BookRepository()
    for n in range(1, 22):
        add(shelf, n)

    page = shelf.find()

    assert [book.id for book in page.items] == list(range(1, 21))
    assert (page.total, page.limit, page.offset) == (21, 20, 0)


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

    with pytest.raises(TypeError) as error:
        shelf.update(book.id, {"id": 99, "shelf": "B2", "title": "Kept out too"})

    assert str(error.value) == "not editable: id, shelf"
    assert shelf.get(book.id) == book


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


# --- the ISBN race: two requests pass the uniqueness check before either writes ----------------

#: How long a thread parked after its check waits for the other; with the lock, it never comes.
RACE_WAIT_SECONDS = 1.0


class ParkAfterCheck:
    """An ``after_isbn_check`` hook: once armed, it holds each thread until two have checked.

    With the lock, the second thread cannot reach its check while the first is parked (inside the
    lock), so the first waits RACE_WAIT_SECONDS, gives up and writes. Without the lock, both
    threads pass the check before either writes: the interleaving that breaks uniqueness.
    """

    def __init__(self) -> None:
        self.armed = False
        self.met = False
        self._both_checked = threading.Barrier(2, timeout=RACE_WAIT_SECONDS)

    def __call__(self) -> None:
        if not self.armed:
            return
        try:
            self._both_checked.wait()
            self.met = True
        except threading.BrokenBarrierError:
            pass  # the other thread is held by the lock: carry on alone


def race(park: ParkAfterCheck, *claims: Callable[[], object]) -> list[str]:
    """Run each claim in its own thread, all at once; ``stored`` or ``duplicate`` for each."""
    outcomes: list[str] = []

    def run(claim: Callable[[], object]) -> None:
        try:
            claim()
            outcomes.append("stored")
        except DuplicateIsbn:
            outcomes.append("duplicate")

    park.armed = True
    threads = [threading.Thread(target=run, args=(claim,)) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads), "a racing thread never finished"
    return sorted(outcomes)


def add_hobbit(shelf: BookRepository) -> Callable[[], Book]:
    return lambda: shelf.add(title="The Hobbit", author="Tolkien", year=1937, isbn=isbn(1))


def test_two_adds_of_one_isbn_at_once_store_exactly_one_book() -> None:
    park = ParkAfterCheck()
    shelf = BookRepository(after_isbn_check=park)

    outcomes = race(park, add_hobbit(shelf), add_hobbit(shelf))

    assert outcomes == ["duplicate", "stored"], outcomes
    assert shelf.find().total == 1
    assert not park.met, "both threads passed the ISBN check together: the lock did not hold"


def test_two_updates_to_one_isbn_at_once_change_exactly_one_book() -> None:
    park = ParkAfterCheck()
    shelf = BookRepository(after_isbn_check=park)
    first, second = add(shelf, 1), add(shelf, 2)

    outcomes = race(
        park,
        lambda: shelf.update(first.id, {"isbn": isbn(3)}),
        lambda: shelf.update(second.id, {"isbn": isbn(3)}),
    )

    assert outcomes == ["duplicate", "stored"], outcomes
    assert sorted(book.isbn for book in shelf.find().items).count(isbn(3)) == 1


def test_without_the_lock_the_forced_interleaving_stores_one_isbn_twice() -> None:
    # The proof that the two tests above can fail: the same race with a lock that does nothing.
    park = ParkAfterCheck()
    shelf = BookRepository(lock=contextlib.nullcontext(), after_isbn_check=park)

    outcomes = race(park, add_hobbit(shelf), add_hobbit(shelf))

    assert park.met and outcomes == ["stored", "stored"], outcomes
    assert [book.isbn for book in shelf.find().items] == [isbn(1), isbn(1)]
