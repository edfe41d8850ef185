"""Notes CRUD and search through the API, on SQLite, MySQL and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from projects.notes_ai.models import Chunk
from projects.notes_ai.tests.conftest import NotesClient

BREAD = (
    "# Starter\n\nFeed the starter equal weights of flour and water every twelve hours.\n\n"
    "# Baking\n\nBake the loaf in a covered pot at 250 C for twenty minutes, then uncovered."
)


def chunk_rows(app: Flask, note_id: int) -> list[tuple[int, str]]:
    with app.extensions["notes"].db.transaction() as session:
        rows = session.execute(
            sa.select(Chunk.id, Chunk.digest).where(Chunk.note_id == note_id).order_by(Chunk.id)
        )
        return [tuple(row) for row in rows]


def test_a_new_note_is_answered_with_its_fields_and_found_by_meaning(user: NotesClient) -> None:
    note = user.add_note("Sourdough", BREAD)
    assert set(note) == {"id", "title", "body", "created_at", "updated_at"}
    assert note["title"] == "Sourdough" and note["body"] == BREAD
    assert note["created_at"].endswith("Z")
    best = user.search("how hot should the oven be?", k=1)[0]
    assert best["note_id"] == note["id"] and "250 C" in best["text"]
    assert set(best) == {"note_id", "title", "chunk", "text", "score"}


def test_another_users_note_is_a_404_and_never_in_their_search(
    user: NotesClient, other_user: NotesClient
) -> None:
    note = user.add_note("Sourdough", BREAD)
    for method in (other_user.get, other_user.delete):
        assert method(f"/api/notes/{note['id']}").status_code == 404
    assert other_user.patch(f"/api/notes/{note['id']}", json={"title": "x"}).status_code == 404
    assert other_user.search("oven temperature for bread") == []
    assert user.get(f"/api/notes/{note['id']}").status_code == 200


def test_a_deleted_note_leaves_search_with_its_chunks(app: Flask, user: NotesClient) -> None:
    note = user.add_note("Sourdough", BREAD)
    assert chunk_rows(app, note["id"])
    assert user.delete(f"/api/notes/{note['id']}").status_code == 204
    assert user.get(f"/api/notes/{note['id']}").status_code == 404
    assert user.search("oven temperature for bread") == []
    assert chunk_rows(app, note["id"]) == []


def test_an_edit_re_embeds_only_the_section_that_changed(app: Flask, user: NotesClient) -> None:
    note = user.add_note("Sourdough", BREAD)
    before = chunk_rows(app, note["id"])
    edited = BREAD.replace("250 C", "230 C")
    assert user.patch(f"/api/notes/{note['id']}", json={"body": edited}).status_code == 200
    after = chunk_rows(app, note["id"])
    assert after[0] == before[0]  # the starter section: same row, same vector
    assert after[1][0] != before[1][0]
    assert "230 C" in user.search("oven temperature", k=1)[0]["text"]


def test_a_new_title_re_embeds_every_chunk(app: Flask, user: NotesClient) -> None:
    note = user.add_note("Sourdough", BREAD)
    before = {row_id for row_id, _ in chunk_rows(app, note["id"])}
    assert user.patch(f"/api/notes/{note['id']}", json={"title": "Bread"}).status_code == 200
    after = {row_id for row_id, _ in chunk_rows(app, note["id"])}
    assert before and after and before.isdisjoint(after)


def test_the_list_pages_through_the_callers_notes_newest_first(user: NotesClient) -> None:
    ids = [user.add_note(f"Note {n}", f"body {n}")["id"] for n in range(3)]
    page = user.get("/api/notes", query_string={"limit": 2}).get_json()
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 0
    assert [n["id"] for n in page["notes"]] == ids[::-1][:2]
    rest = user.get("/api/notes", query_string={"limit": 2, "offset": 2}).get_json()
    assert [n["id"] for n in rest["notes"]] == [ids[0]]
