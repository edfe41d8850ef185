"""The served API against its own OpenAPI document, fuzzed by schemathesis.

gunicorn serves the app on a fresh SQLite file; schemathesis reads ``/api/openapi.json`` from
it, generates valid and invalid requests for every operation (with a deterministic seed and a
bounded number of examples), then walks the document's links (create an article, then show,
update, favourite, comment on and delete it...). Every response must be no 5xx, carry a
documented status and match the documented schema; requests the document calls valid must be
accepted, and invalid ones refused. Authenticated operations get ``Authorization: Token <jwt>``
of an account registered for the run, and of a fresh one whenever a token stops working (the
fuzzer changes the account's password and username too).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from projects.blog_api.tests.support import CHEAP_HASHING, PASSWORD, SECRET, unique
from shared.serve import served
from shared.testing.fuzz import findings

pytestmark = pytest.mark.slow

SEED = 20260205
EXAMPLES_PER_OPERATION = 12
STATEFUL_STEPS = 6
# schemathesis's default answers to a valid request (positive_data_acceptance); the operations
# below may also answer 422 for a rule no schema can state: a username or email another
# account has, or following oneself.
ACCEPTED = ["2XX", "3XX", "401", "403", "404", "409", "429", "5XX"]
# ... and to an invalid one (negative_data_rejection), to which gunicorn may also answer 414.
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5XX"]
BUSINESS_RULE_OPERATIONS = [
    "POST /api/users",
    "PUT /api/user",
    "POST /api/profiles/{username}/follow",
]


def fuzzing_config() -> schemathesis.Config:
    """What to generate and which checks to run, as schemathesis.toml would say it."""
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "database": "none",
                # NUL is refused everywhere (the databases cannot store it), which the
                # document does not spell out in every pattern; test_validation.py covers it.
                "allow-x00": False,
            },
            "cache": {"enabled": False},
            "phases": {
                "stateful": {
                    "max-steps": STATEFUL_STEPS,
                    # Only the links the document declares, not ones guessed from field names.
                    "inference": {"algorithms": []},
                },
            },
            "checks": {
                # A new title gives an article a new slug, so a link from "create" to the old
                # slug 404s after an update; this check would call that a lost resource.
                "ensure_resource_availability": {"enabled": False},
                # gunicorn refuses a request line over 4094 bytes before the app runs.
                "negative_data_rejection": {"expected-statuses": [*REJECTED, "414"]},
            },
            "operations": [
                {
                    "include-name": BUSINESS_RULE_OPERATIONS,
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}
                    },
                }
            ],
        }
    )


@pytest.fixture(scope="module")
def blog_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API under gunicorn on a fresh SQLite file, with logins not rate-limited."""
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    env = {
        **os.environ,
        "BLOG_DATABASE_URL": f"sqlite:///{folder / 'blog.db'}",
        "BLOG_SECRET_KEY": SECRET,
        "BLOG_REDIS_URL": "",
        "BLOG_LOGIN_RATE_LIMIT": "100000 per minute",
        **{f"BLOG_{key}": str(value) for key, value in CHEAP_HASHING.items()},
    }
    with served(
        "projects.blog_api:create_app()", env=env, workers=1, ready_path="/api/tags"
    ) as server:
        yield server.url


def register(url: str) -> str:
    """A new account's token."""
    name = unique("fuzz")
    response = requests.post(
        f"{url}/api/users",
        json={"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["user"]["token"])


@pytest.fixture(scope="module")
def api_schema(blog_url: str) -> OpenApiSchema:
    """The served document, authenticating as a registered account."""
    schema = schemathesis.openapi.from_url(f"{blog_url}/api/openapi.json", config=fuzzing_config())

    @schema.auth(refresh_interval=None)
    class FreshAccount:
        """A token of a new account; schemathesis asks again after a 401 (retry_on)."""

        def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
            return register(blog_url)

        def set(
            self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext
        ) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}

    return schema


@pytest.mark.timeout(300)
def test_the_served_api_answers_as_its_openapi_document_says(api_schema: OpenApiSchema) -> None:
    found = findings(api_schema)
    assert not found, f"{len(found)} findings:\n" + "\n".join(found)
