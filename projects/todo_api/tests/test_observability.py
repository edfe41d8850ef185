"""Request ids, JSON access-log lines and Prometheus metrics: in the app, then under gunicorn."""

from __future__ import annotations

import io
import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from projects.todo_api import observability
from shared.serve import served

TODO_APP = "projects.todo_api:create_app()"
ITEM = "/todos/<int:todo_id>"
HEX_ID = 32


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of ``text`` that is a JSON object, parsed; other lines are skipped."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def samples(scrape: str, name: str) -> dict[tuple[str, ...], float]:
    """The samples called ``name``, by their label values (sorted by label name)."""
    return {
        tuple(value for _, value in sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(scrape)
        for sample in family.samples
        if sample.name == name
    }


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """What the app logger writes during the test."""
    handler = observability.json_handler(logging.getLogger("projects.todo_api"))
    stream = io.StringIO()
    handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(None)


@pytest.fixture
def app(make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    return make_app()


def test_a_sane_request_id_is_echoed(app: Flask) -> None:
    sane = "0af7651916cd43dd8448eb211c80319c-trace:1/2+3=~_."
    answer = app.test_client().get("/healthz", headers={"X-Request-ID": sane})
    assert answer.headers["X-Request-ID"] == sane


@pytest.mark.parametrize(
    ("incoming", "reason"),
    [
        ("", "empty"),
        ("x" * 129, "longer than 128 characters"),
        ("two words", "characters outside"),
        ("<script>", "characters outside"),
        ("caf\u00e9", "characters outside"),
    ],
)
def test_an_unsafe_request_id_is_replaced_and_the_log_says_why(
    app: Flask, log: io.StringIO, incoming: str, reason: str
) -> None:
    answer = app.test_client().get("/healthz", headers={"X-Request-ID": incoming})
    replaced = answer.headers["X-Request-ID"]
    assert len(replaced) == HEX_ID and int(replaced, 16) >= 0
    [line] = json_lines(log.getvalue())
    assert line["request_id"] == replaced
    assert line["request_id_replaced"].startswith(reason)


def test_without_an_id_each_request_gets_a_new_one(app: Flask) -> None:
    client = app.test_client()
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5 and all(len(value) == HEX_ID for value in ids)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/todos/999", None, 404),
        ("GET", "/no/such/path", None, 404),
        ("PUT", "/todos", None, 405),
        ("POST", "/todos", "{not json", 400),
        ("POST", "/todos", '{"title": 1}', 422),
    ],
)
def test_problems_carry_the_request_id_too(
    app: Flask, method: str, path: str, body: str | None, status: int
) -> None:
    answer = app.test_client().open(
        path,
        method=method,
        data=body,
        content_type="application/json",
        headers={"X-Request-ID": "req-42"},
    )
    assert answer.status_code == status
    assert answer.headers["X-Request-ID"] == "req-42"


def test_one_json_line_per_request_with_the_route_and_no_query(
    app: Flask, log: io.StringIO
) -> None:
    client = app.test_client()
    created = client.post("/todos", json={"title": "log me"}).get_json()
    client.get(f"/todos/{created['id']}?token=secret", headers={"X-Request-ID": "line-1"})
    client.get("/nowhere")
    lines = json_lines(log.getvalue())
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("POST", "/todos", 201),
        ("GET", ITEM, 200),
        ("GET", "unmatched", 404),
    ]
    read = lines[1]
    assert read["path"] == f"/todos/{created['id']}"
    assert read["request_id"] == "line-1"
    assert isinstance(read["duration_ms"], float) and read["duration_ms"] >= 0
    assert (read["level"], read["message"]) == ("INFO", "request")
    assert "timestamp" in read
    assert "secret" not in log.getvalue()


def test_a_log_level_above_info_silences_the_access_lines(
    make_app: Callable[..., Flask], log: io.StringIO
) -> None:
    logger = logging.getLogger("projects.todo_api")  # every app's: the level is shared too
    level = logger.level
    try:
        make_app(LOG_LEVEL="WARNING").test_client().get("/healthz")
    finally:
        logger.setLevel(level)
    assert log.getvalue() == ""


