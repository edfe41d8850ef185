"""Conversation memory: budgets, the running summary, and Redis as a cache that may fail.

Database tests run on SQLite, MySQL and PostgreSQL (``db_session``); Redis tests use the root
``redis_url`` server, or a ``redis-server`` of their own when they stop it mid-test.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from projects.notes_ai.memory import (
    TURN_OVERHEAD,
    ConversationMemory,
    MemoryContext,
    Turn,
    offline_summary,
    read_summary,
    write_summary,
)
from projects.notes_ai.models import Base, Conversation, User
from projects.notes_ai.tokens import count_tokens
from shared.testing.helpers import count_queries, free_port

_emails = itertools.count(1)


@pytest.fixture
def db_metadata() -> sa.MetaData:
    return Base.metadata


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def new_conversation(session: Session) -> Conversation:
    user = User(email=f"memory{next(_emails)}@example.com", password_hash="x")
    session.add(user)
    session.flush()
    conversation = Conversation(user_id=user.id, title="memory")
    session.add(conversation)
    session.flush()
    return conversation


def question(i: int) -> str:
    return f"Question {i} is about backups. Which tool restores table {i} fastest?"


def answer(i: int) -> str:
    return f"Answer {i}: restore it with the dump of table {i}. Check the row counts after."


def chat(
    memory: ConversationMemory, session: Session, conversation: Conversation, i: int
) -> MemoryContext:
    """One exchange as the chat endpoint runs it: context, two rows, commit, push."""
    context = memory.context(session, conversation)
    memory.record(session, conversation, "user", question(i), [])
    memory.record(session, conversation, "assistant", answer(i), [{"note_id": 1}])
    session.commit()
    memory.after_commit(conversation.id, [Turn("user", question(i)), Turn("assistant", answer(i))])
    return context


def turn_tokens(context: MemoryContext) -> int:
    return sum(count_tokens(turn.content) + TURN_OVERHEAD for turn in context.turns)


def message_selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT") and "messages" in s]


# --- the offline summariser ------------------------------------------------------------------


def test_offline_summary_keeps_the_first_sentence_of_each_turn_after_the_previous_summary() -> None:
    turns = [Turn("user", "How do I back up?  Asking for prod."), Turn("assistant", "Use dumps.")]
    summary = offline_summary("User asked: Hello.", turns)
    assert summary == "User asked: Hello.\nUser asked: How do I back up?\nAnswer: Use dumps."


def test_offline_summary_drops_the_oldest_lines_to_stay_under_its_limit() -> None:
    turns = [Turn("user", f"Question {i} about a topic of its own.") for i in range(40)]
    summary = offline_summary(None, turns, limit_tokens=50)
    assert count_tokens(summary) <= 50
    assert summary.endswith("User asked: Question 39 about a topic of its own.")
    assert "Question 0 " not in summary


def test_a_summary_row_says_how_many_messages_it_covers() -> None:
    assert read_summary(write_summary("Answer: yes.", 12)) == ("Answer: yes.", 12)
    assert read_summary(None) == (None, 0)
    assert read_summary("written by hand") == ("written by hand", None)


# --- budgets, on the three databases ---------------------------------------------------------


def test_a_40_turn_conversation_stays_under_the_history_budget(db_session: Session) -> None:
    memory = ConversationMemory(None, history_tokens=150)
    conversation = new_conversation(db_session)
    sizes = [turn_tokens(chat(memory, db_session, conversation, i)) for i in range(20)]
    final = memory.context(db_session, conversation)
    assert max(sizes) <= 150, sizes
    assert 0 < turn_tokens(final) <= 150
    assert final.turns[-1] == Turn("assistant", answer(19))
    assert count_tokens(final.summary or "") <= 200


def test_the_summary_grows_then_stays_under_its_limit(db_session: Session) -> None:
    memory = ConversationMemory(None, history_tokens=100, summary_tokens=120)
    conversation = new_conversation(db_session)
    summaries = [chat(memory, db_session, conversation, i).summary or "" for i in range(20)]
    lengths = [count_tokens(s) for s in summaries]
    assert lengths[0] == 0 and max(lengths) <= 120, lengths
    assert lengths.index(max(lengths)) > 0 and lengths[5] > lengths[2], lengths
    # The newest folded turn is always in it: the summary keeps up with the conversation.
    latest = memory.context(db_session, conversation)
    folded = read_summary(conversation.summary)[1]
    assert folded is not None and f"Answer {folded // 2 - 1}:" in (latest.summary or "")


def test_every_turn_is_either_in_the_window_or_folded_exactly_once(db_session: Session) -> None:
    seen: list[list[Turn]] = []

    def summarise(previous: str | None, turns: Any) -> str:
        seen.append(list(turns))
        return "folded"

    memory = ConversationMemory(None, history_tokens=120, summarise=summarise)
    conversation = new_conversation(db_session)
    for i in range(12):
        chat(memory, db_session, conversation, i)
    context = memory.context(db_session, conversation)
    everything = [turn for batch in seen for turn in batch] + context.turns
    expected = [
        t for i in range(12) for t in (Turn("user", question(i)), Turn("assistant", answer(i)))
    ]
    assert everything == expected


def test_a_rolled_back_request_folds_the_same_turns_again(db_session: Session) -> None:
    memory = ConversationMemory(None, history_tokens=60)
    conversation = new_conversation(db_session)
    for i in range(4):
        chat(memory, db_session, conversation, i)
    stored = conversation.summary
    first = memory.context(db_session, conversation)
    db_session.rollback()
    assert conversation.summary == stored
    assert memory.context(db_session, conversation) == first


def test_the_newest_turn_alone_over_the_budget_is_cut_to_fit(db_session: Session) -> None:
    memory = ConversationMemory(None, history_tokens=30)
    conversation = new_conversation(db_session)
    memory.record(db_session, conversation, "user", "word " * 200, [])
    db_session.commit()
    context = memory.context(db_session, conversation)
    assert len(context.turns) == 1 and turn_tokens(context) <= 30
    assert context.summary is None


def test_record_refuses_a_role_other_than_user_or_assistant(db_session: Session) -> None:
    memory = ConversationMemory(None, history_tokens=100)
    conversation = new_conversation(db_session)
    with pytest.raises(ValueError, match="role must be one of user, assistant, got 'system'"):
        memory.record(db_session, conversation, "system", "be nice", [])


def test_a_failing_summariser_falls_back_to_the_extractive_one(
    db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(previous: str | None, turns: Any) -> str:
        raise RuntimeError("model down")

    memory = ConversationMemory(None, history_tokens=40, summarise=broken)
    conversation = new_conversation(db_session)
    for i in range(3):
        chat(memory, db_session, conversation, i)
    assert "User asked: Question 0 is about backups." in (
        memory.context(db_session, conversation).summary or ""
    )
    assert "the summariser failed" in caplog.text


# --- Redis -------------------------------------------------------------------------------------


@pytest.fixture
def cache(redis_url: str) -> Iterator[str]:
    """The shared Redis, emptied before and after."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield redis_url
    client.flushdb()
    client.close()


