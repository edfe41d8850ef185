"""An LRU cache by hand on an OrderedDict, and a memoiser on it, put to work counting paths."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, ParamSpec, TypeVar, overload

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class CacheStats:
    """What a cache has done so far; ``hits``, ``misses`` and ``size`` read as functools' do."""

    hits: int
    misses: int
    evictions: int
    size: int
    capacity: int | None


class LRUCache(Generic[K, V]):
    """At most ``capacity`` entries (None: no limit); a put beyond it evicts the least recent.

    ``get`` and ``put`` are O(1): the OrderedDict is a hash map threaded with a doubly linked list,
    and ``move_to_end`` relinks one node. Only ``get`` counts hits and misses.
    """

    def __init__(self, capacity: int | None) -> None:
        if capacity is not None and capacity < 1:
            raise ValueError(f"capacity must be 1 or more (or None for no limit), got {capacity}")
        self.capacity = capacity
        self._entries: OrderedDict[K, V] = OrderedDict()  # least recently used first
        self.hits = self.misses = self.evictions = 0

    @overload
    def get(self, key: K) -> V | None: ...
    @overload
    def get(self, key: K, default: D) -> V | D: ...
    def get(self, key: K, default: object = None) -> object:
        """The value for ``key``, now the most recently used; ``default`` when it is not cached."""
        if key not in self._entries:
            self.misses += 1
            return default
        self.hits += 1
        self._entries.move_to_end(key)
        return self._entries[key]

    def put(self, key: K, value: V) -> K | None:
        """Cache ``value`` as the most recently used; returns the key evicted for room, if any."""
        # practice 3: store the entry as the most recent and evict the least recently used
        # hint: move_to_end marks an existing key as newest; popitem(last=False) removes the oldest.
        if key in self._entries:
            self._entries.move_to_end(key)
        self._entries[key] = value
        if self.capacity is not None and len(self._entries) > self.capacity:
            evicted, _ = self._entries.popitem(last=False)
            self.evictions += 1
            return evicted
        return None
        # end practice 3

    def keys(self) -> list[K]:
        """The cached keys, least recently used first."""
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> CacheStats:
        return CacheStats(self.hits, self.misses, self.evictions, len(self), self.capacity)


class Memoised(Generic[P, R]):
    """A function whose results are kept in an LRUCache, keyed by its arguments."""

    def __init__(self, function: Callable[P, R], maxsize: int | None) -> None:
        self.function = function
        self.cache: LRUCache[Hashable, R] = LRUCache(maxsize)
        functools.update_wrapper(self, function)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        key = (args, tuple(sorted(kwargs.items())))
        found = self.cache.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        result = self.function(*args, **kwargs)
        self.cache.put(key, result)
        return result

    def cache_info(self) -> CacheStats:
        return self.cache.stats()


_MISSING = object()


def memoise(maxsize: int | None = 128) -> Callable[[Callable[P, R]], Memoised[P, R]]:
    """``@memoise(maxsize)``: ``functools.lru_cache(maxsize)`` on the hand-written LRUCache."""
    if maxsize is not None and maxsize < 1:
        raise ValueError(f"maxsize must be 1 or more (or None for no limit), got {maxsize}")

    def decorate(function: Callable[P, R]) -> Memoised[P, R]:
        return Memoised(function, maxsize)

    return decorate


@dataclass(frozen=True)
class PathCount:
    """How many paths there are, and how many times the recursive function body ran to say so."""

    paths: int
    calls: int
    cache: CacheStats | None


def count_paths(
    grid: Sequence[str], *, memoised: bool = True, maxsize: int | None = None
) -> PathCount:
    """Paths from the top-left to the bottom-right cell, moving right or down, avoiding ``#``.

    Plainly recursive it recomputes every shared sub-grid: an open n×n grid runs the body
    C(2n, n) - 1 times, about 4ⁿ. Memoised with room for every cell, it runs once per cell: n².
    """
    rows, cols = len(grid), len(grid[0]) if grid else 0
    if rows == 0 or cols == 0 or any(len(row) != cols for row in grid):
        raise ValueError("the grid must be a non-empty rectangle of equal-length rows")
    calls = 0

    def paths(row: int, col: int) -> int:
        nonlocal calls
        calls += 1
        if grid[row][col] == "#":
            return 0
        if (row, col) == (rows - 1, cols - 1):
            return 1
        down = paths(row + 1, col) if row + 1 < rows else 0
        return down + (paths(row, col + 1) if col + 1 < cols else 0)

    if memoised:
        cached = memoise(maxsize)(paths)
        paths = cached  # the recursive calls above look ``paths`` up here, so they hit the cache
        total = cached(0, 0)
        return PathCount(total, calls, cached.cache_info())
    return PathCount(paths(0, 0), calls, None)
