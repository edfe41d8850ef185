"""The Todo API's compose file: valid for Compose and the compose spec, its invariants, and the
nginx config and health checks it relies on, run for real where the tools are installed.

The tests marked ``docker`` bring the whole file up with the Debian override (every image built
locally on ``DOCKER_BASE_IMAGE``, nothing pulled), once for the module, under a project name of
their own, and always take it down with its volumes. They use it through nginx's published
loopback port: the Todo-Backend contract, both replicas answering, a job run by the worker, and
todos outliving a restart of the API and a new MariaDB container on the same volume.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
import yaml
from sqlalchemy.engine import make_url

from shared.serve import free_port
from shared.testing import plugin
from shared.testing.docker import (
    COMPOSE_UP_TIMEOUT,
    ComposeProject,
    DockerError,
    Engine,
    EventStream,
    docker,
    docker_engine,
    find_compose,
    unique_name,
)
from shared.testing.helpers import wait_for_port

__all__ = ["docker_engine"]  # a fixture, imported for this module

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
        # The API's --preload migrates the database: the worker starts on the schema it made.
        "worker": {
            "mysql": "service_healthy",
            "redis": "service_healthy",
            "api": "service_healthy",
        },
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


@pytest.mark.nginx
def test_nginx_passes_a_websocket_upgrade_to_the_api(proxied: str) -> None:
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade"}
    seen = requests.get(f"{proxied}/todos/live", headers=upgrade, timeout=5).json()
    assert (seen["upgrade"], seen["connection"]) == ("websocket", "upgrade")


# --- the whole stack, up for real -------------------------------------------------------------

#: Seconds from ``up`` returning to every container healthy (the API's first check is at 10 s).
HEALTHY_WITHIN = 180.0
Test = TypeVar("Test", bound=Callable[..., None])


def on_the_stack(test: Test) -> Test:
    """The marks of a test on the running stack: Docker, slow, and room for a cold build."""
    marks = (pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(COMPOSE_UP_TIMEOUT + 300))
    for mark in marks:
        test = mark(test)
    return test


@dataclass(frozen=True)
class Stack:
    """The running project, nginx's URL on loopback, and its container events since ``up``."""

    project: ComposeProject
    base: str
    events: EventStream


