"""Browser tests: the real app on a local port, Debian's chromium driven by Playwright (no browser download).

Every page a test visits is screenshotted at 1280×800 and at a phone's 390×844 under build/screenshots/, and
every test fails if a page logged a console error or asked another host for anything (the app must work offline).
Without chromium the tests are skipped with the reason; REQUIRE_BROWSER=1 (CI) makes that a failure.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.jilin_flow import deploy_pack

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
PASSWORD = "demo"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    reason = None
    if path is None:
        reason = "no chromium: apt-get install chromium (or set CHROMIUM)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            reason = "the playwright package is not installed (make test installs it)"
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture
def server(kb, database_url):
    """The app with the Jilin pack deployed, on a free local port; its base URL."""
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run once, on SQLite: the pages sit on the same services the API tests cover twice")
    from app import create_app
    deploy_pack(kb)
    app = create_app(services=kb)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


class Visit:
    """A browser tab that records console errors and requests to other hosts, and takes screenshots."""

    def __init__(self, page, base: str, test_name: str):
        self.page, self.base, self.test_name = page, base, test_name
        self.problems: list[str] = []
        self.expected: list[str] = []
        self.shots = 0
        host = urlsplit(base).netloc
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("request", lambda r: self.problems.append(f"request to another host: {r.url}")
                if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != host else None)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        for i, text in enumerate(self.expected):
            if text in message.text:
                del self.expected[i]
                return
        self.problems.append(f"console {message.type}: {message.text}")

    def expect_console_error(self, text: str) -> None:
        """The next console error containing `text` is what the test provokes (say, a refused login's 401)."""
        self.expected.append(text)

    def go(self, path: str, shoot: str | None = None):
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        if shoot:
            self.shoot(shoot)
        return self.page

    def shoot(self, name: str) -> None:
        """Screenshots of the current page at desktop and phone size."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.test_name}-{self.shots:02d}-{name}")
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            self.page.wait_for_timeout(150)
            self.page.screenshot(path=str(SHOTS / f"{stem}-{label}.png"), full_page=True)
        self.page.set_viewport_size(DESKTOP)

    def login(self, user: str, password: str = PASSWORD, next_path: str = "/"):
        self.page.goto(f"{self.base}/login?next={next_path}")
        self.page.fill("input[name=username]", user)
        self.page.fill("input[name=password]", password)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(lambda url: "/login" not in url)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def logout(self) -> None:
        self.page.click("#logout")
        self.page.wait_for_url(lambda url: "/login" in url)


@pytest.fixture
def visit(browser, server, request):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    tab = Visit(page, server, request.node.name)
    yield tab
    context.close()
    assert not tab.problems, "\n".join(tab.problems)
