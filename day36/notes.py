"""The demo's notebook: six short notes of the kind the AI Notes API holds."""

from __future__ import annotations

from day36.rag import Note

NOTES = [
    Note(
        1,
        "Backups",
        "Take a nightly pg_dump of the notes database and keep 30 daily copies and 12 monthly "
        "ones. A backup that was never restored is a hope, not a backup: every Monday, restore "
        "last night's dump into a scratch database and compare the row counts.",
    ),
    Note(
        2,
        "Caching the note list",
        "Cache each user's rendered note list in Redis for 60 seconds under notes:list:USER_ID. "
        "Delete the key on every write to that user's notes instead of waiting for the TTL. Set "
        "maxmemory with allkeys-lru, so a full Redis evicts old keys instead of refusing writes.",
    ),
    Note(
        3,
        "Rate limits",
        "The API allows 100 requests a minute per token, counted in a sliding window in Redis. "
        "Over the limit it answers 429 Too Many Requests with a Retry-After header: the seconds "
        "until the oldest request in the window expires.",
    ),
    Note(
        4,
        "Zero-downtime migrations",
        "Never rename a column in one step: during a rolling deploy the old workers still read "
        "the old name. Add the new column as nullable, deploy code that writes both columns, "
        "then backfill the rows in batches of a thousand so no lock is held for long.\n\n"
        "Once every row has a value, make the new column NOT NULL and switch the reads to it. "
        "Drop the old column in a later release, after the last worker that reads it is gone. "
        "Each step is its own migration, and each one can be rolled back alone.",
    ),
    Note(
        5,
        "On call",
        "When paged, look at the error rate on the dashboard first, then at the last deploy. If "
        "the deploy is less than an hour old, roll it back before debugging anything. Write the "
        "incident note the same day, while the timeline is still fresh.",
    ),
    Note(
        6,
        "Passwords",
        "Hash passwords with argon2id (the library's defaults are fine) and never log a request "
        "body that may hold one. A login that fails says only that the email or the password is "
        "wrong, never which.",
    ),
]
