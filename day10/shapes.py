"""The RealWorld API's response bodies as JSON Schema, and a check of a body against one.

A contract test in small: the client's side of the agreement, written down once, checked on
every response. The shapes follow the RealWorld backend spec (``bio`` and ``image`` may be
null, as its README allows; list items carry no ``body``). They are checked with jsonschema-rs,
a maintained JSON Schema validator, so the only code written here is the shapes themselves.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
TIMESTAMP = {"type": "string", "format": "date-time"}
TAGS = {"type": "array", "items": STRING}


def _object(**properties: Any) -> dict[str, Any]:
    """An object that must have every one of ``properties``, each of its shape."""
    return {"type": "object", "required": sorted(properties), "properties": properties}


USER = _object(
    email=STRING, token=STRING, username=STRING, bio=NULLABLE_STRING, image=NULLABLE_STRING
)
PROFILE = _object(
    username=STRING, bio=NULLABLE_STRING, image=NULLABLE_STRING, following={"type": "boolean"}
)
_ARTICLE_FIELDS: dict[str, Any] = {
    "slug": STRING,
    "title": STRING,
    "description": STRING,
    "tagList": TAGS,
    "createdAt": TIMESTAMP,
    "updatedAt": TIMESTAMP,
    "favorited": {"type": "boolean"},
    "favoritesCount": {"type": "integer", "minimum": 0},
    "author": PROFILE,
}
ARTICLE = _object(**_ARTICLE_FIELDS, body=STRING)
ARTICLE_IN_LIST = _object(**_ARTICLE_FIELDS)
COMMENT = _object(
    id={"type": "integer"}, createdAt=TIMESTAMP, updatedAt=TIMESTAMP, body=STRING, author=PROFILE
)
ERRORS = _object(
    errors={"type": "object", "minProperties": 1, "additionalProperties": {"type": "array"}}
)

#: Every response body the scenario meets, by name.
SHAPES: dict[str, dict[str, Any]] = {
    "user": _object(user=USER),
    "profile": _object(profile=PROFILE),
    "article": _object(article=ARTICLE),
    "articles": _object(
        articles={"type": "array", "items": ARTICLE_IN_LIST},
        articlesCount={"type": "integer", "minimum": 0},
    ),
    "comment": _object(comment=COMMENT),
    "comments": _object(comments={"type": "array", "items": COMMENT}),
    "tags": _object(tags=TAGS),
    "errors": ERRORS,
}


@cache
def _validator(shape: str) -> Any:
    # validate_formats: "format" is only a note in JSON Schema unless the validator is told.
    return jsonschema_rs.validator_for(SHAPES[shape], validate_formats=True)


def violations(shape: str, body: Any) -> list[str]:
    """Where ``body`` breaks the shape named ``shape``, one line each (``[]`` when it fits).

    Each line names the place (``article.author.following``, or ``body`` for the whole
    document) and what is wrong. Raises KeyError for a shape that is not in :data:`SHAPES`.
    """
    # practice 3: list every place where a body breaks its shape, one line each, sorted
    # hint: the validator can give every error, not only the first; an error's instance_path is
    # hint: the keys and indexes down to the bad value, and empty for the whole body.
    found = []
    for error in _validator(shape).iter_errors(body):
        place = ".".join(str(part) for part in error.instance_path) or "body"
        found.append(f"{place}: {error.message}")
    return sorted(found)
    # end practice 3
