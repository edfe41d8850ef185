"""`python -m day19`: log in through a local OAuth 2.0 provider; the session lives in Redis.

It serves the provider and the client on 127.0.0.1 and drives the authorization-code flow
with PKCE by hand, printing each step, then shows the session key in Redis, logs out, and
bends the flow the four ways the provider or the client must refuse. Redis is ``REDIS_URL``
or a throwaway ``redis-server``; with neither it says what it needs and exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys

import redis

from day17.server import NoRedis, throwaway_redis
from day19.apps import Apps, running_apps
from day19.client import SESSION_PREFIX
from day19.flow import authorize_by_hand, query, run_flow, token_request
from shared.cache import redacted

VERIFIER = "demo-verifier-" + "x" * 40


def session_keys(client: redis.Redis) -> list[str]:
    """The client's session keys in Redis."""
    return sorted(k.decode() for k in client.scan_iter(f"{SESSION_PREFIX}*"))


def demo(apps: Apps, store: redis.Redis) -> None:
    """Run the flow, show the session in Redis, log out, then the refusals."""
    for key in session_keys(store):
        store.delete(key)
    print("The authorization-code flow with PKCE, every redirect followed by hand:")
    result = run_flow(apps.client_url, say=lambda line: print(f"  {line}"))
    keys = session_keys(store)
    print(
        f"\nSession in Redis: {len(keys)} key under {SESSION_PREFIX}<id>, "
        f"TTL {store.ttl(keys[0])} s; the cookie holds only the signed id"
    )
    cookie = next(c for c in result.browser.cookies)
    print(
        f"  cookie {cookie.name}: HttpOnly {cookie.has_nonstandard_attr('HttpOnly')}, "
        f"SameSite={cookie.get_nonstandard_attr('SameSite')}"
    )
    out = result.browser.post(f"{apps.client_url}/logout", timeout=10)
    print(f"  POST /logout -> {out.status_code}; session keys left: {len(session_keys(store))}")

    print("\nRefused:")
    client = (apps.client_id, apps.client_secret)
    code = query(
        authorize_by_hand(apps.provider_url, apps.client_id, apps.redirect_uri, VERIFIER).headers[
            "Location"
        ]
    )["code"]
    wrong = token_request(
        apps.provider_url, client, code, "another-verifier-" + "y" * 40, apps.redirect_uri
    )
    print(f"  a wrong code_verifier: {wrong.status_code} {wrong.json()['error']}")
    code = query(
        authorize_by_hand(apps.provider_url, apps.client_id, apps.redirect_uri, VERIFIER).headers[
            "Location"
        ]
    )["code"]
    token_request(apps.provider_url, client, code, VERIFIER, apps.redirect_uri)
    again = token_request(apps.provider_url, client, code, VERIFIER, apps.redirect_uri)
    print(f"  the same code twice: {again.status_code} {again.json()['error']}")
    elsewhere = authorize_by_hand(
        apps.provider_url, apps.client_id, "http://127.0.0.1:1/steal", VERIFIER
    )
    print(
        f"  an unregistered redirect_uri: {elsewhere.status_code} "
        f"{elsewhere.json()['error']} (no redirect)"
    )
    forged = run_flow(apps.client_url, tamper_state=True)
    print(f"  a tampered state: {forged.status} {forged.body['error']} (at the client)")


def main(argv: list[str] | None = None) -> int:
    """Run the demo; 0 when done or when no Redis is to be had."""
    argparse.ArgumentParser(
        prog="python -m day19",
        description="An OAuth 2.0 code flow with PKCE against a local provider (Authlib), "
        "the client's login session in Redis: REDIS_URL, or a throwaway redis-server.",
    ).parse_args(argv)
    url = os.environ.get("REDIS_URL")
    try:
        if url:
            print(f"Redis: {redacted(url)} (REDIS_URL)\n")
            run(url)
        else:
            with throwaway_redis() as url:
                print("Redis: a throwaway redis-server on 127.0.0.1 (REDIS_URL is unset)\n")
                run(url)
    except NoRedis as error:
        print(error)
    except redis.ConnectionError as error:
        print(f"Redis at {redacted(url or '')} does not answer: {error}")
    return 0


def run(url: str) -> None:
    """Serve both apps against the Redis at ``url`` and run the demo."""
    store = redis.Redis.from_url(url, socket_timeout=5)
    store.ping()
    with running_apps(url) as apps:
        demo(apps, store)


if __name__ == "__main__":
    sys.exit(main())
