"""The finished site: figures, practice progress, and what every page may (not) reference.

The first tests build throwaway repositories; the walk at the end reads this checkout, every
route and all 45 day pages, so a lesson that pulls in another host's image fails here.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portfolio.app import create_app
from portfolio.days import DAY_COUNT
from portfolio.figures import RESULTS_DIR
from portfolio.tests.test_figures import BLOG, EVAL


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, f"GET {path}: {response.status_code}"
    return response.get_data(as_text=True)


@pytest.fixture
def progress_path(tmp_path: Path) -> Path:
    return tmp_path / "practice" / ".progress.json"


@pytest.fixture
def client(repo: Path, progress_path: Path) -> FlaskClient:
    app = create_app({"REPO_ROOT": str(repo), "PRACTICE_PROGRESS": str(progress_path)})
    return app.test_client()


def record(path: Path, days: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "days": days}), encoding="utf-8")


DAY05 = {
    "checked_at": "2026-12-02T21:30:00Z",
    "passed": 2,
    "total": 3,
    "tasks": [
        {"number": 1, "title": "count the words", "status": "passed"},
        {"number": 2, "title": "rank them", "status": "passed"},
        {"number": 3, "title": "print the table", "status": "failing"},
    ],
}


# --- /practice ----------------------------------------------------------------------------------


def test_practice_without_a_progress_file_says_how_to_start(client: FlaskClient):
    html = page(client, "/practice")
    assert "No practice yet: run make practice-day01." in html
    assert "<code>make practice-dayNN</code>" in html and "<code>make check-dayNN</code>" in html


def test_practice_shows_each_day_as_a_fraction_and_a_bar(client, progress_path: Path):
    record(progress_path, {"day05": DAY05})
    html = page(client, "/practice")
    assert '<a href="/days/day05">Day 05</a>' in html
    assert '<span class="fraction">2/3</span>' in html
    assert (
        '<progress max="3" value="2" aria-label="day05: 2 of 3 tasks pass">67%</progress>' in html
    )
    assert "Checked 2026-12-02 21:30 UTC" in html and "<code>make check-day05</code>" in html


def test_practice_lists_each_task_with_its_status(client, progress_path: Path):
    record(progress_path, {"day05": DAY05})
    html = page(client, "/practice")
    tasks = re.findall(r'<li class="task task-(\w+)" value="(\d)">([^<]+) <span', html)
    assert tasks == [
        ("passed", "1", "count the words"),
        ("passed", "2", "rank them"),
        ("failing", "3", "print the table"),
    ]


def test_practice_marks_a_day_whose_tasks_all_pass_as_done(client, progress_path: Path):
    record(progress_path, {"day01": {**DAY05, "passed": 3, "total": 3}})
    assert '<span class="fraction">3/3 · done</span>' in page(client, "/practice")


def test_practice_adds_up_every_day(client, progress_path: Path):
    record(progress_path, {"day05": DAY05, "day01": {**DAY05, "passed": 0}})
    assert "2 of 6 tasks pass across 2 days." in page(client, "/practice")


def test_a_malformed_progress_file_is_a_note_not_a_500(client, progress_path: Path):
    progress_path.parent.mkdir(parents=True)
    progress_path.write_text("{oops", encoding="utf-8")
    html = page(client, "/practice")
    assert '<p class="note note-broken">.progress.json could not be read (not JSON' in html


def test_the_progress_file_defaults_to_practice_under_the_repository(repo: Path):
    record(repo / "practice" / ".progress.json", {"day05": DAY05})
    client = create_app({"REPO_ROOT": str(repo)}).test_client()
    assert '<span class="fraction">2/3</span>' in page(client, "/practice")


# --- figures ------------------------------------------------------------------------------------


def write_result(repo: Path, name: str, content: Any) -> None:
    (repo / RESULTS_DIR).mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps(content)
    (repo / RESULTS_DIR / name).write_text(text, encoding="utf-8")


def test_figures_say_not_measured_yet_without_results(client: FlaskClient):
    html = page(client, "/figures")
    assert html.count('<p class="note">not measured yet: run python -m ') == 4


def test_figures_show_each_table_with_the_date_measured(repo: Path, client: FlaskClient):
    write_result(repo, "bench-blog.json", BLOG)
    html = page(client, "/figures")
    assert "Measured 2026-12-02 on x86_64, 2 cores, Python 3.11.7" in html
    assert "<caption>10,000 articles in sqlite</caption>" in html
    assert '<th scope="row">articles?limit=20 (anonymous)</th>' in html


def test_a_malformed_result_is_not_measured_yet_not_a_500(repo: Path, client: FlaskClient):
    write_result(repo, "eval-notes.json", "<html>")
    html = page(client, "/figures")
    assert "not measured yet: eval-notes.json is not JSON" in html


def test_the_home_page_shows_each_headline_with_its_date(repo: Path, client: FlaskClient):
    write_result(repo, "eval-notes.json", EVAL)
    html = page(client, "/")
    assert "hit@3 0.981 (embeddings), 95% of chat answers grounded" in html
    assert re.search(r"\(measured \d{4}-\d\d-\d\d\)", html)
    assert '<a href="/figures">All the figures</a>' in html


def test_every_page_links_the_figures_and_practice_pages(client: FlaskClient):
    for path in ("/", "/figures", "/practice", "/nowhere"):
        html = client.get(path).get_data(as_text=True)
        assert (
            '<a href="/figures">Figures</a>' in html and '<a href="/practice">Practice</a>' in html
        )


# --- every route of this checkout ---------------------------------------------------------------

DAY_PATHS = [f"/days/day{n:02d}" for n in range(1, DAY_COUNT + 1)]
#: Attributes that make a browser fetch something (an <a href> is a link, not a request).
FETCHING = {"src", "srcset", "poster", "data", "action", "formaction", "background"}
URL_IN_CSS = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+(?:url\()?\s*['"]?([^'");\s]+)""")


