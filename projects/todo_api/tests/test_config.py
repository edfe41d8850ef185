"""The Todo API's settings: TODO_ names first, plain names second, unsafe ones refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from projects.todo_api import create_app
from projects.todo_api.config import TodoSettings, load_todo_settings
from shared.config import ConfigError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("APP_ENV", "DATABASE_URL", "REDIS_URL", "TODO_REDIS_URL", "TODO_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_the_defaults_need_no_setup() -> None:
    settings = load_todo_settings()
    assert settings.database_url == "sqlite:///instance/todo.db"
    assert (settings.redis_url, settings.trusted_proxy_hops, settings.auto_migrate) == (
        None,
        0,
        True,
    )


def test_an_unknown_override_is_refused_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"unknown setting.*TITLE_MAX"):
        create_app({"TITLE_MAX": 10})


def test_todo_redis_url_falls_back_to_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert load_todo_settings().redis_url == "redis://127.0.0.1:6379/3"
    monkeypatch.setenv("TODO_REDIS_URL", "redis://127.0.0.1:6379/4")
    assert load_todo_settings().redis_url == "redis://127.0.0.1:6379/4"


def test_a_redis_url_that_is_not_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_REDIS_URL", "localhost:6379")
    with pytest.raises(ConfigError, match="TODO_REDIS_URL must be a Redis URL"):
        load_todo_settings()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TODO_TRUSTED_PROXY_HOPS", "-1", "TODO_TRUSTED_PROXY_HOPS must be at least 0"),
        ("TODO_MAX_BODY_BYTES", "lots", "TODO_MAX_BODY_BYTES must be a whole number"),
        ("TODO_TITLE_MAX_LENGTH", "5000", "TODO_TITLE_MAX_LENGTH must be at most 1000"),
        ("TODO_LOG_LEVEL", "loud", "TODO_LOG_LEVEL must be one of"),
        ("TODO_AUTO_MIGRATE", "maybe", "TODO_AUTO_MIGRATE must be true or false"),
    ],
)
def test_a_malformed_setting_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message) as error:
        load_todo_settings()
    assert "\n" not in str(error.value)


def test_production_refuses_the_sqlite_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="TODO_DATABASE_URL is unset"):
        load_todo_settings({"SECRET_KEY": "x" * 40})


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="TODO_SECRET_KEY is still the development default"):
        load_todo_settings({"DATABASE_URL": "postgresql+psycopg://u:p@db/todo"})


def test_production_refuses_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="TODO_DEBUG is on"):
        load_todo_settings(
            {"DATABASE_URL": "postgresql+psycopg://u:p@db/todo", "SECRET_KEY": "x" * 40,
             "DEBUG": True}
        )  # fmt: skip


def test_plain_debug_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "true")
    assert load_todo_settings().debug is False


def test_an_unreachable_database_fails_at_start_in_one_line() -> None:
    with pytest.raises(ConfigError, match="cannot migrate the database in TODO_DATABASE_URL"):
        create_app({"DATABASE_URL": "postgresql+psycopg://nobody:x@127.0.0.1:1/todo"})


def test_the_env_names_carry_the_prefix() -> None:
    assert TodoSettings.env_name("trusted_proxy_hops") == "TODO_TRUSTED_PROXY_HOPS"


def test_env_example_documents_every_setting() -> None:
    text = (Path(__file__).resolve().parents[3] / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^# ?(TODO_[A-Z_]+)=", text, flags=re.MULTILINE))
    settings = {TodoSettings.env_name(name) for name in TodoSettings.model_fields}
    assert settings - documented == set(), "add these to .env.example with a comment"
    assert documented - settings == set(), "these in .env.example are no setting"
