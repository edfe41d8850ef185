"""shared.config: typed settings from overrides, the environment and defaults."""

import dataclasses

import pytest

from shared.config import DEV_SECRET, BaseSettings, ConfigError, load_settings


@dataclasses.dataclass(frozen=True)
class AppSettings(BaseSettings):
    token_ttl: int = 3600
    debug_sql: bool = False
    ratio: float = 0.5
    origins: tuple[str, ...] = ("*",)


def test_defaults_apply_when_nothing_is_set():
    settings = load_settings(AppSettings, "APP_", environ={})
    assert settings.token_ttl == 3600
    assert settings.secret_key == DEV_SECRET
    assert settings.database_url.startswith("sqlite:///")
    assert settings.redis_url is None


def test_prefixed_variable_wins_over_plain_one():
    environ = {"APP_TOKEN_TTL": "60", "TOKEN_TTL": "10"}
    assert load_settings(AppSettings, "APP_", environ=environ).token_ttl == 60


def test_plain_variable_is_the_fallback():
    assert load_settings(AppSettings, "APP_", environ={"TOKEN_TTL": "10"}).token_ttl == 10


def test_overrides_win_over_the_environment_and_take_typed_values():
    settings = load_settings(
        AppSettings,
        "APP_",
        overrides={"token_ttl": 5, "DEBUG_SQL": True},
        environ={"APP_TOKEN_TTL": "60"},
    )
    assert (settings.token_ttl, settings.debug_sql) == (5, True)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)]
)
def test_booleans_accept_the_usual_spellings(raw, expected):
    assert load_settings(AppSettings, "APP_", environ={"APP_DEBUG_SQL": raw}).debug_sql is expected


def test_tuples_are_comma_separated():
    settings = load_settings(AppSettings, "APP_", environ={"APP_ORIGINS": "a.example, b.example,"})
    assert settings.origins == ("a.example", "b.example")


def test_blank_optional_value_means_unset():
    assert load_settings(AppSettings, "APP_", environ={"REDIS_URL": "  "}).redis_url is None


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("APP_TOKEN_TTL", "soon", "APP_TOKEN_TTL must be a whole number, got 'soon'"),
        ("APP_RATIO", "half", "APP_RATIO must be a number, got 'half'"),
        ("APP_DEBUG_SQL", "maybe", "APP_DEBUG_SQL must be true or false"),
    ],
)
def test_malformed_values_name_the_variable(variable, value, fragment):
    with pytest.raises(ConfigError) as error:
        load_settings(AppSettings, "APP_", environ={variable: value})
    assert fragment in str(error.value)


def test_production_refuses_the_default_secret():
    environ = {"APP_ENV": "production", "DATABASE_URL": "mysql+pymysql://u:p@db/app"}
    with pytest.raises(ConfigError, match=r"^APP_SECRET_KEY is still the development default"):
        load_settings(AppSettings, "APP_", environ=environ)


def test_production_refuses_an_sqlite_url_it_did_not_ask_for():
    environ = {"APP_ENV": "production", "SECRET_KEY": "s" * 40}
    with pytest.raises(ConfigError, match=r"APP_DATABASE_URL is unset"):
        load_settings(AppSettings, "APP_", environ=environ)


def test_production_accepts_an_explicit_sqlite_url_and_a_real_secret():
    environ = {"APP_ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": "sqlite:///x.db"}
    settings = load_settings(AppSettings, "APP_", environ=environ)
    assert settings.is_production and settings.database_url == "sqlite:///x.db"


def test_settings_are_immutable():
    settings = load_settings(AppSettings, "APP_", environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.token_ttl = 1  # type: ignore[misc]
