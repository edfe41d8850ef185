"""Checks of a Dockerfile's invariants, and of what a ``.dockerignore`` keeps out of the context.

:func:`parse` reads a Dockerfile into instructions (comments dropped, ``\\`` continuations
joined); :func:`check_dockerfile` runs the checks this repository holds its images to and returns
one :class:`Check` per rule, passed or not, with a line saying what it found. :func:`ignored`
answers whether a ``.dockerignore`` keeps a path out, with Docker's rules: patterns in order, the
last one that matches wins, ``!`` brings a path back, ``**`` spans folders, and a pattern that
matches a folder matches everything inside it.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath

#: The names of dependency manifests: copying only these before installing keeps the install
#: layer cached while the code changes.
MANIFESTS = ("requirements", ".lock", "pyproject.toml", "setup.cfg")
PIP_INSTALL = re.compile(r"\bpip\b.*\binstall\b")


class DockerfileError(ValueError):
    """The text is not a Dockerfile this checker can read; the message says where."""


@dataclass(frozen=True)
class Instruction:
    """One instruction: its 1-based first line, keyword in capitals, and the rest as written."""

    line: int
    keyword: str
    args: str

    def exec_form(self) -> list[str] | None:
        """The arguments as a JSON array (``["sh", "-c", "…"]``), or None in shell form."""
        text = self.args
        if self.keyword == "HEALTHCHECK":
            text = re.sub(r"^(--\S+\s+)*CMD\s+", "", text)
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        return None

    def flags(self) -> dict[str, str]:
        """The leading ``--name=value`` options (``COPY --from=build``, ``HEALTHCHECK
        --interval=10s``)."""
        return dict(re.findall(r"(?:^|\s)--([a-z-]+)=(\S+)", self.args.split(" CMD ")[0]))


@dataclass(frozen=True)
class Check:
    """One rule's outcome."""

    name: str
    passed: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.passed else 'FAIL'} {self.name}: {self.detail}"


def parse(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile, in order."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction is dropped, as Docker does
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1].strip())
            continue
        pending.append(line)
        joined = " ".join(part for part in pending if part)
        pending = []
        keyword, _, args = joined.partition(" ")
        if not keyword.isalpha():
            raise DockerfileError(f"line {start}: expected an instruction, got {keyword!r}")
        instructions.append(Instruction(start, keyword.upper(), args.strip()))
    if pending:
        raise DockerfileError(f"line {start}: the file ends inside a continued instruction")
    if not any(instruction.keyword == "FROM" for instruction in instructions):
        raise DockerfileError("no FROM instruction: every Dockerfile starts from an image")
    return instructions


def stages(instructions: Iterable[Instruction]) -> list[list[Instruction]]:
    """The build stages, each starting with its FROM (ARGs before the first FROM are left out)."""
    found: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            found.append([instruction])
        elif found:
            found[-1].append(instruction)
    return found


def _last(stage: list[Instruction], keyword: str) -> Instruction | None:
    matches = [instruction for instruction in stage if instruction.keyword == keyword]
    return matches[-1] if matches else None


def check_multi_stage(instructions: list[Instruction]) -> Check:
    """At least two stages, and the last one copies something from an earlier one."""
    found = stages(instructions)
    copies = [i for i in found[-1] if i.keyword == "COPY" and "from" in i.flags()]
    if len(found) < 2:
        return Check("multi-stage", False, "one stage: the build tools end up in the image")
    if not copies:
        return Check("multi-stage", False, f"{len(found)} stages, but the last copies nothing in")
    return Check(
        "multi-stage",
        True,
        f"{len(found)} stages; the last copies from {copies[0].flags()['from']!r} "
        f"(line {copies[0].line})",
    )


def check_base_argument(instructions: list[Instruction], argument: str = "PYTHON_IMAGE") -> Check:
    """``ARG <argument>=image:tag`` before the first FROM, a tag other than latest, and every
    FROM of an image (not of a stage) uses it."""
    name = f"base from ARG {argument}"
    declared = None
    for instruction in instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG" and instruction.args.split("=")[0] == argument:
            declared = instruction
    if declared is None:
        return Check(name, False, f"no ARG {argument} before the first FROM")
    default = declared.args.partition("=")[2]
    if not default or ":" not in default or default.endswith(":latest"):
        return Check(name, False, f"default {default!r} is not pinned to a tag")
    stage_names = set()
    for stage in stages(instructions):
        words = stage[0].args.split()
        image = next(word for word in words if not word.startswith("--"))
        uses = image in (f"${argument}", f"${{{argument}}}") or image in stage_names
        if not uses:
            return Check(name, False, f"line {stage[0].line}: FROM {image} ignores {argument}")
        if len(words) >= 3 and words[-2].upper() == "AS":
            stage_names.add(words[-1])
    return Check(name, True, f"default {default}, used by every FROM")


def check_non_root(instructions: list[Instruction]) -> Check:
    """The last stage ends with a USER that is not root (by name or uid 0)."""
    user = _last(stages(instructions)[-1], "USER")
    if user is None:
        return Check("non-root user", False, "no USER in the last stage: it runs as root")
    who = user.args.split(":")[0]
    if who in ("root", "0"):
        return Check("non-root user", False, f"line {user.line}: USER {user.args} is root")
    return Check("non-root user", True, f"USER {user.args} (line {user.line})")


