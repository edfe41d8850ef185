"""Headless Debian Chromium for the browser tests, Swagger UI's "Try it out" in it, and what a
page did there: its console errors, the requests it sent elsewhere, its width on a phone.

Chromium and its driver come from Debian (``apt-get install chromium chromium-driver``); Selenium
is given both paths, so it downloads nothing. Without them a test is skipped, or fails when
``REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.command import Command
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as until
from selenium.webdriver.support.ui import WebDriverWait

from shared.testing.plugin import services_required

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: No sandbox (root in CI), and none of the background traffic a closed network refuses.
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
#: A phone in portrait, as Chrome's device toolbar has it: CSS pixels, a touch screen.
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}


def chromium_or_skip() -> None:
    """Skip the test without Debian's Chromium and chromedriver (fail if services are required)."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        message = f"no {' or '.join(missing)}: apt-get install chromium chromium-driver"
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 and {message}", pytrace=False)
        pytest.skip(message)


@contextmanager
def headless_chromium() -> Iterator[WebDriver]:
    """A headless Chromium driven by chromedriver, quit when the block ends."""
    chromium_or_skip()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    # The page's console, for console_errors().
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        options=options, service=Service(str(CHROMEDRIVER), log_output=subprocess.DEVNULL)
    )
    driver.set_page_load_timeout(WAIT_SECONDS)
    driver.set_script_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


def try_it_out(browser: WebDriver, docs_url: str, method: str, path: str) -> tuple[str, str]:
    """Open Swagger UI at ``docs_url`` and run ``method path`` with "Try it out" -> Execute.

    Returns the status cell's text and the request URL the page sent.
    """
    wait = WebDriverWait(browser, WAIT_SECONDS)
    browser.get(docs_url)
    wait.until(until.presence_of_all_elements_located((By.CSS_SELECTOR, ".opblock-summary-path")))
    operation = operation_block(browser, method, path)

    def click_when_ready(css: str) -> None:
        """Click ``css`` inside the operation once Swagger UI has rendered it."""
        button = wait.until(lambda _: operation.find_element(By.CSS_SELECTOR, css))
        wait.until(until.element_to_be_clickable(button)).click()

    click_when_ready(".opblock-summary")
    click_when_ready(".try-out__btn")
    click_when_ready(".execute")
    status = wait.until(
        until.visibility_of_element_located(
            (By.CSS_SELECTOR, ".live-responses-table .response .response-col_status")
        )
    )
    return status.text.strip(), operation.find_element(By.CSS_SELECTOR, ".request-url pre").text


def operation_block(browser: WebDriver, method: str, path: str) -> WebElement:
    """Swagger UI's block of one operation."""
    return browser.find_element(
        By.XPATH, f"//div[contains(@class,'opblock-{method}')][.//*[@data-path='{path}']]"
    )


def documented_paths(browser: WebDriver) -> set[str | None]:
    """The paths of the operations the open Swagger UI page lists."""
    found = browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    return {operation.get_attribute("data-path") for operation in found}


def console_errors(browser: WebDriver) -> list[str]:
    """The console's errors (a failed load, an uncaught exception) since the last call."""
    entries = browser.execute(Command.GET_LOG, {"type": "browser"})["value"]
    return [entry["message"] for entry in entries if entry["level"] == "SEVERE"]


def loaded_from_elsewhere(browser: WebDriver, origin: str) -> list[str]:
    """What the open page loaded (scripts, styles, images, fetches) from anywhere but ``origin``."""
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )
    return [url for url in loaded if not url.startswith(f"{origin.rstrip('/')}/")]


def sideways_scroll(browser: WebDriver) -> int:
    """How many CSS pixels the open page is wider than the window (0: no horizontal scroll)."""
    return browser.execute_script(
        "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


@contextmanager
def phone_screen(browser: WebDriver, metrics: dict[str, Any] = PHONE) -> Iterator[WebDriver]:
    """Inside the block the browser is a phone (:data:`PHONE`): its width, pixel ratio, touch."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@contextmanager
def color_scheme(browser: WebDriver, scheme: str) -> Iterator[WebDriver]:
    """Inside the block the pages see ``prefers-color-scheme: scheme`` (``light``, ``dark``)."""
    feature = {"name": "prefers-color-scheme", "value": scheme}
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [feature]})
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
