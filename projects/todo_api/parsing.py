"""How request bodies become view arguments: ``shared.problems`` with the Todo API's wording."""

from __future__ import annotations

from shared import problems
from shared.problems import ProblemParser, body_errors, field_errors

__all__ = ["BODY_ERRORS", "Blueprint", "ProblemParser", "field_errors"]

#: What a view taking a JSON body can answer before it runs, besides the 422 of a bad field.
BODY_ERRORS = body_errors("TODO_MAX_BODY_BYTES")


class Blueprint(problems.Blueprint):
    """The Todo API's blueprints: problem-detail parsing, with a todo as the example body."""

    ARGUMENTS_PARSER = ProblemParser(example='{"title": "buy milk"}')
    BODY_ERRORS = BODY_ERRORS