def check_healthcheck(instructions: list[Instruction]) -> Check:
    """The last stage has a HEALTHCHECK that runs a command."""
    health = _last(stages(instructions)[-1], "HEALTHCHECK")
    if health is None:
        return Check("healthcheck", False, "no HEALTHCHECK: docker cannot tell a hung app")
    if health.args.upper() == "NONE":
        return Check("healthcheck", False, f"line {health.line}: HEALTHCHECK NONE")
    if " CMD " not in f" {health.args} ":
        return Check("healthcheck", False, f"line {health.line}: HEALTHCHECK without CMD")
    interval = health.flags().get("interval", "30s (the default)")
    return Check("healthcheck", True, f"line {health.line}, every {interval}")


def check_port(instructions: list[Instruction]) -> Check:
    """The last stage sets a default PORT and its CMD listens on ``$PORT``."""
    last = stages(instructions)[-1]
    env = " ".join(i.args for i in last if i.keyword == "ENV")
    default = re.search(r"\bPORT[= ](\d+)", env)
    cmd = _last(last, "CMD")
    if default is None:
        return Check("port from $PORT", False, "no ENV PORT=... default in the last stage")
    if cmd is None or not re.search(r"\$\{?PORT\b", cmd.args):
        return Check("port from $PORT", False, "the CMD does not use $PORT")
    return Check("port from $PORT", True, f"PORT defaults to {default.group(1)}")


def check_signals(instructions: list[Instruction]) -> Check:
    """The CMD is in exec form, and a shell in it ``exec``s the server, so SIGTERM reaches it."""
    cmd = _last(stages(instructions)[-1], "CMD")
    if cmd is None:
        return Check("signals reach the app", False, "no CMD in the last stage")
    # practice 1: pass only a CMD whose server gets SIGTERM as PID 1
    # hint: shell form means /bin/sh is PID 1; a shell in exec form must start its script with exec.
    words = cmd.exec_form()
    if words is None:
        return Check(
            "signals reach the app", False, f"line {cmd.line}: shell form, /bin/sh gets SIGTERM"
        )
    if words[0] in ("sh", "/bin/sh", "bash", "/bin/bash") and not (
        len(words) >= 3 and words[2].lstrip().startswith("exec ")
    ):
        return Check("signals reach the app", False, f"line {cmd.line}: the shell does not exec")
    return Check("signals reach the app", True, f"exec form, PID 1 is {_program(words)}")
    # end practice 1


def _program(words: list[str]) -> str:
    if words[0] in ("sh", "/bin/sh", "bash", "/bin/bash") and len(words) >= 3:
        return shlex.split(words[2])[1]
    return words[0]


def check_cache_order(instructions: list[Instruction]) -> Check:
    """In each stage, only dependency manifests are copied in before the dependencies are
    installed, so a change to the code does not invalidate the install layer."""
    # practice 2: fail a stage that copies more than the manifests before its pip install
    # hint: remember the COPY/ADD seen so far in the stage; at each pip RUN, check their sources.
    installs = 0
    for stage in stages(instructions):
        copied: list[Instruction] = []
        for instruction in stage:
            if instruction.keyword in ("COPY", "ADD") and "from" not in instruction.flags():
                copied.append(instruction)
            elif instruction.keyword == "RUN" and PIP_INSTALL.search(instruction.args):
                installs += 1
                for copy in copied:
                    sources = [w for w in copy.args.split() if not w.startswith("--")][:-1]
                    stray = [s for s in sources if not any(m in s for m in MANIFESTS)]
                    if stray:
                        return Check(
                            "cache order",
                            False,
                            f"line {copy.line}: {' '.join(stray)} is copied before the install "
                            f"on line {instruction.line}",
                        )
    if not installs:
        return Check("cache order", False, "no pip install found")
    return Check("cache order", True, "only the lock is copied before pip installs")
    # end practice 2


CHECKS = (
    check_multi_stage,
    check_base_argument,
    check_cache_order,
    check_non_root,
    check_healthcheck,
    check_port,
    check_signals,
)


def check_dockerfile(text: str) -> list[Check]:
    """Every check, in order, on the Dockerfile ``text``."""
    instructions = parse(text)
    return [check(instructions) for check in CHECKS]


@cache
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    segments = pattern.split("/")
    regex = ""
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
            continue
        for char in segment:
            regex += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
        regex += "" if last else "/"
    return re.compile(regex)


def _clean(pattern: str) -> str:
    return str(PurePosixPath("/" + pattern.strip()))[1:] or "."


def ignored(dockerignore: str, path: str) -> bool:
    """Whether ``path`` (relative to the context) is left out of the build context."""
    path = _clean(path)
    # practice 3: apply the patterns in order, the last matching one wins
    # hint: a pattern matches the path or any parent folder of it; a `!` line brings it back in.
    parents = reversed(PurePosixPath(path).parents)
    candidates = [*(str(parent) for parent in parents if str(parent) != "."), path]
    excluded = False
    for raw in dockerignore.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        regex = _pattern_regex(_clean(line[1:] if negated else line))
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not negated
    return excluded
    # end practice 3
