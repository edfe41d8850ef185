"""``python -m day04``: the demo, its arguments, and the same app over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from day04.__main__ import EXCHANGES, build_server, main
from day04.app import create_app

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_demo_prints_every_exchange_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0

    out = capsys.readouterr().out
    for method, path, _options in EXCHANGES:
        assert f"> {method} {path}\n" in out, f"{method} {path} missing from the demo output"
    for status in ("200 OK", "400 Bad Request", "404 Not Found", "405 Method Not Allowed", "415"):
        assert f"< {status}" in out, f"no {status} response in the demo output"


def test_demo_prints_the_same_every_run_whatever_the_hash_seed() -> None:
    def demo(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        completed = subprocess.run(
            [sys.executable, "-m", "day04"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return completed.stdout

    first = demo("1")
    assert '"utc": "2024-11-23T11:29:13.117Z"' in first, first
    assert "Allow: GET, HEAD, OPTIONS" in first, first
    # Seeds 1 and 4 make Werkzeug list Allow's methods in different orders.
    assert demo("4") == first


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "8080"], "--port only applies with --serve"),
        (["--serve", "--port", "http"], "--port must be a whole number, got 'http'"),
        (["--serve", "--port", "70000"], "--port must be between 0 and 65535, got 70000"),
        (["--verbose"], "unrecognized arguments: --verbose"),
    ],
)
def test_a_bad_argument_gives_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.count("\n") == 1 and message in err, f"argv={argv} gave stderr {err!r}"


def test_the_served_app_answers_over_real_http() -> None:
    server = build_server(create_app(), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.port}"
    # No proxy: an http_proxy in the environment must not intercept 127.0.0.1.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{base}/health", timeout=5) as response:
            health = (response.status, json.load(response))
        with pytest.raises(urllib.error.HTTPError) as not_found:
            opener.open(f"{base}/nowhere", timeout=5)
        not_found.value.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    assert health == (200, {"status": "ok"})
    assert not_found.value.code == 404
    assert not_found.value.headers["Content-Type"] == "application/problem+json"
