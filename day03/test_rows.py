"""One row in, one typed order out — or every problem with it, each naming its line and column."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from day03.importer.errors import BadHeader
from day03.importer.rows import COLUMNS, Order, RowError, parse_header, parse_row

HEADER = {column: position for position, column in enumerate(COLUMNS)}
GOOD = {
    "order_id": "A-1001",
    "email": "ana@example.com",
    "ordered_on": "2024-03-01",
    "quantity": "2",
    "unit_price": "19.90",
}


def row(**changes: str) -> list[str]:
    """A good row's fields with some values replaced."""
    values = GOOD | changes
    return [values[column] for column in COLUMNS]


def test_a_valid_row_becomes_an_order_with_real_types() -> None:
    result = parse_row(row(), HEADER, line=2)

    assert result == Order("A-1001", "ana@example.com", date(2024, 3, 1), 2, Decimal("19.90"))


def test_values_are_read_without_surrounding_spaces() -> None:
    result = parse_row(row(email="  ana@example.com ", quantity=" 2 "), HEADER, line=2)

    assert isinstance(result, Order), result
    assert (result.email, result.quantity) == ("ana@example.com", 2)


def test_order_ids_are_upper_cased_so_every_database_compares_them_alike() -> None:
    result = parse_row(row(order_id="a-1001"), HEADER, line=2)

    assert isinstance(result, Order), result
    assert result.order_id == "A-1001"


def test_a_price_is_an_exact_decimal_with_two_places() -> None:
    result = parse_row(row(unit_price="12.5"), HEADER, line=2)

    assert isinstance(result, Order), result
    assert str(result.unit_price) == "12.50"


@pytest.mark.parametrize(
    ("column", "value", "expected_message"),
    [
        ("order_id", "A 1001", "must be 1 to 20 letters, digits, '-' or '_', got 'A 1001'"),
        ("order_id", "A" * 21, "must be 1 to 20 letters, digits"),
        ("email", "ana.example.com", "must look like name@example.com, got 'ana.example.com'"),
        ("email", "ana@example", "must look like name@example.com"),
        ("email", "ana smith@example.com", "must look like name@example.com"),
        ("ordered_on", "01/03/2024", "must be a date written YYYY-MM-DD, got '01/03/2024'"),
        ("ordered_on", "20240301", "must be a date written YYYY-MM-DD"),
        ("ordered_on", "2024-02-30", "is not a real calendar date, got '2024-02-30'"),
        ("quantity", "two", "must be a whole number from 1 to 10000, got 'two'"),
        ("quantity", "0", "must be a whole number from 1 to 10000, got '0'"),
        ("quantity", "-3", "must be a whole number from 1 to 10000"),
        ("quantity", "1.5", "must be a whole number from 1 to 10000"),
        ("quantity", "10001", "must be a whole number from 1 to 10000"),
        ("quantity", "1_000", "must be a whole number from 1 to 10000"),
        ("quantity", "٣", "must be a whole number from 1 to 10000"),
        ("unit_price", "12.505", "must be an amount like 12.50 (at most 2 decimals), got '12.505'"),
        ("unit_price", "-1.00", "must be an amount like 12.50"),
        ("unit_price", "1e3", "must be an amount like 12.50"),
        ("unit_price", "NaN", "must be an amount like 12.50"),
        ("unit_price", "123456789.00", "must be an amount like 12.50"),
        ("email", "", "is required"),
        ("unit_price", "   ", "is required"),
    ],
)
def test_a_bad_value_becomes_a_row_error_naming_line_and_column(
    column: str, value: str, expected_message: str
) -> None:
    result = parse_row(row(**{column: value}), HEADER, line=7)

    assert isinstance(result, list), f"{column}={value!r} was accepted as {result}"
    assert len(result) == 1, result
    error = result[0]
    assert (error.line, error.column) == (7, column)
    assert error.message.startswith(expected_message), (
        f"{column}={value!r}: expected {expected_message!r}, got {error.message!r}"
    )


def test_every_bad_field_in_a_row_is_reported_not_just_the_first() -> None:
    result = parse_row(row(email="nope", quantity="two", unit_price="free"), HEADER, line=4)

    assert isinstance(result, list), result
    assert [(error.line, error.column) for error in result] == [
        (4, "email"),
        (4, "quantity"),
        (4, "unit_price"),
    ]


