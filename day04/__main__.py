"""``python -m day04``: call every route through Flask's test client and print the exchanges.

The demo's clock is pinned, so it prints the same every run. ``--serve`` serves the app with the
real clock on http://127.0.0.1:PORT instead, until Ctrl+C.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, NoReturn

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from day04.app import create_app

# (method, path, request options): the happy paths first, then one of each error.
EXCHANGES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/health", {}),
    ("POST", "/echo?lang=en", {"json": {"message": "hello", "tags": ["flask", "json"]}}),
    ("GET", "/time?tz=Europe/Paris", {}),
    ("GET", "/time?tz=Mars/Olympus", {}),
    ("GET", "/time?tz=europe/paris", {}),
    ("POST", "/echo", {"data": '{"message": "hello"', "content_type": "application/json"}),
    ("POST", "/echo", {"data": '{"size": 1e400}', "content_type": "application/json"}),
    ("POST", "/echo", {"data": "message=hello", "content_type": "text/plain"}),
    ("DELETE", "/health", {}),
    ("GET", "/nowhere", {}),
]

# The instant GET /time reports in the demo.
DEMO_NOW = datetime(2024, 11, 23, 11, 29, 13, 117_000, tzinfo=UTC)

# Port 5000, Flask's habit, is taken by AirPlay on macOS.
DEFAULT_PORT = 8004

# Headers worth seeing next to a status (405 says which methods would work).
SHOWN_HEADERS = ("Allow", "Location")


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line instead of usage plus error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def port_number(text: str) -> int:
    """A TCP port from the command line: 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--port must be a whole number, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"--port must be between 0 and 65535, got {port}")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineErrorParser(
        prog="python -m day04",
        description="Exercise the day 04 JSON API through Flask's test client, or serve it.",
    )
    parser.add_argument(
        "--serve", action="store_true", help="serve the API on 127.0.0.1 until Ctrl+C"
    )
    parser.add_argument(
        "--port", type=port_number, default=None, help=f"port for --serve (default {DEFAULT_PORT})"
    )
    args = parser.parse_args(argv)
    if args.port is not None and not args.serve:
        parser.error("--port only applies with --serve")
    return args


def shown_value(header: str, value: str) -> str:
    """A header as the demo prints it: Werkzeug lists Allow's methods in set order, so sort them."""
    return ", ".join(sorted(value.split(", "))) if header == "Allow" else value


def run_demo(app: Flask) -> None:
    """Send each exchange through the test client and print request and response."""
    client = app.test_client()
    pinned = DEMO_NOW.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    print(f"(the clock is pinned at {pinned})")
    print()
    for method, path, options in EXCHANGES:
        response = client.open(path, method=method, **options)
        print(f"> {method} {path}")
        if "json" in options:
            print(f"  {json.dumps(options['json'])}")
        elif "data" in options:
            print(f"  [{options['content_type']}] {options['data']}")
        phrase = HTTPStatus(response.status_code).phrase
        print(f"< {response.status_code} {phrase}  {response.mimetype}")
        for header in SHOWN_HEADERS:
            if header in response.headers:
                print(f"  {header}: {shown_value(header, response.headers[header])}")
        print(f"  {json.dumps(response.get_json(), ensure_ascii=False)}")
        print()


def build_server(app: Flask, port: int) -> BaseWSGIServer:
    """A threaded development server for ``app`` on 127.0.0.1 (port 0: any free port)."""
    return make_server("127.0.0.1", port, app, threaded=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.serve:
        run_demo(create_app({"CLOCK": lambda: DEMO_NOW}))
        return 0
    app = create_app()
    # A port in use is reported by Werkzeug itself (what happened, what to do) with exit 1.
    server = build_server(app, DEFAULT_PORT if args.port is None else args.port)
    print(f"serving on http://127.0.0.1:{server.port} (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
