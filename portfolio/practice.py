"""Practice mode: do a day, not only read it.

``make practice-day05`` (``python -m portfolio.practice start day05``) copies day05 into
``practice/day05/`` with the core of each solution replaced by a stub, and ``make check-day05``
(``python -m portfolio.practice check day05``) runs the day's own tests against that copy and
says task by task what passes, which task is next, its hint and its first failing test.

A day marks its solution regions once, in its modules, and the stubs are generated from them:

        # practice 2: slide a window of k values in one pass
        # hint: keep the running sum; add the value entering the window, subtract the one leaving.
        ... the solution ...
        # end practice 2

The stub keeps the comments and puts ``raise NotImplementedError(...)`` where the code was.
Beside the copied day, practice/ links every other top-level entry of the repository (the other
days, shared/, projects/, …) and has its own pytest.ini, so the day's tests, imports and paths
resolve to the learner's copy first and to the repository for the rest. ``prove`` does it all in
a temporary folder and checks that each task's stub makes at least one of the day's tests fail.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from portfolio.days import REPO_ROOT
from portfolio.practice_plugin import PROVE_ENV, REPORT_ENV, TASKS_ENV

PROG = "python -m portfolio.practice"
CODE_ROOT = Path(__file__).resolve().parent.parent
DAY_NAME = re.compile(r"^day\d\d$")
PROGRESS_FILE = ".progress.json"
PROGRESS_VERSION = 1
TEST_TIMEOUT = 600
#: Never linked into practice/: the repository's own state, caches and practice/ itself.
NOT_LINKED = frozenset(
    {".git", ".venv", ".pytest_cache", ".ruff_cache", ".hypothesis", ".mutation", "mutants"}
    | {"practice", "instance", "__pycache__", "pytest.ini"}
)
COPY_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis")

_OPEN = re.compile(r"^(?P<indent>[ \t]*)# practice (?P<number>\d+): (?P<title>\S.*?)\s*$")
_HINT = re.compile(r"^[ \t]*# hint: (?P<text>\S.*?)\s*$")
_CLOSE = re.compile(r"^(?P<indent>[ \t]*)# end practice (?P<number>\d+)\s*$")
_ANY_MARKER = re.compile(r"^[ \t]*# (?:end )?practice \d+")

Status = Literal["passed", "failing", "todo"]


class PracticeError(Exception):
    """Practice mode cannot go on. The message says what is wrong and what to do."""


@dataclass(frozen=True)
class Task:
    """One marked solution region of a day: what to write, where, and the hint."""

    number: int
    title: str
    hint: str
    path: str  # the module, relative to the day folder
    line: int  # the ``# practice N:`` line, 1-based
    body: tuple[int, int]  # the solution's first and last line, 1-based (the stub's, in a copy)
    indent: str

    def key(self, day: str) -> str:
        return f"{day}:{self.number}"

    def stub(self, day: str) -> str:
        message = f"{day} task {self.number} ({self.title}) is yours to write. Hint: {self.hint}"
        return f"{self.indent}raise NotImplementedError({message!r})"


def find_tasks(source: str, path: str) -> list[Task]:
    """The practice regions of one module, in file order; a malformed marker is an error."""
    tasks: list[Task] = []
    lines = source.splitlines()
    index = 0
    while index < len(lines):
        opening = _OPEN.match(lines[index])
        if opening is None:
            if _ANY_MARKER.match(lines[index]):
                raise PracticeError(
                    f"{path}:{index + 1}: a practice marker out of place: {lines[index].strip()!r}"
                    " (a region opens with '# practice N: title' and closes with"
                    " '# end practice N')"
                )
            index += 1
            continue
        tasks.append(_region(lines, index, opening, path))
        index = tasks[-1].body[1] + 1
    return tasks


def _region(lines: list[str], start: int, opening: re.Match[str], path: str) -> Task:
    indent, number = opening["indent"], int(opening["number"])
    where = f"{path}:{start + 1}"
    if not indent:
        raise PracticeError(f"{where}: practice {number} must sit inside a function (indented)")
    hints: list[str] = []
    index = start + 1
    while index < len(lines) and (hint := _HINT.match(lines[index])):
        hints.append(hint["text"])
        index += 1
    if not hints:
        raise PracticeError(f"{where}: practice {number} needs a '# hint: ...' line after it")
    first = index
    while index < len(lines):
        line = lines[index]
        closing = _CLOSE.match(line)
        if closing is not None:
            if int(closing["number"]) != number or closing["indent"] != indent:
                raise PracticeError(
                    f"{path}:{index + 1}: expected '{indent}# end practice {number}' here"
                )
            body = [text for text in lines[first:index] if text.strip()]
            if not body:
                raise PracticeError(f"{where}: practice {number} holds no code")
            return Task(
                number,
                opening["title"],
                " ".join(hints),
                path,
                start + 1,
                (first + 1, index),
                indent,
            )
        if _ANY_MARKER.match(line):
            raise PracticeError(f"{path}:{index + 1}: practice {number} is still open here")
        if line.strip() and not line.startswith(indent):
            raise PracticeError(
                f"{path}:{index + 1}: the code of practice {number} must be indented at least"
                " as far as its marker"
            )
        index += 1
    raise PracticeError(f"{where}: practice {number} never ends ('# end practice {number}')")


def modules(folder: Path) -> list[Path]:
    """A day's exercise modules: its .py files, not its tests (test_*.py, conftest.py)."""
    return sorted(
        path
        for path in folder.rglob("*.py")
        if not path.name.startswith("test_")
        and path.name != "conftest.py"
        and "__pycache__" not in path.parts
    )


