"""``python -m projects.notes_ai.cli``: bulk import, re-embedding and counts, from a shell.

``import`` reads folders of Markdown files and zips of them (with the same rules as
``POST /api/notes/import``) and stores the notes for one user, 200 to a transaction, each
batch's chunks embedded in one call; ``reindex`` re-embeds the chunks another embedder made
(after ``NOTES_EMBEDDINGS`` or the model changed), updating the rows and the vector store
together; ``stats`` counts notes and chunks per model. The database is ``NOTES_DATABASE_URL``
unless ``--database-url`` says otherwise; every other setting is the app's own. Progress goes
to stderr, results to stdout. Exit status 0 when done, 2 with one line on stderr for a bad
argument or setting, a path that is not there, or an embedder that fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from projects.notes_ai import retrieval
from projects.notes_ai.chunking import Chunk as Piece
from projects.notes_ai.embeddings import LOCAL_MODEL, vector_to_bytes
from projects.notes_ai.extensions import NotesState
from projects.notes_ai.imports import Batch, Refused, read_note, read_zip
from projects.notes_ai.models import Chunk, Note, User
from projects.notes_ai.schemas import Credentials
from shared.config import ConfigError
from shared.errors import ApiError

PROG = "python -m projects.notes_ai.cli"
#: Notes stored per transaction by ``import``, and chunks re-embedded per transaction.
NOTES_PER_BATCH = 200
CHUNKS_PER_BATCH = 256
#: The variable a new user's password comes from when ``--password-env`` is not given.
IMPORT_PASSWORD_VAR = "NOTES_IMPORT_PASSWORD"

#: ``progress(total, description, unit)``: a context manager whose value has ``update(n)``.
Progress = Callable[[int, str, str], AbstractContextManager[Any]]


class CommandError(Exception):
    """What stops a command, in one line that says what to do about it."""


def tqdm_progress(total: int, description: str, unit: str) -> AbstractContextManager[Any]:
    """A tqdm bar on stderr."""
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit=unit, file=sys.stderr)


def no_progress(total: int, description: str, unit: str) -> AbstractContextManager[Any]:
    """A bar that draws nothing."""
    from tqdm import tqdm

    return tqdm(total=total, disable=True)


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportSummary:
    """What an import did."""

    imported: int
    refused: list[Refused]
    chunks: int
    seconds: float

    @property
    def notes_per_second(self) -> float:
        return self.imported / self.seconds if self.seconds > 0 else 0.0

    def lines(self, *, timings: bool = True) -> list[str]:
        """The summary as printed: counts, then each refused file and why."""
        head = f"imported {self.imported} notes ({self.chunks} chunks), refused {len(self.refused)}"
        if timings:
            head += f" in {self.seconds:.1f} s ({self.notes_per_second:.1f} notes/s)"
        return [head] + [f"  refused {item.file}: {item.reason}" for item in self.refused]


def note_files(paths: Sequence[Path]) -> Iterator[tuple[str, Path]]:
    """Every file under ``paths`` (folders walked in name order, hidden entries skipped), each
    with the name it is reported by: relative to its folder, as given for a file."""
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path)
                if file.is_file() and not any(p.startswith(".") for p in relative.parts):
                    yield f"{path.name}/{relative.as_posix()}", file
        elif path.is_file():
            yield path.name, path
        else:
            raise CommandError(f"{path} is neither a folder nor a file")


def read_files(paths: Sequence[Path], max_note_chars: int, progress: Progress) -> Batch:
    """The notes in ``paths`` (Markdown files and zips), and what was refused and why."""
    files = list(note_files(paths))
    batch = Batch()
    with progress(len(files), "files read", "file") as bar:
        for name, file in files:
            try:
                data = file.read_bytes()
            except OSError as error:
                batch.refused.append(Refused(name, f"cannot be read ({error.strerror})"))
            else:
                if name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04":
                    read_zip(name, data, max_note_chars, batch)
                else:
                    result = read_note(name, data, max_note_chars)
                    if isinstance(result, Refused):
                        batch.refused.append(result)
                    else:
                        batch.notes.append(result)
            bar.update(1)
    return batch


def import_user(state: NotesState, session: Session, email: str, password: str | None) -> User:
    """The user ``email``: checked against ``password`` if it exists, else created with it."""
    try:
        email = Credentials(only=("email",)).load({"email": email})["email"]
    except ma.ValidationError as error:
        raise CommandError(f"--email {email!r}: {error.messages['email'][0]}") from None
    user = session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        if password is not None and not state.passwords.verify(user.password_hash, password):
            raise CommandError(f"the password given for {email} is wrong")
        return user
    if password is None:
        raise CommandError(
            f"there is no user {email}: set {IMPORT_PASSWORD_VAR} (or pass --password-env VAR) "
            "to create it with that password"
        )
    try:
        Credentials().load({"email": email, "password": password})
    except ma.ValidationError as error:
        raise CommandError(f"the new user's password {error.messages['password'][0]}") from None
    user = User(email=email, password_hash=state.passwords.hash(password))
    session.add(user)
    session.flush()
    return user


def import_notes(
    app: Flask,
    paths: Sequence[Path],
    email: str,
    password: str | None,
    *,
    batch_size: int = NOTES_PER_BATCH,
    progress: Progress = tqdm_progress,
    embedding_progress: bool = True,
    clock: Callable[[], float] = time.perf_counter,
) -> ImportSummary:
    """Store the notes in ``paths`` for ``email``, ``batch_size`` notes per transaction.

    A batch commits with its chunks and vectors or not at all; batches already committed stay
    when a later one fails.
    """
    state: NotesState = app.extensions["notes"]
    started = clock()
    with state.db.transaction() as session:
        user_id = import_user(state, session, email, password).id
    batch = read_files(paths, state.settings.max_note_chars, progress)
    chunks = 0
    with progress(len(batch.notes), "notes stored", "note") as bar:
        for start in range(0, len(batch.notes), batch_size):
            items = batch.notes[start : start + batch_size]
            with state.db.transaction() as session:
                notes = [Note(user_id=user_id, title=i.title, body=i.body) for i in items]
                session.add_all(notes)
                session.flush()
                chunks += retrieval.index_new_notes(
                    state, session, notes, progress=embedding_progress
                )
            bar.update(len(items))
    return ImportSummary(len(batch.notes), batch.refused, chunks, clock() - started)


# --------------------------------------------------------------------------- reindex


@dataclass(frozen=True)
class ReindexSummary:
    """What a re-embedding did: chunks re-embedded, chunks left as they were, and the model."""

    changed: int
    unchanged: int
    model: str
    dim: int

    def lines(self) -> list[str]:
        return [
            f"re-embedded {self.changed} chunks with {self.model} ({self.dim}-d); "
            f"{self.unchanged} already matched"
        ]


def reindex(
    app: Flask,
    *,
    everything: bool = False,
    batch_size: int = CHUNKS_PER_BATCH,
    progress: Progress = tqdm_progress,
) -> ReindexSummary:
    """Re-embed every chunk whose model or dimension is not the configured embedder's (all of
    them with ``everything``), ``batch_size`` per transaction: rows and vector store together.

    A second run finds nothing to do. Which chunks to take is decided once, up front, so a
    chunk written meanwhile by the configured embedder is left alone.
    """
    state: NotesState = app.extensions["notes"]
    model = retrieval.embedder(state)
    name, dim = model.name, model.dim
    with state.db.transaction() as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(Chunk)) or 0
        query = sa.select(Chunk.id).order_by(Chunk.id)
        if not everything:
            query = query.where(sa.or_(Chunk.model != name, Chunk.dim != dim))
        ids = list(session.scalars(query))
    with progress(len(ids), "chunks re-embedded", "chunk") as bar:
        for start in range(0, len(ids), batch_size):
            batch_ids = ids[start : start + batch_size]
            with state.db.transaction() as session:
                _reembed(state, session, batch_ids, name, dim)
            bar.update(len(batch_ids))
    return ReindexSummary(len(ids), total - len(ids), name, dim)


def _reembed(state: NotesState, session: Session, ids: list[int], name: str, dim: int) -> None:
    rows = session.execute(
        sa.select(
            Chunk.id,
            Chunk.user_id,
            Chunk.position,
            Chunk.heading,
            Chunk.text,
            Chunk.digest,
            Note.title,
        )
        .join(Note, Note.id == Chunk.note_id)
        .where(Chunk.id.in_(ids))
        .order_by(Chunk.id)
    ).all()
    if not rows:  # deleted since the ids were read
        return
    texts = [
        Piece(row.position, row.heading, row.text, row.digest).embedding_text(row.title)
        for row in rows
    ]
    vectors = retrieval.embed(state, texts)
    connection = session.connection()
    state.store.prepare(connection, dim)
    session.execute(
        sa.update(Chunk),
        [
            {"id": row.id, "model": name, "dim": dim, "embedding": vector_to_bytes(vector)}
            for row, vector in zip(rows, vectors, strict=True)
        ],
    )
    state.store.remove(connection, [row.id for row in rows])
    state.store.add(
        connection, [(row.id, row.user_id, v) for row, v in zip(rows, vectors, strict=True)]
    )


# --------------------------------------------------------------------------- stats


@dataclass(frozen=True)
class Stats:
    """How much is stored, which models made the vectors, and where they are searched."""

    users: int
    notes: int
    chunks: dict[tuple[str, int], int] = field(default_factory=dict)
    store: str = ""
    configured: tuple[str, int] = ("", 0)

    def lines(self) -> list[str]:
        model, dim = self.configured
        stale = sum(n for key, n in self.chunks.items() if key != self.configured)
        lines = [
            f"users: {self.users}",
            f"notes: {self.notes}",
            f"chunks: {sum(self.chunks.values())}",
        ]
        lines += [f"  {m} ({d}-d): {n}" for (m, d), n in sorted(self.chunks.items())]
        lines.append(f"vector store: {self.store}")
        lines.append(f"embedder: {model} ({dim}-d); chunks to re-embed: {stale}")
        return lines


def configured_model(state: NotesState) -> tuple[str, int]:
    """The configured embedder's model name and dimension, known without loading it."""
    settings = state.settings
    name = settings.openai_embedding_model if settings.embeddings == "openai" else LOCAL_MODEL
    return name, retrieval.embedding_dim(state)


