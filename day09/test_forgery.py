"""The forgeries themselves: each changes exactly what it claims to, in valid JWT encoding."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt

from day09.forgery import unsigned, with_claims
from day09.tokens import issue_token

SECRET = "test-signing-key-0123456789-abcdefghij"


def compact_base64url(part: dict[str, object]) -> str:
    raw = json.dumps(part, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_with_claims_edits_the_payload_and_keeps_header_and_signature() -> None:
    token = issue_token("1", SECRET, timedelta(minutes=5))
    header, _, signature = token.split(".")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])

    forged = with_claims(token, sub="2")

    # Compact JSON in unpadded base64url, the way a JWT library writes a payload.
    assert forged == ".".join([header, compact_base64url(claims | {"sub": "2"}), signature])


def test_unsigned_announces_alg_none_and_carries_no_signature() -> None:
    token = issue_token("1", SECRET, timedelta(minutes=5))

    forged = unsigned(token)

    header, payload, signature = forged.split(".")
    assert header == compact_base64url({"alg": "none", "typ": "JWT"})
    assert payload == token.split(".")[1]
    assert signature == ""


def test_python_base64_ignores_surplus_padding() -> None:
    # Why two padding mutants of _decode survive: the same bytes come out either way.
    assert base64.urlsafe_b64decode("YWI=") == base64.urlsafe_b64decode("YWI===") == b"ab"


def test_pyjwt_signs_with_hs256_when_no_algorithm_is_named() -> None:
    # Why issue_token's explicit algorithm= is for the reader: PyJWT's default is the same.
    token = jwt.encode({"sub": "1"}, SECRET)

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
