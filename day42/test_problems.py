"""The problems: examples, error paths, and properties checked against brute-force oracles."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from day42.growth import Ops
from day42.problems import (
    BinarySearchTree,
    CycleError,
    balanced,
    k_smallest,
    merge_sorted,
    shortest_path,
    sliding_window_max,
    topological_order,
)


def balanced_oracle(text: str) -> bool:
    """Brute force: delete adjacent matching pairs until none is left."""
    brackets = "".join(char for char in text if char in "()[]{}")
    while True:
        shorter = brackets.replace("()", "").replace("[]", "").replace("{}", "")
        if shorter == brackets:
            return not brackets
        brackets = shorter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("{[()()]}", True),
        ("f(a[0], {b: 1})", True),
        ("([)]", False),
        ("(", False),
        (")", False),
        ("(()", False),
        ("}{", False),
    ],
)
def test_balanced_brackets_examples(text: str, expected: bool) -> None:
    assert balanced(text) is expected, f"balanced({text!r})"


@given(st.text(alphabet="()[]{}x", max_size=30))
def test_balanced_agrees_with_removing_matched_pairs(text: str) -> None:
    assert balanced(text) == balanced_oracle(text), text


def test_balanced_reads_each_character_once() -> None:
    ops = Ops()
    balanced("([]{})" * 100, ops)
    assert ops.count == 600


def test_sliding_window_max_example() -> None:
    assert sliding_window_max([1, 3, -1, -3, 5, 3, 6, 7], 3) == [3, 3, 5, 5, 6, 7]


@pytest.mark.parametrize("k", [0, 4])
def test_sliding_window_max_refuses_a_window_that_does_not_fit(k: int) -> None:
    with pytest.raises(ValueError, match="k must be between 1 and 3"):
        sliding_window_max([1, 2, 3], k)


@given(st.lists(st.integers(-50, 50), min_size=1, max_size=40), st.data())
def test_sliding_window_max_agrees_with_max_of_each_slice(values: list[int], data) -> None:
    k = data.draw(st.integers(1, len(values)), label="k")
    expected = [max(values[i : i + k]) for i in range(len(values) - k + 1)]
    assert sliding_window_max(values, k) == expected


def test_sliding_window_max_touches_each_value_at_most_twice() -> None:
    ops = Ops()
    values = random.Random(1).sample(range(10_000), 5000)
    sliding_window_max(values, 100, ops)
    assert ops.count <= 2 * len(values)


MAZE = ["S..#", ".#..", "...#", "#..G"]


def test_shortest_path_goes_around_walls_one_step_at_a_time() -> None:
    path = shortest_path(MAZE, (0, 0), (3, 3))
    assert path is not None and len(path) - 1 == 6
    assert path[0] == (0, 0) and path[-1] == (3, 3)
    for (r1, c1), (r2, c2) in itertools.pairwise(path):
        assert abs(r1 - r2) + abs(c1 - c2) == 1 and MAZE[r2][c2] != "#"


def test_shortest_path_is_none_when_the_goal_is_walled_off() -> None:
    assert shortest_path(["..#", "###", "..."], (0, 0), (2, 2)) is None


def test_shortest_path_refuses_a_start_on_a_wall() -> None:
    with pytest.raises(ValueError, match=r"start \(0, 1\) is not an open cell"):
        shortest_path([".#", ".."], (0, 1), (1, 1))


def distances_oracle(grid: list[str], start: tuple[int, int]) -> dict[tuple[int, int], int]:
    """Brute force: relax every open cell from its neighbours until nothing changes."""
    open_cells = [(r, c) for r, row in enumerate(grid) for c, ch in enumerate(row) if ch != "#"]
    dist = {start: 0}
    changed = True
    while changed:
        changed = False
        for r, c in open_cells:
            around = ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
            near = [dist[n] + 1 for n in around if n in dist]
            if near and min(near) < dist.get((r, c), 10**9):
                dist[(r, c)] = min(near)
                changed = True
    return dist


grids = st.integers(1, 6).flatmap(
    lambda width: st.lists(
        st.text(alphabet=".#", min_size=width, max_size=width), min_size=1, max_size=6
    )
)


@given(grids)
def test_shortest_path_length_agrees_with_relaxation(grid: list[str]) -> None:
    grid = ["." + grid[0][1:], *grid[1:]]
    goal = (len(grid) - 1, len(grid[0]) - 1)
    grid[-1] = grid[-1][:-1] + "."
    expected = distances_oracle(grid, (0, 0)).get(goal)
    path = shortest_path(grid, (0, 0), goal)
    assert (None if path is None else len(path) - 1) == expected, grid


def test_topological_order_puts_every_node_after_its_dependencies() -> None:
    order = topological_order("abcde", [("a", "b"), ("b", "c"), ("a", "d"), ("d", "c")])
    assert sorted(order) == list("abcde")
    assert order.index("a") < order.index("b") < order.index("c")
    assert order.index("d") < order.index("c")


def test_a_cycle_is_refused_and_named() -> None:
    with pytest.raises(CycleError) as raised:
        topological_order("abcd", [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    assert raised.value.cycle == ["a", "b", "c", "a"]
    assert str(raised.value) == "cycle: a -> b -> c -> a"


def test_a_self_loop_is_a_cycle() -> None:
    with pytest.raises(CycleError, match="cycle: x -> x"):
        topological_order(["x"], [("x", "x")])


def test_a_chain_of_a_hundred_thousand_nodes_needs_no_recursion() -> None:
    n = 100_000
    assert topological_order(range(n), [(i, i + 1) for i in range(n - 1)]) == list(range(n))


edge_lists = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=12)


@settings(max_examples=200)
@given(edge_lists)
def test_topological_order_exists_exactly_when_some_permutation_respects_every_edge(edges) -> None:
    nodes = list(range(6))
    orderable = any(
        all(order.index(a) < order.index(b) for a, b in edges)
        for order in map(list, itertools.permutations(nodes))
    )
    try:
        order = topological_order(nodes, edges)
    except CycleError as error:
        assert not orderable, edges
        cycle = error.cycle
        assert cycle[0] == cycle[-1] and all(pair in edges for pair in itertools.pairwise(cycle))
    else:
        assert orderable and sorted(order) == nodes
        assert all(order.index(a) < order.index(b) for a, b in edges), (edges, order)


def test_k_smallest_and_merge_sorted_examples() -> None:
    assert k_smallest([9, 4, 7, 1, 8, 2], 3) == [1, 2, 4]
    assert k_smallest([3, 1], 5) == [1, 3]
    assert k_smallest([3, 1], 0) == []
    assert merge_sorted([[1, 4, 7], [], [2, 5], [3, 6, 9]]) == [1, 2, 3, 4, 5, 6, 7, 9]


def test_k_smallest_refuses_a_negative_k() -> None:
    with pytest.raises(ValueError, match="k must be 0 or more, got -1"):
        k_smallest([1], -1)


@given(st.lists(st.integers(-20, 20), max_size=40), st.integers(0, 45))
def test_k_smallest_agrees_with_sorting(values: list[int], k: int) -> None:
    assert k_smallest(values, k) == sorted(values)[:k]


@given(st.lists(st.lists(st.integers(-20, 20), max_size=10).map(sorted), max_size=6))
def test_merge_sorted_agrees_with_sorting_everything(lists: list[list[int]]) -> None:
    assert merge_sorted(lists) == sorted(itertools.chain.from_iterable(lists))


def test_bst_in_order_is_sorted_and_levels_go_left_to_right() -> None:
    tree = BinarySearchTree([50, 30, 70, 20, 40, 60, 80, 35])
    assert tree.in_order() == [20, 30, 35, 40, 50, 60, 70, 80]
    assert tree.levels() == [[50], [30, 70], [20, 40, 60, 80], [35]]
    assert (35 in tree, 36 in tree, len(tree), tree.height()) == (True, False, 8, 4)


def test_bst_insert_says_whether_the_key_is_new() -> None:
    tree = BinarySearchTree([2])
    assert tree.insert(1) is True
    assert tree.insert(1) is False and len(tree) == 2


def test_sorted_insertion_makes_the_tree_a_list() -> None:
    ops = Ops()
    tree = BinarySearchTree(range(3000), ops)  # iterative: no recursion limit at depth 3000
    assert tree.height() == 3000
    assert ops.count == 3000 * 2999 // 2


def levels_oracle(keys: list[int]) -> list[list[int]]:
    """Brute force: the first key is the root, the smaller keys go left, the larger right."""
    levels: list[list[int]] = []

    def place(sequence: list[int], depth: int) -> None:
        if not sequence:
            return
        root = sequence[0]
        if len(levels) == depth:
            levels.append([])
        levels[depth].append(root)
        place([key for key in sequence if key < root], depth + 1)
        place([key for key in sequence if key > root], depth + 1)

    place(list(dict.fromkeys(keys)), 0)
    return [sorted(level) for level in levels]


@given(st.lists(st.integers(0, 60), max_size=40), st.integers(-5, 65))
def test_bst_agrees_with_partitioning_and_with_a_set(keys: list[int], probe: int) -> None:
    tree = BinarySearchTree(keys)
    assert tree.in_order() == sorted(set(keys))
    assert tree.levels() == levels_oracle(keys)
    assert (probe in tree) == (probe in set(keys))
