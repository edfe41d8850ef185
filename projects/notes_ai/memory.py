"""Conversation memory: the recent turns verbatim, older ones folded into a running summary.

:meth:`ConversationMemory.context` gives what the model sees of a conversation: the newest turns
that fit in ``history_tokens`` (each costs its tokens plus :data:`TURN_OVERHEAD` for the message
framing), oldest first, and a summary of everything before them, at most ``summary_tokens``
long. So however long a conversation gets, its memory stays under the same budget.

**The database is the record.** Every turn is a ``messages`` row; the summary is
``conversations.summary``, whose first line says how many messages it covers
(``[summary of the first 12 messages]``), so the turns still to fold are found again after a
restart, a Redis miss or a rolled-back request. Folding happens in :meth:`~ConversationMemory.
context`, which updates the row in the caller's session: the caller commits it with the turn.

**Redis is a cache of the recent window** (optional). Per conversation, a list of the turns after
the fold point and a hash with the owner's stamp, the turn count and a version, both with a TTL.
The summary is not copied there: it is on the conversation row the caller has already loaded.
A hit is one Redis round trip (a Lua script that checks the entry, trims what has been folded and
returns the rest) and no query of ``messages``. A miss reads the database and writes the window
back, unless a turn was pushed meanwhile (the version changed): then the next call rebuilds.
Redis down or slow (0.5 s socket timeouts, no retries) means the database, logged once per outage;
for :data:`RETRY_SECONDS` after a failure Redis is not tried, and the windows of conversations that
gained turns meanwhile are invalidated as soon as it answers again.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import redis
import sqlalchemy as sa
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.orm import Session

from projects.notes_ai.models import Conversation, Message
from projects.notes_ai.tokens import pack, truncate_to_tokens
from shared.cache import redacted

log = logging.getLogger(__name__)

ROLES = ("user", "assistant")
#: Tokens a chat message costs beyond its content (role and framing), as tokens.pack counts.
TURN_OVERHEAD = 4
#: The longest summary kept, in tokens, whatever the summariser returns.
SUMMARY_TOKENS = 200
#: The longest line a folded turn adds to the offline summary, in tokens.
LINE_TOKENS = 60
#: Seconds Redis is left alone after it failed, before it is tried again.
RETRY_SECONDS = 5.0
#: Socket timeouts talking to Redis: past this the database answers instead.
REDIS_TIMEOUT = 0.5
#: Turns cached beyond the most a window can hold, before the oldest are trimmed.
CACHE_SLACK = 64

_HEADER = re.compile(r"\A\[summary of the first (\d+) messages?\]\n?")
_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s")
_LABELS = {"user": "User asked: ", "assistant": "Answer: "}


@dataclass(frozen=True)
class Turn:
    """One message of a conversation: who said it (``user`` or ``assistant``) and what."""

    role: str
    content: str


@dataclass(frozen=True)
class MemoryContext:
    """What the model sees of a conversation: the summary of older turns, then recent turns."""

    summary: str | None
    turns: list[Turn]


#: ``(previous summary, turns to fold, oldest first) -> new summary``.
Summariser = Callable[[str | None, Sequence[Turn]], str]


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, whitespace collapsed (all of it when it has one)."""
    flat = " ".join(text.split())
    return _FIRST_SENTENCE.split(flat, maxsplit=1)[0]


def offline_summary(
    previous: str | None, turns: Sequence[Turn], *, limit_tokens: int = SUMMARY_TOKENS
) -> str:
    """An extractive summary, no model needed: one line per folded turn, after ``previous``.

    Each turn adds its first sentence (at most :data:`LINE_TOKENS`), as ``User asked: …`` or
    ``Answer: …``. Over ``limit_tokens`` the oldest lines go first, so the summary keeps up with
    the conversation; the result is at most ``limit_tokens`` tokens.
    """
    lines = [line for line in (previous or "").splitlines() if line.strip()]
    for turn in turns:
        sentence = first_sentence(turn.content)
        if sentence:
            label = _LABELS.get(turn.role, f"{turn.role.capitalize()}: ")
            lines.append(label + truncate_to_tokens(sentence, LINE_TOKENS))
    kept = pack(lines[::-1], limit_tokens, overhead=1)  # newest first, one token per newline
    return truncate_to_tokens("\n".join(kept[::-1]), limit_tokens)


