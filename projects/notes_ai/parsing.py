"""How request bodies become view arguments: ``shared.problems`` with the Notes API's wording."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Request, current_app
from werkzeug.exceptions import RequestEntityTooLarge

from shared import problems
from shared.errors import ApiError
from shared.problems import ProblemParser, body_errors


def body_too_large() -> ApiError:
    """The 413 problem of a request body over ``NOTES_MAX_BODY_BYTES``, saying the limit."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return ApiError(
        f"the request body is larger than {limit} bytes (NOTES_MAX_BODY_BYTES); send less, "
        "or split an import into several uploads",
        status=413,
        title=RequestEntityTooLarge().name,
    )


class NotesParser(ProblemParser):
    """The shared parser, with a 413 that names the setting instead of Werkzeug's wording."""

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        try:
            return super().load_json(req, schema)
        except RequestEntityTooLarge:
            raise body_too_large() from None


class Blueprint(problems.Blueprint):
    """The Notes API's blueprints: problem-detail parsing, with a note as the example body."""

    ARGUMENTS_PARSER = NotesParser(example='{"title": "Sourdough", "body": "Feed it daily."}')
    BODY_ERRORS = body_errors("NOTES_MAX_BODY_BYTES")

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        parse = super().arguments(schema, location=location, **kwargs)
        if location == "json":
            return parse
        # A bad query string is a problem+json 422 too, not flask-smorest's plain JSON one.
        invalid = self.problem_response(422, f"A {location} parameter is missing or invalid")

        def decorator(view: Any) -> Any:
            return invalid(parse(view))

        return decorator
