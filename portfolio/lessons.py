"""``python -m portfolio.lessons [--check] [dayNN ...]`` (``make lessons``): output from real runs.

A day README never shows output typed by hand. It marks the places where output goes, and this
command fills them from a real run:

    <!-- output: python -m day07 -->
    ```text
    (stdout and stderr of ``python -m day07``, run from the repository root)
    ```
    <!-- /output -->

    <!-- tests: day07 -->
    `pytest day07` runs 73 tests.
    <!-- /tests -->

An ``output:`` command is ``python -m dayNN [args]`` and nothing else, so a README cannot run a
shell. It runs with the repository's .venv python, from the repository root, in a clean
environment (no service URLs, no ``REALWORLD_*``: only ``PATH``, ``HOME`` and fixed locale, time
zone and encoding), for at most 60 seconds; the repository's own path in its output is written
as ``.``, so the output is the same in any checkout. A ``tests:`` count is the number of tests
``pytest --collect-only`` finds in the folder, which does not depend on the services that are up.

``--check`` writes nothing and exits 1 naming each stale block, for CI; 2 means a block could
not be generated at all (a refused command, a demo that failed, a block left open).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from portfolio.days import REPO_ROOT

DEMO_TIMEOUT = 60
COLLECT_TIMEOUT = 300
DAY_NAME = re.compile(r"^day\d\d$")
_BLOCK = re.compile(
    r"<!-- (?P<kind>output|tests): *(?P<arg>.*?) *-->\n(?P<body>.*?)<!-- /(?P=kind) -->",
    re.DOTALL,
)
_OPENING = re.compile(r"<!-- (output|tests):")
#: The only variables a demo or a collection sees; the rest are fixed so output is reproducible.
_PASSED_ON = ("PATH", "HOME")
_FIXED = {"LC_ALL": "C.UTF-8", "PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8", "TZ": "UTC"}


class LessonError(Exception):
    """A block cannot be generated. The message names the README, the block and why."""


@dataclass(frozen=True)
class Block:
    """One marked block of a README: where it is, what it asks for, what it holds now."""

    kind: str
    arg: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return f"<!-- {self.kind}: {self.arg} -->"


@dataclass
class Runner:
    """Runs demos and collections for one repository, each at most once per invocation."""

    root: Path
    python: str = ""
    _outputs: dict[tuple[str, ...], str] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        venv = self.root / ".venv" / "bin" / "python"
        self.python = self.python or (str(venv) if venv.exists() else sys.executable)

    def environment(self) -> dict[str, str]:
        env = {name: os.environ[name] for name in _PASSED_ON if name in os.environ}
        return {**env, **_FIXED}

    def demo_output(self, argv: tuple[str, ...]) -> str:
        """What ``python -m dayNN args`` prints (stdout and stderr together)."""
        if argv not in self._outputs:
            command = shlex.join(["python", *argv])
            try:
                done = subprocess.run(
                    [self.python, *argv],
                    cwd=self.root,
                    env=self.environment(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    timeout=DEMO_TIMEOUT,
                )
            except subprocess.TimeoutExpired as error:
                raise LessonError(f"`{command}` did not finish in {DEMO_TIMEOUT} s") from error
            output = done.stdout.decode("utf-8", errors="replace")
            if done.returncode != 0:
                tail = "\n".join(output.splitlines()[-15:])
                raise LessonError(f"`{command}` failed with exit status {done.returncode}:\n{tail}")
            self._outputs[argv] = output.replace(str(self.root.resolve()), ".")
        return self._outputs[argv]

    def test_count(self, folder: str) -> int:
        """How many tests ``pytest --collect-only`` finds in ``folder``."""
        if folder not in self._counts:
            done = subprocess.run(
                [self.python, "-m", "pytest", "--collect-only", "-q", folder],
                cwd=self.root,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=COLLECT_TIMEOUT,
            )
            if done.returncode not in (0, 5):  # 5: collected nothing
                tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
                raise LessonError(f"collecting the tests of {folder} failed:\n{tail}")
            prefix = folder.rstrip("/") + "/"
            self._counts[folder] = sum(
                1 for line in done.stdout.splitlines() if line.startswith(prefix) and "::" in line
            )
        return self._counts[folder]


def find_blocks(text: str, where: str) -> list[Block]:
    """The marked blocks of a README, in order; LessonError for a block left open."""
    blocks = [
        Block(m["kind"], m["arg"], m.start(), m.end(), m.group(0)) for m in _BLOCK.finditer(text)
    ]
    inside = [(block.start, block.end) for block in blocks]
    for opening in _OPENING.finditer(text):
        if not any(start <= opening.start() < end for start, end in inside):
            line = text.count("\n", 0, opening.start()) + 1
            raise LessonError(
                f"{where}:{line}: `<!-- {opening[1]}: ... -->` has no `<!-- /{opening[1]} -->`"
            )
    return blocks


def demo_argv(command: str, root: Path) -> tuple[str, ...]:
    """``python -m dayNN args`` as the argv after the interpreter; LessonError otherwise."""
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise LessonError(f"cannot read the command `{command}`: {error}") from error
    if len(words) < 3 or words[:2] != ["python", "-m"] or not DAY_NAME.match(words[2]):
        raise LessonError(
            f"refused to run `{command}`: an output block runs only `python -m dayNN [args]`"
        )
    if not (root / words[2] / "__main__.py").is_file():
        raise LessonError(f"`{command}`: {words[2]} has no __main__.py")
    return tuple(words[1:])


def test_folder(arg: str, root: Path) -> str:
    """The folder a ``tests:`` block counts: a relative folder inside the repository."""
    parts = Path(arg).parts
    if not arg or Path(arg).is_absolute() or ".." in parts or not (root / arg).is_dir():
        raise LessonError(f"`<!-- tests: {arg} -->`: no such folder in the repository")
    return Path(arg).as_posix()


def fenced(output: str) -> str:
    """``output`` in a ```text fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", output)), default=0)
    fence = "`" * max(3, longest + 1)
    body = output.rstrip("\n")
    return f"{fence}text\n{body}\n{fence}\n" if body else f"{fence}text\n{fence}\n"


