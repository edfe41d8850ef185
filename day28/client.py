"""A client for the relay: read its events as they arrive and put the answer back together.

``requests`` with ``stream=True`` hands the body over as it comes; ``iter_lines()`` splits it
into lines as bytes, on CR and LF only, which is what the event-stream format means by a line
(decoded to text first, ``str.splitlines`` would also split on U+2028 and friends).
:func:`projects.notes_ai.sse.parse_events` turns the lines into events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from projects.notes_ai.sse import MEDIA_TYPE, parse_events


class StreamFailed(Exception):
    """The relay refused the question or its stream broke off; the message says which."""


def direct_session() -> requests.Session:
    """A session that ignores proxy variables: the relay is on 127.0.0.1."""
    session = requests.Session()
    session.trust_env = False
    return session


def stream_events(
    session: requests.Session, url: str, message: str, timeout: float = 10.0
) -> Iterator[tuple[str, Any]]:
    """``(event, data)`` from ``POST url`` as each arrives; StreamFailed on a refusal.

    Leaving the loop early (``break``, an exception) closes the connection, which tells the
    server the client has gone.
    """
    with session.post(
        url,
        json={"message": message},
        headers={"Accept": MEDIA_TYPE},
        stream=True,
        timeout=timeout,
    ) as response:
        if response.status_code != 200:
            detail = response.json().get("detail", response.reason)
            raise StreamFailed(f"the relay answered {response.status_code}: {detail}")
        lines = (line.decode("utf-8") for line in response.iter_lines())
        yield from parse_events(lines)


@dataclass
class Answer:
    """The pieces as they came, and what the ``done`` event said."""

    pieces: list[str] = field(default_factory=list)
    text: str = ""
    finish_reason: str | None = None

    @property
    def complete(self) -> bool:
        """Whether the pieces add up to the text the server says it sent."""
        return "".join(self.pieces) == self.text


def reassemble(events: Iterator[tuple[str, Any]]) -> Answer:
    """The answer from a relay's events; StreamFailed on an ``error`` event or a missing end."""
    # practice 3: put the answer back together from the events, failing on a broken stream
    # hint: collect token texts until done (take its text and finish_reason); an error event, or
    # hint: events that run out before done, is a StreamFailed saying so.
    answer = Answer()
    for name, data in events:
        if name == "token":
            answer.pieces.append(data["text"])
        elif name == "done":
            answer.text, answer.finish_reason = data["text"], data["finish_reason"]
            return answer
        elif name == "error":
            raise StreamFailed(data["detail"])
    raise StreamFailed(f"the stream ended after {len(answer.pieces)} pieces without a done event")
    # end practice 3
