"""Passwords (argon2id) and login tokens (HS256 JWT), for every API that has users.

The Blog API and the AI Notes API use the same code: only the header scheme they ask for
(``Token`` and ``Bearer``) and where the settings come from differ.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import request

from shared.errors import Unauthorized

ALGORITHM = "HS256"


class Passwords:
    """Hash and check passwords with argon2id; the cost comes from the settings."""

    def __init__(self, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
        # Checked against when the email is unknown, so both failures take as long.
        self._decoy = self._hasher.hash("decoy password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; ``stored_hash=None`` still spends the same time."""
        try:
            return self._hasher.verify(stored_hash or self._decoy, password) and bool(stored_hash)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the hash was made with other parameters than today's (upgrade on login)."""
        return self._hasher.check_needs_rehash(stored_hash)


class InvalidToken(Exception):
    """The token cannot be trusted; the message says why, safe to show."""


class Tokens:
    """Issue and read HS256 JWTs carrying ``sub`` (the user's auth id), ``iat`` and ``exp``."""

    def __init__(self, secret_key: str, ttl_seconds: int) -> None:
        self._key = secret_key
        self._ttl = timedelta(seconds=ttl_seconds)

    def issue(self, subject: str, now: datetime | None = None) -> str:
        issued = now or datetime.now(UTC)
        claims = {"sub": subject, "iat": issued, "exp": issued + self._ttl}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def subject(self, token: str) -> str:
        """The ``sub`` of a valid token, or InvalidToken."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                # One fixed algorithm: "none", RS256-with-our-secret and friends are refused.
                algorithms=[ALGORITHM],
                options={"require": ["sub", "iat", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("token has expired; log in again") from None
        except jwt.InvalidTokenError:
            raise InvalidToken("token is invalid") from None
        return cast(str, claims["sub"])


def presented_token(schemes: set[str], challenge: dict[str, str], usage: str) -> str | None:
    """The token in the Authorization header, ``None`` when there is no header.

    ``schemes`` are the accepted scheme names in lower case; a header with another scheme, or
    with no token after it, is a 401 whose message is ``usage`` (e.g. "'Bearer <jwt>'").
    """
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() not in schemes or not token:
        raise Unauthorized(f"Authorization header must be {usage}", headers=challenge)
    return token
