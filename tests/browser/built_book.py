"""Where the built book is, which of its files are pages, what their sources say each must
show (tab sets, side-by-side grids, explorers), and the names the browser tests share.

TTT_BOOK_HTML=/some/_build/html points the tests at another build (e.g. a private one);
screenshots go to the `screenshots` folder beside that `html` folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import editions  # tools/editions.py (tests/conftest.py puts tools/ on sys.path)

REPO = Path(__file__).resolve().parents[2]
EN, ZH = editions.english(), editions.chinese()
HTML = Path(os.environ.get("TTT_BOOK_HTML", REPO / "_build" / "html"))
SCREENSHOTS = HTML.parent / "screenshots"
# Pages Sphinx writes that are not chapters: the index redirect, search, the general index
# (in each edition's folder: the Chinese edition is in zh-CN/).
NOT_CHAPTERS = {"index.html", "search.html", "genindex.html"}
NOT_PAGES = ("_static/", "_sources/", "_images/")

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
        in_edition = relative.removeprefix(f"{ZH.html}/")
        if in_edition in NOT_CHAPTERS or in_edition.startswith(NOT_PAGES):
            continue
        pages.append(relative)
    return pages


def source_of(relative: str) -> Path:
    """The MyST source of a built page: book/x/y.html -> book/x/y.md, and for the Chinese
    edition zh-CN/x/y.html -> book/zh-CN/x/y.md."""
    page = relative.removesuffix(".html")
    if page.startswith(f"{ZH.html}/"):
        return ZH.page(page.removeprefix(f"{ZH.html}/"))
    return REPO / f"{page}.md"


# --- what the sources promise, independently of the build -------------------------------
# The browser tests take which pages must show tabs and explorers from the MyST sources,
# so a broken build (tabs extension, widget embedding) cannot turn its checks into skips.

FRAMEWORK_TAGS = {"numpy", "tensorflow"}  # the tags book/_ext/framework_tabs.py groups
COMPARE_TAG = "compare"  # on every cell of a run: side by side instead of tabs
EXPLORERS_MODULE = REPO / "book" / "ttt" / "explorers.py"


def _source_cells(relative: str) -> list:
    """The cells of the MyST source of a built page (book/x/y.html -> book/x/y.md)."""
    import jupytext

    source = source_of(relative)
    return jupytext.read(source).cells if source.is_file() else []


def _explorer_names() -> set[str]:
    """The explorer functions ttt.explorers defines (read, not imported)."""
    import ast

    tree = ast.parse(EXPLORERS_MODULE.read_text(encoding="utf-8"))
    return {node.name for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_explorer")}


def _source_pages() -> list[str]:
    """Every chapter page the sources define, in both editions, as the html path it is
    built to."""
    pages = []
    for edition in (EN, ZH):
        for path in edition.pages.rglob("*.md"):
            key = path.relative_to(edition.pages).with_suffix("").as_posix()
            if "_vendor" in path.parts or (edition is EN and path.is_relative_to(ZH.pages)):
                continue
            pages.append(edition.html_path(key))
    return sorted(pages)


def framework_runs(relative: str) -> list[bool]:
    """One entry per run of adjacent cells tagged with a framework in the page's source:
    True when every cell of the run is also tagged `compare` (shown side by side), False
    when the run is shown as NumPy | TensorFlow tabs."""
    runs: list[list[set]] = []
    previous = False
    for cell in _source_cells(relative):
        tags = set(cell.metadata.get("tags", ()))
        tagged = bool(FRAMEWORK_TAGS & tags)
        if tagged and not previous:
            runs.append([])
        if tagged:
            runs[-1].append(tags)
        previous = tagged
    return [all(COMPARE_TAG in tags for tags in run) for run in runs]


def framework_tab_runs(relative: str) -> int:
    """How many NumPy | TensorFlow tab sets the page's source asks for."""
    return framework_runs(relative).count(False)


def comparison_runs(relative: str) -> int:
    """How many side-by-side NumPy / TensorFlow grids the page's source asks for."""
    return framework_runs(relative).count(True)


def explorer_calls(relative: str) -> int:
    """How many explorers the page's code cells call (each call's result is shown)."""
    call = re.compile(r"\b(\w+_explorer)\s*\(")
    names = _explorer_names()
    return sum(name in names
               for cell in _source_cells(relative) if cell.cell_type == "code"
               for name in call.findall(cell.source))


def pages_with_framework_tabs() -> list[str]:
    return [page for page in _source_pages() if framework_tab_runs(page)]


def pages_with_comparisons() -> list[str]:
    return [page for page in _source_pages() if comparison_runs(page)]


def pages_with_explorers() -> list[str]:
    return [page for page in _source_pages() if explorer_calls(page)]
