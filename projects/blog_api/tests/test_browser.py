"""The interactive docs in a real browser: headless Chromium against ``make run``'s server.

The portfolio (``wsgi:app``, the Blog API mounted at ``/blog``) runs under gunicorn, as
``make run`` starts it. Chromium opens ``/blog/api/docs``, finds the operations, runs "Try it
out" on ``GET /api/tags`` and reads a 200 in the response panel, which only works when Swagger
UI's files came from the server and the document's ``servers`` entry names the mount prefix.

Chromium and its driver come from Debian (``apt-get install chromium chromium-driver``); the
driver is given both paths, so Selenium never looks for (or downloads) one of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from shared.serve import Served, served
from shared.testing.browser import (
    chromium_or_skip,
    documented_paths,
    headless_chromium,
    operation_block,
    try_it_out,
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``make run``'s server, on a free port, with the blog on a throwaway SQLite file."""
    chromium_or_skip()
    data = tmp_path_factory.mktemp("browser")
    env = {
        **os.environ,
        "BLOG_DATABASE_URL": f"sqlite:///{data / 'blog.db'}",
        "BLOG_SECRET_KEY": "browser-test-secret-long-enough-for-hs256-0123456789",
        "BLOG_REDIS_URL": "",
    }
    with served("wsgi:app", env=env, workers=1, ready_path="/healthz", timeout=60) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """Headless Debian Chromium, driven by Debian's chromedriver."""
    with headless_chromium() as driver:
        yield driver


def test_try_it_out_reaches_the_api_mounted_in_the_portfolio(
    portfolio: Served, browser: WebDriver
) -> None:
    status, request_url = try_it_out(browser, f"{portfolio.url}/blog/api/docs", "get", "/api/tags")
    assert {"/api/tags", "/api/articles", "/api/user"} <= documented_paths(browser)
    assert status == "200", f"{request_url}: {status!r}"
    assert request_url == f"{portfolio.url}/blog/api/tags"
    tags = operation_block(browser, "get", "/api/tags")
    body = tags.find_element(By.CSS_SELECTOR, ".live-responses-table .highlight-code")
    assert '"tags"' in (body.get_attribute("textContent") or ""), body.get_attribute("outerHTML")

    # Everything the page loaded came from this server: the docs need no network.
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )
    elsewhere = [url for url in loaded if not url.startswith(f"{portfolio.url}/")]
    assert loaded and not elsewhere, elsewhere
