"""What a valid book looks like on the wire, in marshmallow (the one validation library here).

Unknown fields are rejected (marshmallow's ``RAISE``): a client that sends ``"yaer"`` gets a
422 naming it, instead of a 200 that silently changed nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from day06.isbn import normalise_isbn13

FIRST_PRINTED_YEAR = 1450  # Gutenberg; a publication year before it is a typo
MAX_TEXT_LENGTH = 200
MAX_PAGE_SIZE = 100


class Text(fields.String):
    """A string with surrounding whitespace removed that must not end up empty."""

    default_error_messages: ClassVar[dict[str, str]] = {"blank": "Must not be blank."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise self.make_error("blank")
        return text


class Isbn13(fields.String):
    """An ISBN-13 with a valid check digit, stored as 13 plain digits."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise_isbn13(text)
        except ValueError as error:
            raise ValidationError(f"Not a valid ISBN-13: {error}.") from None


def publication_year(year: int) -> None:
    """Between the first printed books and next year (books are announced before they ship)."""
    latest = date.today().year + 1
    if not FIRST_PRINTED_YEAR <= year <= latest:
        raise ValidationError(f"Must be between {FIRST_PRINTED_YEAR} and {latest}.")


class BookSchema(Schema):
    """A book in and out: ``id`` is written by the server, the other four by the client."""

    class Meta:
        unknown = RAISE

    id = fields.Integer(dump_only=True)
    title = Text(required=True, validate=validate.Length(max=MAX_TEXT_LENGTH))
    author = Text(required=True, validate=validate.Length(max=MAX_TEXT_LENGTH))
    # strict: a JSON integer, not "1937" or 1937.5 (marshmallow 4 refuses true and false too).
    year = fields.Integer(required=True, strict=True, validate=publication_year)
    isbn = Isbn13(required=True)


class BookListQuery(Schema):
    """``GET /books?author=…&limit=…&offset=…``; an unknown parameter is a typo: rejected."""

    class Meta:
        unknown = RAISE

    author = Text(load_default=None, validate=validate.Length(max=MAX_TEXT_LENGTH))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
