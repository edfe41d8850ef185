"""``python -m day01``: the most frequent words of text files, as a table or as JSON.

With no FILE it counts ``sample.txt`` next to this file, so the demo needs no input.
Bad input (a missing file, a directory, bytes that are not UTF-8, a bad option value) ends the
run with one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn

from day01.wordfreq import (
    DEFAULT_STOP_WORDS,
    build_report,
    format_table,
    iter_words,
    parse_stop_words,
    report_to_json,
)

PROG = "python -m day01"
SAMPLE_TEXT = Path(__file__).with_name("sample.txt")
STDIN = "-"
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Input the CLI cannot use; the message is the one line the user sees."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (argparse's default repeats the usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text: str) -> int:
    """Parse an option value that must be a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number like 5, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line: files to read, how many words to show and which to leave out."""
    parser = OneLineParser(
        prog=PROG,
        description="Show the most frequent words of UTF-8 text files.",
        epilog=(
            "With no FILE, counts a short sample text (day01/sample.txt).\n\n"
            f"examples:\n  {PROG} notes.txt --top 5\n  cat notes.txt | {PROG} - --json"
        ),
        # Keeps the examples on their own lines.
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="UTF-8 text file to count ('-' reads standard input); counts add up across files",
    )
    parser.add_argument(
        "--top", type=positive_int, default=10, metavar="N", help="show N words (default 10)"
    )
    stop_words = parser.add_mutually_exclusive_group()
    stop_words.add_argument(
        "--stop-words",
        metavar="FILE",
        help="ignore the words in FILE instead of the built-in English list "
        "(words separated by spaces or lines, '#' starts a comment)",
    )
    stop_words.add_argument(
        "--no-stop-words", action="store_true", help="count every word, 'the' and 'and' included"
    )
    parser.add_argument(
        "--min-length",
        type=positive_int,
        default=1,
        metavar="N",
        help="ignore words shorter than N characters (default 1)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print JSON (stable keys, totals included)"
    )
    return parser


def read_error_message(label: str, error: OSError) -> str:
    """One line saying why ``label`` could not be opened and what to do about it."""
    match error:
        case FileNotFoundError():
            return f"cannot read {label}: no such file — check the path and the current folder"
        case IsADirectoryError():
            return f"cannot read {label}: it is a folder — pass the text files inside it instead"
        case PermissionError():
            return f"cannot read {label}: permission denied — make it readable (chmod u+r)"
        case _:
            return f"cannot read {label}: {error.strerror or error} — pass a readable text file"


def decode_lines(binary: Iterable[bytes], label: str) -> Iterator[str]:
    """Decode each line as strict UTF-8, naming the first bad byte and its line."""
    # Decoding line by line (not in 8 KiB chunks) is what makes the line number exact.
    for line_number, raw in enumerate(binary, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                f"{label} is not UTF-8 text (byte 0x{raw[error.start]:02x} on line {line_number})"
                " — convert it first, e.g. iconv -f latin1 -t utf-8"
            ) from None
        yield line


def read_lines(path: str, label: str) -> Iterator[str]:
    """Yield the lines of ``path`` (standard input for ``-``), raising InputError on failure."""
    try:
        if path == STDIN:
            if sys.stdin is None:
                raise InputError("standard input is closed — pipe text in, or pass a FILE")
            yield from decode_lines(sys.stdin.buffer, label)
        else:
            with open(path, "rb") as binary:
                yield from decode_lines(binary, label)
    except OSError as error:
        raise InputError(read_error_message(label, error)) from None


def display_name(path: str) -> str:
    """How a source is named in the output."""
    if path == STDIN:
        return "<stdin>"
    if path == str(SAMPLE_TEXT):
        # Relative to the repository root, where the demo is normally run from.
        return f"{SAMPLE_TEXT.parent.name}/{SAMPLE_TEXT.name}"
    return path


def words_in(paths: Iterable[str]) -> Iterator[str]:
    """Every word of every source, in order, read lazily one line at a time."""
    for path in paths:
        label = "standard input" if path == STDIN else repr(display_name(path))
        yield from iter_words(read_lines(path, label))


def chosen_stop_words(args: argparse.Namespace) -> frozenset[str]:
    """The stop words the options ask for: none, a user's list, or the built-in one."""
    if args.no_stop_words:
        return frozenset()
    if args.stop_words is not None:
        label = f"stop-words file {args.stop_words!r}"
        return parse_stop_words(read_lines(args.stop_words, label))
    return DEFAULT_STOP_WORDS


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    args = build_parser().parse_args(argv)
    paths: list[str] = args.files or [str(SAMPLE_TEXT)]
    try:
        report = build_report(
            words_in(paths),
            top=args.top,
            stop_words=chosen_stop_words(args),
            min_length=args.min_length,
        )
    except InputError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        # Ctrl-C while waiting on standard input is a normal way to give up, not a crash.
        return EXIT_INTERRUPTED

    sources = [display_name(path) for path in paths]
    if args.json:
        payload = {"sources": sources, **report_to_json(report)}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        shown = len(report.top)
        print(f"Top {shown} word{'' if shown == 1 else 's'} in {', '.join(sources)}\n")
        print(format_table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
