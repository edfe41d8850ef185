"""Request ids, one JSON access-log line per request, and Prometheus metrics at ``/metrics``.

:func:`init_app` adds two hooks and a route to the app (day 16's lesson, for the capstone):

- **Request id.** A sane incoming ``X-Request-ID`` (1 to 128 characters of letters, digits and
  ``-._~:/+=``) is kept, so this request's lines join a proxy's; anything else is replaced by a
  new UUID4 in hex, and the line says why. The id is in ``g.request_id`` and echoed in every
  response's ``X-Request-ID``, problems included.
- **Access log.** The app's logger (``projects.todo_api``) writes one JSON object per line to
  stdout (python-json-logger): ``method``, ``path`` (no query string: it may carry tokens),
  ``route`` (the URL rule), ``status``, ``duration_ms`` and ``request_id``, with ``timestamp``,
  ``level`` and ``message``. ``TODO_LOG_LEVEL`` above ``INFO`` silences it.
- **Metrics.** ``http_requests_total{method, route, status}`` and
  ``http_request_duration_seconds{method, route}``, for every request but the scrapes. ``route``
  is the rule (``/todos/<int:todo_id>``) or ``unmatched``, so the series stay bounded. Each app
  has its own registry, so several apps in one process do not clash over names. With
  ``PROMETHEUS_MULTIPROC_DIR`` set before ``prometheus_client`` is imported (gunicorn's workers),
  each process writes its values to files there and a scrape answers the sum over all of them
  (:class:`~prometheus_client.multiprocess.MultiProcessCollector`), whichever worker serves it.

``/metrics`` is a plain Flask route, not a flask-smorest one: it is for the scraper, not API
clients, so it stays out of the OpenAPI document.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-ID"
MAX_ID_LENGTH = 128
METRICS_PATH = "/metrics"
UNMATCHED = "unmatched"
#: Latency buckets in seconds, from a quick read to a slow write.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_SANE_ID = re.compile(r"[A-Za-z0-9\-._~:/+=]+")

# Without this every series gets a ``_created`` twin holding a start timestamp: noise here.
disable_created_metrics()


def why_not_sane(incoming: str) -> str | None:
    """Why ``incoming`` cannot be this request's id, or None if it can."""
    if not incoming:
        return "empty"
    if len(incoming) > MAX_ID_LENGTH:
        return f"longer than {MAX_ID_LENGTH} characters"
    if not _SANE_ID.fullmatch(incoming):
        return "characters outside A-Z a-z 0-9 - . _ ~ : / + ="
    return None


class JsonLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The app logger's one handler: JSON objects, one a line, shared by every app.

    It writes to whatever ``sys.stdout`` is when a line is written (gunicorn's, or a test
    runner's), unless :meth:`setStream` gave it a stream of its own.
    """

    def __init__(self) -> None:
        logging.Handler.__init__(self)
        self._own_stream: Any = None

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return self._own_stream if self._own_stream is not None else sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        self._own_stream = value


def json_handler(logger: logging.Logger) -> JsonLogHandler:
    """Give ``logger`` a JSON handler on stdout (only once) and return it.

    Every app from ``create_app()`` logs through the same named logger, so a second app reuses
    the handler rather than adding one more, which would write each line twice.
    """
    for handler in logger.handlers:
        if isinstance(handler, JsonLogHandler):
            return handler
    handler = JsonLogHandler()
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{message}",
            style="{",
            timestamp=True,
            rename_fields={"levelname": "level"},
        )
    )
    logger.handlers[:] = [handler]  # Flask's plain-text default handler goes
    logger.propagate = False
    return handler


class Metrics:
    """The request counter and latency histogram, in a registry of this app's own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Seconds from the request's first hook to its response, by method and route.",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.cache = Counter(
            "todo_list_cache",
            "GET /todos list cache events: hits, misses, loads (read the database), waited "
            "(polled another reader's load), bypassed (Redis unreachable).",
            ["event"],
            registry=self.registry,
        )
        # Made on first use: a child made up front would write a file for the gunicorn master.
        self._cached: dict[str, Any] = {}
        # The children by label values, as prometheus_client keeps them too (same bound).
        self._counted: dict[tuple[str, str, int], Any] = {}
        self._timed: dict[tuple[str, str], Any] = {}

    def count(self, method: str, route: str, status: int, seconds: float) -> None:
        """One answered request: its count by method, route and status, its latency by
        method and route. The labelled children are looked up once per combination."""
        key = (method, route, status)
        counted = self._counted.get(key)
        if counted is None:
            counted = self._counted[key] = self.requests.labels(method, route, str(status))
        counted.inc()
        timed = self._timed.get(key[:2])
        if timed is None:
            timed = self._timed[key[:2]] = self.latency.labels(method, route)
        timed.observe(seconds)

    def cache_event(self, event: str) -> None:
        """One event of the list cache (a :class:`~projects.todo_api.cache.CacheStats` field)."""
        counted = self._cached.get(event)
        if counted is None:
            counted = self._cached[event] = self.cache.labels(event)
        counted.inc()

    def exposition(self) -> bytes:
        """The text format for a scrape: this process's values, or every worker's summed."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            summed = CollectorRegistry()
            multiprocess.MultiProcessCollector(summed)
            return generate_latest(summed)
        return generate_latest(self.registry)


def init_app(app: Flask) -> Metrics:
    """Add the request id, the JSON access log and ``GET /metrics`` to ``app``.

    Call it before other extensions add hooks, so the clock starts first. The metrics are in
    ``app.extensions["todo_metrics"]``.
    """
    metrics = Metrics()
    app.extensions["todo_metrics"] = metrics
    json_handler(app.logger)
    logger = app.logger

    @app.before_request
    def start_request() -> None:
        g.request_started = time.perf_counter()
        incoming = request.headers.get(HEADER)
        reason = None if incoming is None else why_not_sane(incoming)
        if incoming is not None and reason is None:
            g.request_id = incoming
        else:
            g.request_id = uuid.uuid4().hex
            g.request_id_replaced = reason

    @app.after_request
    def finish_request(response: Response) -> Response:
        started = g.get("request_started")
        # A request refused before the first hook ran has no start: it counts as instant.
        seconds = time.perf_counter() - started if started is not None else 0.0
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[HEADER] = request_id
        rule = request.url_rule
        route = rule.rule if rule is not None else UNMATCHED
        method, status = request.method, response.status_code
        # Only built when it is written: TODO_LOG_LEVEL above INFO skips the line altogether.
        if logger.isEnabledFor(logging.INFO):
            fields: dict[str, Any] = {
                "method": method,
                "path": request.path,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
                "request_id": request_id,
            }
            if g.get("request_id_replaced"):
                fields["request_id_replaced"] = g.request_id_replaced
            logger.info("request", extra=fields)
        if route != METRICS_PATH:
            metrics.count(method, route, status, seconds)
        return response

    def scrape() -> Response:
        return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)

    app.add_url_rule(METRICS_PATH, "metrics", scrape, methods=["GET"])
    return metrics