def read_summary(stored: str | None) -> tuple[str | None, int | None]:
    """The summary text of ``conversations.summary`` and how many messages it covers.

    None as the count means a summary this module did not write (no header line).
    """
    if not stored:
        return None, 0
    header = _HEADER.match(stored)
    if header is None:
        return stored, None
    return stored[header.end() :] or None, int(header.group(1))


def write_summary(text: str | None, folded: int) -> str:
    """``conversations.summary`` for ``text`` covering the first ``folded`` messages."""
    noun = "message" if folded == 1 else "messages"
    return f"[summary of the first {folded} {noun}]\n{text or ''}"


# KEYS: meta, turns. ARGV: owner, folded, ttl. Returns {1, turns...} on a hit, {0, version} on a
# miss. A hit drops the turns the summary now covers, so the list holds only unfolded turns.
_READ = """
local total = tonumber(redis.call('HGET', KEYS[1], 'total'))
if not total or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return {0, redis.call('HGET', KEYS[1], 'version') or '0'}
end
local folded = tonumber(ARGV[2])
local start = total - redis.call('LLEN', KEYS[2])
if folded < start or folded > total then
  return {0, redis.call('HGET', KEYS[1], 'version') or '0'}
end
if folded > start then redis.call('LTRIM', KEYS[2], folded - start, -1) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
local turns = redis.call('LRANGE', KEYS[2], 0, -1)
table.insert(turns, 1, 1)
return turns
"""

