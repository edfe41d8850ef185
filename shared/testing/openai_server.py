"""A local OpenAI-compatible HTTP server, for tests and offline demos.

:func:`openai_server` starts a stdlib ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) in a
thread and stops it when the block ends. It speaks the part of the OpenAI REST API that the
``openai`` SDK uses here: ``POST /v1/chat/completions`` (plain, or ``stream: true`` as SSE chunks
ending ``data: [DONE]``, with a usage chunk when ``stream_options.include_usage`` asks),
``POST /v1/embeddings`` (floats, or base64 little-endian float32, the SDK's default) and
``GET /v1/models``. Every request is recorded (path, headers, JSON body) and must carry
``Authorization: Bearer <api_key>``, else the answer is a 401 with OpenAI's error shape.

What a POST answers is scripted: :meth:`OpenAIServer.script` queues :class:`Reply` objects (text,
tool calls, an error status, a delay, a malformed body); with the queue empty, chat echoes the
last user message and embeddings are unit vectors seeded by a hash of each input, so the same text
always gets the same vector. Test modules import the fixture (``from shared.testing.openai_server
import local_openai``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import struct
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

#: The key the server accepts unless told otherwise.
API_KEY = "test-key"
MODELS = ("local-chat", "local-embed")
#: Sent with every error, so the SDK's own retries wait 10 ms instead of its backoff.
RETRY_AFTER_MS = "10"


@dataclass(frozen=True)
class Reply:
    """One scripted answer. ``status`` >= 400 sends ``error`` in OpenAI's error shape."""

    text: str | None = None
    tool_calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    status: int = 200
    error: str = ""
    error_type: str = "server_error"
    delay: float = 0.0
    malformed: bool = False

    @classmethod
    def failure(cls, status: int, message: str, error_type: str = "server_error") -> Reply:
        """An error answer: ``status`` with ``{"error": {"message": ..., "type": ...}}``."""
        return cls(status=status, error=message, error_type=error_type)

    @classmethod
    def tool_call(cls, name: str, arguments: dict[str, Any]) -> Reply:
        """An assistant message that calls one tool with JSON ``arguments``."""
        return cls(tool_calls=((name, arguments),))


@dataclass(frozen=True)
class Recorded:
    """A request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


def embedding(text: str, dimensions: int) -> list[float]:
    """A deterministic unit vector for ``text``: gaussian noise seeded by its SHA-256."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    values = [rng.gauss(0.0, 1.0) for _ in range(dimensions)]
    norm = math.sqrt(sum(value * value for value in values)) or 1.0
    # Rounded through float32, so floats and base64 answers decode to the same numbers.
    return [struct.unpack("<f", struct.pack("<f", value / norm))[0] for value in values]


@dataclass
class OpenAIServer:
    """The running server: its ``base_url``, the scripted replies and the recorded requests."""

    api_key: str = API_KEY
    dimensions: int = 8
    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    replies: deque[Reply] = field(default_factory=deque)
    stopping: threading.Event = field(default_factory=threading.Event)

    def script(self, *replies: Reply | str) -> None:
        """Queue answers for the next POSTs, in order; a string is a text reply."""
        self.replies.extend(Reply(text=r) if isinstance(r, str) else r for r in replies)

    def next_reply(self) -> Reply:
        return self.replies.popleft() if self.replies else Reply()


