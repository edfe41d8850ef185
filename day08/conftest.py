"""Day 08's tests: Alembic's scripts imported under their package names.

Alembic imports ``env.py`` and each revision under a name made from the file name alone
(``env_py``, ``0003_split_full_name_py``). Here they are imported as ``day08.migrations.env`` and
``day08.migrations.versions.0003_split_full_name`` instead: the same files run the same way, but a
tool that follows functions by the module they belong to (``make mutate-day08``) sees that the
tests ran the migrations, not only ``migrate.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from alembic.util import pyfiles

DAY = Path(__file__).resolve().parent


def package_name(path: Path) -> str | None:
    """``day08.migrations.env`` for ``day08/migrations/env.py``; None outside this day."""
    if not path.is_relative_to(DAY) or path.suffix != ".py":
        return None
    return ".".join(path.relative_to(DAY.parent).with_suffix("").parts)


@pytest.fixture(autouse=True, scope="session")
def migrations_under_their_package_names() -> Iterator[None]:
    load = pyfiles.load_module_py

    def load_under_package_name(module_id: str, path: str | Path) -> ModuleType:
        return load(package_name(Path(path).resolve()) or module_id, path)

    pyfiles.load_module_py = load_under_package_name
    try:
        yield
    finally:
        pyfiles.load_module_py = load
