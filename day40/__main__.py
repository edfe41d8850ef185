"""``python -m day40``: AI Notes v1 end to end, offline, in a few seconds.

A fresh in-memory app imports ``day40/notes/`` through the command line's own functions (three
notes per transaction, progress as lines), counts what it stored, shows that a re-index finds
nothing to do, then asks ``POST /api/chat`` three questions: one the notes answer, with their
sources; one whose nearest note is the wrong one (a word shared, not a meaning); and one they
do not answer, which is answered as not found rather than guessed.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from day40.ingest import SAMPLE_NOTES, ask, import_folder, offline_app
from projects.notes_ai import cli

EMAIL = "ada@example.com"
PASSWORD = "demo password 40"
QUESTIONS = (
    "How do I rename a column without downtime?",
    "What do I check first when paged?",
    "Who won the 1998 World Cup?",
)
BATCH = 3
CLI = "python -m projects.notes_ai.cli"
REPO_ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    app = offline_app()
    try:
        folder = SAMPLE_NOTES.relative_to(REPO_ROOT).as_posix()
        print(f"$ {CLI} import {folder} --email {EMAIL} --batch-size {BATCH}")
        summary = import_folder(
            app, SAMPLE_NOTES, EMAIL, PASSWORD, stream=sys.stdout, batch_size=BATCH
        )
        print("\n".join(summary.lines(timings=False)))
        print("  (the CLI adds the seconds and notes/s, which differ from run to run)")
        print(f"\n$ {CLI} stats")
        print("\n".join(cli.stats(app).lines()))
        print(f"\n$ {CLI} reindex")
        print("\n".join(cli.reindex(app, progress=cli.no_progress).lines()))
        for question in QUESTIONS:
            reply = ask(app, EMAIL, PASSWORD, question)
            print(f"\nPOST /api/chat {question!r}")
            for line in reply["answer"].splitlines():
                print(textwrap.fill(line, 96, initial_indent="  ", subsequent_indent="    "))
            for source in reply["sources"]:
                quote = textwrap.shorten(source["text"], 70, placeholder=" …")
                print(f"  [note {source['note_id']}] {source['title']}: {quote}")
            if not reply["sources"]:
                print("  (no sources: nothing in the notes was close enough)")
    finally:
        app.extensions["notes"].db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
