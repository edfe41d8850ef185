"""The Blog API's own end-to-end scenario: what one reader and one author do, over real HTTP.

Register, log in, follow, write an article, favorite it, comment, read the feed, and delete,
plus the refusals a client must get (someone else's article, no token, a deleted article).
Each :class:`Step` is one request: who sends it, what it sends, the status it must get, the
shape its body must have (:mod:`day10.shapes`) and the facts that must hold in it. The data
comes from the factories in :mod:`day10.factories`, under names unique to the run, so the
scenario also passes on a database that earlier runs have written to.

:func:`run_scenario` stops at the first step that fails: every later step builds on the ones
before it (a token, a slug), so what they would report is noise.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests

from day10.factories import article_factory, comment_factory, user_factory
from day10.shapes import violations

#: Seconds a request may take before the step fails, so a stuck server cannot hang a run.
REQUEST_TIMEOUT = 10.0

Seen = dict[str, Any]
#: (what, actual, expected): one fact a step checks in a response body.
Fact = tuple[str, Any, Any]


@dataclass(frozen=True)
class Step:
    """One request of the scenario and what its response must be.

    ``path`` is a template filled from what earlier steps kept (``{slug}``); ``send`` builds
    the JSON body; ``expect`` lists facts about the response body; ``keep`` returns values
    for later steps. ``shape`` None means the response has no body (204).
    """

    title: str
    method: str
    path: str
    status: int
    shape: str | None
    user: str | None = None
    send: Callable[[Seen], Any] | None = None
    expect: Callable[[Any, Seen], list[Fact]] | None = None
    keep: Callable[[Any], Seen] | None = None

    def line(self) -> str:
        """The step as the report shows it: method, path template, status and shape."""
        answer = f"{self.status} {self.shape or '(no body)'}"
        return f"{self.method:<6} /api{self.path:<38} {answer:<15} {self.title}"


@dataclass(frozen=True)
class Result:
    """A step that ran, and what was wrong with its response (nothing, when it passed)."""

    step: Step
    problems: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.problems


def scenario_data(tag: str) -> Seen:
    """What the run sends: two users, an article and a comment, made unique by ``tag``."""
    users = user_factory(prefix=f"e2e_{tag}_")
    return {
        "author": users.build(),
        "reader": users.build(),
        "article": article_factory().build(title=f"Testing an API ({tag})"),
        "comment": comment_factory().build(),
    }


def _following(body: Any, seen: Seen) -> list[Fact]:
    return [("profile.following", body["profile"]["following"], True)]


#: The scenario, in order. Each step reads what it sends from ``seen``: the run's data
#: (:func:`scenario_data`) and what earlier steps kept (tokens, the slug, the comment's id).
STEPS: list[Step] = [
    Step(
        "register the author",
        "POST",
        "/users",
        201,
        "user",
        send=lambda seen: {"user": seen["author"]},
        expect=lambda body, seen: [
            ("username", body["user"]["username"], seen["author"]["username"])
        ],
        keep=lambda body: {"author_name": body["user"]["username"]},
    ),
    Step(
        "register the reader",
        "POST",
        "/users",
        201,
        "user",
        send=lambda seen: {"user": seen["reader"]},
        keep=lambda body: {"reader_token": body["user"]["token"]},
    ),
    Step(
        "the author logs in",
        "POST",
        "/users/login",
        200,
        "user",
        send=lambda seen: {
            "user": {"email": seen["author"]["email"], "password": seen["author"]["password"]}
        },
        keep=lambda body: {"author_token": body["user"]["token"]},
    ),
    Step(
        "the token says who I am",
        "GET",
        "/user",
        200,
        "user",
        user="author",
        expect=lambda body, seen: [("user.email", body["user"]["email"], seen["author"]["email"])],
    ),
    Step(
        "the reader follows the author",
        "POST",
        "/profiles/{author_name}/follow",
        200,
        "profile",
        user="reader",
        expect=_following,
    ),
    Step(
        "the author writes an article",
        "POST",
        "/articles",
        201,
        "article",
        user="author",
        send=lambda seen: {"article": seen["article"]},
        expect=lambda body, seen: [
            ("article.title", body["article"]["title"], seen["article"]["title"]),
            (
                "article.tagList",
                sorted(body["article"]["tagList"]),
                sorted(seen["article"]["tagList"]),
            ),
            ("article.favoritesCount", body["article"]["favoritesCount"], 0),
            ("author.username", body["article"]["author"]["username"], seen["author"]["username"]),
        ],
        keep=lambda body: {"slug": body["article"]["slug"]},
    ),
    Step(
        "anyone can read it",
        "GET",
        "/articles/{slug}",
        200,
        "article",
        expect=lambda body, seen: [
            ("article.body", body["article"]["body"], seen["article"]["body"])
        ],
    ),
    Step(
        "the reader favorites it",
        "POST",
        "/articles/{slug}/favorite",
        200,
        "article",
        user="reader",
        expect=lambda body, seen: [
            ("article.favorited", body["article"]["favorited"], True),
            ("article.favoritesCount", body["article"]["favoritesCount"], 1),
        ],
    ),
    Step(
        "the reader comments",
        "POST",
        "/articles/{slug}/comments",
        200,
        "comment",
        user="reader",
        send=lambda seen: {"comment": seen["comment"]},
        expect=lambda body, seen: [
            ("comment.body", body["comment"]["body"], seen["comment"]["body"]),
            ("author.username", body["comment"]["author"]["username"], seen["reader"]["username"]),
        ],
        keep=lambda body: {"comment_id": body["comment"]["id"]},
    ),
    Step(
        "the comments list it",
        "GET",
        "/articles/{slug}/comments",
        200,
        "comments",
        expect=lambda body, seen: [
            ("comments[].id", [c["id"] for c in body["comments"]], [seen["comment_id"]]),
        ],
    ),
    Step(
        "the reader's feed has it",
        "GET",
        "/articles/feed",
        200,
        "articles",
        user="reader",
        expect=lambda body, seen: [
            ("articles[].slug", [a["slug"] for a in body["articles"]], [seen["slug"]]),
            ("articlesCount", body["articlesCount"], 1),
            (
                "articles[].author.following",
                [a["author"]["following"] for a in body["articles"]],
                [True],
            ),
        ],
    ),
    Step(
        "a page of the author's articles",
        "GET",
        "/articles?author={author_name}&limit=1",
        200,
        "articles",
        expect=lambda body, seen: [
            ("articles[].slug", [a["slug"] for a in body["articles"]], [seen["slug"]]),
            ("articlesCount", body["articlesCount"], 1),
        ],
    ),
    Step(
        "the reader deletes the comment",
        "DELETE",
        "/articles/{slug}/comments/{comment_id}",
        204,
        None,
        user="reader",
    ),
    Step(
        "but not the author's article",
        "DELETE",
        "/articles/{slug}",
        403,
        "errors",
        user="reader",
    ),
    Step("the author deletes it", "DELETE", "/articles/{slug}", 204, None, user="author"),
    Step("and it is gone", "GET", "/articles/{slug}", 404, "errors"),
    Step(
        "writing needs a token",
        "POST",
        "/articles",
        401,
        "errors",
        send=lambda seen: {"article": seen["article"]},
    ),
]


def check_response(step: Step, status: int, text: str, body: Any, seen: Seen) -> list[str]:
    """What is wrong with a response to ``step``: its status, its shape, then its facts."""
    if status != step.status:
        return [f"expected status {step.status}, got {status}: {text[:200]}"]
    if step.shape is None:
        return [] if text == "" else [f"expected no body, got {text[:200]!r}"]
    if body is None:
        return [f"expected a JSON body, got {text[:200]!r}"]
    problems = violations(step.shape, body)
    if problems or step.expect is None:
        return problems
    try:
        facts = step.expect(body, seen)
    except (LookupError, TypeError) as error:
        # The shape holds, but a fact needs more than the shape promises (an empty list).
        return [f"cannot check the response: {type(error).__name__}: {error}"]
    return [
        f"{what}: expected {expected!r}, got {actual!r}"
        for what, actual, expected in facts
        if actual != expected
    ]


def run_scenario(
    api_url: str,
    tag: str | None = None,
    http: requests.Session | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> Iterator[Result]:
    """Run the scenario against ``api_url`` (ending in ``/api``), yielding each step's result.

    Stops after the first step that fails. ``tag`` makes the run's names unique (random by
    default); ``http`` is the session the requests go through; ``timeout`` bounds each request,
    in seconds.
    """
    tag = tag or secrets.token_hex(4)
    if http is None:
        http = requests.Session()
        http.trust_env = False  # straight to the server, whatever http_proxy says
    seen = scenario_data(tag)
    for step in STEPS:
        token = seen.get(f"{step.user}_token") if step.user else None
        headers = {"Authorization": f"Token {token}"} if token else {}
        payload = step.send(seen) if step.send else None
        try:
            response = http.request(
                step.method,
                api_url + step.path.format(**seen),
                json=payload,
                headers=headers,
                timeout=timeout,
            )
        except requests.RequestException as error:
            yield Result(step, (f"no answer: {type(error).__name__}",))
            return
        try:
            body = response.json() if response.text else None
        except ValueError:
            body = None
        problems = check_response(step, response.status_code, response.text, body, seen)
        if problems:
            yield Result(step, tuple(problems))
            return
        if step.keep:
            seen.update(step.keep(body))
        yield Result(step)
