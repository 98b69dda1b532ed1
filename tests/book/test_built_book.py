"""Static checks on the built HTML book (`make book` writes it to _build/html; `make test`
builds it first). Browser behaviour (tabs switching, widgets, math) is tested under
tests/browser/; here we only read files.

For every page in _toc.yml, in both editions (English: book/x.html; Chinese: zh-CN/x.html,
from book/zh-CN/x.md): the page exists; every code cell of the source is rendered and
cells that must print something show an output; no cell shows a traceback or stderr; every
image is embedded (its file ships with the book) and described by alt text; the page offers
its notebook (.ipynb) for download.

TTT_BOOK_HTML=/some/_build/html points these tests at another build (e.g. a private one).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from pages import page_cells
import editions
from test_sources import REPO, figure_cells, page_path, toc_docnames

HTML = Path(os.environ.get("TTT_BOOK_HTML", REPO / "_build" / "html"))

if not (HTML / "index.html").is_file():
    pytest.skip(
        f"no built book at {HTML}: run `make book` first (`make test` does)", allow_module_level=True
    )

ZH = editions.chinese()
# Each page as its HTML path in the site, without .html: book/x and zh-CN/x.
DOCNAMES = toc_docnames() + [f"{ZH.html}/{key}" for key in editions.english_keys()]
HIDDEN = {"remove-cell", "remove_cell"}
NO_OUTPUT = {"remove-output", "remove_output"}
NO_INPUT = {"remove-input", "remove_input"}


def html_file(docname: str) -> Path:
    return HTML / f"{docname}.html"


def article(docname: str) -> Tag:
    path = html_file(docname)
    if not path.is_file():
        pytest.fail(f"{docname}: not built ({path} missing)")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("article")


def rendered_code_cells(page: Tag) -> list[Tag]:
    """myst-nb's code cell containers (markdown cells grouped into tabs excluded)."""
    return [div for div in page.find_all("div", class_="cell") if "cell_markdown" not in div["class"]]


def source_code_cells(docname: str):
    """The page's code cells that myst-nb renders (not empty, not removed)."""
    path = source_path(docname)
    if path is None:
        pytest.fail(f"{docname}: no source page")
    return [
        cell
        for cell in page_cells(path)
        if cell.cell_type == "code"
        and cell.source.strip()
        and not HIDDEN & set(cell.tags)
        and not (NO_OUTPUT & set(cell.tags) and NO_INPUT & set(cell.tags))
    ]


def source_path(docname: str) -> Path | None:
    """The MyST source of a page (book/x -> book/x.md, zh-CN/x -> book/zh-CN/x.md)."""
    if docname.startswith(f"{ZH.html}/"):
        path = ZH.page(docname.removeprefix(f"{ZH.html}/"))
        return path if path.is_file() else None
    return page_path(docname)


def sphinx_docname(docname: str) -> str:
    """The docname in its edition's Sphinx build (the Chinese build's has no zh-CN/)."""
    return docname.removeprefix(f"{ZH.html}/")


def must_print(source: str) -> bool:
    """A top-level print() or a bare final value that is not a call: it always shows output."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    prints = any(
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name) and node.value.func.id == "print"
        for node in body
    )
    shows_value = (
        bool(body) and isinstance(body[-1], ast.Expr)
        and not isinstance(body[-1].value, (ast.Call, ast.Constant, ast.Await))
        and not code.rstrip().endswith(";")
    )
    return prints or shows_value


@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_is_built(docname):
    assert html_file(docname).is_file()


@pytest.mark.parametrize("docname", DOCNAMES)
def test_every_code_cell_is_rendered_and_printing_cells_show_output(docname):
    page = article(docname)
    cells = source_code_cells(docname)
    # Less the set-up cell the build adds before the first (tests/dist/ checks that one).
    rendered = [div for div in rendered_code_cells(page) if "tag_ttt-setup" not in div["class"]]
    # myst-nb silently drops cells nested in directives (myst-nb#723): count them.
    assert len(rendered) == len(cells), f"{docname}: {len(cells)} code cells in the source, {len(rendered)} in the HTML"
    expected_outputs = sum(must_print(c.source) for c in cells if not NO_OUTPUT & set(c.tags))
    shown = sum(1 for div in rendered if div.find("div", class_="cell_output"))
    assert shown >= expected_outputs, f"{docname}: {expected_outputs} cells print, only {shown} show an output (was it executed?)"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_no_cell_shows_an_error_or_stderr(docname):
    page = article(docname)
    tracebacks = page.select(".cell_output .traceback, .cell_output .error")
    assert tracebacks == [], f"{docname}: a cell shows an error:\n{tracebacks[0].get_text()[:2000]}"
    assert "Traceback (most recent call last)" not in "".join(
        div.get_text() for div in page.find_all("div", class_="cell_output")
    )
    # TensorFlow's and Python's warnings land on stderr; the book shows none (BRIEF).
    stderr = page.select(".cell_output .stderr")
    assert stderr == [], f"{docname}: a cell writes to stderr:\n{stderr[0].get_text()[:2000]}"


def _local_target(page_file: Path, url: str) -> Path | None:
    """The file a relative URL points to, or None for data: URIs."""
    if url.startswith("data:"):
        return None
    parts = urlsplit(url)
    assert not parts.scheme and not parts.netloc, f"not embedded: {url}"
    return (page_file.parent / unquote(parts.path)).resolve()


@pytest.mark.parametrize("docname", DOCNAMES)
def test_images_are_embedded_and_described(docname):
    page = article(docname)
    for image in page.find_all("img"):
        src = image.get("src", "")
        target = _local_target(html_file(docname), src)
        assert target is None or target.is_file(), f"{docname}: image {src} is missing from the build"
    output_images = page.select("div.cell_output img")
    for image in output_images:
        alt = (image.get("alt") or "").strip()
        src = image.get("src", "")
        # Without alt metadata Sphinx writes the file's path as the alt text.
        assert alt and alt != src and not alt.endswith((".png", ".svg", ".jpg", ".jpeg")), (
            f"{docname}: figure {src} has no alt text (add `:mystnb:` / `image:` / `alt:` to its cell)"
        )
    figures = figure_cells([cell.source for cell in source_code_cells(docname)])
    assert len(output_images) >= len(figures), f"{docname}: {len(figures)} cells draw, {len(output_images)} images shown"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_offers_its_notebook_for_download(docname):
    page_file = html_file(docname)
    soup = BeautifulSoup(page_file.read_text(encoding="utf-8"), "html.parser")
    downloads = soup.select(".dropdown-download-buttons a[href$='.ipynb']")
    assert downloads, f"{docname}: no .ipynb in the download menu"
    href = downloads[0]["href"]
    assert href.endswith(f"_sources/{sphinx_docname(docname)}.ipynb"), href
    target = _local_target(page_file, href)
    assert target is not None and target.is_file(), f"{docname}: {href} is not in the build"
