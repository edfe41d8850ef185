"""The site in a real browser: headless Chromium walks ``make run``'s server, with axe-core.

The portfolio and the three capstone APIs (``wsgi:app``) run under gunicorn as ``make run``
starts them, each API on a throwaway SQLite file, with a practice progress file recorded the
way ``make check-day17`` records it. Chromium opens the home page, a lesson, each capstone's
interactive docs, the figures and the practice page. Every page must render, log no console
error, load nothing from another host and pass axe-core's rules; the site's own pages in the
dark colour scheme too, and at a phone's width without scrolling sideways.

Chromium and chromedriver come from Debian, axe-core from ``npm pack`` (see
``shared.testing.accessibility``); without them these tests are skipped, or fail when
``REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as until
from selenium.webdriver.support.ui import WebDriverWait

from portfolio.app import CAPSTONES
from portfolio.days import REPO_ROOT, load_plan
from portfolio.figures import SOURCES
from portfolio.practice import Check, TaskResult, day_tasks, record_progress
from shared.serve import Served, served
from shared.testing.accessibility import axe_source, describe, run_axe
from shared.testing.browser import (
    WAIT_SECONDS,
    chromium_or_skip,
    color_scheme,
    console_errors,
    headless_chromium,
    loaded_from_elsewhere,
    phone_screen,
    sideways_scroll,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

#: The lesson to walk: the widest code block of all and a table.
LESSON = "/days/day05"
#: The site's own pages and how each one's <h1> begins.
PAGES = {
    "/": "Forty-five days of backend development",
    LESSON: "Day 05 · ",
    "/figures": "Figures",
    "/practice": "Practice mode",
}
DOCS = [capstone.entry for capstone in CAPSTONES]
#: The day whose practice progress the page shows; its tasks stand passed, failing, to do...
PRACTICE_DAY = "day17"
STATUSES = ("passed", "failing", "todo")
#: axe rules that Swagger UI's own page breaks, left out on the docs pages only: the page and its
#: stylesheet come from the flask-smorest and flask-swagger-ui wheels, not from this repository.
SWAGGER_UI_RULES = (
    # The version badges (white on grey and on green), the document's URL and the Authorize
    # button's text are paler than 4.5:1 in swagger-ui.css.
    "color-contrast",
    # flask-smorest's swagger_ui.html template opens with a bare <html>.
    "html-has-lang",
    # The servers dropdown has a "Servers" caption beside it, not a <label> for it.
    "select-name",
    # Each tag is an <h3> right under the title's <h1>.
    "heading-order",
    # Swagger UI renders into one <div>, without <main> or any other landmark.
    "region",
)


def practice_statuses(count: int) -> list[str]:
    return [STATUSES[number % len(STATUSES)] for number in range(count)]


@pytest.fixture(scope="module")
def progress_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """practice/.progress.json as make check-day17 writes it, for the day's real tasks."""
    tasks = day_tasks(REPO_ROOT / PRACTICE_DAY)
    assert len(tasks) >= 2, f"{PRACTICE_DAY} has no practice tasks to record"
    statuses = practice_statuses(len(tasks))
    results = [TaskResult(task, status, ()) for task, status in zip(tasks, statuses, strict=True)]
    return record_progress(Check(PRACTICE_DAY, results), tmp_path_factory.mktemp("practice"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, progress_file: Path) -> Iterator[Served]:
    """``make run``'s server on a free port: each API on a throwaway SQLite file, no Redis."""
    chromium_or_skip()
    data = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "PORTFOLIO_PRACTICE_PROGRESS": str(progress_file),
        "BLOG_DATABASE_URL": f"sqlite:///{data / 'blog.db'}",
        "BLOG_SECRET_KEY": "browser-test-secret-long-enough-for-hs256-0123456789",
        "BLOG_REDIS_URL": "",
        "TODO_DATABASE_URL": f"sqlite:///{data / 'todo.db'}",
        "TODO_REDIS_URL": "",
        "NOTES_DATABASE_URL": f"sqlite:///{data / 'notes.db'}",
        "NOTES_LLM": "offline",
        "NOTES_REDIS_URL": "",
        "OPENAI_API_KEY": "",
        "NOTES_OPENAI_API_KEY": "",
    }
    with served("wsgi:app", env=env, workers=1, ready_path="/healthz", timeout=90) as server:
        yield server


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's script, from the checked release tarball."""
    return axe_source()


@pytest.fixture(scope="module")
def browser_session() -> Iterator[WebDriver]:
    with headless_chromium() as driver:
        yield driver


@pytest.fixture
def browser(browser_session: WebDriver) -> WebDriver:
    """The module's Chromium, its console emptied of the previous test's messages."""
    console_errors(browser_session)
    return browser_session


def open_page(browser: WebDriver, site: Served, path: str) -> str:
    """Open ``path`` and return its <h1>'s text."""
    browser.get(f"{site.url}{path}")
    return browser.find_element(By.TAG_NAME, "h1").text


