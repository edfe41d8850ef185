"""shared.testing.accessibility: the pinned axe-core, checked before it is cached or used, and
axe itself finding a violation in a real Chromium.

A stand-in ``npm`` (a script on an otherwise empty PATH) packs a small tarball, so the fetch,
the check and the cache are tested without the network; the last test uses the real release.
"""

from __future__ import annotations

import io
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import pytest

from shared.testing import accessibility
from shared.testing.accessibility import (
    IntegrityError,
    axe_source,
    axe_tarball,
    blocking,
    check_integrity,
    describe,
    integrity,
    run_axe,
)
from shared.testing.browser import headless_chromium

VERSION = "0.0.1"
SCRIPT = "window.axe = {version: 'stand-in'};"
#: ``npm pack NAME@VERSION --pack-destination FOLDER``, the one command the helper runs.
FAKE_NPM = """#!{python}
import io, pathlib, sys, tarfile
with open({calls!r}, "a") as calls:
    calls.write(" ".join(sys.argv[1:]) + "\\n")
if {fail}:
    sys.exit("npm error code E404")
name, version = sys.argv[2].split("@")
folder = pathlib.Path(sys.argv[sys.argv.index("--pack-destination") + 1])
folder.joinpath(f"{{name}}-{{version}}.tgz").write_bytes({tarball!r})
"""


def tarball_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


PACKED = tarball_of({"package/axe.min.js": SCRIPT, "package/package.json": "{}"})


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder, and a PATH with no npm on it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.delenv("REQUIRE_SERVICES", raising=False)
    return tmp_path / "cache" / "backend-45"


@pytest.fixture
def npm_calls(tmp_path: Path) -> Path:
    return tmp_path / "npm-calls.txt"


def install_npm(tmp_path: Path, calls: Path, tarball: bytes = PACKED, fail: bool = False) -> None:
    """Put the stand-in npm on the PATH the ``cache`` fixture set."""
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir(exist_ok=True)
    npm.write_text(
        FAKE_NPM.format(python=sys.executable, calls=str(calls), fail=fail, tarball=tarball)
    )
    npm.chmod(0o755)


def test_integrity_is_npms_sha512_string():
    # `printf '' | openssl dgst -sha512 -binary | base64`, as npm writes it.
    assert integrity(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKH"
        "fuwvY7kxvUdBeoGlODJ6+SfaPg=="
    )


def test_a_tarball_is_read_only_when_its_hash_matches(tmp_path: Path):
    tarball = tmp_path / "axe.tgz"
    tarball.write_bytes(PACKED)
    assert check_integrity(tarball, integrity(PACKED)) == PACKED
    with pytest.raises(IntegrityError, match="expected sha512-"):
        check_integrity(tarball, integrity(b"another release"))


def test_the_pinned_release_is_a_sha512_integrity():
    assert accessibility.AXE_INTEGRITY.startswith("sha512-")
    assert len(accessibility.AXE_INTEGRITY) == len(integrity(b""))


def test_npm_packs_the_release_once_then_the_cache_serves_it(
    tmp_path: Path, cache: Path, npm_calls: Path
):
    install_npm(tmp_path, npm_calls)
    first = axe_tarball(VERSION, integrity(PACKED))
    second = axe_tarball(VERSION, integrity(PACKED))
    assert first == second == cache / f"axe-core-{VERSION}.tgz"
    [call] = npm_calls.read_text().splitlines()
    assert call.startswith(f"pack axe-core@{VERSION} --pack-destination {cache}/npm-pack-")
    assert [path.name for path in cache.iterdir()] == [first.name]


def test_axe_source_is_the_script_inside_the_tarball(tmp_path: Path, cache: Path, npm_calls):
    install_npm(tmp_path, npm_calls)
    assert axe_source(VERSION, integrity(PACKED)) == SCRIPT


def test_a_packed_tarball_with_another_hash_fails_and_is_not_cached(
    tmp_path: Path, cache: Path, npm_calls: Path
):
    install_npm(tmp_path, npm_calls, tarball=tarball_of({"package/axe.min.js": "evil()"}))
    with pytest.raises(IntegrityError):
        axe_tarball(VERSION, integrity(PACKED))
    assert not (cache / f"axe-core-{VERSION}.tgz").exists()


def test_a_cached_tarball_that_changed_fails_even_without_npm(cache: Path):
    cache.mkdir(parents=True)
    (cache / f"axe-core-{VERSION}.tgz").write_bytes(b"not the release")
    with pytest.raises(IntegrityError):
        axe_tarball(VERSION, integrity(PACKED))


def test_without_npm_the_test_is_skipped(cache: Path):
    with pytest.raises(pytest.skip.Exception, match="no npm to fetch axe-core"):
        axe_tarball(VERSION, integrity(PACKED))


def test_without_npm_the_test_fails_when_services_are_required(
    cache: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_SERVICES=1 and no npm"):
        axe_tarball(VERSION, integrity(PACKED))


def test_a_failed_npm_pack_skips_with_npms_own_message(
    tmp_path: Path, cache: Path, npm_calls: Path
):
    install_npm(tmp_path, npm_calls, fail=True)
    with pytest.raises(pytest.skip.Exception, match="failed: npm error code E404"):
        axe_tarball(VERSION, integrity(PACKED))


VIOLATIONS = [
    {
        "id": "image-alt",
        "impact": "critical",
        "help": "Images must have alternative text",
        "nodes": [{"target": ["img"]}, {"target": ["#logo"]}],
    },
    {"id": "region", "impact": "moderate", "help": "Content in landmarks", "nodes": []},
]


def test_blocking_keeps_the_serious_and_critical_violations():
    assert [violation["id"] for violation in blocking(VIOLATIONS)] == ["image-alt"]


def test_describe_names_the_rule_and_where_it_failed():
    assert describe(VIOLATIONS[:1]) == (
        "critical: image-alt (Images must have alternative text) at img, #logo"
    )


BAD_PAGE = """<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>
<h1>A page</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><p style="color:#ccc">
Pale text</p></main></body></html>"""


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_axe_finds_a_missing_alt_and_pale_text_in_chromium():
    source = axe_source()
    with headless_chromium() as browser:
        browser.get("data:text/html;charset=utf-8," + quote(BAD_PAGE))
        found = {violation["id"] for violation in run_axe(browser, source=source)}
        assert {"image-alt", "color-contrast"} <= found, found
        without = {violation["id"] for violation in run_axe(browser, disable=["image-alt"])}
        assert without == found - {"image-alt"}
        only = run_axe(browser, only=["color-contrast"], source=source)
        assert [violation["id"] for violation in only] == ["color-contrast"]