def day_tasks(folder: Path) -> list[Task]:
    """Every task of a day, by number, checked to be numbered 1, 2, 3 … once each."""
    tasks = [
        task
        for module in modules(folder)
        for task in find_tasks(
            module.read_text(encoding="utf-8"), module.relative_to(folder).as_posix()
        )
    ]
    numbers = sorted(task.number for task in tasks)
    if numbers != list(range(1, len(tasks) + 1)):
        raise PracticeError(
            f"{folder.name}: practice tasks must be numbered 1 to {len(tasks)} once each,"
            f" found {numbers}"
        )
    return sorted(tasks, key=lambda task: task.number)


def stubbed(source: str, tasks: Sequence[Task], day: str) -> str:
    """The module with each region's code replaced by its stub."""
    lines = source.splitlines(keepends=True)
    for task in sorted(tasks, key=lambda task: task.line, reverse=True):
        first, last = task.body
        lines[first - 1 : last] = [task.stub(day) + "\n"]
    return "".join(lines)


def holds_stub(source: str, task: Task, day: str) -> bool:
    """Whether the learner's copy of a region is still the generated stub."""
    first, last = task.body
    body = [line.strip() for line in source.splitlines()[first - 1 : last] if line.strip()]
    return body == [task.stub(day).strip()]


# ---- the practice folder ------------------------------------------------------------------


def day_name(value: str) -> str:
    """``day05``, ``5`` or ``05`` as ``day05``; anything else is an error naming the range."""
    text = value.removeprefix("day")
    if text.isdigit() and 1 <= int(text) <= 45:
        return f"day{int(text):02d}"
    raise PracticeError(f"no such day: {value!r} (days are day01 to day45)")


def start(
    day: str, root: Path = REPO_ROOT, workspace: Path | None = None, *, force: bool = False
) -> list[Task]:
    """Copy a day into the practice folder with its regions stubbed; returns its tasks."""
    workspace = workspace or root / "practice"
    source = root / day
    if not (source / "__main__.py").is_file():
        raise PracticeError(f"{day} is not written yet, so there is nothing to practise")
    tasks = day_tasks(source)
    if not tasks:
        raise PracticeError(f"{day} marks no practice tasks yet")
    target = workspace / day
    if target.is_symlink():
        target.unlink()
    elif target.exists():
        if not force:
            raise PracticeError(
                f"{target} holds your work already: make check-{day} checks it"
                f" (to start over: {PROG} start {day} --force)"
            )
        shutil.rmtree(target)
    workspace.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target, ignore=COPY_IGNORED, symlinks=True)
    by_module: dict[str, list[Task]] = {}
    for task in tasks:
        by_module.setdefault(task.path, []).append(task)
    for path, module_tasks in by_module.items():
        module = target / path
        text = stubbed(module.read_text(encoding="utf-8"), module_tasks, day)
        try:
            ast.parse(text, filename=str(module))
        except SyntaxError as error:
            raise PracticeError(f"{day}/{path}: the stubs do not parse: {error}") from error
        module.write_text(text, encoding="utf-8")
    link_repository(root, workspace)
    write_pytest_ini(root, workspace)
    return day_tasks(target)


