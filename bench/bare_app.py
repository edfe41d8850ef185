"""The baseline: a bare Flask JSON endpoint, served by gunicorn exactly like the API under test."""

from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/api/ping")
    def ping() -> dict[str, object]:
        return {"status": "ok", "articles": [], "articlesCount": 0}

    return app