def stats(app: Flask) -> Stats:
    """The counts ``stats`` prints."""
    state: NotesState = app.extensions["notes"]
    with state.db.engine.connect() as connection:
        users = connection.scalar(sa.select(sa.func.count()).select_from(User)) or 0
        notes = connection.scalar(sa.select(sa.func.count()).select_from(Note)) or 0
        rows = connection.execute(
            sa.select(Chunk.model, Chunk.dim, sa.func.count()).group_by(Chunk.model, Chunk.dim)
        ).all()
    chunks = {(model, dim): count for model, dim, count in rows}
    return Stats(users, notes, chunks, state.store.kind, configured_model(state))


# --------------------------------------------------------------------------- the command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Manage the AI Notes API's data: import Markdown in bulk, re-embed after "
        "the embedder changed, count what is stored. Settings are the app's (NOTES_*, "
        "OPENAI_*). Exit status 2, with one line on stderr, when something is wrong.",
    )
    parser.add_argument(
        "--database-url", help="the database (default: NOTES_DATABASE_URL, else the app's)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load = commands.add_parser(
        "import",
        help="import folders of Markdown files and zips of them for one user",
        description="Import Markdown files (.md, .markdown, .txt; the first '# ' line is the "
        "title, else the file name) from folders and zips, for the user --email, "
        f"{NOTES_PER_BATCH} notes per transaction. A user that does not exist is created with "
        f"the password in {IMPORT_PASSWORD_VAR} (or --password-env).",
    )
    load.add_argument("paths", nargs="+", type=Path, metavar="FOLDER_OR_ZIP")
    load.add_argument("--email", required=True, help="whose notes these are")
    load.add_argument(
        "--password-env",
        metavar="VAR",
        help="the variable holding the user's password: checked if the user exists, "
        "else the new user's",
    )
    load.add_argument(
        "--batch-size", type=_positive, default=NOTES_PER_BATCH, help="notes per transaction"
    )

    again = commands.add_parser(
        "reindex",
        help="re-embed the chunks another embedder made",
        description="Re-embed every chunk whose model or dimension differs from the configured "
        "embedder's (NOTES_EMBEDDINGS, NOTES_OPENAI_EMBEDDING_*), updating the chunk rows and "
        "the vector store in one transaction per batch. Running it again changes nothing.",
    )
    again.add_argument("--all", action="store_true", help="re-embed every chunk")
    again.add_argument(
        "--batch-size", type=_positive, default=CHUNKS_PER_BATCH, help="chunks per transaction"
    )

    commands.add_parser(
        "stats",
        help="count notes and chunks per embedding model",
        description="Users, notes, chunks per embedding model, the vector store in use, and "
        "how many chunks reindex would re-embed.",
    )
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def make_app(database_url: str | None) -> Flask:
    """The app the commands work on, from the settings (and ``--database-url``)."""
    from projects.notes_ai import create_app

    return create_app({"DATABASE_URL": database_url} if database_url else None)


def run(args: argparse.Namespace, app: Flask) -> list[str]:
    """Run the parsed command on ``app``; the lines to print."""
    progress: Progress = no_progress if args.quiet else tqdm_progress
    if args.command == "import":
        password = None
        if args.password_env:
            password = os.environ.get(args.password_env)
            if not password:
                raise CommandError(f"--password-env {args.password_env}: that variable is unset")
        else:
            password = os.environ.get(IMPORT_PASSWORD_VAR) or None
        summary = import_notes(
            app,
            args.paths,
            args.email,
            password,
            batch_size=args.batch_size,
            progress=progress,
            embedding_progress=not args.quiet,
        )
        return summary.lines()
    if args.command == "reindex":
        return reindex(
            app, everything=args.all, batch_size=args.batch_size, progress=progress
        ).lines()
    return stats(app).lines()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "import":
            missing = [str(p) for p in args.paths if not p.exists()]
            if missing:
                raise CommandError(f"no such folder or file: {', '.join(missing)}")
        app = make_app(args.database_url)
        try:
            lines = run(args, app)
        finally:
            app.extensions["notes"].db.engine.dispose()
    except (CommandError, ConfigError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except ApiError as error:
        print(f"{PROG}: error: {error.detail or error.title}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
