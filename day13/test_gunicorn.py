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
    # A sync worker handles one request at a time, so two at once need both workers.
    with (
        served(APP, env=app_env, workers=2, ready_path="/healthz") as server,
        ThreadPoolExecutor(2) as pool,
    ):
        answers = list(pool.map(lambda _: http.get(server.url + "/work?seconds=0.5"), range(2)))
    pids = {answer.json()["pid"] for answer in answers}
    assert [answer.status_code for answer in answers] == [200, 200]
    assert len(pids) == 2, f"expected 2 different worker pids, got {pids}"
    assert server.process.pid not in pids, "the master only supervises; workers answer"


@contextmanager
def gunicorn_cli(app_env: dict[str, str], log: Path, *options: str) -> Iterator[Served]:
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
            yield Served(url=url, port=port, process=process, log=log)
        finally:
            stop(process)


def test_the_worker_timeout_kills_a_stuck_request_and_a_new_worker_takes_over(
    app_env: dict[str, str], http: requests.Session, tmp_path: Path
) -> None:
    log = tmp_path / "gunicorn.log"
    with gunicorn_cli(app_env, log, "--workers", "1", "--timeout", "1") as server:
        url = server.url
        before = http.get(url + "/healthz").json()["pid"]
        started = time.monotonic()
        stuck = http.get(url + "/work?seconds=8", timeout=8)
        elapsed = time.monotonic() - started
        after = http.get(url + "/healthz").json()["pid"]
    assert stuck.status_code == 500, stuck.text
    # The master checks its workers about once a second, so a 1 s timeout fires within ~2 s.
    assert elapsed < 6, f"the stuck request took {elapsed:.1f}s, not cut at the 1 s timeout"
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


def slow_request_in_background(
    http: requests.Session, server: Served, seconds: float
) -> tuple[threading.Thread, dict[str, object]]:
    """Start GET /work?seconds=S in a thread; return once the worker has begun it."""
    outcome: dict[str, object] = {}

    def send() -> None:
        started = time.monotonic()
        try:
            outcome["answer"] = http.get(f"{server.url}/work?seconds={seconds}", timeout=10)
        except requests.ConnectionError as error:
            outcome["error"] = error
        outcome["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=send)
    thread.start()
    wait_for_output(server, "work started")
    return thread, outcome


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGQUIT], ids=["INT", "QUIT"])
def test_sigint_and_sigquit_stop_at_once_and_cut_the_request_in_flight(
    stop_signal: signal.Signals, app_env: dict[str, str], http: requests.Session, tmp_path: Path
) -> None:
    with gunicorn_cli(app_env, tmp_path / "gunicorn.log", "--workers", "1") as server:
        thread, outcome = slow_request_in_background(http, server, 8)
        server.process.send_signal(stop_signal)
        assert server.process.wait(timeout=8) == 0
        thread.join(timeout=10)
    answer = outcome["answer"]
    assert isinstance(answer, requests.Response)
    # gunicorn 27's worker turns its own exit into a 500 for the request it was serving.
    assert answer.status_code == 500
    assert outcome["elapsed"] < 5, outcome  # type: ignore[operator]


def test_sigterm_kills_a_request_still_running_after_the_graceful_timeout(
    app_env: dict[str, str], http: requests.Session, tmp_path: Path
) -> None:
    log = tmp_path / "gunicorn.log"
    with gunicorn_cli(app_env, log, "--workers", "1", "--graceful-timeout", "1") as server:
        thread, outcome = slow_request_in_background(http, server, 8)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=8) == 0
        thread.join(timeout=10)
    assert "answer" not in outcome, "a request past the graceful timeout gets no answer at all"
    assert isinstance(outcome["error"], requests.ConnectionError)
    assert outcome["elapsed"] < 5, outcome  # type: ignore[operator]
    assert "Worker exiting" not in log.read_text(), "the worker was killed, it did not exit"