def answered(url: str, timeout: float = 30.0) -> requests.Response:
    """GET ``url`` until it answers 200 (nginx says 502 while no replica listens yet)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = requests.get(url, timeout=5)
            if response.status_code == 200 or time.monotonic() > deadline:
                return response
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


@pytest.fixture(scope="module")
def stack(docker_engine: Engine) -> Iterator[Stack]:
    """compose.yaml with the Debian override, up and healthy; down with its volumes after."""
    why = find_compose()
    if why is not None:
        plugin.unavailable("docker", why)
    port = free_port()
    env = {**os.environ, "PYTHON_IMAGE": docker_engine.base_image, "TODO_HTTP_PORT": str(port)}
    project = ComposeProject((COMPOSE, DEBIAN / "compose.yaml"), unique_name("todostack"), env)
    events = project.watch_events()
    try:
        try:
            project.up()
            project.wait_healthy(timeout=HEALTHY_WITHIN)
        except DockerError as error:
            pytest.fail(f"the stack did not come up: {error}", pytrace=False)
        base = f"http://127.0.0.1:{port}"
        assert answered(f"{base}/healthz").status_code == 200
        yield Stack(project, base, events)
    finally:
        try:
            project.down()
        finally:
            events.close()


@on_the_stack
def test_each_service_starts_once_what_it_depends_on_is_healthy(
    stack: Stack, compose: dict[str, Any]
) -> None:
    services = compose["services"]
    replicas = {name: spec.get("deploy", {}).get("replicas", 1) for name, spec in services.items()}
    running: dict[str, int] = {}
    for container in stack.project.containers():
        service = stack.project.service_of(container)
        running[service] = running.get(service, 0) + 1
    assert running == replicas

    started: dict[str, list[int]] = {}
    healthy: dict[str, dict[str, int]] = {}
    for event in stack.events.events():
        if event.action == "start":
            started.setdefault(event.service, []).append(event.time_ns)
        elif event.action == "health_status: healthy":
            healthy.setdefault(event.service, {}).setdefault(event.container, event.time_ns)
    for name, spec in services.items():
        for dependency in spec.get("depends_on", {}):
            became = healthy.get(dependency, {})
            assert len(became) == replicas[dependency], f"{dependency} never healthy: {healthy}"
            ready = max(became.values())
            early = [at for at in started[name] if at < ready]
            assert early == [], f"{name} started before every {dependency} was healthy"


@on_the_stack
def test_the_todo_backend_contract_through_nginx(stack: Stack) -> None:
    base = stack.base
    created = requests.post(f"{base}/todos", json={"title": "through nginx"}, timeout=5)
    assert created.status_code == 201, created.text
    todo = created.json()
    assert (todo["title"], todo["completed"]) == ("through nginx", False)
    assert todo["url"].startswith(f"{base}/todos/")  # nginx's host and port, not a replica's

    assert todo["url"] in [item["url"] for item in requests.get(f"{base}/todos", timeout=5).json()]
    patched = requests.patch(todo["url"], json={"completed": True, "order": 3}, timeout=5)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["completed"], patched.json()["order"]) == (True, 3)
    assert requests.get(todo["url"], timeout=5).json()["completed"] is True
    assert requests.delete(todo["url"], timeout=5).status_code in (200, 204)
    assert requests.get(todo["url"], timeout=5).status_code == 404
    listed = requests.get(f"{base}/todos", timeout=5).json()
    assert todo["url"] not in [item["url"] for item in listed]


@on_the_stack
def test_nginx_spreads_requests_over_both_api_replicas(stack: Stack) -> None:
    marker = f"spread-{uuid.uuid4().hex[:8]}"
    for n in range(20):
        headers = {"X-Request-ID": f"{marker}-{n}"}
        reply = requests.get(f"{stack.base}/todos", headers=headers, timeout=5)
        assert reply.status_code == 200, reply.text
        assert reply.headers["X-Request-ID"] == f"{marker}-{n}"
    # Each replica writes one access-log line per request it served, with the request's id.
    served = {
        container.name: container.logs(tail=None).count(f'"request_id": "{marker}-')
        for container in stack.project.containers("api")
    }
    assert len(served) == 2
    assert sum(served.values()) == 20, served
    assert min(served.values()) > 0, served


@on_the_stack
def test_the_worker_runs_a_purge_queued_through_the_api(
    stack: Stack, compose: dict[str, Any]
) -> None:
    if "worker" not in compose["services"]:
        pytest.skip("compose.yaml has no worker service yet")
    (worker,) = stack.project.containers("worker")
    assert worker.state()["Status"] == "running"
    assert docker("inspect", "--format", "{{.RestartCount}}", worker.name).strip() == "0"

    todo = requests.post(f"{stack.base}/todos", json={"title": "done long ago"}, timeout=5).json()
    assert requests.patch(todo["url"], json={"completed": True}, timeout=5).status_code == 200
    queued = requests.post(f"{stack.base}/todos/purge", json={"older_than_days": 0}, timeout=5)
    assert queued.status_code == 202, queued.text
    location = queued.headers["Location"]
    assert location.startswith(f"{stack.base}/jobs/")
    deadline = time.monotonic() + 30
    job = queued.json()
    while job["status"] not in ("finished", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
        job = requests.get(location, timeout=5).json()
    assert (job["status"], job["result"], job["error"]) == ("finished", 1, None), job
    assert requests.get(todo["url"], timeout=5).status_code == 404
    assert queued.json()["id"] in worker.logs(tail=None)  # this container ran it


@on_the_stack
def test_todos_survive_a_restart_of_the_api(stack: Stack) -> None:
    todo = requests.post(f"{stack.base}/todos", json={"title": "kept"}, timeout=5).json()
    replicas = stack.project.containers("api")
    before = {c.name: c.state()["StartedAt"] for c in replicas}

    stack.project.compose("restart", "api", timeout=120)
    stack.project.wait_healthy(timeout=HEALTHY_WITHIN)
    after = {c.name: c.state()["StartedAt"] for c in replicas}
    assert [name for name in before if before[name] == after[name]] == []

    again = answered(todo["url"])
    assert (again.status_code, again.json()) == (200, todo)


@on_the_stack
def test_todos_survive_a_new_mariadb_container_on_the_same_volume(stack: Stack) -> None:
    todo = requests.post(f"{stack.base}/todos", json={"title": "on the volume"}, timeout=5).json()
    (old,) = stack.project.containers("mysql")
    old_id = docker("inspect", "--format", "{{.Id}}", old.name).strip()

    stack.project.compose("up", "--detach", "--no-deps", "--force-recreate", "mysql", timeout=180)
    (new,) = stack.project.containers("mysql")
    mounts = json.loads(docker("inspect", "--format", "{{json .Mounts}}", new.name))
    assert docker("inspect", "--format", "{{.Id}}", new.name).strip() != old_id
    assert [m["Name"] for m in mounts] == [f"{stack.project.name}_mysql-data"]
    stack.project.wait_healthy(timeout=HEALTHY_WITHIN)

    again = answered(todo["url"])  # the pool's pre-ping replaces the connections that broke
    assert (again.status_code, again.json()) == (200, todo)


@on_the_stack
def test_down_leaves_no_container_network_or_volume(stack: Stack) -> None:
    assert set(stack.project.leftovers()) == {"containers", "networks", "volumes"}
    stack.project.down()
    assert stack.project.leftovers() == {}
