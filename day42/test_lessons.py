"""What the lesson says about Python's own structures, checked on this interpreter."""

from __future__ import annotations

import functools
import heapq
import sys
from collections import OrderedDict, deque

import pytest


def test_heapq_is_a_min_heap_so_a_max_heap_needs_reversed_keys() -> None:
    heap = [5, 1, 4]
    heapq.heapify(heap)
    assert heap[0] == 1
    assert heapq.nsmallest(2, [5, 1, 4, 2]) == [1, 2]


def test_heapq_compares_only_with_less_than() -> None:
    class OnlyLess:
        def __init__(self, key: int) -> None:
            self.key = key

        def __lt__(self, other: OnlyLess) -> bool:
            return self.key < other.key

    heap = [OnlyLess(k) for k in (3, 1, 2)]
    heapq.heapify(heap)
    assert [heapq.heappop(heap).key for _ in range(3)] == [1, 2, 3]


def test_ordered_dict_moves_a_key_to_the_end_and_pops_from_the_front() -> None:
    entries = OrderedDict.fromkeys("abc")
    entries.move_to_end("a")
    assert entries.popitem(last=False)[0] == "b"
    assert list(entries) == ["c", "a"]


def test_a_plain_dict_keeps_insertion_order_but_a_read_does_not_move_a_key() -> None:
    entries = dict.fromkeys("abc")
    _ = entries["a"]
    assert next(iter(entries)) == "a"


def test_deque_pops_from_the_left_in_arrival_order() -> None:
    queue = deque([1, 2, 3])
    assert queue.popleft() == 1 and list(queue) == [2, 3]


def test_recursion_stops_at_the_default_limit_of_a_thousand_frames() -> None:
    assert sys.getrecursionlimit() >= 1000

    def depth(n: int) -> int:
        return 0 if n == 0 else 1 + depth(n - 1)

    with pytest.raises(RecursionError):
        depth(sys.getrecursionlimit() + 10)


def test_functools_lru_cache_counts_a_miss_for_each_call_it_had_to_run() -> None:
    @functools.lru_cache(maxsize=2)
    def square(x: int) -> int:
        return x * x

    for x in (1, 2, 1, 3, 2):
        square(x)
    info = square.cache_info()
    assert (info.hits, info.misses, info.currsize) == (1, 4, 2)


def test_functools_lru_cache_keys_a_keyword_call_apart_from_a_positional_one() -> None:
    @functools.lru_cache(maxsize=2)
    def square(x: int) -> int:
        return x * x

    square(3)
    square(x=3)
    assert square.cache_info().misses == 2
