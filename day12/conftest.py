"""Day 12 fixtures: every test starts with no TODO_* variable and no `.env` around it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from day12.settings import PREFIX


@pytest.fixture(autouse=True)
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Remove the TODO_* variables and work in an empty folder, so a developer's shell or
    `.env` cannot change what a test sees."""
    for name in list(os.environ):
        if name.upper().startswith(PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def dotenv(clean_environment: Path) -> Callable[[str], Path]:
    """``dotenv(text)`` writes ``text`` as `.env` in the test's folder and returns its path."""

    def write(text: str) -> Path:
        path = clean_environment / ".env"
        path.write_text(text, encoding="utf-8")
        return path

    return write
