"""The relay: tokens as events, one done event, statuses before the stream, and a client leaving."""

from __future__ import annotations

import pytest

from day28.client import StreamFailed, direct_session, reassemble, stream_events
from day28.conftest import Running, client_for
from day28.relay import create_app, serving
from shared.testing.openai_server import OpenAIServer, Reply

ANSWER = "Tokens arrive one by one."
WAIT = 10.0


def chat(relay: Running) -> str:
    return f"{relay.url}/chat"


def test_each_piece_is_a_token_event_then_one_done_event(
    relay: Running, local_openai: OpenAIServer
) -> None:
    local_openai.script(ANSWER)
    events = list(stream_events(relay.session, chat(relay), "How do tokens arrive?"))
    assert events == [
        ("token", {"text": "Tokens"}),
        ("token", {"text": " arrive"}),
        ("token", {"text": " one"}),
        ("token", {"text": " by"}),
        ("token", {"text": " one."}),
        ("done", {"text": ANSWER, "finish_reason": "stop"}),
    ]


def test_the_model_is_asked_for_a_stream_with_the_question(
    relay: Running, local_openai: OpenAIServer
) -> None:
    list(stream_events(relay.session, chat(relay), "Why stream?"))
    body = local_openai.requests[-1].body
    assert body["stream"] is True
    assert body["messages"][-1] == {"role": "user", "content": "Why stream?"}


def test_the_client_reassembles_the_answer(relay: Running, local_openai: OpenAIServer) -> None:
    local_openai.script(ANSWER)
    answer = reassemble(stream_events(relay.session, chat(relay), "?"))
    assert (answer.text, len(answer.pieces), answer.finish_reason) == (ANSWER, 5, "stop")
    assert answer.complete


def test_the_stream_is_sent_with_event_stream_headers_and_chunked(relay: Running) -> None:
    response = relay.session.post(
        chat(relay), json={"message": "hi"}, headers={"Accept": "text/event-stream"}, timeout=WAIT
    )
    assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in response.headers


def test_without_accepting_event_stream_the_answer_is_one_json_body(
    relay: Running, local_openai: OpenAIServer
) -> None:
    local_openai.script(ANSWER)
    response = relay.session.post(chat(relay), json={"message": "hi"}, timeout=WAIT)
    assert (response.status_code, response.json()) == (200, {"answer": ANSWER})
    assert "stream" not in local_openai.requests[-1].body


@pytest.mark.parametrize("body", [{}, {"message": "  "}, {"message": 3}, ["hi"]])
def test_a_request_without_a_question_is_a_400(relay: Running, body: object) -> None:
    response = relay.session.post(chat(relay), json=body, timeout=WAIT)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_model_that_refuses_is_a_502_before_any_event(
    relay: Running, local_openai: OpenAIServer
) -> None:
    local_openai.script(Reply.failure(503, "overloaded"))
    response = relay.session.post(
        chat(relay), json={"message": "hi"}, headers={"Accept": "text/event-stream"}, timeout=WAIT
    )
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "the model's server answered 503"


def test_a_model_that_is_too_slow_is_a_504(relay: Running, local_openai: OpenAIServer) -> None:
    local_openai.script(Reply(delay=3.0))
    with pytest.raises(StreamFailed, match="the relay answered 504: the model did not answer"):
        list(stream_events(relay.session, chat(relay), "hi"))


def test_a_client_that_leaves_stops_the_relay_and_closes_the_upstream(
    relay: Running, local_openai: OpenAIServer
) -> None:
    total = 2000  # tokens of 4 kB: more than the sockets can buffer
    local_openai.script(" ".join("x" * 4000 for _ in range(total)))
    received = 0
    for name, _ in stream_events(relay.session, chat(relay), "everything"):
        received += name == "token"
        if received == 3:
            break
    started = relay.relays.started[-1]
    assert started.ended.wait(WAIT), "the relay did not notice the client left"
    assert started.outcome == "client left"
    assert 3 <= started.pieces_sent < total
    assert started.upstream_closed


def test_a_finished_relay_closed_its_upstream_too(
    relay: Running, local_openai: OpenAIServer
) -> None:
    list(stream_events(relay.session, chat(relay), "hi"))
    started = relay.relays.started[-1]
    assert started.ended.wait(WAIT)
    assert (started.outcome, started.upstream_closed) == ("done", True)


def test_a_stream_cut_short_upstream_is_an_error_event_or_a_done_without_a_reason(
    cut_short_upstream: tuple[str, bool],
) -> None:
    base_url, chunked = cut_short_upstream
    with serving(create_app(client_for(base_url), "local-chat")) as url:
        events = list(stream_events(direct_session(), f"{url}/chat", "hi"))
    assert events[0] == ("token", {"text": "Half an"})
    if chunked:
        assert events[1:] == [
            ("error", {"detail": "the model's stream broke off: APIConnectionError"})
        ]
        with pytest.raises(StreamFailed, match="broke off"):
            reassemble(iter(events))
    else:
        assert events[1:] == [("done", {"text": "Half an", "finish_reason": None})]
        assert reassemble(iter(events)).finish_reason is None


def test_a_stream_without_a_done_event_fails_to_reassemble() -> None:
    with pytest.raises(StreamFailed, match="ended after 2 pieces without a done event"):
        reassemble(iter([("token", {"text": "a"}), ("token", {"text": "b"})]))
