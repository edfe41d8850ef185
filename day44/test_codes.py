"""Short codes: base62, fixed width, one code per id."""

from __future__ import annotations

import pytest

from day44.codes import LENGTH, SPACE, code_for, decode, encode, id_for


def test_encode_writes_base62_left_padded_to_seven_characters() -> None:
    assert [encode(0), encode(61), encode(62), encode(SPACE - 1)] == [
        "0000000", "000000z", "0000010", "zzzzzzz",
    ]  # fmt: skip


def test_decode_undoes_encode() -> None:
    for number in (0, 1, 61, 62, 3843, 916_132_831, SPACE - 1):
        assert decode(encode(number)) == number


def test_encode_refuses_a_number_that_does_not_fit() -> None:
    with pytest.raises(ValueError, match="from 0 to"):
        encode(SPACE)
    with pytest.raises(ValueError, match="from 0 to"):
        encode(-1)


def test_decode_refuses_a_character_outside_base62() -> None:
    with pytest.raises(ValueError, match="not a base62 character"):
        decode("abc-def")


def test_the_first_hundred_thousand_ids_get_distinct_seven_character_codes() -> None:
    codes = [code_for(link_id) for link_id in range(1, 100_001)]
    assert len(set(codes)) == len(codes)
    assert {len(code) for code in codes} == {LENGTH}


def test_neighbouring_ids_get_codes_that_do_not_look_alike() -> None:
    first, second = code_for(1), code_for(2)
    assert first[:3] != second[:3]


def test_id_for_gives_back_the_id_a_code_was_made_from() -> None:
    for link_id in (1, 2, 12_345, SPACE - 1):
        assert id_for(code_for(link_id)) == link_id


def test_code_for_refuses_ids_outside_the_code_space() -> None:
    for link_id in (0, SPACE):
        with pytest.raises(ValueError, match="link id must be"):
            code_for(link_id)
