"""How request bodies become view arguments: ``shared.problems`` with the Notes API's wording."""

from __future__ import annotations

from shared import problems
from shared.problems import ProblemParser, body_errors


class Blueprint(problems.Blueprint):
    """The Notes API's blueprints: problem-detail parsing, with a note as the example body."""

    ARGUMENTS_PARSER = ProblemParser(example='{"title": "Sourdough", "body": "Feed it daily."}')
    BODY_ERRORS = body_errors("NOTES_MAX_BODY_BYTES")