def error_body(message: str, error_type: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


class Handler(BaseHTTPRequestHandler):
    """Routes the three endpoints; the :class:`OpenAIServer` is ``self.server.state``."""

    server_version = "local-openai/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read :attr:`OpenAIServer.requests` instead of a log."""

    @property
    def state(self) -> OpenAIServer:
        return self.server.state  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        if not self.accepted(None):
            return
        if self.path.rstrip("/") == "/v1/models":
            models = [
                {"id": m, "object": "model", "created": 0, "owned_by": "local"} for m in MODELS
            ]
            self.send_json(200, {"object": "list", "data": models})
        else:
            self.send_json(404, error_body(f"no route GET {self.path}", "invalid_request_error"))

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = raw.decode(errors="replace")
        if not self.accepted(body):
            return
        if not isinstance(body, dict):
            self.send_json(
                400, error_body("the body is not a JSON object", "invalid_request_error")
            )
            return
        routes = {"/v1/chat/completions": self.chat, "/v1/embeddings": self.embeddings}
        route = routes.get(self.path.rstrip("/"))
        if route is None:
            self.send_json(404, error_body(f"no route POST {self.path}", "invalid_request_error"))
            return
        reply = self.state.next_reply()
        if reply.delay and self.state.stopping.wait(reply.delay):
            return
        if reply.malformed:
            self.send_raw(200, b'{"id": "chatcmpl-broken", "choices": [', "application/json")
        elif reply.status >= 400:
            self.send_json(reply.status, error_body(reply.error, reply.error_type))
        else:
            route(body, reply)

    def accepted(self, body: Any) -> bool:
        """Record the request; answer 401 and return False unless the bearer key is right."""
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.state.requests.append(Recorded(self.command, self.path, headers, body))
        if headers.get("authorization") == f"Bearer {self.state.api_key}":
            return True
        message = "Incorrect API key provided."
        self.send_json(401, error_body(message, "invalid_request_error", "invalid_api_key"))
        return False

    def chat(self, body: dict[str, Any], reply: Reply) -> None:
        messages = body.get("messages") or []
        users = [
            m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"
        ]
        text = reply.text
        if text is None and not reply.tool_calls:
            text = f"echo: {users[-1] if users else ''}"
        calls = [
            {
                "id": f"call_{index}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
            for index, (name, arguments) in enumerate(reply.tool_calls)
        ]
        prompt = sum(
            len(str(m.get("content") or "").split()) for m in messages if isinstance(m, dict)
        )
        answer = len((text or "").split())
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": answer,
            "total_tokens": prompt + answer,
        }
        finish = "tool_calls" if calls else "stop"
        model = str(body.get("model") or MODELS[0])
        head = {"id": "chatcmpl-local", "created": 0, "model": model}
        if body.get("stream"):
            self.stream_chat(head, text, calls, finish, usage, body.get("stream_options") or {})
            return
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if calls:
            message["tool_calls"] = calls
        choice = {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
        self.send_json(
            200, head | {"object": "chat.completion", "choices": [choice], "usage": usage}
        )

    def stream_chat(
        self,
        head: dict[str, Any],
        text: str | None,
        calls: list[dict[str, Any]],
        finish: str,
        usage: dict[str, int],
        options: dict[str, Any],
    ) -> None:
        """SSE: a role chunk, one chunk per word (or the tool calls), the finish, usage, [DONE]."""
        head = head | {"object": "chat.completion.chunk"}
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        words = (text or "").split(" ") if text else []
        deltas += [{"content": word if i == 0 else f" {word}"} for i, word in enumerate(words)]
        if calls:
            deltas.append({"tool_calls": [c | {"index": i} for i, c in enumerate(calls)]})
        chunks = [
            head | {"choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas
        ]
        chunks.append(head | {"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if options.get("include_usage"):
            chunks.append(head | {"choices": [], "usage": usage})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        lines = [f"data: {json.dumps(chunk)}\n\n" for chunk in chunks] + ["data: [DONE]\n\n"]
        self.write("".join(lines).encode())

    def embeddings(self, body: dict[str, Any], reply: Reply) -> None:
        inputs = body.get("input")
        texts = inputs if isinstance(inputs, list) else [inputs]
        size = int(body.get("dimensions") or self.state.dimensions)
        data = []
        for index, item in enumerate(texts):
            vector = embedding(str(item), size)
            if body.get("encoding_format") == "base64":
                encoded: Any = base64.b64encode(struct.pack(f"<{size}f", *vector)).decode()
            else:
                encoded = vector
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(len(str(item).split()) for item in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        model = str(body.get("model") or MODELS[1])
        self.send_json(200, {"object": "list", "data": data, "model": model, "usage": usage})

    def send_json(self, status: int, payload: dict[str, Any]) -> None:
        self.send_raw(status, json.dumps(payload).encode(), "application/json")

    def send_raw(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if status >= 400:
            self.send_header("retry-after-ms", RETRY_AFTER_MS)
        self.end_headers()
        self.write(data)

    def write(self, data: bytes) -> None:
        # The client may have given up (a timeout test): nothing to tell it then.
        with suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)


@contextmanager
def openai_server(api_key: str = API_KEY, dimensions: int = 8) -> Iterator[OpenAIServer]:
    """Serve on 127.0.0.1 (a free port) for the block; ``base_url`` ends in ``/v1``."""
    state = OpenAIServer(api_key=api_key, dimensions=dimensions)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.state = state  # type: ignore[attr-defined]
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()  # a delayed reply returns at once
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def local_openai() -> Iterator[OpenAIServer]:
    """A fresh local OpenAI-compatible server for one test (key :data:`API_KEY`)."""
    with openai_server() as server:
        yield server
