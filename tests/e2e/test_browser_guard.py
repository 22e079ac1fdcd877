"""The e2e harness itself: what it counts as a browser problem, so a broken page cannot pass unseen."""


def test_a_script_error_a_console_error_and_a_5xx_are_all_caught(page, browser_problems):
    page.route("**/broken-endpoint", lambda route: route.fulfill(status=502, body="bad gateway"))
    page.goto("/healthz")

    page.evaluate("console.error('boom from the console')")
    page.evaluate("setTimeout(() => { throw new Error('boom from a script') }, 0)")
    page.evaluate("fetch('/broken-endpoint')")
    page.wait_for_timeout(300)

    assert any("console error: boom from the console" in p for p in browser_problems), browser_problems
    assert any("script error: boom from a script" in p for p in browser_problems), browser_problems
    assert any(p.startswith("HTTP 502: GET ") and p.endswith("/broken-endpoint") for p in browser_problems)
    # The 502 also logs a console error; each would fail the test. Clear them: this test wanted them.
    browser_problems.clear()
