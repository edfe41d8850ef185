"""The app under real gunicorn: workers, the worker timeout, and a graceful stop on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from day13.conftest import APP
from shared.serve import Served, free_port, served, stop, wait_until_answering

pytestmark = pytest.mark.timeout(30)


def wait_for_output(server: Served, text: str, timeout: float = 10.0) -> None:
    """Return once the server has printed ``text``: how a test knows a request is in flight."""
    deadline = time.monotonic() + timeout
    while text not in server.output():
        assert time.monotonic() < deadline, f"the server never printed {text!r}:\n{server.output()}"
        time.sleep(0.02)


def test_requests_in_parallel_are_answered_by_different_worker_processes(
    app_env: dict[str, str], http: requests.Session
) -> None:
    # A sync worker handles one request at a time, so three at once need all three workers.
    with (
        served(APP, env=app_env, workers=3, ready_path="/healthz") as server,
        ThreadPoolExecutor(3) as pool,
    ):
        answers = list(pool.map(lambda _: http.get(server.url + "/work?seconds=0.5"), range(3)))
    pids = {answer.json()["pid"] for answer in answers}
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert len(pids) == 3, f"expected 3 different worker pids, got {pids}"
    assert server.process.pid not in pids, "the master only supervises; workers answer"


@contextmanager
def gunicorn_cli(app_env: dict[str, str], log: Path, *options: str) -> Iterator[str]:
    """gunicorn's own command line, for the settings that ``served()`` does not take."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
        *options, APP,
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=app_env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_answering(process, url + "/healthz", 20, log)
            yield url
        finally:
            stop(process)


def test_the_worker_timeout_kills_a_stuck_request_and_a_new_worker_takes_over(
    app_env: dict[str, str], http: requests.Session, tmp_path: Path
) -> None:
    log = tmp_path / "gunicorn.log"
    with gunicorn_cli(app_env, log, "--workers", "1", "--timeout", "1") as url:
        before = http.get(url + "/healthz").json()["pid"]
        started = time.monotonic()
        stuck = http.get(url + "/work?seconds=8", timeout=8)
        elapsed = time.monotonic() - started
        after = http.get(url + "/healthz").json()["pid"]
    assert stuck.status_code == 500, stuck.text
    # The master checks its workers about once a second, so a 1 s timeout fires within ~2 s.
    assert elapsed < 4, f"the stuck request took {elapsed:.1f}s, not cut at the 1 s timeout"
    assert f"WORKER TIMEOUT (pid:{before})" in log.read_text()
    assert after != before, "the killed worker was replaced by a new process"


def test_sigterm_lets_the_request_in_flight_finish_then_stops_taking_connections(
    app_env: dict[str, str], http: requests.Session
) -> None:
    with served(APP, env=app_env, workers=1, ready_path="/healthz") as server:
        answer: dict[str, requests.Response] = {}
        slow = threading.Thread(
            target=lambda: answer.setdefault("slow", http.get(server.url + "/work?seconds=1.5"))
        )
        slow.start()
        wait_for_output(server, "work started")
        server.process.send_signal(signal.SIGTERM)
        wait_for_output(server, "Handling signal: term")
        # The master closed its socket; the busy worker still holds one until it exits, so a
        # new connection gets no answer: reset now, or refused once the worker is gone.
        with requests.Session() as fresh:
            fresh.trust_env = False
            with pytest.raises(requests.ConnectionError):
                fresh.get(server.url + "/healthz", timeout=5)
        slow.join(timeout=10)
        assert server.process.wait(timeout=10) == 0
        with pytest.raises(requests.ConnectionError) as refused:
            requests.get(server.url + "/healthz", timeout=2)
        log = server.output()
    assert answer["slow"].status_code == 200, answer["slow"].text
    assert answer["slow"].json()["slept"] == 1.5
    assert "Connection refused" in str(refused.value) or "refused" in str(refused.value).lower()
    assert log.index('"GET /work?seconds=1.5 HTTP/1.1" 200') < log.index("Shutting down: Master")
