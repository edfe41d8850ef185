"""The model side of chat: an OpenAI client with explicit limits, and one error for every failure.

:func:`make_client` builds the official SDK's client with the timeout and the retries given
explicitly (the SDK's own timeout is ten minutes). :class:`ChatModel` asks it for a whole answer
(:meth:`ChatModel.complete`) or for the answer's text pieces as they arrive
(:meth:`ChatModel.stream`). Whatever goes wrong upstream, an error status, a timeout, no server, a
body that is not JSON (which the SDK lets escape as ``json.JSONDecodeError``, not as an openai
error), becomes :class:`LLMUnavailable`, whose message is safe to show a user and says what
failed; the API renders it as a 503.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Iterator, Mapping
from typing import Any

import openai
from openai import OpenAI

#: The longest Retry-After passed on to a client, in seconds; beyond it the hint is dropped.
MAX_RETRY_AFTER = 120.0


class LLMUnavailable(Exception):
    """The language model could not answer; the message says why, without secrets or internals.

    ``retry_after`` is the number of seconds the upstream asked to wait (a 429's Retry-After),
    or None when it did not say.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def make_client(api_key: str, base_url: str | None, timeout: float, max_retries: int) -> OpenAI:
    """An SDK client with the timeout (seconds per try) and the retries set explicitly.

    ``base_url`` None means OpenAI's own; any OpenAI-compatible server's URL ends in ``/v1``.
    """
    return OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a response asks for: ``retry-after-ms``, else ``Retry-After`` as seconds or a date.

    None when neither header is there, is readable, or is within 0 < wait <= MAX_RETRY_AFTER.
    """
    lower = {name.lower(): value for name, value in headers.items()}
    wait: float | None = None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            wait = float(lower[name]) / divisor
            break
        except (KeyError, ValueError):
            continue
    if wait is None and "retry-after" in lower:
        parsed = email.utils.parsedate_tz(lower["retry-after"])
        if parsed is not None:
            wait = email.utils.mktime_tz(parsed) - (time.time() if now is None else now)
    if wait is None or not math.isfinite(wait) or not 0 < wait <= MAX_RETRY_AFTER:
        return None
    return wait


def timeout_of(client: OpenAI) -> float | None:
    """The client's read timeout in seconds (a float, or httpx's Timeout object), if it has one."""
    value: Any = client.timeout
    if isinstance(value, int | float):
        return float(value)
    read = getattr(value, "read", None)
    return float(read) if isinstance(read, int | float) else None


def unavailable(error: Exception, timeout: float | None = None) -> LLMUnavailable:
    """What :class:`ChatModel` raises for ``error``: one sentence a user may read."""
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        if status == 429:
            wait = retry_after_seconds(error.response.headers)
            later = f"try again in {math.ceil(wait)} s" if wait is not None else "try again later"
            return LLMUnavailable(
                f"the language model is rate limited upstream (429): {later}", retry_after=wait
            )
        if status == 401:
            return LLMUnavailable(
                "the language model refused the API key (401): check OPENAI_API_KEY"
            )
        if status >= 500:
            return LLMUnavailable(f"the language model failed upstream (error {status})")
        if status == 404:
            return LLMUnavailable(
                "the language model was not found (404): check NOTES_CHAT_MODEL and OPENAI_BASE_URL"
            )
        return LLMUnavailable(f"the language model refused the request (error {status})")
    if isinstance(error, openai.APITimeoutError):
        within = f" after {timeout:g} s" if timeout is not None else ""
        return LLMUnavailable(f"the language model timed out{within}")
    if isinstance(error, openai.APIConnectionError):
        return LLMUnavailable("the language model is unreachable: check OPENAI_BASE_URL")
    if isinstance(error, json.JSONDecodeError | openai.APIResponseValidationError):
        return LLMUnavailable("the language model's reply was malformed")
    return LLMUnavailable("the language model failed: " + type(error).__name__)


#: What a request to the model may raise that is a failure upstream, not a bug here.
REQUEST_ERRORS: tuple[type[Exception], ...] = (openai.OpenAIError, json.JSONDecodeError)


class ChatModel:
    """One chat model behind an SDK client: ``ChatModel(client, "gpt-4o-mini")``."""

    def __init__(self, client: OpenAI, model: str) -> None:
        self.client = client
        self.model = model

    def complete(self, messages: list[dict[str, Any]]) -> str:
        """The assistant's whole answer to ``messages``; LLMUnavailable when it cannot be had."""
        try:
            answer = self.client.chat.completions.create(model=self.model, messages=messages)  # type: ignore[arg-type]
        except REQUEST_ERRORS as error:
            raise unavailable(error, timeout_of(self.client)) from error
        if not getattr(answer, "choices", None):
            raise LLMUnavailable("the language model's reply was malformed")
        return answer.choices[0].message.content or ""

    def stream(self, messages: list[dict[str, Any]]) -> Iterator[str]:
        """The answer's text pieces as they arrive.

        The request is sent now, so a refusal (a bad key, a 429, no server) raises LLMUnavailable
        here, before a caller has started its own response; a failure while reading, or a stream
        that ends without the model saying it finished, raises it from the iterator.
        """
        try:
            chunks = self.client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                stream=True,
            )
        except REQUEST_ERRORS as error:
            raise unavailable(error, timeout_of(self.client)) from error
        return self._pieces(chunks)

    def _pieces(self, chunks: Any) -> Iterator[str]:
        finished = False
        try:
            for chunk in chunks:
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                if choice.delta is not None and choice.delta.content:
                    yield choice.delta.content
                finished = finished or choice.finish_reason is not None
        except REQUEST_ERRORS as error:
            raise unavailable(error, timeout_of(self.client)) from error
        finally:
            chunks.close()
        if not finished:
            raise LLMUnavailable("the language model's reply was malformed")
