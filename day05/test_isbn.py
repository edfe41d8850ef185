"""ISBN-13 normalising and the check digit."""

from __future__ import annotations

import pytest

from day05.isbn import check_digit, normalise_isbn13

# Printed on real books: The Hobbit (two editions), Dune, Pride and Prejudice.
REAL_ISBNS = ["9780261103344", "9780547928227", "9780441172719", "9780141439518"]


@pytest.mark.parametrize("isbn", REAL_ISBNS)
def test_check_digit_matches_the_last_digit_of_real_isbns(isbn: str) -> None:
    assert check_digit(isbn[:12]) == int(isbn[12]), isbn


def test_check_digit_is_zero_not_ten_when_the_weighted_sum_ends_in_zero() -> None:
    # 9·1 + 7·3 + 8·1 + 4·3 = 50
    assert check_digit("978000000004") == 0


def test_normalise_accepts_the_979_prefix() -> None:
    isbn = "979100000000" + str(check_digit("979100000000"))

    assert normalise_isbn13(isbn) == isbn


@pytest.mark.parametrize("bad", ["97802611033", "97802611033444", "97802611033x"])
def test_check_digit_needs_exactly_twelve_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="expected 12 digits"):
        check_digit(bad)


@pytest.mark.parametrize(
    "printed", ["978-0-261-10334-4", "978 0 261 10334 4", " 9780261103344 ", "978-0261103344"]
)
def test_normalise_drops_hyphens_and_spaces(printed: str) -> None:
    assert normalise_isbn13(printed) == "9780261103344"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9780261103345", "the check digit should be 4, not 5"),
        ("0261103342", "an ISBN-13 has 13 digits, this has 10"),
        ("97802611033", "an ISBN-13 has 13 digits, this has 11"),
        ("978026110334X", "an ISBN-13 has only digits (hyphens and spaces are ignored)"),
        ("٩٧٨٠٢٦١١٠٣٣٤٤", "an ISBN-13 has only digits (hyphens and spaces are ignored)"),
        ("1234567890128", "an ISBN-13 starts with 978 or 979"),
        ("", "an ISBN-13 has 13 digits, this has none"),
        (" - ", "an ISBN-13 has 13 digits, this has none"),
    ],
)
def test_normalise_rejects_what_is_not_an_isbn13_and_says_why(text: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        normalise_isbn13(text)

    assert str(error.value) == message
