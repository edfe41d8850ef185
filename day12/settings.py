"""The Todo app's settings: read once from ``TODO_*`` variables and `.env`, typed and checked.

Where a value comes from, highest first: keyword overrides, the real environment, `.env`, the
defaults of the environment named by ``TODO_ENV`` (development, test or production), and last
the field defaults. :func:`load_settings` turns every problem into one :class:`ConfigError` line
naming the variable; with ``TODO_ENV=production`` it refuses the development secret, a short
secret, a missing or SQLite database URL and debug mode.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PREFIX = "TODO_"
ENVIRONMENTS = ("development", "test", "production")
#: Anything signed with this is forgeable by anyone who has read this file.
DEV_SECRET = "development-only-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32
GENERATE = "python -m day12 --generate-secret"

#: What each environment starts from, before the variables that are set.
ENVIRONMENT_DEFAULTS: dict[str, dict[str, Any]] = {
    "development": {
        "debug": True,
        "database_url": "sqlite:///instance/todo-dev.db",
        "cors_origins": "http://localhost:5173",
    },
    "test": {"debug": False, "database_url": "sqlite://"},
    # No database default on purpose: production must say where its data lives.
    "production": {"debug": False},
}


class ConfigError(Exception):
    """A setting is missing, malformed or unsafe; the one-line message names the variable."""


def generate_secret() -> str:
    """A new secret key: 32 random bytes as 43 URL-safe characters (A-Z a-z 0-9 - _)."""
    return secrets.token_urlsafe(32)


def _split_commas(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # practice 1: split a comma-separated variable into a tuple
    # hint: split on commas, strip each part and drop the empty ones (`a, ,b,` is two).
    return tuple(part.strip() for part in value.split(",") if part.strip())
    # end practice 1


#: ``a, b`` in the environment. Without NoDecode, pydantic-settings wants JSON for a list.
CommaSeparated = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_split_commas)]


class TodoSettings(BaseSettings):
    """Every setting of the Todo app. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_file=".env",
        env_ignore_empty=True,  # `TODO_DEBUG=` means unset, not an empty value
        extra="forbid",
        # `.env` may hold other apps' variables: only TODO_* ones are read (and a typo refused).
        dotenv_filtering="match_prefix",
        frozen=True,
    )

    env: Literal["development", "test", "production"] = "development"
    debug: bool = False
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    database_url: str | None = None
    cors_origins: CommaSeparated = ()
    page_size: int = Field(20, ge=1, le=100)

    @model_validator(mode="before")
    @classmethod
    def _environment_defaults(cls, data: Any) -> Any:
        """Fill what was not set from the defaults of the environment named by ``env``."""
        if not isinstance(data, dict):
            return data
        env = str(data.get("env", "development")).strip().lower()
        return {**ENVIRONMENT_DEFAULTS.get(env, {}), **data, "env": env}

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        if self.env != "production":
            return self
        # practice 2: collect every production problem and refuse them in one error
        # hint: append one message per problem to a list, then raise one ValueError joining them.
        problems = []
        secret = self.secret_key.get_secret_value()
        if secret == DEV_SECRET:
            problems.append(
                f"{PREFIX}SECRET_KEY is the development default; set a random one ({GENERATE})"
            )
        elif len(secret) < MIN_SECRET_LENGTH:
            problems.append(
                f"{PREFIX}SECRET_KEY is {len(secret)} characters, production needs at least "
                f"{MIN_SECRET_LENGTH} ({GENERATE})"
            )
        if self.database_url is None:
            problems.append(f"{PREFIX}DATABASE_URL must be set (e.g. postgresql+psycopg://…)")
        elif self.database_url.lower().startswith("sqlite"):
            problems.append(
                f"{PREFIX}DATABASE_URL is SQLite, production needs a database server "
                "(e.g. postgresql+psycopg://…)"
            )
        if self.debug:
            problems.append(f"{PREFIX}DEBUG must be off: debug pages show code and variables")
        if problems:
            raise ValueError(f"with {PREFIX}ENV=production, " + "; ".join(problems))
        return self
        # end practice 2


def env_name(field: str) -> str:
    """The variable for a field: ``page_size`` is ``TODO_PAGE_SIZE``."""
    return f"{PREFIX}{field.upper()}"


KNOWN = ", ".join(env_name(name) for name in TodoSettings.model_fields)


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """``TODO_*`` variables in ``environ`` that are no setting (a typo, usually)."""
    fields = {env_name(name) for name in TodoSettings.model_fields}
    return sorted(name for name in environ if name.upper().startswith(PREFIX)
                  and name.upper() not in fields)  # fmt: skip


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> TodoSettings:
    """The settings from ``overrides``, the environment, ``env_file`` (if it exists) and the
    defaults; raises :class:`ConfigError` with one line for every problem found."""
    unknown = unknown_variables(os.environ)
    if unknown:
        raise ConfigError(f"unknown variable {', '.join(unknown)}; known: {KNOWN}")
    try:
        return TodoSettings(_env_file=env_file, **overrides)
    except ValidationError as error:
        raise ConfigError("; ".join(describe(each) for each in error.errors())) from None


def describe(error: ErrorDetails) -> str:
    """One pydantic error as a line naming the variable and what it must be."""
    # practice 3: turn one pydantic error into a line naming the variable
    # hint: error["loc"][0] is the field, error["type"] what went wrong, error["input"] the value.
    context: dict[str, Any] = dict(error.get("ctx", {}))
    if not error["loc"]:  # a check across fields: its message names its variables
        return str(context.get("error", error["msg"]))
    var = env_name(str(error["loc"][0]))
    got = error["input"]
    reasons = {
        "bool_parsing": f"must be true or false (1/0, yes/no, on/off), got {got!r}",
        "int_parsing": f"must be a whole number, got {got!r}",
        "greater_than_equal": f"must be at least {context.get('ge')}, got {got!r}",
        "less_than_equal": f"must be at most {context.get('le')}, got {got!r}",
        "literal_error": f"must be one of {', '.join(ENVIRONMENTS)}, got {got!r}",
        "extra_forbidden": f"(in .env) is not a setting; known: {KNOWN}",
    }
    fallback = f"is not valid ({error['msg']}), got {got!r}"
    return f"{var} {reasons.get(error['type'], fallback)}"
    # end practice 3
