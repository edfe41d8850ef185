"""`python -m day13`: the day 13 app under real gunicorn, probed for liveness and readiness.

It serves the app with two gunicorn workers on a free port on 127.0.0.1 (through
``shared.serve.served``), with an SQLite file in a temporary folder as its database; probes
``/healthz`` and ``/readyz``; sends two slow requests at once to show two workers; deletes the
database file and probes again; then stops the server. Nothing outside the folder is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from shared.serve import served

APP = "day13.app:create_app()"


def show(session: requests.Session, url: str, path: str) -> requests.Response:
    """GET ``path`` and print its status and body, leaving out what changes from run to run."""
    answer = session.get(url + path, timeout=10)
    body = answer.json()
    body.pop("pid", None)
    for check in body.get("checks", {}).values():
        check.pop("duration_ms", None)
    print(f"  GET {path:<8} -> {answer.status_code} {json.dumps(body, sort_keys=True)}")
    return answer


def main(argv: list[str] | None = None) -> int:
    """Run the demo; 0 when done."""
    argparse.ArgumentParser(
        prog="python -m day13",
        description="Serve the day 13 app under gunicorn (2 workers), probe /healthz and "
        "/readyz, take its SQLite database away, probe again, stop. No arguments.",
    ).parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="day13-") as folder:
        database = Path(folder) / "app.db"
        sqlite3.connect(database).close()
        env = {**os.environ, "DAY13_DATABASE_URL": f"sqlite:///{database}"}
        with requests.Session() as session:
            session.trust_env = False
            with served(APP, env=env, workers=2, ready_path="/healthz") as server:
                print("gunicorn: 2 sync workers on 127.0.0.1, database: an SQLite file")
                show(session, server.url, "/healthz")
                show(session, server.url, "/readyz")
                with ThreadPoolExecutor(2) as pool:
                    slow = list(
                        pool.map(
                            lambda _: session.get(server.url + "/work?seconds=0.3", timeout=10),
                            range(2),
                        )
                    )
                pids = {answer.json()["pid"] for answer in slow}
                print(f"  two slow requests at once were answered by {len(pids)} worker processes")
                database.unlink()
                print("database file deleted:")
                show(session, server.url, "/readyz")
                show(session, server.url, "/healthz")
            print("gunicorn stopped (SIGTERM, graceful)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
