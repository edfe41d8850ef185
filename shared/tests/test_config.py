"""shared.config: typed settings from overrides, the environment, `.env` and defaults."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import Field, ValidationError
from pydantic_settings import SettingsConfigDict

from shared.config import (
    DEV_SECRET,
    BaseSettings,
    CommaSeparated,
    ConfigError,
    load_env_file,
    load_settings,
    own_name_only,
)


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")

    token_ttl: int = Field(3600, ge=1)
    debug_sql: bool = False
    ratio: float = 0.5
    origins: CommaSeparated = ("*",)
    verbose: bool = own_name_only(False)


SetEnv = Callable[..., None]


@pytest.fixture
def setenv(monkeypatch: pytest.MonkeyPatch) -> SetEnv:
    """Clear every variable AppSettings reads, then set the given ones (``setenv(APP_X="1")``)."""
    for name in AppSettings.model_fields:
        for var in (f"APP_{name.upper()}", name.upper()):
            monkeypatch.delenv(var, raising=False)

    def set_variables(**variables: str) -> None:
        for var, value in variables.items():
            monkeypatch.setenv(var, value)

    return set_variables


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `.env` in a fresh working directory, read as an app outside the tests would read it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("shared.config._env_file", Path(".env"))
    monkeypatch.setattr("shared.config._env_file_loaded", False)
    return tmp_path / ".env"


@pytest.fixture
def unset(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Make sure a variable is unset now and again after the test, whoever sets it meanwhile."""

    def unset_variable(var: str) -> None:
        monkeypatch.setenv(var, "")  # recorded, so monkeypatch removes it at teardown
        monkeypatch.delenv(var)

    return unset_variable


def test_defaults_apply_when_nothing_is_set(setenv: SetEnv) -> None:
    settings = load_settings(AppSettings)
    assert settings.token_ttl == 3600
    assert settings.secret_key == DEV_SECRET
    assert settings.database_url.startswith("sqlite:///")
    assert settings.redis_url is None


def test_prefixed_variable_wins_over_plain_one(setenv: SetEnv) -> None:
    setenv(APP_TOKEN_TTL="60", TOKEN_TTL="10")
    assert load_settings(AppSettings).token_ttl == 60


def test_plain_variable_is_the_fallback(setenv: SetEnv) -> None:
    setenv(TOKEN_TTL="10")
    assert load_settings(AppSettings).token_ttl == 10


def test_an_own_name_only_field_ignores_the_plain_variable(setenv: SetEnv) -> None:
    setenv(VERBOSE="not a flag")
    assert load_settings(AppSettings).verbose is False
    setenv(APP_VERBOSE="yes")
    assert load_settings(AppSettings).verbose is True


def test_overrides_win_over_the_environment_and_take_typed_values(setenv: SetEnv) -> None:
    setenv(APP_TOKEN_TTL="60")
    settings = load_settings(AppSettings, {"token_ttl": 5, "DEBUG_SQL": True})
    assert (settings.token_ttl, settings.debug_sql) == (5, True)


def test_an_unknown_override_is_refused_with_the_known_names(setenv: SetEnv) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(AppSettings, {"TOKEN_TLL": 5})
    assert str(error.value).startswith("unknown setting(s) TOKEN_TLL; known: APP_ENV, ")
    assert "TOKEN_TTL" in str(error.value)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), (" on ", True), ("", False)]
)
def test_booleans_accept_the_usual_spellings(setenv: SetEnv, raw: str, expected: bool) -> None:
    setenv(APP_DEBUG_SQL=raw)
    assert load_settings(AppSettings).debug_sql is expected


def test_an_empty_variable_means_the_default(setenv: SetEnv) -> None:
    setenv(APP_TOKEN_TTL="", TOKEN_TTL="10")
    assert load_settings(AppSettings).token_ttl == 10


def test_tuples_are_comma_separated(setenv: SetEnv) -> None:
    setenv(APP_ORIGINS="a.example, b.example,")
    assert load_settings(AppSettings).origins == ("a.example", "b.example")


def test_blank_optional_value_means_unset(setenv: SetEnv) -> None:
    setenv(REDIS_URL="  ")
    assert load_settings(AppSettings).redis_url is None


