"""Which incoming request ids are kept, and which are replaced (and why)."""

from __future__ import annotations

import pytest

from day16.request_id import MAX_LENGTH, choose_request_id, new_request_id


def fresh() -> str:
    return "fresh"


@pytest.mark.parametrize(
    "incoming",
    [
        "3f0481d6-8eed-4d50-b312-13f5fe82bc8b",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "dGVzdA==",
        "svc-a:42/7",
        "x" * MAX_LENGTH,
    ],
)
def test_a_sane_incoming_id_is_kept(incoming: str) -> None:
    assert choose_request_id(incoming, fresh).value == incoming


@pytest.mark.parametrize(
    ("incoming", "reason"),
    [
        ("", "empty"),
        ("x" * (MAX_LENGTH + 1), f"longer than {MAX_LENGTH} characters"),
        ("a b", "characters outside"),
        ("a\nfake log line", "characters outside"),
        ("id\x00", "characters outside"),
        ("café", "characters outside"),
        ('"quoted"', "characters outside"),
    ],
)
def test_an_unsafe_incoming_id_is_replaced_with_the_reason(incoming: str, reason: str) -> None:
    chosen = choose_request_id(incoming, fresh)
    assert chosen.value == "fresh"
    assert chosen.replaced is not None and chosen.replaced.startswith(reason), chosen


def test_no_incoming_id_gets_a_new_one_without_a_reason() -> None:
    assert choose_request_id(None, fresh) == choose_request_id(None, fresh)
    assert choose_request_id(None, fresh).replaced is None


def test_new_ids_are_32_hex_digits_and_differ() -> None:
    first, second = new_request_id(), new_request_id()
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second
