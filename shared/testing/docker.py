"""Helpers and pytest fixtures for tests that need a real Docker engine.

The engine is whatever the ``docker`` client reaches: ``DOCKER_HOST``, or the default socket.
Base image: ``DOCKER_BASE_IMAGE`` (CI builds one from Debian's packages with debootstrap, as
there is no registry to pull from), else ``python:3.11-slim`` when the engine already has it.
Without an engine or a base image the tests are skipped with one line saying why;
``REQUIRE_SERVICES=1`` makes that a failure, as for the other services.

Test modules import the fixtures they use (``from shared.testing.docker import docker_engine``).
Everything a test creates here is removed afterwards: containers by the helpers, images by the
fixture that built them. A compose project (:class:`ComposeProject`, Compose v1's
``docker-compose``) runs under a name of its own and is taken down with its volumes; the images
it builds keep their fixed tags, so the next ``up --build`` is served from the layer cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from shared.testing import plugin

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BASE_IMAGE = "python:3.11-slim"
#: Seconds a build may take: the vfs storage driver copies every layer, and pip downloads.
BUILD_TIMEOUT = 600.0

plugin.SERVICES.setdefault(
    "docker",
    plugin.Service(
        "docker",
        "DOCKER_HOST",
        "install docker.io and start dockerd (see .ci/run), set DOCKER_HOST to its socket and "
        "DOCKER_BASE_IMAGE to an image with python3 and python3-venv",
    ),
)


class DockerError(Exception):
    """A docker command failed; the message has the command and the end of its output."""


@dataclass(frozen=True)
class Engine:
    """A reachable engine: its server version and the base image builds should start from."""

    version: str
    base_image: str


def docker(*args: str, timeout: float = 60.0, check: bool = True) -> str:
    """Run ``docker ARGS`` and return its stdout; :class:`DockerError` when it fails."""
    command = ["docker", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        raise DockerError(f"{' '.join(command)} took longer than {timeout:g} s") from expired
    if check and done.returncode != 0:
        tail = (done.stderr or done.stdout)[-2000:]
        raise DockerError(f"{' '.join(command)} exited {done.returncode}: {tail}")
    return done.stdout


def find_engine() -> Engine | str:
    """The engine and base image, or one line saying why there is none."""
    if shutil.which("docker") is None:
        return "no docker client on PATH"
    try:
        version = docker("version", "--format", "{{.Server.Version}}", timeout=15).strip()
    except DockerError:
        return f"no engine answers at {os.environ.get('DOCKER_HOST', 'the default socket')}"
    base = os.environ.get("DOCKER_BASE_IMAGE") or DEFAULT_BASE_IMAGE
    if docker("image", "inspect", base, check=False, timeout=15).strip() in ("", "[]"):
        return f"the engine has no base image {base} (set DOCKER_BASE_IMAGE)"
    return Engine(version=version, base_image=base)


@pytest.fixture(scope="session")
def docker_engine() -> Engine:
    """A reachable Docker engine with a base image, or the test is skipped (failed if required)."""
    found = find_engine()
    if isinstance(found, str):
        plugin.unavailable("docker", found)
    assert isinstance(found, Engine)
    return found


def unique_name(prefix: str) -> str:
    """A container or image name no other run uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


#: The untagged images (earlier stages) each build left, by tag, for :func:`remove_image`.
_stages: dict[str, set[str]] = {}


def dangling_images() -> set[str]:
    """The ids of the engine's untagged images (build stages among them)."""
    return set(docker("images", "--quiet", "--no-trunc", "--filter", "dangling=true").split())


def build_image(
    engine: Engine,
    dockerfile: str | Path,
    tag: str,
    context: str | Path = REPO_ROOT,
    timeout: float = BUILD_TIMEOUT,
) -> str:
    """Build ``dockerfile`` with ``context`` on the host network, from the engine's base image."""
    before = dangling_images()
    try:
        docker(
            "build",
            "--network=host",
            "--build-arg",
            f"PYTHON_IMAGE={engine.base_image}",
            "--file",
            str(dockerfile),
            "--tag",
            tag,
            str(context),
            timeout=timeout,
        )
    finally:
        _stages[tag] = dangling_images() - before
    return tag


def remove_image(tag: str) -> None:
    """Remove an image and the build stages its build left dangling; never raises.

    Only those: a stage the build took from the cache belongs to an earlier build (a compose
    project's, say) and stays, so that one's next build is still a cache hit.
    """
    docker("rmi", "--force", tag, check=False, timeout=120)
    for stage in _stages.pop(tag, set()):
        docker("rmi", stage, check=False, timeout=120)