def test_a_redis_hit_reads_no_messages_and_matches_the_database(
    db_session: Session, db_engine: sa.Engine, cache: str
) -> None:
    cached = ConversationMemory(cache, history_tokens=120)
    plain = ConversationMemory(None, history_tokens=120)
    conversation = new_conversation(db_session)
    for i in range(10):
        chat(cached, db_session, conversation, i)
    expected = plain.context(db_session, conversation)
    with count_queries(db_engine) as counter:
        got = cached.context(db_session, conversation)
    assert message_selects(counter.statements) == []
    assert got == expected


def test_a_redis_miss_rebuilds_the_window_from_the_database(
    db_session: Session, db_engine: sa.Engine, cache: str
) -> None:
    memory = ConversationMemory(cache, history_tokens=120)
    conversation = new_conversation(db_session)
    for i in range(6):
        chat(memory, db_session, conversation, i)
    redis.Redis.from_url(cache).flushdb()
    with count_queries(db_engine) as miss:
        rebuilt = memory.context(db_session, conversation)
    db_session.commit()
    with count_queries(db_engine) as hit:
        again = memory.context(db_session, conversation)
    assert len(message_selects(miss.statements)) == 1
    assert message_selects(hit.statements) == []
    assert again == rebuilt and rebuilt.turns[-1] == Turn("assistant", answer(5))


def test_conversations_never_share_a_window(db_session: Session, cache: str) -> None:
    memory = ConversationMemory(cache, history_tokens=200)
    first, second = new_conversation(db_session), new_conversation(db_session)
    chat(memory, db_session, first, 1)
    chat(memory, db_session, second, 2)
    assert [t.content for t in memory.context(db_session, first).turns] == [question(1), answer(1)]
    assert [t.content for t in memory.context(db_session, second).turns] == [
        question(2),
        answer(2),
    ]


def test_a_deleted_conversations_window_never_reaches_one_with_its_id(
    db_session: Session, db_engine: sa.Engine, cache: str
) -> None:
    memory = ConversationMemory(cache, history_tokens=200)
    old = new_conversation(db_session)
    chat(memory, db_session, old, 1)
    memory.context(db_session, old)  # the window is cached
    old_id = old.id
    db_session.delete(old)
    db_session.commit()
    other = new_conversation(db_session)
    assert other.id == old_id or db_engine.dialect.name != "sqlite"  # SQLite reuses the id
    assert memory.context(db_session, other) == MemoryContext(None, [])


