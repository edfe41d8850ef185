"""The OpenAPI document and the interactive docs tell the truth about the running API.

Which routes need a token is found by asking the app: every rule in ``app.url_map`` is called
without a token, and what it answers decides what its operation must document. Last, headless
Chromium (Debian's; skipped when missing) opens ``/api/docs`` on a gunicorn-served API and runs
"Try it out".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib.resources import files
from typing import Any
from urllib.parse import urljoin

import pytest
from flask import Flask
from flask.testing import FlaskClient
from selenium.webdriver.remote.webdriver import WebDriver

from projects.notes_ai import create_app
from projects.notes_ai.auth import BEARER_SECURITY
from projects.notes_ai.tests.conftest import settings_for
from shared.serve import Served, served
from shared.testing.browser import (
    chromium_or_skip,
    documented_paths,
    headless_chromium,
    try_it_out,
)

#: ``<converter:name>`` in a rule; an ``int`` gets a number, every other converter a word.
PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture(scope="module")
def docs_app() -> Iterator[Flask]:
    """One API on in-memory SQLite: the document is the same on every backend."""
    application = create_app(settings_for("sqlite://"))
    yield application
    application.extensions["notes"].db.engine.dispose()


@pytest.fixture(scope="module")
def document(docs_app: Flask) -> dict[str, Any]:
    response = docs_app.test_client().get("/api/openapi.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json  # type: ignore[no-any-return]


def api_operations(app: Flask) -> Iterator[tuple[str, str, str]]:
    """``(method, concrete URL, OpenAPI path)`` for every operation the app routes under /api."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint.startswith(("api-docs.", "api_home")):
            continue
        url = PLACEHOLDER.sub(lambda m: "1" if m[1] == "int" else "sample", rule.rule)
        openapi_path = PLACEHOLDER.sub(lambda m: f"{{{m[2]}}}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, url, openapi_path


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node``, or what its ``$ref`` points to."""
    while "$ref" in node:
        for part in node["$ref"][2:].split("/"):
            document = document[part]
        node = document
    return node


def test_the_document_is_openapi_3_with_every_reference_resolved(
    document: dict[str, Any],
) -> None:
    assert document["openapi"].startswith("3.0.")
    assert document["info"]["title"] == "AI Notes API" and document["info"]["version"]
    missing = set()
    for ref in refs(document):
        assert ref.startswith("#/"), ref
        node: Any = document
        for part in ref[2:].split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            missing.add(ref)
    assert not missing, missing


def test_every_operation_has_a_summary_and_described_responses(
    document: dict[str, Any],
) -> None:
    problems = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            name = f"{method.upper()} {path}"
            if not operation.get("summary"):
                problems.append(f"{name}: no summary")
            for status, response in operation["responses"].items():
                response = resolve(document, response)
                if not re.fullmatch(r"[1-5]\d\d|default", status):
                    problems.append(f"{name}: status {status!r}")
                if not response.get("description"):
                    problems.append(f"{name} {status}: no description")
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and not parameter.get("required"):
                    problems.append(f"{name}: path parameter {parameter['name']} not required")
    assert not problems, "\n".join(problems)


def test_every_route_is_documented(docs_app: Flask, document: dict[str, Any]) -> None:
    routed = {(method.lower(), path) for method, _, path in api_operations(docs_app)}
    documented = {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }
    assert routed == documented
    assert {("post", "/api/auth/register"), ("get", "/api/search")} <= routed


def test_every_route_that_needs_a_token_documents_its_security_and_401(
    docs_app: Flask, document: dict[str, Any]
) -> None:
    client = docs_app.test_client()
    protected, public, problems = [], [], []
    for method, url, openapi_path in api_operations(docs_app):
        operation = document["paths"][openapi_path][method.lower()]
        name = f"{method} {openapi_path}"
        needs_token = client.open(url, method=method, json={}).status_code == 401
        (protected if needs_token else public).append(name)
        expected = BEARER_SECURITY if needs_token else None
        if operation.get("security") != expected:
            problems.append(f"{name}: security {operation.get('security')}, expected {expected}")
        if needs_token and "401" not in operation["responses"]:
            problems.append(f"{name}: no 401 in {sorted(operation['responses'])}")
    assert not problems, "\n".join(problems)
    assert set(public) == {"POST /api/auth/register", "POST /api/auth/login"}, public
    assert {"GET /api/notes", "POST /api/notes/import", "GET /api/search"} <= set(protected)


def test_the_bearer_scheme_is_declared_once_and_no_global_requirement(
    document: dict[str, Any],
) -> None:
    scheme = document["components"]["securitySchemes"]["Bearer"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    assert "security" not in document, "no global requirement: each operation says its own"


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("post", "/api/auth/register", {"201", "409", "422"}),
        ("post", "/api/auth/login", {"200", "401", "422"}),
        ("get", "/api/notes", {"200", "401", "422"}),
        ("post", "/api/notes", {"201", "400", "401", "413", "415", "422", "503"}),
        ("get", "/api/notes/{note_id}", {"200", "401", "404"}),
        ("patch", "/api/notes/{note_id}", {"200", "401", "404", "413", "422", "503"}),
        ("delete", "/api/notes/{note_id}", {"204", "401", "404"}),
        ("post", "/api/notes/import", {"201", "400", "401", "413", "415", "503"}),
        ("get", "/api/search", {"200", "401", "422", "503"}),
    ],
)
def test_each_operation_documents_the_errors_it_can_answer(
    document: dict[str, Any], method: str, path: str, statuses: set[str]
) -> None:
    responses = document["paths"][path][method]["responses"]
    assert statuses <= set(responses), f"{method.upper()} {path}: {sorted(responses)}"


def test_every_error_is_documented_as_problem_details(document: dict[str, Any]) -> None:
    problems = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for status, response in operation["responses"].items():
                if not status.startswith(("4", "5")):
                    continue
                content = resolve(document, response).get("content", {})
                if set(content) != {"application/problem+json"}:
                    problems.append(f"{method.upper()} {path} {status}: {sorted(content)}")
    assert not problems, "\n".join(problems)


def test_the_problem_schema_names_the_field_errors(document: dict[str, Any]) -> None:
    missing = document["paths"]["/api/notes/{note_id}"]["get"]["responses"]["404"]
    schema = missing["content"]["application/problem+json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    properties = document["components"]["schemas"][name]["properties"]
    assert {"type", "title", "status", "detail", "errors"} <= set(properties)


def test_the_import_documents_a_multipart_body_of_files(document: dict[str, Any]) -> None:
    body = document["paths"]["/api/notes/import"]["post"]["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["files"]
    files = schema["properties"]["files"]
    assert (files["items"], files["minItems"]) == ({"type": "string", "format": "binary"}, 1)


class AssetLinks(HTMLParser):
    """The ``src``/``href`` of the scripts and stylesheets a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.links.append(found["src"] or "")
        if tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.links.append(found["href"] or "")


def docs_assets(client: FlaskClient, mount: str = "") -> list[str]:
    page = client.get("/api/docs", base_url=f"http://localhost{mount}")
    assert page.status_code == 200, page.status_code
    parser = AssetLinks()
    parser.feed(page.get_data(as_text=True))
    return [urljoin(f"http://localhost{mount}/api/docs", link) for link in parser.links]


@pytest.mark.parametrize("mount", ["", "/notes"])
def test_the_docs_page_loads_swagger_ui_from_the_app_itself(docs_app: Flask, mount: str) -> None:
    client = docs_app.test_client()
    assets = docs_assets(client, mount)
    expected = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}
    assert {asset.rsplit("/", 1)[-1] for asset in assets} == expected, assets
    for asset in assets:
        assert asset.startswith(f"http://localhost{mount}/api/swagger-ui/"), asset
        response = client.get(
            asset.removeprefix(f"http://localhost{mount}"), base_url=f"http://localhost{mount}"
        )
        assert response.status_code == 200, f"{asset}: {response.status_code}"
        assert len(response.data) > 1000, f"{asset}: {len(response.data)} bytes"
        kind = "text/css" if asset.endswith(".css") else "javascript"
        assert kind in response.content_type, f"{asset}: {response.content_type}"


