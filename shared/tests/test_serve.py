"""shared.serve: the real command, as a subprocess on a free port of 127.0.0.1, and served()."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import psutil
import pytest

from shared.serve import REPO_ROOT, Served, ServerDidNotStart, free_port, served

STOP_WITHIN = 10.0

HELLO_APP = """
import os
import threading
import time
from pathlib import Path


def create_app():
    # Two requests to /meet wait for each other: they only meet if one process serves both.
    meeting = threading.Barrier(2, timeout=2)

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/meet":
            try:
                meeting.wait()
            except threading.BrokenBarrierError:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"alone"]
        if path == "/broken":
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"not yet"]
        if path == "/missing":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"no such page"]
        if path == "/pid":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [str(os.getpid()).encode()]
        if path == "/slow":
            Path(os.environ["SLOW_STARTED"]).write_text(str(os.getpid()))
            time.sleep(60)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello from " + path.encode()]

    return app
"""

CRASHING_APP = """
import sys

print("the crashing app was imported", file=sys.stderr)
raise RuntimeError("the app blew up on import")
"""


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "shared.serve", *args]


def run_serve(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a serve command that is expected to exit on its own."""
    return subprocess.run(
        serve_command(*args), cwd=REPO_ROOT, capture_output=True, text=True, timeout=30
    )


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def cut_off(url: str) -> None:
    """GET a request that the server is killed in the middle of."""
    with suppress(OSError, http.client.HTTPException):
        get(url)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def app_env(tmp_path: Path) -> dict[str, str]:
    """An environment in which ``hello_app`` and ``crashing_app`` import, next to the repo."""
    (tmp_path / "hello_app.py").write_text(HELLO_APP)
    (tmp_path / "crashing_app.py").write_text(CRASHING_APP)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO_ROOT)]),
        "SLOW_STARTED": str(tmp_path / "slow-started"),
    }


@pytest.fixture
def server(app_env: dict[str, str]) -> Iterator[Served]:
    """``python -m shared.serve`` on a free port, serving a tiny app built by a factory."""
    with served("hello_app:create_app()", env=app_env, ready_path="/hi") as running:
        yield running


@pytest.mark.slow
def test_serves_the_app_and_prints_its_url(server: Served):
    body = get(f"{server.url}/hi")
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=STOP_WITHIN)
    output = server.output()
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert body == "hello from /hi"
    assert output.splitlines()[0] == (
        f"Serving the app on http://127.0.0.1:{server.port} (Ctrl+C to stop)"
    )
    assert '"GET /hi HTTP/1.1" 200' in output, "the access log goes to stdout"


