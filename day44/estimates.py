"""Back-of-the-envelope numbers for the shortener, from a few assumptions and the schema."""

from __future__ import annotations

from dataclasses import dataclass

from day44.codes import LENGTH, SPACE

SECONDS_PER_YEAR = 365 * 24 * 3600
#: InnoDB's per-row overhead: a 5-byte record header, 6-byte transaction id, 7-byte roll pointer.
ROW_OVERHEAD = 18
#: Bytes per column of ``links`` (MySQL): BIGINT id, VARCHAR(7) code with its length byte,
#: DATETIME(6) created_at, BIGINT clicks; the target is added per link.
FIXED_COLUMNS = {"id": 8, "code": LENGTH + 1, "created_at": 8, "clicks": 8}
#: A VARCHAR over 255 bytes carries a 2-byte length.
TARGET_LENGTH_BYTES = 2
#: A secondary index entry: the key, the primary key, a 5-byte record header.
INDEX_OVERHEAD = 5


@dataclass(frozen=True)
class Assumptions:
    links_per_year: int = 100_000_000
    reads_per_write: int = 100
    #: Peak traffic over the average.
    peak_factor: int = 10
    average_url_bytes: int = 100
    #: Share of the links that take most reads and so are worth caching (the 80/20 rule).
    hot_share: float = 0.2
    #: Redis' own overhead per key (dict entry, object headers, TTL), roughly.
    redis_key_overhead: int = 70


@dataclass(frozen=True)
class Estimates:
    writes_per_second: float
    peak_writes_per_second: float
    reads_per_second: float
    peak_reads_per_second: float
    row_bytes: int
    index_bytes: int
    storage_bytes_per_year: int
    cache_bytes: int
    years_of_codes: float


def row_bytes(assumptions: Assumptions) -> int:
    """One ``links`` row on disk, with InnoDB's overhead."""
    target = assumptions.average_url_bytes + TARGET_LENGTH_BYTES
    return sum(FIXED_COLUMNS.values()) + target + ROW_OVERHEAD


def estimate(assumptions: Assumptions = Assumptions()) -> Estimates:
    """The load and the sizes that ``assumptions`` imply."""
    writes = assumptions.links_per_year / SECONDS_PER_YEAR
    reads = writes * assumptions.reads_per_write
    row = row_bytes(assumptions)
    index = FIXED_COLUMNS["code"] + FIXED_COLUMNS["id"] + INDEX_OVERHEAD
    cache_entry = LENGTH + assumptions.average_url_bytes + assumptions.redis_key_overhead
    return Estimates(
        writes_per_second=writes,
        peak_writes_per_second=writes * assumptions.peak_factor,
        reads_per_second=reads,
        peak_reads_per_second=reads * assumptions.peak_factor,
        row_bytes=row,
        index_bytes=index,
        storage_bytes_per_year=(row + index) * assumptions.links_per_year,
        cache_bytes=int(cache_entry * assumptions.links_per_year * assumptions.hot_share),
        years_of_codes=SPACE / assumptions.links_per_year,
    )


def describe(assumptions: Assumptions = Assumptions()) -> list[str]:
    """The estimates as lines of Markdown, for the design note and the demo."""
    numbers = estimate(assumptions)
    return [
        f"- Writes: {assumptions.links_per_year:,} links a year = "
        f"{numbers.writes_per_second:.1f}/s on average, "
        f"{numbers.peak_writes_per_second:.0f}/s at a {assumptions.peak_factor}x peak.",
        f"- Reads ({assumptions.reads_per_write}:1): {numbers.reads_per_second:.0f}/s on average, "
        f"{numbers.peak_reads_per_second:,.0f}/s at peak.",
        f"- A row: {numbers.row_bytes} bytes ({sum(FIXED_COLUMNS.values())} of fixed columns, "
        f"{assumptions.average_url_bytes + TARGET_LENGTH_BYTES} of URL, {ROW_OVERHEAD} of InnoDB "
        f"overhead), plus {numbers.index_bytes} in the unique index on code.",
        f"- Storage: {numbers.storage_bytes_per_year / 1e9:.1f} GB a year, before replicas.",
        f"- Cache for the hottest {assumptions.hot_share:.0%} of a year's links: "
        f"{numbers.cache_bytes / 1e9:.1f} GB of Redis.",
        f"- Codes: 62^{LENGTH} = {SPACE:,}, enough for {numbers.years_of_codes:,.0f} years.",
    ]
