"""Invariants of deploy descriptors: a Heroku Procfile and app.json, and a Render Blueprint.

:func:`parse_procfile` reads a Procfile the way Heroku does (``name: command`` per line, names
of letters, digits, ``_`` and ``-``; blank lines and ``#`` comments skipped) and refuses what
Heroku would not run. The ``check_*`` functions take parsed descriptors and return the problems
found, one plain sentence each, empty when the descriptor holds to every rule:

- the web process binds ``0.0.0.0:$PORT`` (the platform picks the port; 127.0.0.1 is unreachable
  from its router);
- migrations run in a release step, and it is the same command everywhere;
- every environment variable a descriptor sets is a setting the app reads (a typo there is a
  setting silently left at its default);
- no secret value is committed: a secret comes from the platform (Heroku's
  ``"generator": "secret"``, Render's ``generateValue`` or ``sync: false``) or an add-on;
- a Render value is a string (YAML reads an unquoted ``false`` or ``1`` as a bool or an int);
- what a Render service reads ``fromDatabase``/``fromService`` is declared in the same file.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection, Mapping
from typing import Any

PROCESS_NAME = re.compile(r"[A-Za-z0-9_-]+")
#: Names that hold secrets: committing a value for one of these is a leak.
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|PRIVATE|API_KEY|CREDENTIAL", re.IGNORECASE)
#: The keys Heroku runs under app.json's "scripts" (release belongs in the Procfile).
APP_JSON_SCRIPTS = frozenset({"postdeploy", "pr-predestroy"})
#: Variables the platform or the runtime reads, not the app's settings.
PLATFORM_VARS = frozenset({"PORT", "WEB_CONCURRENCY", "PYTHON_VERSION", "GUNICORN_CMD_ARGS"})


def variable_names(settings_cls: Any) -> frozenset[str]:
    """Every environment variable a ``shared.config.BaseSettings`` class reads: ``TODO_DEBUG``,
    and the plain ``DATABASE_URL`` too, except for fields marked own-name-only."""
    names = set()
    for field_name, field in settings_cls.model_fields.items():
        names.add(settings_cls.env_name(field_name))
        extra = field.json_schema_extra
        if not (isinstance(extra, Mapping) and extra.get("own_name_only")):
            names.add(field_name.upper())
    return frozenset(names)


class ProcfileError(ValueError):
    """A Procfile line that Heroku would not run; the message names the line."""


def parse_procfile(text: str) -> dict[str, str]:
    """The process types of a Procfile, in order: ``{"web": "gunicorn …", "release": …}``."""
    # practice 1: read a Procfile's name: command lines, refusing what Heroku would not run
    # hint: skip blanks and # comments; split each line at its first colon only; a bad name,
    # hint: an empty command or a name seen before is a ProcfileError naming the line number.
    processes: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, colon, command = line.partition(":")
        name, command = name.strip(), command.strip()
        if not colon or not PROCESS_NAME.fullmatch(name):
            raise ProcfileError(
                f"line {number}: expected 'name: command' with a name of letters, digits, _ or -, "
                f"got {raw!r}"
            )
        if not command:
            raise ProcfileError(f"line {number}: process {name!r} has no command")
        if name in processes:
            raise ProcfileError(f"line {number}: process {name!r} is declared twice")
        processes[name] = command
    return processes
    # end practice 1


def binds_platform_port(command: str) -> bool:
    """Whether a gunicorn command binds every interface on the platform's ``$PORT``."""
    # practice 2: say whether a gunicorn command binds every interface on $PORT
    # hint: shlex.split it (a broken quote means no); the address follows --bind or -b, or is
    # hint: glued on as --bind=; 0.0.0.0 or [::], with $PORT or ${PORT}.
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    for index, word in enumerate(words):
        if word in ("--bind", "-b") and index + 1 < len(words):
            value = words[index + 1]
        elif word.startswith("--bind="):
            value = word.removeprefix("--bind=")
        else:
            continue
        if value in ("0.0.0.0:$PORT", "0.0.0.0:${PORT}", "[::]:$PORT", "[::]:${PORT}"):
            return True
    return False
    # end practice 2


def check_procfile(processes: Mapping[str, str]) -> list[str]:
    """Problems of a parsed Procfile: a web process on $PORT and a release step."""
    problems = []
    web = processes.get("web")
    if web is None:
        problems.append("Procfile has no web process: nothing would receive HTTP traffic")
    elif not binds_platform_port(web):
        problems.append(f"Procfile web does not bind 0.0.0.0:$PORT: {web!r}")
    if "release" not in processes:
        problems.append("Procfile has no release process: nothing migrates before a deploy")
    return problems


