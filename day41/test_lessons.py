"""What this lesson says about Python itself, checked on the version in .venv (3.11)."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import find
from hypothesis import strategies as st

from day41.complexity import fit_exponent

SIZES = (50, 100, 200, 400)


class Key:
    """A dict key that counts its equality checks; every Key has the same hash if ``clash``."""

    comparisons = 0

    def __init__(self, value: int, clash: bool) -> None:
        self.value, self.clash = value, clash

    def __hash__(self) -> int:
        return 0 if self.clash else hash(self.value)

    def __eq__(self, other: object) -> bool:
        Key.comparisons += 1
        return isinstance(other, Key) and self.value == other.value


def comparisons_to_insert(n: int, clash: bool) -> int:
    Key.comparisons = 0
    table = {}
    for value in range(n):
        table[Key(value, clash)] = value
    return Key.comparisons


def test_a_dict_whose_keys_all_share_one_hash_compares_quadratically_many_times() -> None:
    costs = [comparisons_to_insert(n, clash=True) for n in SIZES]
    assert costs[0] == 50 * 49 // 2  # each new key is compared with every key before it
    assert costs[-1] == 79_800
    assert fit_exponent(SIZES, costs) > 1.95


def test_a_dict_with_distinct_hashes_compares_no_keys_when_inserting_new_ones() -> None:
    assert comparisons_to_insert(400, clash=False) == 0


def hash_under_seed(expression: str, seed: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", f"print(hash({expression}))"],
        env={"PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout.strip()


def test_a_strings_hash_changes_with_the_hash_seed() -> None:
    assert hash_under_seed("'abc'", "1") != hash_under_seed("'abc'", "2")


def test_an_ints_hash_is_the_int_itself_whatever_the_seed() -> None:
    assert hash_under_seed("123456", "1") == hash_under_seed("123456", "2") == "123456"


def test_hypothesis_shrinks_a_failing_list_to_the_smallest_one() -> None:
    found = find(st.lists(st.integers()), lambda values: sum(values) > 100)
    assert found == [101]
