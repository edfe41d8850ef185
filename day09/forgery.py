"""Ways to forge a token, used by the demo and the tests to show each one refused.

Each takes a genuine token (or claims) and returns what an attacker could send instead.
"""

from __future__ import annotations

import base64
import json
from typing import Any


def _encode(part: dict[str, Any]) -> str:
    raw = json.dumps(part, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def with_claims(token: str, **changes: Any) -> str:
    """``token`` with its payload edited (``sub="2"``) and the original signature kept."""
    header, payload, signature = token.split(".")
    return ".".join([header, _encode(_decode(payload) | changes), signature])


def with_signature_altered(token: str) -> str:
    """``token`` with the first character of its signature changed.

    Not the last one: an HS256 signature is 32 bytes in 43 base64url characters, so the last
    character also carries two unused bits, and changing it may make the token malformed
    rather than wrongly signed.
    """
    header, payload, signature = token.split(".")
    first = "B" if signature[0] != "B" else "C"
    return ".".join([header, payload, first + signature[1:]])


def unsigned(token: str) -> str:
    """``token``'s claims under ``{"alg": "none"}`` with an empty signature."""
    _, payload, _ = token.split(".")
    return ".".join([_encode({"alg": "none", "typ": "JWT"}), payload, ""])
