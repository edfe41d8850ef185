"""Each todo's url behind a reverse proxy: believed only when TODO_TRUSTED_PROXY_HOPS says so."""

from __future__ import annotations

from typing import Any

FORWARDED = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "todo.example.com",
    "X-Forwarded-Prefix": "/api",
}


def test_with_a_trusted_proxy_the_url_uses_the_forwarded_scheme_host_and_prefix(
    make_app: Any,
) -> None:
    client = make_app(TRUSTED_PROXY_HOPS=1).test_client()
    todo = client.post("/todos", json={"title": "x"}, headers=FORWARDED).get_json()
    assert todo["url"] == f"https://todo.example.com/api/todos/{todo['id']}"
    listed = client.get("/todos", headers=FORWARDED).get_json()
    assert listed[0]["url"] == todo["url"]


def test_without_trusted_proxies_the_forwarded_headers_are_ignored(make_app: Any) -> None:
    client = make_app().test_client()
    todo = client.post("/todos", json={"title": "x"}, headers=FORWARDED).get_json()
    assert todo["url"] == f"http://localhost/todos/{todo['id']}"


def test_the_openapi_servers_entry_follows_the_forwarded_prefix(make_app: Any) -> None:
    client = make_app(TRUSTED_PROXY_HOPS=1).test_client()
    document = client.get("/openapi.json", headers=FORWARDED).get_json()
    assert document["servers"][0]["url"] == "/api"