@pytest.mark.parametrize(
    ("fields", "expected_message"),
    [
        (["A-1", "ana@example.com", "2024-03-01", "2"], "has 4 fields, expected 5"),
        (
            ["A-1", "ana@example.com", "2024-03-01", "2", "1", "99"],
            "has 6 fields, expected 5 (an unquoted comma inside a value?)",
        ),
    ],
)
def test_a_row_with_the_wrong_number_of_fields_is_one_whole_row_error(
    fields: list[str], expected_message: str
) -> None:
    result = parse_row(fields, HEADER, line=9)

    assert result == [RowError(9, None, expected_message)]


def test_a_row_error_reads_as_line_column_and_message() -> None:
    assert str(RowError(3, "email", "is required")) == "line 3, email: is required"
    assert str(RowError(9, None, "has 4 fields")) == "line 9: has 4 fields"


def test_header_columns_may_come_in_any_order_and_case() -> None:
    header = parse_header([" Quantity", "EMAIL", "order_id", "unit_price", "ordered_on "], "x.csv")

    assert header == {
        "quantity": 0,
        "email": 1,
        "order_id": 2,
        "unit_price": 3,
        "ordered_on": 4,
    }


@pytest.mark.parametrize(
    ("fields", "expected_fragment"),
    [
        (["order_id", "email", "ordered_on", "quantity"], "(missing unit_price)"),
        ([*COLUMNS, "notes"], "(unexpected 'notes')"),
        ([*COLUMNS, "email"], "(repeated email)"),
        (["A-1001", "ana@example.com", "2024-03-01", "2", "19.90"], "missing order_id, email"),
        ([], "has no header line"),
        (["", ""], "has no header line"),
    ],
)
def test_a_wrong_header_is_refused_with_what_is_wrong_and_what_is_expected(
    fields: list[str], expected_fragment: str
) -> None:
    with pytest.raises(BadHeader) as caught:
        parse_header(fields, "orders.csv")

    message = str(caught.value)
    assert message.startswith("orders.csv "), message
    assert expected_fragment in message, f"{fields}: expected {expected_fragment!r} in {message!r}"
    assert message.endswith("must be order_id,email,ordered_on,quantity,unit_price"), message


def test_python_alone_accepts_what_the_field_rules_refuse() -> None:
    # Why each field is matched against an re.ASCII pattern before it is converted.
    assert int("1_000") == 1000 and int("٣") == 3
    assert re.fullmatch(r"\d", "٣") and not re.fullmatch(r"\d", "٣", re.ASCII)
    assert Decimal("NaN").is_nan() and Decimal("1e3") == 1000


def email_of_length(length: int) -> str:
    """A well-formed address of exactly ``length`` characters."""
    domain = "@example.com"
    return "a" * (length - len(domain)) + domain


def test_an_email_of_254_characters_is_the_longest_accepted() -> None:
    longest = parse_row(row(email=email_of_length(254)), HEADER, line=2)
    too_long = parse_row(row(email=email_of_length(255)), HEADER, line=2)

    assert isinstance(longest, Order), longest
    assert isinstance(too_long, list) and too_long[0].column == "email", too_long


def test_a_quantity_of_10000_is_the_largest_accepted() -> None:
    result = parse_row(row(quantity="10000"), HEADER, line=2)

    assert isinstance(result, Order), result
    assert result.quantity == 10_000


def test_a_missing_value_does_not_stop_the_checks_of_the_columns_after_it() -> None:
    result = parse_row(row(order_id="", quantity="two"), HEADER, line=7)

    assert result == [
        RowError(7, "order_id", "is required"),
        RowError(7, "quantity", "must be a whole number from 1 to 10000, got 'two'"),
    ]


def test_a_header_lists_every_unexpected_and_repeated_column() -> None:
    fields = [*COLUMNS, "email", "note", "Extra ", "note"]

    with pytest.raises(BadHeader) as caught:
        parse_header(fields, "orders.csv")

    assert str(caught.value) == (
        "orders.csv has the wrong header (unexpected 'note', 'Extra', 'note'; repeated email, "
        "note); its first line must be order_id,email,ordered_on,quantity,unit_price"
    )
