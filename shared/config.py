"""Typed settings read once from the environment (and `.env`), with safe development defaults.

Each app declares a frozen dataclass of its settings and loads it with a prefix::

    @dataclass(frozen=True)
    class BlogSettings(BaseSettings):
        token_ttl: int = 3600

    settings = load_settings(BlogSettings, prefix="BLOG_")

A field named ``token_ttl`` is read from ``BLOG_TOKEN_TTL``, then ``TOKEN_TTL``, then its default.
With ``APP_ENV=production`` the loader refuses a default secret or an SQLite URL nobody asked for.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from dotenv import load_dotenv

#: The development secret. Anything signed with it is forgeable, so production refuses it.
DEV_SECRET = "development-only-secret-never-use-in-production"

GENERATE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_dotenv_loaded = False


class ConfigError(Exception):
    """A setting is missing, malformed or unsafe. The message names the variable and the fix."""


def load_env_file(path: str | Path | None = None) -> None:
    """Load `.env` into the environment once; variables already set always win."""
    global _dotenv_loaded
    if _dotenv_loaded and path is None:
        return
    load_dotenv(path or Path.cwd() / ".env", override=False)
    _dotenv_loaded = True


def ignore_env_file() -> None:
    """Never load `.env` in this process (the test suite is hermetic: a developer's `.env`
    must not change what tests see)."""
    global _dotenv_loaded
    _dotenv_loaded = True


def secret(default: str = DEV_SECRET) -> Any:
    """A settings field holding a secret: production refuses to start on its default."""
    return dataclasses.field(default=default, metadata={"secret": True})


@dataclasses.dataclass(frozen=True)
class BaseSettings:
    """Settings every app has. Subclass it and add fields with defaults."""

    app_env: str = "development"
    secret_key: str = secret()
    database_url: str = "sqlite:///instance/app.db"
    redis_url: str | None = None
    log_level: str = "INFO"

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"


S = TypeVar("S", bound=BaseSettings)


def env_names(prefix: str, field_name: str) -> tuple[str, ...]:
    """The variables a field is read from, most specific first."""
    plain = field_name.upper()
    return (f"{prefix}{plain}", plain) if prefix else (plain,)


def load_settings(
    cls: type[S],
    prefix: str = "",
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> S:
    """Build ``cls`` from overrides, then the environment, then defaults; validate once.

    ``overrides`` uses plain upper-case names (``{"DATABASE_URL": "sqlite://"}``) and takes
    values of the right type or strings. Raises :class:`ConfigError` naming the variable.
    """
    if environ is None:
        load_env_file()
        environ = os.environ
    overrides = {key.upper(): value for key, value in (overrides or {}).items()}
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    explicit: set[str] = set()
    for field in dataclasses.fields(cls):
        names = env_names(prefix, field.name)
        if field.name.upper() in overrides:
            raw, source = overrides[field.name.upper()], names[0]
        else:
            found = next((name for name in names if name in environ), None)
            if found is None:
                continue
            raw, source = environ[found], found
        values[field.name] = _coerce(raw, hints[field.name], source)
        explicit.add(field.name)
    settings = cls(**values)
    _check_production(settings, prefix, explicit)
    return settings


def _coerce(raw: Any, annotation: Any, name: str) -> Any:
    """Turn an environment string into the field's type, or say which variable is wrong."""
    optional = False
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
    if raw is None or (optional and isinstance(raw, str) and raw.strip() == ""):
        if optional:
            return None
        raise ConfigError(f"{name} must be set")
    if not isinstance(raw, str):
        if annotation is float and isinstance(raw, int):
            return float(raw)
        if isinstance(raw, annotation):
            return raw
        raise ConfigError(f"{name} must be {annotation.__name__}, got {raw!r}")
    text = raw.strip()
    if annotation is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ConfigError(f"{name} must be true or false (1/0, yes/no), got {raw!r}")
    if annotation in (int, float):
        try:
            return annotation(text)
        except ValueError:
            kind = "a whole number" if annotation is int else "a number"
            raise ConfigError(f"{name} must be {kind}, got {raw!r}") from None
    if annotation is tuple or typing.get_origin(annotation) is tuple:
        return tuple(part.strip() for part in text.split(",") if part.strip())
    return text


def _check_production(settings: BaseSettings, prefix: str, explicit: set[str]) -> None:
    if not settings.is_production:
        return
    for field in dataclasses.fields(settings):
        if field.metadata.get("secret") and getattr(settings, field.name) == field.default:
            var = env_names(prefix, field.name)[0]
            raise ConfigError(
                f"{var} is still the development default; with APP_ENV=production set it to a "
                f"long random value, e.g. {GENERATE_SECRET}"
            )
    if "database_url" not in explicit and settings.database_url.startswith("sqlite"):
        var = env_names(prefix, "database_url")[0]
        raise ConfigError(
            f"{var} is unset, and APP_ENV=production will not fall back to SQLite; "
            f"set {var} to your database (e.g. mysql+pymysql://user:pass@host/db)"
        )
