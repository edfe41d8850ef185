"""Typed settings read once from the environment (and `.env`), with safe development defaults.

Each app declares a pydantic-settings class with its own prefix and loads it once::

    class BlogSettings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="BLOG_")

        token_ttl: int = Field(3600, ge=1)

    settings = load_settings(BlogSettings, {"TOKEN_TTL": 60})

A field named ``token_ttl`` is read from ``BLOG_TOKEN_TTL``, then ``TOKEN_TTL``, then its default;
the environment wins over `.env`, and overrides (plain upper-case names) win over both. Every
refusal is a :class:`ConfigError` whose one-line message names the variable. With
``APP_ENV=production`` a default secret or an SQLite URL nobody asked for is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Self, TypeVar

import pydantic_settings
from dotenv import load_dotenv
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import (
    DotEnvSettingsSource,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

#: The development secret. Anything signed with it is forgeable, so production refuses it.
DEV_SECRET = "development-only-secret-never-use-in-production"

GENERATE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
ENV_FILE = Path(".env")
_env_file: Path | None = ENV_FILE
_env_file_loaded = False


class ConfigError(Exception):
    """A setting is missing, malformed or unsafe. The message names the variable and the fix."""


def load_env_file(path: str | Path | None = None) -> None:
    """Load `.env` into ``os.environ`` once, for code that reads the environment itself;
    variables already set always win. (Settings classes read `.env` on their own.)"""
    global _env_file_loaded
    if path is None:
        if _env_file is None or _env_file_loaded:
            return
        _env_file_loaded = True
    load_dotenv(path or _env_file, override=False)


def ignore_env_file() -> None:
    """Never read `.env` in this process (the test suite is hermetic: a developer's `.env`
    must not change what tests see)."""
    global _env_file
    _env_file = None


def secret(default: str = DEV_SECRET) -> Any:
    """A settings field holding a secret: production refuses to start on its default."""
    return Field(default, json_schema_extra={"secret": True})


def own_name_only(default: Any) -> Any:
    """A field read from its prefixed variable only (``BLOG_DEBUG``, never plain ``DEBUG``)."""
    return Field(default, json_schema_extra={"own_name_only": True})


def _marked(field: FieldInfo, mark: str) -> bool:
    extra = field.json_schema_extra
    return isinstance(extra, dict) and bool(extra.get(mark))


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return value.upper()


#: Optional text where a blank value means unset (``REDIS_URL=``).
OptionalText = Annotated[str | None, BeforeValidator(_blank_is_none)]
#: A tuple written ``a, b, c`` in the environment (not JSON, pydantic-settings' default).
CommaSeparated = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_split_commas)]
#: A logging level in any case (``info`` reads as ``INFO``).
LogLevel = Annotated[str, AfterValidator(_log_level)]


class _FallbackEnv(EnvSettingsSource):
    """The plain names (``TOKEN_TTL`` for ``BLOG_TOKEN_TTL``), except for own-name-only fields."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        if _marked(field, "own_name_only"):
            return None, field_name, False
        return super().get_field_value(field, field_name)


class _FallbackDotEnv(_FallbackEnv, DotEnvSettingsSource):
    """The plain names, read from `.env`."""


class BaseSettings(pydantic_settings.BaseSettings):
    """Settings every app has. Subclass it, set ``env_prefix`` and add fields with defaults."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="forbid",
        env_ignore_empty=True,
        # `.env` holds other apps' variables too; only this class's fields are read from it.
        dotenv_filtering="only_existing",
    )

    app_env: str = "development"
    secret_key: str = secret()
    database_url: str = "sqlite:///instance/app.db"
    redis_url: OptionalText = None
    log_level: LogLevel = "INFO"

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @classmethod
    def env_name(cls, field_name: str) -> str:
        """The variable that sets ``field_name``, prefix included (``BLOG_TOKEN_TTL``)."""
        return f"{cls.model_config.get('env_prefix', '')}{field_name.upper()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[pydantic_settings.BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Overrides, then the environment, then `.env`; each with the prefix first."""
        assert isinstance(dotenv_settings, DotEnvSettingsSource)
        if not dotenv_settings.env_prefix:
            return init_settings, env_settings, dotenv_settings
        fallback_env = _FallbackEnv(settings_cls, env_prefix="")
        fallback_dotenv = _FallbackDotEnv(
            settings_cls, env_file=dotenv_settings.env_file, env_prefix=""
        )
        return init_settings, env_settings, fallback_env, dotenv_settings, fallback_dotenv

    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        if not self.is_production:
            return self
        for name, field in type(self).model_fields.items():
            if _marked(field, "secret") and getattr(self, name) == field.default:
                raise ValueError(
                    f"{self.env_name(name)} is still the development default; with "
                    f"APP_ENV=production set it to a long random value, e.g. {GENERATE_SECRET}"
                )
        if "database_url" not in self.model_fields_set and self.database_url.startswith("sqlite"):
            var = self.env_name("database_url")
            raise ValueError(
                f"{var} is unset, and APP_ENV=production will not fall back to SQLite; "
                f"set {var} to your database (e.g. mysql+pymysql://user:pass@host/db)"
            )
        # An app with Flask's debug flag (the debugger runs code sent to it) never runs it here.
        if "debug" in type(self).model_fields and self.debug is True:
            var = self.env_name("debug")
            raise ValueError(f"{var} is on, and APP_ENV=production refuses it; unset {var}")
        return self


S = TypeVar("S", bound=BaseSettings)


def load_settings(cls: type[S], overrides: Mapping[str, Any] | None = None) -> S:
    """Build ``cls`` from overrides, then the environment, then `.env`, then defaults.

    ``overrides`` use plain upper-case names (``{"DATABASE_URL": "sqlite://"}``) and take values
    of the right type or strings; a name that is no setting is refused, never dropped. Raises
    :class:`ConfigError` naming the variable.
    """
    fields = {name.upper(): name for name in cls.model_fields}
    given = {key.upper(): value for key, value in (overrides or {}).items()}
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(fields))}"
        )
    try:
        return cls(_env_file=_env_file, **{fields[key]: value for key, value in given.items()})
    except ValidationError as error:
        raise ConfigError("; ".join(describe(cls, each) for each in error.errors())) from None


_REASONS = {
    "int_parsing": "must be a whole number, got {input!r}",
    "int_from_float": "must be a whole number, got {input!r}",
    "int_type": "must be a whole number, got {input!r}",
    "float_parsing": "must be a number, got {input!r}",
    "float_type": "must be a number, got {input!r}",
    "bool_parsing": "must be true or false (1/0, yes/no), got {input!r}",
    "bool_type": "must be true or false (1/0, yes/no), got {input!r}",
    "greater_than": "must be more than {gt}, got {input!r}",
    "greater_than_equal": "must be at least {ge}, got {input!r}",
    "less_than_equal": "must be at most {le}, got {input!r}",
    "string_type": "must be text, got {input!r}",
}


def describe(cls: type[BaseSettings], error: ErrorDetails) -> str:
    """One pydantic error as a line naming the variable (``BLOG_TOKEN_TTL must be ...``)."""
    context = error.get("ctx", {})
    if not error["loc"]:  # a check across fields, which names its variables itself
        return str(context.get("error", error["msg"]))
    var = cls.env_name(str(error["loc"][0]))
    if error["type"] == "value_error":
        return f"{var} {context['error']}"
    if error["input"] is None:
        return f"{var} must be set"
    if error["type"] in _REASONS:
        return f"{var} {_REASONS[error['type']].format(input=error['input'], **context)}"
    return f"{var} is not valid ({error['msg']}), got {error['input']!r}"
