"""Day 10's fixtures: a fresh factory per test, so every test's sequences start at 1."""

from __future__ import annotations

from typing import Any

import pytest

from day10.factories import Factory, article_factory, comment_factory, user_factory


@pytest.fixture
def users() -> Factory[dict[str, Any]]:
    """Registration bodies: user1, user2, … in this test."""
    return user_factory()


@pytest.fixture
def articles() -> Factory[dict[str, Any]]:
    """New-article bodies, numbered from 1 in this test."""
    return article_factory()


@pytest.fixture
def comments() -> Factory[dict[str, Any]]:
    """New-comment bodies, numbered from 1 in this test."""
    return comment_factory()
