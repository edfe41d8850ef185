"""``python -m portfolio.mutation day05`` (``make mutate-day05``): mutation tests, a day at a time.

For each day asked, mutmut mutates the day's exercise code and runs the day's tests against
every mutant; a mutant the tests do not notice "survives". The run happens in a work folder of
its own, ``.mutation/dayNN/`` (ignored by git, pytest and ruff), holding a copy of what the tests
need: pyproject.toml with a ``[tool.mutmut]`` section for that day, the root conftest.py,
``shared/``, ``projects/`` and the day folders (other days only as imports, never mutated). So
days can run side by side, and every run starts from nothing: a cached verdict could hide the
test that was just written to kill a mutant.

What is mutated: every .py file of the day folder except ``test_*.py`` and ``conftest.py``;
``__main__.py`` only for the days whose command-line program is the exercise (``CLI_DAYS``);
from day 04 on it is the demo that drives the exercise. Tests run on SQLite only
(``-m "not mysql and not postgres"``) unless ``--all-backends``.

Each run prints the counts and every survivor (file:line and diff), then records the day in
docs/mutation-results.json and rebuilds docs/mutation.md from it. A survivor that no test can
kill because it behaves exactly like the original is "equivalent": the day's README names it in
a section headed "Mutants that survive", with why, and the table counts it as such.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from portfolio.days import REPO_ROOT

RESULTS_PATH = "docs/mutation-results.json"
TABLE_PATH = "docs/mutation.md"
WORK_FOLDER = ".mutation"
#: Days whose ``python -m dayNN`` is the program the lesson builds, not a demo of it.
CLI_DAYS = frozenset({1, 2, 3})
#: Copied into the work folder when present: what the days' tests import or load.
SUPPORT = ("conftest.py", "shared", "projects")
SQLITE_ONLY = "not mysql and not postgres"
TARGET_SCORE = 85
ENGINE = Path(__file__).with_name("mutmut_engine.py")
KILLED = frozenset({"killed", "timeout"})
DAY_NAME = re.compile(r"^day\d\d$")
MUTANT_ID = re.compile(r"\bday\d\d(?:\.[\wǁ]+)+__mutmut_\d+\b")
SURVIVORS_HEADING = re.compile(r"^(#{1,6})\s+Mutants that survive\b", re.IGNORECASE)
_PROGRESS = re.compile(r"^\s*([\u2800-\u28ff]|\d+/\d+\s)")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".mutation", "mutants")


class MutationError(Exception):
    """A day cannot be mutation-tested (no such folder, mutmut failed). The message says why."""


@dataclass(frozen=True)
class DayResult:
    """One day's last run, as recorded in docs/mutation-results.json."""

    day: str
    statuses: dict[str, int]
    survivors: list[dict[str, Any]]
    date: str
    mutmut: str
    backends: str

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def killed(self) -> int:
        return sum(count for status, count in self.statuses.items() if status in KILLED)

    def to_json(self) -> dict[str, Any]:
        return {
            "statuses": dict(sorted(self.statuses.items())),
            "survivors": self.survivors,
            "date": self.date,
            "mutmut": self.mutmut,
            "backends": self.backends,
        }

    @classmethod
    def from_json(cls, day: str, data: dict[str, Any]) -> DayResult:
        return cls(
            day=day,
            statuses=dict(data["statuses"]),
            survivors=list(data["survivors"]),
            date=data["date"],
            mutmut=data["mutmut"],
            backends=data["backends"],
        )


def mutated_files(day_folder: Path) -> list[str]:
    """The day's files mutmut mutates, relative to the repository root, sorted."""
    number = int(day_folder.name[3:])
    files = []
    for path in sorted(day_folder.rglob("*.py")):
        relative = path.relative_to(day_folder.parent).as_posix()
        if "__pycache__" in path.parts or path.name.startswith("test_"):
            continue
        if path.name == "conftest.py":
            continue
        if path.parent == day_folder and path.name == "__main__.py" and number not in CLI_DAYS:
            continue
        files.append(relative)
    return files


