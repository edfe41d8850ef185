"""The AI Notes API's settings: read once from ``NOTES_*`` (then plain) environment variables.

``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` are read under their usual names (``NOTES_`` first),
so one key serves the SDK's own tools and this API alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.config import BaseSettings, OptionalText, load_settings, own_name_only

WEEK = 7 * 24 * 3600
LLMS = ("openai", "offline")
EMBEDDINGS = ("local", "openai")
VECTOR_STORES = ("auto", "numpy", "sqlite-vec", "pgvector")


def _one_of(choices: tuple[str, ...]) -> Callable[[str | None], str | None]:
    def check(value: str | None) -> str | None:
        if value is None:
            return None
        if value.lower() not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, got {value!r}")
        return value.lower()

    return check


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"must be an http(s) URL with a host, e.g. http://127.0.0.1:11434/v1, got {value!r}"
        )
    return value


def _redis_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.netloc or parts.path):
        raise ValueError(f"must be a Redis URL such as redis://127.0.0.1:6379/0, got {value!r}")
    return value


class NotesSettings(BaseSettings):
    """Every knob the AI Notes API has; the defaults need no network, no key and no server."""

    model_config = SettingsConfigDict(env_prefix="NOTES_")

    database_url: str = "sqlite:///instance/notes.db"
    #: Who writes the answers: ``openai`` (any OpenAI-compatible server) or ``offline`` (an
    #: extractive answerer that quotes the notes). Unset: ``openai`` when a key is set.
    llm: Annotated[OptionalText, AfterValidator(_one_of(LLMS))] = None
    openai_api_key: OptionalText = None
    #: Another OpenAI-compatible server (Ollama, vLLM, llama.cpp), e.g. http://127.0.0.1:11434/v1.
    openai_base_url: Annotated[OptionalText, AfterValidator(_http_url)] = None
    chat_model: str = "gpt-4o-mini"
    #: Seconds one model call may take, and how many times the SDK retries 408/409/429/5xx and
    #: connection errors (with its own exponential backoff) before the API answers 503.
    llm_timeout: float = Field(30.0, gt=0)
    llm_max_retries: int = Field(2, ge=0, le=10)
    #: ``local``: all-MiniLM-L6-v2 on the CPU (384-d, no network); ``openai``: the embeddings API.
    embeddings: Annotated[str, AfterValidator(_one_of(EMBEDDINGS))] = "local"
    #: The hosted embedding model and its dimension (``NOTES_EMBEDDINGS=openai`` only).
    openai_embedding_model: str = "text-embedding-3-small"
    openai_embedding_dimensions: int = Field(1536, ge=1, le=3072)
    #: Where vectors are searched: ``auto`` takes pgvector on PostgreSQL, sqlite-vec on SQLite,
    #: else exact numpy search.
    vector_store: Annotated[str, AfterValidator(_one_of(VECTOR_STORES))] = "auto"
    #: Conversation memory in Redis (unset: in the database only).
    redis_url: Annotated[OptionalText, AfterValidator(_redis_url)] = None
    #: Tokens of note text packed into one answer's context, and of earlier turns kept verbatim
    #: (older turns are summarised).
    context_tokens: int = Field(1500, ge=100)
    history_tokens: int = Field(800, ge=0)
    #: The cosine similarity below which a passage does not count as found. For the local
    #: model, unrelated questions mostly score under 0.25 against the nearest passage, and
    #: paraphrased questions about a note over it.
    min_score: float = Field(0.25, ge=-1, le=1)
    #: Lifetime of a login token, in seconds.
    token_ttl: int = Field(WEEK, ge=1)
    #: Argon2id cost. The defaults are argon2-cffi's (RFC 9106 low-memory); tests lower them.
    password_time_cost: int = Field(3, ge=1)
    password_memory_cost: int = 65536
    password_parallelism: int = Field(4, ge=1)
    #: Longest note body accepted, in characters.
    max_note_chars: int = Field(100_000, ge=1)
    #: Largest request body accepted, in bytes (an import's zip included); more answers 413.
    max_body_bytes: int = Field(10_000_000, ge=1)
    #: Create and migrate the database when the app starts (turn off when a release step migrates).
    auto_migrate: bool = True
    #: Flask's flags. Only the NOTES_ names are read: plain DEBUG and TESTING belong to other tools.
    testing: bool = own_name_only(False)
    debug: bool = own_name_only(False)

    @property
    def llm_mode(self) -> str:
        """The answerer in use: the one asked for, else ``openai`` exactly when a key is set."""
        return self.llm or ("openai" if self.openai_api_key else "offline")

    @model_validator(mode="after")
    def _openai_needs_a_key(self) -> Self:
        wanted = [name for name in ("llm", "embeddings") if getattr(self, name) == "openai"]
        if wanted and not self.openai_api_key:
            var = self.env_name(wanted[0])
            raise ValueError(
                f"{var}=openai needs OPENAI_API_KEY (any non-empty value for a local server "
                f"that checks no key, such as Ollama); or unset {var}"
            )
        return self

    @model_validator(mode="after")
    def _argon2_memory_fits_the_lanes(self) -> Self:
        if self.password_memory_cost < 8 * self.password_parallelism:
            memory = self.env_name("password_memory_cost")
            raise ValueError(
                f"{memory} must be at least 8 × {self.env_name('password_parallelism')} (KiB), "
                f"got {self.password_memory_cost} for {self.password_parallelism} lanes"
            )
        return self


def load_notes_settings(overrides: Mapping[str, Any] | None = None) -> NotesSettings:
    """Settings from ``overrides`` (plain upper-case names), then the environment, then defaults.

    An override that names no setting is refused, not ignored.
    """
    return load_settings(NotesSettings, overrides)
