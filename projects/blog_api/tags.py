"""Tags: ``/api/tags``."""

from __future__ import annotations

from typing import Any

from projects.blog_api import schemas
from projects.blog_api.extensions import db_session
from projects.blog_api.parsing import Blueprint
from projects.blog_api.queries import popular_tags

blp = Blueprint("tags", __name__, description="Tags")


@blp.route("/tags", methods=["GET"])
@blp.alt_response(200, schema=schemas.TagsResponse, success=True)
def list_tags() -> dict[str, Any]:
    """Every tag in use, the most used first."""
    return {"tags": popular_tags(db_session())}
