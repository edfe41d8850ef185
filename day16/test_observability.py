"""The request id, the JSON access log and /metrics inside one process."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from day16.app import create_app
from day16.conftest import Clock, json_lines


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, keyed by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_sane_request_id_is_echoed_and_logged(app: Flask, log_stream: io.StringIO) -> None:
    answer = app.test_client().get("/todos/1", headers={"X-Request-ID": "abc-123"})
    assert answer.headers["X-Request-ID"] == "abc-123"
    assert answer.json["request_id"] == "abc-123"
    [line] = json_lines(log_stream.getvalue())
    assert line["request_id"] == "abc-123"
    assert "request_id_replaced" not in line


def test_an_over_long_request_id_is_replaced_and_the_log_says_why(
    app: Flask, log_stream: io.StringIO
) -> None:
    answer = app.test_client().get("/todos", headers={"X-Request-ID": "a" * 500})
    assert answer.headers["X-Request-ID"] == "generated-1"
    [line] = json_lines(log_stream.getvalue())
    assert (line["request_id"], line["request_id_replaced"]) == (
        "generated-1",
        "longer than 128 characters",
    )


def test_a_request_id_with_a_newline_cannot_forge_a_log_line(
    app: Flask, log_stream: io.StringIO
) -> None:
    # Werkzeug's client refuses to send a newline in a header, so put it in the WSGI environ.
    forged = 'x\n{"level": "INFO", "message": "request", "status": 200}'
    app.test_client().get("/todos", environ_overrides={"HTTP_X_REQUEST_ID": forged})
    lines = log_stream.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert json_lines(lines[0])[0]["request_id"] == "generated-1"


def test_each_request_is_one_json_line_with_the_promised_fields(
    app: Flask, log_stream: io.StringIO
) -> None:
    client = app.test_client()
    client.get("/todos/2?token=secret")
    client.get("/todos/99")
    client.get("/no/such/page")
    lines = json_lines(log_stream.getvalue())
    assert len(lines) == 3
    assert [(line["method"], line["path"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/todos/2", "/todos/<int:todo_id>", 200),
        ("GET", "/todos/99", "/todos/<int:todo_id>", 404),
        ("GET", "/no/such/page", "unmatched", 404),
    ]
    for line in lines:
        assert {"timestamp", "level", "message", "duration_ms", "request_id"} <= line.keys()
        assert (line["level"], line["message"]) == ("INFO", "request")
    assert "secret" not in log_stream.getvalue(), "the query string stays out of the log"


def test_duration_comes_from_the_injected_clock(log_stream: io.StringIO, clock: Clock) -> None:
    app = create_app({"LOG_STREAM": log_stream, "CLOCK": clock})

    @app.get("/tick")
    def tick() -> str:
        clock.advance(0.0375)
        return "ok"

    app.test_client().get("/tick")
    [line] = json_lines(log_stream.getvalue())
    assert line["duration_ms"] == 37.5


def test_metrics_count_by_route_template_and_status_and_skip_the_scrapes(app: Flask) -> None:
    client = app.test_client()
    for todo_id in (1, 2, 3, 1, 99):
        client.get(f"/todos/{todo_id}")
    client.get("/metrics")
    scrape = client.get("/metrics")
    assert scrape.content_type.startswith("text/plain; version=")
    values = samples(scrape.text)
    route = ("route", "/todos/<int:todo_id>")
    assert values[("http_requests_total", (("method", "GET"), route, ("status", "200")))] == 4
    assert values[("http_requests_total", (("method", "GET"), route, ("status", "404")))] == 1
    assert values[("http_request_duration_seconds_count", (("method", "GET"), route))] == 5
    assert not any(labels and ("route", "/metrics") in labels for _, labels in values)


def test_latency_lands_in_the_right_histogram_bucket(log_stream: io.StringIO, clock: Clock) -> None:
    app = create_app({"LOG_STREAM": log_stream, "CLOCK": clock})

    @app.get("/slowish")
    def slowish() -> str:
        clock.advance(0.3)
        return "ok"

    client = app.test_client()
    client.get("/slowish")
    values = samples(client.get("/metrics").text)
    labels = (("method", "GET"), ("route", "/slowish"))
    bucket = "http_request_duration_seconds_bucket"
    assert values[(bucket, (("le", "0.25"), *labels))] == 0
    assert values[(bucket, (("le", "0.5"), *labels))] == 1
    assert values[("http_request_duration_seconds_sum", labels)] == pytest.approx(0.3)


def test_two_apps_in_one_process_keep_separate_metrics(log_stream: io.StringIO) -> None:
    first = create_app({"LOG_STREAM": log_stream}).test_client()
    second = create_app({"LOG_STREAM": log_stream}).test_client()
    first.get("/todos")
    assert "http_requests_total{" not in second.get("/metrics").text


def test_no_created_timestamp_series_are_exposed(app: Flask) -> None:
    client = app.test_client()
    client.get("/todos")
    assert "_created" not in client.get("/metrics").text


def test_werkzeugs_test_client_refuses_a_newline_in_a_header(app: Flask) -> None:
    with pytest.raises(ValueError, match="must not contain newline"):
        app.test_client().get("/todos", headers={"X-Request-ID": "a\nb"})


def test_the_busy_route_refuses_a_wait_it_cannot_bound(app: Flask) -> None:
    answer = app.test_client().get("/work?seconds=soon")
    assert answer.status_code == 400
    assert answer.json["error"] == "seconds must be a number from 0 to 5, got 'soon'"
