"""The OpenAPI document lists every route, and Swagger UI is served from the locked wheel."""

from __future__ import annotations

from typing import Any

from flask import Flask


def test_openapi_lists_every_route_and_method(make_app: Any) -> None:
    app: Flask = make_app()
    document = app.test_client().get("/openapi.json").get_json()
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    assert operations >= {
        ("/todos", "get"), ("/todos", "post"), ("/todos", "delete"),
        ("/todos/{todo_id}", "get"), ("/todos/{todo_id}", "patch"),
        ("/todos/{todo_id}", "delete"), ("/healthz", "get"), ("/readyz", "get"),
    }  # fmt: skip
    served = {
        rule.rule.replace("<int:todo_id>", "{todo_id}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("todos.", "health."))
    }
    assert served == set(document["paths"])


def test_openapi_documents_the_todo_and_its_problems(make_app: Any) -> None:
    document = make_app().test_client().get("/openapi.json").get_json()
    post = document["paths"]["/todos"]["post"]
    assert set(post["responses"]) >= {"201", "400", "413", "415", "422"}
    todo = document["components"]["schemas"]["TodoResponse"]
    assert list(todo["properties"]) == ["id", "title", "completed", "order", "url"]
    assert "ProblemResponse" in document["components"]["schemas"]


def test_swagger_ui_and_its_assets_are_served_by_the_app(make_app: Any) -> None:
    client = make_app().test_client()
    page = client.get("/docs")
    assert page.status_code == 200
    assert "swagger-ui/swagger-ui-bundle.js" in page.get_data(as_text=True)
    assert client.get("/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/swagger-ui/swagger-ui.css").status_code == 200