class References(HTMLParser):
    """Every URL a page would fetch: src-like attributes, <link href>, url() and @import."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.lang: str | None = None
        self.headings: list[int] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in FETCHING or (name == "href" and tag not in {"a", "area"}):
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
            if name == "style":
                self.urls += css_urls(value)
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += css_urls(data)


def css_urls(css: str) -> list[str]:
    return [a or b for a, b in URL_IN_CSS.findall(css)]


def is_external(url: str) -> bool:
    """Anything but a path on this site (or inline data) would reach another host."""
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme not in ("", "data")


@pytest.fixture(scope="module")
def site() -> Flask:
    return create_app({"MOUNTED_APPS": ["/blog", "/todo", "/notes"]})


def routes(app: Flask) -> list[str]:
    """Every GET route, the day pages expanded to all 45 and static to the stylesheet."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "day":
            paths += DAY_PATHS
        elif rule.endpoint == "static":
            paths.append("/static/style.css")
        else:
            assert not rule.arguments, f"walk {rule} too"
            paths.append(rule.rule)
    return paths


def test_the_walk_covers_the_pages_the_site_has(site: Flask):
    paths = routes(site)
    assert {"/", "/figures", "/practice", "/healthz", "/static/style.css"} <= set(paths)
    assert len([p for p in paths if p.startswith("/days/")]) == 45


@pytest.mark.parametrize("path", ["/", "/figures", "/practice", "/static/style.css", *DAY_PATHS])
def test_no_page_fetches_anything_from_another_host(site: Flask, path: str):
    response = site.test_client().get(path)
    assert response.status_code in (200, 404), f"GET {path}: {response.status_code}"
    text = response.get_data(as_text=True)
    response.close()
    if path.endswith(".css"):
        urls = css_urls(text)
    else:
        parser = References()
        parser.feed(text)
        urls = parser.urls
    assert [url for url in urls if is_external(url)] == []


@pytest.mark.parametrize("path", ["/", "/figures", "/practice", *DAY_PATHS])
def test_every_page_has_a_language_a_skip_link_and_headings_in_order(site: Flask, path: str):
    html = site.test_client().get(path).get_data(as_text=True)
    parser = References()
    parser.feed(html)
    assert parser.lang == "en"
    assert '<a class="skip-link" href="#content">' in html and '<main id="content">' in html
    levels = parser.headings
    assert levels[:1] == [1] and levels.count(1) == 1, f"{path}: one h1 first, got {levels}"
    skips = [(a, b) for a, b in pairwise(levels) if b > a + 1]
    assert skips == [], f"{path}: heading levels skip: {levels}"


def test_the_external_check_tells_hosts_from_paths():
    local = ("/static/a.css", "#x", "data:image/png;base64,AA", "a.png", "../b.svg")
    assert [is_external(url) for url in local] == [False] * len(local)
    remote = ("https://cdn.example.org/a.js", "//fonts.example.org/x", "http://127.0.0.1:9/")
    assert [is_external(url) for url in remote] == [True] * len(remote)
