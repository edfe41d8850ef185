"""Fixtures of day 28: the relay served on 127.0.0.1 in front of the local model server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from flask import Flask
from openai import OpenAI

from day28.client import direct_session
from day28.relay import Relays, create_app, serving
from shared.testing.openai_server import OpenAIServer, local_openai

__all__ = ["local_openai"]  # a fixture, imported for this module


@dataclass
class Running:
    """The relay's URL, its records, and a session to talk to it."""

    url: str
    app: Flask
    session: requests.Session

    @property
    def relays(self) -> Relays:
        return self.app.extensions["relays"]


def client_for(base_url: str, timeout: float = 5.0) -> OpenAI:
    return OpenAI(api_key="test-key", base_url=base_url, max_retries=0, timeout=timeout)


@pytest.fixture
def relay(local_openai: OpenAIServer) -> Iterator[Running]:
    """The relay, its model the local server (a 0.5 s timeout, no retries)."""
    app = create_app(client_for(local_openai.base_url, timeout=0.5), "local-chat")
    with serving(app) as url:
        yield Running(url, app, direct_session())


class CutShort(BaseHTTPRequestHandler):
    """Streams one chunk of an answer, then drops the connection: chunked, or to EOF."""

    protocol_version = "HTTP/1.1"
    chunked = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        chunk = {
            "id": "chatcmpl-cut",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "local-chat",
            "choices": [{"index": 0, "delta": {"content": "Half an"}, "finish_reason": None}],
        }
        data = f"data: {json.dumps(chunk)}\n\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        if self.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))  # and no last chunk
        else:
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        self.close_connection = True


@pytest.fixture(params=[True, False], ids=["chunked-cut", "eof"])
def cut_short_upstream(request: pytest.FixtureRequest) -> Iterator[tuple[str, bool]]:
    """A model server on 127.0.0.1 whose stream stops half-way; yields (base URL, chunked)."""
    handler = type("Handler", (CutShort,), {"chunked": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", request.param
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