@dataclass
class Container:
    """A running container started by :func:`run_container`."""

    name: str

    def state(self) -> dict[str, object]:
        """``docker inspect``'s State: Status, ExitCode, Health, …"""
        return json.loads(docker("inspect", "--format", "{{json .State}}", self.name))

    def health(self) -> str:
        """``starting``, ``healthy`` or ``unhealthy``; ``none`` without a health check."""
        health = self.state().get("Health")
        return str(health["Status"]) if isinstance(health, dict) else "none"

    def logs(self, tail: int | None = 60) -> str:
        """The container's stdout and stderr: the last ``tail`` lines, or all with None."""
        done = subprocess.run(
            ["docker", "logs", "--tail", "all" if tail is None else str(tail), self.name],
            capture_output=True,
            text=True,
            timeout=30,
        )
        return done.stdout + done.stderr

    def wait_healthy(self, timeout: float = 60.0) -> float:
        """Poll the health status until healthy; return the seconds it took.

        Fails at once if the container exits or turns unhealthy, with its last log lines.
        """
        start = time.monotonic()
        while True:
            state = self.state()
            status = self.health()
            if status == "healthy":
                return time.monotonic() - start
            if state.get("Status") != "running" or status == "unhealthy":
                raise DockerError(
                    f"{self.name} is {state.get('Status')} ({status}), exit code "
                    f"{state.get('ExitCode')}:\n{self.logs()}"
                )
            if time.monotonic() - start > timeout:
                raise DockerError(f"{self.name} not healthy after {timeout:g} s:\n{self.logs()}")
            time.sleep(0.5)

    def stop(self, grace: int = 10) -> tuple[int, float]:
        """``docker stop`` (SIGTERM, then SIGKILL after ``grace`` s): exit code and seconds."""
        start = time.monotonic()
        docker("stop", "--time", str(grace), self.name, timeout=grace + 30)
        took = time.monotonic() - start
        return int(self.state()["ExitCode"]), took  # type: ignore[call-overload]

    def remove(self) -> None:
        docker("rm", "--force", "--volumes", self.name, check=False, timeout=60)


def run_container(
    image: str, *args: str, env: dict[str, str] | None = None, before_image: bool = True
) -> Container:
    """``docker run -d --network=host`` ``image`` with ``env``; ``args`` are options for docker
    (``--health-interval=1s``), or with ``before_image=False`` the command to run instead."""
    name = unique_name("backend45")
    options = [f"--env={key}={value}" for key, value in (env or {}).items()]
    head, tail = (args, ()) if before_image else ((), args)
    docker("run", "--detach", "--network=host", f"--name={name}", *options, *head, image, *tail)
    return Container(name)


@pytest.fixture
def containers() -> Iterator[list[Container]]:
    """A list to append started containers to; each is removed after the test."""
    started: list[Container] = []
    yield started
    for container in started:
        container.remove()


def image_files(image: str, folders: Sequence[str]) -> list[str]:
    """The files under ``folders`` inside ``image`` (a throwaway container runs ``find``)."""
    find = ["--entrypoint=find", image, *folders, "-type", "f"]
    out = docker("run", "--rm", "--network=none", *find)
    return sorted(out.split())


# --- compose projects -------------------------------------------------------------------------

#: Seconds ``up --build`` may take: every image built from the base on vfs, on two busy cores.
COMPOSE_UP_TIMEOUT = 900.0
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"


def find_compose() -> str | None:
    """Why Compose v1 cannot run here (one line), or None when ``docker-compose`` is on PATH."""
    if shutil.which("docker-compose") is None:
        return "no docker-compose on PATH (apt-get install docker-compose)"
    return None


@dataclass(frozen=True)
class Event:
    """A container event of a compose project, as ``docker events`` reports it."""

    time_ns: int
    container: str
    service: str
    #: ``create``, ``start``, ``health_status: healthy``, ``die``, …
    action: str


