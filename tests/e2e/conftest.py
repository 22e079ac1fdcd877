"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live server.

Every test in this folder is marked `e2e` and runs in `make test` on both databases. Fixtures:

- `page`: a fresh browser tab on the live server (relative URLs work: `page.goto("/desk/")`). The test
  FAILS when the browser logs a console error, a script throws, or any response is a 5xx.
- `login_as(username, shot=None)`: the demo staff exist; logs that user in through the real login page.
- `shot(step)`: saves a full-page screenshot as test-artifacts/e2e/<test>/<nn>-<step>.png.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Response, sync_playwright

from sales_erp.org.services import DEMO_PASSWORD, demo_staff_create

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parents[1] / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
# `playwright install` cannot download browsers here; these flags make Debian's chromium run headless
# in a container without reaching out to Google's services (NOTES.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

Shot = Callable[[str], Path]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser(django_db_setup) -> Iterator[Browser]:
    """One chromium for the e2e tests, started once the test database exists.

    Playwright's sync API runs an event loop in the test's thread, where Django would refuse ORM calls:
    DJANGO_ALLOW_ASYNC_UNSAFE is set while the browser runs and removed with it, so no process started
    by a later test inherits it.
    """
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_problems(request: pytest.FixtureRequest) -> list[str]:
    """What went wrong in the browser during the test; pytest_runtest_call fails the test when not empty."""
    problems: list[str] = []
    request.node.browser_problems = problems
    return problems


@pytest.fixture
def page(browser: Browser, live_server, browser_problems: list[str], request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1440, "height": 900})
    tab = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            browser_problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def on_response(response: Response) -> None:
        if response.status >= 500:
            browser_problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def on_script_error(error: Error) -> None:
        browser_problems.append(f"script error: {error}")

    tab.on("console", on_console)
    tab.on("response", on_response)
    tab.on("pageerror", on_script_error)
    request.node.browser_page = tab
    yield tab
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    tab: Page | None = getattr(item, "browser_page", None)
    if tab is not None and not tab.is_closed():
        # Let late requests and scripts of the last page finish, so their errors are counted too.
        tab.wait_for_load_state("networkidle", timeout=10_000)
    problems: list[str] = getattr(item, "browser_problems", [])
    if problems:
        pytest.fail("the browser reported problems:\n" + "\n".join(problems), pytrace=False)
    return result


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Shot:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    numbers = itertools.count(1)

    def take(step: str) -> Path:
        path = folder / f"{next(numbers):02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def login_as(page: Page, base_data) -> Callable[..., None]:
    demo_staff_create()

    def login(username: str, shot: Shot | None = None) -> None:
        page.goto("/desk/")
        page.wait_for_url("**/desk/login/**")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        if shot:
            shot("login")
        page.click("#login-form button[type=submit], form button[type=submit]")
        page.wait_for_url("**/desk/")

    return login
