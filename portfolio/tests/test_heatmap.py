"""portfolio.heatmap: commits per day read from a real (throwaway) git history, drawn as SVG."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from portfolio.heatmap import (
    DayCommitHistory,
    HistoryState,
    calendar_range,
    history_to_draw,
    level,
    read_day_commit_history,
    render_heatmap,
)

SVG = "{http://www.w3.org/2000/svg}"


def group(svg: str, name: str) -> ET.Element:
    """The ``<g class="hm-{name}">`` group of ``svg`` (``days`` or ``legend``)."""
    found = ET.fromstring(svg).find(f"{SVG}g[@class='hm-{name}']")
    assert found is not None, f"no hm-{name} group in the SVG"
    return found


def cell_titles(svg: str) -> dict[str, str]:
    """The calendar cells of ``svg``: date → its title."""
    titles = [rect.findtext(f"{SVG}title") for rect in group(svg, "days").iter(f"{SVG}rect")]
    return {title.split(":")[0]: title for title in titles if title}


@pytest.fixture
def history_repo(repo: Path, commit_file) -> Path:
    """Two commits to day01 on 2026-11-25, one to day02 on 2026-12-02, and noise around them."""
    commit_file(repo, "README.md", "2026-11-20")
    commit_file(repo, "day01/notes.md", "2026-11-25")
    commit_file(repo, "day01/sub/deep.py", "2026-11-25")
    commit_file(repo, "docs/day01.md", "2026-11-27")
    commit_file(repo, "day010.txt", "2026-11-28")
    commit_file(repo, "day02/README.md", "2026-12-02")
    commit_file(repo, "README.md", "2026-12-09")
    return repo


def test_counts_commits_per_committer_date_in_day_folders_only(history_repo: Path):
    history = read_day_commit_history(history_repo)
    assert history.state is HistoryState.FOUND
    assert history.counts == {date(2026, 11, 25): 2, date(2026, 12, 2): 1}


def test_uses_the_committer_date_not_the_author_date(repo: Path, git):
    git(repo, "init", "--quiet")
    (repo / "day03").mkdir()
    (repo / "day03" / "x.py").write_text("x = 1\n", encoding="utf-8")
    git(repo, "add", "day03")
    git(
        repo,
        "commit",
        "--quiet",
        "-m",
        "rebased later",
        date="2026-11-01T09:00:00+00:00",
        committer_date="2026-11-30T09:00:00+00:00",
    )
    assert read_day_commit_history(repo).counts == {date(2026, 11, 30): 1}


def test_the_newest_day_commit_is_left_out_on_a_clean_tree(history_repo: Path):
    # That commit carries the heatmap, which could not count it when it was drawn.
    history = history_to_draw(read_day_commit_history(history_repo))
    assert history.counts == {date(2026, 11, 25): 2}


def test_every_day_commit_is_drawn_while_a_day_folder_has_uncommitted_changes(history_repo):
    (history_repo / "day01" / "notes.md").write_text("edited\n", encoding="utf-8")
    history = read_day_commit_history(history_repo)
    assert history.uncommitted
    assert history_to_draw(history).counts == {date(2026, 11, 25): 2, date(2026, 12, 2): 1}


def test_a_new_untracked_day_folder_is_uncommitted_day_work(history_repo: Path):
    (history_repo / "day03").mkdir()
    (history_repo / "day03" / "README.md").write_text("new\n", encoding="utf-8")
    assert read_day_commit_history(history_repo).uncommitted


def test_changes_outside_the_day_folders_are_not_day_work(history_repo: Path):
    (history_repo / "README.md").write_text("edited\n", encoding="utf-8")
    (history_repo / "day010.txt").write_text("edited\n", encoding="utf-8")
    assert not read_day_commit_history(history_repo).uncommitted


def test_calendar_runs_from_the_first_to_the_last_commit_padded_to_whole_weeks(history_repo):
    cells = cell_titles(render_heatmap(read_day_commit_history(history_repo)))
    days = sorted(cells)
    # 2026-11-25 is a Wednesday: back to Sunday the 22nd; 2026-12-02 (Wednesday) on to Saturday 5th.
    assert (days[0], days[-1], len(days)) == ("2026-11-22", "2026-12-05", 14)


def test_each_cell_title_says_its_date_and_commit_count(history_repo: Path):
    cells = cell_titles(render_heatmap(read_day_commit_history(history_repo)))
    assert cells["2026-11-25"] == "2026-11-25: 2 commits"
    assert cells["2026-12-02"] == "2026-12-02: 1 commit"
    assert cells["2026-11-27"] == "2026-11-27: 0 commits"


def test_svg_is_well_formed_and_labelled_for_screen_readers(history_repo: Path):
    root = ET.fromstring(render_heatmap(read_day_commit_history(history_repo)))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.findtext(f"{SVG}title") == "Commits to the day folders, per day"
    assert root.findtext(f"{SVG}desc") == "3 commits on 2 days, 2026-11-25 to 2026-12-02"


def test_a_single_day_of_commits_is_captioned_with_that_day():
    history = DayCommitHistory(HistoryState.FOUND, (date(2026, 11, 23), date(2026, 11, 23)))
    desc = ET.fromstring(render_heatmap(history)).findtext(f"{SVG}desc")
    assert desc == "2 commits on 2026-11-23"


def test_legend_names_every_colour_level(history_repo: Path):
    svg = render_heatmap(read_day_commit_history(history_repo))
    swatches = [rect.findtext(f"{SVG}title") for rect in group(svg, "legend").iter(f"{SVG}rect")]
    labels = [text.text for text in group(svg, "legend").iter(f"{SVG}text")]
    assert swatches == ["no commits", "1 commit", "2 commits", "3–4 commits", "5 or more commits"]
    assert labels == ["Less", "More"]


def test_rendering_the_same_history_twice_gives_identical_svg(history_repo: Path):
    first = render_heatmap(read_day_commit_history(history_repo))
    second = render_heatmap(read_day_commit_history(history_repo))
    assert first == second


def test_a_repository_without_day_commits_draws_an_empty_calendar_with_a_caption(
    repo: Path, commit_file
):
    commit_file(repo, "README.md", "2026-11-20")
    history = read_day_commit_history(repo)
    root = ET.fromstring(render_heatmap(history))
    assert history.state is HistoryState.NO_COMMITS
    assert root.findtext(f"{SVG}desc") == "No day commits yet."
    svg = render_heatmap(history)
    assert cell_titles(svg) == {}
    assert len(group(svg, "days")) == 7 * 7, "an empty calendar still shows a grid"


def test_a_repository_with_no_commits_at_all_has_no_day_commits(repo: Path, git):
    git(repo, "init", "--quiet")
    assert read_day_commit_history(repo).state is HistoryState.NO_COMMITS


def test_a_folder_outside_git_says_there_is_no_history(repo: Path, git):
    history = read_day_commit_history(repo)
    assert (history.state, history.counts, history.complete) == (HistoryState.NO_GIT, {}, False)
    assert "No git history here" in render_heatmap(history)


def test_a_subfolder_of_a_repository_is_not_read_as_the_repository(history_repo: Path):
    assert read_day_commit_history(history_repo / "day01").state is HistoryState.NO_GIT


def test_a_shallow_clone_is_reported_and_not_drawn(history_repo: Path, tmp_path: Path, git):
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{history_repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    history = read_day_commit_history(clone)
    assert (history.state, history.counts) == (HistoryState.SHALLOW, {})
    assert "Shallow clone" in render_heatmap(history)


@pytest.mark.parametrize(
    ("commits", "expected"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (40, 4)]
)
def test_colour_level_grows_with_the_commit_count(commits: int, expected: int):
    assert level(commits) == expected, f"level({commits})"


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2026, 11, 25), date(2026, 11, 25), (date(2026, 11, 22), date(2026, 11, 28))),
        (date(2026, 11, 22), date(2026, 11, 28), (date(2026, 11, 22), date(2026, 11, 28))),
        (date(2026, 11, 28), date(2026, 11, 29), (date(2026, 11, 22), date(2026, 12, 5))),
    ],
    ids=["mid-week", "already whole weeks", "Saturday to Sunday"],
)
def test_calendar_range_pads_to_sunday_and_saturday(first: date, last: date, expected: tuple):
    assert calendar_range({first: 1, last: 1}) == expected


def test_month_labels_follow_the_calendar():
    history = DayCommitHistory(HistoryState.FOUND, (date(2027, 1, 20), date(2026, 11, 2)))
    texts = [text.text for text in ET.fromstring(render_heatmap(history)).iter(f"{SVG}text")]
    assert [text for text in texts if text in ("Nov", "Dec", "Jan")] == ["Nov", "Dec", "Jan"]
