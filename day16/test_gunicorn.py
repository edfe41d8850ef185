"""Under real gunicorn with two workers: JSON lines from both, and metrics summed exactly."""

from __future__ import annotations

import os
import socket
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from day16.conftest import json_lines
from shared.serve import served

pytestmark = pytest.mark.timeout(40)
APP = "day16.app:create_app()"
N = 60


def requests_total(scrape: str) -> dict[tuple[str, str], float]:
    """``http_requests_total`` by (route, status)."""
    return {
        (sample.labels["route"], sample.labels["status"]): sample.value
        for family in text_string_to_metric_families(scrape)
        for sample in family.samples
        if sample.name == "http_requests_total"
    }


def raw_get(port: int, header: bytes) -> bytes:
    """A GET with one header line sent as raw bytes, as no HTTP client library would."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(
            b"GET /todos HTTP/1.1\r\nHost: x\r\n" + header + b"\r\nConnection: close\r\n\r\n"
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_two_workers_log_json_lines_and_metrics_sum_exactly_across_them(
    tmp_path: Path, http: requests.Session
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    with served(APP, env=env, workers=2, ready_path="/todos", access_log=False) as server:
        # Two slow requests at once occupy both sync workers, so both have served something.
        with ThreadPoolExecutor(2) as pool:
            busy = list(pool.map(lambda _: http.get(server.url + "/work?seconds=0.3"), range(2)))
        with ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(
                    lambda n: http.get(
                        f"{server.url}/todos/{n % 4 + 1}", headers={"X-Request-ID": f"t-{n}"}
                    ),
                    range(N),
                )
            )
        scrapes = [http.get(server.url + "/metrics").text for _ in range(4)]
        log = server.output()
    assert len({answer.json()["pid"] for answer in busy}) == 2, "both workers served a request"
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {200: N * 3 // 4, 404: N // 4}
    assert len(list(folder.glob("counter_*.db"))) == 2, "one counter file per worker"
    route = "/todos/<int:todo_id>"
    for scrape in scrapes:  # whichever worker answered the scrape
        counts = requests_total(scrape)
        assert counts[(route, "200")] == N * 3 // 4, counts
        assert counts[(route, "404")] == N // 4, counts
        assert counts[("/work", "200")] == 2, counts
        assert ("/metrics", "200") not in counts
    lines = [line for line in json_lines(log) if line["path"].startswith("/todos/")]
    assert sorted(line["request_id"] for line in lines) == sorted(f"t-{n}" for n in range(N))
    assert all(isinstance(line["duration_ms"], float) for line in lines)
    assert {answer.headers["X-Request-ID"] for answer in answers} == {f"t-{n}" for n in range(N)}


def test_gunicorn_passes_an_odd_request_id_through_and_the_app_replaces_it(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    with served(APP, env=env, workers=1, ready_path="/todos", access_log=False) as server:
        latin1 = raw_get(server.port, b"X-Request-ID: caf\xe9")
        long = raw_get(server.port, b"X-Request-ID: " + b"7" * 300)
        log = server.output()
    for answer in (latin1, long):
        head = answer.split(b"\r\n\r\n")[0].decode("latin-1")
        assert head.startswith("HTTP/1.1 200"), head
        [echoed] = [line for line in head.splitlines() if line.lower().startswith("x-request-id:")]
        assert len(echoed.split(": ", 1)[1]) == 32, echoed
    reasons = [line.get("request_id_replaced") for line in json_lines(log)[-2:]]
    assert reasons == [
        "characters outside A-Z a-z 0-9 - . _ ~ : / + =",
        "longer than 128 characters",
    ]
