"""portfolio.log: the progress table between the README markers, written deterministically."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from portfolio.days import DAY_COUNT, REPO_ROOT, collect_days, load_plan
from portfolio.log import (
    END_MARKER,
    HEATMAP_PATH,
    START_MARKER,
    LogError,
    main,
    render_log,
    replace_log_section,
)
from portfolio.tests.builders import README, front_matter

ROW = re.compile(r"^\| (\[?\d\d)", re.MULTILINE)


def log_section(readme: str) -> str:
    return readme[readme.index(START_MARKER) : readme.index(END_MARKER)]


def table_rows(section: str) -> list[str]:
    return [line for line in section.splitlines() if ROW.match(line)]


def test_table_lists_all_45_days_in_order(repo: Path):
    plan = load_plan()
    rows = table_rows(render_log(collect_days(repo, plan), plan.phases))
    numbers = [int(re.search(r"\d\d", row).group()) for row in rows]
    assert numbers == list(range(1, DAY_COUNT + 1))


def test_table_groups_days_under_their_phase(repo: Path):
    plan = load_plan()
    section = render_log(collect_days(repo, plan), plan.phases)
    headings = re.findall(r"^### Days (\d\d)–(\d\d) · ", section, re.MULTILINE)
    assert headings == [(f"{p.first:02d}", f"{p.last:02d}") for p in plan.phases]


def test_a_day_links_to_its_folder_only_when_the_folder_exists(repo: Path, add_day):
    add_day(2, readme=None)
    plan = load_plan()
    rows = table_rows(render_log(collect_days(repo, plan), plan.phases))
    assert rows[1].startswith("| [02](day02/) |"), rows[1]
    assert rows[0].startswith("| 01 |"), rows[0]


def test_a_row_shows_title_topics_capstone_and_status(repo: Path, add_day):
    add_day(7, readme=front_matter(7, "Loading", ["N+1", "eager loading"], "blog_api"))
    plan = load_plan()
    rows = table_rows(render_log(collect_days(repo, plan), plan.phases))
    assert rows[6] == "| [07](day07/) | Loading | N+1, eager loading | `blog_api` | done |"


def test_a_day_without_capstone_shows_a_dash(repo: Path, add_day):
    add_day(1)
    plan = load_plan()
    rows = table_rows(render_log(collect_days(repo, plan), plan.phases))
    assert rows[0].split(" | ")[3] == "—", rows[0]


def test_table_cells_escape_what_would_break_the_table(repo: Path, add_day):
    add_day(3, readme=front_matter(3, "'Pipes | and *stars*'"))
    plan = load_plan()
    rows = table_rows(render_log(collect_days(repo, plan), plan.phases))
    assert r"| Pipes \| and \*stars\* |" in rows[2], rows[2]


def test_summary_counts_done_in_progress_and_planned_days(repo: Path, add_day):
    add_day(1)
    add_day(2)
    add_day(3, test=None)
    plan = load_plan()
    section = render_log(collect_days(repo, plan), plan.phases)
    assert "**2 of 45 days done · 1 in progress · 42 planned**" in section


def test_replacing_the_section_keeps_everything_outside_the_markers():
    updated = replace_log_section(README, "NEW TABLE")
    before, after = README.split(START_MARKER)[0], README.split(END_MARKER)[1]
    assert updated == f"{before}{START_MARKER}\nNEW TABLE\n{END_MARKER}{after}"


@pytest.mark.parametrize(
    "readme",
    ["no markers at all\n", f"{START_MARKER}\nonly the start\n", f"{END_MARKER}\n{START_MARKER}\n"],
    ids=["none", "start only", "reversed"],
)
def test_a_readme_without_a_proper_marker_pair_is_an_error(readme: str):
    with pytest.raises(LogError, match=r"README\.md"):
        replace_log_section(readme, "table")


def test_writing_fills_the_readme_section_and_draws_the_heatmap(repo: Path, add_day, capsys):
    add_day(1)
    assert main(["--root", str(repo)]) == 0
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert len(table_rows(log_section(readme))) == DAY_COUNT
    assert (repo / HEATMAP_PATH).read_text(encoding="utf-8").startswith("<svg ")
    assert capsys.readouterr().out == (
        f"updated README.md, {HEATMAP_PATH} (1 of 45 days done · 44 planned)\n"
    )


def test_writing_twice_gives_byte_identical_files(repo: Path, add_day):
    add_day(1)
    add_day(2, main=False)
    main(["--root", str(repo)])
    first = {path: (repo / path).read_bytes() for path in ("README.md", HEATMAP_PATH)}
    main(["--root", str(repo)])
    second = {path: (repo / path).read_bytes() for path in ("README.md", HEATMAP_PATH)}
    assert first == second


def test_writing_keeps_windows_line_endings_outside_the_markers(repo: Path):
    (repo / "README.md").write_bytes(README.replace("\n", "\r\n").encode())
    main(["--root", str(repo)])
    assert (repo / "README.md").read_bytes().startswith(b"# demo repository\r\n\r\nIntro")


def test_check_passes_right_after_a_write(repo: Path, add_day, capsys):
    add_day(1)
    main(["--root", str(repo)])
    capsys.readouterr()
    assert main(["--check", "--root", str(repo)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_fails_naming_the_readme_once_a_day_changes(repo: Path, add_day, capsys):
    main(["--root", str(repo)])
    readme_before = (repo / "README.md").read_bytes()
    add_day(1)
    capsys.readouterr()
    assert main(["--check", "--root", str(repo)]) == 1
    assert capsys.readouterr().err == (
        "out of date: README.md; run `make log` and commit the result\n"
    )
    assert (repo / "README.md").read_bytes() == readme_before, "--check must not write"


def test_check_fails_naming_a_missing_heatmap(repo: Path, capsys):
    main(["--root", str(repo)])
    (repo / HEATMAP_PATH).unlink()
    capsys.readouterr()
    assert main(["--check", "--root", str(repo)]) == 1
    assert f"out of date: {HEATMAP_PATH};" in capsys.readouterr().err


def test_a_clean_checkout_redraws_the_committed_log_byte_for_byte(repo: Path, add_day, git):
    git(repo, "init", "--quiet")
    for number, day in ((1, "2026-11-23"), (2, "2026-11-25")):
        add_day(number)
        main(["--root", str(repo)])  # `make log` before committing the day, as intended
        git(repo, "add", "--all")
        git(repo, "commit", "--quiet", "-m", f"day {number}", date=f"{day}T18:00:00+00:00")
        assert main(["--check", "--root", str(repo)]) == 0, f"stale right after day {number}"
    committed = {path: (repo / path).read_bytes() for path in ("README.md", HEATMAP_PATH)}
    main(["--root", str(repo)])
    assert {path: (repo / path).read_bytes() for path in committed} == committed
    assert b"<title>2026-11-23: 1 commit</title>" in committed[HEATMAP_PATH]


def test_a_day_committed_without_running_the_log_makes_both_files_stale(
    repo: Path, add_day, git, capsys
):
    git(repo, "init", "--quiet")
    for number, day in ((1, "2026-11-23"), (2, "2026-11-25")):
        add_day(number)
        git(repo, "add", "--all")
        git(repo, "commit", "--quiet", "-m", f"day {number}", date=f"{day}T18:00:00+00:00")
    capsys.readouterr()
    assert main(["--check", "--root", str(repo)]) == 1
    assert capsys.readouterr().err.startswith(f"out of date: README.md, {HEATMAP_PATH};")


def test_a_commit_outside_the_day_folders_keeps_the_heatmap_fresh(
    repo: Path, add_day, git, commit_file
):
    git(repo, "init", "--quiet")
    add_day(1)
    main(["--root", str(repo)])
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "day 1", date="2026-11-23T18:00:00+00:00")
    commit_file(repo, "projects/notes.md", "2026-11-24")
    assert main(["--check", "--root", str(repo)]) == 0


def test_without_git_history_an_existing_heatmap_is_kept(repo: Path, capsys):
    (repo / "docs").mkdir()
    (repo / HEATMAP_PATH).write_text("<svg>drawn from the full history</svg>\n")
    assert main(["--root", str(repo)]) == 0
    assert (repo / HEATMAP_PATH).read_text() == "<svg>drawn from the full history</svg>\n"
    assert f"kept {HEATMAP_PATH} as it is: no git history here" in capsys.readouterr().out


def test_malformed_front_matter_stops_the_log_with_one_line_naming_the_file(
    repo: Path, add_day, capsys
):
    add_day(4, readme="# Day 04 without front matter\n")
    readme_before = (repo / "README.md").read_bytes()
    assert main(["--root", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: day04/README.md: no front matter"), err
    assert err.count("\n") == 1, err
    assert (repo / "README.md").read_bytes() == readme_before


def test_a_readme_without_markers_stops_the_log_with_one_line(repo: Path, capsys):
    (repo / "README.md").write_text("# no markers here\n")
    assert main(["--root", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: README.md must hold exactly one <!-- log:start -->"), err
    assert err.count("\n") == 1, err


def test_command_line_check_exits_1_on_a_stale_repository(repo: Path):
    result = subprocess.run(
        [sys.executable, "-m", "portfolio.log", "--check", "--root", str(repo)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    assert (
        result.stderr
        == f"out of date: README.md, {HEATMAP_PATH}; run `make log` and commit the result\n"
    )
