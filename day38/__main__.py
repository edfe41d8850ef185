"""`python -m day38`: a scripted chat that remembers, under a budget, with Redis when there is one.

The model is a local OpenAI-compatible server on 127.0.0.1 with scripted answers, reached through
the real SDK; tokens are counted from the requests it received. The memory is the AI Notes API's:
rows in an in-memory SQLite database, and the recent window cached in Redis (``REDIS_URL``, else a
throwaway ``redis-server``). Without Redis the demo says so and reads the database each time.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

import redis
import sqlalchemy as sa

from day17.server import NoRedis, throwaway_redis
from day38.chat import RememberingChat, model_summariser, new_user, prompt_tokens
from projects.notes_ai.llm import ChatModel, make_client
from projects.notes_ai.memory import ConversationMemory, Turn
from projects.notes_ai.models import Base
from shared.db import create_engine
from shared.testing.helpers import count_queries
from shared.testing.openai_server import OpenAIServer, openai_server

#: The demo's own keys, so REDIS_URL's other data is left alone.
PREFIX = "day38:memory"
HISTORY_TOKENS = 150
SUMMARY_TOKENS = 80
SCRIPT = [
    (
        "We are moving the orders table, 40 million rows, from MySQL 5.7 to PostgreSQL 16.",
        "Then plan a bulk copy first and a change stream to catch up, so the cut-over is short.",
    ),
    (
        "The app writes about 300 orders a minute at peak. How long a pause can we take?",
        "At 300 a minute, a 2 minute freeze queues 600 writes: fine if the app retries them.",
    ),
    (
        "Which tool would you use for the bulk copy?",
        "pgloader reads MySQL directly and copies in parallel; test it on a snapshot first.",
    ),
    (
        "Our MySQL uses utf8, not utf8mb4. Does that matter?",
        "Yes: MySQL's utf8 stores at most 3 bytes per character, so check for broken emoji.",
    ),
    (
        "How do we check that every row arrived?",
        "Compare counts and a checksum of each day's orders on both sides before switching.",
    ),
    (
        "What about the auto-increment ids?",
        "Copy them as they are, then set the PostgreSQL sequence past the highest id.",
    ),
    (
        "Should the app write to both databases for a while?",
        "Dual writes drift on partial failures; prefer one writer and a change stream.",
    ),
    (
        "Remind me: how many rows, and which versions?",
        "40 million rows, from MySQL 5.7 to PostgreSQL 16.",
    ),
    (
        "And what pause did we say was fine at peak?",
        "About 2 minutes: 600 queued writes at 300 orders a minute.",
    ),
    (
        "Who should be on call during the switch?",
        "Whoever owns the orders service, plus a DBA who can read both databases' locks.",
    ),
    (
        "And if the checksums differ after the copy?",
        "Do not switch: find the day that differs, copy it again, and compare once more.",
    ),
    (
        "Write the cut-over steps in one line.",
        "Freeze writes, drain the change stream, compare checksums, move the sequence, switch.",
    ),
]


class Warnings(logging.Handler):
    """The memory's warnings, kept to be shown with the random port taken out."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


WARNINGS = Warnings()


def main() -> int:
    memory_log = logging.getLogger("projects.notes_ai.memory")
    memory_log.addHandler(WARNINGS)
    memory_log.propagate = False
    with redis_for_demo() as redis_url:
        engine = create_engine("sqlite://")
        Base.metadata.create_all(engine)
        with openai_server() as server:
            chat_with_memory(engine, server, redis_url)
            summarise_with_a_model(server)
            if redis_url is not None:
                redis_cache(engine, server, redis_url, own=not os.environ.get("REDIS_URL"))
        engine.dispose()
    return 0


@contextmanager
def redis_for_demo() -> Iterator[str | None]:
    """REDIS_URL, else a throwaway redis-server, else None (and the demo says so)."""
    if url := os.environ.get("REDIS_URL"):
        print("Redis: the server in REDIS_URL.")
        yield url
        return
    try:
        with throwaway_redis() as url:
            print("Redis: a throwaway redis-server on 127.0.0.1 caches the recent turns.")
            yield url
    except NoRedis:
        print(
            "Redis: none (REDIS_URL is unset and redis-server is not installed): the memory is "
            "read from the database, an in-process SQLite, every time."
        )
        yield None


