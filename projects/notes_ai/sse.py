"""Server-Sent Events: frames written by the server, and a parser for the client side.

:func:`event` writes one frame, its data as compact JSON on one ``data:`` line. :func:`comment`
writes a line clients ignore (a heartbeat that keeps proxies from closing an idle stream).
:func:`stream_response` sends frames from Flask as they are made, with the headers that stop
caches and nginx from holding them back. :func:`parse_events` reads a stream as a browser's
``EventSource`` does, following the WHATWG rules: lines end in CRLF, LF or CR; ``event:`` names
the event, ``data:`` lines are joined by newlines, ``:`` starts a comment, a blank line ends an
event, and an event the stream ends before finishing is dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Response, has_request_context, stream_with_context

MEDIA_TYPE = "text/event-stream"
#: ``Cache-Control`` so no cache stores or merges the stream; ``X-Accel-Buffering`` so nginx
#: passes each frame on instead of buffering the response.
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

#: Characters JSON leaves as they are that ``str.splitlines`` treats as line ends (NEL, LS, PS):
#: escaped, so a client that splits lines that way still reads one ``data:`` line.
_SPLITLINES_ONLY = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SPLITLINES_PATTERN = re.compile("[\x85\u2028\u2029]")
#: The only line ends of the event-stream format.
_LINE_END = re.compile(r"\r\n|\r|\n")


def encode_data(data: Any) -> str:
    """``data`` as compact UTF-8 JSON with no character any line splitter would break on."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _SPLITLINES_PATTERN.sub(lambda match: _SPLITLINES_ONLY[match.group()], text)


def _field(name: str, value: str) -> str:
    if _LINE_END.search(value) or "\0" in value:
        raise ValueError(f"an SSE {name} cannot hold a line break or NUL, got {value!r}")
    return f"{name}: {value}\n"


def event(data: Any, event: str | None = None, id: str | None = None) -> str:
    """One SSE frame: ``event:`` and ``id:`` lines if given, ``data:`` as JSON, a blank line.

    ``data`` is anything :func:`json.dumps` takes; it is always one line, whatever its strings
    hold. An ``event`` or ``id`` with a line break or NUL would corrupt the stream: ValueError.
    """
    head = (_field("event", event) if event is not None else "") + (
        _field("id", id) if id is not None else ""
    )
    return f"{head}data: {encode_data(data)}\n\n"


def comment(text: str = "") -> str:
    """A comment frame (``: text``), ignored by clients; ValueError on a line break."""
    if _LINE_END.search(text):
        raise ValueError(f"an SSE comment cannot hold a line break, got {text!r}")
    return f": {text}\n\n" if text else ":\n\n"


def stream_response(frames: Iterable[str], status: int = 200) -> Response:
    """A streamed ``text/event-stream`` response that sends each frame as soon as it is made.

    Flask's WSGI server writes every item of the iterable on its own, so nothing waits for the
    end. Inside a request the request context stays open while the frames are made; when the
    client goes away the server closes the iterable, which runs a generator's ``finally``.
    """
    body: Iterable[str] = stream_with_context(frames) if has_request_context() else frames
    return Response(body, status=status, mimetype=MEDIA_TYPE, headers=HEADERS)


@dataclass(frozen=True)
class Message:
    """An event as ``EventSource`` dispatches it: ``data`` is the raw text of its data lines."""

    event: str
    data: str
    id: str
    retry: int | None = None


def split_lines(pieces: Iterable[str]) -> Iterator[str]:
    """The lines in ``pieces``: each piece holds whole lines, its last line end optional.

    Accepts lines with their ends (a file), without them (``iter_lines``), or whole frames. A
    CR that ends one piece and an LF that starts the next are one line end.
    """
    after_cr = False
    for piece in pieces:
        if after_cr and piece.startswith("\n"):
            piece = piece[1:]
            if not piece:
                continue
        parts = _LINE_END.split(piece)
        after_cr = piece.endswith("\r")
        if parts[-1] == "" and len(parts) > 1:
            parts.pop()  # the piece ended with a line end
        yield from parts


def iter_messages(lines: Iterable[str]) -> Iterator[Message]:
    """The events of a stream, with the WHATWG event-stream interpretation rules."""
    data: list[str] = []
    name = ""
    last_id = ""
    retry: int | None = None
    for number, line in enumerate(split_lines(lines)):
        if number == 0 and line.startswith("\ufeff"):
            line = line[1:]
        if not line:
            if data:
                yield Message(name or "message", "\n".join(data), last_id, retry)
            data, name, retry = [], "", None
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif field == "id" and "\0" not in value:
            last_id = value  # kept for the events after it, as Last-Event-ID
        elif field == "retry" and value.isascii() and value.isdigit():
            retry = int(value)
    # An event the stream ended before its blank line is discarded, as EventSource does.


def parse_events(lines: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """``(event name, data)`` for each event; ``"message"`` when unnamed.

    ``data`` is decoded from JSON when it is JSON, else left as text (OpenAI's ``[DONE]``).
    """
    for message in iter_messages(lines):
        try:
            yield message.event, json.loads(message.data)
        except ValueError:
            yield message.event, message.data
