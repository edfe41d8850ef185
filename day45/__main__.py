"""`python -m day45`: a spaced-repetition backend Q&A, a mock interview and a retrospective.

- ``python -m day45`` runs a scripted quiz (scripted grades, fixed dates, a temporary state) and
  shows the schedule that results; it reads nothing from stdin.
- ``python -m day45 quiz`` asks the questions due today, one grade (y/n) per line of stdin; the
  state is ``instance/day45-quiz.json`` unless ``--state`` names another file.
- ``python -m day45 mock`` prints a mock interview, the same set for the same ``--seed``.
- ``python -m day45 retro`` prints the retrospective; ``--write`` writes day45/RETROSPECTIVE.md.

Exit 0 when done, 2 for a bad argument or an unusable state file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from day45 import retro
from day45.bank import load_prompts, load_questions, pick_prompts
from day45.quiz import Reader, run_session
from day45.schedule import StateError, forecast, load_state, save_state
from portfolio.days import REPO_ROOT

PROG = "python -m day45"
DEFAULT_STATE = REPO_ROOT / "instance" / "day45-quiz.json"
RETROSPECTIVE = Path(__file__).with_name("RETROSPECTIVE.md")
#: The demo's questions, its first day and each session's grades.
DEMO_IDS = ("n-plus-one", "cache-version", "jwt", "rag-threshold")
DEMO_START = date(2026, 3, 2)
DEMO_SESSIONS = ((0, "ynyy"), (2, "yyny"), (4, "yy"))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-03-02, got {text!r}") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """The command line: no command for the demo, or quiz, mock, retro."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A backend Q&A with spaced repetition, a mock interview and a "
        "retrospective of the 45 days. Without a command: a scripted quiz session.",
    )
    commands = parser.add_subparsers(dest="command", metavar="{quiz,mock,retro}")
    quiz = commands.add_parser(
        "quiz",
        help="review the questions due today",
        description="Ask the questions due today. Press Enter to see each answer, then grade "
        "yourself y or n (one line each, from stdin). Known questions come back after 2, 4, 8 "
        "and 16 days; missed ones tomorrow.",
    )
    quiz.add_argument("--state", type=Path, default=DEFAULT_STATE, help="the state file "
                      "(default: instance/day45-quiz.json)")  # fmt: skip
    quiz.add_argument("--today", type=_date, default=None, help="review as of this date")
    quiz.add_argument("--limit", type=_positive, default=10, help="questions per session")
    quiz.add_argument("--topic", help="only questions of this topic (e.g. caching)")
    mock = commands.add_parser("mock", help="print a mock interview")
    mock.add_argument("--seed", type=int, default=45, help="the same seed, the same interview")
    mock.add_argument("--count", type=_positive, default=3, help="how many questions")
    retrospective = commands.add_parser("retro", help="print the retrospective")
    retrospective.add_argument(
        "--write", action="store_true", help="also write day45/RETROSPECTIVE.md"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command asked for; see the module's docstring for the exit statuses."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "quiz":
        return quiz(parser, args)
    if args.command == "mock":
        mock(args.seed, args.count)
    elif args.command == "retro":
        text = retro.render()
        print(text, end="")
        if args.write:
            RETROSPECTIVE.write_text(text, encoding="utf-8")
    else:
        demo()
    return 0


def stdin_reader() -> Reader:
    """Read a line from stdin after each prompt; echo it when stdin is not a terminal, so a
    transcript of a piped session reads like the session did."""
    interactive = sys.stdin.isatty()

    def read(prompt: str) -> str | None:
        print(prompt, end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            print()
            return None
        if not interactive:
            print(line.rstrip("\n"))
        return line

    return read


def quiz(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    questions = load_questions()
    if args.topic:
        topics = sorted({question.topic for question in questions})
        if args.topic not in topics:
            parser.exit(2, f"{PROG}: error: no topic {args.topic!r}; topics: {', '.join(topics)}\n")
        questions = [question for question in questions if question.topic == args.topic]
    try:
        state = load_state(args.state)
    except StateError as error:
        parser.exit(2, f"{PROG}: error: {error}\n")
    run_session(
        questions,
        state,
        args.today or date.today(),
        stdin_reader(),
        print,
        limit=args.limit,
        on_grade=lambda new: save_state(args.state, new),
    )
    return 0


def scripted(lines: Iterator[str]) -> Reader:
    """A reader that answers each prompt with the next scripted line, shown after the prompt."""

    def read(prompt: str) -> str | None:
        line = next(lines, None)
        print(f"{prompt}{'' if line is None else line}".rstrip())
        return line

    return read


def demo() -> None:
    """Three scripted sessions over four questions, on fixed dates, with a temporary state."""
    questions = [q for q in load_questions() if q.id in DEMO_IDS]
    print(f"The bank holds {len(load_questions())} questions; the demo reviews {len(questions)}.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.json"
        for offset, grades in DEMO_SESSIONS:
            today = DEMO_START + timedelta(days=offset)
            print(f"\n== {today.isoformat()} (grades {' '.join(grades)}) ==")
            # Enter to reveal, then the grade: two lines per question.
            lines = iter([part for grade in grades for part in ("", grade)])
            state = load_state(path)
            run_session(
                questions,
                state,
                today,
                scripted(lines),
                print,
                on_grade=lambda new: save_state(path, new),
            )
        state = load_state(path)
        last = DEMO_START + timedelta(days=DEMO_SESSIONS[-1][0])
        print("\nThe schedule that results:")
        print(f"  {'question':<16}{'box':>4}  {'due':<11}{'reviews':>8}{'lapses':>7}")
        for id_, card in sorted(state.items(), key=lambda item: (item[1].due, item[0])):
            print(
                f"  {id_:<16}{card.box:>4}  {card.due.isoformat():<11}"
                f"{card.reviews:>8}{card.lapses:>7}"
            )
        days = forecast(state, last + timedelta(days=1), 14)
        print("Due per day over the next two weeks: " + ", ".join(
            f"{when.strftime('%m-%d')}: {count}" for when, count in days if count
        ))  # fmt: skip


def mock(seed: int, count: int) -> None:
    """A mock interview: each question, what a good answer covers, the files to read."""
    prompts = pick_prompts(load_prompts(), count, seed)
    print(f"Mock interview (seed {seed}): {len(prompts)} questions. Answer aloud, then compare.")
    for number, prompt in enumerate(prompts, 1):
        print(f"\n{number}. [{prompt.kind}] {prompt.prompt}")
        print("   A good answer covers:")
        for point in prompt.covers:
            print(f"   - {point}")
        print(f"   Look at: {', '.join(prompt.see)}")


if __name__ == "__main__":
    sys.exit(main())
