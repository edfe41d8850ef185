"""The AI Notes API's settings: NOTES_ variables, the refusals, and each naming its variable."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from projects.notes_ai.config import NotesSettings, load_notes_settings
from projects.notes_ai.vectors import make_store, sqlite_module
from shared.config import ConfigError

SECRET = "a-long-random-production-secret-0123456789abcdefghijklmnop"
NEEDS_A_KEY = (
    "{var}=openai needs OPENAI_API_KEY (any non-empty value for a local server that checks no "
    "key, such as Ollama); or unset {var}"
)


@pytest.fixture(autouse=True)
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No NOTES_ or plain variable of a Notes API setting from the harness's environment."""
    for name in NotesSettings.model_fields:
        monkeypatch.delenv(NotesSettings.env_name(name), raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def refusal(overrides: dict[str, object]) -> str:
    with pytest.raises(ConfigError) as error:
        load_notes_settings(overrides)
    return str(error.value)


def test_the_defaults_need_no_network_no_key_and_no_server() -> None:
    settings = load_notes_settings()
    assert (settings.llm_mode, settings.embeddings, settings.vector_store) == (
        "offline",
        "local",
        "auto",
    )
    assert (settings.openai_api_key, settings.openai_base_url, settings.redis_url) == (
        None,
        None,
        None,
    )


def test_a_key_alone_turns_the_openai_answerer_on() -> None:
    assert load_notes_settings({"OPENAI_API_KEY": "sk-test"}).llm_mode == "openai"
    assert load_notes_settings({"OPENAI_API_KEY": "sk-test", "LLM": "offline"}).llm_mode == (
        "offline"
    )


def test_the_key_and_base_url_are_read_under_their_usual_names(
    environ: pytest.MonkeyPatch,
) -> None:
    environ.setenv("OPENAI_API_KEY", "sk-plain")
    environ.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    settings = load_notes_settings()
    assert (settings.openai_api_key, settings.openai_base_url) == (
        "sk-plain",
        "http://127.0.0.1:11434/v1",
    )
    environ.setenv("NOTES_OPENAI_API_KEY", "sk-notes")
    assert load_notes_settings().openai_api_key == "sk-notes"


@pytest.mark.parametrize("name", ["LLM", "EMBEDDINGS"])
def test_openai_without_a_key_is_refused_naming_both_variables(name: str) -> None:
    assert refusal({name: "openai"}) == NEEDS_A_KEY.format(var=f"NOTES_{name}")


def test_choices_are_case_insensitive() -> None:
    settings = load_notes_settings({"VECTOR_STORE": "NumPy", "LLM": "Offline"})
    assert (settings.vector_store, settings.llm) == ("numpy", "offline")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"LLM": "claude"}, "NOTES_LLM must be one of openai, offline, got 'claude'"),
        ({"EMBEDDINGS": "bert"}, "NOTES_EMBEDDINGS must be one of local, openai, got 'bert'"),
        (
            {"VECTOR_STORE": "faiss"},
            "NOTES_VECTOR_STORE must be one of auto, numpy, sqlite-vec, pgvector, got 'faiss'",
        ),
        (
            {"OPENAI_BASE_URL": "localhost:11434"},
            "NOTES_OPENAI_BASE_URL must be an http(s) URL with a host, e.g. "
            "http://127.0.0.1:11434/v1, got 'localhost:11434'",
        ),
        (
            {"OPENAI_BASE_URL": "ftp://example.com/v1"},
            "NOTES_OPENAI_BASE_URL must be an http(s) URL with a host, e.g. "
            "http://127.0.0.1:11434/v1, got 'ftp://example.com/v1'",
        ),
        (
            {"REDIS_URL": "127.0.0.1:6379"},
            "NOTES_REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379/0, "
            "got '127.0.0.1:6379'",
        ),
        ({"MIN_SCORE": 2}, "NOTES_MIN_SCORE must be at most 1.0, got 2"),
        ({"MAX_NOTE_CHARS": 0}, "NOTES_MAX_NOTE_CHARS must be at least 1, got 0"),
        ({"MAX_BODY_BYTES": "10MB"}, "NOTES_MAX_BODY_BYTES must be a whole number, got '10MB'"),
        ({"LLM_MAX_RETRIES": 11}, "NOTES_LLM_MAX_RETRIES must be at most 10, got 11"),
        ({"CONTEXT_TOKENS": 5}, "NOTES_CONTEXT_TOKENS must be at least 100, got 5"),
        (
            {"OPENAI_EMBEDDING_DIMENSIONS": 4000},
            "NOTES_OPENAI_EMBEDDING_DIMENSIONS must be at most 3072, got 4000",
        ),
        (
            {"PASSWORD_MEMORY_COST": 4, "PASSWORD_PARALLELISM": 1},
            "NOTES_PASSWORD_MEMORY_COST must be at least 8 × NOTES_PASSWORD_PARALLELISM (KiB), "
            "got 4 for 1 lanes",
        ),
    ],
)
def test_a_bad_setting_fails_with_its_variable_named(
    overrides: dict[str, object], message: str
) -> None:
    assert refusal(overrides) == message


def test_a_bad_variable_in_the_environment_is_named(environ: pytest.MonkeyPatch) -> None:
    environ.setenv("NOTES_VECTOR_STORE", "chroma")
    assert refusal({}).startswith("NOTES_VECTOR_STORE must be one of ")


def test_an_unknown_override_is_refused_with_the_known_names() -> None:
    message = refusal({"VECTORSTORE": "numpy"})
    assert message.startswith("unknown setting(s) VECTORSTORE; known: ")
    assert {"VECTOR_STORE", "LLM", "EMBEDDINGS"} <= set(message.split("known: ")[1].split(", "))


def test_production_refuses_the_development_secret() -> None:
    message = refusal({"APP_ENV": "production", "DATABASE_URL": "sqlite://"})
    assert message.startswith("NOTES_SECRET_KEY is still the development default")


def test_production_refuses_an_sqlite_url_it_did_not_ask_for() -> None:
    message = refusal({"APP_ENV": "production", "SECRET_KEY": SECRET})
    assert message.startswith("NOTES_DATABASE_URL is unset, and APP_ENV=production")


def test_production_refuses_debug_mode() -> None:
    production = {"APP_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": "sqlite://"}
    assert refusal({**production, "DEBUG": True}) == (
        "NOTES_DEBUG is on, and APP_ENV=production refuses it; unset NOTES_DEBUG"
    )
    assert load_notes_settings(production).is_production


def test_a_vector_store_that_does_not_fit_the_database_says_what_would() -> None:
    engine = sa.create_engine("sqlite://", module=sqlite_module())
    with pytest.raises(ConfigError) as error:
        make_store("pgvector", engine)
    assert str(error.value) == (
        "NOTES_VECTOR_STORE=pgvector needs PostgreSQL, and the database is sqlite; "
        "use NOTES_VECTOR_STORE=numpy (or auto) or sqlite-vec"
    )
    assert make_store("auto", engine).kind == "sqlite-vec"
    assert make_store("numpy", engine).kind == "numpy"
    engine.dispose()


def test_a_timeout_that_is_not_positive_names_the_variable_and_the_bound() -> None:
    with pytest.raises(ConfigError, match=r"^NOTES_LLM_TIMEOUT must be more than 0.0, got 0$"):
        load_notes_settings({"LLM_TIMEOUT": 0})
