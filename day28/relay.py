"""A Flask endpoint that relays a model's answer as Server-Sent Events while it is generated.

``POST /chat`` with ``{"message": ...}`` and ``Accept: text/event-stream`` opens a streamed
completion (``stream=True``) and sends each piece as a ``token`` event, then one ``done`` event
with the whole text and the finish reason. A failure before the first event is an HTTP status
(502, 504) with a problem body; after it, the status is already sent, so it is an ``error``
event. When the client goes away the WSGI server closes the generator, and the generator closes
the upstream response: the model stops being read (and, on OpenAI, stops generating). Without
``Accept: text/event-stream`` the answer is one JSON body.

Every relay is recorded in :class:`Relays`, so a test or the demo can see how it ended.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import openai
from flask import Flask, Response, jsonify, request
from openai import OpenAI
from openai.types.chat import ChatCompletionChunk
from werkzeug.serving import WSGIRequestHandler, make_server

from projects.notes_ai.sse import MEDIA_TYPE, event, stream_response

SYSTEM = "You answer questions about backend engineering in a few sentences."


@dataclass
class Relay:
    """One streamed answer: how many pieces went out and how it ended."""

    pieces_sent: int = 0
    #: "done", "error", or "client left" once it ended; None while it runs.
    outcome: str | None = None
    upstream_closed: bool = False
    ended: threading.Event = field(default_factory=threading.Event)


@dataclass
class Relays:
    """Every relay the app ran, oldest first."""

    started: list[Relay] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new(self) -> Relay:
        relay = Relay()
        with self.lock:
            self.started.append(relay)
        return relay


def problem(status: int, detail: str) -> Response:
    response = jsonify({"title": "Upstream model failed", "status": status, "detail": detail})
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def upstream_problem(error: Exception) -> Response:
    """The response for an SDK failure that happened before anything was sent."""
    # practice 2: turn an SDK failure before the first event into a status with a problem body
    # hint: a timeout is the gateway's timeout (504); a status from the model's server or no
    # hint: connection at all is a bad gateway (502). Mind which exception class is which.
    if isinstance(error, openai.APITimeoutError):
        return problem(504, "the model did not answer in time")
    if isinstance(error, openai.APIStatusError):
        return problem(502, f"the model's server answered {error.status_code}")
    return problem(502, "the model's server could not be reached")
    # end practice 2


def relay_events(stream: openai.Stream[ChatCompletionChunk], relay: Relay) -> Iterator[str]:
    """``token`` frames as pieces arrive, then ``done``; the upstream is closed however it ends."""
    # practice 1: relay each piece as a token event, then one done event, closing the upstream
    # hint: record pieces_sent and the outcome on relay; GeneratorExit means the client left
    # hint: (re-raise it), an OpenAIError is an error event, and finally closes the stream.
    pieces: list[str] = []
    finish: str | None = None
    try:
        for chunk in stream:
            if not chunk.choices:
                continue
            choice = chunk.choices[0]
            finish = choice.finish_reason or finish
            if choice.delta.content:
                pieces.append(choice.delta.content)
                yield event({"text": choice.delta.content}, event="token")
                relay.pieces_sent += 1
        relay.outcome = "done"
        yield event({"text": "".join(pieces), "finish_reason": finish}, event="done")
    except GeneratorExit:
        relay.outcome = "client left"
        raise
    except openai.OpenAIError as error:
        relay.outcome = "error"
        yield event({"detail": f"the model's stream broke off: {type(error).__name__}"}, "error")
    finally:
        stream.close()
        relay.upstream_closed = stream.response.is_closed
        relay.ended.set()
    # end practice 1


def create_app(client: OpenAI, model: str) -> Flask:
    """The relay app, talking to ``model`` through ``client``."""
    app = Flask(__name__)
    relays = Relays()
    app.extensions["relays"] = relays

    @app.post("/chat")
    def chat() -> Response:
        body = request.get_json(silent=True)
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message.strip():
            return problem(400, 'send {"message": "..."} with a question in it')
        messages: Any = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": message},
        ]
        wants_stream = request.accept_mimetypes.best_match(["application/json", MEDIA_TYPE])
        try:
            if wants_stream != MEDIA_TYPE:
                answer = client.chat.completions.create(model=model, messages=messages)
                return jsonify({"answer": answer.choices[0].message.content or ""})
            # Opened here, in the view: a refusal still becomes a status, not an event.
            stream = client.chat.completions.create(model=model, messages=messages, stream=True)
        except openai.OpenAIError as error:
            return upstream_problem(error)
        return stream_response(relay_events(stream, relays.new()))

    return app


class QuietHandler(WSGIRequestHandler):
    """werkzeug's handler without the access log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` with werkzeug's threaded server on 127.0.0.1 for the block; yield its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