def link_repository(root: Path, workspace: Path) -> None:
    """Link each top-level entry of the repository that practice/ does not hold itself."""
    for link in workspace.iterdir():
        if link.is_symlink() and not link.exists():
            link.unlink()
    for entry in sorted(root.iterdir()):
        if entry.name in NOT_LINKED:
            continue
        link = workspace / entry.name
        if not link.exists() and not link.is_symlink():
            link.symlink_to(os.path.relpath(entry, workspace))


def write_pytest_ini(root: Path, workspace: Path) -> None:
    """The repository's pytest settings, rooted at practice/ so its copies come first."""
    settings = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    options: dict[str, Any] = settings["tool"]["pytest"]["ini_options"]
    lines = ["[pytest]", "# made by make practice-dayNN from pyproject.toml; do not edit"]
    for name, value in options.items():
        if name == "pythonpath":
            value = ["."]
        if isinstance(value, list):
            lines.append(f"{name} =")
            lines += [f"    {item}" for item in value]
        else:
            lines.append(f"{name} = {value}")
    (workspace / "pytest.ini").write_text("\n".join(lines) + "\n", encoding="utf-8")


def copied_tasks(day: str, workspace: Path) -> list[Task]:
    """The tasks of a learner's copy, where their regions are now."""
    folder = workspace / day
    if not folder.is_dir() or folder.is_symlink():
        raise PracticeError(f"no practice copy of {day} yet: run make practice-{day} first")
    return day_tasks(folder)


# ---- checking a copy ----------------------------------------------------------------------


@dataclass(frozen=True)
class TestResult:
    nodeid: str
    outcome: str
    reached: tuple[int, ...]
    raised: int | None
    error: str | None


@dataclass(frozen=True)
class TaskResult:
    task: Task
    status: Status
    tests: tuple[TestResult, ...]  # the tests that reached it

    @property
    def first_failure(self) -> TestResult | None:
        return next((test for test in self.tests if test.outcome == "failed"), None)


@dataclass
class Check:
    day: str
    tasks: list[TaskResult]
    others: list[TestResult] = field(default_factory=list)  # tests that reach no task
    collect_errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(result.status == "passed" for result in self.tasks)

    @property
    def complete(self) -> bool:
        others_fail = any(test.outcome == "failed" for test in self.others)
        return self.passed == len(self.tasks) and not others_fail and not self.collect_errors


def run_tests(
    workspace: Path, tasks: dict[str, list[Task]], *, prove: bool = False
) -> dict[str, Any]:
    """Run the copies' tests (one pytest run for all the days) with the recording plugin.

    With ``prove``, a day's remaining tests are skipped once each of its stubs has failed one.
    """
    with tempfile.TemporaryDirectory(prefix="practice-") as scratch:
        regions = Path(scratch, "tasks.json")
        report = Path(scratch, "report.json")
        regions.write_text(
            json.dumps(
                [
                    {
                        "path": str(workspace / day / task.path),
                        "first": task.line,
                        "last": task.body[1] + 1,
                        "id": task.key(day),
                    }
                    for day, day_tasks in tasks.items()
                    for task in day_tasks
                ]
            ),
            encoding="utf-8",
        )
        root = workspace.resolve()
        env = {
            **os.environ,
            TASKS_ENV: str(regions),
            REPORT_ENV: str(report),
            PROVE_ENV: "1" if prove else "0",
            # practice/ first, then this checkout (for the recording plugin).
            "PYTHONPATH": os.pathsep.join([str(root), str(CODE_ROOT)]),
        }
        command = [
            *(sys.executable, "-m", "pytest", "-c", str(root / "pytest.ini")),
            *("--rootdir", str(root), "-p", "portfolio.practice_plugin", "-q", "--no-header"),
            # A day that does not import is a collection error in the report, not the end of
            # every other day's run.
            "--continue-on-collection-errors",
            # A proof only needs to know which stub each failure came from, not its traceback.
            *(("--tb=no",) if prove else ()),
            *(str(root / day) for day in tasks),
        ]
        completed = subprocess.run(
            command,
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=TEST_TIMEOUT,
            check=False,
        )
        if not report.exists():
            tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
            raise PracticeError(f"the tests of {', '.join(tasks)} did not run:\n{tail}")
        return json.loads(report.read_text(encoding="utf-8"))


