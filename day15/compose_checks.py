"""Checks of a compose file's invariants: health-gated start order, volumes, replicas.

:func:`check_compose` reads a compose file (the YAML as written, before ``docker compose
config`` fills it in) and returns one :class:`day14.checks.Check` per rule. A service built from
a Dockerfile counts as having a health check when the Dockerfile's last stage has a
``HEALTHCHECK`` (day 14's parser reads it), since compose uses the image's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from day14.checks import Check, check_healthcheck, parse

#: Where stateful services keep their data; each must be on a named volume.
DATA_PATHS = {"/var/lib/mysql", "/data", "/var/lib/postgresql/data"}


class ComposeError(ValueError):
    """The file is not a compose file this checker can read."""


def load(path: Path) -> dict[str, Any]:
    """The compose file at ``path`` as a mapping with a ``services`` mapping."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ComposeError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise ComposeError(f"{path}: no services mapping at the top level")
    return data


def has_healthcheck(service: dict[str, Any], folder: Path) -> bool:
    """A ``healthcheck`` in the file (not disabled), or one in the Dockerfile it builds."""
    if "healthcheck" in service:
        return not service["healthcheck"].get("disable", False)
    build = service.get("build")
    if isinstance(build, dict):
        dockerfile = folder / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
        if dockerfile.exists():
            return check_healthcheck(parse(dockerfile.read_text())).passed
    return False


def check_start_order(data: dict[str, Any], folder: Path) -> Check:
    """Every ``depends_on`` waits for ``service_healthy`` on a service that has a health check."""
    # practice 3: every depends_on waits until a service with a health check is healthy
    # hint: a list form waits for nothing; in the mapping form, read each rule's condition.
    services = data["services"]
    gated = []
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            return Check(
                "start order", False, f"{name}: depends_on is a list: it waits for nothing"
            )
        for dependency, rule in depends.items():
            condition = (rule or {}).get("condition", "service_started")
            if condition != "service_healthy":
                return Check("start order", False, f"{name} -> {dependency}: {condition}")
            if dependency not in services:
                return Check("start order", False, f"{name} -> {dependency}: no such service")
            if not has_healthcheck(services[dependency], folder):
                return Check("start order", False, f"{name} -> {dependency}: no health check")
            gated.append(f"{name} -> {dependency}")
    if not gated:
        return Check("start order", False, "no depends_on: everything starts at once")
    return Check("start order", True, ", ".join(gated))
    # end practice 3


def check_volumes(data: dict[str, Any]) -> Check:
    """Data folders of stateful services are on named volumes declared at the top level."""
    declared = set((data.get("volumes") or {}).keys())
    found = []
    for name, service in data["services"].items():
        for volume in service.get("volumes") or []:
            source, _, rest = str(volume).partition(":")
            target = rest.split(":")[0]
            if target in DATA_PATHS:
                if source not in declared:
                    return Check("volumes", False, f"{name}: {target} is not on a named volume")
                found.append(f"{name} {source}")
    if not found:
        return Check("volumes", False, "no data folder on a named volume: data dies with it")
    return Check("volumes", True, ", ".join(found))


def check_replicas(data: dict[str, Any], service: str = "api", replicas: int = 2) -> Check:
    """``service`` runs ``replicas`` copies and so publishes no fixed host port."""
    spec = data["services"].get(service)
    if spec is None:
        return Check("replicas", False, f"no {service} service")
    count = (spec.get("deploy") or {}).get("replicas", 1)
    if count != replicas:
        return Check("replicas", False, f"{service}: {count} replicas, expected {replicas}")
    if spec.get("ports"):
        return Check("replicas", False, f"{service}: a published port, which only one can bind")
    if "container_name" in spec:
        return Check("replicas", False, f"{service}: container_name, which only one can have")
    return Check("replicas", True, f"{service} x{count}, reached through the network only")


def check_build_argument(data: dict[str, Any], argument: str = "PYTHON_IMAGE") -> Check:
    """Every built service passes ``argument`` to its Dockerfile."""
    built = {n: s["build"] for n, s in data["services"].items() if isinstance(s.get("build"), dict)}
    if not built:
        return Check(f"build arg {argument}", False, "no service is built here")
    for name, build in built.items():
        if argument not in (build.get("args") or {}):
            return Check(f"build arg {argument}", False, f"{name} does not pass {argument}")
    return Check(f"build arg {argument}", True, ", ".join(built))


def check_compose(path: Path) -> list[Check]:
    """Every check on the compose file at ``path``."""
    data = load(path)
    return [
        check_start_order(data, path.parent),
        check_volumes(data),
        check_replicas(data),
        check_build_argument(data),
    ]
