"""portfolio.lessons: the marked blocks of day READMEs, filled from real runs of a tmp repo."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.lessons import fenced, main

PYPROJECT = '[tool.pytest.ini_options]\naddopts = "-p no:cacheprovider"\n'

DEMO = """\
import os
import sys
from pathlib import Path

if "--fail" in sys.argv:
    print("the demo broke", file=sys.stderr)
    sys.exit(3)
print("hello" if "--shout" not in sys.argv else "HELLO")
print("MYSQL_URL:", os.environ.get("MYSQL_URL"))
print("REALWORLD_DIR:", os.environ.get("REALWORLD_DIR"))
print("here:", Path.cwd() / "day01")
"""

TESTS = "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n"

README = """\
# Day 1

Run it:

<!-- output: python -m day01 -->
```text
typed by hand
```
<!-- /output -->

Shouted:

<!-- output: python -m day01 --shout -->
<!-- /output -->

<!-- tests: day01 -->
`pytest day01` runs 99 tests.
<!-- /tests -->

The end.
"""

EXPECTED = """\
# Day 1

Run it:

<!-- output: python -m day01 -->
```text
hello
MYSQL_URL: None
REALWORLD_DIR: None
here: ./day01
```
<!-- /output -->

Shouted:

<!-- output: python -m day01 --shout -->
```text
HELLO
MYSQL_URL: None
REALWORLD_DIR: None
here: ./day01
```
<!-- /output -->

<!-- tests: day01 -->
`pytest day01` runs 2 tests.
<!-- /tests -->

The end.
"""


@pytest.fixture
def lesson_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with day01 (a demo, two tests, a README with three blocks), services "up"."""
    root = tmp_path / "repo"
    (root / "day01").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "day01" / "__init__.py").write_text("", encoding="utf-8")
    (root / "day01" / "__main__.py").write_text(DEMO, encoding="utf-8")
    (root / "day01" / "test_demo.py").write_text(TESTS, encoding="utf-8")
    (root / "day01" / "README.md").write_text(README, encoding="utf-8")
    # What a developer's shell or CI may have set: the demos must not see it.
    monkeypatch.setenv("MYSQL_URL", "mysql+pymysql://u:p@127.0.0.1:1/x")
    monkeypatch.setenv("REALWORLD_DIR", str(tmp_path))
    return root


def readme(root: Path, day: str = "day01") -> str:
    return (root / day / "README.md").read_text(encoding="utf-8")


def set_readme(root: Path, text: str, day: str = "day01") -> None:
    (root / day).mkdir(exist_ok=True)
    (root / day / "README.md").write_text(text, encoding="utf-8")


def test_make_lessons_writes_real_output_and_the_test_count(
    lesson_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(lesson_repo)]) == 0

    assert readme(lesson_repo) == EXPECTED
    assert "day01: rewrote 3 of 3 blocks" in capsys.readouterr().out
    assert main(["--check", "--root", str(lesson_repo)]) == 0
    assert "day01: 3 blocks up to date" in capsys.readouterr().out


def test_check_names_each_stale_block_and_writes_nothing(
    lesson_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_readme(lesson_repo, EXPECTED.replace("runs 2 tests", "runs 73 tests"))

    assert main(["--check", "--root", str(lesson_repo)]) == 1

    err = capsys.readouterr().err
    assert "stale: day01: <!-- tests: day01 -->" in err
    assert "<!-- output:" not in err
    assert "run make lessons" in err
    assert "runs 73 tests" in readme(lesson_repo)


def test_a_changed_demo_makes_its_block_stale(
    lesson_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without its tests block, so that no collection runs: only the demos matter here.
    set_readme(lesson_repo, EXPECTED.partition("<!-- tests:")[0])
    demo = lesson_repo / "day01" / "__main__.py"
    demo.write_text(DEMO.replace('"HELLO"', '"HELLO!"'), encoding="utf-8")

    assert main(["--check", "--root", str(lesson_repo)]) == 1
    assert "stale: day01: <!-- output: python -m day01 --shout -->" in capsys.readouterr().err
    assert main(["day01", "--root", str(lesson_repo)]) == 0
    assert "HELLO!\n" in readme(lesson_repo)


@pytest.mark.parametrize(
    "command",
    [
        "python -c \"open('ran', 'w')\"",
        "touch ran",
        "python -m os",
        "python -m day01; touch ran",
        "python3 -m day01",
        "python -m ../day01",
    ],
)
def test_only_python_dash_m_a_day_may_run(
    lesson_repo: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"# Day 1\n\n<!-- output: {command} -->\n<!-- /output -->\n"
    set_readme(lesson_repo, text)

    assert main(["--root", str(lesson_repo)]) == 2

    err = capsys.readouterr().err
    assert "day01/README.md:3:" in err
    assert "only `python -m dayNN [args]`" in err or "has no __main__.py" in err, err
    assert not (lesson_repo / "ran").exists()
    assert readme(lesson_repo) == text


def test_a_demo_that_fails_is_reported_with_its_output(
    lesson_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "# Day 1\n\n<!-- output: python -m day01 --fail -->\n<!-- /output -->\n"
    set_readme(lesson_repo, text)

    assert main(["--check", "--root", str(lesson_repo)]) == 2

    err = capsys.readouterr().err
    assert "`python -m day01 --fail` failed with exit status 3" in err
    assert "the demo broke" in err
    assert readme(lesson_repo) == text


def test_a_block_left_open_is_an_error_naming_its_line(
    lesson_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_readme(lesson_repo, "# Day 1\n\n<!-- tests: day01 -->\n`pytest day01` runs 2 tests.\n")

    assert main(["--check", "--root", str(lesson_repo)]) == 2
    assert "day01/README.md:3: `<!-- tests: ... -->` has no `<!-- /tests -->`" in (
        capsys.readouterr().err
    )


def test_a_test_count_outside_the_repository_is_refused(
    lesson_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_readme(lesson_repo, "<!-- tests: ../.. -->\n<!-- /tests -->\n")

    assert main(["--root", str(lesson_repo)]) == 2
    assert "no such folder in the repository" in capsys.readouterr().err


def test_readmes_without_blocks_pass_and_days_are_checked_alone(
    lesson_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_readme(lesson_repo, "# Day 2\n\nNothing generated here.\n", day="day02")

    assert main(["--check", "day02", "--root", str(lesson_repo)]) == 0
    assert "day02: no generated blocks" in capsys.readouterr().out
    assert main(["--check", "day03", "--root", str(lesson_repo)]) == 2
    assert "no such day with a README: day03" in capsys.readouterr().err


def test_one_test_is_counted_in_the_singular(lesson_repo: Path) -> None:
    (lesson_repo / "day01" / "test_demo.py").write_text("def test_one():\n    pass\n", "utf-8")
    set_readme(lesson_repo, "<!-- tests: day01 -->\n<!-- /tests -->\n")

    assert main(["--root", str(lesson_repo)]) == 0
    assert "`pytest day01` runs 1 test.\n" in readme(lesson_repo)


def test_output_with_a_code_fence_gets_a_longer_fence() -> None:
    assert fenced("a\n```\nb\n") == "````text\na\n```\nb\n````\n"
    assert fenced("") == "```text\n```\n"


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])

    assert stop.value.code == 0
    assert "--check" in capsys.readouterr().out
