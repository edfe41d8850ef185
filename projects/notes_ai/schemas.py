"""Request and response schemas (marshmallow), read by flask-smorest to parse, shape and document.

Input is strict: unknown fields are refused rather than dropped, JSON types are not coerced,
and text must be storable on every backend (no NUL, no lone surrogates).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate, validates

from projects.notes_ai.models import EMAIL_MAX, TITLE_MAX

PASSWORD_MIN, PASSWORD_MAX = 8, 256
QUESTION_MAX = 2000
K_MAX = 50
PAGE_MAX = 100


class Text(fields.String):
    """A JSON string with something besides spaces in it, storable on every backend."""

    default_error_messages = {  # noqa: RUF012 (marshmallow merges this dict up the MRO)
        "invalid": "must be a string",
        "null": "must be a string, not null",
    }

    def __init__(self, *, blank: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.blank = blank

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if not self.blank and not text.strip():
            raise ma.ValidationError("must not be blank")
        # PostgreSQL refuses NUL in text, and the drivers refuse lone surrogates.
        if "\x00" in text:
            raise ma.ValidationError("must not contain NUL characters")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ma.ValidationError("must be valid text (no unpaired surrogates)") from None
        return text


class Timestamp(fields.DateTime):
    """UTC, ISO 8601 with milliseconds and ``Z`` (``2026-12-02T17:43:02.621Z``)."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        moment = value.astimezone(UTC)
        return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


class StrictInteger(fields.Integer):
    """A JSON whole number; ``true`` and ``"3"`` are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)  # type: ignore[no-any-return]


class _Input(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class Credentials(_Input):
    """The body of register and login."""

    email = fields.Email(
        required=True,
        validate=validate.Length(max=EMAIL_MAX),
        metadata={"example": "ada@example.com"},
    )
    password = Text(
        required=True,
        validate=validate.Length(
            min=PASSWORD_MIN,
            max=PASSWORD_MAX,
            error=f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters",
        ),
        metadata={"example": "correct horse battery"},
    )

    @ma.post_load
    def _lower_case_email(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        data["email"] = data["email"].strip().lower()
        return data


class TokenResponse(ma.Schema):
    token = fields.String(required=True)


def _check_body_length(value: str) -> None:
    limit: int = current_app.extensions["notes"].settings.max_note_chars
    if len(value) > limit:
        raise ma.ValidationError(
            f"is too long ({len(value)} characters; at most {limit}, NOTES_MAX_NOTE_CHARS)"
        )


class NoteCreate(_Input):
    """The body of ``POST /api/notes``."""

    title = Text(
        required=True, validate=validate.Length(max=TITLE_MAX), metadata={"example": "Sourdough"}
    )
    body = Text(
        required=True,
        blank=True,
        metadata={"example": "# Starter\n\nFeed it 1:1:1 flour and water every 12 hours."},
    )

    @validates("body")
    def _body_fits(self, value: str, **_kwargs: Any) -> None:
        _check_body_length(value)


class NoteUpdate(_Input):
    """The body of ``PATCH /api/notes/{id}``: only the fields to change."""

    title = Text(validate=validate.Length(max=TITLE_MAX))
    body = Text(blank=True)

    @validates("body")
    def _body_fits(self, value: str, **_kwargs: Any) -> None:
        _check_body_length(value)

    @ma.validates_schema
    def _something_to_change(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise ma.ValidationError("send title, body or both", "_schema")


class NoteResponse(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class PageArgs(_Input):
    """``?limit=&offset=`` of a list."""

    limit = fields.Integer(
        load_default=20, validate=validate.Range(1, PAGE_MAX, error=f"must be 1 to {PAGE_MAX}")
    )
    offset = fields.Integer(
        load_default=0, validate=validate.Range(0, 2**31 - 1, error="must be 0 or more")
    )


class NotePage(ma.Schema):
    """One page of the caller's notes, newest first, with the total to page through."""

    notes = fields.List(fields.Nested(NoteResponse), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class ImportedNote(ma.Schema):
    file = fields.String(required=True)
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class RefusedFile(ma.Schema):
    file = fields.String(required=True)
    reason = fields.String(required=True)


class ImportResponse(ma.Schema):
    """What an import stored, and what it refused and why."""

    imported = fields.List(fields.Nested(ImportedNote), required=True)
    refused = fields.List(fields.Nested(RefusedFile), required=True)


class SearchArgs(_Input):
    """``?q=&k=`` of a search."""

    q = Text(
        required=True,
        validate=validate.Length(max=QUESTION_MAX),
        metadata={"example": "how often do I feed the starter?"},
    )
    k = fields.Integer(
        load_default=5, validate=validate.Range(1, K_MAX, error=f"must be 1 to {K_MAX}")
    )


class SearchResult(ma.Schema):
    note_id = fields.Integer(required=True)
    title = fields.String(required=True)
    #: The chunk's position in its note (0 is the first).
    chunk = fields.Integer(required=True)
    text = fields.String(required=True)
    score = fields.Float(required=True, metadata={"description": "cosine similarity, -1 to 1"})


class SearchResponse(ma.Schema):
    results = fields.List(fields.Nested(SearchResult), required=True)


class ChatRequest(_Input):
    """The body of ``POST /api/chat``; without ``conversation_id`` a new conversation starts."""

    message = Text(
        required=True,
        validate=validate.Length(max=QUESTION_MAX),
        metadata={"example": "How often do I feed the starter?"},
    )
    conversation_id = StrictInteger(allow_none=True, validate=validate.Range(1, 2**31 - 1))


class Source(ma.Schema):
    note_id = fields.Integer(required=True)
    title = fields.String(required=True)
    text = fields.String(required=True)


class ChatResponse(ma.Schema):
    answer = fields.String(required=True)
    sources = fields.List(fields.Nested(Source), required=True)
    conversation_id = fields.Integer(required=True)


class MessageResponse(ma.Schema):
    role = fields.String(required=True, metadata={"example": "user"})
    content = fields.String(required=True)
    sources = fields.List(fields.Nested(Source), required=True)
    created_at = Timestamp(required=True)


class ConversationResponse(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    created_at = Timestamp(required=True)
    messages = fields.List(fields.Nested(MessageResponse), required=True)
