"""The OpenAPI document lists every route, documents the rate limit's 429 where it applies, and
Swagger UI is served from the locked wheel."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from projects.todo_api.limits import TOO_MANY_REQUESTS


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


HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def operations_of(document: dict[str, Any]) -> list[tuple[str, str]]:
    """``(METHOD, path)`` for every operation in the document (not a path's ``parameters``)."""
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]


@pytest.fixture(params=["without Redis", "with Redis"])
def limited_app(request: pytest.FixtureRequest, make_app: Callable[..., Flask]) -> Flask:
    """An app with a budget of one write a minute; with Redis, every blueprint it brings."""
    if request.param == "without Redis":
        return make_app(WRITE_RATE_LIMIT="1 per minute")
    request.getfixturevalue("redis_client")  # emptied: every address starts with a full budget
    return make_app(WRITE_RATE_LIMIT="1 per minute", REDIS_URL=request.getfixturevalue("redis_url"))


def test_every_rate_limited_operation_and_only_those_document_a_429(limited_app: Flask) -> None:
    # Which operations are limited is asked of the app, not listed here: with a budget of one
    # write, the second call from one address is a 429 exactly where the limiter applies.
    client = limited_app.test_client()
    document = client.get("/openapi.json").get_json()
    limited, wrong = set(), []
    for number, (method, path) in enumerate(operations_of(document), start=1):
        url = re.sub(r"\{\w+\}", "1", path)
        address = {"REMOTE_ADDR": f"192.0.2.{number}"}
        statuses = [
            client.open(url, method=method, json={}, environ_base=address).status_code
            for _ in range(2)
        ]
        refused = statuses[1] == 429
        documented = "429" in document["paths"][path][method.lower()]["responses"]
        if refused:
            limited.add((method, path))
        if refused != documented:
            wrong.append(f"{method} {path}: answered {statuses}, documents 429: {documented}")
    assert not wrong, "\n".join(wrong)
    # The walk found the writes (and no read among them), not an empty document.
    assert limited >= {
        ("POST", "/todos"), ("DELETE", "/todos"),
        ("PATCH", "/todos/{todo_id}"), ("DELETE", "/todos/{todo_id}"),
    }  # fmt: skip
    assert all(method != "GET" for method, _ in limited), limited


def test_the_429_is_a_problem_with_the_headers_a_refusal_really_carries(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(WRITE_RATE_LIMIT="1 per minute")
    client = app.test_client()
    document = client.get("/openapi.json").get_json()
    reference = document["paths"]["/todos"]["post"]["responses"]["429"]
    assert reference == {"$ref": f"#/components/responses/{TOO_MANY_REQUESTS}"}
    response = document["components"]["responses"][TOO_MANY_REQUESTS]
    assert response["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemResponse"}}
    }
    assert "Retry-After" in response["headers"]

    client.post("/todos", json={"title": "one"})
    refused = client.post("/todos", json={"title": "two"})
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    for name, header in response["headers"].items():
        assert header["schema"]["type"] == "integer"
        assert refused.headers[name].isdigit(), (name, refused.headers.get(name))
