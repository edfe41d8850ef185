"""Two gunicorn processes on one Redis: a change posted to one reaches the clients of both."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests
from simple_websocket import Client

from day22.conftest import APP, NAMESPACE, THREADS
from day22.live import connect, eventually, nothing_within, receive_json
from shared.serve import Served, served

REGISTRY = f"{NAMESPACE}:clients"


@pytest.fixture
def clients(redis_client: redis.Redis) -> Iterator[list[Client]]:
    """Clients a test opens, closed at the end and gone from the registry before the next."""
    opened: list[Client] = []
    yield opened
    for client in opened:
        # close() on a client that is already closed raises ConnectionClosed.
        if client.connected:
            client.close()
    assert eventually(lambda: redis_client.hlen(REGISTRY) == 0), redis_client.hgetall(REGISTRY)


def join(server: Served, clients: list[Client]) -> tuple[Client, dict[str, Any]]:
    client, hello = connect(server.url)
    clients.append(client)
    return client, hello


def test_a_client_is_greeted_and_registered(
    server_a: Served, clients: list[Client], redis_client: redis.Redis
) -> None:
    _, hello = join(server_a, clients)
    assert set(hello) == {"type", "client", "server"}
    assert (hello["type"], hello["server"]) == ("hello", "A")
    assert redis_client.hgetall(REGISTRY) == {hello["client"]: "A"}


def test_a_change_posted_to_a_reaches_a_client_of_b(
    server_a: Served, server_b: Served, clients: list[Client], http: requests.Session
) -> None:
    on_b, _ = join(server_b, clients)
    created = http.post(f"{server_a.url}/todos", json={"title": "buy milk"}, timeout=5)
    assert created.status_code == 201
    todo = created.json()
    assert receive_json(on_b) == {"type": "todo.created", "todo": todo, "via": "A"}


def test_every_client_of_every_process_gets_each_change_in_order(
    server_a: Served, server_b: Served, clients: list[Client], http: requests.Session
) -> None:
    watchers = [join(server, clients)[0] for server in (server_a, server_b, server_b)]
    todo = http.post(f"{server_b.url}/todos", json={"title": "ship"}, timeout=5).json()
    done = http.patch(f"{server_a.url}/todos/{todo['id']}", json={"done": True}, timeout=5)
    assert done.status_code == 200
    assert http.delete(f"{server_b.url}/todos/{todo['id']}", timeout=5).status_code == 204
    expected = [
        {"type": "todo.created", "todo": todo, "via": "B"},
        {"type": "todo.updated", "todo": todo | {"done": True}, "via": "A"},
        {"type": "todo.deleted", "todo": todo | {"done": True}, "via": "B"},
    ]
    for watcher in watchers:
        assert [receive_json(watcher) for _ in expected] == expected


def test_a_client_that_closes_is_removed_and_the_others_still_get_changes(
    server_a: Served,
    server_b: Served,
    clients: list[Client],
    http: requests.Session,
    redis_client: redis.Redis,
) -> None:
    stays, _ = join(server_a, clients)
    leaves, hello = join(server_b, clients)
    leaves.close()
    assert eventually(lambda: not redis_client.hexists(REGISTRY, hello["client"]))
    assert redis_client.hvals(REGISTRY) == ["A"]
    http.post(f"{server_b.url}/todos", json={"title": "after"}, timeout=5)
    assert receive_json(stays)["type"] == "todo.created"


def test_a_client_that_drops_without_a_close_frame_is_cleaned_up(
    server_b: Served, clients: list[Client], redis_client: redis.Redis
) -> None:
    dropped, hello = join(server_b, clients)
    # Cut the TCP connection under the client: the server sees the end of the stream, no close.
    dropped.sock.shutdown(socket.SHUT_RDWR)
    assert eventually(lambda: not redis_client.hexists(REGISTRY, hello["client"]))


def test_a_ping_gets_a_pong_and_anything_else_an_error_with_a_type(
    server_a: Served, clients: list[Client]
) -> None:
    client, _ = join(server_a, clients)
    client.send('{"type": "ping"}')
    assert receive_json(client) == {"type": "pong"}
    client.send("not json")
    assert receive_json(client) == {"type": "error", "detail": 'send JSON, e.g. {"type": "ping"}'}
    client.send('{"type": "subscribe"}')
    assert receive_json(client) == {
        "type": "error",
        "detail": 'the only message a client sends is {"type": "ping"}',
    }


def test_a_refused_change_pushes_nothing(
    server_a: Served, clients: list[Client], http: requests.Session
) -> None:
    client, _ = join(server_a, clients)
    assert http.post(f"{server_a.url}/todos", json={"title": ""}, timeout=5).status_code == 422
    assert (
        http.patch(f"{server_a.url}/todos/999", json={"done": True}, timeout=5).status_code == 404
    )
    assert nothing_within(client, 0.5)


def test_the_todos_are_shared_by_both_processes(
    server_a: Served, server_b: Served, http: requests.Session
) -> None:
    todo = http.post(f"{server_a.url}/todos", json={"title": "shared"}, timeout=5).json()
    assert http.get(f"{server_b.url}/todos", timeout=5).json() == {"todos": [todo]}


def test_an_open_websocket_holds_a_sync_worker_until_it_closes(
    redis_url: str, http: requests.Session
) -> None:
    env = {**os.environ, "REDIS_URL": redis_url, "DAY22_NAMESPACE": NAMESPACE}
    with served(APP, env=env, workers=1, ready_path="/health", access_log=False) as single:
        client, _ = connect(single.url)
        with pytest.raises(requests.exceptions.ReadTimeout):
            http.get(f"{single.url}/health", timeout=0.5)
        client.close()
        assert http.get(f"{single.url}/health", timeout=5).status_code == 200


def test_under_gthread_a_worker_serves_requests_while_websockets_are_open(
    redis_url: str, http: requests.Session
) -> None:
    env = {**os.environ, "REDIS_URL": redis_url, "DAY22_NAMESPACE": NAMESPACE}
    with served(
        APP, env=env, workers=1, threads=THREADS, ready_path="/health", access_log=False
    ) as single:
        opened = [connect(single.url)[0] for _ in range(THREADS - 1)]
        try:
            assert http.get(f"{single.url}/health", timeout=5).status_code == 200
        finally:
            for client in opened:
                client.close()
