"""``python -m day01`` run as a real process: the output it prints and the input it refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from day01.__main__ import (
    STDIN,
    InputError,
    build_parser,
    main,
    read_error_message,
    read_lines,
)

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI from the repository root, the way a learner does."""
    # A fixed output encoding, so the assertions do not depend on the machine's locale.
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    completed = subprocess.run(
        [sys.executable, "-m", "day01", *map(str, args)],
        cwd=REPO_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=10,
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8"),
    )


def table_rows(stdout: str) -> list[list[str]]:
    """The data rows of the printed table, split into cells."""
    lines = stdout.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("----")) + 1
    end = lines.index("", start)
    return [line.split() for line in lines[start:end]]


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text(
        "Flask routes requests. Flask apps need tests;\nthe tests keep Flask honest. Café!\n",
        encoding="utf-8",
    )
    return path


# --- happy paths ------------------------------------------------------------------------------


def test_without_files_it_counts_the_sample_text() -> None:
    result = run_cli()

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Top 10 words in day01/sample.txt\n")
    assert len(table_rows(result.stdout)) == 10
    assert result.stderr == ""


def test_counts_a_file_into_a_ranked_table(text_file: Path) -> None:
    result = run_cli(text_file)

    assert result.returncode == 0, result.stderr
    assert table_rows(result.stdout) == [
        ["1", "flask", "3", "25.0%"],
        ["2", "tests", "2", "16.7%"],
        ["3", "apps", "1", "8.3%"],
        ["3", "café", "1", "8.3%"],
        ["3", "honest", "1", "8.3%"],
        ["3", "keep", "1", "8.3%"],
        ["3", "need", "1", "8.3%"],
        ["3", "requests", "1", "8.3%"],
        ["3", "routes", "1", "8.3%"],
    ]
    assert "12 words counted (9 distinct), 1 skipped" in result.stdout


def test_reads_standard_input_when_the_file_is_a_dash() -> None:
    result = run_cli("-", "--top", "2", stdin="Redis redis REDIS café Café".encode())

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Top 2 words in <stdin>\n")
    assert table_rows(result.stdout) == [["1", "redis", "3", "60.0%"], ["2", "café", "2", "40.0%"]]


def test_adds_up_counts_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("redis flask", encoding="utf-8")
    second.write_text("redis", encoding="utf-8")

    result = run_cli(first, second, "--json")

    data = json.loads(result.stdout)
    assert data["sources"] == [str(first), str(second)]
    assert [(row["word"], row["count"]) for row in data["top"]] == [("redis", 2), ("flask", 1)]


def test_top_limits_the_number_of_rows(text_file: Path) -> None:
    result = run_cli(text_file, "--top", "2")

    assert [row[1] for row in table_rows(result.stdout)] == ["flask", "tests"]


def test_json_output_has_stable_keys_and_totals(text_file: Path) -> None:
    result = run_cli(text_file, "--json", "--top", "1")

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == [
        "sources", "total_words", "counted_words", "skipped_words", "distinct_words", "top",
    ]  # fmt: skip
    assert data == {
        "sources": [str(text_file)],
        "total_words": 13,
        "counted_words": 12,
        "skipped_words": 1,
        "distinct_words": 9,
        "top": [{"rank": 1, "word": "flask", "count": 3, "share": 0.25}],
    }


def test_main_takes_its_arguments_as_a_list_and_returns_the_exit_code(
    text_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(text_file), "--json", "--top", "1"]) == 0

    out = capsys.readouterr().out
    assert json.loads(out)["top"] == [{"rank": 1, "word": "flask", "count": 3, "share": 0.25}]
    assert out.startswith(f'{{\n  "sources": [\n    "{text_file}"\n  ],\n'), "2-space indent"


