"""Mutation runs only: let mutmut reach into the ``python -m dayNN`` children of a day's tests.

``portfolio/mutmut_engine.py`` puts this folder on ``PYTHONPATH`` for the tests it runs, so every
Python child process of a test imports this module before its own code. Outside a mutation run
(no ``MUTANT_UNDER_TEST``) it does nothing.
"""

import os
import sys

_argv = getattr(sys, "orig_argv", [])
_mutant = os.environ.get("MUTANT_UNDER_TEST", "")
_main = _argv[_argv.index("-m") + 1] + ".__main__" if "-m" in _argv[:-1] else None

if _main and _mutant.startswith(_main + "."):
    # The functions of the module run with -m are named __main__.x_... in this process.
    os.environ["MUTANT_UNDER_TEST"] = "__main__" + _mutant[len(_main) :]

if _mutant == "stats" and os.environ.get("MUTATION_CHILD_HITS"):
    import atexit
    import json

    from mutmut.configuration import config
    from mutmut.utils.file_utils import change_cwd

    with change_cwd(os.environ["MUTATION_CHILD_ROOT"]):
        config()  # mutmut reads its configuration from the work folder, not the test's cwd

    def _save_hits() -> None:
        from mutmut.state import state

        test = os.environ.get("PYTEST_CURRENT_TEST", "").rpartition(" (")[0]
        names = sorted(state()._stats)
        if _main:
            prefix = "__main__."
            names = [_main + "." + n[len(prefix) :] if n.startswith(prefix) else n for n in names]
        if test and names:
            with open(os.environ["MUTATION_CHILD_HITS"], "a", encoding="utf-8") as hits:
                hits.write(json.dumps({"test": test, "functions": names}) + "\n")

    atexit.register(_save_hits)
