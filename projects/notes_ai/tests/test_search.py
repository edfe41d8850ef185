"""``GET /api/search``: bounded arguments, best-first results, only the caller's live notes."""

from __future__ import annotations

from typing import Any

import pytest

from projects.notes_ai.schemas import K_MAX, QUESTION_MAX
from projects.notes_ai.tests.conftest import NotesClient

NOTES = {
    "Sourdough": "Feed the starter equal weights of flour and water every twelve hours.",
    "Cycling": "Pump the tyres to four bar before a long ride and check the brake pads.",
    "Tax": "File the return by the end of January and keep every receipt for six years.",
}


def errors_of(user: NotesClient, query: dict[str, Any]) -> dict[str, list[str]]:
    response = user.get("/api/search", query_string=query)
    assert response.status_code == 422, f"{query}: {response.status_code}"
    assert response.mimetype == "application/problem+json"
    return response.get_json()["errors"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({}, {"q": ["Missing data for required field."]}),
        ({"q": ""}, {"q": ["must not be blank"]}),
        ({"q": "   "}, {"q": ["must not be blank"]}),
        ({"q": "x" * (QUESTION_MAX + 1)}, {"q": [f"Longer than maximum length {QUESTION_MAX}."]}),
        ({"q": "bread", "k": 0}, {"k": [f"must be 1 to {K_MAX}"]}),
        ({"q": "bread", "k": K_MAX + 1}, {"k": [f"must be 1 to {K_MAX}"]}),
        ({"q": "bread", "k": "five"}, {"k": ["Not a valid integer."]}),
    ],
    ids=["no q", "empty q", "blank q", "long q", "k 0", "k too big", "k word"],
)
def test_bad_search_arguments_are_a_422_naming_the_field(
    user: NotesClient, query: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    assert errors_of(user, query) == errors


@pytest.mark.parametrize("k", [1, K_MAX])
def test_k_bounds_are_accepted_and_cap_the_results(user: NotesClient, k: int) -> None:
    for title, body in NOTES.items():
        user.add_note(title, body)
    assert len(user.search("what do I need to do?", k=k)) == min(k, len(NOTES))


def test_results_come_best_first_with_descending_scores(user: NotesClient) -> None:
    ids = {title: user.add_note(title, body)["id"] for title, body in NOTES.items()}
    results = user.search("how often should I feed my sourdough starter?", k=3)
    assert results[0]["note_id"] == ids["Sourdough"], results
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3, scores
    assert all(-1 <= s <= 1 for s in scores)
    best = results[0]
    assert (best["title"], best["chunk"]) == ("Sourdough", 0)
    assert "flour and water" in best["text"]


def test_a_user_finds_only_their_own_notes(user: NotesClient, other_user: NotesClient) -> None:
    mine = user.add_note("Sourdough", NOTES["Sourdough"])["id"]
    theirs = other_user.add_note("Starter", "My starter gets rye flour and water each morning.")
    assert {r["note_id"] for r in user.search("feeding the starter")} == {mine}
    assert {r["note_id"] for r in other_user.search("feeding the starter")} == {theirs["id"]}


def test_a_deleted_note_is_gone_from_search(user: NotesClient) -> None:
    kept = user.add_note("Cycling", NOTES["Cycling"])["id"]
    deleted = user.add_note("Sourdough", NOTES["Sourdough"])["id"]
    assert user.delete(f"/api/notes/{deleted}").status_code == 204
    assert {r["note_id"] for r in user.search("feeding the starter", k=K_MAX)} == {kept}


def test_a_search_with_no_notes_is_an_empty_list(user: NotesClient) -> None:
    assert user.search("anything at all") == []
