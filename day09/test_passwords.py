"""Argon2id hashing: never the password, salted, verifiable, upgradable."""

from __future__ import annotations

from argon2 import PasswordHasher

from day09.passwords import Passwords

CHEAP = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def test_hash_is_not_the_password_and_verifies() -> None:
    passwords = Passwords(**CHEAP)

    stored = passwords.hash("correct horse")

    assert "correct horse" not in stored
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "correct horse")


def test_the_same_password_hashes_differently_each_time() -> None:
    passwords = Passwords(**CHEAP)

    first, second = passwords.hash("correct horse"), passwords.hash("correct horse")

    assert first != second, "each hash has its own random salt"
    assert passwords.verify(first, "correct horse") and passwords.verify(second, "correct horse")


def test_verify_rejects_a_wrong_password() -> None:
    passwords = Passwords(**CHEAP)

    assert not passwords.verify(passwords.hash("correct horse"), "correct horse!")


def test_verify_rejects_a_corrupt_hash_instead_of_raising() -> None:
    passwords = Passwords(**CHEAP)

    assert not passwords.verify("not-a-hash", "correct horse")


def test_a_hash_made_with_other_parameters_needs_rehashing() -> None:
    old, new = Passwords(**CHEAP), Passwords(**CHEAP | {"time_cost": 2})
    stored = old.hash("correct horse")

    assert new.verify(stored, "correct horse"), "old hashes still verify: they carry their params"
    assert new.needs_rehash(stored)
    assert not new.needs_rehash(new.hash("correct horse"))


def test_the_default_parameters_are_argon2_cffis_own() -> None:
    # The docstring's claim, on the locked argon2-cffi: 3 passes over 64 MiB with 4 lanes.
    library = PasswordHasher()

    assert (library.time_cost, library.memory_cost, library.parallelism) == (3, 65536, 4)
    # One real hash (the decoy, made up front); a hash of that cost needs no rehashing.
    assert not Passwords().needs_rehash(library.hash("x"))
