"""A folder of Markdown notes into the AI Notes API, then a question answered from them.

The import is the capstone's own command-line code
(:func:`projects.notes_ai.cli.import_notes`); what this module adds is progress a log can
keep: :class:`LineProgress` writes whole lines, a few per bar, where tqdm redraws one line
with carriage returns (fine on a terminal, one endless line in a CI log or a file).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from flask import Flask

from projects.notes_ai import cli, create_app

SAMPLE_NOTES = Path(__file__).parent / "notes"
#: Every setting the demo depends on, so a developer's environment or .env changes nothing.
OFFLINE = {
    "DATABASE_URL": "sqlite://",
    "LLM": "offline",
    "EMBEDDINGS": "local",
    "VECTOR_STORE": "auto",
    "OPENAI_API_KEY": None,
    "OPENAI_BASE_URL": None,
    "REDIS_URL": None,
}


@dataclass
class LineBar:
    """One bar of :class:`LineProgress`: a line each time a share of it is done, and at the end."""

    total: int
    description: str
    unit: str
    stream: TextIO
    step: float
    done: int = 0
    shown: int = 0

    def update(self, n: int = 1) -> None:
        # practice 1: write a line each time a share of the bar is done, and one at the end
        # hint: count what is done; print when a step's worth has passed since the last line shown,
        # hint: or when the bar is full, and remember what was shown.
        self.done += n
        if self.done >= self.total or self.done - self.shown >= self.total * self.step:
            self.shown = self.done
            print(f"  {self.description}: {self.done}/{self.total} {self.unit}s", file=self.stream)
        # end practice 1


@dataclass(frozen=True)
class LineProgress:
    """A :data:`projects.notes_ai.cli.Progress` that writes lines: at most ``1 / step`` + 1
    per bar, the last one when the bar is full. Nothing time-based, so a run's log is the
    same every time."""

    stream: TextIO
    step: float = 0.25

    @contextmanager
    def __call__(self, total: int, description: str, unit: str) -> Iterator[LineBar]:
        yield LineBar(total, description, unit, self.stream, self.step)


def offline_app(**overrides: Any) -> Flask:
    """The API on a fresh in-memory database, local embeddings, the offline answerer."""
    return create_app({**OFFLINE, **overrides})


def import_folder(
    app: Flask,
    folder: Path,
    email: str,
    password: str,
    *,
    stream: TextIO,
    batch_size: int = cli.NOTES_PER_BATCH,
) -> cli.ImportSummary:
    """``python -m projects.notes_ai.cli import FOLDER`` in-process, its progress as lines."""
    return cli.import_notes(
        app,
        [folder],
        email,
        password,
        batch_size=batch_size,
        progress=LineProgress(stream),
        embedding_progress=False,
    )


def ask(app: Flask, email: str, password: str, question: str) -> dict[str, Any]:
    """Log in as ``email`` and ``POST /api/chat`` the question; the answer's JSON."""
    # practice 2: log in, then ask POST /api/chat with the token
    # hint: POST /api/auth/login gives a token to send as "Authorization: Bearer …"; a status
    # hint: other than 200 from either call is a RuntimeError that quotes the response.
    client = app.test_client()
    login = client.post("/api/auth/login", json={"email": email, "password": password})
    if login.status_code != 200:
        raise RuntimeError(f"login answered {login.status_code}: {login.get_data(as_text=True)}")
    headers = {"Authorization": f"Bearer {login.get_json()['token']}"}
    response = client.post("/api/chat", json={"message": question}, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(
            f"POST /api/chat answered {response.status_code}: {response.get_data(as_text=True)}"
        )
    return response.get_json()  # type: ignore[no-any-return]
    # end practice 2
