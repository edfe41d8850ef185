"""simple-websocket's client, pinned on a raw server: a frame read with the handshake waits."""

from __future__ import annotations

import socket
import threading

from simple_websocket import Client
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage


def test_a_message_read_with_the_101_response_waits_in_the_client_until_more_data() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    send_more = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            ws = WSConnection(ConnectionType.SERVER)
            ws.receive_data(conn.recv(65536))
            out = b"".join(
                ws.send(AcceptConnection()) for event in ws.events() if isinstance(event, Request)
            )
            # The 101 response and the first message in one write, as a busy server may send.
            conn.sendall(out + ws.send(TextMessage(data="hello")))
            send_more.wait(5)
            conn.sendall(ws.send(TextMessage(data="second")))
            send_more.wait(0.5)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    client = Client.connect(f"ws://127.0.0.1:{port}/ws")
    try:
        assert client.receive(timeout=0.3) is None
        send_more.set()
        assert [client.receive(timeout=5), client.receive(timeout=5)] == ["hello", "second"]
    finally:
        send_more.set()
        server.join(5)
        listener.close()
        if client.connected:
            client.close()
