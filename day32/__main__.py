"""`python -m day32`: two users, their notes, and what each of them can see and find.

Runs the day's API on an in-memory SQLite database through Flask's test client: no server, no
network, the same output every run.
"""

from __future__ import annotations

import sys
from typing import Any

from flask.testing import FlaskClient

from day32.notes import create_app

NOTES = {
    "ada": [
        ("Sourdough", "Feed the starter every twelve hours. Baking: 250 C, covered, 20 minutes."),
        ("Hydration", "75% water by weight of flour; use a_b for the notation of ratios."),
        ("Bake sale", "Bake two cakes and bake the cookies on Friday."),
    ],
    "bob": [("Cycling", "Pump the tyres to four bar before a long ride.")],
}


def login(client: FlaskClient, name: str) -> dict[str, str]:
    credentials = {"email": f"{name}@example.com", "password": "correct horse battery"}
    client.post("/register", json=credentials)
    token = client.post("/login", json=credentials).json["token"]  # type: ignore[index]
    return {"Authorization": f"Bearer {token}"}


def titles(response: Any) -> str:
    return ", ".join(note["title"] for note in response.json["notes"]) or "(nothing)"


def main() -> int:
    client = create_app().test_client()
    users = {name: login(client, name) for name in NOTES}
    ids = {}
    for name, notes in NOTES.items():
        for title, body in notes:
            note = client.post("/notes", json={"title": title, "body": body}, headers=users[name])
            ids[title] = note.json["id"]  # type: ignore[index]
    ada, bob = users["ada"], users["bob"]
    print(f"ada lists:  {titles(client.get('/notes', headers=ada))}")
    print(f"bob lists:  {titles(client.get('/notes', headers=bob))}")

    url = f"/notes/{ids['Sourdough']}"
    print(f"\nGET {url} as ada: {client.get(url, headers=ada).status_code}")
    for method in ("GET", "PATCH", "DELETE"):
        answer = client.open(url, method=method, json={"title": "mine now"}, headers=bob)
        print(f"{method} {url} as bob: {answer.status_code} {answer.json['error']}")  # type: ignore[index]
    print(f"GET /notes/999 as bob: {client.get('/notes/999', headers=bob).status_code}")
    print(f"GET /notes without a token: {client.get('/notes').status_code}")

    print("\nSearch (ada):")
    for q, kind in [
        ("bakes", "words"),
        ("starter twelve", "words"),
        ('bake AND "', "words"),
        ("5%", "substring"),
        ("a_b", "substring"),
        ("tyres", "words"),
    ]:
        found = client.get("/notes/search", query_string={"q": q, "kind": kind}, headers=ada)
        print(f"  {kind:9} {q!r:16} -> {titles(found)}")

    client.patch(url, json={"body": "Cycling to the bakery."}, headers=ada)
    after_edit = client.get("/notes/search", query_string={"q": "starter"}, headers=ada)
    print(f"\nAfter ada edits Sourdough, 'starter' finds: {titles(after_edit)}")
    client.delete(f"/notes/{ids['Bake sale']}", headers=ada)
    after_delete = client.get("/notes/search", query_string={"q": "bake"}, headers=ada)
    print(f"After ada deletes Bake sale, 'bake' finds: {titles(after_delete)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