def assess(day: str, workspace: Path, tasks: Sequence[Task], report: dict[str, Any]) -> Check:
    """Each task's status from the test report and the copy's source."""
    tests = [
        TestResult(
            test["nodeid"], test["outcome"], tuple(test["reached"]), test["raised"], test["error"]
        )
        for test in report["tests"]
        if test["nodeid"].startswith(f"{day}/")
    ]
    results = []
    for task in tasks:
        key = task.key(day)
        source = (workspace / day / task.path).read_text(encoding="utf-8")
        reached = tuple(test for test in tests if key in test.reached or test.raised == key)
        if holds_stub(source, task, day) or any(test.raised == key for test in reached):
            status: Status = "todo"
        elif reached and all(test.outcome != "failed" for test in reached):
            status = "passed"
        else:
            status = "failing"
        results.append(TaskResult(task, status, reached))
    others = [test for test in tests if not test.reached and test.raised is None]
    errors = [
        error for error in report.get("collect_errors", []) if error["nodeid"].startswith(day)
    ]
    return Check(day, results, others, errors)


def check(day: str, root: Path = REPO_ROOT, workspace: Path | None = None) -> Check:
    """Run the day's tests against the learner's copy and say where each task stands."""
    return check_days([day], root, workspace)[day]


def check_days(
    days: Sequence[str],
    root: Path = REPO_ROOT,
    workspace: Path | None = None,
    *,
    prove: bool = False,
) -> dict[str, Check]:
    """``check`` for several days at once, in one test run."""
    workspace = workspace or root / "practice"
    tasks = {day: copied_tasks(day, workspace) for day in days}
    link_repository(root, workspace)
    write_pytest_ini(root, workspace)
    report = run_tests(workspace, tasks, prove=prove)
    return {day: assess(day, workspace, tasks[day], report) for day in days}


def record_progress(result: Check, workspace: Path, now: datetime | None = None) -> Path:
    """Write the check into practice/.progress.json, the file the portfolio's /practice reads."""
    path = workspace / PROGRESS_FILE
    try:
        progress = json.loads(path.read_text(encoding="utf-8"))
        days = progress["days"] if isinstance(progress.get("days"), dict) else {}
    except (OSError, ValueError, AttributeError):
        days = {}
    moment = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    days[result.day] = {
        "checked_at": moment,
        "passed": result.passed,
        "total": len(result.tasks),
        "tasks": [
            {"number": task.task.number, "title": task.task.title, "status": task.status}
            for task in result.tasks
        ],
    }
    document = {"version": PROGRESS_VERSION, "days": dict(sorted(days.items()))}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


MARKS = {"passed": "✓", "failing": "✗", "todo": "·"}


def render(result: Check, workspace_label: str = "practice") -> str:
    """The rustlings-style report: every task, then the next thing to do."""
    day, total = result.day, len(result.tasks)
    lines = [f"{day}: {result.passed} of {total} tasks pass", ""]
    for item in result.tasks:
        where = f"{workspace_label}/{day}/{item.task.path}:{item.task.line}"
        mark = MARKS[item.status]
        lines.append(f"  {mark} task {item.task.number}  {item.task.title}  ({where})")
    for error in result.collect_errors:
        lines += ["", f"the tests could not be collected: {error['nodeid']}: {error['error']}"]
    nxt = next((item for item in result.tasks if item.status != "passed"), None)
    if nxt is not None:
        task = nxt.task
        lines += [
            "",
            f"next: task {task.number}, {task.title}",
            f"  in {workspace_label}/{day}/{task.path}, line {task.line}",
            f"  hint: {task.hint}",
        ]
        failure = nxt.first_failure
        if failure is not None and failure.raised != task.key(day):
            lines += [f"  first failing test: {failure.nodeid}", f"    {failure.error}"]
        elif nxt.status == "failing":
            lines.append(
                "  none of the day's tests reached this code: does a function return early?"
            )
        lines += ["", f"edit the file, then run make check-{day} again"]
        return "\n".join(lines) + "\n"
    failing = [test for test in result.others if test.outcome == "failed"]
    if failing or result.collect_errors:
        lines += ["", "every task passes, but the rest of the day's tests do not:"]
        lines += [f"  ✗ {test.nodeid}: {test.error}" for test in failing[:5]]
        return "\n".join(lines) + "\n"
    following = int(day[3:]) + 1
    after = f"make practice-day{following:02d}" if following <= 45 else "a capstone of your own"
    lines += ["", f"all {total} tasks of {day} pass, and the rest of its tests too. next: {after}"]
    return "\n".join(lines) + "\n"


# ---- proving a day ------------------------------------------------------------------------


