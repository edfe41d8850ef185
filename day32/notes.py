"""A small notes API: accounts with JWTs, notes that only their owner ever sees, search by text.

Flask + SQLAlchemy 2 on SQLite. Every note query is filtered by the caller, so another user's
note is a 404, exactly like a note that does not exist. Search comes in two kinds:

- ``substring``: ``LIKE '%q%'`` over title and body, with ``%``, ``_`` and ``\\`` in the query
  escaped so they match themselves; newest first.
- ``words``: SQLite's FTS5 full-text index (porter stemming, so "bake" finds "baking"), best
  match first by ``bm25``; the index is kept in step with the notes table by triggers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import Flask, g, jsonify, request
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from shared.auth import InvalidToken, Passwords, Tokens

TITLE_MAX = 200
SEARCH_KINDS = ("substring", "words")
View = TypeVar("View", bound=Callable[..., Any])


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "updated_at": self.updated_at.isoformat(timespec="milliseconds") + "Z",
        }


#: The full-text index: an external-content FTS5 table over ``notes``, with the triggers that
#: keep it in step (FTS5's documented pattern; a delete passes the old values back to it).
FULL_TEXT = [
    "CREATE VIRTUAL TABLE notes_fts USING fts5(title, body, content='notes', content_rowid='id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER notes_after_insert AFTER INSERT ON notes BEGIN "
    "INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER notes_after_delete AFTER DELETE ON notes BEGIN "
    "INSERT INTO notes_fts(notes_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER notes_after_update AFTER UPDATE ON notes BEGIN "
    "INSERT INTO notes_fts(notes_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]


class ApiError(Exception):
    """An answer for the client: a status and a message saying what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def like_pattern(text: str) -> str:
    """``%text%`` for ``LIKE ... ESCAPE '\\'``, with the query's own wildcards escaped."""
    # practice 2: make a LIKE pattern in which the user's % and _ match themselves
    # hint: escape the backslash first, then % and _, each with a backslash; wrap it in %...%.
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
    # end practice 2


def fts_query(text: str) -> str:
    """The words of ``text`` as an FTS5 query that matches notes with all of them.

    Each word is quoted, so ``AND``, ``NEAR``, ``*`` or a stray ``"`` in what a user typed is
    text, not FTS5 syntax (which would otherwise be a syntax error or a different query).
    """
    # practice 3: turn typed text into an FTS5 query of quoted words, all required
    # hint: split on whitespace, double every " inside a word, wrap each word in "...".
    words = [word.replace('"', '""') for word in text.split()]
    return " ".join(f'"{word}"' for word in words)
    # end practice 3


