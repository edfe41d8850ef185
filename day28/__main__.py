"""`python -m day28`: a streamed answer relayed as Server-Sent Events, and put back together.

Starts a local OpenAI-compatible server and the relay (werkzeug) on 127.0.0.1, in this process,
then streams an answer through both and shows each token as it arrives, the text reassembled, a
refusal before the stream, and what happens upstream when the client goes away. Runs offline in
a second or two and exits 0.
"""

from __future__ import annotations

import sys

from openai import OpenAI

from day28.client import StreamFailed, direct_session, reassemble, stream_events
from day28.relay import Relays, create_app, serving
from shared.testing.openai_server import Reply, openai_server

ANSWER = (
    "Server-Sent Events are one long HTTP response: each event is a few lines of text, "
    "and the browser reconnects by itself."
)
#: 2000 tokens of 4 kB: 8 MB, more than the sockets between relay and client can buffer, so the
#: relay cannot have sent it all before the client leaves.
LONG_TOKENS = 2000
LONG_ANSWER = " ".join(f"{number}:" + "x" * 4000 for number in range(LONG_TOKENS))


def main() -> int:
    with openai_server() as upstream:
        client = OpenAI(
            api_key=upstream.api_key, base_url=upstream.base_url, timeout=5, max_retries=0
        )
        app = create_app(client, "local-chat")
        relays: Relays = app.extensions["relays"]
        with serving(app) as url:
            session = direct_session()
            chat = f"{url}/chat"
            print("POST /chat, Accept: text/event-stream (the relay and the model on 127.0.0.1)")

            upstream.script(ANSWER)
            print("tokens as they arrive: ", end="", flush=True)
            events = []
            for name, data in stream_events(session, chat, "What are Server-Sent Events?"):
                events.append((name, data))
                if name == "token":
                    print(f"[{data['text']}]", end="", flush=True)
            print()
            answer = reassemble(iter(events))
            print(f"reassembled from {len(answer.pieces)} token events: {answer.text}")
            print(f"  finish_reason {answer.finish_reason}, pieces add up: {answer.complete}")
            body = upstream.requests[-1].body
            print(f"  the relay asked the model with stream={body['stream']}\n")

            upstream.script("Polling asks; SSE is told.")
            plain = session.post(chat, json={"message": "And polling?"}, timeout=10)
            print(f"Without Accept: text/event-stream: {plain.status_code} {plain.json()}\n")

            upstream.script(Reply.failure(503, "overloaded"))
            try:
                reassemble(stream_events(session, chat, "Are you there?"))
            except StreamFailed as error:
                print(f"Model down before the first event: {error}\n")

            upstream.script(LONG_ANSWER)
            received = 0
            for name, _ in stream_events(session, chat, "Tell me everything."):
                received += name == "token"
                if received == 3:
                    break  # leaving the loop closes the connection
            relay = relays.started[-1]
            relay.ended.wait(10)
            print(f"The client left after {received} of {LONG_TOKENS} tokens of 4 kB:")
            early = relay.pieces_sent < LONG_TOKENS
            print(
                f"  the relay ended with {relay.outcome!r}, before the end of the answer: {early}"
            )
            print(f"  the upstream response was closed: {relay.upstream_closed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
