"""`python -m day35`: a note chunked, edited four ways, and what each edit re-embeds."""

from __future__ import annotations

import hashlib
import sys

from day35.reindex import NoteIndex, Plan
from projects.notes_ai.chunking import chunk_note
from projects.notes_ai.tokens import count_tokens

TITLE = "Deploying the notes API"
BODY = """Notes from the first deploy, kept so the next one is boring.

# Database

Run the migrations before the new code starts. A migration that adds a column with a default \
rewrites the table on old MySQL versions, so add the column nullable, backfill it in batches, \
then add the default. Check the lock the migration takes before running it at noon.

Keep the previous release's code able to read the new schema: the old workers are still \
running while the new ones start.

## Backups

Take a snapshot first. A backup that was never restored is a hope, not a backup: restore it \
into a scratch database once a month and count the rows.

# Workers

The RQ workers read the same settings as the web process.

```bash
# one worker per core, restarted after 1000 jobs
rq worker --max-jobs 1000 notes
```
"""


def fake_embed(texts: list[str]) -> list[list[float]]:
    """A stand-in embedder: a vector from each text's hash, enough to count what is sent."""
    return [[byte / 255 for byte in hashlib.sha256(t.encode()).digest()[:4]] for t in texts]


def overlap(before: str, after: str) -> str:
    """The longest end of ``before`` that ``after`` starts with."""
    return next((after[:n] for n in range(len(after), 0, -1) if before.endswith(after[:n])), "")


def show_chunks(title: str, body: str) -> None:
    print(f"{'pos':>3}  {'tokens':>6}  {'digest':8}  heading / first words")
    for chunk in chunk_note(title, body, max_tokens=60, overlap=15):
        start = " ".join(chunk.text.split()[:6])
        print(
            f"{chunk.position:3}  {count_tokens(chunk.text):6}  {chunk.digest[:8]}  "
            f"{chunk.heading or '(no heading)'} / {start} ..."
        )


def show_plan(what: str, plan: Plan) -> None:
    moved = sum(1 for row, chunk in plan.keep if row.position != chunk.position)
    print(
        f"{what}: kept {len(plan.keep)} ({moved} moved), "
        f"embedded {len(plan.embed)}, deleted {len(plan.delete)}"
    )
    for chunk in plan.embed:
        print(f"  embed   pos {chunk.position}  {chunk.digest[:8]}  {chunk.heading or '-'}")
    for row in plan.delete:
        print(f"  delete  was pos {row.position}  {row.digest[:8]}")


def main() -> int:
    print(f"Chunks of {TITLE!r} (max 60 tokens, 15 of overlap):")
    show_chunks(TITLE, BODY)
    chunks = chunk_note(TITLE, BODY, max_tokens=60, overlap=15)
    repeated = overlap(chunks[1].text, chunks[2].text)
    print(f"\nOverlap: chunk 2 starts with the end of chunk 1:\n  {repeated!r}")
    print(f"What the embedder gets for chunk 3:\n  {chunks[3].embedding_text(TITLE)!r}\n")

    index = NoteIndex(fake_embed, max_tokens=60, overlap=15)
    show_plan("First index", index.update(TITLE, BODY))

    edited = BODY.replace("count the rows.", "count the rows in every table.")
    show_plan("\nOne sentence under Backups edited", index.update(TITLE, edited))

    edited = edited.replace(
        "# Workers", "# Secrets\n\nThe key lives in the environment, never in git.\n\n# Workers"
    )
    show_plan("\nA section inserted before Workers", index.update(TITLE, edited))

    show_plan(
        "\nThe note saved again with CRLF line endings",
        index.update(TITLE, edited.replace("\n", "\r\n")),
    )

    plan = index.update("Deploy checklist", edited)
    print(
        f"\nThe title changed: embedded {len(plan.embed)}, deleted {len(plan.delete)} "
        "(the title is in every embedded text, and in no digest)"
    )
    print(f"\nTexts embedded in all: {index.embedded}; chunks in the index: {len(index.entries)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
