"""The built book in real Chromium, served from 127.0.0.1 with every other address blocked.

`make test` builds the book into _build/html first; these tests skip (saying so) when there
is no build. TTT_BOOK_HTML=/some/_build/html points them at another build (e.g. a private
one); screenshots go to the `screenshots` folder beside that `html` folder.

The browser is Debian's chromium (TTT_CHROMIUM overrides the path) driven by Playwright's
Python package: Playwright's own browser download cannot work on these machines.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from built_book import CHROMIUM_ARGS, HTML, LOAD_TIMEOUT_MS, SCREENSHOTS, WIDGET_VIEW, built_pages


@pytest.fixture(scope="session")
def book_html() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.skip(f"no built book at {HTML}: run `make book` first (`make test` does)")
    return HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="session")
def book_url(book_html):
    """The book served over HTTP on 127.0.0.1, on a free port, for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium(book_html):  # no book, no browser: skip before looking for Chromium
    executable = os.environ.get("TTT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).is_file():
        pytest.fail(f"Chromium not found at {executable}: install Debian's `chromium` "
                    "(`make system` does), or set TTT_CHROMIUM to its path")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class BookPage:
    """A Playwright page on the local book, recording everything that went wrong in it."""

    page: object
    base_url: str
    relative: str = ""  # the page opened, relative to the book's root
    problems: list[str] = field(default_factory=list)

    def url(self, relative: str) -> str:
        return self.base_url + relative

    def open(self, relative: str) -> None:
        self.page.goto(self.url(relative), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        self.wait_until_ready()

    def wait_until_ready(self) -> None:
        """Wait for MathJax's first pass and for every embedded widget to be drawn."""
        self.page.evaluate(
            "() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise"
            " ? window.MathJax.startup.promise.then(() => true) : false")
        if self.page.locator(f'script[type="{WIDGET_VIEW}"]').count():
            self.page.wait_for_function(
                f"""() => Array.from(document.querySelectorAll('script[type="{WIDGET_VIEW}"]'))
                    .every(s => s.parentElement.querySelector('.jupyter-widgets'))""",
                timeout=LOAD_TIMEOUT_MS)


def _watch(book_page: BookPage) -> None:
    page, base = book_page.page, book_page.base_url
    problems = book_page.problems

    def route(route):
        url = route.request.url
        if url.startswith(base):
            route.continue_()
        else:  # the network is "unreachable": anything else is a bug in the book
            problems.append(f"request outside localhost: {url}")
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    page.on("response", lambda response: problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 else None)
    page.on("requestfailed", lambda request: problems.append(
        f"request failed ({request.failure}): {request.url}")
        if request.url.startswith(base) else None)


@pytest.fixture(scope="module", params=built_pages() or ["(no build)"])
def loaded_page(request, book_html, chromium, book_url):
    """One page of the book, opened once for all the tests of a module (fresh storage:
    a new browser context), with a full-page screenshot saved."""
    relative = request.param
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    book_page = BookPage(context.new_page(), book_url)
    _watch(book_page)
    try:
        book_page.relative = relative
        book_page.open(relative)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / (relative.removesuffix(".html").replace("/", "__") + ".png")
        book_page.page.screenshot(path=str(shot), full_page=True)
        yield book_page
    finally:
        context.close()


@pytest.fixture
def fresh_page(chromium, book_url):
    """An empty watched page in its own browser context."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    book_page = BookPage(context.new_page(), book_url)
    _watch(book_page)
    try:
        yield book_page
    finally:
        context.close()
