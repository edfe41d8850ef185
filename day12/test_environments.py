"""Per-environment defaults, and what TODO_ENV=production refuses."""

from __future__ import annotations

import pydantic
import pytest

from day12.settings import DEV_SECRET, ConfigError, generate_secret, load_settings

GOOD_SECRET = "k" * 32
GOOD_DATABASE = "postgresql+psycopg://todo:pw@db/todo"


def production(**overrides: str) -> dict[str, str]:
    """A production configuration that loads, with ``overrides`` changed."""
    return {"env": "production", "secret_key": GOOD_SECRET, "database_url": GOOD_DATABASE,
            **overrides}  # fmt: skip


def refusal(**overrides: object) -> str:
    with pytest.raises(ConfigError) as refused:
        load_settings(None, **overrides)
    return str(refused.value)


@pytest.mark.parametrize(
    ("env", "debug", "database_url", "cors_origins"),
    [
        ("development", True, "sqlite:///instance/todo-dev.db", ("http://localhost:5173",)),
        ("test", False, "sqlite://", ()),
    ],
)
def test_each_environment_has_its_own_defaults(
    env: str,
    debug: bool,
    database_url: str,
    cors_origins: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TODO_ENV", env)

    settings = load_settings()

    assert (settings.env, settings.debug, settings.database_url, settings.cors_origins) == (
        env,
        debug,
        database_url,
        cors_origins,
    )


def test_nothing_set_is_development() -> None:
    assert load_settings().env == "development"


def test_a_variable_set_wins_over_the_environment_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_ENV", "development")
    monkeypatch.setenv("TODO_DEBUG", "false")

    assert load_settings().debug is False


def test_the_environment_name_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_ENV", " Test ")

    settings = load_settings()

    assert (settings.env, settings.database_url) == ("test", "sqlite://")


def test_an_unknown_environment_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_ENV", "prod")

    assert refusal() == "TODO_ENV must be one of development, test, production, got 'prod'"


def test_a_complete_production_configuration_loads() -> None:
    settings = load_settings(None, **production())

    assert (settings.env, settings.debug, settings.database_url) == (
        "production",
        False,
        GOOD_DATABASE,
    )


def test_production_refuses_the_development_secret_and_no_database() -> None:
    assert refusal(env="production") == (
        "with TODO_ENV=production, TODO_SECRET_KEY is the development default; set a random one "
        "(python -m day12 --generate-secret); TODO_DATABASE_URL must be set "
        "(e.g. postgresql+psycopg://…)"
    )


def test_the_development_secret_given_explicitly_is_refused_too() -> None:
    assert "TODO_SECRET_KEY is the development default" in refusal(
        **production(secret_key=DEV_SECRET)
    )


def test_production_refuses_a_secret_shorter_than_32_characters() -> None:
    assert refusal(**production(secret_key="k" * 31)) == (
        "with TODO_ENV=production, TODO_SECRET_KEY is 31 characters, production needs at least "
        "32 (python -m day12 --generate-secret)"
    )
    assert load_settings(None, **production(secret_key="k" * 32)).env == "production"


@pytest.mark.parametrize("url", ["sqlite:///todo.db", "sqlite://", "SQLITE:///todo.db"])
def test_production_refuses_sqlite_even_when_asked_for(url: str) -> None:
    assert refusal(**production(database_url=url)) == (
        "with TODO_ENV=production, TODO_DATABASE_URL is SQLite, production needs a database "
        "server (e.g. postgresql+psycopg://…)"
    )


def test_production_refuses_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_DEBUG", "on")

    assert refusal(**production()) == (
        "with TODO_ENV=production, TODO_DEBUG must be off: debug pages show code and variables"
    )


def test_every_production_problem_is_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_ENV", "production")
    monkeypatch.setenv("TODO_SECRET_KEY", "hunter2")
    monkeypatch.setenv("TODO_DATABASE_URL", "sqlite:///todo.db")
    monkeypatch.setenv("TODO_DEBUG", "1")

    message = refusal()

    assert "\n" not in message
    assert [part.split(" ")[0] for part in message.split("; ")] == [
        "with",
        "TODO_DATABASE_URL",
        "TODO_DEBUG",
    ]
    assert "TODO_SECRET_KEY is 7 characters" in message
    assert "hunter2" not in message


def test_a_generated_secret_passes_the_production_check() -> None:
    assert load_settings(None, **production(secret_key=generate_secret())).env == "production"


def test_settings_cannot_be_changed_once_loaded() -> None:
    settings = load_settings(None)

    with pytest.raises(pydantic.ValidationError, match="frozen"):
        settings.page_size = 5  # type: ignore[misc]
