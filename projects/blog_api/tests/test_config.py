"""The Blog API's settings: BLOG_ variables, bounds, overrides applied or refused, production."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from projects.blog_api import create_app
from projects.blog_api.config import WEEK, BlogSettings, load_blog_settings
from projects.blog_api.tests.support import SECRET, settings_for
from shared.config import ConfigError


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No BLOG_ or plain variable of a Blog API setting from the harness's environment."""
    for name in BlogSettings.model_fields:
        monkeypatch.delenv(BlogSettings.env_name(name), raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def test_settings_have_safe_defaults(environ: pytest.MonkeyPatch) -> None:
    settings = load_blog_settings({"SECRET_KEY": SECRET})
    assert settings.database_url == "sqlite:///instance/blog.db"
    assert settings.token_ttl == WEEK
    assert (settings.password_time_cost, settings.password_memory_cost) == (3, 65536)
    assert settings.cors_origins == "*"
    assert (settings.testing, settings.debug) == (False, False)


def test_settings_come_from_blog_prefixed_variables(environ: pytest.MonkeyPatch) -> None:
    environ.setenv("BLOG_TOKEN_TTL", "60")
    environ.setenv("TOKEN_TTL", "120")
    assert load_blog_settings().token_ttl == 60


def test_plain_variables_are_the_fallback(environ: pytest.MonkeyPatch) -> None:
    environ.setenv("TOKEN_TTL", "120")
    assert load_blog_settings().token_ttl == 120


def test_an_unknown_override_is_refused_with_the_known_names() -> None:
    with pytest.raises(ConfigError) as error:
        create_app({"DATABASE_URL": "sqlite://", "TOKEN_TLL": 5})
    message = str(error.value)
    assert message.startswith("unknown setting(s) TOKEN_TLL; known: ")
    assert {"TOKEN_TTL", "DEBUG", "TESTING"} <= set(message.split("known: ")[1].split(", "))


def test_a_prefixed_name_is_no_override() -> None:
    with pytest.raises(ConfigError, match=r"^unknown setting\(s\) BLOG_TOKEN_TTL; known: "):
        load_blog_settings({"BLOG_TOKEN_TTL": 5})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"TOKEN_TTL": "soon"}, "BLOG_TOKEN_TTL must be a whole number, got 'soon'"),
        ({"TOKEN_TTL": 0}, "BLOG_TOKEN_TTL must be at least 1, got 0"),
        ({"MAX_BODY_BYTES": 0}, "BLOG_MAX_BODY_BYTES must be at least 1, got 0"),
        ({"PASSWORD_TIME_COST": 0}, "BLOG_PASSWORD_TIME_COST must be at least 1, got 0"),
        ({"PASSWORD_PARALLELISM": 0}, "BLOG_PASSWORD_PARALLELISM must be at least 1, got 0"),
        ({"LIST_CACHE_PAGES": -1}, "BLOG_LIST_CACHE_PAGES must be at least 0, got -1"),
        (
            {"PASSWORD_MEMORY_COST": 4},
            "BLOG_PASSWORD_MEMORY_COST must be at least 8 × BLOG_PASSWORD_PARALLELISM (KiB), "
            "got 4 for 1 lanes",
        ),
        (
            {"LOGIN_RATE_LIMIT": "lots"},
            "BLOG_LOGIN_RATE_LIMIT must read like '10 per minute' or '5/second', got 'lots'",
        ),
        ({"DEBUG": "loud"}, "BLOG_DEBUG must be true or false (1/0, yes/no), got 'loud'"),
    ],
)
def test_a_bad_setting_fails_with_its_variable_named(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        create_app(settings_for("sqlite://", **overrides))
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        (
            {"LOG_LEVEL": "LOUD"},
            "^BLOG_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'$",
        ),
        ({"DATABASE_URL": "nosuchdb://x"}, "^BLOG_DATABASE_URL "),
    ],
)
def test_a_bad_shared_setting_names_the_blog_variable(
    overrides: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        create_app(settings_for("sqlite://", **overrides))


def test_a_bad_variable_in_the_environment_is_named(environ: pytest.MonkeyPatch) -> None:
    environ.setenv("BLOG_MAX_BODY_BYTES", "1MB")
    with pytest.raises(ConfigError) as error:
        load_blog_settings()
    assert str(error.value) == "BLOG_MAX_BODY_BYTES must be a whole number, got '1MB'"


def test_a_debug_override_turns_flask_debug_mode_on(make_app: Callable[..., Flask]) -> None:
    assert (make_app(DEBUG=True).debug, make_app().debug) == (True, False)


def test_a_testing_override_is_flask_testing_mode(make_app: Callable[..., Flask]) -> None:
    # The tests' apps pass TESTING=True (support.settings_for); False must reach the app too.
    assert (make_app().testing, make_app(TESTING=False).testing) == (True, False)


def test_blog_debug_in_the_environment_turns_debug_on(
    environ: pytest.MonkeyPatch, make_app: Callable[..., Flask]
) -> None:
    environ.setenv("BLOG_DEBUG", "1")
    assert make_app().debug is True


def test_another_tools_plain_debug_variable_is_not_read(environ: pytest.MonkeyPatch) -> None:
    # DEBUG=* is how npm's debug package is switched on; it must neither fail nor turn debug on.
    environ.setenv("DEBUG", "*")
    environ.setenv("TESTING", "1")
    settings = load_blog_settings()
    assert (settings.debug, settings.testing) == (False, False)


def test_production_refuses_the_development_secret(environ: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"^BLOG_SECRET_KEY is still the development default"):
        create_app({"APP_ENV": "production", "DATABASE_URL": "sqlite://"})


def test_production_refuses_an_sqlite_url_it_did_not_ask_for(environ: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"^BLOG_DATABASE_URL is unset, and APP_ENV=production"):
        load_blog_settings({"APP_ENV": "production", "SECRET_KEY": SECRET})


def test_production_refuses_debug_mode(environ: pytest.MonkeyPatch) -> None:
    overrides = {"APP_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": "sqlite://"}
    with pytest.raises(ConfigError, match=r"^BLOG_DEBUG is on, and APP_ENV=production refuses"):
        load_blog_settings({**overrides, "DEBUG": True})
    assert load_blog_settings(overrides).is_production