def mutmut_section(
    day: str, files: Sequence[str], also_copy: Sequence[str], marker: str | None
) -> str:
    """The ``[tool.mutmut]`` section of the work folder's pyproject.toml for one day."""
    pytest_args = ["-p", "no:cacheprovider"]
    if marker:
        pytest_args += ["-m", marker]
    lines = [
        "",
        "[tool.mutmut]",
        f"source_paths = [{json.dumps(day)}]",
        f"only_mutate = {json.dumps(list(files))}",
        f"also_copy = {json.dumps(list(also_copy))}",
        f"pytest_add_cli_args_test_selection = [{json.dumps(day)}]",
        f"pytest_add_cli_args = {json.dumps(pytest_args)}",
        "use_git_change_detection = false",
        "",
    ]
    return "\n".join(lines)


def prepare_work_folder(root: Path, day: str, marker: str | None) -> Path:
    """A fresh ``.mutation/dayNN/`` holding what the day's tests need, configured for mutmut."""
    files = mutated_files(root / day)
    if not files:
        raise MutationError(f"{day} has no exercise code to mutate")
    work = root / WORK_FOLDER / day
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    if re.search(r"^\[tool\.mutmut\]", pyproject, re.MULTILINE):
        raise MutationError("pyproject.toml has a [tool.mutmut] section: each run writes its own")
    other_days = [
        p.name for p in sorted(root.glob("day[0-9][0-9]")) if p.is_dir() and p.name != day
    ]
    also_copy = []
    for name in [*SUPPORT, day, *other_days]:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=_IGNORED)
        elif source.is_file():
            shutil.copy2(source, work / name)
        else:
            continue
        if name != day:
            also_copy.append(name)
    section = mutmut_section(day, files, also_copy, marker)
    (work / "pyproject.toml").write_text(pyproject + section, encoding="utf-8")
    return work


def run_mutmut(work: Path, max_children: int, *, log_to_file: bool) -> dict[str, Any]:
    """Run the engine in the work folder; its summary, or MutationError with the log's tail."""
    code = (
        "import runpy, sys; "
        f"sys.argv = ['mutmut', '--max-children', '{max_children}']; "
        f"runpy.run_path({str(ENGINE)!r}, run_name='__main__')"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)  # the tests must import the mutated copy, never the repository
    log_path = work / "mutmut.log"
    with log_path.open("w", encoding="utf-8") as log:
        output = log if log_to_file else None
        completed = subprocess.run(
            [sys.executable, "-c", code], cwd=work, env=env, stdout=output, stderr=output
        )
    summary_path = work / "summary.json"
    if completed.returncode != 0 or not summary_path.exists():
        tail = ""
        if log_to_file:
            text = log_path.read_text(encoding="utf-8", errors="replace")
            lines = text.replace("\r", "\n").splitlines()
            # mutmut's spinner and progress lines say nothing about why it stopped.
            tail = "\n".join([line for line in lines if not _PROGRESS.match(line)][-30:])
        raise MutationError(
            f"mutmut failed in {work} (exit {completed.returncode}); log: {log_path}\n{tail}"
        )
    return json.loads(summary_path.read_text(encoding="utf-8"))


def day_result(day: str, summary: dict[str, Any], backends: str, today: str) -> DayResult:
    """What a run found, in the form the results file keeps (diffs left out)."""
    statuses: dict[str, int] = {}
    survivors = []
    for mutant in summary["mutants"]:
        statuses[mutant["status"]] = statuses.get(mutant["status"], 0) + 1
        if mutant["status"] not in KILLED:
            survivors.append(
                {key: mutant[key] for key in ("id", "status", "file", "line") if key in mutant}
            )
    survivors.sort(key=lambda mutant: (mutant["file"], mutant.get("line", 0), mutant["id"]))
    return DayResult(day, statuses, survivors, today, version("mutmut"), backends)


