"""The other Redis types, one small job each: counters, a lock, a profile, shared interests."""

from __future__ import annotations

import redis

from day17.validation import InvalidInput, check_key, check_name, check_ttl

MAX_FIELDS = 50
#: Every key this module writes starts with a namespace, so a shared database stays tidy.
NAMESPACE = "day17"


def count_visit(client: redis.Redis, page: str, namespace: str = NAMESPACE) -> int:
    """INCR the page's counter (a missing key counts from 0); the count after this visit."""
    return int(client.incr(f"{namespace}:visits:{check_name(page, 'page')}"))


def try_lock(
    client: redis.Redis, name: str, owner: str, seconds: int, namespace: str = NAMESPACE
) -> bool:
    """SET the lock NX EX: True if ``owner`` now holds it, False if someone else already does.

    The lock lets itself go after ``seconds``, so a holder that dies cannot keep it forever.
    To release it only if you still own it, use redis-py's ``Lock`` (a Lua compare-and-delete).
    """
    key = f"{namespace}:lock:{check_key(name)}"
    owner = check_name(owner, "owner")
    return bool(client.set(key, owner, nx=True, ex=check_ttl(seconds)))


def save_profile(
    client: redis.Redis, player: str, fields: dict[str, str | int], namespace: str = NAMESPACE
) -> None:
    """HSET the given fields of ``player``'s profile hash (other fields are kept)."""
    player = check_name(player, "player")
    if not isinstance(fields, dict) or not fields:
        raise InvalidInput(f"fields must be a non-empty dict, got {fields!r}")
    if len(fields) > MAX_FIELDS:
        raise InvalidInput(f"fields must be at most {MAX_FIELDS}, got {len(fields)}")
    mapping: dict[str, str | int] = {}
    for field, value in fields.items():
        field = check_name(field, "field")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InvalidInput(f"field {field!r} must be a string or a whole number, got {value!r}")
        mapping[field] = value
    client.hset(f"{namespace}:profile:{player}", mapping=mapping)


def load_profile(client: redis.Redis, player: str, namespace: str = NAMESPACE) -> dict[str, str]:
    """HGETALL ``player``'s profile: every value comes back as a string; {} if there is none."""
    return dict(client.hgetall(f"{namespace}:profile:{check_name(player, 'player')}"))


def add_interests(
    client: redis.Redis, player: str, *interests: str, namespace: str = NAMESPACE
) -> int:
    """SADD interests to ``player``'s set; how many were new."""
    player = check_name(player, "player")
    if not interests:
        raise InvalidInput("give at least one interest")
    names = [check_name(interest, "interest") for interest in interests]
    return int(client.sadd(f"{namespace}:interests:{player}", *names))


def common_interests(client: redis.Redis, *players: str, namespace: str = NAMESPACE) -> list[str]:
    """SINTER the players' interest sets, sorted (a set has no order of its own)."""
    if len(players) < 2:
        raise InvalidInput(f"give at least two players, got {len(players)}")
    keys = [f"{namespace}:interests:{check_name(player, 'player')}" for player in players]
    return sorted(client.sinter(keys))
