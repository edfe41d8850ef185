"""A chat client for OpenAI or any compatible server: settings, a conversation, clear errors.

:func:`settings_from_env` reads ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``OPENAI_MODEL``,
``OPENAI_TIMEOUT`` and ``OPENAI_MAX_RETRIES`` once and refuses a bad value with one line naming
the variable. :func:`make_client` passes the timeout and the retries to the SDK explicitly, so
neither is left to its defaults (10 minutes, 2 retries). A :class:`Conversation` keeps the
messages and sends the whole history with every question, since the API itself remembers nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import openai
from openai import OpenAI

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
#: Seconds for a whole answer; the SDK's own default is 600.
DEFAULT_TIMEOUT = 30.0
#: Retries on a connection error, 408, 409, 429 and 5xx, as the SDK does by default.
DEFAULT_MAX_RETRIES = 2


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable and the fix."""


@dataclass(frozen=True)
class ChatSettings:
    """Where to send questions and how long to wait."""

    api_key: str
    base_url: str = DEFAULT_BASE_URL
    model: str = DEFAULT_MODEL
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES


def check_base_url(url: str) -> str:
    """``url`` without a trailing slash, if it is an http(s) URL with a host; else SettingsError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"OPENAI_BASE_URL must be an http(s) URL such as http://127.0.0.1:8000/v1, got {url!r}"
        )
    return url.strip().rstrip("/")


def settings_from_env(env: Mapping[str, str]) -> ChatSettings:
    """The settings from ``env`` (``os.environ`` in the CLI); SettingsError on a bad value."""
    api_key = env.get("OPENAI_API_KEY", "").strip()
    if not api_key:
        raise SettingsError("OPENAI_API_KEY is unset: export the key of the server to talk to")
    timeout_text = env.get("OPENAI_TIMEOUT", str(DEFAULT_TIMEOUT))
    try:
        timeout = float(timeout_text)
    except ValueError:
        timeout = math.nan
    if not (math.isfinite(timeout) and timeout > 0):
        raise SettingsError(f"OPENAI_TIMEOUT must be seconds above 0, got {timeout_text!r}")
    retries_text = env.get("OPENAI_MAX_RETRIES", str(DEFAULT_MAX_RETRIES))
    if not retries_text.strip().isdigit() or int(retries_text) > 10:
        raise SettingsError(f"OPENAI_MAX_RETRIES must be a whole number 0-10, got {retries_text!r}")
    return ChatSettings(
        api_key=api_key,
        base_url=check_base_url(env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL),
        model=env.get("OPENAI_MODEL", "").strip() or DEFAULT_MODEL,
        timeout=timeout,
        max_retries=int(retries_text),
    )


def make_client(settings: ChatSettings) -> OpenAI:
    """An SDK client with the timeout and retries set explicitly."""
    return OpenAI(
        api_key=settings.api_key,
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
    )


def describe_error(error: Exception, settings: ChatSettings) -> str:
    """One line saying what went wrong with a request, for a person at a terminal."""
    # practice 3: turn what the SDK raises into one line a person can act on
    # hint: test the most specific classes first: APIStatusError (status and the body's message),
    # hint: then a timeout (before a connection error: it is one) and json.JSONDecodeError.
    if isinstance(error, openai.APIStatusError):
        body = error.body if isinstance(error.body, dict) else {}
        message = body.get("message") or error.message
        return f"the server answered {error.status_code}: {message}"
    if isinstance(error, openai.APITimeoutError):
        return f"no answer from {settings.base_url} within {settings.timeout:g} s"
    if isinstance(error, openai.APIConnectionError):
        return f"cannot connect to {settings.base_url}: is the server running?"
    if isinstance(error, json.JSONDecodeError):
        return f"the answer from {settings.base_url} is not valid JSON: {error.msg}"
    return f"{type(error).__name__}: {error}"
    # end practice 3


#: What :meth:`Conversation.ask` lets through: a failure of the request, not a bug of mine.
REQUEST_ERRORS: tuple[type[Exception], ...] = (openai.OpenAIError, json.JSONDecodeError)


@dataclass
class Conversation:
    """The messages so far; each question sends them all and appends the answer."""

    client: OpenAI
    model: str
    system: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    total_tokens: int = 0

    def __post_init__(self) -> None:
        if self.system and not self.messages:
            self.messages.append({"role": "system", "content": self.system})

    def ask(self, question: str) -> str:
        """The assistant's answer to ``question``; on an error the history is left as it was."""
        # practice 1: send the whole history with the question, and keep it only on an answer
        # hint: build the messages to send in a new list; replace self.messages after the call
        # hint: returns, so an error leaves it as it was. Add usage.total_tokens when it is there.
        sent = [*self.messages, {"role": "user", "content": question}]
        answer = self.client.chat.completions.create(model=self.model, messages=sent)  # type: ignore[arg-type]
        text = answer.choices[0].message.content or ""
        self.messages = [*sent, {"role": "assistant", "content": text}]
        if answer.usage is not None:
            self.total_tokens += answer.usage.total_tokens
        return text
        # end practice 1

    def stream(self, question: str) -> list[str]:
        """Ask, reading the answer as it arrives; returns its pieces in order."""
        # practice 2: stream the answer, collecting its pieces and the usage chunk
        # hint: stream=True with stream_options={"include_usage": True}; a chunk has a delta's
        # hint: content, or no choices and the usage. Join the pieces into the history at the end.
        sent = [*self.messages, {"role": "user", "content": question}]
        chunks = self.client.chat.completions.create(
            model=self.model,
            messages=sent,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
        )
        pieces: list[str] = []
        for chunk in chunks:
            if chunk.choices and chunk.choices[0].delta.content:
                pieces.append(chunk.choices[0].delta.content)
            if chunk.usage is not None:
                self.total_tokens += chunk.usage.total_tokens
        self.messages = [*sent, {"role": "assistant", "content": "".join(pieces)}]
        return pieces
        # end practice 2
