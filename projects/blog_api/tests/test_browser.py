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
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as until
from selenium.webdriver.support.ui import WebDriverWait

from shared.serve import Served, served
from shared.testing.plugin import services_required

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,2000",
)
WAIT_SECONDS = 20

pytestmark = pytest.mark.timeout(120)


def chromium_or_skip() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        message = f"no {' or '.join(missing)}: apt-get install chromium chromium-driver"
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 and {message}", pytrace=False)
        pytest.skip(message)


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
    chromium_or_skip()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(
        options=options,
        service=Service(str(CHROMEDRIVER), log_output=subprocess.DEVNULL),
    )
    driver.set_page_load_timeout(WAIT_SECONDS)
    driver.set_script_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


def test_try_it_out_reaches_the_api_mounted_in_the_portfolio(
    portfolio: Served, browser: WebDriver
) -> None:
    wait = WebDriverWait(browser, WAIT_SECONDS)
    browser.get(f"{portfolio.url}/blog/api/docs")

    operations = wait.until(
        until.presence_of_all_elements_located((By.CSS_SELECTOR, ".opblock-summary-path"))
    )
    paths = {operation.get_attribute("data-path") for operation in operations}
    assert {"/api/tags", "/api/articles", "/api/user"} <= paths, paths

    tags = browser.find_element(
        By.XPATH, "//div[contains(@class,'opblock-get')][.//*[@data-path='/api/tags']]"
    )

    def click_when_ready(css: str) -> None:
        """Click ``css`` inside the operation once Swagger UI has rendered it."""
        button = wait.until(lambda _: tags.find_element(By.CSS_SELECTOR, css))
        wait.until(until.element_to_be_clickable(button)).click()

    click_when_ready(".opblock-summary")
    click_when_ready(".try-out__btn")
    click_when_ready(".execute")

    status = wait.until(
        until.visibility_of_element_located(
            (By.CSS_SELECTOR, ".live-responses-table .response .response-col_status")
        )
    )
    request_url = tags.find_element(By.CSS_SELECTOR, ".request-url pre").text
    assert status.text.strip() == "200", f"{request_url}: {status.text!r}"
    assert request_url == f"{portfolio.url}/blog/api/tags"
    body = tags.find_element(By.CSS_SELECTOR, ".live-responses-table .highlight-code")
    assert '"tags"' in (body.get_attribute("textContent") or ""), body.get_attribute("outerHTML")

    # Everything the page loaded came from this server: the docs need no network.
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )
    elsewhere = [url for url in loaded if not url.startswith(f"{portfolio.url}/")]
    assert loaded and not elsewhere, elsewhere