# KEYS: meta, turns. ARGV: version seen at the miss, owner, total, ttl, turns... Writes the window
# only if no turn was pushed since the miss (the version is unchanged).
_REBUILD = """
if (redis.call('HGET', KEYS[1], 'version') or '0') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'total', ARGV[3])
if #ARGV > 4 then redis.call('RPUSH', KEYS[2], unpack(ARGV, 5)) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""

# KEYS: meta, turns. ARGV: ttl, most turns kept, turns... Appends to a cached window; with none,
# only bumps the version, so a rebuild read before this turn was committed is not written.
_APPEND = """
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('EXPIRE', KEYS[1], ARGV[1])
if not redis.call('HGET', KEYS[1], 'total') then return 0 end
redis.call('RPUSH', KEYS[2], unpack(ARGV, 3))
redis.call('HINCRBY', KEYS[1], 'total', #ARGV - 2)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1
"""

# KEYS: meta, turns. ARGV: ttl. Forgets the window, keeping the version counting up.
_INVALIDATE = """
redis.call('HDEL', KEYS[1], 'owner', 'total')
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
"""


@dataclass(frozen=True)
class _Miss:
    version: str


class ConversationMemory:
    """The memory of every conversation of one app: database always, Redis when configured.

    ``history_tokens`` bounds the verbatim turns, ``summary_tokens`` the summary (whatever
    ``summarise`` returns is cut to it). ``clock`` and ``retry_seconds`` time the pause after a
    Redis failure. Safe to share between threads; sessions are the caller's.
    """

    def __init__(
        self,
        redis_url: str | None,
        *,
        history_tokens: int,
        summarise: Summariser = offline_summary,
        prefix: str = "notes:memory",
        ttl_seconds: int = 86400,
        summary_tokens: int = SUMMARY_TOKENS,
        retry_seconds: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if history_tokens < 0:
            raise ValueError(f"history_tokens must be 0 or more, got {history_tokens}")
        if ttl_seconds < 1:
            raise ValueError(f"ttl_seconds must be at least 1, got {ttl_seconds}")
        self.history_tokens = history_tokens
        self.summary_tokens = summary_tokens
        self.summarise = summarise
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self.retry_seconds = retry_seconds
        self.clock = clock
        #: The most turns a window can hold (each costs at least the overhead), plus slack.
        self.cache_turns = history_tokens // TURN_OVERHEAD + 1 + CACHE_SLACK
        self.redis_url = redis_url
        self._redis: redis.Redis | None = None
        if redis_url:
            self._redis = redis.Redis.from_url(
                redis_url,
                socket_timeout=REDIS_TIMEOUT,
                socket_connect_timeout=REDIS_TIMEOUT,
                retry=Retry(NoBackoff(), 0),  # one try: the database is the fallback
                decode_responses=True,
            )
            self._read = self._redis.register_script(_READ)
            self._rebuild = self._redis.register_script(_REBUILD)
            self._append = self._redis.register_script(_APPEND)
            self._invalidate = self._redis.register_script(_INVALIDATE)
        self._lock = threading.Lock()
        self._down_until: float | None = None
        #: Conversations that gained turns while Redis was not reachable: their windows are stale.
        self._stale: set[int] = set()

    # --- the interface ---------------------------------------------------------------------

    def context(self, session: Session, conversation: Conversation) -> MemoryContext:
        """The summary and the recent turns of ``conversation``, within the budgets.

        Turns that no longer fit are folded into the summary, and ``conversation.summary`` is
        updated in ``session`` (the caller commits it). Never raises for Redis.
        """
        summary, folded = read_summary(conversation.summary)
        if conversation.id is None:
            return MemoryContext(summary, [])
        cached = self._cached(conversation, folded) if folded is not None else None
        if isinstance(cached, list):
            unfolded = cached
        else:
            unfolded = self._load(session, conversation.id, folded or 0)
        kept, window = self._window(unfolded)
        dropped = unfolded[: len(unfolded) - len(kept)]
        if folded is None:
            # A summary written elsewhere: take it as covering everything before the window.
            folded = len(unfolded) - len(kept)
            conversation.summary = write_summary(summary, folded)
        elif dropped:
            folded += len(dropped)
            summary = self._fold(summary, dropped)
            conversation.summary = write_summary(summary, folded)
        if isinstance(cached, _Miss):
            self._write_back(conversation, cached, folded, kept)
        return MemoryContext(summary or None, window)

    def record(
        self,
        session: Session,
        conversation: Conversation,
        role: str,
        content: str,
        sources: list[dict[str, Any]],
    ) -> Message:
        """Add one turn's ``messages`` row to ``session`` (the caller commits)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        message = Message(conversation=conversation, role=role, content=content, sources=sources)
        session.add(message)
        return message

    def after_commit(self, conversation_id: int, turns: Sequence[Turn]) -> None:
        """Push committed ``turns`` onto the cached window (nothing to do without Redis)."""
        if self._redis is None or not turns:
            return
        payload = [json.dumps([turn.role, turn.content]) for turn in turns]
        if not self._available():
            self._mark_stale(conversation_id)
            return
        try:
            self._flush_stale()
            self._append(
                keys=self._keys(conversation_id),
                args=[self.ttl_seconds, self.cache_turns, *payload],
            )
        except redis.RedisError as error:
            self._failed(error)
            self._mark_stale(conversation_id)
        else:
            self._recovered()

    def forget(self, conversation_id: int) -> None:
        """Drop the cached window of a conversation (when it is deleted)."""
        if self._redis is None:
            return
        if not self._available():
            self._mark_stale(conversation_id)
            return
        try:
            self._invalidate(keys=self._keys(conversation_id), args=[self.ttl_seconds])
        except redis.RedisError as error:
            self._failed(error)
            self._mark_stale(conversation_id)
        else:
            self._recovered()

    @property
    def redis_available(self) -> bool:
        """Whether Redis is configured and not in a pause after a failure."""
        return self._redis is not None and self._available()

    # --- budgets -----------------------------------------------------------------------------

    def _window(self, unfolded: Sequence[Turn]) -> tuple[list[Turn], list[Turn]]:
        """The newest turns that fit (as stored, and as sent: the newest may be cut to fit)."""
        window = pack(
            list(unfolded[::-1]),
            self.history_tokens,
            text=lambda turn: turn.content,
            overhead=TURN_OVERHEAD,
            shorten=lambda turn, cut: Turn(turn.role, cut),
        )[::-1]
        return list(unfolded[len(unfolded) - len(window) :]), window

    def _fold(self, summary: str | None, turns: Sequence[Turn]) -> str:
        if self.summarise is offline_summary:
            # Its own limit, so it drops its oldest lines rather than being cut at the end.
            return offline_summary(summary, turns, limit_tokens=self.summary_tokens)
        try:
            folded = self.summarise(summary, turns)
        except Exception:
            log.exception("conversation memory: the summariser failed; folding extractively")
            folded = offline_summary(summary, turns, limit_tokens=self.summary_tokens)
        return truncate_to_tokens(folded.strip(), self.summary_tokens)

    # --- the database --------------------------------------------------------------------------

    @staticmethod
    def _load(session: Session, conversation_id: int, folded: int) -> list[Turn]:
        rows = session.execute(
            sa.select(Message.role, Message.content)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.id)
            .offset(folded)
        )
        return [Turn(role, content) for role, content in rows]

    # --- Redis -------------------------------------------------------------------------------

    def _keys(self, conversation_id: int) -> list[str]:
        # One hash tag per conversation: both keys live on the same Redis Cluster slot.
        base = f"{self.prefix}:{{{conversation_id}}}"
        return [f"{base}:meta", f"{base}:turns"]

    @staticmethod
    def _owner(conversation: Conversation) -> str:
        created = conversation.created_at.isoformat() if conversation.created_at else ""
        return f"{conversation.user_id}:{created}"

    def _cached(self, conversation: Conversation, folded: int) -> list[Turn] | _Miss | None:
        """The unfolded turns from Redis, a miss (with the version seen), or None (no Redis)."""
        if self._redis is None or not self._available():
            return None
        try:
            self._flush_stale()
            reply = self._read(
                keys=self._keys(conversation.id),
                args=[self._owner(conversation), folded, self.ttl_seconds],
            )
        except redis.RedisError as error:
            self._failed(error)
            return None
        self._recovered()
        if int(reply[0]) == 0:
            return _Miss(str(reply[1]))
        return [Turn(*json.loads(item)) for item in reply[1:]]

    def _write_back(
        self, conversation: Conversation, miss: _Miss, folded: int, kept: Sequence[Turn]
    ) -> None:
        payload = [json.dumps([turn.role, turn.content]) for turn in kept]
        try:
            self._rebuild(
                keys=self._keys(conversation.id),
                args=[
                    miss.version,
                    self._owner(conversation),
                    folded + len(kept),
                    self.ttl_seconds,
                    *payload,
                ],
            )
        except redis.RedisError as error:
            self._failed(error)

    def _available(self) -> bool:
        with self._lock:
            return self._down_until is None or self.clock() >= self._down_until

    def _failed(self, error: redis.RedisError) -> None:
        with self._lock:
            first = self._down_until is None
            self._down_until = self.clock() + self.retry_seconds
        if first:
            log.warning(
                "conversation memory: Redis at %s failed (%s); using the database until it answers",
                redacted(self.redis_url or ""),
                error,
            )

    def _recovered(self) -> None:
        with self._lock:
            was_down = self._down_until is not None
            self._down_until = None
        if was_down:
            log.warning(
                "conversation memory: Redis at %s answers again", redacted(self.redis_url or "")
            )

    def _mark_stale(self, conversation_id: int) -> None:
        with self._lock:
            self._stale.add(conversation_id)

    def _flush_stale(self) -> None:
        """Invalidate the windows that missed turns while Redis was away (raises RedisError)."""
        with self._lock:
            stale = sorted(self._stale)
        if not stale or self._redis is None:
            return
        pipeline = self._redis.pipeline(transaction=False)
        for conversation_id in stale:
            self._invalidate(
                keys=self._keys(conversation_id), args=[self.ttl_seconds], client=pipeline
            )
        pipeline.execute()
        with self._lock:
            self._stale.difference_update(stale)
