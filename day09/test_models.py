"""The users table: what it holds, and what a user shows of itself."""

from __future__ import annotations

from day09.models import User


def test_the_user_table_holds_the_longest_valid_username_and_long_hashes() -> None:
    # The validation allows 32 characters; an Argon2 hash with raised costs stays under 255.
    columns = User.__table__.c

    assert (columns.username.type.length, columns.password_hash.type.length) == (32, 255)
    assert columns.username.unique


def test_a_user_shows_its_id_and_name_but_never_its_hash() -> None:
    user = User(id=7, username="ada", password_hash="$argon2id$secret")

    assert repr(user) == "User(id=7, username='ada')"
    assert user.to_json() == {"id": 7, "username": "ada"}
