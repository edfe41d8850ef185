"""One JSON log line and two Prometheus metrics per request, with the request id on both sides.

:func:`install` adds ``before_request``/``after_request`` hooks to a Flask app:

- the request id (see :mod:`day16.request_id`) is in ``g.request_id`` and echoed in the
  response's ``X-Request-ID``;
- the logger ``day16.access`` writes one JSON object per request (python-json-logger):
  ``method``, ``path`` (no query string: it may carry tokens), ``route``, ``status``,
  ``duration_ms``, ``request_id``, plus ``timestamp``, ``level`` and ``message``;
- ``http_requests_total{method, route, status}`` counts and
  ``http_request_duration_seconds{method, route}`` times every request but the scrapes of
  ``/metrics`` itself. ``route`` is the URL rule (``/todos/<int:todo_id>``), never the raw
  path, and ``unmatched`` for a 404 with no rule, so the number of series stays bounded.

Under gunicorn each worker is a process with its own counters. With ``PROMETHEUS_MULTIPROC_DIR``
set (before ``prometheus_client`` is imported) each worker writes its values to files there, and
``/metrics`` answers with :class:`~prometheus_client.multiprocess.MultiProcessCollector`'s sum
over all of them, whichever worker serves the scrape.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from typing import IO, Any

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

from day16.request_id import HEADER, choose_request_id, new_request_id

ACCESS_LOGGER = "day16.access"
UNMATCHED = "unmatched"
#: Latency buckets in seconds, from a cache hit to a slow page.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

# Without this every series gets a ``_created`` twin holding a start timestamp: noise here.
disable_created_metrics()


def json_access_logger(stream: IO[str] | None = None) -> logging.Logger:
    """The ``day16.access`` logger, writing one JSON object per line to ``stream`` (stdout)."""
    # practice 2: make the access logger write one JSON object per line, and only there
    # hint: a StreamHandler with python-json-logger's JsonFormatter; rename levelname, no propagate.
    logger = logging.getLogger(ACCESS_LOGGER)
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{message}",
            style="{",
            timestamp=True,
            rename_fields={"levelname": "level"},
        )
    )
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger
    # end practice 2


class Metrics:
    """The request counter and latency histogram, in a registry of their own."""

    def __init__(self) -> None:
        # A registry per app, so two apps in one test process do not clash over names.
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from the request's first hook to its response, by method and route template.",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The text format for a scrape: this process's values, or every worker's summed."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            summed = CollectorRegistry()
            multiprocess.MultiProcessCollector(summed)
            return generate_latest(summed)
        return generate_latest(self.registry)


def install(
    app: Flask,
    logger: logging.Logger,
    clock: Callable[[], float] = time.perf_counter,
    make_id: Callable[[], str] = new_request_id,
) -> Metrics:
    """Add the request id, the JSON access log and ``GET /metrics`` to ``app``."""
    metrics = Metrics()

    @app.before_request
    def start() -> None:
        g.started = clock()
        chosen = choose_request_id(request.headers.get(HEADER), make_id)
        g.request_id = chosen.value
        g.request_id_replaced = chosen.replaced

    @app.after_request
    def finish(response: Response) -> Response:
        finished = clock()
        started = g.get("started")
        # A request that failed before the first hook ran has no start: log it as instant.
        seconds = finished - started if started is not None else 0.0
        request_id = g.get("request_id") or make_id()
        response.headers[HEADER] = request_id
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        fields: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 3),
            "request_id": request_id,
        }
        if g.get("request_id_replaced"):
            fields["request_id_replaced"] = g.request_id_replaced
        logger.info("request", extra=fields)
        if route != "/metrics":
            metrics.requests.labels(request.method, route, str(response.status_code)).inc()
            metrics.latency.labels(request.method, route).observe(seconds)
        return response

    @app.get("/metrics")
    def scrape() -> Response:
        return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)

    return metrics
