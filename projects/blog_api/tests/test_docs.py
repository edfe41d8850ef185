"""The OpenAPI document and the interactive docs tell the truth about the running API.

Which routes need a token is found by asking the app, not by a list kept here: every rule in
``app.url_map`` is called with a token that cannot be valid and with none at all, and what it
answers decides what its operation must document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from importlib.metadata import version
from importlib.resources import files
from typing import Any
from urllib.parse import urljoin

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import Client

from projects.blog_api import create_app
from projects.blog_api.security import TOKEN_SECURITY, auth_optional, auth_required
from projects.blog_api.tests.support import settings_for
from shared.config import ConfigError
from wsgi import create_portfolio, trusted_proxy_hops

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
        if rule.endpoint.endswith(".static"):  # Swagger UI's files
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
    """The absolute URLs of what ``/api/docs`` loads, with the app mounted at ``mount``."""
    page = client.get("/api/docs", base_url=f"http://localhost{mount}")
    assert page.status_code == 200, page.status_code
    parser = AssetLinks()
    parser.feed(page.get_data(as_text=True))
    return [urljoin(f"http://localhost{mount}/api/docs", link) for link in parser.links]


@pytest.mark.parametrize("mount", ["", "/blog"])
def test_the_docs_page_loads_swagger_ui_from_the_app_itself(docs_app: Flask, mount: str) -> None:
    client = docs_app.test_client()
    assets = docs_assets(client, mount)
    expected = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}
    assert {asset.rsplit("/", 1)[-1] for asset in assets} == expected, assets
    for asset in assets:
        assert asset.startswith(f"http://localhost{mount}/api/"), f"{asset} is not served here"
        path = asset.removeprefix(f"http://localhost{mount}")
        response = client.get(path, base_url=f"http://localhost{mount}")
        assert response.status_code == 200, f"{asset}: {response.status_code}"
        assert len(response.data) > 1000, f"{asset}: {len(response.data)} bytes"
        kind = "text/css" if asset.endswith(".css") else "javascript"
        assert kind in response.content_type, f"{asset}: {response.content_type}"


def test_the_swagger_ui_assets_are_the_locked_package(docs_app: Flask) -> None:
    bundle = docs_assets(docs_app.test_client())
    (bundle_url,) = [url for url in bundle if url.endswith("swagger-ui-bundle.js")]
    served = docs_app.test_client().get(bundle_url.removeprefix("http://localhost")).data
    shipped = files("flask_swagger_ui").joinpath("dist", "swagger-ui-bundle.js").read_bytes()
    assert served == shipped
    assert version("flask-swagger-ui") == "5.34.0"


def servers(client: FlaskClient | Client, path: str, **kwargs: Any) -> list[dict[str, str]]:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.status_code
    return json.loads(response.get_data(as_text=True))["servers"]  # type: ignore[no-any-return]


def test_the_document_names_the_root_as_its_server_when_served_alone(docs_app: Flask) -> None:
    assert servers(docs_app.test_client(), "/api/openapi.json") == [
        {"url": "/", "description": "this server"}
    ]


def test_the_document_names_the_mount_prefix_as_its_server(docs_app: Flask) -> None:
    served = servers(docs_app.test_client(), "/api/openapi.json", base_url="http://localhost/blog")
    assert served == [{"url": "/blog", "description": "this server"}]
    # Computed per request: the next one, from the root, is not told about /blog.
    assert servers(docs_app.test_client(), "/api/openapi.json")[0]["url"] == "/"


def test_the_portfolio_serves_the_blog_document_with_its_blog_prefix(docs_app: Flask) -> None:
    client = Client(create_portfolio({"/blog": docs_app}, proxy_hops=0))
    assert servers(client, "/blog/api/openapi.json")[0]["url"] == "/blog"


def test_a_trusted_proxy_prefix_goes_in_front_of_the_mount(docs_app: Flask) -> None:
    client = Client(create_portfolio({"/blog": docs_app}, proxy_hops=1))
    prefixed = servers(
        client, "/blog/api/openapi.json", headers={"X-Forwarded-Prefix": "/backend45"}
    )
    assert prefixed[0]["url"] == "/backend45/blog"
    # The docs page finds the document (and so Swagger UI its servers) under the same prefix.
    page = client.get("/blog/api/docs", headers={"X-Forwarded-Prefix": "/backend45"})
    assert '"/backend45/blog/api/openapi.json"' in page.get_data(as_text=True)


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(docs_app: Flask) -> None:
    client = Client(create_portfolio({"/blog": docs_app}, proxy_hops=0))
    forged = servers(client, "/blog/api/openapi.json", headers={"X-Forwarded-Prefix": "/evil"})
    assert forged[0]["url"] == "/blog"


def test_trusted_proxies_give_the_api_the_real_client_address(
    make_app: Callable[..., Flask],
) -> None:
    login = {"user": {"email": "nobody@example.com", "password": "whatever1"}}

    def second_login_from_another_client(proxy_hops: int) -> int:
        blog = make_app(LOGIN_RATE_LIMIT="1 per minute")
        client = Client(create_portfolio({"/blog": blog}, proxy_hops=proxy_hops))
        for address in ("203.0.113.1", "203.0.113.2"):
            response = client.post(
                "/blog/api/users/login", json=login, headers={"X-Forwarded-For": address}
            )
        return response.status_code

    assert second_login_from_another_client(proxy_hops=1) == 401, "each client has its own limit"
    assert second_login_from_another_client(proxy_hops=0) == 429, "X-Forwarded-For is not trusted"


def test_trusted_proxy_hops_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "2")
    assert trusted_proxy_hops() == 2
    monkeypatch.delenv("TRUSTED_PROXY_HOPS")
    assert trusted_proxy_hops() == 0
    for bad in ("-1", "two"):
        monkeypatch.setenv("TRUSTED_PROXY_HOPS", bad)
        with pytest.raises(ConfigError, match="TRUSTED_PROXY_HOPS"):
            trusted_proxy_hops()


@pytest.mark.parametrize("path", ["/api", "/api/"])
@pytest.mark.parametrize("mount", ["", "/blog"])
def test_the_api_root_links_the_docs_the_document_and_the_spec(
    docs_app: Flask, path: str, mount: str
) -> None:
    client = docs_app.test_client()
    response = client.get(path, base_url=f"http://localhost{mount}")
    assert response.status_code == 200, f"{mount}{path}: {response.status_code}"
    index = response.json
    assert index["name"] == "Conduit Blog API"
    assert index["docs"] == f"{mount}/api/docs"
    assert index["openapi"] == f"{mount}/api/openapi.json"
    assert index["spec"].startswith("https://")
    for link in ("docs", "openapi"):
        target = client.get(index[link].removeprefix(mount), base_url=f"http://localhost{mount}")
        assert target.status_code == 200, f"{index[link]}: {target.status_code}"


def test_the_portfolio_answers_at_the_blog_api_root(docs_app: Flask) -> None:
    response = Client(create_portfolio({"/blog": docs_app}, proxy_hops=0)).get("/blog/api")
    assert response.status_code == 200
    assert response.get_json()["docs"] == "/blog/api/docs"


def test_the_api_served_alone_believes_as_many_proxies_as_it_is_told(
    make_app: Callable[..., Flask],
) -> None:
    forwarded = {"X-Forwarded-Prefix": "/conduit", "X-Forwarded-For": "203.0.113.9"}
    trusting = make_app(TRUSTED_PROXY_HOPS=1).test_client()
    assert servers(trusting, "/api/openapi.json", headers=forwarded)[0]["url"] == "/conduit"
    default = make_app().test_client()
    assert servers(default, "/api/openapi.json", headers=forwarded)[0]["url"] == "/"
    with pytest.raises(ConfigError, match="BLOG_TRUSTED_PROXY_HOPS"):
        make_app(TRUSTED_PROXY_HOPS=-1)


def test_the_mounted_api_leaves_the_proxy_headers_to_the_front(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    monkeypatch.setenv("BLOG_DATABASE_URL", "sqlite://")
    client = Client(create_portfolio())
    forwarded = {"X-Forwarded-Prefix": "/backend45"}
    # Read twice (at the front and again by the blog), the prefix would replace /blog.
    assert servers(client, "/blog/api/openapi.json", headers=forwarded)[0]["url"] == (
        "/backend45/blog"
    )
