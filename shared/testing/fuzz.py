"""What schemathesis finds in a served API, as lines a failing assertion can show.

The engine rather than ``schemathesis.pytest.from_fixture``: on the locked pytest 9 the lazy
loader fails reading ``Function._nodeid``, and a schema from a server that a fixture starts can
only be loaded lazily. (schemathesis is a dev dependency: import this module from tests only.)
"""

from __future__ import annotations

import schemathesis
from schemathesis.engine import Status, events
from schemathesis.specs.openapi.schemas import OpenApiSchema


def findings(schema: OpenApiSchema) -> list[str]:
    """Run every phase ``st run`` runs (examples, coverage, fuzzing, stateful) and describe
    each failed check and each error, with the requests that reproduce it, once each."""
    found: list[str] = []
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            found.append(f"{event.label}: error {event.info.title}: {event.info.message}")
        if isinstance(event, events.ScenarioFinished) and event.status == Status.FAILURE:
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    steps = "\n    ".join(step.curl for step in check.failure_info.steps)
                    found.append(
                        f"{event.label} [{event.phase.value}] {failure.code} {failure.title}: "
                        f"{failure.message}\n    {steps or check.failure_info.code_sample}"
                    )
    return list(dict.fromkeys(found))
