"""The pytest plugin behind ``make check-dayNN``: the practice tasks each test reached, its outcome.

``portfolio.practice`` loads it into the pytest run over a learner's copy of a day with two
variables: ``PRACTICE_TASKS`` names a JSON file of the copy's task regions (file, first and last
line, a task id such as ``day05:2``) and ``PRACTICE_REPORT`` the JSON file this plugin writes at
the end. A trace function records the region lines each test executes, in every thread (a
test's server threads too), and the report says per test: its outcome, the tasks it reached,
the task whose stub it raised ``NotImplementedError`` from, and its error in one line.

A stub's error does not always reach the test: an app's error handler may turn it into a 500, a
caller may catch it. So the trace also notes the first stub that raised during a test, caught or
not, and a failed test whose own error does not lead back to a stub is put down to that one.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import traceback
from collections.abc import Generator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import pytest

TASKS_ENV = "PRACTICE_TASKS"
REPORT_ENV = "PRACTICE_REPORT"
#: Set (to 1) by ``prove``: once each task of a day has failed a test, skip that day's other tests.
PROVE_ENV = "PRACTICE_PROVE"
ERROR_LENGTH = 300
DEMO_TESTS = "test_main.py"

Region = tuple[int, int, str]  # first line, last line (1-based, inclusive), task id


class Recorder:
    """Collects, for the running test, the task regions its code went through."""

    def __init__(self, regions: dict[str, list[Region]]) -> None:
        self.regions = regions
        self._files: dict[str, list[Region] | None] = {}
        self.reached: set[str] = set()
        self.first_stub: str | None = None  # the first task whose stub raised in this test

    def regions_of(self, filename: str) -> list[Region] | None:
        if filename not in self._files:
            self._files[filename] = self.regions.get(os.path.realpath(filename))
        return self._files[filename]

    def trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        regions = self.regions_of(frame.f_code.co_filename)
        if regions is None:
            return None

        def lines(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "line":
                for first, last, task in regions:
                    if first <= frame.f_lineno <= last:
                        self.reached.add(task)
            elif (
                event == "exception"
                and self.first_stub is None
                and issubclass(arg[0], NotImplementedError)
            ):
                self.first_stub = next(
                    (task for first, last, task in regions if first <= frame.f_lineno <= last),
                    None,
                )
            return lines

        return lines(frame, event, arg)

    def raised_by(self, error: BaseException | None) -> str | None:
        """The task whose stub raised this error (or an error it was raised from), if any."""
        seen: set[int] = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            if isinstance(error, NotImplementedError):
                task = self.task_at(error.__traceback__)
                if task is not None:
                    return task
            error = error.__cause__ or error.__context__
        return None

    def task_at(self, tb: TracebackType | None) -> str | None:
        frames = list(traceback.walk_tb(tb))
        for frame, lineno in reversed(frames):
            for first, last, task in self.regions_of(frame.f_code.co_filename) or ():
                if first <= lineno <= last:
                    return task
        return None


class Report:
    """What the run did, test by test, written as JSON when the session ends."""

    def __init__(self, recorder: Recorder, path: Path, prove: bool = False) -> None:
        self.recorder = recorder
        self.path = path
        self.tests: dict[str, dict[str, Any]] = {}
        self.collect_errors: list[dict[str, str]] = []
        self.prove = prove
        self.unproven: dict[str, set[str]] = {}
        for regions in recorder.regions.values():
            for _, _, task in regions:
                self.unproven.setdefault(task.partition(":")[0], set()).add(task)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """In a proof, every day's demo tests (test_main.py) go last, in their own order.

        They run a whole demo, often in a subprocess whose error no trace sees: the slowest way
        to watch a stub fail, and by the time they come, most days' stubs have all failed
        elsewhere and they are skipped.
        """
        if self.prove:
            items.sort(key=lambda item: item.path.name == DEMO_TESTS)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        day = item.nodeid.partition("/")[0]
        if self.prove and day in self.unproven and not self.unproven[day]:
            pytest.skip(f"every stub of {day} has failed a test already")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, None, None]:
        self.recorder.reached = set()
        self.recorder.first_stub = None
        # A test can take the trace away (hypothesis traces its own runs, then sets None).
        if sys.gettrace() != self.recorder.trace:
            sys.settrace(self.recorder.trace)
        self.tests[item.nodeid] = {
            "nodeid": item.nodeid,
            "outcome": "passed",
            "reached": [],
            "raised": None,
            "error": None,
        }
        yield
        self.tests[item.nodeid]["reached"] = sorted(self.recorder.reached)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        test = self.tests.get(item.nodeid)
        if test is None:
            return
        if report.failed and test["outcome"] != "failed":
            test["outcome"] = "failed"
            if call.excinfo is not None:
                raised = self.recorder.raised_by(call.excinfo.value) or self.recorder.first_stub
                test["raised"] = raised
                test["error"] = first_line(call.excinfo.exconly())
                if raised is not None:
                    self.unproven.get(raised.partition(":")[0], set()).discard(raised)
        elif report.skipped and report.when in ("setup", "call") and test["outcome"] == "passed":
            test["outcome"] = "skipped"

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(
                {"nodeid": report.nodeid, "error": one_line(str(report.longreprtext))}
            )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]
        self.path.write_text(
            json.dumps(
                {
                    "exitstatus": int(exitstatus),
                    "tests": list(self.tests.values()),
                    "collect_errors": self.collect_errors,
                },
                indent=1,
            ),
            encoding="utf-8",
        )


def first_line(text: str) -> str:
    """The first line of an exception (its type and message), shortened."""
    line = text.strip().partition("\n")[0]
    return line if len(line) <= ERROR_LENGTH else line[: ERROR_LENGTH - 1] + "…"


def one_line(text: str) -> str:
    """The last meaningful line of an error (where pytest puts the exception), shortened."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    line = lines[-1] if lines else ""
    return line if len(line) <= ERROR_LENGTH else line[: ERROR_LENGTH - 1] + "…"


def pytest_configure(config: pytest.Config) -> None:
    tasks, report = os.environ.get(TASKS_ENV), os.environ.get(REPORT_ENV)
    if not tasks or not report:
        raise pytest.UsageError(f"{__name__} needs {TASKS_ENV} and {REPORT_ENV}")
    regions: dict[str, list[Region]] = {}
    for task in json.loads(Path(tasks).read_text(encoding="utf-8")):
        key = os.path.realpath(task["path"])
        regions.setdefault(key, []).append((task["first"], task["last"], task["id"]))
    recorder = Recorder(regions)
    prove = os.environ.get(PROVE_ENV) == "1"
    config.pluginmanager.register(Report(recorder, Path(report), prove), "practice-report")
    sys.settrace(recorder.trace)
    threading.settrace(recorder.trace)  # type: ignore[arg-type]
