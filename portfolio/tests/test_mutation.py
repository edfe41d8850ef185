"""portfolio.mutation: mutmut on one day of a throwaway repository, and the table it keeps."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from portfolio.mutation import (
    RESULTS_PATH,
    TABLE_PATH,
    DayResult,
    MutationError,
    day_lock,
    explained_mutants,
    main,
    mutated_files,
    prepare_work_folder,
    render_table,
    run_day,
)

PYPROJECT = """\
[tool.pytest.ini_options]
addopts = "--import-mode=importlib -p no:cacheprovider"
pythonpath = ["."]
"""

CALC = """\
def double(number: int) -> int:
    return number * 2


def is_adult(age: int) -> bool:
    return age >= 18
"""

# Only the command-line test reaches main(): through a child process, never in-process.
MAIN = """\
from day01.calc import double


def main() -> None:
    print(double(2) + 1)


main()
"""

TEST_CALC = """\
from day01.calc import double, is_adult


def test_double_doubles():
    assert double(3) == 6


def test_is_adult_far_from_the_boundary():
    assert is_adult(30)
    assert not is_adult(5)
"""

TEST_CLI = """\
import subprocess
import sys
from pathlib import Path


def test_the_command_prints_five():
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "day01"], cwd=root, capture_output=True, text=True, timeout=30
    )
    assert done.stdout == "5\\n"
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def mutation_repo(tmp_path: Path) -> Path:
    """A repository with one day: a module with a boundary its tests never probe, and a CLI."""
    root = tmp_path / "repo"
    write(root / "pyproject.toml", PYPROJECT)
    write(root / "day01" / "__init__.py", "")
    write(root / "day01" / "calc.py", CALC)
    write(root / "day01" / "__main__.py", MAIN)
    write(root / "day01" / "test_calc.py", TEST_CALC)
    write(root / "day01" / "test_cli.py", TEST_CLI)
    write(root / "day01" / "README.md", "# Day 1\n")
    return root


def result(survivors: list[str], killed: int = 8) -> DayResult:
    return DayResult(
        day="day04",
        statuses={"killed": killed - 1, "timeout": 1, "survived": len(survivors)},
        survivors=[
            {"id": s, "status": "survived", "file": "day04/app.py", "line": 3} for s in survivors
        ],
        date="2026-12-01",
        mutmut="3.8.1",
        backends="sqlite",
    )


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_a_day_is_mutated_and_its_survivors_reported(
    mutation_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["day01", "--root", str(mutation_repo)]) == 0

    printed = capsys.readouterr().out
    results = json.loads((mutation_repo / RESULTS_PATH).read_text(encoding="utf-8"))
    day = results["day01"]
    survivors = {mutant["id"]: mutant for mutant in day["survivors"]}
    # `>= 18` against 30 and 5: `> 18` and `>= 19` pass the same tests.
    assert survivors, printed
    assert all(mutant_id.startswith("day01.calc.x_is_adult__mutmut_") for mutant_id in survivors)
    assert {mutant["line"] for mutant in survivors.values()} == {6}, survivors
    assert all(mutant["file"] == "day01/calc.py" for mutant in survivors.values())
    # main() runs only in the child process, yet mutmut learnt which test calls it...
    hits = (mutation_repo / ".mutation" / "day01" / "child_hits.jsonl").read_text("utf-8")
    assert '"test": "day01/test_cli.py::test_the_command_prints_five"' in hits
    assert '"day01.__main__.x_main"' in hits
    # ...and its mutants were switched on in that child, and killed.
    assert day["statuses"].get("no tests", 0) == 0, day
    assert day["statuses"]["killed"] >= 3, day
    total = sum(day["statuses"].values())
    assert f"day01: {total} mutants" in printed
    assert "day01/calc.py:6" in printed
    assert "-    return age >= 18" in printed, printed

    table = (mutation_repo / TABLE_PATH).read_text(encoding="utf-8")
    assert f"| [01](../day01/) | {total} | {total - len(survivors)} | {len(survivors)} | 0 |" in (
        table
    )

    named = sorted(survivors)
    write(
        mutation_repo / "day01" / "README.md",
        "# Day 1\n\n### Mutants that survive\n\n"
        + "".join(f"- `{mutant_id}`: no test sits on the boundary.\n" for mutant_id in named),
    )
    assert main(["--table", "--root", str(mutation_repo)]) == 0
    table = (mutation_repo / TABLE_PATH).read_text(encoding="utf-8")
    row = f"| {len(survivors)} | {len(survivors)} | {100 * (total - len(survivors)) / total:.1f} "
    assert row + "| 100.0 |" in table, table
    assert "survivors neither killed nor explained" not in table


