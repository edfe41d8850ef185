"""axe-core in the browser tests: a pinned npm release, checked, cached and injected with Selenium.

``npm pack axe-core@AXE_VERSION`` fetches the release tarball once into ``~/.cache/backend-45/``
(``$XDG_CACHE_HOME/backend-45/`` when set); its sha512 must match :data:`AXE_INTEGRITY`, npm's
own integrity string for that release, every time it is read. ``axe.min.js`` comes out of the
tarball, goes into the page with ``execute_script`` (which the page's Content-Security-Policy
does not govern) and ``axe.run`` reports the violations.

Without npm, or when the download fails, a test is skipped, or fails when
``REQUIRE_SERVICES=1``; a tarball whose hash does not match always fails.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from shared.testing.plugin import services_required

AXE_VERSION = "4.11.0"
#: ``npm view axe-core@4.11.0 dist.integrity``: the sha512 of the release tarball.
AXE_INTEGRITY = (
    "sha512-ilYanEU8vxxBexpJd8cWM4ElSQq4QctCLKih0TSfjIfCQTeyH/"
    "6zVrmIJfLPrKTKJRbiG+cfnZbQIjAlJmF1jQ=="
)
#: The impacts a page must not have.
BLOCKING = ("serious", "critical")
NPM_TIMEOUT = 120


class IntegrityError(RuntimeError):
    """The axe-core tarball is not the release :data:`AXE_INTEGRITY` names."""


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/backend-45``, else ``~/.cache/backend-45``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "backend-45"


def integrity(data: bytes) -> str:
    """npm's integrity string for ``data``: ``sha512-`` and the base64 digest."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def check_integrity(tarball: Path, expected: str = AXE_INTEGRITY) -> bytes:
    """The tarball's bytes, once their sha512 matches ``expected``; else :class:`IntegrityError`."""
    data = tarball.read_bytes()
    found = integrity(data)
    if found != expected:
        raise IntegrityError(f"{tarball} has integrity {found}, expected {expected}")
    return data


def _unavailable(message: str) -> None:
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 and {message}", pytrace=False)
    pytest.skip(message)


def axe_tarball(version: str = AXE_VERSION, expected: str = AXE_INTEGRITY) -> Path:
    """The checked ``axe-core-<version>.tgz`` in the cache, fetched with ``npm pack`` if absent."""
    target = cache_dir() / f"axe-core-{version}.tgz"
    if not target.is_file():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("no npm to fetch axe-core: install Node.js (apt-get install npm)")
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix="npm-pack-") as folder:
            try:
                result = subprocess.run(
                    [str(npm), "pack", f"axe-core@{version}", "--pack-destination", folder],
                    capture_output=True,
                    text=True,
                    timeout=NPM_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                _unavailable(f"npm pack axe-core@{version} took over {NPM_TIMEOUT} s")
            packed = Path(folder) / f"axe-core-{version}.tgz"
            if result.returncode != 0 or not packed.is_file():
                _unavailable(f"npm pack axe-core@{version} failed: {result.stderr.strip()[-500:]}")
            check_integrity(packed, expected)
            # Only a checked tarball reaches the cache, in one rename.
            packed.replace(target)
    check_integrity(target, expected)
    return target


def axe_source(version: str = AXE_VERSION, expected: str = AXE_INTEGRITY) -> str:
    """The text of ``axe.min.js`` from the checked release tarball."""
    with tarfile.open(axe_tarball(version, expected), "r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        if member is None:
            raise IntegrityError("the axe-core tarball holds no package/axe.min.js")
        return member.read().decode("utf-8")


_RUN = """
const [options, done] = arguments;
axe.run(document, options).then(
  (results) => done({violations: results.violations, version: axe.version}),
  (error) => done({error: String(error)}),
);
"""


def run_axe(
    driver: WebDriver,
    *,
    disable: Iterable[str] = (),
    only: Iterable[str] = (),
    source: str | None = None,
) -> list[dict[str, Any]]:
    """Inject axe into the open page and return its violations.

    Every rule of axe's default set runs, but those in ``disable``; ``only`` runs just the rules
    it names. ``source`` is axe's script (default: :func:`axe_source`, read again for each page).
    Each violation is axe's own: ``id``, ``impact``, ``help``, ``helpUrl`` and the failing
    ``nodes``.
    """
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(source or axe_source())
    options: dict[str, Any] = {
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in disable},
    }
    if only := list(only):
        options["runOnly"] = {"type": "rule", "values": only}
    outcome = driver.execute_async_script(_RUN, options)
    if "error" in outcome:
        raise RuntimeError(f"axe.run failed: {outcome['error']}")
    return list(outcome["violations"])


def blocking(violations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations of impact serious or critical."""
    return [violation for violation in violations if violation.get("impact") in BLOCKING]


def describe(violations: Sequence[dict[str, Any]]) -> str:
    """One line per violation and up to three of its elements, for an assertion message."""
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node.get("target", []))) for node in violation["nodes"][:3]]
        where = ", ".join(targets)
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) at {where}")
    return "\n".join(lines)
