"""portfolio.app: the pages, through Flask's test client, over a throwaway repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portfolio.app import create_app
from portfolio.heatmap import DayCommitHistory, HistoryState, render_heatmap
from portfolio.log import HEATMAP_PATH
from portfolio.tests.builders import front_matter


@pytest.fixture
def app(repo: Path) -> Flask:
    return create_app({"REPO_ROOT": str(repo), "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, f"GET {path}: {response.status_code}"
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_index_lists_every_day_of_the_plan(client: FlaskClient):
    html = page(client, "/")
    numbers = re.findall(r'<td class="day-number">(\d\d)</td>', html)
    assert numbers == [f"{n:02d}" for n in range(1, 46)]


def test_index_links_each_written_day_and_only_those(repo: Path, add_day, client: FlaskClient):
    add_day(1, title="Words")
    add_day(2, readme=None)
    html = page(client, "/")
    assert re.findall(r'href="/days/(day\d\d)"', html) == ["day01"]
    assert '<a href="/days/day01">Words</a>' in html


def test_index_shows_progress(repo: Path, add_day, client: FlaskClient):
    add_day(1)
    html = page(client, "/")
    assert "1 of 45 days done · 44 planned" in html
    assert '<progress max="45" value="1">' in html


def test_index_inlines_the_heatmap(repo: Path, client: FlaskClient):
    (repo / "docs").mkdir()
    svg = render_heatmap(DayCommitHistory(HistoryState.NO_COMMITS))
    (repo / HEATMAP_PATH).write_text(svg, encoding="utf-8")
    assert svg in page(client, "/")


def test_index_asks_for_make_log_when_there_is_no_heatmap(client: FlaskClient):
    assert "run <code>make log</code>" in page(client, "/")


def test_index_links_only_the_mounted_capstone_apis(repo: Path):
    client = create_app({"REPO_ROOT": str(repo), "MOUNTED_APPS": ["/blog"]}).test_client()
    html = page(client, "/")
    assert "<h3>Blog API" in html and '<a href="/blog/api/docs">Interactive docs' in html
    assert '<a href="/blog/api/openapi.json">OpenAPI document' in html
    assert 'href="/todo' not in html and 'href="/notes' not in html


def test_index_links_no_capstone_api_when_none_is_mounted(client: FlaskClient):
    html = page(client, "/")
    assert 'href="/blog/api/docs"' not in html
    assert "The APIs appear here as each one is finished" in html


def test_day_page_shows_the_front_matter_as_its_header(repo: Path, add_day, client):
    add_day(7, readme=front_matter(7, "Loading", ["N+1", "eager loading"], "blog_api"))
    html = page(client, "/days/day07")
    assert "<h1>Day 07 · Loading</h1>" in html
    assert "<li>N+1</li><li>eager loading</li>" in html
    assert "capstone <code>blog_api</code>" in html


def test_day_page_renders_the_readme_markdown(add_day, client: FlaskClient):
    add_day(7)
    html = page(client, "/days/day07")
    assert '<h2 id="goal">Goal</h2>' in html
    assert '<pre tabindex="0"><code class="language-python">print(&quot;hello&quot;)' in html
    assert "<td><code>make day07</code></td>" in html


def test_day_page_cannot_be_broken_by_html_in_the_readme(add_day, client: FlaskClient):
    add_day(7, readme=front_matter(7, "'<em>Loading</em>'") + "</main><script>x()</script>\n")
    html = page(client, "/days/day07")
    assert "<script>" not in html and "</main><script>" not in html
    assert "<h1>Day 07 · &lt;em&gt;Loading&lt;/em&gt;</h1>" in html


def test_day_page_links_repository_files_to_the_configured_repo_url(repo: Path, add_day):
    add_day(7, readme=front_matter(7) + "[models](../projects/blog_api/models.py)\n")
    base = "https://github.com/learner/backend-45/blob/main"
    client = create_app({"REPO_ROOT": str(repo), "REPO_URL": base}).test_client()
    assert f'<a href="{base}/projects/blog_api/models.py">models</a>' in page(client, "/days/day07")


def test_day_page_links_the_previous_and_next_written_days(add_day, client: FlaskClient):
    for number in (3, 5, 9):
        add_day(number, title=f"Title {number}")
    html = page(client, "/days/day05")
    assert '<a rel="prev" href="/days/day03">← Day 03 · Title 3</a>' in html
    assert '<a rel="next" href="/days/day09">Day 09 · Title 9 →</a>' in html


@pytest.mark.parametrize("path", ["/days/day99", "/days/day00", "/days/seven", "/nowhere"])
def test_an_unknown_page_is_a_404_html_page(client: FlaskClient, path: str):
    html = page(client, path, status=404)
    assert "<h1>Not Found</h1>" in html
    assert '<a href="/">Back to the log</a>' in html


def test_a_planned_day_is_a_404_saying_it_is_not_written_yet(client: FlaskClient):
    html = page(client, "/days/day12", status=404)
    assert "Day 12 · Configuration is planned but not written yet." in html


def test_a_day_folder_without_a_readme_is_a_404(add_day, client: FlaskClient):
    add_day(4, readme=None)
    assert "is planned but not written yet" in page(client, "/days/day04", status=404)


def test_a_broken_front_matter_is_a_500_page_naming_the_file(add_day, client: FlaskClient):
    add_day(4, readme="---\nday: 4\n")
    html = page(client, "/days/day04", status=500)
    assert "day04/README.md: front matter is not closed" in html
    assert "Traceback" not in html


def test_healthz_answers_ok_as_json(client: FlaskClient):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_the_stylesheet_is_served(client: FlaskClient):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert "prefers-color-scheme: dark" in response.get_data(as_text=True)
    response.close()


def test_the_icon_is_linked_and_served_where_browsers_ask_unprompted(client: FlaskClient):
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page(client, "/")
    for path in ("/favicon.ico", "/static/favicon.svg"):
        response = client.get(path)
        assert (response.status_code, response.mimetype) == (200, "image/svg+xml"), path
        assert response.get_data(as_text=True).startswith("<svg "), path
        response.close()


def test_pages_forbid_scripts(client: FlaskClient):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'none'" in policy


def test_settings_come_from_the_environment_when_not_overridden(repo: Path, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_REPO_URL", "https://example.org/repo")
    monkeypatch.setenv("PORTFOLIO_REPO_ROOT", str(repo))
    app = create_app()
    assert (app.config["REPO_URL"], app.config["REPO_ROOT"]) == (
        "https://example.org/repo",
        str(repo),
    )
