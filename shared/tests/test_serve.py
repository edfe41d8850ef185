"""shared.serve: the real command, as a subprocess on a free port of 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.testing import free_port, wait_for_port

STOP_WITHIN = 10.0


REPO_ROOT = Path(__file__).resolve().parents[2]
HELLO_APP = """
def create_app():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello from " + environ["PATH_INFO"].encode()]

    return app
"""


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "shared.serve", *args]


def run_serve(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a serve command that is expected to exit on its own."""
    return subprocess.run(
        serve_command(*args), cwd=REPO_ROOT, capture_output=True, text=True, timeout=30
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``python -m shared.serve`` on a free port, serving a tiny app built by a factory."""
    (tmp_path / "hello_app.py").write_text(HELLO_APP)
    port = free_port()
    process = subprocess.Popen(
        serve_command(
            "hello_app:create_app()", "--name", "the greeter", "--path", "/hi", "--port", str(port)
        ),
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO_ROOT)])},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, timeout=20)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=STOP_WITHIN)


@pytest.mark.slow
def test_serves_the_app_and_prints_its_url(server):
    process, port = server
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/hi", timeout=10) as response:
        status, body = response.status, response.read().decode()
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=STOP_WITHIN)
    assert (status, body) == (200, "hello from /hi")
    assert out.splitlines()[0] == (
        f"Serving the greeter on http://127.0.0.1:{port}/hi (Ctrl+C to stop)"
    )
    assert '"GET /hi HTTP/1.1" 200' in out, "the access log goes to stdout"


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stops_cleanly_on_a_signal(server, stop: signal.Signals):
    process, _ = server
    process.send_signal(stop)
    try:
        process.wait(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_WITHIN:.0f}s after {stop.name}")
    assert process.returncode == 0
    assert "Traceback" not in process.stderr.read()


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve("wsgi:app", "--port", str(port), "--make-target", "blog")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"port {port} is in use; try make blog PORT=8080\n"


@pytest.mark.parametrize("port", ["70000", "abc", "0", "-1"])
def test_a_bad_port_is_one_line_and_exit_2(port: str):
    result = run_serve("wsgi:app", f"--port={port}")
    assert result.returncode == 2
    assert result.stderr == (
        "python -m shared.serve: argument --port: must be a whole number from 1 to 65535, "
        f"got {port!r} (e.g. PORT=8080)\n"
    )


def test_an_unknown_host_is_one_line_and_exit_2():
    result = run_serve("wsgi:app", "--host", "no-such-host.invalid")
    assert result.returncode == 2
    assert result.stderr.startswith("cannot listen on host 'no-such-host.invalid': ")
    assert result.stderr.count("\n") == 1, result.stderr


def test_help_describes_the_options():
    result = run_serve("--help")
    assert result.returncode == 0
    assert "--host HOST" in result.stdout and "--port PORT" in result.stdout
    assert "module:factory()" in result.stdout


def test_the_app_spec_is_required():
    result = run_serve()
    assert result.returncode == 2
    assert "the following arguments are required: app" in result.stderr


BROKEN_APPS = """
from shared.config import ConfigError


def misconfigured():
    raise ConfigError("BLOG_DATABASE_URL is not a database URL: 'nonsense'")
"""


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("broken_apps:misconfigured()", "BLOG_DATABASE_URL is not a database URL: 'nonsense'\n"),
        ("no_such_module:app", "cannot load the app 'no_such_module:app': "),
    ],
)
def test_an_app_that_cannot_start_is_one_line_and_exit_2(tmp_path: Path, spec: str, message: str):
    (tmp_path / "broken_apps.py").write_text(BROKEN_APPS)
    result = subprocess.run(
        serve_command(spec, "--port", str(free_port())),
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO_ROOT)])},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
