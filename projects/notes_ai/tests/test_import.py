"""``POST /api/notes/import``: Markdown files and zips in, notes out, each refusal with why."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from projects.notes_ai.imports import MAX_ENTRIES
from projects.notes_ai.models import TITLE_MAX, Note
from projects.notes_ai.tests.conftest import NotesClient, register
from shared.testing.openai_server import API_KEY, OpenAIServer, Reply, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
#: Over the default NOTES_MAX_NOTE_CHARS of 100 000.
OVERSIZE = "# Too long\n\n" + "word " * 20_001


def zipped(entries: dict[str, bytes | str], *, level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(user: NotesClient, files: dict[str, bytes | str]) -> TestResponse:
    data = {
        "files": [
            (io.BytesIO(c.encode() if isinstance(c, str) else c), name) for name, c in files.items()
        ]
    }
    return user.post("/api/notes/import", data=data, content_type="multipart/form-data")


def imported(response: TestResponse) -> dict[str, Any]:
    assert response.status_code == 201, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    assert set(body) == {"imported", "refused"}, body
    return body


def refusals(body: dict[str, Any]) -> dict[str, str]:
    return {r["file"]: r["reason"] for r in body["refused"]}


def test_several_markdown_files_become_notes_titled_by_their_first_heading(
    user: NotesClient,
) -> None:
    body = imported(
        upload(
            user,
            {
                "bread.md": "# Sourdough\n\nFeed the starter every twelve hours.",
                "bike_maintenance.md": "Pump the tyres to four bar.",
                "todo.txt": "\n\n# Errands\nPost the letters.\n",
            },
        )
    )
    assert body["refused"] == []
    titles = {item["file"]: item["title"] for item in body["imported"]}
    assert titles == {
        "bread.md": "Sourdough",
        "bike_maintenance.md": "bike maintenance",
        "todo.txt": "Errands",
    }
    notes = {
        item["title"]: user.get(f"/api/notes/{item['id']}").get_json() for item in body["imported"]
    }
    assert notes["Sourdough"]["body"] == "Feed the starter every twelve hours."
    assert notes["bike maintenance"]["body"] == "Pump the tyres to four bar."
    assert notes["Errands"]["body"] == "Post the letters."


def test_a_zip_imports_its_notes_and_says_why_it_refused_the_rest(user: NotesClient) -> None:
    archive = zipped(
        {
            "kitchen/bread.md": "# Sourdough\n\nFeed the starter every twelve hours.",
            "kitchen/deep/soup.markdown": "# Soup\n\nSimmer the stock for an hour.",
            "__MACOSX/kitchen/._bread.md": b"\x00\x05\x16\x07junk",
            "kitchen/.DS_Store": b"\x00\x00\x00\x01Bud1",
            "more.zip": zipped({"inner.md": "# Inner"}),
            "latin1.md": "# Café\n\nun café".encode("latin-1"),
            "photo.png": PNG,
            "huge.md": OVERSIZE,
        }
    )
    body = imported(upload(user, {"notes.zip": archive}))
    assert {item["file"]: item["title"] for item in body["imported"]} == {
        "notes.zip/kitchen/bread.md": "Sourdough",
        "notes.zip/kitchen/deep/soup.markdown": "Soup",
    }
    assert refusals(body) == {
        "notes.zip/more.zip": "a zip inside a zip; unpack it first",
        "notes.zip/latin1.md": "not UTF-8 text (byte 5); save it as UTF-8",
        "notes.zip/photo.png": "not a Markdown file; send .md, .markdown, .txt files",
        "notes.zip/huge.md": (
            f"is too long ({len(OVERSIZE) - len('# Too long') - 2} characters; at most 100000, "
            "NOTES_MAX_NOTE_CHARS); split it into several notes"
        ),
    }


def test_loose_files_that_are_no_notes_are_refused_with_reasons(user: NotesClient) -> None:
    body = imported(
        upload(
            user,
            {
                "ok.md": "# Fine\n\ntext",
                "photo.png": PNG,
                "binary.md": b"# Bin\x00ary",
                "broken.zip": b"PK\x03\x04 this is no archive",
            },
        )
    )
    assert [item["title"] for item in body["imported"]] == ["Fine"]
    assert refusals(body) == {
        "photo.png": "not a Markdown file; send .md, .markdown, .txt files",
        "binary.md": "contains NUL characters; it looks like a binary file",
        "broken.zip": "not a readable zip archive",
    }


def test_an_empty_file_is_refused_not_imported_as_a_note_of_its_name(user: NotesClient) -> None:
    body = imported(upload(user, {"empty.md": "", "blank.md": "\n  \n", "ok.md": "text"}))
    assert [item["file"] for item in body["imported"]] == ["ok.md"]
    assert refusals(body) == {"empty.md": "is empty", "blank.md": "is empty"}


def test_an_entry_that_expands_far_beyond_a_note_is_refused_unread(user: NotesClient) -> None:
    bomb = zipped({"bomb.md": b"a" * 20_000_000, "ok.md": "# Fine\n\ntext"}, level=9)
    assert len(bomb) < 100_000, "a small upload"
    body = imported(upload(user, {"bomb.zip": bomb}))
    assert [item["file"] for item in body["imported"]] == ["bomb.zip/ok.md"]
    assert refusals(body) == {"bomb.zip/bomb.md": "is too long (at most 100000 characters)"}


def test_an_archive_with_too_many_entries_is_refused_whole(
    make_app: Callable[..., Flask],
) -> None:
    user = register(make_app().test_client())
    many = zipped({f"n{i}.md": "x" for i in range(MAX_ENTRIES + 1)}, level=1)
    body = imported(upload(user, {"many.zip": many}))
    assert body["imported"] == []
    assert refusals(body) == {
        "many.zip": f"holds {MAX_ENTRIES + 1} files; at most {MAX_ENTRIES} per archive"
    }


def test_imported_notes_are_searchable_at_once(user: NotesClient) -> None:
    archive = zipped({"oven.md": "# Baking\n\nBake the loaf at 250 C for twenty minutes."})
    (note,) = imported(upload(user, {"kitchen.zip": archive}))["imported"]
    best = user.search("how hot should the oven be?", k=1)[0]
    assert (best["note_id"], best["title"]) == (note["id"], "Baking")


def test_an_import_that_is_not_multipart_is_a_415(user: NotesClient) -> None:
    response = user.post("/api/notes/import", json={"files": ["a.md"]})
    assert response.status_code == 415, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert "multipart/form-data" in response.get_json()["detail"]


def test_an_import_with_no_files_is_a_400_naming_the_field(user: NotesClient) -> None:
    response = user.post(
        "/api/notes/import", data={"other": "value"}, content_type="multipart/form-data"
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["errors"] == {"files": ["is required"]}


def test_an_embedder_failure_during_an_import_stores_nothing(
    make_app: Callable[..., Flask], local_openai: OpenAIServer
) -> None:
    app = make_app(
        EMBEDDINGS="openai",
        OPENAI_API_KEY=API_KEY,
        OPENAI_BASE_URL=local_openai.base_url,
        OPENAI_EMBEDDING_DIMENSIONS=8,
        LLM_MAX_RETRIES=0,
    )
    user = register(app.test_client())
    local_openai.script(Reply.failure(500, "The server had an error"))
    response = upload(user, {"a.md": "# A\n\nfirst", "b.md": "# B\n\nsecond"})
    assert response.status_code == 503, response.get_data(as_text=True)
    assert "nothing was changed" in response.get_json()["detail"]
    assert [r.path for r in local_openai.requests] == ["/v1/embeddings"]
    with app.extensions["notes"].db.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Note)) == 0
    assert user.get("/api/notes").get_json()["total"] == 0


def test_an_upload_over_the_byte_limit_is_a_413_naming_the_setting(
    make_app: Callable[..., Flask],
) -> None:
    user = register(make_app(MAX_BODY_BYTES=2000).test_client())
    response = upload(user, {"big.md": "# Big\n\n" + "x" * 3000})
    assert response.status_code == 413, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert "NOTES_MAX_BODY_BYTES" in response.get_json()["detail"]


def test_a_heading_too_long_for_a_title_is_shortened_with_an_ellipsis(user: NotesClient) -> None:
    body = imported(upload(user, {"long.md": "# " + "T" * 300 + "\n\nbody"}))
    (note,) = body["imported"]
    assert note["title"] == "T" * (TITLE_MAX - 1) + "…"
    assert user.get(f"/api/notes/{note['id']}").get_json()["body"] == "body"


def test_a_byte_order_mark_and_windows_line_ends_are_read_as_plain_text(
    user: NotesClient,
) -> None:
    body = imported(upload(user, {"win.md": b"\xef\xbb\xbf# Title\r\n\r\nfirst\r\nsecond\r\n"}))
    (note,) = body["imported"]
    assert note["title"] == "Title"
    assert user.get(f"/api/notes/{note['id']}").get_json()["body"] == "first\nsecond"
