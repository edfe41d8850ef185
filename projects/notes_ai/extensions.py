"""What the AI Notes API's views need besides the request, built once per app in ``create_app``.

The embedder, the vector store and the chat model are chosen here from the settings; the
embedder loads its model on first use, so an app that only lists notes never pays for it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from flask import Blueprint, Flask, current_app, json, request, url_for
from flask_smorest import Api
from sqlalchemy.orm import Session

from projects.notes_ai.config import NotesSettings
from shared.auth import Passwords, Tokens
from shared.db import Database
from shared.problems import ProblemResponse

#: Swagger UI's scripts and styles, shipped in the locked flask-swagger-ui wheel.
SWAGGER_UI_DIST = str(files("flask_swagger_ui").joinpath("dist"))
API_TITLE = "AI Notes API"


class NotesApi(Api):
    """flask-smorest's Api, documenting errors as problem details."""

    ERROR_SCHEMA = ProblemResponse
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _openapi_json(self) -> Any:
        """The document, with a ``servers`` entry for wherever this request found the API
        (``/`` alone, or ``/notes`` in the portfolio)."""
        document = self.spec.to_dict()
        document["servers"] = [{"url": request.script_root or "/", "description": "this server"}]
        return current_app.response_class(
            json.dumps(document, indent=2, sort_keys=False), mimetype="application/json"
        )


@dataclass
class NotesState:
    """One app's settings, database and services, kept in ``app.extensions["notes"]``."""

    settings: NotesSettings
    db: Database
    api: NotesApi
    passwords: Passwords
    tokens: Tokens
    migration_heads: frozenset[str]
    #: Built on first use by :func:`projects.notes_ai.retrieval.embedder` (loading a model).
    embedder: Any = None
    store: Any = None
    chat_model: Any = None
    memory: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def bind_extensions(
    app: Flask, settings: NotesSettings, db: Database, migration_heads: frozenset[str]
) -> NotesState:
    """Configure flask-smorest, the docs and the security scheme, and keep the state."""
    api = NotesApi()
    app.config.update(
        API_TITLE=API_TITLE,
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        # Relative to /api/docs, so the page finds its assets however the app is mounted, and
        # served by the app itself, so the docs work without a network.
        OPENAPI_SWAGGER_UI_URL="swagger-ui/",
    )
    api.init_app(app)
    app.register_blueprint(api_home())
    api.spec.components.security_scheme(
        "Bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The token from POST /api/auth/register or /api/auth/login.",
        },
    )
    state = NotesState(
        settings=settings,
        db=db,
        api=api,
        passwords=Passwords(
            settings.password_time_cost,
            settings.password_memory_cost,
            settings.password_parallelism,
        ),
        tokens=Tokens(settings.secret_key, settings.token_ttl),
        migration_heads=migration_heads,
    )
    app.extensions["notes"] = state
    return state


def api_home() -> Blueprint:
    """``/api`` itself: where to read about the API, and Swagger UI's files."""
    home = Blueprint(
        "api_home", __name__, static_folder=SWAGGER_UI_DIST, static_url_path="/api/swagger-ui"
    )

    @home.get("/api", strict_slashes=False)
    def index() -> dict[str, str]:
        return {
            "name": API_TITLE,
            "docs": url_for("api-docs.openapi_swagger_ui"),
            "openapi": url_for("api-docs.openapi_json"),
        }

    return home


def notes_state() -> NotesState:
    """The current app's :class:`NotesState`."""
    return current_app.extensions["notes"]  # type: ignore[no-any-return]


def db_session() -> Session:
    """The current request's database session."""
    return notes_state().db.session()
