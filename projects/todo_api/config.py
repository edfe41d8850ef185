"""The Todo API's settings: read once from ``TODO_*`` (then plain) environment variables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_settings import NoDecode, SettingsConfigDict

from projects.todo_api.limits import check_rate_limit
from shared.config import BaseSettings, OptionalText, load_settings, own_name_only

#: The widest title the ``todos.title`` column holds; TODO_TITLE_MAX_LENGTH may be lower.
TITLE_COLUMN_MAX = 1000
REDIS_SCHEMES = ("redis", "rediss", "unix")
#: How a queue may be named: RQ keys it as ``rq:queue:<name>``.
QUEUE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _redis_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in REDIS_SCHEMES or not (parts.netloc or parts.path):
        raise ValueError(f"must be a Redis URL such as redis://127.0.0.1:6379/0, got {value!r}")
    return value


def _queue_name(value: str) -> str:
    if not QUEUE_NAME.fullmatch(value):
        raise ValueError(
            f"must be 1 to 64 letters, digits, '.', '_' or '-', e.g. todo; got {value!r}"
        )
    return value


def _seconds_list(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _retry_intervals(value: tuple[int, ...]) -> tuple[int, ...]:
    if not value or any(seconds < 0 for seconds in value):
        raise ValueError("must be whole seconds (0 or more) separated by commas, e.g. 10,60,300")
    return value


#: Seconds written ``10, 60, 300`` in the environment.
RetryIntervals = Annotated[
    tuple[int, ...], NoDecode, BeforeValidator(_seconds_list), AfterValidator(_retry_intervals)
]


class TodoSettings(BaseSettings):
    """Every knob the Todo API has; defaults are safe for development and need no setup."""

    model_config = SettingsConfigDict(env_prefix="TODO_")

    database_url: str = "sqlite:///instance/todo.db"
    #: The Redis that caches GET /todos and holds the job queue (unset: neither).
    redis_url: Annotated[OptionalText, AfterValidator(_redis_url)] = None
    #: Seconds a cached GET /todos body lives (0: no cache, even with a Redis URL).
    cache_ttl: int = Field(60, ge=0)
    #: Writes (POST, PATCH, DELETE) one client may make, in flask-limiter's notation; counted
    #: in Redis when there is a Redis URL, else in memory, per process. 20 a second is a
    #: ceiling against a runaway client, not a quota; the test suite's shared apps need ~500.
    write_rate_limit: Annotated[str, AfterValidator(check_rate_limit)] = "1200 per minute"
    #: The RQ queue (in the Redis above) the job endpoints enqueue on and the worker works.
    queue_name: Annotated[str, AfterValidator(_queue_name)] = "todo"
    #: Seconds before each of a failed job's three retries (the last repeats if fewer).
    job_retry_intervals: RetryIntervals = (10, 60, 300)
    #: WebSocket clients of GET /todos/live one server process keeps; more are closed with
    #: code 1013. Each holds a gunicorn thread: keep it below the workers' --threads.
    live_max_connections: int = Field(16, ge=1)
    #: Create and migrate the database when the app starts (turn off when a release step migrates).
    auto_migrate: bool = True
    #: Largest request body accepted, in bytes; more answers 413.
    max_body_bytes: int = Field(64_000, ge=1)
    #: Longest title accepted, in characters (at most the column's 1000).
    title_max_length: int = Field(255, ge=1, le=TITLE_COLUMN_MAX)
    #: Reverse proxies in front of the API to believe about X-Forwarded-* (0: none).
    trusted_proxy_hops: int = Field(0, ge=0)
    #: Flask's flags. Only the TODO_ names are read: plain DEBUG and TESTING belong to other tools.
    testing: bool = own_name_only(False)
    debug: bool = own_name_only(False)


def load_todo_settings(overrides: Mapping[str, Any] | None = None) -> TodoSettings:
    """Settings from ``overrides`` (plain upper-case names), then the environment, then defaults.

    An override that names no setting is refused, not ignored.
    """
    return load_settings(TodoSettings, overrides)
