"""Counters, a lock, a profile and shared interests on a real Redis, and their refusals."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis

from day17 import basics
from day17.validation import InvalidInput


def test_visits_count_up_from_one_per_page(redis_client: redis.Redis) -> None:
    counts = [basics.count_visit(redis_client, "home") for _ in range(3)]

    assert counts == [1, 2, 3]
    assert basics.count_visit(redis_client, "about") == 1
    assert redis_client.get("day17:visits:home") == "3"


def test_only_the_first_owner_gets_the_lock(redis_client: redis.Redis) -> None:
    assert basics.try_lock(redis_client, "report", "worker-1", 30) is True
    assert basics.try_lock(redis_client, "report", "worker-2", 30) is False
    assert redis_client.get("day17:lock:report") == "worker-1"


def test_a_lock_expires_by_itself(redis_client: redis.Redis) -> None:
    basics.try_lock(redis_client, "report", "worker-1", 30)
    assert 0 < redis_client.ttl("day17:lock:report") <= 30

    redis_client.expire("day17:lock:report", 0)  # as if the 30 seconds had passed

    assert basics.try_lock(redis_client, "report", "worker-2", 30) is True


def test_a_profile_comes_back_as_strings_and_keeps_other_fields(
    redis_client: redis.Redis,
) -> None:
    basics.save_profile(redis_client, "ada", {"country": "UK", "born": 1815})
    basics.save_profile(redis_client, "ada", {"born": 1816})

    assert basics.load_profile(redis_client, "ada") == {"country": "UK", "born": "1816"}
    assert basics.load_profile(redis_client, "nobody") == {}


def test_common_interests_are_the_intersection_sorted(redis_client: redis.Redis) -> None:
    assert basics.add_interests(redis_client, "ada", "poetry", "math", "engines", "math") == 3
    basics.add_interests(redis_client, "alan", "running", "math", "engines")
    basics.add_interests(redis_client, "grace", "navy", "math")

    assert basics.common_interests(redis_client, "ada", "alan") == ["engines", "math"]
    assert basics.common_interests(redis_client, "ada", "alan", "grace") == ["math"]
    assert basics.common_interests(redis_client, "ada", "nobody") == []


def test_a_namespace_keeps_keys_apart(redis_client: redis.Redis) -> None:
    basics.count_visit(redis_client, "home", namespace="a")
    basics.count_visit(redis_client, "home", namespace="b")
    basics.count_visit(redis_client, "home", namespace="b")

    assert sorted(redis_client.keys()) == ["a:visits:home", "b:visits:home"]
    assert redis_client.get("b:visits:home") == "2"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: basics.count_visit(c, ""), "page must not be empty"),
        (lambda c: basics.try_lock(c, "", "me", 30), "key must not be empty"),
        (lambda c: basics.try_lock(c, "job", "", 30), "owner must not be empty"),
        (lambda c: basics.try_lock(c, "job", "me", 0), "ttl must be from 1 to 31622400, got 0"),
        (lambda c: basics.save_profile(c, "ada", {}), "fields must be a non-empty dict, got {}"),
        (
            lambda c: basics.save_profile(c, "ada", {f"f{n}": n for n in range(51)}),
            "fields must be at most 50, got 51",
        ),
        (lambda c: basics.save_profile(c, "ada", {"": "x"}), "field must not be empty"),
        (
            lambda c: basics.save_profile(c, "ada", {"born": 18.15}),
            "field 'born' must be a string or a whole number, got 18.15",
        ),
        (
            lambda c: basics.save_profile(c, "ada", {"ok": True}),
            "field 'ok' must be a string or a whole number, got True",
        ),
        (lambda c: basics.save_profile(c, "", {"a": "b"}), "player must not be empty"),
        (lambda c: basics.load_profile(c, ""), "player must not be empty"),
        (lambda c: basics.add_interests(c, "ada"), "give at least one interest"),
        (lambda c: basics.add_interests(c, "ada", "math", ""), "interest must not be empty"),
        (lambda c: basics.add_interests(c, "", "math"), "player must not be empty"),
        (lambda c: basics.common_interests(c, "ada"), "give at least two players, got 1"),
        (lambda c: basics.common_interests(c, "ada", ""), "player must not be empty"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    redis_client: redis.Redis, call: Callable[[redis.Redis], object], message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        call(redis_client)

    assert str(refused.value) == message
    assert redis_client.dbsize() == 0


def test_a_profile_of_fifty_fields_is_the_most_accepted(redis_client: redis.Redis) -> None:
    basics.save_profile(redis_client, "ada", {f"f{n}": n for n in range(50)})

    assert len(basics.load_profile(redis_client, "ada")) == 50
