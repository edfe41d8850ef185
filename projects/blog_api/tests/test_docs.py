"""The OpenAPI document and the interactive docs tell the truth about the running API.

Which routes need a token is found by asking the app, not by a list kept here: every rule in
``app.url_map`` is called with a token that cannot be valid and with none at all, and what it
answers decides what its operation must document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from projects.blog_api import create_app
from projects.blog_api.security import TOKEN_SECURITY, auth_optional, auth_required
from projects.blog_api.tests.support import settings_for

BAD_TOKEN = {"Authorization": "Token not-a-jwt"}
#: ``<converter:name>`` in a rule; an ``int`` gets a number, every other converter a word.
PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture(scope="module")
def docs_app() -> Iterator[Flask]:
    """One API on in-memory SQLite: the document is the same on every backend."""
    application = create_app(settings_for("sqlite://"))
    yield application
    application.extensions["blog"].db.engine.dispose()


@pytest.fixture(scope="module")
def document(docs_app: Flask) -> dict[str, Any]:
    response = docs_app.test_client().get("/api/openapi.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json  # type: ignore[no-any-return]


def api_operations(app: Flask) -> Iterator[tuple[str, str, str]]:
    """``(method, concrete URL, OpenAPI path)`` for every operation the app routes under /api."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint.startswith("api-docs."):
            continue
        url = PLACEHOLDER.sub(lambda m: "1" if m[1] == "int" else "sample", rule.rule)
        openapi_path = PLACEHOLDER.sub(lambda m: f"{{{m[2]}}}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, url, openapi_path


def answer(client: FlaskClient, method: str, url: str, headers: dict[str, str]) -> int:
    return client.open(url, method=method, headers=headers, json={}).status_code


def test_every_route_that_checks_tokens_documents_its_security_and_401(
    docs_app: Flask, document: dict[str, Any]
) -> None:
    client = docs_app.test_client()
    checked: dict[str, list[str]] = {"required": [], "optional": [], "none": []}
    problems: list[str] = []
    for method, url, openapi_path in api_operations(docs_app):
        operation = document["paths"][openapi_path][method.lower()]
        name = f"{method} {openapi_path}"
        refuses_bad_token = answer(client, method, url, BAD_TOKEN) == 401
        refuses_anonymous = answer(client, method, url, {}) == 401
        if refuses_anonymous:
            kind, expected_security = "required", TOKEN_SECURITY
        elif refuses_bad_token:
            kind, expected_security = "optional", [{"Token": []}, {}]
        else:
            kind, expected_security = "none", None
        checked[kind].append(name)
        if operation.get("security") != expected_security:
            problems.append(
                f"{name} ({kind}): security {operation.get('security')}, "
                f"expected {expected_security}"
            )
        if kind != "none" and "401" not in operation["responses"]:
            problems.append(f"{name} ({kind}): no 401 in {sorted(operation['responses'])}")
    assert not problems, "\n".join(problems)
    # The walk found the API's real shape (12 token routes, 4 optional ones), not an empty map.
    assert len(checked["required"]) == 12, checked
    assert len(checked["optional"]) == 4, checked
    assert {"POST /api/users", "POST /api/users/login", "GET /api/tags"} <= set(checked["none"])


def test_the_401_is_documented_in_the_realworld_error_shape(document: dict[str, Any]) -> None:
    unauthorized = document["paths"]["/api/articles/feed"]["get"]["responses"]["401"]
    schema = unauthorized["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, unauthorized


def test_the_token_scheme_is_declared_once(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["Token"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": scheme["description"],
    }
    assert "security" not in document, "no global requirement: each operation says its own"


def test_the_auth_decorators_refuse_to_be_used_without_their_blueprint() -> None:
    def view() -> str:
        return "never routed"

    for decorator in (auth_required, auth_optional):
        with pytest.raises(TypeError, match="blueprint"):
            decorator(view)  # type: ignore[arg-type]