@pytest.mark.slow
def test_the_command_line_names_the_app_and_its_path(app_env: dict[str, str]):
    port = free_port()
    process = subprocess.Popen(
        serve_command(
            "hello_app:create_app()", "--name", "the greeter", "--path", "/hi", "--port", str(port)
        ),
        cwd=REPO_ROOT,
        env=app_env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
    finally:
        process.terminate()
        process.communicate(timeout=STOP_WITHIN)
    assert first_line == f"Serving the greeter on http://127.0.0.1:{port}/hi (Ctrl+C to stop)\n"


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stops_cleanly_on_a_signal(server: Served, stop: signal.Signals):
    server.process.send_signal(stop)
    try:
        server.process.wait(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_WITHIN:.0f}s after {stop.name}")
    assert server.process.returncode == 0
    assert "Traceback" not in server.output()


@pytest.mark.slow
def test_served_stops_the_server_and_its_workers_when_the_block_raises(app_env: dict[str, str]):
    with (
        pytest.raises(LookupError, match="raised inside"),
        served("hello_app:create_app()", env=app_env, workers=1) as running,
    ):
        worker = int(get(f"{running.url}/pid"))
        raise LookupError("raised inside the block")
    assert running.process.returncode == 0, "SIGTERM is a graceful stop"
    assert not listening(running.port)
    assert not alive(worker), f"worker {worker} outlived its server"


@pytest.mark.slow
def test_served_kills_a_server_that_does_not_stop_in_time(app_env: dict[str, str]):
    started = Path(app_env["SLOW_STARTED"])
    with served("hello_app:create_app()", env=app_env, workers=1, stop_timeout=0.5) as running:
        # A request the worker is still busy with when the block ends holds up SIGTERM.
        threading.Thread(target=cut_off, args=(f"{running.url}/slow",), daemon=True).start()
        for _ in range(200):
            if started.exists():
                break
            time.sleep(0.05)
        else:
            pytest.fail("the slow request never reached the worker")
        worker = int(started.read_text())
    assert running.process.returncode == -signal.SIGKILL
    assert not alive(worker), f"worker {worker} outlived its killed server"


@pytest.mark.slow
def test_served_runs_the_workers_it_is_asked_for(app_env: dict[str, str]):
    with served("hello_app:create_app()", env=app_env, workers=3) as running:
        master = psutil.Process(running.process.pid)
        # The first worker answers while the master may still be forking the others.
        for _ in range(100):
            workers = master.children()
            if len(workers) >= 3:
                break
            time.sleep(0.05)
    assert len(workers) == 3, workers


def meet_twice(url: str) -> list[str]:
    """GET ``url`` twice at once; the two bodies (or the errors), in no particular order."""
    answers: list[str] = []

    def one() -> None:
        try:
            answers.append(get(url))
        except urllib.error.HTTPError as error:
            answers.append(f"{error.code} {error.read().decode()}")

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    return sorted(answers)


@pytest.mark.slow
def test_threads_let_one_worker_serve_two_requests_at_once(app_env: dict[str, str]):
    with served("hello_app:create_app()", env=app_env, workers=1, threads=2) as running:
        assert meet_twice(f"{running.url}/meet") == ["hello from /meet"] * 2


@pytest.mark.slow
def test_one_sync_worker_serves_one_request_at_a_time(app_env: dict[str, str]):
    with served("hello_app:create_app()", env=app_env, workers=1) as running:
        # The first waits alone until its barrier times out; only then is the second read.
        assert meet_twice(f"{running.url}/meet") == ["503 alone", "503 alone"]


@pytest.mark.slow
def test_the_worker_timeout_replaces_a_worker_stuck_in_a_request(app_env: dict[str, str]):
    with served("hello_app:create_app()", env=app_env, workers=1, worker_timeout=1) as running:
        before = get(f"{running.url}/pid")
        with pytest.raises((urllib.error.HTTPError, OSError, http.client.HTTPException)):
            get(f"{running.url}/slow")
        after = get(f"{running.url}/pid")
        output = running.output()
    assert after != before, "the stuck worker was not replaced"
    assert "WORKER TIMEOUT" in output


@pytest.mark.slow
def test_any_answer_below_500_counts_as_up(app_env: dict[str, str]):
    with served("hello_app:create_app()", env=app_env, ready_path="/missing") as running:
        assert get(f"{running.url}/hi") == "hello from /hi"


@pytest.mark.slow
def test_an_app_that_crashes_raises_with_its_output(app_env: dict[str, str]):
    with (
        pytest.raises(ServerDidNotStart) as raised,
        served("crashing_app:app", env=app_env),
    ):
        pytest.fail("the block must not run")
    message = str(raised.value)
    assert message.startswith("the server exited with status "), message
    assert "the crashing app was imported" in message
    assert "RuntimeError: the app blew up on import" in message


@pytest.mark.slow
def test_an_app_that_never_answers_below_500_times_out_and_is_stopped(
    app_env: dict[str, str],
):
    before = {child.pid for child in psutil.Process().children()}
    # Long enough for a server to start on a busy 2-core machine, so that it has printed.
    with (
        pytest.raises(ServerDidNotStart, match=r"/broken did not answer within 8s") as raised,
        served("hello_app:create_app()", env=app_env, ready_path="/broken", timeout=8),
    ):
        pytest.fail("the block must not run")
    assert '"GET /broken HTTP/1.1" 500' in str(raised.value), "the message shows its output"
    left = {child.pid for child in psutil.Process().children()} - before
    assert not {pid for pid in left if alive(pid)}, "the server was left running"


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


@pytest.mark.parametrize("workers", ["0", "two"])
def test_a_bad_workers_count_is_one_line_and_exit_2(workers: str):
    result = run_serve("wsgi:app", f"--workers={workers}")
    assert result.returncode == 2
    assert result.stderr == (
        "python -m shared.serve: argument --workers: must be a whole number of at least 1, "
        f"got {workers!r}\n"
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [("--threads", "0"), ("--worker-timeout", "0"), ("--graceful-timeout", "1.5")],
)
def test_a_bad_thread_count_or_timeout_is_one_line_and_exit_2(option: str, value: str):
    result = run_serve("wsgi:app", f"{option}={value}")
    assert result.returncode == 2
    assert result.stderr.startswith(f"python -m shared.serve: argument {option}: must be ")
    assert result.stderr.endswith(f"got {value!r}\n"), result.stderr


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
