"""Server-Sent Events: the frames, the WHATWG parsing rules, and streaming from Flask unbuffered."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask, request
from werkzeug.serving import make_server

from projects.notes_ai.sse import (
    Message,
    comment,
    event,
    iter_messages,
    parse_events,
    split_lines,
    stream_response,
)
from shared.serve import served

#: How long a test waits for something that should happen at once.
WAIT = 10.0


def direct() -> requests.Session:
    """A session that goes straight to 127.0.0.1, whatever the proxy variables say."""
    session = requests.Session()
    session.trust_env = False
    return session


def test_a_frame_is_its_event_id_and_compact_json_data_then_a_blank_line() -> None:
    frame = event({"text": "hi", "n": [1, 2]}, event="token", id="7")
    assert frame == 'event: token\nid: 7\ndata: {"text":"hi","n":[1,2]}\n\n'


def test_a_frame_without_a_name_or_id_is_only_data() -> None:
    assert event("done") == 'data: "done"\n\n'


@pytest.mark.parametrize(
    "data",
    [
        {"answer": "a", "sources": [{"note_id": 3, "title": "Redis"}]},
        "plain text",
        42,
        None,
        [],
        {"nested": {"deep": [True, False, 1.5]}},
    ],
)
def test_a_frame_round_trips_through_the_parser(data: Any) -> None:
    assert list(parse_events([event(data, event="final")])) == [("final", data)]


def test_the_id_reaches_the_client_as_the_last_event_id() -> None:
    frames = [event(1, id="a"), event(2)]
    assert [(m.data, m.id) for m in iter_messages(frames)] == [("1", "a"), ("2", "a")]


@pytest.mark.parametrize("text", ["two\nlines", "crlf\r\nline", "cr\ronly", "\n\n", "end\n"])
def test_line_breaks_in_data_stay_inside_one_data_line(text: str) -> None:
    frame = event({"text": text})
    assert frame.count("\n") == 2, frame
    assert list(parse_events([frame])) == [("message", {"text": text})]


def test_unicode_is_sent_as_utf8_not_escaped() -> None:
    frame = event("café ☕ 東京 🙂")
    assert frame == 'data: "café ☕ 東京 🙂"\n\n'
    assert list(parse_events([frame])) == [("message", "café ☕ 東京 🙂")]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_separators_that_splitlines_breaks_on_are_escaped(separator: str) -> None:
    frame = event(f"a{separator}b")
    assert separator not in frame
    assert frame.splitlines() == [f'data: "a\\u{ord(separator):04x}b"', ""]
    assert list(parse_events(frame.splitlines())) == [("message", f"a{separator}b")]


@pytest.mark.parametrize(
    ("name", "id"), [("to\nken", None), ("token\r", None), (None, "1\n2"), (None, "a\0b")]
)
def test_a_name_or_id_that_would_break_the_stream_is_refused(
    name: str | None, id: str | None
) -> None:
    with pytest.raises(ValueError, match="cannot hold a line break or NUL"):
        event("x", event=name, id=id)


def test_a_comment_is_a_frame_the_parser_skips() -> None:
    assert comment("keep-alive") == ": keep-alive\n\n"
    assert list(parse_events([comment("keep-alive"), comment(), event(1)])) == [("message", 1)]


def test_data_lines_are_joined_by_newlines() -> None:
    stream = ["data: first", "data:second", "data", "data:  third", ""]
    assert list(iter_messages(stream)) == [Message("message", "first\nsecond\n\n third", "")]


@pytest.mark.parametrize(
    "text",
    [
        "event: token\ndata: 1\n\ndata: 2\n\n",
        "event: token\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n",
        "event: token\rdata: 1\r\rdata: 2\r\r",
    ],
)
def test_lf_crlf_and_cr_all_end_lines(text: str) -> None:
    assert list(parse_events([text])) == [("token", 1), ("message", 2)]


def test_a_crlf_split_between_two_pieces_is_one_line_end() -> None:
    pieces = ["data: 1\r", "\n", "\r", "\ndata: 2\r\n\r\n"]
    assert list(parse_events(pieces)) == [("message", 1), ("message", 2)]


def test_lines_with_or_without_their_ends_split_the_same() -> None:
    with_ends = ["data: 1\n", "\n", "data: 2\n", "\n"]
    without = ["data: 1", "", "data: 2", ""]
    assert list(split_lines(with_ends)) == list(split_lines(without)) == without


def test_the_event_name_lasts_for_one_event_only() -> None:
    stream = "event: token\ndata: 1\n\ndata: 2\n\n"
    assert [name for name, _ in parse_events([stream])] == ["token", "message"]


def test_a_blank_line_with_no_data_dispatches_nothing_and_resets_the_name() -> None:
    stream = "\n\nevent: token\n\ndata: 1\n\n"
    assert list(parse_events([stream])) == [("message", 1)]


def test_an_event_the_stream_ends_before_finishing_is_dropped() -> None:
    assert list(parse_events(["data: 1\n\ndata: 2\n"])) == [("message", 1)]


def test_unknown_fields_are_ignored_and_a_bad_retry_too() -> None:
    stream = "foo: bar\nretry: soon\ndata: 1\n\nretry: 1500\ndata: 2\n\n"
    assert [(m.data, m.retry) for m in iter_messages([stream])] == [("1", None), ("2", 1500)]


def test_a_byte_order_mark_at_the_start_is_skipped() -> None:
    assert list(parse_events(["\ufeffdata: 1\n\n"])) == [("message", 1)]


def test_an_id_with_nul_is_ignored() -> None:
    stream = "id: ok\ndata: 1\n\nid: b\0d\ndata: 2\n\n"
    assert [m.id for m in iter_messages([stream])] == ["ok", "ok"]


def test_data_that_is_not_json_comes_back_as_text() -> None:
    assert list(parse_events(["data: [DONE]\n\n"])) == [("message", "[DONE]")]


def sse_app(frames: Any) -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/events", "events", lambda: stream_response(frames()))
    return app


def test_the_response_has_the_event_stream_headers() -> None:
    response = sse_app(lambda: iter([event(1)])).test_client().get("/events")
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    assert "Content-Length" not in response.headers


def test_the_test_client_receives_each_frame_in_order_as_it_is_made() -> None:
    made: list[int] = []

    def frames() -> Iterator[str]:
        for number in range(3):
            made.append(number)
            yield event(number)

    response = sse_app(frames).test_client().get("/events", buffered=False)
    received = []
    for chunk in response.response:
        received.append(chunk.decode())
        assert made == list(range(len(received))), "a frame was made before one was sent"
    assert received == [event(0), event(1), event(2)]


def test_the_request_context_stays_open_while_frames_are_made() -> None:
    app = Flask(__name__)
    app.add_url_rule(
        "/events",
        "events",
        lambda: stream_response(event(request.args["q"]) for _ in range(2)),
    )
    body = app.test_client().get("/events?q=notes").get_data(as_text=True)
    assert list(parse_events([body])) == [("message", "notes"), ("message", "notes")]


@pytest.fixture
def werkzeug_server() -> Iterator[tuple[Flask, str]]:
    """A real threaded werkzeug server on 127.0.0.1 for an app the test fills in."""
    app = Flask(__name__)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT)


def test_werkzeug_sends_the_first_frame_before_the_generator_finishes(
    werkzeug_server: tuple[Flask, str],
) -> None:
    app, url = werkzeug_server
    first_frame_read = threading.Event()

    def frames() -> Iterator[str]:
        yield event("first")
        yield event({"released": first_frame_read.wait(WAIT)})

    app.add_url_rule("/events", "events", lambda: stream_response(frames()))
    with direct().get(f"{url}/events", stream=True, timeout=WAIT) as response:
        lines = response.iter_lines(decode_unicode=True)
        assert next(lines) == 'data: "first"'
        first_frame_read.set()
        assert list(parse_events(lines)) == [("message", {"released": True})]


def test_a_client_that_goes_away_closes_the_generator(
    werkzeug_server: tuple[Flask, str],
) -> None:
    app, url = werkzeug_server
    closed = threading.Event()
    sent: list[int] = []

    def frames() -> Iterator[str]:
        try:
            for number in range(1_000_000):
                sent.append(number)
                yield event({"n": number, "padding": "x" * 100})
        finally:
            closed.set()

    app.add_url_rule("/events", "events", lambda: stream_response(frames()))
    with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=WAIT) as sock:
        sock.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert b"text/event-stream" in sock.recv(4096)
    assert closed.wait(WAIT), "the generator was not closed when the client left"
    assert len(sent) < 1_000_000


# A gunicorn worker is a real process: this app is loaded there by its spec below.
gunicorn_gate = threading.Event()


def gated_app() -> Flask:
    """GET /events sends one frame, then waits for POST /release before the second."""
    app = Flask(__name__)

    def frames() -> Iterator[str]:
        yield event("first")
        yield event({"released": gunicorn_gate.wait(WAIT)})

    def release() -> tuple[str, int]:
        gunicorn_gate.set()
        return "", 204

    app.add_url_rule("/events", "events", lambda: stream_response(frames()))
    app.add_url_rule("/release", "release", release, methods=["POST"])
    app.add_url_rule("/", "index", lambda: "ok")
    return app


@pytest.mark.slow
def test_gunicorn_sends_the_first_frame_before_the_generator_finishes() -> None:
    spec = "projects.notes_ai.tests.test_sse:gated_app()"
    http = direct()
    with (
        served(spec, workers=1, threads=2, access_log=False) as server,
        http.get(f"{server.url}/events", stream=True, timeout=WAIT) as response,
    ):
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert response.headers["Transfer-Encoding"] == "chunked"
        lines = response.iter_lines(decode_unicode=True)
        assert next(lines) == 'data: "first"'
        assert http.post(f"{server.url}/release", timeout=WAIT).status_code == 204
        assert list(parse_events(lines)) == [("message", {"released": True})]
