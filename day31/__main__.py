"""`python -m day31`: a resilient chat client against a local server that fails on purpose.

The local OpenAI-compatible server on 127.0.0.1 is scripted to answer 429s, 500s, slow replies,
broken bodies and a bad key; a port with no server plays an outage. Waits between tries pass on a
virtual clock (nothing sleeps), while timeouts are real and short. Exits 0.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from openai import OpenAI

from day31.resilient import Clock, Exhausted, Outcome, Policy, ResilientChat
from projects.notes_ai.llm import LLMUnavailable
from shared.testing.helpers import free_port
from shared.testing.openai_server import OpenAIServer, Reply, openai_server

QUESTION = [{"role": "user", "content": "What did I note about Redis?"}]
MODELS = ("local-chat", "local-chat-mini")


class VirtualClock(Clock):
    """Real time plus every wait, which returns at once: the decisions are real, nothing sleeps."""

    def __init__(self) -> None:
        self.slept = 0.0

    def now(self) -> float:
        return time.monotonic() + self.slept

    def sleep(self, seconds: float) -> None:
        self.slept += seconds


def offline(messages: list[dict[str, Any]]) -> str:
    return "The model is unreachable; here are your notes that match instead."


def show(title: str, outcome: Outcome) -> None:
    print(title)
    for attempt in outcome.attempts:
        wait = f", waited {attempt.wait:.2f} s" if attempt.wait is not None else ""
        print(f"  {attempt.model}: {attempt.outcome}{wait}")
    plural = "s" if outcome.requests > 1 else ""
    print(f"  -> {outcome.model}: {outcome.text}  [{outcome.requests} request{plural}]\n")


def chat(client: OpenAI, policy: Policy, **options: Any) -> ResilientChat:
    return ResilientChat(
        client,
        options.pop("models", MODELS),
        policy=policy,
        clock=VirtualClock(),
        rng=random.Random(29),
        **options,
    )


def main() -> int:
    policy = Policy(attempts=3, base_delay=0.5, deadline=5.0, per_try_timeout=5.0)
    with openai_server() as server:
        # Built with the SDK's retries on: the wrapper turns them off for every request.
        client = OpenAI(api_key=server.api_key, base_url=server.base_url, max_retries=2)
        server.script(*[Reply.failure(429, "Rate limit reached", "rate_limit_error")] * 2, "Hi.")
        show(
            "429, 429, then an answer (the server's retry-after-ms: 10 is what is waited):",
            chat(client, policy).complete(QUESTION),
        )

        server.script(*[Reply.failure(500, "The server had an error")] * 3, "From the mini.")
        show(
            "500 three times: 3 requests (not 9 with the SDK's 2 retries), then the next model:",
            chat(client, policy).complete(QUESTION),
        )

        server.script(Reply(malformed=True), "From the mini again.")
        show(
            "A broken body is not retried on the same model:",
            chat(client, policy).complete(QUESTION),
        )

        slow = Policy(attempts=2, base_delay=0.5, deadline=5.0, per_try_timeout=0.3)
        server.script(*[Reply(text="late", delay=3.0)] * 2)
        show(
            "Slow replies, 0.3 s per try, one model, then the offline answer:",
            chat(client, slow, models=MODELS[:1], offline=offline).complete(QUESTION),
        )

        breaker(server, client, policy)
        bad_key(server, policy)
    outage(policy)
    return 0


def breaker(server: OpenAIServer, client: OpenAI, policy: Policy) -> None:
    resilient = chat(client, policy, threshold=3, cooldown=30.0)
    server.script(*[Reply.failure(503, "Overloaded")] * 3, "Mini 1.", "Mini 2.", "Back.")
    show("Circuit breaker: three 503s open local-chat's circuit:", resilient.complete(QUESTION))
    show("The next question does not even try it:", resilient.complete(QUESTION))
    resilient.clock.sleep(30.0)
    show(
        "30 s later one trial request is let through, and closes it:", resilient.complete(QUESTION)
    )


def bad_key(server: OpenAIServer, policy: Policy) -> None:
    wrong = OpenAI(api_key="wrong", base_url=server.base_url)
    before = len(server.requests)
    try:
        chat(wrong, policy, offline=offline).complete(QUESTION)
    except LLMUnavailable as error:
        sent = len(server.requests) - before
        print(f"A bad key: {error}  [{sent} request, no fallback]\n")


def outage(policy: Policy) -> None:
    down = OpenAI(api_key="k", base_url=f"http://127.0.0.1:{free_port()}/v1")
    patient = Policy(attempts=10, base_delay=0.5, deadline=4.0, per_try_timeout=2.0)
    resilient = chat(down, patient, models=MODELS[:1], threshold=10)
    try:
        resilient.complete(QUESTION)
    except Exhausted as error:
        print("No server at all, 10 tries allowed within a 4 s deadline, backoff with full jitter:")
        waits = ", ".join(f"{a.wait:.2f}" for a in error.attempts if a.wait is not None)
        print(f"  {len(error.attempts)} tries, waits {waits} s, then the deadline: {error}")


if __name__ == "__main__":
    sys.exit(main())
