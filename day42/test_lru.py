"""The LRU cache and the memoiser: against a list model, against functools.lru_cache, at work."""

from __future__ import annotations

import functools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from day42.lru import LRUCache, count_paths, memoise


def test_a_get_makes_a_key_recent_so_the_other_one_is_evicted() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    assert cache.put("c", 3) == "b"
    assert cache.keys() == ["a", "c"]


def test_putting_an_existing_key_updates_it_without_evicting() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.put("a", 10) is None
    assert (cache.keys(), cache.get("a")) == (["b", "a"], 10)


def test_get_counts_hits_and_misses_and_returns_the_default_on_a_miss() -> None:
    cache: LRUCache[str, int] = LRUCache(1)
    cache.put("a", 1)
    assert (cache.get("a"), cache.get("z"), cache.get("z", -1)) == (1, None, -1)
    cache.put("b", 2)
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.evictions, stats.size) == (1, 2, 1, 1)


@pytest.mark.parametrize("capacity", [0, -3])
def test_a_capacity_below_one_is_refused(capacity: int) -> None:
    with pytest.raises(ValueError, match=f"capacity must be 1 or more .*got {capacity}"):
        LRUCache(capacity)


operations = st.lists(
    st.tuples(st.sampled_from(["get", "put"]), st.integers(0, 6), st.integers()), max_size=60
)


@given(st.integers(1, 5), operations)
def test_the_cache_behaves_like_a_list_kept_in_recency_order(capacity: int, ops) -> None:
    cache: LRUCache[int, int] = LRUCache(capacity)
    model: list[tuple[int, int]] = []  # least recent first; O(n), obviously right
    hits = misses = 0
    for op, key, value in ops:
        found = [entry for entry in model if entry[0] == key]
        if op == "get":
            if found:
                hits += 1
                model.remove(found[0])
                model.append(found[0])
            else:
                misses += 1
            assert cache.get(key) == (found[0][1] if found else None)
        else:
            if found:
                model.remove(found[0])
            model.append((key, value))
            evicted = model.pop(0)[0] if len(model) > capacity else None
            assert cache.put(key, value) == evicted
        assert cache.keys() == [k for k, _ in model]
    assert (cache.hits, cache.misses) == (hits, misses)


@given(st.one_of(st.none(), st.integers(1, 5)), st.lists(st.integers(0, 8), max_size=80))
def test_memoise_hits_and_misses_like_functools_lru_cache(maxsize, calls: list[int]) -> None:
    def square(x: int) -> int:
        return x * x

    ours, theirs = memoise(maxsize)(square), functools.lru_cache(maxsize)(square)
    for x in calls:
        assert ours(x) == theirs(x)
    info, mine = theirs.cache_info(), ours.cache_info()
    assert (mine.hits, mine.misses, mine.size) == (info.hits, info.misses, info.currsize)


def test_memoise_keys_on_keyword_arguments_too() -> None:
    calls = []

    @memoise(maxsize=8)
    def power(base: int, exponent: int = 2) -> int:
        calls.append((base, exponent))
        return base**exponent

    assert (power(3), power(3, exponent=3), power(3, exponent=3), power(3)) == (9, 27, 27, 9)
    assert calls == [(3, 2), (3, 3)]
    assert power.__name__ == "power"


def test_memoise_refuses_a_maxsize_of_zero() -> None:
    with pytest.raises(ValueError, match="maxsize must be 1 or more"):
        memoise(0)


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_plain_path_counting_runs_the_body_central_binomial_minus_one_times(n: int) -> None:
    result = count_paths(["." * n] * n, memoised=False)
    assert (result.paths, result.calls) == (math.comb(2 * n - 2, n - 1), math.comb(2 * n, n) - 1)


@pytest.mark.parametrize("n", [1, 2, 5, 9, 60])
def test_memoised_path_counting_runs_the_body_once_per_cell(n: int) -> None:
    result = count_paths(["." * n] * n)
    assert (result.paths, result.calls) == (math.comb(2 * n - 2, n - 1), n * n)


@pytest.mark.parametrize("n", range(2, 13))
def test_an_lru_of_n_entries_is_enough_for_an_n_by_n_grid_and_n_minus_one_is_not(n: int) -> None:
    grid = ["." * n] * n
    assert count_paths(grid, maxsize=n).calls == n * n
    assert count_paths(grid, maxsize=n - 1).calls > n * n


def test_walls_cut_the_paths_and_the_work() -> None:
    grid = ["...", ".#.", "..."]
    result = count_paths(grid)
    assert (result.paths, result.calls) == (2, 9)


@given(st.lists(st.text(alphabet="..#", min_size=4, max_size=4), min_size=1, max_size=4))
def test_memoised_and_plain_counts_agree_on_any_small_grid(grid: list[str]) -> None:
    assert count_paths(grid).paths == count_paths(grid, memoised=False).paths


def test_a_ragged_grid_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty rectangle"):
        count_paths(["..", "."])
