"""What the lesson says about SDK streams, Flask and requests, checked on the locked versions."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from flask import Flask, Response, request, stream_with_context

from day28.client import direct_session
from day28.conftest import client_for
from day28.relay import serving
from shared.testing.openai_server import OpenAIServer

ASK = [{"role": "user", "content": "x"}]


def open_stream(client: openai.OpenAI) -> openai.Stream:  # type: ignore[type-arg]
    return client.chat.completions.create(model="local-chat", messages=ASK, stream=True)  # type: ignore[arg-type]


def test_breaking_out_of_a_stream_leaves_its_response_open(local_openai: OpenAIServer) -> None:
    local_openai.script("one two three")
    stream = open_stream(client_for(local_openai.base_url))
    for _ in stream:
        break
    assert not stream.response.is_closed
    stream.close()
    assert stream.response.is_closed


def test_a_stream_used_as_a_context_manager_is_closed_on_leaving(
    local_openai: OpenAIServer,
) -> None:
    local_openai.script("one two three")
    with open_stream(client_for(local_openai.base_url)) as stream:
        for _ in stream:
            break
    assert stream.response.is_closed


def test_a_stream_cut_mid_chunk_raises_a_connection_error_and_one_cut_at_eof_just_ends(
    cut_short_upstream: tuple[str, bool],
) -> None:
    base_url, chunked = cut_short_upstream
    stream = open_stream(client_for(base_url))
    pieces = []
    if chunked:
        with pytest.raises(openai.APIConnectionError):
            pieces.extend(chunk.choices[0].delta.content for chunk in stream)
    else:
        pieces.extend(chunk.choices[0].delta.content for chunk in stream)
    assert pieces == ["Half an"]


def test_a_generator_that_reads_the_request_needs_stream_with_context() -> None:
    app = Flask(__name__)

    def words() -> Iterator[str]:
        yield request.args["q"]

    app.add_url_rule("/plain", "plain", lambda: Response(words()))
    app.add_url_rule("/kept", "kept", lambda: Response(stream_with_context(words())))
    client = app.test_client()
    assert client.get("/kept?q=notes").get_data(as_text=True) == "notes"
    with pytest.raises(RuntimeError, match="Working outside of request context"):
        client.get("/plain?q=notes")


def test_requests_decoded_lines_split_on_u2028_but_byte_lines_do_not() -> None:
    app = Flask(__name__)
    app.add_url_rule("/raw", "raw", lambda: Response(iter(['data: "a\u2028b"\n\n'])))
    with serving(app) as url:
        session = direct_session()
        with session.get(f"{url}/raw", stream=True, timeout=10) as response:
            response.encoding = "utf-8"
            decoded = list(response.iter_lines(decode_unicode=True))
        with session.get(f"{url}/raw", stream=True, timeout=10) as response:
            raw = [line.decode() for line in response.iter_lines()]
    assert decoded == ['data: "a', 'b"', ""]
    assert raw == ['data: "a\u2028b"', ""]
