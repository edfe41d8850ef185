"""The part of ``portfolio.mutation`` that runs inside a day's work folder, next to mutmut.

mutmut 3 keeps its state in the current directory (``mutants/``) and in module globals, and it
rewrites ``sys.path`` so the tests import the mutated copy. So this file runs in a process of its
own, started in the work folder by ``runpy.run_path`` (which puts nothing of the repository on
``sys.path``), and imports only the standard library and mutmut. It does two things:

1. ``mutmut run``, taught about child processes. A day's command-line tests run
   ``python -m dayNN`` in a child, where mutmut alone would neither see which functions the
   test called (it records calls in the test process) nor switch the mutant on (the module is
   named ``__main__`` there, not ``dayNN.__main__``). ``mutation_hook/sitecustomize.py``, on
   the children's ``PYTHONPATH``, does both: it renames the mutant for ``__main__`` and, while
   mutmut maps tests to functions, writes down the functions the child called and the test
   that started it. A function still without tests is then tested by every test of the day
   rather than written off as "no tests".
2. A summary in ``summary.json``: every mutant's status, and for each one that was not killed
   the file, line and diff, for the caller to print and record.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

SUMMARY_FILE = "summary.json"
HITS_FILE = "child_hits.jsonl"
_HUNK = re.compile(r"^@@ -(\d+)")

CHILD_HOOK = Path(__file__).with_name("mutation_hook")


def _install_child_hook() -> None:
    """Put the hook on the children's PYTHONPATH; they inherit this process's environment."""
    os.environ["PYTHONPATH"] = str(CHILD_HOOK)
    os.environ["MUTATION_CHILD_HITS"] = str(Path(HITS_FILE).resolve())
    os.environ["MUTATION_CHILD_ROOT"] = str(Path.cwd().resolve())


def _child_hits() -> list[tuple[str, list[str]]]:
    path = Path(HITS_FILE)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(hit["test"], hit["functions"]) for hit in map(json.loads, lines)]


def _tests_for_every_function() -> None:
    """Wrap mutmut's stats collection so that no mutated function is left without tests."""
    import mutmut.__main__ as mutmut_main
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.state import state
    from mutmut.stats import save_stats
    from mutmut.utils.file_utils import walk_mutatable_files
    from mutmut.utils.format_utils import mangled_name_from_mutant_name

    collect = mutmut_main.run_stats_collection

    def run_stats_collection(runner: Any, tests: Any = None) -> None:
        collect(runner, tests)
        every_test = set(state().duration_by_test)
        tests_by_function = state().tests_by_mangled_function_name
        for test, functions in _child_hits():
            for function in functions:
                if test in every_test:
                    tests_by_function[function].add(test)
        for path in walk_mutatable_files():
            data = SourceFileMutationData(path=path)
            data.load()
            for key in data.exit_code_by_key:
                function = mangled_name_from_mutant_name(key)
                if not tests_by_function.get(function):
                    tests_by_function[function] = set(every_test)
        save_stats()

    mutmut_main.run_stats_collection = run_stats_collection


def _function_start(source: str, function: str, class_name: str | None) -> int:
    """The first line (decorators included) of a top-level function or a method, or 1."""
    for node in ast.parse(source).body:
        body = [node]
        if class_name is not None:
            if not (isinstance(node, ast.ClassDef) and node.name == class_name):
                continue
            body = node.body
        for item in body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == function:
                return min([item.lineno, *(d.lineno for d in item.decorator_list)])
    return 1


def _first_changed_line(diff: str) -> int:
    """The 1-based line, within the function, of the first line the mutant changes."""
    line = 1
    for text in diff.splitlines():
        if text.startswith(("---", "+++")):
            continue
        hunk = _HUNK.match(text)
        if hunk:
            line = int(hunk.group(1))
        elif text.startswith("-"):
            return line
        elif text.startswith(" "):
            line += 1
        elif text.startswith("+"):
            return line
    return 1


def summarise() -> dict[str, Any]:
    """Every mutant's status; file, line and diff for those not killed."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    mutants = []
    for path in sorted(walk_mutatable_files()):
        data = SourceFileMutationData(path=path)
        data.load()
        source = path.read_text(encoding="utf-8")
        for key, exit_code in data.exit_code_by_key.items():
            status = status_by_exit_code[exit_code]
            mutant: dict[str, Any] = {"id": key, "status": status, "file": path.as_posix()}
            if status not in ("killed", "timeout"):
                diff = get_diff_for_mutant(key, path=path)
                function, class_name = orig_function_and_class_names_from_key(key)
                start = _function_start(source, function, class_name)
                mutant["line"] = start + _first_changed_line(diff) - 1
                mutant["diff"] = diff
            mutants.append(mutant)
    return {"mutants": mutants}


def main(argv: list[str]) -> int:
    from mutmut.__main__ import cli

    _install_child_hook()
    _tests_for_every_function()
    try:
        cli.main(["run", *argv], prog_name="mutmut", standalone_mode=False)
    except SystemExit as stop:
        if stop.code not in (0, None):
            return stop.code if isinstance(stop.code, int) else 1
    sys.stdout = sys.__stdout__
    sys.stderr = sys.__stderr__
    Path(SUMMARY_FILE).write_text(json.dumps(summarise(), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