def chat_with_memory(engine: sa.Engine, server: OpenAIServer, redis_url: str | None) -> None:
    print(
        f"Budget: {HISTORY_TOKENS} tokens of recent turns verbatim, {SUMMARY_TOKENS} of summary "
        "(older turns folded, extractively).\n"
    )
    memory = ConversationMemory(
        redis_url, history_tokens=HISTORY_TOKENS, summary_tokens=SUMMARY_TOKENS, prefix=PREFIX
    )
    model = ChatModel(make_client(server.api_key, server.base_url, 5.0, 0), "local-chat")
    chat = RememberingChat(engine, memory, model, new_user(engine, "demo@example.com"))
    server.script(*(answer for _, answer in SCRIPT))
    print("turn  sent  summary  recent turns  everything  question")
    for number, (question, _) in enumerate(SCRIPT, start=1):
        exchange = chat.ask(question)
        received = prompt_tokens(server.requests[-1].body["messages"])
        assert received == exchange.sent_tokens
        asked = textwrap.shorten(question, 40, placeholder=" ...")
        print(
            f"{number:4}  {received:4}  {exchange.summary_tokens:7}  {exchange.recent_turns:12}"
            f"  {exchange.everything_tokens:10}  {asked}"
        )
    context = chat.context()
    print(f"\nWhat the next question is sent with ({len(context.turns)} recent turns):")
    for line in (context.summary or "").splitlines():
        print(f"  summary | {line}")
    for turn in context.turns:
        print(f"  {turn.role:9} | {textwrap.shorten(turn.content, 80, placeholder=' ...')}")
    sent = " ".join([context.summary or "", *(turn.content for turn in context.turns)])
    gone = SCRIPT[0][0].split(",")[0] not in sent
    print(
        f"Turn 1 ({SCRIPT[0][0][:38]}...) is {'no longer' if gone else 'still'} sent, verbatim "
        "or summarised: the extractive summary keeps the newest lines. Its row count reaches "
        "the model only because turn 8 repeated it."
    )


def summarise_with_a_model(server: OpenAIServer) -> None:
    model = ChatModel(make_client(server.api_key, server.base_url, 5.0, 0), "local-chat")
    summarise = model_summariser(model, limit_tokens=SUMMARY_TOKENS)
    turns = [
        Turn(role, text) for q, a in SCRIPT[:4] for role, text in (("user", q), ("assistant", a))
    ]
    server.script(
        "Moving orders (40M rows) from MySQL 5.7 to PostgreSQL 16 with pgloader and a change "
        "stream; 300 writes/min at peak, a 2 min freeze is fine; check utf8 (3-byte) text."
    )
    summary = summarise(None, turns)
    sent = prompt_tokens(server.requests[-1].body["messages"])
    print(
        f"\nWith a model as summariser: one extra request per fold ({sent} tokens to fold 4 "
        f"turns); the reply, scripted here, keeps the facts:\n  {summary}"
    )


def redis_cache(engine: sa.Engine, server: OpenAIServer, redis_url: str, *, own: bool) -> None:
    memory = ConversationMemory(redis_url, history_tokens=HISTORY_TOKENS, prefix=PREFIX)
    model = ChatModel(make_client(server.api_key, server.base_url, 5.0, 0), "local-chat")
    chat = RememberingChat(engine, memory, model, new_user(engine, "cache@example.com"))
    for question, _ in SCRIPT[:3]:
        chat.ask(question)

    def message_queries() -> int:
        with count_queries(engine) as counter:
            chat.context()
        return sum(1 for s in counter.statements if "FROM messages" in s)

    print("\nReading a conversation's memory, counting the queries of the messages table:")
    print(f"  the window cached in Redis: {message_queries()}")
    client = redis.Redis.from_url(redis_url)
    for key in list(client.scan_iter(match=f"{PREFIX}:*", count=500)):
        client.delete(key)
    print(f"  the keys deleted, a miss: {message_queries()} (the window is rebuilt from the rows)")
    print(f"  the next read: {message_queries()}")
    if not own:
        client.close()
        print("  (the server in REDIS_URL is not shut down to show an outage)")
        return
    client.shutdown(nosave=True)
    client.close()
    reads = [message_queries() for _ in range(3)]
    print(f"  redis-server shut down, three reads: {reads}: the database answers, and")
    port = redis_url.rsplit(":", 1)[1].split("/")[0]
    for message in WARNINGS.messages:
        # The error inside depends on whether a pooled connection was open (reset) or not.
        message = re.sub(r"\(.*\)", "(...)", message.replace(port, "PORT"))
        print(f"  one warning is logged: {message}")


if __name__ == "__main__":
    sys.exit(main())
