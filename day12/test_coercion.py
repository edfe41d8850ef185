"""Text in the environment becomes typed values; these are the conversions and their traps."""

from __future__ import annotations

import pytest
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from day12.settings import ConfigError, load_settings


@pytest.mark.parametrize("text", ["0", "false", "False", "FALSE", "no", "off", "f", "n"])
def test_these_words_are_false(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_DEBUG", text)

    assert load_settings().debug is False


@pytest.mark.parametrize("text", ["1", "true", "TRUE", "yes", "on", "t", "y"])
def test_these_words_are_true(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_DEBUG", text)

    assert load_settings().debug is True


@pytest.mark.parametrize("text", ["2", "-1", "none", "maybe", " true "])
def test_anything_else_is_refused_as_a_boolean(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_DEBUG", text)

    with pytest.raises(ConfigError) as refused:
        load_settings()

    assert str(refused.value) == (
        f"TODO_DEBUG must be true or false (1/0, yes/no, on/off), got {text!r}"
    )


@pytest.mark.parametrize(
    ("text", "value"), [("20", 20), (" 7 ", 7), ("+5", 5), ("20.0", 20), ("2_5", 25)]
)
def test_whole_numbers_are_read_generously(
    text: str, value: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TODO_PAGE_SIZE", text)

    assert load_settings().page_size == value


@pytest.mark.parametrize("text", ["20.5", "0x10", "twenty"])
def test_a_number_that_is_not_whole_is_refused(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_PAGE_SIZE", text)

    with pytest.raises(ConfigError) as refused:
        load_settings()

    assert str(refused.value) == f"TODO_PAGE_SIZE must be a whole number, got {text!r}"


@pytest.mark.parametrize(
    ("text", "message"),
    [("0", "must be at least 1, got '0'"), ("101", "must be at most 100, got '101'")],
)
def test_a_page_size_out_of_bounds_is_refused(
    text: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TODO_PAGE_SIZE", text)

    with pytest.raises(ConfigError) as refused:
        load_settings()

    assert str(refused.value) == f"TODO_PAGE_SIZE {message}"


def test_a_comma_list_becomes_a_tuple_without_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_CORS_ORIGINS", " https://a.example, ,https://b.example,")

    assert load_settings().cors_origins == ("https://a.example", "https://b.example")


class PlainList(BaseSettings):
    """A list field without NoDecode: what pydantic-settings does by default."""

    model_config = SettingsConfigDict(env_prefix="TODO_")
    cors_origins: list[str] = []


def test_by_default_a_list_must_be_written_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_CORS_ORIGINS", '["https://a.example", "https://b.example"]')
    assert PlainList().cors_origins == ["https://a.example", "https://b.example"]

    monkeypatch.setenv("TODO_CORS_ORIGINS", "https://a.example,https://b.example")
    with pytest.raises(SettingsError, match='error parsing value for field "cors_origins"'):
        PlainList()


def test_two_problems_are_reported_together_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_DEBUG", "maybe")
    monkeypatch.setenv("TODO_PAGE_SIZE", "0")

    with pytest.raises(ConfigError) as refused:
        load_settings()

    assert str(refused.value) == (
        "TODO_DEBUG must be true or false (1/0, yes/no, on/off), got 'maybe'; "
        "TODO_PAGE_SIZE must be at least 1, got '0'"
    )
