"""The resilient client against the local server's scripted failures, on a clock the test drives."""

from __future__ import annotations

import random
import time

import pytest
from openai import OpenAI

from day31.resilient import (
    MIN_TRY,
    CircuitBreaker,
    Clock,
    Exhausted,
    Policy,
    ResilientChat,
    backoff,
)
from projects.notes_ai.llm import LLMUnavailable
from shared.testing.helpers import free_port
from shared.testing.openai_server import OpenAIServer, Reply, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module

QUESTION = [{"role": "user", "content": "hi"}]
MODELS = ["primary", "fallback"]


class ManualClock(Clock):
    """Time moves only when something sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.time = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def client_for(server: OpenAIServer, key: str | None = None) -> OpenAI:
    return OpenAI(api_key=key or server.api_key, base_url=server.base_url, max_retries=2)


def resilient(client: OpenAI, clock: ManualClock, **options: object) -> ResilientChat:
    settings: dict[str, object] = {"models": MODELS, "rng": random.Random(1)} | options
    models = settings.pop("models")
    policy = settings.pop("policy", Policy(attempts=3, deadline=20.0, per_try_timeout=5.0))
    return ResilientChat(client, models, policy=policy, clock=clock, **settings)  # type: ignore[arg-type]


def models_asked(server: OpenAIServer) -> list[str]:
    return [request.body["model"] for request in server.requests]


def test_backoff_is_full_jitter_under_a_doubling_cap() -> None:
    policy, rng = Policy(base_delay=0.5, max_delay=4.0), random.Random(0)
    for retry, cap in enumerate([0.5, 1.0, 2.0, 4.0, 4.0]):
        waits = [backoff(retry, policy, rng) for _ in range(200)]
        assert min(waits) >= 0 and max(waits) <= cap, (retry, min(waits), max(waits))
        assert max(waits) > cap * 0.9, (retry, max(waits))


@pytest.mark.parametrize(
    "options", [{"attempts": 0}, {"base_delay": -1.0}, {"deadline": 0.0}, {"per_try_timeout": 0.0}]
)
def test_a_policy_refuses_values_that_cannot_work(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Policy(**options)  # type: ignore[arg-type]


def test_the_breaker_opens_after_the_threshold_and_lets_one_trial_through_after_cooldown(
    clock: ManualClock,
) -> None:
    breaker = CircuitBreaker(clock, threshold=2, cooldown=10.0)
    breaker.failure()
    assert breaker.state == "closed"
    breaker.failure()
    assert (breaker.state, breaker.allow()) == ("open", False)
    clock.sleep(10.0)
    assert (breaker.state, breaker.allow()) == ("half-open", True)
    breaker.failure()  # the trial failed: open again, for a whole cooldown
    assert breaker.state == "open"
    clock.sleep(10.0)
    breaker.success()
    assert (breaker.state, breaker.failures) == ("closed", 0)


def test_a_429_waits_what_the_server_asks_then_answers(
    local_openai: OpenAIServer, clock: ManualClock
) -> None:
    local_openai.script(*[Reply.failure(429, "slow down", "rate_limit_error")] * 2, "ok")
    outcome = resilient(client_for(local_openai), clock).complete(QUESTION)
    assert (outcome.text, outcome.model, outcome.requests) == ("ok", "primary", 3)
    assert clock.sleeps == [0.01, 0.01]  # retry-after-ms: 10, not the backoff


def test_the_sdk_retries_are_off_so_each_attempt_is_one_request(
    local_openai: OpenAIServer, clock: ManualClock
) -> None:
    local_openai.script(*[Reply.failure(500, "boom")] * 3, "from the fallback")
    outcome = resilient(client_for(local_openai), clock).complete(QUESTION)
    assert models_asked(local_openai) == ["primary"] * 3 + ["fallback"]
    assert {r.headers["x-stainless-retry-count"] for r in local_openai.requests} == {"0"}
    assert (outcome.text, outcome.model) == ("from the fallback", "fallback")


def test_no_server_is_retried_with_backoff_until_the_deadline(clock: ManualClock) -> None:
    client = OpenAI(api_key="k", base_url=f"http://127.0.0.1:{free_port()}/v1")
    policy = Policy(attempts=10, base_delay=1.0, max_delay=8.0, deadline=3.0)
    chat = resilient(client, clock, models=["only"], policy=policy, threshold=100)
    with pytest.raises(Exhausted, match="unreachable: check OPENAI_BASE_URL") as raised:
        chat.complete(QUESTION)
    rng = random.Random(1)
    expected = [backoff(retry, policy, rng) for retry in range(len(clock.sleeps))]
    assert clock.sleeps == expected
    assert sum(clock.sleeps) + MIN_TRY <= policy.deadline
    assert len(raised.value.attempts) == len(clock.sleeps) + 1 < policy.attempts


def test_each_try_gets_only_the_time_left_before_the_deadline(local_openai: OpenAIServer) -> None:
    local_openai.script(Reply(text="late", delay=5.0))
    policy = Policy(attempts=1, deadline=0.5, per_try_timeout=10.0)
    chat = ResilientChat(client_for(local_openai), ["only"], policy=policy)
    started = time.monotonic()
    with pytest.raises(Exhausted, match="timed out"):
        chat.complete(QUESTION)
    assert time.monotonic() - started < 3.0


def test_a_bad_key_fails_at_once_with_no_fallback_and_no_offline_answer(
    local_openai: OpenAIServer, clock: ManualClock
) -> None:
    chat = resilient(client_for(local_openai, key="wrong"), clock, offline=lambda m: "offline")
    with pytest.raises(LLMUnavailable, match="check OPENAI_API_KEY"):
        chat.complete(QUESTION)
    assert len(local_openai.requests) == 1


def test_a_broken_body_moves_to_the_next_model_without_a_retry(
    local_openai: OpenAIServer, clock: ManualClock
) -> None:
    local_openai.script(Reply(malformed=True), "fine")
    outcome = resilient(client_for(local_openai), clock).complete(QUESTION)
    assert models_asked(local_openai) == ["primary", "fallback"]
    assert [a.outcome for a in outcome.attempts] == ["malformed", "ok"]


def test_when_every_model_fails_the_offline_answer_is_returned_degraded(
    local_openai: OpenAIServer, clock: ManualClock
) -> None:
    local_openai.script(*[Reply.failure(503, "overloaded")] * 6)
    chat = resilient(client_for(local_openai), clock, offline=lambda m: "from my notes")
    outcome = chat.complete(QUESTION)
    assert (outcome.text, outcome.degraded, outcome.requests) == ("from my notes", True, 6)


def test_when_every_model_fails_without_offline_it_is_unavailable_with_the_attempts(
    local_openai: OpenAIServer, clock: ManualClock
) -> None:
    local_openai.script(*[Reply.failure(500, "boom")] * 6)
    with pytest.raises(Exhausted, match=r"failed upstream \(error 500\)") as raised:
        resilient(client_for(local_openai), clock).complete(QUESTION)
    assert [a.model for a in raised.value.attempts] == ["primary"] * 3 + ["fallback"] * 3


def test_an_open_circuit_skips_the_model_without_a_request(
    local_openai: OpenAIServer, clock: ManualClock
) -> None:
    chat = resilient(client_for(local_openai), clock, threshold=3, cooldown=30.0)
    local_openai.script(*[Reply.failure(500, "boom")] * 3, "one", "two", "three")
    chat.complete(QUESTION)
    outcome = chat.complete(QUESTION)
    assert [(a.model, a.outcome) for a in outcome.attempts] == [
        ("primary", "circuit open"),
        ("fallback", "ok"),
    ]
    clock.sleep(30.0)
    assert chat.complete(QUESTION).model == "primary"
    assert models_asked(local_openai) == ["primary"] * 3 + ["fallback", "fallback", "primary"]


def test_with_every_circuit_open_it_is_unavailable_without_a_request(
    local_openai: OpenAIServer, clock: ManualClock
) -> None:
    chat = resilient(client_for(local_openai), clock, models=["only"], threshold=1)
    local_openai.script(Reply.failure(500, "boom"))
    with pytest.raises(Exhausted):
        chat.complete(QUESTION)
    with pytest.raises(Exhausted, match="every circuit is open"):
        chat.complete(QUESTION)
    assert len(local_openai.requests) == 1


@pytest.mark.parametrize("status", [408, 409, 502])
def test_these_statuses_are_retried_on_the_same_model(
    local_openai: OpenAIServer, clock: ManualClock, status: int
) -> None:
    local_openai.script(Reply.failure(status, "try again"), "ok")
    outcome = resilient(client_for(local_openai), clock).complete(QUESTION)
    assert (outcome.model, models_asked(local_openai)) == ("primary", ["primary", "primary"])


@pytest.mark.parametrize("status", [400, 404])
def test_another_4xx_moves_to_the_next_model_without_a_retry(
    local_openai: OpenAIServer, clock: ManualClock, status: int
) -> None:
    local_openai.script(Reply.failure(status, "no such model"), "ok")
    outcome = resilient(client_for(local_openai), clock).complete(QUESTION)
    assert models_asked(local_openai) == ["primary", "fallback"]
    assert [a.outcome for a in outcome.attempts] == [str(status), "ok"]