def test_the_swagger_ui_assets_are_the_locked_package(docs_app: Flask) -> None:
    served = docs_app.test_client().get("/api/swagger-ui/swagger-ui-bundle.js").data
    shipped = files("flask_swagger_ui").joinpath("dist", "swagger-ui-bundle.js").read_bytes()
    assert served == shipped


@pytest.mark.parametrize("mount", ["", "/notes"])
def test_the_document_names_where_it_was_found_as_its_server(docs_app: Flask, mount: str) -> None:
    response = docs_app.test_client().get("/api/openapi.json", base_url=f"http://localhost{mount}")
    assert response.json["servers"] == [{"url": mount or "/", "description": "this server"}]


@pytest.mark.parametrize("path", ["/api", "/api/"])
@pytest.mark.parametrize("mount", ["", "/notes"])
def test_the_api_root_links_the_docs_and_the_document(
    docs_app: Flask, path: str, mount: str
) -> None:
    client = docs_app.test_client()
    response = client.get(path, base_url=f"http://localhost{mount}")
    assert response.status_code == 200, f"{mount}{path}: {response.status_code}"
    index = response.json
    assert index == {
        "name": "AI Notes API",
        "docs": f"{mount}/api/docs",
        "openapi": f"{mount}/api/openapi.json",
    }
    for link in ("docs", "openapi"):
        target = client.get(index[link].removeprefix(mount), base_url=f"http://localhost{mount}")
        assert target.status_code == 200, f"{index[link]}: {target.status_code}"


@pytest.fixture(scope="module")
def served_notes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The API under gunicorn on a throwaway SQLite file, as ``make notes`` serves it."""
    chromium_or_skip()
    env = {
        **os.environ,
        "NOTES_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('browser') / 'notes.db'}",
        "NOTES_LLM": "offline",
        "NOTES_REDIS_URL": "",
        "OPENAI_API_KEY": "",
        "NOTES_OPENAI_API_KEY": "",
    }
    with served(
        "projects.notes_ai:create_app()", env=env, workers=1, ready_path="/api", timeout=60
    ) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """Headless Debian Chromium, driven by Debian's chromedriver (Selenium downloads nothing)."""
    with headless_chromium() as driver:
        yield driver


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_try_it_out_in_a_real_browser_reaches_the_api(
    served_notes: Served, browser: WebDriver
) -> None:
    status, request_url = try_it_out(browser, f"{served_notes.url}/api/docs", "get", "/api/notes")
    assert {"/api/notes", "/api/search", "/api/auth/login"} <= documented_paths(browser)
    # Without a token the API answers its own 401: the request left the page and came back.
    assert status.startswith("401"), f"{request_url}: {status!r}"
    assert request_url.startswith(f"{served_notes.url}/api/notes")
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )
    elsewhere = [url for url in loaded if not url.startswith(f"{served_notes.url}/")]
    assert loaded and not elsewhere, elsewhere
