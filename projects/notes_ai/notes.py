"""Notes: ``/api/notes`` and ``/api/notes/{id}``, and ``/api/notes/import``.

Every query is filtered by the caller: another user's note is a 404, exactly like a note that
does not exist, so ids reveal nothing. A write and its chunks and vectors commit together.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, request
from flask.views import MethodView
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from projects.notes_ai import imports, retrieval, schemas
from projects.notes_ai.auth import auth_required, current_user
from projects.notes_ai.extensions import db_session, notes_state
from projects.notes_ai.models import Note
from projects.notes_ai.parsing import Blueprint, body_too_large
from shared.errors import ApiError, NotFound

blp = Blueprint("notes", __name__, description="Your notes, kept searchable")

ID_MAX = 2**31 - 1


def note_or_404(note_id: int, *, with_chunks: bool = False) -> Note:
    """The caller's note ``note_id``, or a 404 problem."""
    query = sa.select(Note).where(Note.id == note_id, Note.user_id == current_user().id)
    if with_chunks:
        query = query.options(selectinload(Note.chunks))
    note = db_session().scalar(query) if note_id <= ID_MAX else None
    if note is None:
        raise NotFound(f"you have no note {note_id}; GET /api/notes lists yours")
    return note


@blp.route("/api/notes")
class NoteCollection(MethodView):
    @auth_required(blp)
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, schemas.NotePage)
    def get(self, page: dict[str, int]) -> dict[str, Any]:
        """Your notes, most recently changed first."""
        session = db_session()
        mine = Note.user_id == current_user().id
        notes = session.scalars(
            sa.select(Note)
            .where(mine)
            .order_by(Note.updated_at.desc(), Note.id.desc())
            .limit(page["limit"])
            .offset(page["offset"])
        ).all()
        total = session.scalar(sa.select(sa.func.count()).select_from(Note).where(mine))
        return {"notes": notes, "total": total, **page}

    @auth_required(blp)
    @blp.arguments(schemas.NoteCreate)
    @blp.response(201, schemas.NoteResponse)
    @blp.problem_response(503, "The embedder is unavailable; nothing was stored")
    def post(self, fields: dict[str, str]) -> Note:
        """Add a note; it is searchable as soon as this answers."""
        session = db_session()
        note = Note(user_id=current_user().id, **fields)
        session.add(note)
        session.flush()
        retrieval.index_note(notes_state(), session, note)
        session.commit()
        return note


@blp.route("/api/notes/<int:note_id>", endpoint="note")
class NoteItem(MethodView):
    @auth_required(blp)
    @blp.response(200, schemas.NoteResponse)
    @blp.problem_response(404, "You have no note with this id")
    def get(self, note_id: int) -> Note:
        """One of your notes."""
        return note_or_404(note_id)

    @auth_required(blp)
    @blp.arguments(schemas.NoteUpdate)
    @blp.response(200, schemas.NoteResponse)
    @blp.problem_response(404, "You have no note with this id")
    @blp.problem_response(503, "The embedder is unavailable; nothing was changed")
    def patch(self, fields: dict[str, str], note_id: int) -> Note:
        """Change the title, the body or both; only the chunks that changed are re-embedded."""
        session = db_session()
        note = note_or_404(note_id, with_chunks=True)
        retitled = fields.get("title", note.title) != note.title
        for name, value in fields.items():
            setattr(note, name, value)
        retrieval.index_note(notes_state(), session, note, retitled=retitled)
        session.commit()
        return note

    @auth_required(blp)
    @blp.response(204)
    @blp.problem_response(404, "You have no note with this id")
    def delete(self, note_id: int) -> None:
        """Delete a note; it never appears in a search or an answer again."""
        session = db_session()
        retrieval.delete_note(notes_state(), session, note_or_404(note_id))
        session.commit()


@blp.route("/api/notes/import")
class NoteImport(MethodView):
    @auth_required(blp)
    @blp.response(201, schemas.ImportResponse)
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "files": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                                "minItems": 1,
                                "description": "Markdown files (.md, .markdown, .txt) or a .zip "
                                "of them; the first '# ' line is the title, else the file name",
                            }
                        },
                        "required": ["files"],
                    }
                }
            },
        }
    )
    @blp.problem_response(400, "No files were sent")
    @blp.problem_response(415, "The body is not multipart/form-data")
    @blp.problem_response(413, "The upload is larger than NOTES_MAX_BODY_BYTES")
    @blp.problem_response(503, "The embedder is unavailable; nothing was stored")
    def post(self) -> dict[str, Any]:
        """Import Markdown files: what was stored, and what was refused and why."""
        if request.mimetype != "multipart/form-data":
            raise ApiError(
                f"send the files as multipart/form-data (field 'files'), got "
                f"{request.mimetype or 'no Content-Type'!r}",
                status=415,
                title="Unsupported Media Type",
            )
        try:
            uploads = request.files.getlist("files")
        except RequestEntityTooLarge:
            raise body_too_large() from None
        if not uploads:
            raise ApiError(
                "no files: send one or more Markdown files, or a zip of them, in the 'files' "
                "field (curl -F files=@notes.zip)",
                errors={"files": ["is required"]},
            )
        settings = notes_state().settings
        batch = imports.read_uploads(
            ((upload.filename or "upload", upload.stream) for upload in uploads),
            max_note_chars=settings.max_note_chars,
        )
        session = db_session()
        user_id = current_user().id
        notes = [Note(user_id=user_id, title=item.title, body=item.body) for item in batch.notes]
        session.add_all(notes)
        session.flush()
        retrieval.index_new_notes(notes_state(), session, notes, progress=not current_app.testing)
        session.commit()
        return {
            "imported": [
                {"file": item.file, "id": note.id, "title": note.title}
                for item, note in zip(batch.notes, notes, strict=True)
            ],
            "refused": [{"file": r.file, "reason": r.reason} for r in batch.refused],
        }
