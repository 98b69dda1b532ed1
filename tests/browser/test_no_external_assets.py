"""No page of the built book loads a script, stylesheet or image from another host, and no
stylesheet it ships imports one: offline (or behind a firewall) everything must still come.

Reads files only (no browser); skips when there is no build (`make test` builds first).
Links a reader clicks (launch buttons, the repository) are fine: they load nothing.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from built_book import HTML

# <link rel=...> values that make the browser fetch the target.
FETCHING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon", "apple-touch-icon",
                 "manifest", "mask-icon"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


def is_external(url: str) -> bool:
    url = url.strip()
    return url.startswith("//") or urlsplit(url).scheme in {"http", "https", "ftp", "ws", "wss"}


class AssetCollector(HTMLParser):
    """Collects (tag, url) for every asset the page makes the browser fetch."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.assets: list[tuple[str, str]] = []
        self._in_style = False
        self.inline_css: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "img", "iframe", "source", "audio", "video", "embed"} and attrs.get("src"):
            self.assets.append((tag, attrs["src"]))
        if tag == "link" and attrs.get("href"):
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & FETCHING_RELS:
                self.assets.append((f"link rel={attrs.get('rel')}", attrs["href"]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.inline_css.append(data)


def html_pages():
    return sorted(HTML.rglob("*.html")) if (HTML / "index.html").is_file() else []


def test_there_are_pages_to_check(book_html):
    assert len(html_pages()) >= 3, f"only {len(html_pages())} pages under {book_html}"


@pytest.mark.parametrize("path", html_pages() or [None],
                         ids=lambda p: p.relative_to(HTML).as_posix() if p else "(no build)")
def test_page_fetches_nothing_from_another_host(book_html, path):
    collector = AssetCollector()
    collector.feed(path.read_text(encoding="utf-8"))
    external = [f"<{tag}> {url}" for tag, url in collector.assets if is_external(url)]
    for css in collector.inline_css:
        external += [f"<style> {url}" for match in CSS_URL.finditer(css)
                     for url in match.groups() if url and is_external(url)]
    assert not external, f"{path.relative_to(HTML)} loads from other hosts:\n" + "\n".join(external)


def test_shipped_stylesheets_import_nothing_from_another_host(book_html):
    external = []
    for path in sorted(book_html.rglob("*.css")):
        for match in CSS_URL.finditer(path.read_text(encoding="utf-8", errors="replace")):
            external += [f"{path.relative_to(book_html)}: {url}" for url in match.groups()
                         if url and is_external(url)]
    assert not external, "stylesheets fetching from other hosts:\n" + "\n".join(external)


def test_the_checker_sees_external_assets():
    # The parser itself: an external script, stylesheet and CSS import are all caught.
    collector = AssetCollector()
    collector.feed('<script src="https://cdn.example/x.js"></script>'
                   '<link rel="stylesheet" href="//cdn.example/x.css">'
                   '<link rel="canonical" href="https://example.org/page.html">'
                   '<script src="_static/local.js"></script>'
                   "<style>@import 'https://fonts.example/f.css';</style>")
    external = [url for _, url in collector.assets if is_external(url)]
    assert external == ["https://cdn.example/x.js", "//cdn.example/x.css"]
    imported = [u for css in collector.inline_css for m in CSS_URL.finditer(css) for u in m.groups() if u]
    assert imported == ["https://fonts.example/f.css"]
