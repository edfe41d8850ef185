"""The design note's estimates, from its assumptions."""

from __future__ import annotations

import pytest

from day44.estimates import Assumptions, describe, estimate


def test_a_hundred_million_links_a_year_is_about_three_writes_a_second() -> None:
    numbers = estimate()
    assert numbers.writes_per_second == pytest.approx(3.17, abs=0.01)
    assert numbers.peak_reads_per_second == pytest.approx(3171, abs=1)


def test_storage_grows_with_the_url_length() -> None:
    short, long = estimate(Assumptions(average_url_bytes=50)), estimate(Assumptions())
    assert long.row_bytes - short.row_bytes == 50
    assert long.storage_bytes_per_year == (long.row_bytes + long.index_bytes) * 100_000_000


def test_seven_characters_last_for_thousands_of_years() -> None:
    assert estimate().years_of_codes > 10_000


def test_the_description_names_each_estimate() -> None:
    text = "\n".join(describe())
    for words in ("Writes:", "Reads (100:1)", "A row:", "Storage:", "Cache", "Codes:"):
        assert words in text
