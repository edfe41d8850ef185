"""What the lesson says about strawberry's DataLoader, checked on the locked version."""

from __future__ import annotations

import asyncio

from strawberry.dataloader import DataLoader


def recording_loader() -> tuple[DataLoader[int, int], list[list[int]]]:
    """A loader that squares its keys and records each batch it was called with."""
    batches: list[list[int]] = []

    async def square(keys: list[int]) -> list[int]:
        batches.append(list(keys))
        return [key * key for key in keys]

    return DataLoader(load_fn=square), batches


def test_loads_made_in_the_same_tick_reach_the_batch_function_once() -> None:
    loader, batches = recording_loader()

    async def together() -> list[int]:
        return await asyncio.gather(loader.load(3), loader.load(1), loader.load(2))

    assert asyncio.run(together()) == [9, 1, 4]
    assert batches == [[3, 1, 2]]


def test_loads_awaited_one_after_the_other_are_batches_of_one() -> None:
    loader, batches = recording_loader()

    async def one_by_one() -> list[int]:
        return [await loader.load(key) for key in (3, 1, 2)]

    assert asyncio.run(one_by_one()) == [9, 1, 4]
    assert batches == [[3], [1], [2]]


def test_a_key_asked_twice_is_loaded_once_and_then_served_from_the_loaders_cache() -> None:
    loader, batches = recording_loader()

    async def twice() -> list[int]:
        first = await asyncio.gather(loader.load(2), loader.load(2))
        return [*first, await loader.load(2)]

    assert asyncio.run(twice()) == [4, 4, 4]
    assert batches == [[2]]


def test_a_new_loader_starts_with_an_empty_cache() -> None:
    first, batches = recording_loader()
    second = DataLoader(load_fn=first.load_fn)

    async def both() -> list[int]:
        return [await first.load(5), await second.load(5)]

    assert asyncio.run(both()) == [25, 25]
    assert batches == [[5], [5]]


def test_a_cached_key_keeps_its_first_value_after_the_source_changes() -> None:
    rows = {1: "before"}

    async def read(keys: list[int]) -> list[str]:
        return [rows[key] for key in keys]

    loader = DataLoader(load_fn=read)

    async def before_and_after() -> list[str]:
        first = await loader.load(1)
        rows[1] = "after"
        return [first, await loader.load(1)]

    assert asyncio.run(before_and_after()) == ["before", "before"]