def test_only_the_days_with_a_command_line_exercise_have_main_mutated(tmp_path: Path) -> None:
    for day in ("day02", "day05"):
        for name in ("__init__.py", "__main__.py", "app.py", "test_app.py", "conftest.py"):
            write(tmp_path / day / name, "")
        write(tmp_path / day / "pkg" / "rows.py", "")
        write(tmp_path / day / "pkg" / "test_rows.py", "")

    assert mutated_files(tmp_path / "day02") == [
        "day02/__init__.py",
        "day02/__main__.py",
        "day02/app.py",
        "day02/pkg/rows.py",
    ]
    assert mutated_files(tmp_path / "day05") == [
        "day05/__init__.py",
        "day05/app.py",
        "day05/pkg/rows.py",
    ]


def test_the_work_folder_configures_mutmut_for_that_day_only(mutation_repo: Path) -> None:
    write(mutation_repo / "day02" / "money.py", "")
    write(mutation_repo / "shared" / "db.py", "")

    work = prepare_work_folder(mutation_repo, "day01", "not mysql and not postgres")

    pyproject = (work / "pyproject.toml").read_text(encoding="utf-8")
    assert 'source_paths = ["day01"]' in pyproject
    assert 'only_mutate = ["day01/__init__.py", "day01/__main__.py", "day01/calc.py"]' in pyproject
    assert 'also_copy = ["shared", "day02"]' in pyproject
    marker = '"-m", "not mysql and not postgres"'
    assert f'pytest_add_cli_args = ["-p", "no:cacheprovider", {marker}]' in pyproject
    assert (work / "day02" / "money.py").is_file()
    assert (work / "shared" / "db.py").is_file()


def test_a_second_run_of_the_same_day_is_refused_while_the_first_goes_on(
    mutation_repo: Path,
) -> None:
    with day_lock(mutation_repo, "day01"):
        with pytest.raises(
            MutationError, match=rf"day01 is being mutation-tested already \(pid {os.getpid()}\)"
        ):
            run_day(mutation_repo, "day01")
        with day_lock(mutation_repo, "day02"):
            pass  # another day may run meanwhile

    assert not (mutation_repo / ".mutation" / "day01" / "pyproject.toml").exists()


def test_a_pyproject_with_its_own_mutmut_section_is_refused(mutation_repo: Path) -> None:
    write(mutation_repo / "pyproject.toml", PYPROJECT + "\n[tool.mutmut]\ndebug = true\n")

    with pytest.raises(MutationError, match=r"\[tool\.mutmut\]"):
        prepare_work_folder(mutation_repo, "day01", None)


def test_an_unknown_day_is_an_error_naming_it(
    mutation_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["day09", "--root", str(mutation_repo)]) == 1
    assert main(["../etc", "--root", str(mutation_repo)]) == 1

    err = capsys.readouterr().err
    assert "no such day folder: day09" in err
    assert "no such day folder: ../etc" in err


def test_equivalent_mutants_are_read_from_their_readme_section_only(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    write(
        readme,
        "# Day 4\n\nSee `day04.app.x_index__mutmut_9` in passing.\n\n"
        "## Key takeaways\n\n### Mutants that survive\n\n"
        "- `day04.app.x_index__mutmut_1`: the default is the same value.\n"
        "- `day04.app.xǁStoreǁput__mutmut_12` returns None either way.\n\n"
        "#### A detail\n\n`day04.app.x_index__mutmut_2` too.\n\n"
        "## Further reading\n\n`day04.app.x_index__mutmut_3`\n",
    )

    assert explained_mutants(readme) == {
        "day04.app.x_index__mutmut_1",
        "day04.app.xǁStoreǁput__mutmut_12",
        "day04.app.x_index__mutmut_2",
    }
    assert explained_mutants(tmp_path / "missing.md") == set()


def test_the_table_counts_timeouts_as_killed_and_lists_unexplained_survivors(
    tmp_path: Path,
) -> None:
    write(
        tmp_path / "day04" / "README.md",
        "### Mutants that survive\n\n- `day04.app.x_a__mutmut_1`: same value.\n",
    )
    table = render_table(
        tmp_path, {"day04": result(["day04.app.x_a__mutmut_1", "day04.app.x_b__mutmut_2"])}
    )

    assert "| [04](../day04/) | 10 | 8 | 2 | 1 | 80.0 | 90.0 | 2026-12-01 | 3.8.1 |" in table
    assert "## day04: survivors neither killed nor explained" in table
    assert "- `day04.app.x_b__mutmut_2` (day04/app.py:3, survived)" in table
    assert "x_a__mutmut_1` (" not in table
