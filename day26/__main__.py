"""`python -m day26`: a CLI chat against OpenAI or any OpenAI-compatible server.

With ``OPENAI_API_KEY`` set it asks that server (``OPENAI_BASE_URL``, else OpenAI) one question
from ``--message``, or one per line of stdin, keeping the conversation. Without a key it says so
in one line and shows a short scripted conversation with a local compatible server on 127.0.0.1,
through the real SDK, errors included. Exit 0 when done, 1 when a request failed, 2 for a bad
setting or argument.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable

from day26.chat import (
    REQUEST_ERRORS,
    ChatSettings,
    Conversation,
    SettingsError,
    describe_error,
    make_client,
    settings_from_env,
)
from shared.testing.openai_server import OpenAIServer, Reply, openai_server

#: How the demo prints the local server's URL, whose port changes every run.
LOCAL_URL = "http://127.0.0.1:PORT/v1"
SYSTEM = "You answer questions about backend engineering in one or two sentences."


def build_parser() -> argparse.ArgumentParser:
    """The chat's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m day26",
        description="Chat with OpenAI or any OpenAI-compatible server. Settings come from the "
        "environment: OPENAI_API_KEY, OPENAI_BASE_URL (default https://api.openai.com/v1), "
        "OPENAI_MODEL (default gpt-4o-mini), OPENAI_TIMEOUT (seconds, default 30), "
        "OPENAI_MAX_RETRIES (default 2). Without OPENAI_API_KEY it shows a scripted "
        "conversation with a local compatible server instead.",
    )
    parser.add_argument("-m", "--message", help="one question; without it, one per stdin line")
    parser.add_argument("--system", default=SYSTEM, help="the system message")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Chat with the configured server, or run the offline demo when no key is set."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not os.environ.get("OPENAI_API_KEY", "").strip():
        print("OPENAI_API_KEY is unset: a scripted chat with a local compatible server instead.")
        demo()
        return 0
    try:
        settings = settings_from_env(os.environ)
    except SettingsError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    questions: Iterable[str] = [args.message] if args.message is not None else sys.stdin
    return chat(settings, questions, args.system)


def chat(settings: ChatSettings, questions: Iterable[str], system: str) -> int:
    """Ask each non-blank question in turn; stop at the first failure (exit status 1)."""
    conversation = Conversation(make_client(settings), settings.model, system=system)
    for line in questions:
        question = line.strip()
        if not question:
            continue
        try:
            print(conversation.ask(question), flush=True)
        except REQUEST_ERRORS as error:
            print(f"python -m day26: {describe_error(error, settings)}", file=sys.stderr)
            return 1
    return 0


def demo() -> None:
    """A scripted conversation through the real SDK, then the errors as a user would see them."""
    with openai_server() as server:
        settings = ChatSettings(
            api_key=server.api_key, base_url=server.base_url, model="local-chat", timeout=5.0
        )
        client = make_client(settings)
        print(f"Models: {', '.join(model.id for model in client.models.list())}")
        print(f"Client: timeout {settings.timeout:g} s, max_retries {settings.max_retries}\n")
        conversation = Conversation(client, settings.model, system=SYSTEM)
        server.script(
            "An in-memory data store: strings, hashes, lists, sets and sorted sets.",
            "Sorted sets, one ZINCRBY per score and ZREVRANGE for the top.",
        )
        for question in ("What is Redis?", "Which type for a leaderboard?"):
            print(f"you: {question}\nassistant: {conversation.ask(question)}")
        sent = [message["role"] for message in server.requests[-1].body["messages"]]
        print(f"  (the second request sent the whole history: {', '.join(sent)})")

        server.script("Idempotency means one request or five, the same effect.")
        pieces = conversation.stream("And idempotency?")
        print(f"you: And idempotency?\nassistant (streamed in {len(pieces)} pieces): ", end="")
        print("".join(pieces))
        print(f"  tokens used so far: {conversation.total_tokens}\n")

        rate_limited(server, conversation)
        errors(server, settings)


def rate_limited(server: OpenAIServer, conversation: Conversation) -> None:
    server.script(Reply.failure(429, "Rate limit reached", "rate_limit_error"), "Here I am.")
    before = len(server.requests)
    answer = conversation.ask("Are you there?")
    tries = [request.headers["x-stainless-retry-count"] for request in server.requests[before:]]
    print(f"429 then 200: the SDK retried by itself (retry counts {', '.join(tries)}): {answer}")


def errors(server: OpenAIServer, settings: ChatSettings) -> None:
    print("Errors, one line each, [requests the SDK sent] (the local port shown as PORT):")
    impatient = ChatSettings(
        api_key=server.api_key, base_url=server.base_url, timeout=0.5, max_retries=0
    )
    failing = [
        (settings, [Reply.failure(500, "The server had an error")] * 3),
        (impatient, [Reply(text="late", delay=3.0)]),
        (settings, [Reply(malformed=True)]),
        (ChatSettings(api_key="wrong", base_url=server.base_url, model="local-chat"), []),
    ]
    for used, replies in failing:
        server.replies.clear()
        server.script(*replies)
        before = len(server.requests)
        try:
            Conversation(make_client(used), used.model).ask("hello?")
        except REQUEST_ERRORS as error:
            line = describe_error(error, used).replace(server.base_url, LOCAL_URL)
            tries = len(server.requests) - before
            print(f"  python -m day26: {line}  [{tries} request{'s' if tries > 1 else ''}]")


if __name__ == "__main__":
    sys.exit(main())
