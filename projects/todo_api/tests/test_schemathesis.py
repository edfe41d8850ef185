"""The served API against its own OpenAPI document, fuzzed by schemathesis.

gunicorn serves the app on a fresh SQLite file and an empty Redis; schemathesis reads
``/openapi.json`` from it and generates valid and invalid requests for every operation (a fixed
seed, a bounded number of examples). Every response must be no 5xx, carry a documented status
and match the documented schema; requests the document calls valid must be accepted, invalid
ones refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from shared.serve import served
from shared.testing.fuzz import findings

pytestmark = pytest.mark.slow

SEED = 20261202
EXAMPLES_PER_OPERATION = 25
# A valid request to a todo that is not there (or was deleted meanwhile) is a 404.
ACCEPTED = ["2XX", "404"]
# gunicorn refuses a request line over 4094 bytes (414) before the app runs.
REJECTED = ["400", "404", "405", "413", "414", "415", "422"]


def fuzzing_config() -> schemathesis.Config:
    """What to generate and which checks to run, as schemathesis.toml would say it."""
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "database": "none",
                # NUL is refused in titles (PostgreSQL cannot store it); test_validation.py
                # covers that, which the document's pattern does not spell out.
                "allow-x00": False,
            },
            "cache": {"enabled": False},
            "checks": {
                # DELETE /todos empties the list while other operations still hold ids.
                "ensure_resource_availability": {"enabled": False},
                "positive_data_acceptance": {"expected-statuses": ACCEPTED},
                "negative_data_rejection": {"expected-statuses": REJECTED},
            },
        }
    )


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[OpenApiSchema]:
    """The document of the API under gunicorn on a fresh SQLite file and an empty Redis, so
    the cache, the limits and the job endpoints (there only with a Redis) are fuzzed too."""
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    env = {
        **os.environ,
        "TODO_DATABASE_URL": f"sqlite:///{folder / 'todo.db'}",
        "TODO_REDIS_URL": redis_url,
    }
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    try:
        with served(
            "projects.todo_api:create_app()", env=env, workers=1, ready_path="/healthz"
        ) as server:
            yield schemathesis.openapi.from_url(
                f"{server.url}/openapi.json", config=fuzzing_config()
            )
    finally:
        store.flushdb()
        store.close()


@pytest.mark.timeout(240)
def test_the_served_api_answers_as_its_openapi_document_says(api_schema: OpenApiSchema) -> None:
    found = findings(api_schema)
    assert not found, f"{len(found)} findings:\n" + "\n".join(found)
