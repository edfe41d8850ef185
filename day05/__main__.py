"""``python -m day05``: a scripted session with the bookshelf API, one of each status code."""

from __future__ import annotations

import argparse
import json
import sys
from http import HTTPStatus
from typing import Any, NoReturn

from flask.testing import FlaskClient

from day05.app import create_app

HOBBIT = {
    "title": "The Hobbit",
    "author": "J. R. R. Tolkien",
    "year": 1937,
    "isbn": "9780261103344",
}
DUNE = {"title": "Dune", "author": "Frank Herbert", "year": 1966, "isbn": "978-0-441-17271-9"}
CHILDREN = {"title": "Children of Dune", "author": "Frank Herbert", "year": 1976}

# (what it shows, method, path, request options)
SCRIPT: list[tuple[str, str, str, dict[str, Any]]] = [
    ("create a book", "POST", "/books", {"json": HOBBIT}),
    ("hyphens in an ISBN are fine", "POST", "/books", {"json": DUNE}),
    ("a third", "POST", "/books", {"json": CHILDREN | {"isbn": "9780441104024"}}),
    ("filter by author, any case", "GET", "/books?author=frank herbert", {}),
    ("one page of two, with the total", "GET", "/books?limit=2&offset=0", {}),
    ("change one field", "PATCH", "/books/2", {"json": {"year": 1965}}),
    ("PUT replaces, so it needs every field", "PUT", "/books/1", {"json": {"year": 1938}}),
    ("the same ISBN twice", "POST", "/books", {"json": HOBBIT | {"title": "Hobbit"}}),
    (
        "invalid fields, each named",
        "POST",
        "/books",
        {"json": {"title": " ", "author": "X", "year": "1937", "isbn": "9780261103345", "yaer": 1}},
    ),
    ("a bad page size", "GET", "/books?limit=1000", {}),
    (
        "unreadable JSON",
        "POST",
        "/books",
        {"data": "{'title': 'x'}", "content_type": "application/json"},
    ),
    ("not JSON at all", "POST", "/books", {"data": "title=x", "content_type": "text/plain"}),
    ("no such method on the collection", "DELETE", "/books", {}),
    ("delete", "DELETE", "/books/3", {}),
    ("gone", "GET", "/books/3", {}),
]


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line instead of usage plus error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def show_exchange(client: FlaskClient, caption: str, method: str, path: str, **options: Any) -> int:
    """Send one request and print it with its response; returns the status code."""
    print(f"# {caption}")
    print(f"> {method} {path}")
    if "json" in options:
        print(f"  {json.dumps(options['json'], ensure_ascii=False)}")
    elif "data" in options:
        print(f"  [{options['content_type']}] {options['data']}")
    response = client.open(path, method=method, **options)
    print(f"< {response.status_code} {HTTPStatus(response.status_code).phrase}")
    if "Location" in response.headers:
        print(f"  Location: {response.headers['Location']}")
    if "Allow" in response.headers:
        # Werkzeug lists the methods in set order, which changes with the hash seed.
        print(f"  Allow: {', '.join(sorted(response.headers['Allow'].split(', ')))}")
    if response.data:
        print(f"  {json.dumps(response.get_json(force=True), ensure_ascii=False)}")
    print()
    return response.status_code


def main(argv: list[str] | None = None) -> int:
    parser = OneLineErrorParser(
        prog="python -m day05",
        description="Walk through the in-memory bookshelf API, showing each status code it uses.",
    )
    parser.parse_args(argv)
    client = create_app().test_client()
    seen = [
        show_exchange(client, caption, method, path, **opts)
        for caption, method, path, opts in SCRIPT
    ]
    print("status codes shown:", " ".join(str(code) for code in sorted(set(seen))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