def test_forget_drops_the_cached_window(
    db_session: Session, db_engine: sa.Engine, cache: str
) -> None:
    memory = ConversationMemory(cache, history_tokens=200)
    conversation = new_conversation(db_session)
    chat(memory, db_session, conversation, 1)
    memory.context(db_session, conversation)
    memory.forget(conversation.id)
    with count_queries(db_engine) as counter:
        memory.context(db_session, conversation)
    assert len(message_selects(counter.statements)) == 1


def test_a_turn_pushed_while_a_miss_reads_the_database_is_not_overwritten(
    db_session: Session, db_engine: sa.Engine, cache: str
) -> None:
    memory = ConversationMemory(cache, history_tokens=200)
    conversation = new_conversation(db_session)
    chat(memory, db_session, conversation, 1)
    redis.Redis.from_url(cache).flushdb()
    pushed: list[bool] = []

    def push_meanwhile(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "messages" in statement and not pushed:
            pushed.append(True)  # another request commits a turn between the read and the write
            memory.after_commit(conversation.id, [Turn("user", "pushed meanwhile")])

    sa.event.listen(db_engine, "before_cursor_execute", push_meanwhile)
    try:
        memory.context(db_session, conversation)
    finally:
        sa.event.remove(db_engine, "before_cursor_execute", push_meanwhile)
    with count_queries(db_engine) as counter:
        memory.context(db_session, conversation)
    assert pushed and len(message_selects(counter.statements)) == 1  # a miss, not a stale hit


# --- Redis that stops answering -----------------------------------------------------------------


@pytest.fixture
def own_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of this test's own on 127.0.0.1, so the test may stop it."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=0.5)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not answer PING"
            time.sleep(0.02)
    client.close()
    try:
        yield url, process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
            process.terminate()
        process.wait(timeout=10)


def test_redis_stopped_mid_conversation_falls_back_to_the_database_logged_once(
    db_session: Session,
    own_redis: tuple[str, subprocess.Popen[bytes]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, process = own_redis
    clock = Clock()
    memory = ConversationMemory(url, history_tokens=120, clock=clock)
    plain = ConversationMemory(None, history_tokens=120)
    conversation = new_conversation(db_session)
    for i in range(3):
        chat(memory, db_session, conversation, i)
    process.terminate()
    process.wait(timeout=10)
    with caplog.at_level(logging.WARNING, logger="projects.notes_ai.memory"):
        for i in range(3, 8):
            clock.now += 10  # past the pause: every call tries Redis again, and fails
            chat(memory, db_session, conversation, i)
        final = memory.context(db_session, conversation)
    assert final == plain.context(db_session, conversation)
    assert final.turns[-1] == Turn("assistant", answer(7))
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 1, caplog.text


def test_a_frozen_redis_costs_one_timeout_then_is_left_alone(
    db_session: Session, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, process = own_redis
    clock = Clock()
    memory = ConversationMemory(url, history_tokens=120, clock=clock)
    conversation = new_conversation(db_session)
    chat(memory, db_session, conversation, 1)
    os.kill(process.pid, signal.SIGSTOP)  # accepts connections, answers nothing
    started = time.monotonic()
    memory.context(db_session, conversation)
    first = time.monotonic() - started
    started = time.monotonic()
    context = memory.context(db_session, conversation)
    second = time.monotonic() - started
    assert 0.4 < first < 2.0 and second < 0.2, (first, second)
    assert context.turns == [Turn("user", question(1)), Turn("assistant", answer(1))]
    assert not memory.redis_available


def test_turns_written_during_an_outage_are_not_lost_when_redis_returns(
    db_session: Session, db_engine: sa.Engine, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, process = own_redis
    clock = Clock()
    memory = ConversationMemory(url, history_tokens=200, clock=clock)
    conversation = new_conversation(db_session)
    chat(memory, db_session, conversation, 1)
    memory.context(db_session, conversation)  # the window is cached
    os.kill(process.pid, signal.SIGSTOP)
    chat(memory, db_session, conversation, 2)  # read and push both fail: database only
    os.kill(process.pid, signal.SIGCONT)
    clock.now += 10
    context = memory.context(db_session, conversation)
    assert [t.content for t in context.turns] == [question(1), answer(1), question(2), answer(2)]
    with count_queries(db_engine) as counter:
        assert memory.context(db_session, conversation) == context
    assert message_selects(counter.statements) == []
