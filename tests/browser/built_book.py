"""Where the built book is, which of its files are pages, and the names the browser tests share.

TTT_BOOK_HTML=/some/_build/html points the tests at another build (e.g. a private one);
screenshots go to the `screenshots` folder beside that `html` folder.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("TTT_BOOK_HTML", REPO / "_build" / "html"))
SCREENSHOTS = HTML.parent / "screenshots"
# Pages Sphinx writes that are not chapters: the index redirect, search, the general index.
NOT_CHAPTERS = {"index.html", "search.html", "genindex.html"}

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root in a container: Chromium's own sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LOAD_TIMEOUT_MS = 60_000  # a slow shared machine: generous, and only reached on failure


def built_pages() -> list[str]:
    """Every page of the built book, as paths relative to the html folder."""
    if not (HTML / "index.html").is_file():
        return []
    pages = []
    for path in sorted(HTML.rglob("*.html")):
        relative = path.relative_to(HTML).as_posix()
        if relative in NOT_CHAPTERS or relative.startswith(("_static/", "_sources/", "_images/")):
            continue
        pages.append(relative)
    return pages
