"""The Blog API's settings: read once from ``BLOG_*`` (then plain) environment variables."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from limits import parse_many

from shared.config import BaseSettings, ConfigError, load_settings

WEEK = 7 * 24 * 3600
#: Flask's own flags that tests may pass through the same overrides.
FLASK_KEYS = frozenset({"TESTING", "DEBUG"})


@dataclasses.dataclass(frozen=True)
class BlogSettings(BaseSettings):
    """Every knob the Blog API has; defaults are safe for development."""

    database_url: str = "sqlite:///instance/blog.db"
    #: Create and migrate the database when the app starts (turn off when a release step migrates).
    auto_migrate: bool = True
    #: Lifetime of a login token, in seconds.
    token_ttl: int = WEEK
    #: Argon2id cost. The defaults are argon2-cffi's (RFC 9106 low-memory); tests lower them.
    password_time_cost: int = 3
    password_memory_cost: int = 65536
    password_parallelism: int = 4
    #: Largest request body accepted, in bytes; more answers 413.
    max_body_bytes: int = 1_000_000
    #: Login attempts allowed per client address (flask-limiter notation).
    login_rate_limit: str = "10 per minute"
    #: Off turns every rate limit off (never in production).
    rate_limit_enabled: bool = True
    #: Prefix of the rate-limit keys in Redis (apps sharing a prefix share their counts).
    rate_limit_prefix: str = "blog"
    #: Comma-separated origins allowed by CORS ("*" for any).
    cors_origins: str = "*"
    #: Article list pages each worker keeps in memory (0 turns the cache off; see listcache.py).
    list_cache_pages: int = 256
    #: Reverse proxies in front of the API to believe about X-Forwarded-* (0: none; see wsgi.py).
    trusted_proxy_hops: int = 0


def field_names() -> set[str]:
    """The setting names overrides may use (upper case)."""
    return {field.name.upper() for field in dataclasses.fields(BlogSettings)}


def load_blog_settings(overrides: Mapping[str, Any] | None = None) -> BlogSettings:
    """Settings from ``overrides`` (plain upper-case names), then the environment, then defaults.

    An override that names no setting is a mistake worth failing on, not ignoring.
    """
    unknown = sorted(
        key for key in (overrides or {}) if key.upper() not in field_names() | FLASK_KEYS
    )
    if unknown:
        raise ConfigError(
            f"unknown Blog API setting(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(field_names()))}"
        )
    settings_overrides = {
        key: value for key, value in (overrides or {}).items() if key.upper() not in FLASK_KEYS
    }
    settings = load_settings(BlogSettings, prefix="BLOG_", overrides=settings_overrides)
    _check(settings)
    return settings


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _check(settings: BlogSettings) -> None:
    if settings.log_level.upper() not in LOG_LEVELS:
        raise ConfigError(
            f"BLOG_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {settings.log_level!r}"
        )
    positive = ("token_ttl", "max_body_bytes", "password_time_cost")
    for name in positive:
        if getattr(settings, name) < 1:
            raise ConfigError(f"BLOG_{name.upper()} must be at least 1")
    if settings.trusted_proxy_hops < 0:
        raise ConfigError("BLOG_TRUSTED_PROXY_HOPS must be 0 or more")
    if settings.password_parallelism < 1:
        raise ConfigError("BLOG_PASSWORD_PARALLELISM must be at least 1")
    if settings.password_memory_cost < 8 * settings.password_parallelism:
        raise ConfigError(
            "BLOG_PASSWORD_MEMORY_COST must be at least 8 × BLOG_PASSWORD_PARALLELISM (KiB)"
        )
    try:
        parse_many(settings.login_rate_limit)
    except ValueError:
        raise ConfigError(
            f"BLOG_LOGIN_RATE_LIMIT must read like '10 per minute' or '5/second', "
            f"got {settings.login_rate_limit!r}"
        ) from None