def create_app(database_url: str = "sqlite://", secret_key: str = "day32-" + "x" * 32) -> Flask:
    """The notes API on ``database_url`` (an in-memory database by default)."""
    app = Flask(__name__)
    options: dict[str, Any] = {}
    if database_url in ("sqlite://", "sqlite:///:memory:"):
        # One connection shared by every request, or each would see its own empty database.
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = sa.create_engine(database_url, **options)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        if not sa.inspect(connection).has_table("notes_fts"):
            for statement in FULL_TEXT:
                connection.exec_driver_sql(statement)
    sessions = sessionmaker(engine, expire_on_commit=False)
    # argon2's cheapest settings: this is a lesson on ownership, not on password hashing.
    passwords = Passwords(time_cost=1, memory_cost=8, parallelism=1)
    tokens = Tokens(secret_key, ttl_seconds=3600)
    app.extensions["day32"] = {"engine": engine}

    def session() -> Session:
        if "session" not in g:
            g.session = sessions()
        return cast(Session, g.session)

    @app.teardown_appcontext
    def close_session(_error: BaseException | None) -> None:
        if "session" in g:
            g.pop("session").close()

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Any:
        response = jsonify({"error": error.message})
        response.status_code = error.status
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="notes"'
        return response

    def body(*required: str, optional: tuple[str, ...] = ()) -> dict[str, str]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ApiError(400, "send a JSON object")
        unknown = set(data) - set(required) - set(optional)
        missing = [name for name in required if name not in data]
        if unknown or missing:
            raise ApiError(422, f"unknown {sorted(unknown)}, missing {missing}")
        if not all(isinstance(value, str) and value.strip() for value in data.values()):
            raise ApiError(422, "every field must be a non-blank string")
        if len(data.get("title", "")) > TITLE_MAX:
            raise ApiError(422, f"title: at most {TITLE_MAX} characters")
        return cast(dict[str, str], data)

    def auth_required(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiError(401, "send 'Authorization: Bearer <token>' from POST /login")
            try:
                user_id = int(tokens.subject(token.strip()))
            except InvalidToken as error:
                raise ApiError(401, str(error)) from None
            if session().get(User, user_id) is None:
                raise ApiError(401, "token is no longer valid; log in again")
            g.user_id = user_id
            return view(*args, **kwargs)

        return cast(View, wrapper)

    def owned_note_or_404(note_id: int) -> Note:
        """The caller's note, else a 404 that does not say whether the id exists."""
        # practice 1: load a note only if the caller owns it, else the same 404 as a missing one
        # hint: filter on the id and on Note.user_id == g.user_id in one SELECT; None means 404.
        note = session().scalar(
            sa.select(Note).where(Note.id == note_id, Note.user_id == g.user_id)
        )
        if note is None:
            raise ApiError(404, f"you have no note {note_id}")
        return note
        # end practice 1

    @app.post("/register")
    def register() -> Any:
        fields = body("email", "password")
        email = fields["email"].strip().lower()
        if session().scalar(sa.select(User.id).where(User.email == email)) is not None:
            raise ApiError(409, f"{email} is already registered; POST /login")
        user = User(email=email, password_hash=passwords.hash(fields["password"]))
        session().add(user)
        session().commit()
        return {"token": tokens.issue(str(user.id))}, 201

    @app.post("/login")
    def login() -> Any:
        fields = body("email", "password")
        user = session().scalar(sa.select(User).where(User.email == fields["email"].lower()))
        if not passwords.verify(user.password_hash if user else None, fields["password"]):
            raise ApiError(401, "email or password is wrong")
        return {"token": tokens.issue(str(user.id))}  # type: ignore[union-attr]

    @app.post("/notes")
    @auth_required
    def add_note() -> Any:
        fields = body("title", "body")
        note = Note(user_id=g.user_id, updated_at=datetime.now(UTC).replace(tzinfo=None), **fields)
        session().add(note)
        session().commit()
        return note.to_json(), 201

    @app.get("/notes")
    @auth_required
    def list_notes() -> Any:
        notes = session().scalars(
            sa.select(Note)
            .where(Note.user_id == g.user_id)
            .order_by(Note.updated_at.desc(), Note.id.desc())
        )
        return {"notes": [note.to_json() for note in notes]}

    @app.get("/notes/<int:note_id>")
    @auth_required
    def show_note(note_id: int) -> Any:
        return owned_note_or_404(note_id).to_json()

    @app.patch("/notes/<int:note_id>")
    @auth_required
    def edit_note(note_id: int) -> Any:
        note = owned_note_or_404(note_id)
        fields = body(optional=("title", "body"))
        for name, value in fields.items():
            setattr(note, name, value)
        note.updated_at = datetime.now(UTC).replace(tzinfo=None)
        session().commit()
        return note.to_json()

    @app.delete("/notes/<int:note_id>")
    @auth_required
    def delete_note(note_id: int) -> Any:
        session().delete(owned_note_or_404(note_id))
        session().commit()
        return "", 204

    @app.get("/notes/search")
    @auth_required
    def search_notes() -> Any:
        q = request.args.get("q", "").strip()
        kind = request.args.get("kind", "words")
        if not q:
            raise ApiError(422, "q: say what to look for (?q=...)")
        if kind not in SEARCH_KINDS:
            raise ApiError(422, f"kind: one of {', '.join(SEARCH_KINDS)}")
        mine = Note.user_id == g.user_id
        if kind == "substring":
            pattern = like_pattern(q)
            query = (
                sa.select(Note)
                .where(
                    mine,
                    sa.or_(
                        Note.title.like(pattern, escape="\\"), Note.body.like(pattern, escape="\\")
                    ),
                )
                .order_by(Note.updated_at.desc(), Note.id.desc())
            )
        else:
            # bm25() is lower for a better match; the join keeps the owner filter in SQL.
            rank = sa.text("bm25(notes_fts)")
            query = (
                sa.select(Note)
                .join(sa.table("notes_fts"), sa.literal_column("notes_fts.rowid") == Note.id)
                .where(mine, sa.text("notes_fts MATCH :match").bindparams(match=fts_query(q)))
                .order_by(rank, Note.id)
            )
        return {"kind": kind, "notes": [note.to_json() for note in session().scalars(query)]}

    return app
