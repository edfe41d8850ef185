"""Test data factories: sequences, derived fields and overrides, the idea of factory_boy in small.

A :class:`Factory` holds a recipe of named fields. Each field is a plain value, a
:class:`Sequence` (a new value per object: ``user1``, ``user2``, …) or a :class:`Lazy` (computed
from the fields before it, so an email can follow the username). ``build(**overrides)`` makes one
object, with the overrides taking the place of the recipe's fields, and ``build_batch(n)`` makes
``n``. A test says only what matters to it (``users.build(username="alice")``) and the factory
fills in the rest with valid, unique values.

The factories at the bottom build the request bodies of the RealWorld API, which the end-to-end
scenario in :mod:`day10.scenario` sends.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Sequence:
    """A field whose value is ``make(n)`` for the n-th object a factory builds (1, 2, 3, …)."""

    make: Callable[[int], Any]


@dataclass(frozen=True)
class Lazy:
    """A field computed from the fields declared before it (overrides included)."""

    make: Callable[[Mapping[str, Any]], Any]


class Factory(Generic[T]):
    """Builds objects of one kind from a recipe of fields; see the module docstring.

    ``make`` turns the resolved fields into the object (``dict`` for a request body, a model
    class for a row). Every factory counts on its own, so two factories never share a sequence.
    """

    def __init__(self, make: Callable[..., T], **fields: Any) -> None:
        self.make = make
        self.fields = fields
        self._counter = itertools.count(1)

    def build(self, **overrides: Any) -> T:
        """One object: the recipe's fields in order, each override replacing its field.

        Raises TypeError for an override that names no field of the recipe, so a typo in a
        test fails loudly instead of building a different object than the test thinks.
        """
        unknown = sorted(set(overrides) - set(self.fields))
        if unknown:
            raise TypeError(f"no field {', '.join(unknown)} in this factory")
        n = next(self._counter)
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            if name in overrides:
                values[name] = overrides[name]
            elif isinstance(field, Sequence):
                values[name] = field.make(n)
            elif isinstance(field, Lazy):
                values[name] = field.make(values)
            else:
                # A copy: a list in the recipe must not be one list shared by every object.
                values[name] = copy.deepcopy(field)
        return self.make(**values)

    def build_batch(self, size: int, **overrides: Any) -> list[T]:
        """``size`` objects, each with the same overrides."""
        return [self.build(**overrides) for _ in range(size)]

    def reset(self) -> None:
        """Start the sequences again from 1."""
        self._counter = itertools.count(1)


def user_factory(prefix: str = "user") -> Factory[dict[str, Any]]:
    """Registration bodies: ``{prefix}1``, ``{prefix}1@example.com`` and a valid password."""
    return Factory(
        dict,
        username=Sequence(lambda n: f"{prefix}{n}"),
        email=Lazy(lambda user: f"{user['username']}@example.com"),
        password="correct horse battery staple",
    )


def article_factory() -> Factory[dict[str, Any]]:
    """New-article bodies with a numbered title and the tags ``testing`` and ``day10``."""
    return Factory(
        dict,
        title=Sequence(lambda n: f"Testing an API, part {n}"),
        description=Lazy(lambda article: f"What I learned writing {article['title'].lower()}"),
        body="Fixtures, factories, contract tests and pagination.",
        tagList=["testing", "day10"],
    )


def comment_factory() -> Factory[dict[str, Any]]:
    """New-comment bodies, numbered."""
    return Factory(dict, body=Sequence(lambda n: f"Comment {n}: thanks for writing this up."))