class EventStream:
    """A compose project's container events, streamed by ``docker events`` into a file.

    The engine keeps only its last 256 events for ``docker events --since``, and on a shared
    engine a build or a health check elsewhere soon pushes a project's first starts out of
    them; a stream opened before ``up`` misses none.
    """

    def __init__(self, project: str) -> None:
        # Held open until close(): the stream writes into it all along.
        self._file = tempfile.TemporaryFile("w+")  # noqa: SIM115
        label = f"label={PROJECT_LABEL}={project}"
        command = ["docker", "events", "--filter", "type=container", "--filter", label]
        self._process = subprocess.Popen(
            [*command, "--format", "{{json .}}"],
            stdout=self._file,
            stderr=subprocess.DEVNULL,
        )

    def events(self) -> list[Event]:
        """Every event so far, oldest first."""
        self._file.seek(0)
        events = []
        for line in self._file.read().splitlines():
            try:
                raw = json.loads(line)
            except json.JSONDecodeError:  # the line being written right now
                continue
            attributes = raw["Actor"]["Attributes"]
            events.append(
                Event(
                    time_ns=int(raw["timeNano"]),
                    container=attributes.get("name", ""),
                    service=attributes.get(SERVICE_LABEL, ""),
                    action=raw["Action"],
                )
            )
        return sorted(events, key=lambda event: event.time_ns)

    def close(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._file.close()


@dataclass(frozen=True)
class ComposeProject:
    """Compose files run by ``docker-compose`` under the project name ``name``.

    ``env`` is the whole environment compose sees (the variables the files interpolate, and
    ``DOCKER_HOST``). Containers, networks and volumes carry the project's label, which is how
    :meth:`containers` and :meth:`leftovers` find them.
    """

    files: tuple[Path, ...]
    name: str
    env: dict[str, str]

    def compose(self, *args: str, timeout: float = 120.0) -> str:
        """Run ``docker-compose -f … -p NAME ARGS``; its output, or :class:`DockerError`."""
        files = [option for path in self.files for option in ("--file", str(path))]
        command = ["docker-compose", *files, "--project-name", self.name, *args]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout,
                env=self.env,
                cwd=self.files[0].parent,
            )
        except subprocess.TimeoutExpired as expired:
            what = f"docker-compose {' '.join(args)}"
            raise DockerError(f"{what} took longer than {timeout:g} s") from expired
        if done.returncode != 0:
            tail = (done.stderr + done.stdout)[-3000:]
            raise DockerError(f"docker-compose {' '.join(args)} exited {done.returncode}: {tail}")
        return done.stdout + done.stderr

    def images(self) -> dict[str, str]:
        """The image each service names (``image:``), with its id here ("" if not built yet)."""
        merged = yaml.safe_load(self.compose("config"))
        tags = {spec["image"] for spec in merged["services"].values() if "image" in spec}
        return {
            tag: docker("image", "inspect", "--format", "{{.Id}}", tag, check=False).strip()
            for tag in sorted(tags)
        }

    def up(self, timeout: float = COMPOSE_UP_TIMEOUT) -> None:
        """``up --detach --build``. Builds reuse the engine's layer cache (no ``--no-cache``);
        an image a rebuild replaced under the same tag is removed (the build cache is kept), so
        the engine holds one copy of each image however often the code changes."""
        before = self.images()
        self.compose("up", "--detach", "--build", timeout=timeout)
        after = self.images()
        for tag, old in before.items():
            if old and old != after.get(tag):
                docker("rmi", old, check=False, timeout=120)  # refused while still in use

    def down(self) -> None:
        """``down --volumes --remove-orphans``: containers, the network and the volumes go."""
        self.compose("down", "--volumes", "--remove-orphans", timeout=180)

    def containers(self, service: str | None = None) -> list[Container]:
        """The project's containers (of ``service`` only, if given), by name."""
        filters = ["--filter", f"label={PROJECT_LABEL}={self.name}"]
        if service is not None:
            filters += ["--filter", f"label={SERVICE_LABEL}={service}"]
        names = docker("ps", "--all", *filters, "--format", "{{.Names}}").split()
        return [Container(name) for name in sorted(names)]

    def service_of(self, container: Container) -> str:
        label = f'{{{{index .Config.Labels "{SERVICE_LABEL}"}}}}'
        return docker("inspect", "--format", label, container.name).strip()

    def wait_healthy(self, timeout: float = 180.0) -> float:
        """Poll until every container runs, healthy where it has a health check; the seconds.

        Fails at once when one has exited or turned unhealthy, with its last log lines.
        """
        start = time.monotonic()
        while True:
            waiting = []
            for container in self.containers():
                state = container.state()
                status = container.health()
                if state.get("Status") != "running" or status == "unhealthy":
                    raise DockerError(
                        f"{container.name} is {state.get('Status')} ({status}), exit code "
                        f"{state.get('ExitCode')}:\n{container.logs()}"
                    )
                if status not in ("healthy", "none"):
                    waiting.append(container)
            if not waiting and self.containers():
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                logs = "\n".join(f"{c.name}:\n{c.logs(tail=20)}" for c in waiting)
                raise DockerError(f"not healthy after {timeout:g} s:\n{logs}")
            time.sleep(1.0)

    def watch_events(self) -> EventStream:
        """Start recording the project's container events; close the stream when done."""
        return EventStream(self.name)

    def leftovers(self) -> dict[str, list[str]]:
        """Whatever of the project is still there: containers, networks and volumes by name."""
        label = ["--filter", f"label={PROJECT_LABEL}={self.name}"]
        found = {
            "containers": docker("ps", "--all", *label, "--format", "{{.Names}}"),
            "networks": docker("network", "ls", *label, "--format", "{{.Name}}"),
            "volumes": docker("volume", "ls", *label, "--format", "{{.Name}}"),
        }
        return {kind: sorted(out.split()) for kind, out in found.items() if out.strip()}
