"""Access tokens: what a valid one says, and each way a bad one is refused."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from day09.forgery import unsigned, with_claims, with_signature_altered
from day09.tokens import Claims, InvalidToken, issue_token, read_token

SECRET = "test-signing-key-0123456789-abcdefghij"
OTHER_SECRET = "another-signing-key-0123456789-abcdefg"
TTL = timedelta(minutes=15)
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture
def now() -> datetime:
    """The wall clock at the start of the test, in whole seconds as JWT times are.

    Read per test, not at import: a module-level clock goes stale while a long suite runs.
    """
    return datetime.now(UTC).replace(microsecond=0)


def test_a_token_carries_its_subject_issue_time_and_expiry(now: datetime) -> None:
    token = issue_token("42", SECRET, TTL, now=now)

    assert read_token(token, SECRET) == Claims("42", now, now + TTL)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}


def test_a_token_is_accepted_until_it_expires(now: datetime) -> None:
    token = issue_token("42", SECRET, TTL, now=now - TTL + timedelta(seconds=30))

    assert read_token(token, SECRET).subject == "42"


def reason(token: str, secret: str = SECRET) -> str:
    with pytest.raises(InvalidToken) as error:
        read_token(token, secret)
    return str(error.value)


def test_an_expired_token_is_refused(now: datetime) -> None:
    token = issue_token("42", SECRET, TTL, now=now - TTL - timedelta(seconds=1))

    assert reason(token) == "token has expired; log in again for a new one"


def test_a_token_issued_in_the_future_is_refused(now: datetime) -> None:
    token = issue_token("42", SECRET, TTL, now=now + timedelta(minutes=5))

    assert reason(token) == "token was issued in the future; check the issuer's clock"


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda token: with_claims(token, sub="1"), id="payload-edited"),
        pytest.param(lambda token: with_claims(token, exp=2**40), id="expiry-extended"),
        pytest.param(with_signature_altered, id="signature-altered"),
    ],
)
def test_a_tampered_token_is_refused(forge: Callable[[str], str], now: datetime) -> None:
    token = forge(issue_token("42", SECRET, TTL, now=now))

    assert reason(token) == "token signature is invalid; it was altered or signed with another key"


def test_a_token_signed_with_another_secret_is_refused(now: datetime) -> None:
    token = issue_token("42", OTHER_SECRET, TTL, now=now)

    assert reason(token) == "token signature is invalid; it was altered or signed with another key"


def test_an_unsigned_alg_none_token_is_refused(now: datetime) -> None:
    token = unsigned(issue_token("42", SECRET, TTL, now=now))

    assert reason(token) == "token algorithm is not allowed; only HS256 tokens are accepted"


def test_a_token_with_another_hmac_algorithm_is_refused(now: datetime) -> None:
    claims = {"sub": "42", "iat": now, "exp": now + TTL}
    token = jwt.encode(claims, SECRET * 2, algorithm="HS512")

    assert reason(token, SECRET * 2) == (
        "token algorithm is not allowed; only HS256 tokens are accepted"
    )


@pytest.mark.parametrize("claim", ["sub", "iat", "exp"])
def test_a_token_missing_a_required_claim_is_refused(claim: str, now: datetime) -> None:
    claims = {"sub": "42", "iat": now, "exp": now + TTL}
    del claims[claim]
    token = jwt.encode(claims, SECRET, algorithm="HS256")

    assert reason(token) == f"token has no {claim!r} claim; log in again"


@pytest.mark.parametrize("garbled", ["", "abc", "a.b", "a.b.c", "!!!.???.***"])
def test_a_malformed_token_is_refused(garbled: str) -> None:
    assert reason(garbled) == (
        "token is malformed; expected three base64url parts: header.payload.signature"
    )


def test_a_signature_with_altered_padding_bits_is_refused_as_malformed(now: datetime) -> None:
    # The last base64url character of a 32-byte signature carries 2 unused bits. A lax decoder
    # ignores them, so flipping one would leave the signature valid; PyJWT insists on the one
    # canonical encoding.
    token = issue_token("42", SECRET, TTL, now=now)
    header, payload, signature = token.split(".")
    sibling = BASE64URL[BASE64URL.index(signature[-1]) ^ 1]  # differs only in a padding bit

    assert reason(f"{header}.{payload}.{signature[:-1]}{sibling}") == (
        "token is malformed; expected three base64url parts: header.payload.signature"
    )


def test_pyjwt_refuses_to_decode_without_a_list_of_algorithms(now: datetime) -> None:
    # The lesson's claim about the locked PyJWT: the algorithm list is not optional.
    token = issue_token("42", SECRET, TTL, now=now)

    with pytest.raises(jwt.DecodeError, match='pass in a value for the "algorithms" argument'):
        jwt.decode(token, SECRET)


@pytest.mark.parametrize(
    ("signature", "altered"), [("Abc", "Bbc"), ("Bbc", "Cbc")], ids=["to-B", "B-to-C"]
)
def test_altering_a_signature_always_changes_its_first_character(
    signature: str, altered: str
) -> None:
    assert with_signature_altered(f"head.body.{signature}") == f"head.body.{altered}"


def test_a_token_issued_without_a_clock_is_stamped_in_utc_whatever_the_local_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A naive local time would be read as UTC by PyJWT and shift iat by the zone's offset.
    monkeypatch.setenv("TZ", "Etc/GMT+5")
    time.tzset()
    try:
        before = int(time.time())
        claims = jwt.decode(issue_token("42", SECRET, TTL), SECRET, algorithms=["HS256"])
    finally:
        monkeypatch.undo()
        time.tzset()

    assert before <= claims["iat"] <= before + 5, (before, claims["iat"])


def test_a_claim_pyjwt_cannot_read_is_refused_with_its_reason(now: datetime) -> None:
    payload = {"sub": "42", "iat": "soon", "exp": int((now + TTL).timestamp())}
    token = jwt.encode(payload, SECRET, algorithm="HS256")

    with pytest.raises(InvalidToken, match=r"^token is invalid: Issued At claim \(iat\)"):
        read_token(token, SECRET)
