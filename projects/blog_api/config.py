"""The Blog API's settings: read once from ``BLOG_*`` (then plain) environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from limits import parse_many
from pydantic import AfterValidator, Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.config import BaseSettings, load_settings, own_name_only

WEEK = 7 * 24 * 3600


def _rate_limit(value: str) -> str:
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"must read like '10 per minute' or '5/second', got {value!r}") from None
    return value


class BlogSettings(BaseSettings):
    """Every knob the Blog API has; defaults are safe for development."""

    model_config = SettingsConfigDict(env_prefix="BLOG_")

    database_url: str = "sqlite:///instance/blog.db"
    #: Create and migrate the database when the app starts (turn off when a release step migrates).
    auto_migrate: bool = True
    #: Lifetime of a login token, in seconds.
    token_ttl: int = Field(WEEK, ge=1)
    #: Argon2id cost. The defaults are argon2-cffi's (RFC 9106 low-memory); tests lower them.
    password_time_cost: int = Field(3, ge=1)
    password_memory_cost: int = 65536
    password_parallelism: int = Field(4, ge=1)
    #: Largest request body accepted, in bytes; more answers 413.
    max_body_bytes: int = Field(1_000_000, ge=1)
    #: Login attempts allowed per client address (flask-limiter notation).
    login_rate_limit: Annotated[str, AfterValidator(_rate_limit)] = "10 per minute"
    #: Off turns every rate limit off (never in production).
    rate_limit_enabled: bool = True
    #: Prefix of the rate-limit keys in Redis (apps sharing a prefix share their counts).
    rate_limit_prefix: str = "blog"
    #: Comma-separated origins allowed by CORS ("*" for any).
    cors_origins: str = "*"
    #: Article list pages each worker keeps in memory (0 turns the cache off; see listcache.py).
    list_cache_pages: int = Field(256, ge=0)
    #: Reverse proxies in front of the API to believe about X-Forwarded-* (0: none; see wsgi.py).
    trusted_proxy_hops: int = Field(0, ge=0)
    #: Flask's flags, as ``app.testing`` and ``app.debug``. Only the BLOG_ names are read:
    #: plain DEBUG and TESTING belong to other tools too (``DEBUG=*`` is npm's).
    testing: bool = own_name_only(False)
    debug: bool = own_name_only(False)

    @model_validator(mode="after")
    def _argon2_memory_fits_the_lanes(self) -> Self:
        if self.password_memory_cost < 8 * self.password_parallelism:
            memory, lanes = (
                self.env_name("password_memory_cost"),
                self.env_name("password_parallelism"),
            )
            raise ValueError(
                f"{memory} must be at least 8 × {lanes} (KiB), got {self.password_memory_cost} "
                f"for {self.password_parallelism} lanes"
            )
        return self


def load_blog_settings(overrides: Mapping[str, Any] | None = None) -> BlogSettings:
    """Settings from ``overrides`` (plain upper-case names), then the environment, then defaults.

    An override that names no setting is a mistake worth failing on, not ignoring.
    """
    return load_settings(BlogSettings, overrides)
