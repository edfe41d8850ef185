"""``GET /api/search``: the passages of your notes nearest in meaning to a question.

Retrieval only: no model writes anything, so search works with the LLM off or unreachable.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from projects.notes_ai import retrieval, schemas
from projects.notes_ai.auth import auth_required, current_user
from projects.notes_ai.extensions import db_session, notes_state
from projects.notes_ai.parsing import Blueprint

blp = Blueprint("search", __name__, description="Search your notes by meaning")


@blp.route("/api/search")
class Search(MethodView):
    @auth_required(blp)
    @blp.arguments(schemas.SearchArgs, location="query")
    @blp.response(200, schemas.SearchResponse)
    @blp.problem_response(503, "The embedder is unavailable")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The ``k`` best passages, best first, each with its note and cosine similarity."""
        passages = retrieval.search(
            notes_state(), db_session(), current_user().id, args["q"], args["k"]
        )
        return {
            "results": [
                {
                    "note_id": p.note_id,
                    "title": p.title,
                    "chunk": p.position,
                    "text": p.text,
                    "score": round(p.score, 4),
                }
                for p in passages
            ]
        }
