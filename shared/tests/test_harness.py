"""The service harness: a missing service skips, or fails under REQUIRE_SERVICES=1, and says why."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared.testing import backend_of, plugin

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _own_summary(monkeypatch):
    # These tests call the harness directly; keep their pretend outages out of the real summary.
    monkeypatch.setattr(plugin, "_unavailable", {})


def test_a_missing_service_skips_with_how_to_get_it(monkeypatch):
    monkeypatch.delenv("REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception) as outcome:
        plugin.unavailable("redis", "REDIS_URL unset and redis-server not installed")
    assert "apt-get install redis-server" in str(outcome.value)


def test_require_services_turns_the_skip_into_a_failure(monkeypatch):
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception) as outcome:
        plugin.unavailable("mysql", "MYSQL_URL unset and mariadbd not installed")
    assert str(outcome.value).startswith("REQUIRE_SERVICES=1 and mysql unavailable")


@pytest.mark.parametrize("required", ["", "1"])
def test_the_run_ends_with_one_line_per_missing_service(tmp_path, required):
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["shared.testing.plugin"]\n')
    (tmp_path / "test_needs_postgres.py").write_text(
        textwrap.dedent(
            """
            from shared.testing import plugin

            def test_one():
                plugin.unavailable("postgres", "POSTGRES_URL unset")

            def test_two():
                plugin.unavailable("postgres", "POSTGRES_URL unset")
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REQUIRE_SERVICES": required}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    summary = [line for line in result.stdout.splitlines() if line.startswith("skipped tests:")]
    assert summary == [
        "skipped tests: postgres unavailable (POSTGRES_URL unset): "
        + plugin.SERVICES["postgres"].how
    ], result.stdout
    assert result.returncode == (1 if required else 0), result.stdout


def test_db_url_reaches_a_real_server_of_its_backend(db_url, db_engine):
    backend = sa.make_url(db_url).get_backend_name()
    with db_engine.connect() as connection:
        version = {
            "sqlite": "SELECT sqlite_version()",
            "mysql": "SELECT VERSION()",
            "postgresql": "SELECT version()",
        }[backend]
        assert connection.exec_driver_sql(version).scalar()


@pytest.mark.postgres
def test_postgres_databases_have_pgvector(make_database):
    engine = sa.create_engine(make_database("postgres"))
    with engine.connect() as connection:
        distance = connection.exec_driver_sql("SELECT '[1,0]'::vector <-> '[0,1]'::vector").scalar()
    engine.dispose()
    assert distance == pytest.approx(2**0.5)


def test_make_database_gives_a_new_empty_database_each_time(make_database, db_url):
    backend = backend_of(db_url)
    first, second = make_database(backend), make_database(backend)
    assert first != second
    engine = sa.create_engine(second)
    assert sa.inspect(engine).get_table_names() == []
    engine.dispose()


def test_a_hung_test_fails_in_bounded_time_instead_of_hanging_the_run(tmp_path):
    hangs = "import time\n\n\ndef test_hangs():\n    time.sleep(60)\n"
    (tmp_path / "test_hangs.py").write_text(hangs)
    # The project's own configuration, with the per-test limit lowered to keep this quick.
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml")),
            *("-o", "timeout=1", "--rootdir", str(tmp_path), str(tmp_path)),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1, result.stdout
    assert "Timeout (>1.0s)" in result.stdout, result.stdout
    assert "1 failed" in result.stdout.splitlines()[-1], result.stdout


def test_every_test_has_a_time_limit_by_default(pytestconfig):
    assert float(pytestconfig.getini("timeout")) > 0