def assert_self_contained(browser: WebDriver, site: Served, path: str) -> None:
    """No console error, and every file the page loaded came from the site itself."""
    assert console_errors(browser) == [], path
    assert loaded_from_elsewhere(browser, site.url) == [], path


@pytest.mark.parametrize("path", PAGES)
def test_each_page_of_the_site_renders_and_passes_axe(
    site: Served, browser: WebDriver, axe: str, path: str
) -> None:
    heading = open_page(browser, site, path)
    assert heading.startswith(PAGES[path]), f"{path}: <h1> {heading!r}"
    assert_self_contained(browser, site, path)
    violations = run_axe(browser, source=axe)
    assert violations == [], f"{path}:\n{describe(violations)}"


def test_the_home_page_links_each_capstones_docs(site: Served, browser: WebDriver) -> None:
    open_page(browser, site, "/")
    links = browser.find_elements(By.CSS_SELECTOR, ".api-links a[href$='docs']")
    assert [link.get_attribute("href") for link in links] == [f"{site.url}{d}" for d in DOCS]


@pytest.mark.parametrize("path", DOCS)
def test_each_capstones_docs_render_from_this_server(
    site: Served, browser: WebDriver, axe: str, path: str
) -> None:
    browser.get(f"{site.url}{path}")
    wait = WebDriverWait(browser, WAIT_SECONDS)
    operations = wait.until(
        until.presence_of_all_elements_located((By.CSS_SELECTOR, ".opblock-summary-path"))
    )
    title = browser.find_element(By.CSS_SELECTOR, ".info h1.title").text
    assert operations and title, f"{path}: {len(operations)} operations, title {title!r}"
    assert_self_contained(browser, site, path)
    violations = run_axe(browser, disable=SWAGGER_UI_RULES, source=axe)
    assert violations == [], f"{path}:\n{describe(violations)}"


def test_the_practice_page_shows_the_recorded_progress(site: Served, browser: WebDriver) -> None:
    open_page(browser, site, "/practice")
    day = browser.find_element(By.CSS_SELECTOR, f"[aria-labelledby='{PRACTICE_DAY}-heading']")
    titles = [task.title for task in day_tasks(REPO_ROOT / PRACTICE_DAY)]
    statuses = practice_statuses(len(titles))
    fraction = day.find_element(By.CSS_SELECTOR, ".fraction").text
    assert fraction == f"{statuses.count('passed')}/{len(titles)}"
    tasks = day.find_elements(By.CSS_SELECTOR, ".tasks li")
    shown = [task.find_element(By.CSS_SELECTOR, ".task-status").text for task in tasks]
    assert shown == statuses
    assert [task.text.rsplit(" ", 1)[0] for task in tasks] == titles


def test_the_figures_page_shows_every_committed_result(site: Served, browser: WebDriver) -> None:
    open_page(browser, site, "/figures")
    for source in SOURCES:
        section = browser.find_element(By.ID, source.key)
        assert section.find_elements(By.CSS_SELECTOR, ".note") == [], section.text
        assert f"from docs/results/{source.file}" in section.text, section.text
        assert section.find_elements(By.CSS_SELECTOR, "table tbody tr"), section.text


@pytest.mark.parametrize("path", PAGES)
def test_each_page_keeps_its_contrast_in_the_dark_colour_scheme(
    site: Served, browser: WebDriver, axe: str, path: str
) -> None:
    with color_scheme(browser, "dark"):
        open_page(browser, site, path)
        background = browser.execute_script(
            "return getComputedStyle(document.body).backgroundColor"
        )
        assert background == "rgb(15, 17, 21)", f"{path}: not the dark scheme ({background})"
        violations = run_axe(browser, only=["color-contrast"], source=axe)
    assert violations == [], f"{path}:\n{describe(violations)}"


@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(site: Served, browser: WebDriver, path: str) -> None:
    with phone_screen(browser):
        open_page(browser, site, path)
        assert browser.execute_script("return window.innerWidth") == 390
        overflow = sideways_scroll(browser)
    assert overflow == 0, f"{path} is {overflow}px wider than a 390px phone"


def test_the_log_fits_a_phone_without_scrolling_inside_either(
    site: Served, browser: WebDriver, axe: str
) -> None:
    with phone_screen(browser):
        open_page(browser, site, "/")
        boxes = browser.execute_script(
            "return [...document.querySelectorAll('table.log')]"
            ".map(table => [table.parentElement.scrollWidth, table.parentElement.clientWidth])"
        )
        # The phone layout (each day a card) is still checked as a table.
        violations = run_axe(browser, source=axe)
    assert len(boxes) == len(load_plan().phases), boxes
    wider = [f"{wide}px in {fits}px" for wide, fits in boxes if wide > fits]
    assert wider == [], f"log tables that scroll sideways on a phone: {wider}"
    assert violations == [], describe(violations)
