"""Fixtures for day 03: CSV files written on the fly, and the two shipped samples."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from day03.importer.rows import EXPECTED_HEADER

SAMPLES = Path(__file__).resolve().parent / "samples"


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """``write_csv(*rows)``: a CSV file with the expected header line, then these lines.

    ``header=None`` leaves the header out (the lines then say everything); ``encoding``
    picks the bytes.
    """

    def write(
        *rows: str,
        header: str | None = EXPECTED_HEADER,
        name: str = "orders.csv",
        encoding: str = "utf-8",
    ) -> Path:
        lines = ([header] if header is not None else []) + list(rows)
        path = tmp_path / name
        path.write_bytes("".join(line + "\n" for line in lines).encode(encoding))
        return path

    return write


@pytest.fixture
def clean_sample() -> Path:
    """The shipped sample whose six rows are all valid."""
    return SAMPLES / "orders_clean.csv"


@pytest.fixture
def bad_sample() -> Path:
    """The shipped sample with six bad rows out of ten."""
    return SAMPLES / "orders_bad.csv"