def imported_days(folder: Path) -> set[str]:
    """The other days whose code the day's modules import (at the top or inside a function)."""
    found: set[str] = set()
    for module in sorted(folder.rglob("*.py")):
        try:
            tree = ast.parse(module.read_text(encoding="utf-8"), str(module))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found.update(name.partition(".")[0] for name in names)
    return {name for name in found if DAY_NAME.match(name) and name != folder.name}


def independent_batches(days: Sequence[str], root: Path = REPO_ROOT) -> list[list[str]]:
    """The days in as few groups as can be, none of which holds a day and a day it imports.

    A day's stubs would break the tests of a day that imports it, so the two are stubbed in
    separate runs; each run's other days are the repository's own.
    """
    imports = {day: imported_days(root / day) for day in days}
    batches: list[list[str]] = []
    for day in days:
        for batch in batches:
            if not any(day in imports[other] or other in imports[day] for other in batch):
                batch.append(day)
                break
        else:
            batches.append([day])
    return batches


def prove(days: Sequence[str], root: Path = REPO_ROOT) -> dict[str, tuple[Check, list[str]]]:
    """Stub days in a temporary folder and check each stub makes one of its day's tests fail.

    Days that import one another are proved in separate runs (:func:`independent_batches`).
    """
    checks: dict[str, Check] = {}
    with tempfile.TemporaryDirectory(prefix="practice-proof-") as scratch:
        for number, batch in enumerate(independent_batches(days, root)):
            workspace = Path(scratch) / str(number) / "practice"
            for day in batch:
                start(day, root, workspace)
            checks.update(check_days(batch, root, workspace, prove=True))
    checks = {day: checks[day] for day in days}
    proofs = {}
    for day, result in checks.items():
        problems = [
            f"task {item.task.number} ({item.task.title}): no test fails on its stub"
            for item in result.tasks
            if not any(
                test.outcome == "failed" and test.raised == item.task.key(day)
                for test in item.tests
            )
        ]
        problems += [
            f"collection failed: {error['nodeid']}: {error['error']}"
            for error in result.collect_errors
        ]
        proofs[day] = (result, problems)
    return proofs


# ---- the command line ---------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Practise a day: copy it with its solutions stubbed, then check your copy.",
    )
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    begin = commands.add_parser(
        "start", help="copy dayNN into practice/dayNN with its solutions stubbed"
    )
    begin.add_argument("day", help="the day, e.g. day05")
    begin.add_argument("--force", action="store_true", help="start over, throwing your copy away")
    verify = commands.add_parser("check", help="run dayNN's tests against practice/dayNN")
    verify.add_argument("day", help="the day, e.g. day05")
    proof = commands.add_parser(
        "prove", help="check that each stub of dayNN makes one of its tests fail (for authors)"
    )
    proof.add_argument("day", nargs="+", help="the days, e.g. day05 day06")
    listing = commands.add_parser("tasks", help="list dayNN's practice tasks and hints")
    listing.add_argument("day", help="the day, e.g. day05")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """0: done / all pass; 1: tasks left or a proof failed; 2: practice mode cannot go on."""
    args = build_parser().parse_args(argv)
    root: Path = args.root.resolve()
    try:
        if args.command == "start":
            day = day_name(args.day)
            tasks = start(day, root, force=args.force)
            print(f"practice/{day}/ is yours: {len(tasks)} tasks to write.")
            for task in tasks:
                where = f"practice/{day}/{task.path}:{task.line}"
                print(f"  task {task.number}  {task.title}  ({where})")
            print(f"\nread {day}/README.md, write task 1, then run make check-{day}")
            return 0
        if args.command == "tasks":
            day = day_name(args.day)
            for task in day_tasks(root / day):
                print(f"task {task.number}  {task.title}  ({day}/{task.path}:{task.line})")
                print(f"  hint: {task.hint}")
            return 0
        if args.command == "check":
            day = day_name(args.day)
            result = check(day, root)
            print(render(result), end="")
            record_progress(result, root / "practice")
            return 0 if result.complete else 1
        failed = False
        for day, (result, problems) in prove([day_name(value) for value in args.day], root).items():
            if problems:
                print(f"{day}: not proved ({len(result.tasks)} tasks):")
            else:
                print(f"{day}: proved: each of its {len(result.tasks)} stubs fails a test")
            for problem in problems:
                print(f"  {problem}")
            failed = failed or bool(problems)
        return 1 if failed else 0
    except PracticeError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