@pytest.mark.parametrize(
    ("top", "files", "heading"),
    [
        ("1", ["notes.txt"], "Top 1 word in {0}"),
        ("2", ["notes.txt"], "Top 2 words in {0}"),
        ("1", ["notes.txt", "more.txt"], "Top 1 word in {0}, {1}"),
    ],
    ids=["one-word", "two-words", "two-files"],
)
def test_the_table_is_headed_by_how_many_words_it_shows_and_from_where(
    top: str, files: list[str], heading: str, text_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [text_file.with_name(name) for name in files]
    for path in paths[1:]:
        path.write_text("flask\n", encoding="utf-8")

    assert main([*map(str, paths), "--top", top]) == 0

    assert capsys.readouterr().out.splitlines()[0] == heading.format(*paths)


def test_json_output_keeps_non_ascii_words_readable(text_file: Path) -> None:
    result = run_cli(text_file, "--json", "--min-length", "4", "--top", "20")

    assert '"word": "café"' in result.stdout


def test_no_stop_words_counts_every_word(text_file: Path) -> None:
    result = run_cli(text_file, "--no-stop-words", "--json")

    words = [row["word"] for row in json.loads(result.stdout)["top"]]
    assert "the" in words, words


def test_a_stop_words_file_replaces_the_built_in_list(text_file: Path, tmp_path: Path) -> None:
    stop_words = tmp_path / "stop.txt"
    stop_words.write_text("# framework names\nFlask\n", encoding="utf-8")

    result = run_cli(text_file, "--stop-words", stop_words, "--json")

    words = [row["word"] for row in json.loads(result.stdout)["top"]]
    assert "flask" not in words, words
    assert "the" in words, words


def test_min_length_leaves_out_short_words(text_file: Path) -> None:
    result = run_cli(text_file, "--min-length", "6", "--json")

    words = {row["word"] for row in json.loads(result.stdout)["top"]}
    assert words == {"honest", "requests", "routes"}


def test_help_describes_every_option() -> None:
    result = run_cli("--help")

    assert result.returncode == 0
    for option in ("--top", "--stop-words", "--no-stop-words", "--min-length", "--json"):
        assert option in result.stdout, option


HELP_AT_80_COLUMNS = """\
usage: python -m day01 [-h] [--top N] [--stop-words FILE | --no-stop-words]
                       [--min-length N] [--json]
                       [FILE ...]

Show the most frequent words of UTF-8 text files.

positional arguments:
  FILE               UTF-8 text file to count ('-' reads standard input);
                     counts add up across files

options:
  -h, --help         show this help message and exit
  --top N            show N words (default 10)
  --stop-words FILE  ignore the words in FILE instead of the built-in English
                     list (words separated by spaces or lines, '#' starts a
                     comment)
  --no-stop-words    count every word, 'the' and 'and' included
  --min-length N     ignore words shorter than N characters (default 1)
  --json             print JSON (stable keys, totals included)

With no FILE, counts a short sample text (day01/sample.txt).

examples:
  python -m day01 notes.txt --top 5
  cat notes.txt | python -m day01 - --json
"""


def test_help_names_each_value_says_each_default_and_keeps_the_examples_on_their_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")

    assert build_parser().format_help() == HELP_AT_80_COLUMNS


# --- bad input --------------------------------------------------------------------------------


def assert_refused(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit code 2, nothing on stdout, one line on stderr naming the problem, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert lines[0].startswith("python -m day01: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


def test_refuses_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"

    assert_refused(run_cli(missing), str(missing), "no such file", "check the path")


def test_refuses_a_folder(tmp_path: Path) -> None:
    assert_refused(run_cli(tmp_path), str(tmp_path), "is a folder", "pass the text files inside")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read any file")
def test_refuses_an_unreadable_file(text_file: Path) -> None:
    text_file.chmod(0)

    assert_refused(run_cli(text_file), "permission denied", "chmod")


def test_explains_any_other_read_error_with_its_reason() -> None:
    assert read_error_message("'notes.txt'", OSError(5, "Input/output error")) == (
        "cannot read 'notes.txt': Input/output error — pass a readable text file"
    )
    assert read_error_message("'notes.txt'", OSError("device gone")) == (
        "cannot read 'notes.txt': device gone — pass a readable text file"
    )


def test_a_closed_standard_input_is_refused_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", None)

    with pytest.raises(InputError) as error:
        list(read_lines(STDIN, "standard input"))

    assert str(error.value) == "standard input is closed — pipe text in, or pass a FILE"


def test_explains_a_permission_error_and_its_fix() -> None:
    # The same path as the test above, reachable even where tests run as root.
    message = read_error_message("'notes.txt'", PermissionError(13, "Permission denied"))

    assert message == "cannot read 'notes.txt': permission denied — make it readable (chmod u+r)"


def test_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("first line\ncaf\u00e9 au lait\n".encode("latin-1"))

    assert_refused(
        run_cli(latin1), str(latin1), "not UTF-8", "byte 0xe9 on line 2", "iconv -f latin1"
    )


def test_refuses_standard_input_that_is_not_utf8() -> None:
    result = run_cli("-", stdin=b"ok\n\xff\xfeu\x00")

    assert_refused(result)
    assert result.stderr == (
        "python -m day01: error: standard input is not UTF-8 text (byte 0xff on line 2)"
        " — convert it first, e.g. iconv -f latin1 -t utf-8\n"
    )


def test_refuses_a_missing_stop_words_file(text_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "stop.txt"

    assert_refused(run_cli(text_file, "--stop-words", missing), "stop-words file", "no such file")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--top", "0"], ["--top", "must be 1 or more, got '0'"]),
        (["--top", "-3"], ["--top", "must be 1 or more, got '-3'"]),
        (["--top", "ten"], ["--top", "expected a whole number like 5, got 'ten'"]),
        (["--top", "2.5"], ["--top", "expected a whole number like 5, got '2.5'"]),
        (["--top"], ["--top", "expected one argument"]),
        (["--min-length", "0"], ["--min-length", "must be 1 or more"]),
        (["--min-length", "x"], ["--min-length", "expected a whole number"]),
        (["--no-stop-words", "--stop-words", "stop.txt"], ["not allowed with"]),
        (["--colour"], ["unrecognized arguments: --colour"]),
    ],
)
def test_refuses_a_bad_option_with_one_line(args: list[str], fragments: list[str]) -> None:
    assert_refused(run_cli(*args), *fragments, "see --help")


def test_without_options_every_setting_has_its_documented_default() -> None:
    assert vars(build_parser().parse_args([])) == {
        "files": [],
        "top": 10,
        "stop_words": None,
        "no_stop_words": False,
        "min_length": 1,
        "json": False,
    }
