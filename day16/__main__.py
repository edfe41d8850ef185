"""`python -m day16`: request ids, JSON access-log lines and a /metrics excerpt.

The app runs in this process (Flask's test client), with a clock that moves a fixed step per
request and numbered ids, so the output is the same every run; each line's ``timestamp`` is left
out for the same reason. The tests run the same app under gunicorn with two workers.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator

from day16.app import create_app

REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("/todos", {}),
    ("/todos/2", {"X-Request-ID": "from-the-proxy-7f3a"}),
    ("/todos/42", {}),
    ("/todos/1?token=secret", {"X-Request-ID": "x" * 200}),
    ("/no/such/page", {"X-Request-ID": "two words"}),
]


class SteppingClock:
    """Each reading is ``step`` seconds after the last: request n takes exactly ``step``."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def numbered_ids() -> Iterator[str]:
    number = 0
    while True:
        number += 1
        yield f"generated-{number:04d}"


def main(argv: list[str] | None = None) -> int:
    """Run the demo; 0 when done."""
    argparse.ArgumentParser(
        prog="python -m day16",
        description="Send a few requests to the day 16 app in this process and print its JSON "
        "access-log lines and an excerpt of /metrics. No arguments.",
    ).parse_args(argv)
    stream = io.StringIO()
    ids = numbered_ids()
    app = create_app(
        {"LOG_STREAM": stream, "CLOCK": SteppingClock(0.012), "MAKE_REQUEST_ID": ids.__next__}
    )
    client = app.test_client()
    print("Requests (X-Request-ID sent -> echoed):")
    for path, headers in REQUESTS:
        answer = client.get(path, headers=headers)
        sent = headers.get("X-Request-ID", "-")
        sent = sent if len(sent) <= 24 else sent[:12] + f"... ({len(sent)} chars)"
        print(f"  GET {path:<22} {answer.status_code}  {sent} -> {answer.headers['X-Request-ID']}")
    print("\nAccess log, one JSON object per line (timestamp left out here):")
    for line in stream.getvalue().splitlines():
        record = json.loads(line)
        record.pop("timestamp")
        print(f"  {json.dumps(record)}")
    scrape = client.get("/metrics").text
    print("\nGET /metrics (excerpt):")
    for line in scrape.splitlines():
        if line.startswith(("http_requests_total{", "# TYPE")) or (
            'route="/todos/<int:todo_id>"' in line and ("_count" in line or 'le="0.025"' in line)
        ):
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
