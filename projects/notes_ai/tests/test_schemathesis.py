"""The served API against its own OpenAPI document, fuzzed by schemathesis.

gunicorn serves the app on a fresh SQLite file with the local embedder and the offline answerer;
schemathesis reads ``/api/openapi.json`` from it and generates valid and invalid requests for
every operation (a fixed seed, a bounded number of examples), then walks the document's links.
Every response must be no 5xx, carry a documented status and match the documented schema;
requests the document calls valid must be accepted, invalid ones refused. Operations that need
a token get ``Authorization: Bearer <jwt>`` of an account registered for the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from projects.notes_ai.tests.conftest import CHEAP_PASSWORDS, PASSWORD
from shared.serve import served
from shared.testing.fuzz import findings

pytestmark = pytest.mark.slow

SEED = 20261202
EXAMPLES_PER_OPERATION = 8
STATEFUL_STEPS = 4
# schemathesis's default answers to a valid request, and the 422 of a rule no schema states:
# an email that an earlier example registered.
ACCEPTED = ["2XX", "3XX", "401", "403", "404", "409", "422", "429", "5XX"]
# ... and to an invalid one; gunicorn refuses a request line over 4094 bytes with a 414.
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "5XX"]


def fuzzing_config() -> schemathesis.Config:
    """What to generate and which checks to run, as schemathesis.toml would say it."""
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "database": "none",
                # NUL is refused everywhere (test_validation.py), which no pattern spells out.
                "allow-x00": False,
            },
            "cache": {"enabled": False},
            "phases": {
                "stateful": {"max-steps": STATEFUL_STEPS, "inference": {"algorithms": []}},
            },
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ACCEPTED},
                "negative_data_rejection": {"expected-statuses": REJECTED},
            },
        }
    )


@pytest.fixture(scope="module")
def notes_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API under gunicorn on a fresh SQLite file, offline."""
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    env = {
        **os.environ,
        "NOTES_DATABASE_URL": f"sqlite:///{folder / 'notes.db'}",
        "NOTES_LLM": "offline",
        "NOTES_EMBEDDINGS": "local",
        "NOTES_REDIS_URL": "",
        "NOTES_OPENAI_API_KEY": "",
        "OPENAI_API_KEY": "",
        "NOTES_OPENAI_BASE_URL": "",
        "OPENAI_BASE_URL": "",
        **{f"NOTES_{key}": str(value) for key, value in CHEAP_PASSWORDS.items()},
    }
    with served(
        "projects.notes_ai:create_app()", env=env, workers=1, ready_path="/api", timeout=60
    ) as server:
        yield server.url


def register(url: str) -> str:
    """A new account's token."""
    email = f"fuzz-{uuid.uuid4().hex[:12]}@example.com"
    response = requests.post(
        f"{url}/api/auth/register", json={"email": email, "password": PASSWORD}, timeout=10
    )
    response.raise_for_status()
    return str(response.json()["token"])


@pytest.fixture(scope="module")
def api_schema(notes_url: str) -> OpenApiSchema:
    """The served document, authenticating as a registered account."""
    schema = schemathesis.openapi.from_url(f"{notes_url}/api/openapi.json", config=fuzzing_config())

    @schema.auth(refresh_interval=None)
    class Account:
        """The token of an account registered for the run."""

        def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
            return register(notes_url)

        def set(
            self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext
        ) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return schema


@pytest.mark.timeout(120)
def test_the_served_api_answers_as_its_openapi_document_says(api_schema: OpenApiSchema) -> None:
    found = findings(api_schema)
    assert not found, f"{len(found)} findings:\n" + "\n".join(found)
