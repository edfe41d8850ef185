"""Serve the provider and the client side by side on 127.0.0.1, each on a free port."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from shared.serve import free_port, served

CLIENT_ID = "todo-web"
CLIENT_SECRET = "todo-web-secret"


@dataclass
class Apps:
    """Where the two apps answer, and the client's registration."""

    provider_url: str
    client_url: str
    redirect_uri: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


@contextmanager
def running_apps(redis_url: str) -> Iterator[Apps]:
    """Start the provider and the client with served() (one worker each: state in memory)."""
    provider_port, client_port = free_port(), free_port()
    provider_url = f"http://127.0.0.1:{provider_port}"
    client_url = f"http://127.0.0.1:{client_port}"
    redirect_uri = f"{client_url}/callback"
    env = {
        **os.environ,
        "DAY19_CLIENT_ID": CLIENT_ID,
        "DAY19_CLIENT_SECRET": CLIENT_SECRET,
        "DAY19_REDIRECT_URI": redirect_uri,
        "DAY19_PROVIDER_URL": provider_url,
        "REDIS_URL": redis_url,
    }
    with (
        served("day19.provider:create_provider()", env=env, port=provider_port, workers=1),
        served("day19.client:create_client()", env=env, port=client_port, workers=1),
    ):
        yield Apps(provider_url, client_url, redirect_uri)
