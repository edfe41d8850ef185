"""`python -m day22`: two gunicorn servers, two WebSocket clients, changes pushed across both.

It uses ``REDIS_URL`` when set; otherwise it starts a throwaway ``redis-server`` on 127.0.0.1
(stopped at the end). With neither, it says in one line what it needs and exits 0. Its keys
and channel start with ``day22-demo:`` and are deleted before and after the run.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import redis
import requests

from day17.server import NoRedis, throwaway_redis
from day22.live import connect, eventually, nothing_within, receive_json
from shared.cache import RedisUnavailable, redacted, redis_client
from shared.config import ConfigError
from shared.serve import Served, ServerDidNotStart, served

NAMESPACE = "day22-demo"
APP = "day22.app:create_app()"


def build_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="python -m day22",
        description="Starts two gunicorn servers of a live todo API on one Redis, connects a "
        "WebSocket client to each, makes changes through both and prints what each client "
        "received. Uses REDIS_URL if set, else a throwaway redis-server on 127.0.0.1.",
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    parser.parse_args(argv)
    url = os.environ.get("REDIS_URL", "").strip()
    try:
        if url:
            redis_client(url, required=True)
            print(f"Redis: the server in REDIS_URL ({redacted(url)}).")
            demo(url)
            return 0
        with throwaway_redis() as throwaway:
            print(
                "Redis: a throwaway redis-server on 127.0.0.1 (REDIS_URL is unset), stopped after."
            )
            demo(throwaway)
        return 0
    except (RedisUnavailable, NoRedis) as missing:
        print(f"{parser.prog}: {missing}")
        return 0
    except ServerDidNotStart as error:
        print(f"{parser.prog}: a server did not start: {error}", file=sys.stderr)
        return 1
    except ConfigError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")


def clear(client: redis.Redis) -> None:
    keys = list(client.scan_iter(match=f"{NAMESPACE}:*", count=500))
    if keys:
        client.delete(*keys)


def server(name: str, url: str) -> Any:
    env = {**os.environ, "REDIS_URL": url, "DAY22_NAMESPACE": NAMESPACE, "DAY22_SERVER": name}
    # gthread: an open WebSocket holds one of a worker's threads, not the whole worker.
    return served(APP, env=env, workers=2, threads=4, ready_path="/health", access_log=False)


def shown(message: dict[str, Any]) -> str:
    if message["type"] == "hello":
        return f"hello from server {message['server']}"
    todo = message["todo"]
    done, via = todo["done"], message["via"]
    return f"{message['type']:<13} #{todo['id']} {todo['title']!r} done={done} via {via}"


def demo(url: str) -> None:
    store = redis.Redis.from_url(url, decode_responses=True)
    http = requests.Session()
    http.trust_env = False
    clear(store)
    try:
        with server("A", url) as a, server("B", url) as b:
            # Their ports are free ones, different each run, so they are not printed.
            print("Servers: A and B, two gunicorn servers (2 gthread workers each) on 127.0.0.1\n")
            run(a, b, http, store)
    finally:
        clear(store)
        store.close()
        http.close()


def run(a: Served, b: Served, http: requests.Session, store: redis.Redis) -> None:
    alice, alice_hello = connect(a.url)
    bob, bob_hello = connect(b.url)
    try:
        print("alice connects to A, bob to B; who is connected (Redis hash):")
        registry = store.hgetall(f"{NAMESPACE}:clients")
        print(f"  {sorted(registry.values())}\n")
        print("Changes:")
        milk = http.post(f"{a.url}/todos", json={"title": "buy milk"}, timeout=5).json()
        print(f"  POST   A /todos          -> #{milk['id']} {milk['title']!r}")
        blog = http.post(f"{b.url}/todos", json={"title": "write day 22"}, timeout=5).json()
        print(f"  POST   B /todos          -> #{blog['id']} {blog['title']!r}")
        http.patch(f"{a.url}/todos/{milk['id']}", json={"done": True}, timeout=5)
        print(f"  PATCH  A /todos/{milk['id']} done")
        http.delete(f"{b.url}/todos/{blog['id']}", timeout=5)
        print(f"  DELETE B /todos/{blog['id']}")
        for name, client, hello in (("alice", alice, alice_hello), ("bob", bob, bob_hello)):
            print(f"\n{name} received:")
            for message in [hello] + [receive_json(client) for _ in range(4)]:
                print(f"  {shown(message)}")
        bob.close()
        gone = eventually(lambda: not store.hexists(f"{NAMESPACE}:clients", bob_hello["client"]))
        print(f"\nbob disconnects; removed from the registry: {gone}")
        last = http.post(f"{b.url}/todos", json={"title": "after bob left"}, timeout=5).json()
        print(f"  POST   B /todos          -> #{last['id']} {last['title']!r}")
        print(f"  alice received: {shown(receive_json(alice))}")
        print(f"  nothing else for alice within 0.2 s: {nothing_within(alice, 0.2)}")
        print(f"  connected now: {sorted(store.hgetall(f'{NAMESPACE}:clients').values())}")
    finally:
        for client in (alice, bob):
            if client.connected:
                client.close()


if __name__ == "__main__":
    sys.exit(main())
