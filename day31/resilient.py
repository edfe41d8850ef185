"""A chat client that keeps answering when the model server does not: my retries, not the SDK's.

:class:`ResilientChat` sends each request with the SDK's own retries off (``max_retries=0``), so
one layer decides: it retries what is worth retrying (a 408, 409, 429, any 5xx, a timeout, no
connection) with exponential backoff and full jitter, waits what a Retry-After asks instead when
the server says, gives every try only the time left before a deadline over all attempts, and
moves to the next model when one keeps failing. A :class:`CircuitBreaker` per model stops
sending requests to a model that failed several times in a row, for a cooldown. When every model
is out, an offline answer (if given) is returned, marked degraded; else LLMUnavailable.

The clock and the sleep are injected (:class:`Clock`), so tests decide how time passes.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import openai
from openai import OpenAI

from projects.notes_ai.llm import LLMUnavailable, retry_after_seconds, unavailable

RETRIED_STATUSES = frozenset({408, 409, 429})
#: A try with less time than this left before the deadline is not started.
MIN_TRY = 0.1


class Clock:
    """Real time: ``time.monotonic`` and ``time.sleep``; tests pass their own."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class Policy:
    attempts: int = 3  # tries per model
    base_delay: float = 0.5  # seconds; the cap of the first backoff
    max_delay: float = 8.0
    deadline: float = 20.0  # seconds over every try and wait of one request
    per_try_timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or min(self.base_delay, self.max_delay) < 0:
            raise ValueError("attempts must be at least 1 and delays at least 0")
        if self.deadline < MIN_TRY or self.per_try_timeout <= 0:
            raise ValueError(
                f"the deadline must be at least {MIN_TRY} s, the per-try timeout above 0"
            )


def backoff(retry: int, policy: Policy, rng: random.Random) -> float:
    """Full jitter: a uniform wait in [0, min(max_delay, base_delay * 2 ** retry)]."""
    # practice 1: pick the wait before a retry with exponential backoff and full jitter
    # hint: the cap doubles with each retry from base_delay and stops at max_delay; wait anywhere
    # hint: between 0 and that cap, drawn from rng.
    return rng.uniform(0.0, min(policy.max_delay, policy.base_delay * 2**retry))
    # end practice 1


@dataclass
class CircuitBreaker:
    """Open after ``threshold`` failures in a row; after ``cooldown`` s, one trial may pass."""

    clock: Clock
    threshold: int = 3
    cooldown: float = 30.0
    failures: int = 0
    opened_at: float | None = None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if self.clock.now() - self.opened_at >= self.cooldown else "open"

    def allow(self) -> bool:
        return self.state != "open"

    def success(self) -> None:
        self.failures, self.opened_at = 0, None

    def failure(self) -> None:
        # practice 2: count a failure and open the circuit when it is one too many
        # hint: it opens after threshold failures in a row, or at once when the trial after the
        # hint: cooldown fails; opening means remembering when.
        self.failures += 1
        if self.state == "half-open" or self.failures >= self.threshold:
            self.opened_at = self.clock.now()
        # end practice 2


class Exhausted(LLMUnavailable):
    """Every model failed or was skipped, and there is no offline answer; ``attempts`` says how."""

    def __init__(self, cause: LLMUnavailable, attempts: list[Attempt]) -> None:
        super().__init__(cause.message, retry_after=cause.retry_after)
        self.attempts = attempts


@dataclass(frozen=True)
class Attempt:
    model: str
    outcome: str  # "ok", "429", "500", "timeout", "unreachable", "malformed", "circuit open", …
    wait: float | None = None  # what was waited after it, if anything


@dataclass
class Outcome:
    text: str
    model: str  # the model that answered, or "offline"
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def degraded(self) -> bool:
        return self.model == "offline"

    @property
    def requests(self) -> int:
        return sum(1 for attempt in self.attempts if attempt.outcome != "circuit open")


