"""SecretStr keeps the secret key out of reprs, logs and JSON; secrets.token_urlsafe makes one."""

from __future__ import annotations

import json
import logging
import re

import pytest
from pydantic import SecretStr

from day12.settings import TodoSettings, generate_secret, load_settings

SECRET = "s3cr3t-value-that-must-never-be-printed-anywhere"


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> TodoSettings:
    monkeypatch.setenv("TODO_SECRET_KEY", SECRET)
    return load_settings(None)


def test_repr_and_str_show_stars(settings: TodoSettings) -> None:
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert "secret_key=SecretStr('**********')" in repr(settings)
    assert f"{settings.secret_key}" == "**********"


def test_a_log_line_with_the_settings_shows_stars(
    settings: TodoSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("day12").info("loaded %s", settings)

    assert SECRET not in caplog.text and "**********" in caplog.text


def test_json_shows_stars(settings: TodoSettings) -> None:
    assert json.loads(settings.model_dump_json())["secret_key"] == "**********"


def test_model_dump_keeps_the_secret_wrapped(settings: TodoSettings) -> None:
    assert isinstance(settings.model_dump()["secret_key"], SecretStr)


def test_only_get_secret_value_reveals_it(settings: TodoSettings) -> None:
    assert settings.secret_key.get_secret_value() == SECRET


def test_a_password_inside_a_plain_url_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    # SecretStr hides only the fields marked as secret.
    monkeypatch.setenv("TODO_DATABASE_URL", "postgresql://todo:pw-in-url@db/todo")

    assert "pw-in-url" in repr(load_settings(None))


def test_a_generated_secret_is_43_url_safe_characters_and_new_each_time() -> None:
    first, second = generate_secret(), generate_secret()

    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first), first
    assert first != second
