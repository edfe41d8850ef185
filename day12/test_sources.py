"""Where a setting comes from, on the locked pydantic-settings and python-dotenv."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from dotenv import dotenv_values
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from day12.settings import ConfigError, load_settings

Dotenv = Callable[[str], Path]


def test_the_real_environment_wins_over_dotenv(
    dotenv: Dotenv, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv("TODO_PAGE_SIZE=50\n")
    monkeypatch.setenv("TODO_PAGE_SIZE", "10")

    assert load_settings().page_size == 10


def test_dotenv_fills_in_what_the_environment_does_not_set(
    dotenv: Dotenv, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv("TODO_PAGE_SIZE=50\nTODO_DEBUG=false\n")
    monkeypatch.setenv("TODO_PAGE_SIZE", "10")

    settings = load_settings()

    assert (settings.page_size, settings.debug) == (10, False)


def test_an_override_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_PAGE_SIZE", "10")

    assert load_settings(page_size=30).page_size == 30


def test_the_dotenv_in_the_current_folder_is_read_by_default(dotenv: Dotenv) -> None:
    dotenv("TODO_PAGE_SIZE=50\n")

    assert load_settings().page_size == 50
    assert load_settings(env_file=None).page_size == 20


def test_a_missing_dotenv_is_no_error(clean_environment: Path) -> None:
    assert load_settings(clean_environment / "absent.env").page_size == 20


def test_reading_dotenv_does_not_change_os_environ(dotenv: Dotenv) -> None:
    dotenv("TODO_PAGE_SIZE=50\n")

    load_settings()

    assert "TODO_PAGE_SIZE" not in os.environ


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_DATABASE_URL", "")
    monkeypatch.setenv("TODO_DEBUG", "")

    settings = load_settings()

    assert (settings.database_url, settings.debug) == ("sqlite:///instance/todo-dev.db", True)


def test_variable_names_are_read_case_insensitively(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("todo_page_size", "7")

    assert load_settings().page_size == 7


def test_other_apps_variables_in_dotenv_are_ignored(dotenv: Dotenv) -> None:
    dotenv("OTHER_APP_TOKEN=abc\nTODO_PAGE_SIZE=50\n")

    assert load_settings().page_size == 50


def test_a_typo_in_dotenv_is_refused_naming_it(dotenv: Dotenv) -> None:
    dotenv("TODO_PAGE_SIZ=50\n")

    with pytest.raises(ConfigError, match=r"^TODO_PAGE_SIZ \(in \.env\) is not a setting; known:"):
        load_settings()


def test_a_typo_in_the_environment_is_refused_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_DEBGU", "1")

    with pytest.raises(ConfigError, match=r"^unknown variable TODO_DEBGU; known: TODO_ENV, "):
        load_settings()


def test_dotenv_syntax_export_comments_and_quotes(dotenv: Dotenv) -> None:
    dotenv(
        "# a comment line\n"
        "export TODO_ENV=test\n"
        "TODO_DATABASE_URL=sqlite:///a.db # a trailing comment\n"
        "TODO_CORS_ORIGINS='https://a.example # not a comment'\n"
    )

    settings = load_settings()

    assert settings.env == "test"
    assert settings.database_url == "sqlite:///a.db"
    assert settings.cors_origins == ("https://a.example # not a comment",)


def test_the_last_of_two_lines_for_a_variable_wins(dotenv: Dotenv) -> None:
    dotenv("TODO_PAGE_SIZE=30\nTODO_PAGE_SIZE=40\n")

    assert load_settings().page_size == 40


def test_dotenv_expands_variables_even_in_single_quotes(
    dotenv: Dotenv, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A secret with "${" in it is silently changed: token_urlsafe never makes one.
    monkeypatch.setenv("PART", "zz")
    dotenv("TODO_SECRET_KEY='ab${PART}cd'\nTODO_DATABASE_URL=ab${NOT_SET_ANYWHERE}cd\n")

    settings = load_settings()

    assert settings.secret_key.get_secret_value() == "abzzcd"
    assert settings.database_url == "abcd"


class Bare(BaseSettings):
    """pydantic-settings' defaults (extra forbidden, empty values kept), with a prefix."""

    model_config = SettingsConfigDict(env_prefix="TODO_", env_file=".env")
    database_url: str = "sqlite://"


def test_without_env_ignore_empty_an_empty_variable_is_an_empty_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TODO_DATABASE_URL", "")

    assert Bare().database_url == ""


def test_without_dotenv_filtering_another_apps_variable_in_dotenv_is_refused(
    dotenv: Dotenv,
) -> None:
    dotenv("OTHER_APP_TOKEN=abc\n")

    with pytest.raises(ValidationError, match="other_app_token\n  Extra inputs are not permitted"):
        Bare()


def test_dotenv_is_read_with_python_dotenv(dotenv: Dotenv) -> None:
    path = dotenv('export TODO_PAGE_SIZE=50 # fifty\nTODO_CORS_ORIGINS="https://a.example"\n')

    assert dotenv_values(path) == {
        "TODO_PAGE_SIZE": "50",
        "TODO_CORS_ORIGINS": "https://a.example",
    }
    settings = load_settings()
    assert (settings.page_size, settings.cors_origins) == (50, ("https://a.example",))


def test_pydantic_settings_alone_ignores_a_typo_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TODO_DATABSE_URL", "postgresql://db/todo")

    assert Bare().database_url == "sqlite://"