def outcome_of(error: Exception) -> str:
    if isinstance(error, openai.APIStatusError):
        return str(error.status_code)
    if isinstance(error, openai.APITimeoutError):
        return "timeout"
    if isinstance(error, openai.APIConnectionError):
        return "unreachable"
    return "malformed"


def retryable(error: Exception) -> bool:
    """An outage worth trying again: a timeout, no connection, 408, 409, 429 or 5xx."""
    if isinstance(error, openai.APIStatusError):
        return error.status_code in RETRIED_STATUSES or error.status_code >= 500
    return isinstance(error, openai.APIConnectionError)  # timeouts included


class ResilientChat:
    """``complete(messages)`` over ``models`` in order, within one deadline."""

    def __init__(
        self,
        client: OpenAI,
        models: Sequence[str],
        *,
        policy: Policy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        offline: Callable[[list[dict[str, Any]]], str] | None = None,
        threshold: int = 3,
        cooldown: float = 30.0,
    ) -> None:
        if not models:
            raise ValueError("at least one model")
        self.client = client
        self.models = list(models)
        self.policy = policy or Policy()
        self.clock = clock or Clock()
        self.rng = rng or random.Random()
        self.offline = offline
        self.breakers = {
            model: CircuitBreaker(self.clock, threshold, cooldown) for model in self.models
        }

    def complete(self, messages: list[dict[str, Any]]) -> Outcome:
        """The first answer any model gives in time, else the offline one, else LLMUnavailable."""
        start = self.clock.now()
        attempts: list[Attempt] = []
        last: Exception | None = None
        for model in self.models:
            breaker = self.breakers[model]
            if not breaker.allow():
                attempts.append(Attempt(model, "circuit open"))
                continue
            for retry in range(self.policy.attempts):
                left = self.policy.deadline - (self.clock.now() - start)
                if left < MIN_TRY:
                    break
                try:
                    text = self.ask(model, messages, min(self.policy.per_try_timeout, left))
                except (openai.OpenAIError, json.JSONDecodeError) as error:
                    last = error
                    if isinstance(error, openai.AuthenticationError):
                        # A bad key is the same for every model: a setting to fix, not an outage.
                        raise unavailable(error) from error
                    if not retryable(error):
                        attempts.append(Attempt(model, outcome_of(error)))
                        break
                    # practice 3: retry only when a try is left and the wait fits the deadline
                    # hint: tell the breaker; a retry needs a try left, a closed breaker and room
                    # hint: for the wait plus MIN_TRY before the deadline, else record it and stop.
                    breaker.failure()
                    wait = self.wait_after(error, retry)
                    tries_left = retry + 1 < self.policy.attempts and breaker.allow()
                    fits = self.clock.now() - start + wait + MIN_TRY <= self.policy.deadline
                    if not (tries_left and fits):
                        attempts.append(Attempt(model, outcome_of(error)))
                        break
                    attempts.append(Attempt(model, outcome_of(error), wait))
                    self.clock.sleep(wait)
                    continue
                    # end practice 3
                breaker.success()
                attempts.append(Attempt(model, "ok"))
                return Outcome(text, model, attempts)
        if self.offline is not None:
            return Outcome(self.offline(messages), "offline", attempts)
        if last is None:
            cause = LLMUnavailable("the language model is unavailable: every circuit is open")
            raise Exhausted(cause, attempts)
        raise Exhausted(unavailable(last, self.policy.per_try_timeout), attempts) from last

    def ask(self, model: str, messages: list[dict[str, Any]], timeout: float) -> str:
        client = self.client.with_options(timeout=timeout, max_retries=0)
        answer = client.chat.completions.create(model=model, messages=messages)  # type: ignore[arg-type]
        return answer.choices[0].message.content or ""

    def wait_after(self, error: Exception, retry: int) -> float:
        """The server's Retry-After when it gave one, else backoff with jitter."""
        if isinstance(error, openai.APIStatusError):
            hinted = retry_after_seconds(error.response.headers)
            if hinted is not None:
                return hinted
        return backoff(retry, self.policy, self.rng)