def explained_mutants(readme: Path) -> set[str]:
    """Mutant ids the README names under a "Mutants that survive" heading (any level)."""
    if not readme.is_file():
        return set()
    named: set[str] = set()
    level = 0
    for line in readme.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^(#{1,6})\s", line)
        if heading and level and len(heading.group(1)) <= level:
            level = 0
        survivors = SURVIVORS_HEADING.match(line)
        if survivors:
            level = len(survivors.group(1))
            continue
        if level:
            named.update(MUTANT_ID.findall(line))
    return named


def load_results(root: Path) -> dict[str, DayResult]:
    path = root / RESULTS_PATH
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {day: DayResult.from_json(day, entry) for day, entry in data.items()}


def save_results(root: Path, results: dict[str, DayResult]) -> None:
    path = root / RESULTS_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {day: results[day].to_json() for day in sorted(results)}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "–"


def render_table(root: Path, results: dict[str, DayResult]) -> str:
    """docs/mutation.md: one row a day, then the survivors that are neither killed nor explained."""
    lines = [
        "# Mutation testing",
        "",
        "<!-- Written by `make mutation` and `make mutate-dayNN` (portfolio/mutation.py) from",
        f"{RESULTS_PATH} and the day READMEs. -->",
        "",
        "mutmut changes the exercise code of a day one small step at a time (a `<` for a `<=`,",
        "a string for another) and runs the day's tests against each change. *Killed*: a test",
        "failed (or the tests timed out). *Survived*: every test passed. *Equivalent*: a survivor",
        'the day\'s README names under "Mutants that survive", as it behaves like the',
        "original.",
        "",
        "- Mutated: every `.py` of the day folder but `test_*.py` and `conftest.py`; `__main__.py`",
        f"  only on days {', '.join(f'{n:02d}' for n in sorted(CLI_DAYS))}, where the command-line"
        " program is the exercise (later it is the demo).",
        f'- Tests on SQLite only (`-m "{SQLITE_ONLY}"`) unless the row says otherwise; the',
        "  database tests run on MySQL and PostgreSQL too in `make test`.",
        f"- The aim: at least {TARGET_SCORE} % killed on every day.",
        "- `make mutate-day05` prints each survivor with its diff; to see one again, until the",
        "  day's next run: `cd .mutation/day05 && ../../.venv/bin/mutmut show <id>`.",
        "",
        "| Day | Mutants | Killed | Survived | Equivalent | Killed % | Killed or equivalent % "
        "| Run on | mutmut |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    unexplained: dict[str, list[dict[str, Any]]] = {}
    for day in sorted(results):
        result = results[day]
        named = explained_mutants(root / day / "README.md")
        equivalent = [m for m in result.survivors if m["id"] in named]
        unexplained[day] = [m for m in result.survivors if m["id"] not in named]
        survived = len(result.survivors)
        date = result.date if result.backends == "sqlite" else f"{result.date} (all databases)"
        lines.append(
            f"| [{day[3:]}]({'../' + day}/) | {result.total} | {result.killed} | {survived} "
            f"| {len(equivalent)} | {_percent(result.killed, result.total)} "
            f"| {_percent(result.killed + len(equivalent), result.total)} | {date} "
            f"| {result.mutmut} |"
        )
    for day, mutants in unexplained.items():
        if not mutants:
            continue
        lines += ["", f"## {day}: survivors neither killed nor explained", ""]
        lines += [
            f"- `{m['id']}` ({m['file']}:{m.get('line', '?')}, {m['status']})" for m in mutants
        ]
    return "\n".join(lines) + "\n"


@contextmanager
def day_lock(root: Path, day: str) -> Iterator[None]:
    """Refuse a second run of the same day while one is going: it would delete its folder."""
    lock_path = root / WORK_FOLDER / f"{day}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise MutationError(f"{day} is being mutation-tested already ({holder})") from None
        lock.truncate(0)
        lock.write(f"pid {os.getpid()}")
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def results_lock(root: Path) -> Iterator[None]:
    """One writer of the results file at a time, when several days finish together."""
    lock_path = root / WORK_FOLDER / "results.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def record(root: Path, new: Sequence[DayResult]) -> None:
    """Merge these days into the results file and rebuild the table."""
    with results_lock(root):
        results = load_results(root)
        results.update({result.day: result for result in new})
        save_results(root, results)
        write_table(root, results)


def write_table(root: Path, results: dict[str, DayResult]) -> None:
    (root / TABLE_PATH).write_text(render_table(root, results), encoding="utf-8")


def report(result: DayResult, summary: dict[str, Any], named: set[str]) -> str:
    """The lines printed after a day's run: the counts, then each survivor with its diff."""
    statuses = result.statuses
    lines = [
        f"{result.day}: {result.total} mutants, {statuses.get('killed', 0)} killed, "
        f"{statuses.get('timeout', 0)} timed out, {len(result.survivors)} survived "
        f"({len([m for m in result.survivors if m['id'] in named])} named as equivalent "
        f"in {result.day}/README.md); {_percent(result.killed, result.total)} % killed",
    ]
    for mutant in summary["mutants"]:
        if mutant["status"] in KILLED:
            continue
        note = "equivalent, named in the README" if mutant["id"] in named else mutant["status"]
        lines += ["", f"{mutant['file']}:{mutant.get('line', '?')}  {mutant['id']}  ({note})"]
        lines.append(mutant.get("diff", "").rstrip())
    return "\n".join(lines)


def run_day(
    root: Path, day: str, *, marker: str | None = SQLITE_ONLY, max_children: int = 2
) -> tuple[DayResult, dict[str, Any]]:
    """Mutation-test one day in its own work folder; the result and mutmut's summary."""
    if not DAY_NAME.match(day) or not (root / day).is_dir():
        raise MutationError(f"no such day folder: {day}")
    with day_lock(root, day):
        work = prepare_work_folder(root, day, marker)
        print(f"{day}: mutating {', '.join(mutated_files(root / day))} (work folder {work})")
        log_to_file = not sys.stdout.isatty()
        if log_to_file:
            print(f"{day}: mutmut's progress goes to {work / 'mutmut.log'}")
        sys.stdout.flush()
        summary = run_mutmut(work, max_children, log_to_file=log_to_file)
    today = datetime.now(UTC).date().isoformat()
    backends = "sqlite" if marker == SQLITE_ONLY else "all"
    return day_result(day, summary, backends, today), summary


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m portfolio.mutation",
        description="Mutation-test days with mutmut, then update docs/mutation.md.",
    )
    parser.add_argument("days", nargs="*", metavar="dayNN", help="the days to run, e.g. day05")
    parser.add_argument("--all", action="store_true", help="run every day folder")
    parser.add_argument(
        "--table", action="store_true", help="only rebuild docs/mutation.md from the results"
    )
    parser.add_argument(
        "--all-backends",
        action="store_true",
        help="run the database tests on MySQL and PostgreSQL too",
    )
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutants (default 2)")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not (args.days or args.all or args.table):
        parser.error("name the days to run (day05 ...), or --all, or --table")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    root: Path = args.root
    if args.table and not (args.days or args.all):
        with results_lock(root):
            write_table(root, load_results(root))
        print(f"wrote {TABLE_PATH}")
        return 0
    days = args.days
    if args.all:
        days = sorted(p.name for p in root.glob("day[0-9][0-9]") if p.is_dir())
    marker = None if args.all_backends else SQLITE_ONLY
    failed = []
    for day in days:
        try:
            result, summary = run_day(root, day, marker=marker, max_children=args.max_children)
        except MutationError as error:
            print(f"{day}: {error}", file=sys.stderr)
            failed.append(day)
            continue
        record(root, [result])
        print(report(result, summary, explained_mutants(root / day / "README.md")))
        print(f"{day}: recorded in {RESULTS_PATH} and {TABLE_PATH}")
    if failed:
        print(f"mutation testing failed for {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
