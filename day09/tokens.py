"""Signed, expiring access tokens: JWTs with HS256, ``sub``, ``iat`` and ``exp``.

Only HS256 is ever accepted. A token's header names its own algorithm, so a decoder that trusts
the header can be talked into ``alg: none`` (no signature at all); passing ``algorithms=[...]``
to PyJWT is what closes that door.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "iat", "exp")
#: RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 256 bits.
MIN_SECRET_BYTES = 32


class InvalidToken(Exception):
    """A token that must be refused; the message says why, in words a client can act on."""


@dataclass(frozen=True)
class Claims:
    """What a valid token says: who it is for and when it stops working."""

    subject: str
    issued_at: datetime
    expires_at: datetime


def issue_token(subject: str, secret: str, ttl: timedelta, now: datetime | None = None) -> str:
    """A token for ``subject`` signed with ``secret``, valid from ``now`` for ``ttl``."""
    issued = now or datetime.now(UTC)
    claims = {"sub": subject, "iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, secret: str) -> Claims:
    """The claims of ``token`` if its signature, algorithm and times check out.

    Raises :class:`InvalidToken` saying what is wrong: malformed, another algorithm, a bad
    signature (altered, or signed with another key), expired, issued in the future, or a
    required claim missing.
    """
    # practice 1: decode the token with HS256 pinned and its claims required, saying why it fails
    # hint: jwt.decode takes algorithms=[...] and options={"require": [...]}; catch PyJWT's
    # hint: specific errors (expired, algorithm, signature, ...) before DecodeError and their base.
    try:
        payload = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": list(REQUIRED_CLAIMS)}
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("token has expired; log in again for a new one") from None
    except jwt.ImmatureSignatureError:
        raise InvalidToken("token was issued in the future; check the issuer's clock") from None
    except jwt.InvalidAlgorithmError:
        raise InvalidToken(
            f"token algorithm is not allowed; only {ALGORITHM} tokens are accepted"
        ) from None
    except jwt.InvalidSignatureError:
        raise InvalidToken(
            "token signature is invalid; it was altered or signed with another key"
        ) from None
    except jwt.MissingRequiredClaimError as error:
        raise InvalidToken(f"token has no {error.claim!r} claim; log in again") from None
    except jwt.DecodeError:
        raise InvalidToken(
            "token is malformed; expected three base64url parts: header.payload.signature"
        ) from None
    except jwt.InvalidTokenError as error:
        raise InvalidToken(f"token is invalid: {error}") from None
    return Claims(
        subject=payload["sub"],
        issued_at=datetime.fromtimestamp(payload["iat"], UTC),
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
    )
    # end practice 1
