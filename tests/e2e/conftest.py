"""Browser journeys: the app served by a real HTTP server in a thread, driven by
Playwright in the system Chromium (/usr/bin/chromium, headless). Without Chromium the
tests skip, unless REQUIRE_BROWSER=1, when they fail."""
from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)", pytrace=False)
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but playwright is not installed: {exc}", pytrace=False)
        pytest.skip("playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """Serve the test's app (and its database) on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    yield base
    server.shutdown()
    thread.join(10)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, accept_downloads=True, timezone_id="Europe/Berlin")
    context.set_default_timeout(15000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


AXE = os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "axe-core", "axe.min.js")


def assert_accessible(page, label: str = "") -> None:
    """Run axe-core (from the local node_modules) on the current page: no serious or critical
    violations of WCAG 2.1 A/AA. Loaded through the DevTools protocol, so the page's CSP stays on."""
    if not os.path.exists(AXE):
        pytest.fail("axe-core is missing: run `npm ci` (make test does)", pytrace=False)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        with open(AXE, encoding="utf-8") as fh:
            page.evaluate(fh.read() + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    assert result == [], f"accessibility violations on {label or page.url}: {result}"


HTMLCS = os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "html_codesniffer", "build", "HTMLCS.js")


def codesniffer_errors(page) -> list[dict]:
    """The errors HTML_CodeSniffer (a second engine beside axe) finds on the current page
    against WCAG 2 AA, as {code, message, element}; notices and warnings are left out (they ask
    a person to check something, they are not failures)."""
    if not os.path.exists(HTMLCS):
        pytest.fail("HTML_CodeSniffer is missing: run `npm ci` (make test does)", pytrace=False)
    if not page.evaluate("() => typeof window.HTMLCS !== 'undefined'"):
        with open(HTMLCS, encoding="utf-8") as fh:
            page.evaluate(fh.read() + "\n;undefined")
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            HTMLCS.process('WCAG2AA', document, () => resolve(HTMLCS.getMessages()
                .filter(m => m.type === HTMLCS.ERROR)
                .map(m => ({code: m.code, message: m.msg, element: (m.element.outerHTML || '').slice(0, 160)}))),
              () => reject(new Error('HTML_CodeSniffer could not run')), 'en');
        })"""
    )


def sign_in(page, email: str, password: str):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def nav_to(page, label: str, exact: bool = False) -> None:
    """Follow a link of the main navigation as a person would: open the phone menu and the
    link's group first when they are closed."""
    # After a click that navigates, the new page may be painted before its stylesheet
    # applies, when the phone's menu button still looks visible: wait for the page to load.
    page.wait_for_load_state("load")
    nav = page.get_by_role("navigation", name="Main")
    toggle = nav.locator("[data-nav-toggle]")
    if toggle.count() and toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    link = nav.get_by_role("link", name=label, exact=exact, include_hidden=True).first
    summary = link.locator("xpath=ancestor::details[1]/summary")
    if summary.count() and not link.is_visible():
        summary.click()
    link.click()