def test_metrics_count_exactly_by_route_template_and_skip_the_scrapes(app: Flask) -> None:
    client = app.test_client()
    for n in range(7):
        assert client.get(f"/todos/{1000 + n}").status_code == 404
    for _ in range(3):
        client.get("/todos")
    client.get("/metrics")
    answer = client.get("/metrics")
    assert answer.content_type.startswith("text/plain; version=")
    scrape = answer.get_data(as_text=True)
    # Labels sorted by name: method, route, status.
    assert samples(scrape, "http_requests_total") == {
        ("GET", ITEM, "404"): 7.0,
        ("GET", "/todos", "200"): 3.0,
    }
    counts = samples(scrape, "http_request_duration_seconds_count")
    assert counts == {("GET", ITEM): 7.0, ("GET", "/todos"): 3.0}
    assert "_created" not in scrape


def test_metrics_count_the_list_caches_hits_misses_and_loads(
    make_app: Callable[..., Flask],
    redis_url: str,
    redis_client: Any,  # empties the database before and after
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    app = make_app(REDIS_URL=redis_url)
    client = app.test_client()
    for _ in range(3):
        client.get("/todos")
    client.post("/todos", json={"title": "new"})
    client.get("/todos")
    scrape = client.get("/metrics").get_data(as_text=True)
    assert samples(scrape, "todo_list_cache_total") == {
        ("hits",): 2.0,
        ("loads",): 2.0,
        ("misses",): 2.0,
    }
    stats = app.extensions["todo"].extensions.cache.stats()
    assert (stats.hits, stats.misses, stats.loads) == (2, 2, 2)


def test_each_app_counts_only_its_own_requests(make_app: Callable[..., Flask]) -> None:
    first, second = make_app(), make_app()
    first.test_client().get("/healthz")
    first.test_client().get("/healthz")
    second.test_client().get("/healthz")
    for application, expected in ((first, 2.0), (second, 1.0)):
        scrape = application.test_client().get("/metrics").get_data(as_text=True)
        assert samples(scrape, "http_requests_total") == {("GET", "/healthz", "200"): expected}


def test_metrics_stay_out_of_the_openapi_document(app: Flask) -> None:
    document = app.test_client().get("/openapi.json").get_json()
    assert "/metrics" not in document["paths"]


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_under_gunicorn_two_workers_sum_exactly_whichever_answers_the_scrape(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {
        **os.environ,
        "TODO_DATABASE_URL": f"sqlite:///{tmp_path / 'todo.db'}",
        "TODO_REDIS_URL": "",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    total, misses = 60, 20
    http = requests.Session()
    http.trust_env = False  # straight to 127.0.0.1, whatever http_proxy says
    with (
        http,
        served(TODO_APP, env=env, workers=2, ready_path="/healthz", access_log=False) as server,
    ):

        def call(n: int) -> requests.Response:
            path = "/todos/999" if n < misses else "/todos"
            return http.get(server.url + path, headers={"X-Request-ID": f"t-{n}"}, timeout=10)

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(call, range(total)))
        scrapes = [http.get(server.url + "/metrics", timeout=10).text for _ in range(6)]
        output = server.output()
    assert Counter(answer.status_code for answer in answers) == {404: misses, 200: total - misses}
    assert {answer.headers["X-Request-ID"] for answer in answers} == {
        f"t-{n}" for n in range(total)
    }
    assert len(list(folder.glob("counter_*.db"))) == 2, "both workers counted requests"
    for scrape in scrapes:
        counts = samples(scrape, "http_requests_total")
        assert counts[("GET", ITEM, "404")] == misses, counts
        assert counts[("GET", "/todos", "200")] == total - misses, counts
        assert not any(route == "/metrics" for _, route, _ in counts)
    lines = [line for line in json_lines(output) if line["request_id"].startswith("t-")]
    assert sorted(line["request_id"] for line in lines) == sorted(f"t-{n}" for n in range(total))
