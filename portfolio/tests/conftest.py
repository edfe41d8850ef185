"""Fixtures for the portfolio tests: throwaway repositories in tmp_path, built a day at a time.

No test reads the repository's own day folders, which change every day: each test builds the
days it needs under its own root.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from portfolio.tests.builders import LESSON_BODY, README, front_matter

AddDay = Callable[..., Path]
Git = Callable[..., str]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty repository root holding only a README.md with the log markers."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text(README, encoding="utf-8")
    return root


@pytest.fixture
def add_day(repo: Path) -> AddDay:
    """Create ``dayNN/`` under ``repo``; by default a complete (done) day with a valid README.

    ``readme=None``, ``main=False`` or ``test=None`` leave that file out; ``readme`` may be any
    text (a malformed front matter, say).
    """

    def add(
        number: int,
        *,
        title: str = "A written day",
        readme: str | None = "",
        main: bool = True,
        test: str | None = "test_exercise.py",
    ) -> Path:
        folder = repo / f"day{number:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text(f'"""Day {number}."""\n', encoding="utf-8")
        if readme == "":
            readme = front_matter(number, title) + LESSON_BODY.format(number=number, title=title)
        if readme is not None:
            (folder / "README.md").write_text(readme, encoding="utf-8")
        if main:
            (folder / "__main__.py").write_text("print('demo')\n", encoding="utf-8")
        if test:
            (folder / test).parent.mkdir(parents=True, exist_ok=True)
            (folder / test).write_text("def test_it():\n    assert True\n", encoding="utf-8")
        return folder

    return add


@pytest.fixture
def git(monkeypatch: pytest.MonkeyPatch) -> Git:
    """Run git in a folder, isolated from the user's configuration, with a fixed identity.

    ``git(root, "commit", "-m", "msg", date="2026-11-23T10:00:00+00:00")`` sets both the author
    and committer dates; ``committer_date`` sets only the committer's.
    """
    # The code under test calls git too; it must not see a global config (signing, hooks...).
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    def run(
        root: Path, *args: str, date: str | None = None, committer_date: str | None = None
    ) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Learner",
            "GIT_AUTHOR_EMAIL": "learner@example.com",
            "GIT_COMMITTER_NAME": "Learner",
            "GIT_COMMITTER_EMAIL": "learner@example.com",
        }
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        if committer_date:
            env["GIT_COMMITTER_DATE"] = committer_date
        result = subprocess.run(
            ["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"git {' '.join(args)} failed: {result.stderr}"
        return result.stdout

    return run


@pytest.fixture
def commit_file(git: Git) -> Callable[[Path, str, str], None]:
    """Write (or append to) ``path`` under ``root`` and commit it on ``date`` (YYYY-MM-DD)."""

    def commit(root: Path, path: str, date: str) -> None:
        if not (root / ".git").exists():
            git(root, "init", "--quiet", "--initial-branch=main")
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"change on {date}\n")
        git(root, "add", path)
        git(root, "commit", "--quiet", "-m", f"change {path}", date=f"{date}T12:00:00+00:00")

    return commit
