"""Password hashing and tokens, on their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from projects.blog_api.security import InvalidToken, Passwords, Tokens
from projects.blog_api.tests.support import SECRET

CHEAP = Passwords(time_cost=1, memory_cost=8, parallelism=1)


def test_a_password_hash_is_argon2id_and_salted() -> None:
    first, second = CHEAP.hash("secret password"), CHEAP.hash("secret password")
    assert first.startswith("$argon2id$")
    assert first != second


def test_verify_accepts_the_password_and_refuses_others() -> None:
    stored = CHEAP.hash("secret password")
    assert CHEAP.verify(stored, "secret password")
    assert not CHEAP.verify(stored, "Secret password")


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "$argon2id$v=19$broken"])
def test_verify_refuses_a_missing_or_broken_hash(stored: str | None) -> None:
    assert not CHEAP.verify(stored, "decoy password")


def test_a_hash_with_other_parameters_needs_a_rehash() -> None:
    assert CHEAP.needs_rehash(Passwords(2, 16, 1).hash("x"))
    assert not CHEAP.needs_rehash(CHEAP.hash("x"))


def test_a_token_round_trips_its_subject() -> None:
    tokens = Tokens(SECRET, 60)
    assert tokens.subject(tokens.issue("abc")) == "abc"


def test_a_token_expires_after_its_ttl() -> None:
    tokens = Tokens(SECRET, 60)
    token = tokens.issue("abc", now=datetime.now(UTC) - timedelta(seconds=61))
    with pytest.raises(InvalidToken, match="expired"):
        tokens.subject(token)


def test_a_token_without_a_subject_is_invalid() -> None:
    now = datetime.now(UTC)
    token = jwt.encode({"iat": now, "exp": now + timedelta(minutes=1)}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="invalid"):
        Tokens(SECRET, 60).subject(token)
