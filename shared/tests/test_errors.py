"""shared.errors: one JSON error path for every Flask app."""

import pytest
from flask import Flask, jsonify

from shared.errors import (
    PROBLEM_JSON,
    ApiError,
    Forbidden,
    NotFound,
    Unprocessable,
    register_error_handlers,
)


def make_app(renderer=None) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 10
    if renderer:
        register_error_handlers(app, renderer)
    else:
        register_error_handlers(app)

    @app.get("/missing")
    def missing():
        raise NotFound("No book with id 7; list them at /books.")

    @app.get("/invalid")
    def invalid():
        raise Unprocessable("Check the fields.", errors={"title": ["must not be blank"]})

    @app.get("/forbidden")
    def forbidden():
        raise Forbidden()

    @app.get("/crash")
    def crash():
        raise RuntimeError("database password is hunter2")

    @app.post("/upload")
    def upload():
        from flask import request

        return {"size": len(request.get_data())}

    return app


@pytest.fixture
def client():
    return make_app().test_client()


def test_api_errors_render_as_problem_details(client):
    response = client.get("/missing")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM_JSON
    assert response.json == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No book with id 7; list them at /books.",
    }


def test_field_errors_are_included(client):
    response = client.get("/invalid")
    assert response.status_code == 422
    assert response.json["errors"] == {"title": ["must not be blank"]}


def test_an_error_without_detail_still_has_its_title(client):
    response = client.get("/forbidden")
    assert (response.status_code, response.json["title"]) == (403, "Forbidden")
    assert "detail" not in response.json


def test_unknown_routes_are_json_too(client):
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.mimetype == PROBLEM_JSON


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete("/missing")
    assert response.status_code == 405 and response.mimetype == PROBLEM_JSON
    assert "GET" in response.headers["Allow"]


def test_too_large_bodies_are_413(client):
    response = client.post("/upload", data=b"x" * 100)
    assert response.status_code == 413 and response.json["status"] == 413


def test_unexpected_exceptions_are_a_bare_500_without_internals(client, caplog):
    response = client.get("/crash")
    assert response.status_code == 500
    assert response.json["title"] == "Internal Server Error"
    assert "hunter2" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert any("unhandled error" in record.message for record in caplog.records), "it is logged"


def test_an_app_can_plug_its_own_shape():
    def realworld(error: ApiError):
        response = jsonify({"errors": error.errors or {"body": [error.detail or error.title]}})
        response.status_code = error.status
        return response

    client = make_app(realworld).test_client()
    assert client.get("/invalid").json == {"errors": {"title": ["must not be blank"]}}
    assert client.get("/nowhere").json["errors"]["body"][0].startswith("The requested URL")