def render_block(block: Block, runner: Runner) -> str:
    """The block as it should read after a real run."""
    opening = f"<!-- {block.kind}: {block.arg} -->\n"
    if block.kind == "output":
        output = runner.demo_output(demo_argv(block.arg, runner.root))
        return f"{opening}{fenced(output)}<!-- /output -->"
    folder = test_folder(block.arg, runner.root)
    count = runner.test_count(folder)
    noun = "test" if count == 1 else "tests"
    return f"{opening}`pytest {folder}` runs {count} {noun}.\n<!-- /tests -->"


@dataclass(frozen=True)
class Lesson:
    """A README as it is and as it should be, with the labels of the blocks that differ."""

    path: Path
    current: str
    expected: str
    stale: tuple[str, ...]
    blocks: int


def regenerate(readme: Path, runner: Runner) -> Lesson:
    """Fill every block of one README from real runs."""
    where = readme.relative_to(runner.root).as_posix()
    text = readme.read_text(encoding="utf-8")
    blocks = find_blocks(text, where)
    pieces, stale, position = [], [], 0
    for block in blocks:
        try:
            rendered = render_block(block, runner)
        except LessonError as error:
            line = text.count("\n", 0, block.start) + 1
            raise LessonError(f"{where}:{line}: {error}") from error
        if rendered != block.text:
            stale.append(block.label)
        pieces += [text[position : block.start], rendered]
        position = block.end
    pieces.append(text[position:])
    return Lesson(readme, text, "".join(pieces), tuple(stale), len(blocks))


def day_readmes(root: Path, days: Sequence[str]) -> list[Path]:
    """The READMEs of the days asked for, or of every day folder; LessonError for a bad name."""
    if not days:
        return sorted(p for p in root.glob("day[0-9][0-9]/README.md") if p.is_file())
    readmes = []
    for day in days:
        readme = root / day / "README.md"
        if not DAY_NAME.match(day) or not readme.is_file():
            raise LessonError(f"no such day with a README: {day}")
        readmes.append(readme)
    return readmes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m portfolio.lessons",
        description=(
            "Write the demo output and test counts into the day READMEs' marked blocks, "
            "from real runs (all days, or the ones named)."
        ),
    )
    parser.add_argument("days", nargs="*", metavar="dayNN", help="only these days, e.g. day07")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 naming each stale block",
    )
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """0: written or up to date; 1: stale (with --check); 2: a block could not be generated."""
    args = build_parser().parse_args(argv)
    root: Path = args.root.resolve()
    runner = Runner(root)
    stale_blocks: list[str] = []
    try:
        for readme in day_readmes(root, args.days):
            day = readme.parent.name
            print(f"{day}: ", end="", flush=True)
            lesson = regenerate(readme, runner)
            if not lesson.blocks:
                print("no generated blocks")
            elif not lesson.stale:
                print(f"{lesson.blocks} blocks up to date")
            elif args.check:
                print(f"{len(lesson.stale)} of {lesson.blocks} blocks stale")
                stale_blocks += [f"{day}: {label}" for label in lesson.stale]
            else:
                readme.write_text(lesson.expected, encoding="utf-8")
                print(f"rewrote {len(lesson.stale)} of {lesson.blocks} blocks")
    except LessonError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 2
    if stale_blocks:
        for block in stale_blocks:
            print(f"stale: {block}", file=sys.stderr)
        print("the lessons' output is stale: run make lessons and commit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