def _unknown_setting(key: str, settings: Collection[str]) -> bool:
    return key not in settings and key not in PLATFORM_VARS


def check_app_json(
    data: Mapping[str, Any], settings: Collection[str], processes: Collection[str]
) -> list[str]:
    """Problems of a parsed app.json, given the app's variable names and the Procfile's types."""
    problems = []
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 30:
        problems.append(
            f"app.json name must be a non-empty string of at most 30 characters, got {name!r}"
        )
    # practice 3: flag env vars the app does not read, and secrets that carry a committed value
    # hint: an env entry is a plain string or a mapping with "value" or "generator"; a secret
    # hint: name (SECRET_NAME) is fine only with "generator": "secret" and no value.
    for key, spec in (data.get("env") or {}).items():
        value = spec if isinstance(spec, str) else (spec or {}).get("value")
        generated = isinstance(spec, Mapping) and spec.get("generator") == "secret"
        if _unknown_setting(key, settings):
            problems.append(f"app.json env {key} is not a setting of the app")
        if SECRET_NAME.search(key) and (value or not generated):
            problems.append(
                f'app.json env {key} is a secret: use "generator": "secret", not a value'
            )
    # end practice 3
    for script in data.get("scripts") or {}:
        if script not in APP_JSON_SCRIPTS:
            problems.append(
                f"app.json scripts.{script} is not run by Heroku (only "
                f"{', '.join(sorted(APP_JSON_SCRIPTS))}); a release step goes in the Procfile"
            )
    for process in data.get("formation") or {}:
        if process not in processes:
            problems.append(f"app.json formation.{process} is not a process in the Procfile")
    return problems


def render_web_services(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in data.get("services") or [] if s.get("type") == "web"]


def check_render(data: Mapping[str, Any], settings: Collection[str]) -> list[str]:
    """Problems of a parsed render.yaml, given the names of the app's settings."""
    problems = []
    services = data.get("services") or []
    databases = {db.get("name") for db in data.get("databases") or []}
    declared = {(s.get("type"), s.get("name")) for s in services}
    webs = render_web_services(data)
    if not webs:
        problems.append("render.yaml has no web service")
    for service in services:
        name = service.get("name", "?")
        if service.get("type") == "web":
            if not binds_platform_port(service.get("startCommand", "")):
                problems.append(f"render.yaml {name} startCommand does not bind 0.0.0.0:$PORT")
            if not str(service.get("healthCheckPath", "")).startswith("/"):
                problems.append(f"render.yaml {name} has no healthCheckPath")
            if not service.get("preDeployCommand"):
                problems.append(f"render.yaml {name} has no preDeployCommand to migrate")
        for var in service.get("envVars") or []:
            key = var.get("key", "?")
            if "fromGroup" not in var and _unknown_setting(key, settings):
                problems.append(f"render.yaml {name} envVars {key} is not a setting of the app")
            if SECRET_NAME.search(key) and "value" in var:
                problems.append(
                    f"render.yaml {name} envVars {key} is a secret: use generateValue or "
                    "sync: false, not a value"
                )
            if "value" in var and not isinstance(var["value"], str):
                problems.append(
                    f"render.yaml {name} envVars {key} is a YAML {type(var['value']).__name__}, "
                    f"not a string: quote it"
                )
            if (source := var.get("fromDatabase")) and source.get("name") not in databases:
                problems.append(f"render.yaml {name} envVars {key} reads an undeclared database")
            if (source := var.get("fromService")) and (
                source.get("type"),
                source.get("name"),
            ) not in declared:
                problems.append(f"render.yaml {name} envVars {key} reads an undeclared service")
    return problems


def release_commands(
    processes: Mapping[str, str], app_json: Mapping[str, Any], render: Mapping[str, Any]
) -> dict[str, str | None]:
    """The release command each descriptor names, keyed by where it was found."""
    commands: dict[str, str | None] = {"Procfile release": processes.get("release")}
    if "scripts" in app_json:
        commands["app.json scripts.postdeploy"] = (app_json["scripts"] or {}).get("postdeploy")
    for service in render_web_services(render):
        commands[f"render.yaml {service.get('name')} preDeployCommand"] = service.get(
            "preDeployCommand"
        )
    return commands


def check_same_release(commands: Mapping[str, str | None]) -> list[str]:
    """A problem when the descriptors do not all run one and the same release command."""
    if len(set(commands.values())) <= 1:
        return []
    listed = "; ".join(f"{where}: {command!r}" for where, command in commands.items())
    return [f"the release commands differ: {listed}"]
