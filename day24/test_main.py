"""`python -m day24` on the repository's descriptors, and on broken copies of them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from day24.__main__ import REPO_ROOT, main

FILES = ("Procfile", "app.json", "render.yaml")


@pytest.fixture
def copies(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    return tmp_path


def test_the_repositorys_descriptors_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and out.endswith("0 problem(s)\n"), out


def test_the_demo_runs_as_a_module_and_exits_0() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "day24"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_failing_check_exits_1_and_says_what(
    copies: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (copies / "Procfile").read_text().replace("0.0.0.0:$PORT", "127.0.0.1:8000")
    (copies / "Procfile").write_text(text)
    assert main(["--root", str(copies)]) == 1
    assert "FAIL Procfile web does not bind 0.0.0.0:$PORT" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("app.json", "{", "app.json does not parse: Expecting property name"),
        ("render.yaml", "services: [", "render.yaml does not parse: while parsing"),
        ("Procfile", "web\n", "Procfile does not parse: line 1: expected 'name: command'"),
    ],
    ids=["json", "yaml", "procfile"],
)
def test_a_file_that_does_not_parse_exits_2_in_one_line(
    copies: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    (copies / name).write_text(text)
    with pytest.raises(SystemExit) as exit_:
        main(["--root", str(copies)])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err and err.count("\n") == 1, err


def test_a_missing_file_exits_2(copies: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (copies / "render.yaml").unlink()
    with pytest.raises(SystemExit) as exit_:
        main(["--root", str(copies)])
    assert exit_.value.code == 2
    assert "cannot read render.yaml: No such file or directory" in capsys.readouterr().err