def test_log_levels_are_read_in_any_case(setenv: SetEnv) -> None:
    setenv(APP_LOG_LEVEL="warning")
    assert load_settings(AppSettings).log_level == "WARNING"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("APP_TOKEN_TTL", "soon", "APP_TOKEN_TTL must be a whole number, got 'soon'"),
        ("TOKEN_TTL", "1.5", "APP_TOKEN_TTL must be a whole number, got '1.5'"),
        ("APP_TOKEN_TTL", "0", "APP_TOKEN_TTL must be at least 1, got '0'"),
        ("APP_RATIO", "half", "APP_RATIO must be a number, got 'half'"),
        (
            "APP_DEBUG_SQL",
            "maybe",
            "APP_DEBUG_SQL must be true or false (1/0, yes/no), got 'maybe'",
        ),
        (
            "LOG_LEVEL",
            "loud",
            "APP_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'loud'",
        ),
    ],
)
def test_malformed_values_name_the_variable(
    setenv: SetEnv, variable: str, value: str, message: str
) -> None:
    setenv(**{variable: value})
    with pytest.raises(ConfigError) as error:
        load_settings(AppSettings)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"TOKEN_TTL": 2.5}, "APP_TOKEN_TTL must be a whole number, got 2.5"),
        ({"TOKEN_TTL": None}, "APP_TOKEN_TTL must be set"),
        ({"SECRET_KEY": 42}, "APP_SECRET_KEY must be text, got 42"),
    ],
)
def test_malformed_overrides_name_the_variable(
    setenv: SetEnv, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(AppSettings, overrides)
    assert str(error.value) == message


def test_every_malformed_value_is_named_on_one_line(setenv: SetEnv) -> None:
    setenv(APP_TOKEN_TTL="soon", APP_RATIO="half")
    with pytest.raises(ConfigError) as error:
        load_settings(AppSettings)
    assert "\n" not in str(error.value)
    assert "APP_TOKEN_TTL must be" in str(error.value) and "APP_RATIO must be" in str(error.value)


def test_production_refuses_the_default_secret(setenv: SetEnv) -> None:
    setenv(APP_ENV="production", DATABASE_URL="mysql+pymysql://u:p@db/app")
    with pytest.raises(ConfigError, match=r"^APP_SECRET_KEY is still the development default"):
        load_settings(AppSettings)


def test_production_refuses_an_sqlite_url_it_did_not_ask_for(setenv: SetEnv) -> None:
    setenv(APP_ENV="production", SECRET_KEY="s" * 40)
    with pytest.raises(ConfigError, match=r"^APP_DATABASE_URL is unset"):
        load_settings(AppSettings)


def test_production_accepts_an_explicit_sqlite_url_and_a_real_secret(setenv: SetEnv) -> None:
    setenv(APP_ENV="production", SECRET_KEY="s" * 40, DATABASE_URL="sqlite:///x.db")
    settings = load_settings(AppSettings)
    assert settings.is_production and settings.database_url == "sqlite:///x.db"


def test_env_file_is_read_and_the_environment_wins_over_it(setenv: SetEnv, env_file: Path) -> None:
    env_file.write_text(
        "APP_TOKEN_TTL=7\nAPP_RATIO=0.25\nSECRET_KEY=\nPORTFOLIO_REPO_URL=elsewhere\n"
    )
    setenv(TOKEN_TTL="9")
    settings = load_settings(AppSettings)
    assert (settings.token_ttl, settings.ratio) == (9, 0.25)
    assert settings.secret_key == DEV_SECRET, "a blank line in .env keeps the default"


def test_env_file_plain_names_are_the_fallback_there_too(setenv: SetEnv, env_file: Path) -> None:
    env_file.write_text("DEBUG_SQL=yes\nVERBOSE=yes\n")
    settings = load_settings(AppSettings)
    assert (settings.debug_sql, settings.verbose) == (True, False)


def test_tests_never_read_a_developers_env_file(
    setenv: SetEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test plugin called ignore_env_file(), so a `.env` in the working directory is not read.
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("APP_TOKEN_TTL=7\n")
    assert load_settings(AppSettings).token_ttl == 3600


def test_load_env_file_fills_the_environment_without_overriding_it(
    env_file: Path, unset: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file.write_text("CONFIG_TEST_ONLY_IN_FILE=file\nCONFIG_TEST_SET=file\n")
    unset("CONFIG_TEST_ONLY_IN_FILE")
    monkeypatch.setenv("CONFIG_TEST_SET", "shell")
    load_env_file()
    assert os.environ["CONFIG_TEST_ONLY_IN_FILE"] == "file"
    assert os.environ["CONFIG_TEST_SET"] == "shell"


def test_load_env_file_does_nothing_in_tests(
    tmp_path: Path, unset: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CONFIG_TEST_ONLY_IN_FILE=file\n")
    unset("CONFIG_TEST_ONLY_IN_FILE")
    load_env_file()
    assert "CONFIG_TEST_ONLY_IN_FILE" not in os.environ


def test_settings_are_immutable(setenv: SetEnv) -> None:
    settings = load_settings(AppSettings)
    with pytest.raises(ValidationError, match="frozen"):
        settings.token_ttl = 1  # type: ignore[misc]
