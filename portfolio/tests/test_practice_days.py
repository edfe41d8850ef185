"""Practice mode on the real days: every stub fails its day's tests (the solutions pass them in
the day's own test run). All the marked days are stubbed and tested in one run, then judged one
by one."""

from __future__ import annotations

import pytest

from portfolio import practice
from portfolio.days import REPO_ROOT

MARKED_DAYS = [
    folder.name
    for folder in sorted(REPO_ROOT.glob("day[0-9][0-9]"))
    if (folder / "__main__.py").is_file() and practice.day_tasks(folder)
]


@pytest.fixture(scope="module")
def proofs() -> dict[str, tuple[practice.Check, list[str]]]:
    return practice.prove(MARKED_DAYS)


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("day", MARKED_DAYS)
def test_each_stub_of_the_day_fails_one_of_its_tests(
    day: str, proofs: dict[str, tuple[practice.Check, list[str]]]
) -> None:
    result, problems = proofs[day]
    assert problems == [], practice.render(result)
    assert all(item.status == "todo" for item in result.tasks)
