"""`python -m day11`: drive the Todo resource with Flask's test client and print each exchange.

PATCH changes only what it is sent, PUT replaces the whole todo, a bad body is refused field by
field, and a browser's CORS preflight is answered for the allowed origin only. No server, no
network: it runs in well under a second.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from flask.testing import FlaskClient

from day11.app import create_app

FRONT_END = "http://localhost:5173"
ELSEWHERE = "https://evil.example"
#: The response headers worth showing; the rest (Content-Length, Allow, …) is noise here.
SHOWN = ("Location", "Vary")


def build_parser() -> argparse.ArgumentParser:
    """The demo's command line (it takes no options besides --help)."""
    return argparse.ArgumentParser(
        prog="python -m day11",
        description="Create, list, PATCH and PUT todos and send CORS preflights to the Day 11 "
        "Todo resource in-process (Flask's test client), printing every request and response.",
    )


def exchange(
    client: FlaskClient,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Send one request, print it and its answer; return the JSON body, if any."""
    sent = f" {json.dumps(body)}" if body is not None else ""
    print(f"> {method} {path}{sent}")
    for name, value in (headers or {}).items():
        print(f">   {name}: {value}")
    response = client.open(path, method=method, json=body, headers=headers)
    print(f"< {response.status}")
    for name, value in response.headers.items():
        if name in SHOWN or name.startswith("Access-Control-"):
            print(f"<   {name}: {value}")
    data = response.get_json(silent=True)
    if isinstance(data, list):
        for item in data:
            print(f"<   {json.dumps(item)}")
    elif data is not None:
        print(f"<   {json.dumps(data)}")
    print()
    return data


def demo(client: FlaskClient) -> None:
    """Every scenario, in order, on one fresh app."""
    print("Three todos, listed by order (a todo without one comes last), then by id:\n")
    exchange(client, "POST", "/todos", {"title": "write the README", "order": 2})
    exchange(client, "POST", "/todos", {"title": "buy milk"})
    exchange(client, "POST", "/todos", {"title": "book the dentist", "order": 1})
    exchange(client, "GET", "/todos")

    print("PATCH changes only the fields sent; null clears a field that allows it:\n")
    exchange(client, "PATCH", "/todos/1", {"completed": True})
    exchange(client, "PATCH", "/todos/1", {"order": None})

    print("PUT replaces the whole todo: what it leaves out goes back to its default:\n")
    exchange(client, "PATCH", "/todos/3", {"completed": True})
    exchange(client, "PUT", "/todos/3", {"title": "book the dentist for May"})

    print("A bad PATCH is refused as a whole, every problem named:\n")
    exchange(client, "PATCH", "/todos/2", {"title": None, "id": 9, "colour": "red"})
    exchange(client, "PATCH", "/todos/2", {"completed": "yes", "order": True})

    print("A browser on another origin asks first (preflight) before a PATCH with a JSON body:\n")
    preflight = {
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "Content-Type",
    }
    exchange(client, "OPTIONS", "/todos/2", headers={"Origin": FRONT_END, **preflight})
    exchange(client, "PATCH", "/todos/2", {"completed": True}, headers={"Origin": FRONT_END})
    print("The same preflight from an origin that is not allowed gets no CORS headers at all:\n")
    exchange(client, "OPTIONS", "/todos/2", headers={"Origin": ELSEWHERE, **preflight})


def main(argv: list[str] | None = None) -> int:
    """Run the demo; always 0 (it needs nothing beyond the repository)."""
    build_parser().parse_args(argv)
    demo(create_app({"CORS_ORIGINS": [FRONT_END]}).test_client())
    return 0


if __name__ == "__main__":
    sys.exit(main())
