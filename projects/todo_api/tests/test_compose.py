"""The Todo API's compose file: valid for Compose and the compose spec, its invariants, and the
nginx config and health checks it relies on, run for real where the tools are installed."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from sqlalchemy.engine import make_url

from shared.serve import free_port
from shared.testing.helpers import wait_for_port

TODO_API = Path(__file__).resolve().parents[1]
COMPOSE = TODO_API / "compose.yaml"
NGINX_CONF = TODO_API / "deploy" / "nginx.conf"
DEBIAN = TODO_API / "deploy" / "debian"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=TODO_API)


def test_compose_v1_reads_the_file() -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    done = run("docker-compose", "-f", str(COMPOSE), "config", "--quiet")
    assert (done.returncode, done.stderr) == (0, "")


def test_compose_v1_reads_the_file_with_the_debian_override() -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    files = ["-f", str(COMPOSE), "-f", str(DEBIAN / "compose.yaml")]
    done = subprocess.run(
        ["docker-compose", *files, "config"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHON_IMAGE": "backend45/debian-python:bookworm"},
    )
    assert done.returncode == 0, done.stderr
    merged = yaml.safe_load(done.stdout)["services"]
    assert merged["mysql"]["build"]["args"] == {"BASE_IMAGE": "backend45/debian-python:bookworm"}
    assert merged["api"]["build"]["network"] == "host"
    assert merged["api"]["deploy"]["replicas"] == 2  # the override changes builds, nothing else


@pytest.mark.parametrize("dockerfile", sorted(p.name for p in DEBIAN.glob("*.Dockerfile")))
def test_the_debian_images_are_hadolint_clean(dockerfile: str) -> None:
    done = run(str(BIN / "hadolint"), "--no-color", str(DEBIAN / dockerfile))
    assert (done.returncode, done.stdout) == (0, "")


def test_the_file_is_valid_against_the_compose_spec() -> None:
    done = run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_api_is_built_from_the_repository_root_with_the_base_argument(
    compose: dict[str, Any],
) -> None:
    build = compose["services"]["api"]["build"]
    assert (TODO_API / build["context"] / build["dockerfile"]).resolve() == TODO_API / "Dockerfile"
    assert build["args"] == {"PYTHON_IMAGE": "${PYTHON_IMAGE:-python:3.11-slim}"}


def test_two_api_replicas_reach_their_dependencies_by_service_name(
    compose: dict[str, Any],
) -> None:
    api = compose["services"]["api"]
    assert api["deploy"]["replicas"] == 2
    assert "ports" not in api
    database = make_url(api["environment"]["TODO_DATABASE_URL"])
    assert (database.host, database.port, database.database) == ("mysql", 3306, "todo")
    assert api["environment"]["TODO_REDIS_URL"] == "redis://redis:6379/0"
    assert api["environment"]["TODO_TRUSTED_PROXY_HOPS"] == "1"  # nginx, and only nginx


def test_every_dependency_is_waited_for_until_healthy(compose: dict[str, Any]) -> None:
    depends = {
        name: {dep: rule["condition"] for dep, rule in spec.get("depends_on", {}).items()}
        for name, spec in compose["services"].items()
    }
    assert depends == {
        "api": {"mysql": "service_healthy", "redis": "service_healthy"},
        "mysql": {},
        "redis": {},
        "nginx": {"api": "service_healthy"},
    }
    assert compose["services"]["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    # Over TCP as the app's user, so it passes only once the server listens on the network.
    mysql = compose["services"]["mysql"]["healthcheck"]["test"]
    assert mysql[0] == "CMD-SHELL"
    assert '--host=127.0.0.1 --user="$$MARIADB_USER" --password="$$MARIADB_PASSWORD"' in mysql[1]


def test_data_is_on_named_volumes(compose: dict[str, Any]) -> None:
    assert set(compose["volumes"]) == {"mysql-data", "redis-data"}
    assert compose["services"]["mysql"]["volumes"] == ["mysql-data:/var/lib/mysql"]
    assert compose["services"]["redis"]["volumes"] == ["redis-data:/data"]


def test_only_nginx_publishes_a_port_and_only_on_loopback(compose: dict[str, Any]) -> None:
    published = {
        name: spec["ports"] for name, spec in compose["services"].items() if "ports" in spec
    }
    assert published == {"nginx": ["127.0.0.1:${TODO_HTTP_PORT:-8080}:80"]}


# --- the tools the health checks and the proxy use, for real --------------------------------


def test_mariadb_admin_ping_passes_even_for_a_user_the_server_refuses(mysql_url: str) -> None:
    if shutil.which("mariadb-admin") is None:
        pytest.skip("mariadb-admin is not installed (apt-get install mariadb-client)")
    server = make_url(mysql_url)
    command = ["mariadb-admin", "ping", f"--host={server.host}", f"--port={server.port}"]
    refused = run(*command, "--user=nobody-here", "--password=wrong", "--silent")
    assert refused.returncode == 0, refused.stderr
    closed = run("mariadb-admin", "ping", "--host=127.0.0.1", f"--port={free_port()}", "--silent")
    assert closed.returncode == 1


class Echo(http.server.BaseHTTPRequestHandler):
    """An upstream that answers with the headers nginx sent it."""

    def do_GET(self) -> None:
        body = json.dumps({key.lower(): value for key, value in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def proxied() -> Iterator[str]:
    """nginx with deploy/nginx.conf, its upstream pointed at a local echo server: its URL."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = free_port()
    site = NGINX_CONF.read_text().replace(
        "server api:8000;", f"server {upstream.server_address[0]}:{upstream.server_address[1]};"
    )
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    with tempfile.TemporaryDirectory(prefix="todo-nginx-") as folder:
        root = Path(folder)
        (root / "site.conf").write_text(site)
        (root / "nginx.conf").write_text(
            f"pid {root}/nginx.pid;\nerror_log {root}/error.log;\nevents {{}}\n"
            f"http {{\n  access_log off;\n  client_body_temp_path {root}/body;\n"
            f"  proxy_temp_path {root}/proxy;\n  fastcgi_temp_path {root}/fastcgi;\n"
            f"  uwsgi_temp_path {root}/uwsgi;\n  scgi_temp_path {root}/scgi;\n"
            f"  include {root}/site.conf;\n}}\n"
        )
        process = subprocess.Popen(
            [nginx, "-c", str(root / "nginx.conf"), "-p", str(root), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(port, timeout=10)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)
            upstream.shutdown()
            upstream.server_close()


@pytest.mark.nginx
def test_nginx_passes_the_clients_host_and_scheme_to_the_api(proxied: str) -> None:
    seen = requests.get(f"{proxied}/todos", headers={"Host": "todo.example:8080"}, timeout=5).json()
    assert seen["host"] == "todo.example:8080"
    assert seen["x-forwarded-host"] == "todo.example:8080"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert "connection" not in seen  # no "close": the upstream connection is kept alive
