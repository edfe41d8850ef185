"""One CSV row in, one typed :class:`Order` out — or every problem with that row as a RowError.

Each field parser raises ``ValueError`` with a message for a person; :func:`parse_row` runs all
of them and turns each failure into a :class:`RowError`, so one bad field never hides another.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from day03.importer.errors import BadHeader

COLUMNS: Final = ("order_id", "email", "ordered_on", "quantity", "unit_price")
EXPECTED_HEADER: Final = ",".join(COLUMNS)
MAX_QUANTITY: Final = 10_000

# re.ASCII: without it \d also matches digits such as "٣", which int() would happily accept.
_ORDER_ID = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,19}", re.ASCII)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_WHOLE_NUMBER = re.compile(r"\d{1,9}", re.ASCII)
# Up to 8 digits before the point fits the database column NUMERIC(10, 2).
_AMOUNT = re.compile(r"\d{1,8}(\.\d{1,2})?", re.ASCII)
_CENT = Decimal("0.01")

#: Column name -> its position in the file's header.
Header = Mapping[str, int]


@dataclass(frozen=True)
class Order:
    """A validated row, with every field in its real type."""

    order_id: str
    email: str
    ordered_on: date
    quantity: int
    unit_price: Decimal

    def as_row(self) -> dict[str, Any]:
        """The order as column values for a database insert."""
        return asdict(self)

    def as_json(self) -> dict[str, Any]:
        """The order as JSON-ready values; the price stays a string, so no cent is lost."""
        return {
            "order_id": self.order_id,
            "email": self.email,
            "ordered_on": self.ordered_on.isoformat(),
            "quantity": self.quantity,
            "unit_price": str(self.unit_price),
        }


@dataclass(frozen=True)
class RowError:
    """One problem in one row: the line it starts on, the column (None for the whole row), why."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


def parse_order_id(text: str) -> str:
    """An order id, upper-cased: MySQL compares ids case-insensitively, so one spelling it is."""
    order_id = text.upper()
    if not _ORDER_ID.fullmatch(order_id):
        raise ValueError(f"must be 1 to 20 letters, digits, '-' or '_', got {text!r}")
    return order_id


def parse_email(text: str) -> str:
    """An email address with a name, an @ and a domain (deliverability is not checked)."""
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        raise ValueError(f"must look like name@example.com, got {text!r}")
    return text


def parse_iso_date(text: str) -> date:
    """A calendar date written YYYY-MM-DD, the only spelling that is never ambiguous."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"must be a date written YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"is not a real calendar date, got {text!r}") from None


def parse_quantity(text: str) -> int:
    """A whole number from 1 to MAX_QUANTITY."""
    quantity = int(text) if _WHOLE_NUMBER.fullmatch(text) else 0
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValueError(f"must be a whole number from 1 to {MAX_QUANTITY}, got {text!r}")
    return quantity


def parse_price(text: str) -> Decimal:
    """A non-negative amount with at most two decimals, kept exact as a Decimal."""
    if not _AMOUNT.fullmatch(text):
        raise ValueError(f"must be an amount like 12.50 (at most 2 decimals), got {text!r}")
    return Decimal(text).quantize(_CENT)


_PARSERS: Final[dict[str, Callable[[str], Any]]] = {
    "order_id": parse_order_id,
    "email": parse_email,
    "ordered_on": parse_iso_date,
    "quantity": parse_quantity,
    "unit_price": parse_price,
}


def parse_header(fields: Sequence[str], source: str) -> Header:
    """Map each expected column to its position; raise BadHeader naming what is wrong.

    Names are compared without case or surrounding spaces; columns may come in any order, but
    every expected column must be there, once, and nothing else.
    """
    names = [field.strip().lower() for field in fields]
    if not any(names):
        raise BadHeader(f"{source} has no header line; its first line must be {EXPECTED_HEADER}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    missing = [column for column in COLUMNS if column not in names]
    pairs = zip(fields, names, strict=True)
    unexpected = [field.strip() for field, name in pairs if name not in COLUMNS]
    problems = []
    if missing:
        problems.append("missing " + ", ".join(missing))
    if unexpected:
        problems.append("unexpected " + ", ".join(repr(name) for name in unexpected))
    if repeated:
        problems.append("repeated " + ", ".join(repeated))
    if problems:
        raise BadHeader(
            f"{source} has the wrong header ({'; '.join(problems)}); "
            f"its first line must be {EXPECTED_HEADER}"
        )
    return {name: position for position, name in enumerate(names)}


def parse_row(fields: Sequence[str], header: Header, line: int) -> Order | list[RowError]:
    """The row as an Order, or every problem found in it (never just the first)."""
    if len(fields) != len(header):
        hint = " (an unquoted comma inside a value?)" if len(fields) > len(header) else ""
        message = f"has {len(fields)} fields, expected {len(header)}{hint}"
        return [RowError(line, None, message)]
    # practice 1: run every field's parser and collect each failure as a RowError
    # hint: loop over _PARSERS; an empty field "is required", a ValueError becomes a RowError
    # hint: for that column; return the errors, or an Order built from the parsed values.
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for column, parse in _PARSERS.items():
        text = fields[header[column]].strip()
        if not text:
            errors.append(RowError(line, column, "is required"))
            continue
        try:
            values[column] = parse(text)
        except ValueError as error:
            errors.append(RowError(line, column, str(error)))
    return errors or Order(**values)
    # end practice 1
