"""The own scenario over real HTTP: green against the Blog API, and each kind of break caught.

The Blog API runs in a thread here (werkzeug's server on a free port of 127.0.0.1), so a test
can bend one of its responses with an ``after_request`` hook and see the scenario stop at that
step with the reason. ``test_main.py`` runs the whole thing under gunicorn.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask, Request, Response, request
from werkzeug.serving import make_server

from day10.scenario import STEPS, Step, check_response, run_scenario
from projects.blog_api import create_app
from projects.blog_api.tests.support import settings_for
from shared.testing import free_port

Hook = Callable[[Request, Response], None]
#: The report, line by line: the same whatever the run's names, tokens and slugs.
REPORT = [
    "POST   /api/users                                 201 user        register the author",
    "POST   /api/users                                 201 user        register the reader",
    "POST   /api/users/login                           200 user        the author logs in",
    "GET    /api/user                                  200 user        the token says who I am",
    "POST   /api/profiles/{author_name}/follow         200 profile     the reader follows the author",  # noqa: E501
    "POST   /api/articles                              201 article     the author writes an article",  # noqa: E501
    "GET    /api/articles/{slug}                       200 article     anyone can read it",
    "POST   /api/articles/{slug}/favorite              200 article     the reader favorites it",
    "POST   /api/articles/{slug}/comments              200 comment     the reader comments",
    "GET    /api/articles/{slug}/comments              200 comments    the comments list it",
    "GET    /api/articles/feed                         200 articles    the reader's feed has it",
    "GET    /api/articles?author={author_name}&limit=1 200 articles    a page of the author's articles",  # noqa: E501
    "DELETE /api/articles/{slug}/comments/{comment_id} 204 (no body)   the reader deletes the comment",  # noqa: E501
    "DELETE /api/articles/{slug}                       403 errors      but not the author's article",  # noqa: E501
    "DELETE /api/articles/{slug}                       204 (no body)   the author deletes it",
    "GET    /api/articles/{slug}                       404 errors      and it is gone",
    "POST   /api/articles                              401 errors      writing needs a token",
]  # fmt: skip
TITLES = [step.title for step in STEPS]


@contextmanager
def blog_api(database: Path, hook: Hook | None = None) -> Iterator[str]:
    """The Blog API on an SQLite file, served from a thread; yields its ``…/api`` URL."""
    app: Flask = create_app(settings_for(f"sqlite:///{database}"))
    if hook is not None:

        @app.after_request
        def bend(response: Response) -> Response:
            hook(request, response)
            return response

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["blog"].db.engine.dispose()


def edit_json(response: Response, change: Callable[[Any], None]) -> None:
    body = json.loads(response.get_data())
    change(body)
    response.set_data(json.dumps(body))


def run(database: Path, hook: Hook | None = None) -> list[Any]:
    with blog_api(database, hook) as api_url:
        return list(run_scenario(api_url))


def test_every_step_passes_against_the_blog_api(tmp_path: Path) -> None:
    results = run(tmp_path / "blog.db")

    assert [(result.step.title, result.problems) for result in results] == [
        (title, ()) for title in TITLES
    ]


def test_a_second_run_on_the_same_database_passes_too(tmp_path: Path) -> None:
    # Names are unique per run, so the scenario can run against a database that is not empty.
    database = tmp_path / "blog.db"
    with blog_api(database) as api_url:
        first = list(run_scenario(api_url))
        second = list(run_scenario(api_url))

    assert all(result.passed for result in first + second)
    assert len(second) == len(TITLES)


def test_a_missing_field_fails_its_step_and_stops_the_run(tmp_path: Path) -> None:
    def drop_following(req: Request, response: Response) -> None:
        if req.path.endswith("/follow"):
            edit_json(response, lambda body: body["profile"].pop("following"))

    results = run(tmp_path / "blog.db", drop_following)

    assert [result.passed for result in results] == [True] * 4 + [False]
    assert results[-1].step.title == "the reader follows the author"
    assert results[-1].problems == ('profile: "following" is a required property',)


def test_a_wrong_status_fails_its_step(tmp_path: Path) -> None:
    def created_as_ok(req: Request, response: Response) -> None:
        if req.method == "POST" and req.path == "/api/articles":
            response.status_code = 200

    *_, last = run(tmp_path / "blog.db", created_as_ok)

    assert last.step.title == "the author writes an article"
    [problem] = last.problems
    assert problem.startswith('expected status 201, got 200: {"article":'), problem


def test_a_wrong_fact_fails_its_step_with_expected_and_actual(tmp_path: Path) -> None:
    def one_too_many(req: Request, response: Response) -> None:
        if req.path.endswith("/favorite"):
            edit_json(response, lambda body: body["article"].update(favoritesCount=2))

    *_, last = run(tmp_path / "blog.db", one_too_many)

    assert (last.step.title, last.problems) == (
        "the reader favorites it",
        ("article.favoritesCount: expected 1, got 2",),
    )


def test_a_feed_without_the_article_fails(tmp_path: Path) -> None:
    def empty_feed(req: Request, response: Response) -> None:
        if req.path.endswith("/feed"):
            edit_json(response, lambda body: body.update(articles=[], articlesCount=0))

    *_, last = run(tmp_path / "blog.db", empty_feed)

    assert last.step.title == "the reader's feed has it"
    slugs, count, authors = last.problems
    assert slugs.startswith("articles[].slug: expected ['testing-an-api-"), slugs
    assert slugs.endswith("'], got []"), slugs
    assert count == "articlesCount: expected 1, got 0"
    assert authors == "articles[].author.following: expected [True], got []"


def skewed(value: Any, key: str = "") -> Any:
    """``value`` with every fact changed and its shape kept: text gets a "!", numbers grow by
    one, booleans flip; timestamps stay, so the shape still holds."""
    if isinstance(value, dict):
        return {name: skewed(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [skewed(item, key) for item in value]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str) and key not in ("createdAt", "updatedAt"):
        return value + "!"
    return value


def skew(method: str, path: str) -> Hook:
    """A hook that skews the JSON answer to ``method`` on paths matching the template."""
    pattern = re.compile("/api" + re.sub(r"\{\w+\}", "[^/]+", path.split("?")[0]))

    def hook(req: Request, response: Response) -> None:
        if req.method == method and pattern.fullmatch(req.path):
            response.set_data(json.dumps(skewed(json.loads(response.get_data()))))

    return hook


@pytest.mark.parametrize(
    ("title", "facts"),
    [
        ("register the author", ["username"]),
        ("the token says who I am", ["user.email"]),
        ("the reader follows the author", ["profile.following"]),
        (
            "the author writes an article",
            ["article.title", "article.tagList", "article.favoritesCount", "author.username"],
        ),
        ("anyone can read it", ["article.body"]),
        ("the reader favorites it", ["article.favorited", "article.favoritesCount"]),
        ("the reader comments", ["comment.body", "author.username"]),
        ("the comments list it", ["comments[].id"]),
        (
            "the reader's feed has it",
            ["articles[].slug", "articlesCount", "articles[].author.following"],
        ),
        ("a page of the author's articles", ["articles[].slug", "articlesCount"]),
    ],
)
def test_each_fact_of_a_step_is_checked_and_named(
    title: str, facts: list[str], tmp_path: Path
) -> None:
    [step] = [step for step in STEPS if step.title == title]

    *before, last = run(tmp_path / "blog.db", skew(step.method, step.path))

    assert all(result.passed for result in before), before
    assert last.step.title == title
    assert [problem.split(": expected ")[0] for problem in last.problems] == facts, last.problems


def test_an_answer_that_is_not_json_fails_its_step(tmp_path: Path) -> None:
    def html(req: Request, response: Response) -> None:
        if req.path == "/api/user":
            response.set_data("<html>")

    *_, last = run(tmp_path / "blog.db", html)

    assert (last.step.title, last.problems) == (
        "the token says who I am",
        ("expected a JSON body, got '<html>'",),
    )


def test_the_runs_names_come_from_its_tag(tmp_path: Path) -> None:
    sent: list[Any] = []
    http = requests.Session()
    http.trust_env = False
    http.hooks["response"].append(lambda response, **_: sent.append(response.request))
    with blog_api(tmp_path / "blog.db") as api_url:
        results = list(run_scenario(api_url, tag="abc", http=http))
        random = list(run_scenario(api_url, http=http))

    bodies = [json.loads(request.body) for request in sent if request.body]
    users = [body["user"]["username"] for body in bodies if "username" in body.get("user", {})]
    titles = [body["article"]["title"] for body in bodies if "article" in body]
    assert all(result.passed for result in results + random)
    assert users[:2] == ["e2e_abc_1", "e2e_abc_2"], users
    assert titles[0] == "Testing an API (abc)", titles
    assert re.fullmatch(r"e2e_[0-9a-f]{8}_1", users[2]), users


def test_a_server_that_never_answers_fails_the_first_step_after_the_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        api_url = f"http://127.0.0.1:{silent.getsockname()[1]}/api"

        results = list(run_scenario(api_url, timeout=0.5))

    assert [(result.step.title, result.problems) for result in results] == [
        ("register the author", ("no answer: ReadTimeout",))
    ]


def test_a_server_that_is_not_there_fails_the_first_step() -> None:
    results = list(run_scenario(f"http://127.0.0.1:{free_port()}/api"))

    assert [(result.step.title, result.problems) for result in results] == [
        ("register the author", ("no answer: ConnectionError",))
    ]


# --- one response, checked -----------------------------------------------------------------

NO_BODY = Step("delete it", "DELETE", "/articles/{slug}", 204, None)
TAGS = Step("the tags", "GET", "/tags", 200, "tags")
FIRST_TAG = Step(
    "the first tag", "GET", "/tags", 200, "tags",
    expect=lambda body, seen: [("tags[0]", body["tags"][0], seen["tag"])],
)  # fmt: skip


@pytest.mark.parametrize(
    ("step", "status", "text", "body", "problems"),
    [
        (NO_BODY, 204, "", None, []),
        (NO_BODY, 204, "{}", {}, ["expected no body, got '{}'"]),
        (TAGS, 200, "<html>", None, ["expected a JSON body, got '<html>'"]),
        (TAGS, 200, '{"tags": []}', {"tags": []}, []),
        (TAGS, 200, '{"tags": {}}', {"tags": {}}, ['tags: {} is not of type "array"']),
        (TAGS, 500, "boom", None, ["expected status 200, got 500: boom"]),
        (TAGS, 500, "x" * 300, None, ["expected status 200, got 500: " + "x" * 200]),
        (NO_BODY, 204, "y" * 300, None, [f"expected no body, got {'y' * 200!r}"]),
        (TAGS, 200, "z" * 300, None, [f"expected a JSON body, got {'z' * 200!r}"]),
        (FIRST_TAG, 200, "", {"tags": {}}, ['tags: {} is not of type "array"']),
        (FIRST_TAG, 200, "", {"tags": ["day10"]}, []),
        (FIRST_TAG, 200, "", {"tags": ["day09"]}, ["tags[0]: expected 'day10', got 'day09'"]),
        (
            FIRST_TAG,
            200,
            "",
            {"tags": []},
            ["cannot check the response: IndexError: list index out of range"],
        ),
    ],
    ids=[
        "no body",
        "a body where none belongs",
        "not JSON",
        "fits",
        "wrong shape",
        "status",
        "long status text",
        "long body",
        "long non-JSON",
        "wrong shape before facts",
        "a fact holds",
        "a fact fails",
        "a fact cannot be read",
    ],
)
def test_check_response(step: Step, status: int, text: str, body: Any, problems: list[str]) -> None:
    assert check_response(step, status, text, body, {"tag": "day10"}) == problems


def test_the_report_shows_each_steps_request_answer_and_purpose_never_the_runs_values() -> None:
    assert [step.line() for step in STEPS] == REPORT


def test_the_scenario_ignores_a_proxy_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests sends even 127.0.0.1 through $HTTP_PROXY unless told not to trust the
    # environment (or $NO_PROXY names the host); a proxy that is not there fails the request.
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    with blog_api(tmp_path / "blog.db") as api_url:
        with pytest.raises(requests.exceptions.ProxyError):
            requests.get(f"{api_url}/tags", timeout=5)
        results = list(run_scenario(api_url))

    assert all(result.passed for result in results), results[-1]
    assert len(results) == len(TITLES)
