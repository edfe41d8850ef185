"""shared.errors: one JSON error path for every Flask app."""

import pytest
from flask import Flask, jsonify

from shared.db import create_engine
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


@pytest.fixture
def locked_database(tmp_path):
    """An SQLite file whose write lock another connection holds; a writer gives up at once."""
    url = f"sqlite:///{tmp_path / 'locked.db'}?timeout=0"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    holder = engine.connect()
    holder.execution_options(sqlite_begin="IMMEDIATE").begin()
    yield engine
    holder.close()
    engine.dispose()


def database_app(engine, renderer=None) -> Flask:
    app = make_app(renderer)

    @app.post("/write")
    def write():
        with engine.connect() as connection:
            connection.execution_options(sqlite_begin="IMMEDIATE").begin()
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        return {"written": True}

    @app.get("/broken-query")
    def broken_query():
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT * FROM no_such_table")
        return {}

    return app


def test_a_busy_database_is_a_503_with_retry_after(locked_database, caplog):
    response = database_app(locked_database).test_client().post("/write")
    assert (response.status_code, response.mimetype) == (503, PROBLEM_JSON), response.json
    assert response.headers["Retry-After"] == "1"
    assert response.json["title"] == "Service Unavailable"
    assert "Retry-After" in response.json["detail"]
    assert any("database busy" in record.message for record in caplog.records), "it is logged"


def test_a_busy_database_comes_out_in_an_apps_own_shape(locked_database):
    def realworld(error: ApiError):
        response = jsonify({"errors": {"body": [error.detail or error.title]}})
        response.status_code = error.status
        return response

    response = database_app(locked_database, realworld).test_client().post("/write")
    assert (response.status_code, response.headers["Retry-After"]) == (503, "1")
    assert list(response.json) == ["errors"] and "busy" in response.json["errors"]["body"][0]


def test_other_database_errors_stay_a_bare_500(locked_database):
    response = database_app(locked_database).test_client().get("/broken-query")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert "no_such_table" not in response.get_data(as_text=True)
