"""Hygiene of the book's sources and the course notebooks, checked without running them.

- every page named in _toc.yml exists, and every page under book/ is named there;
- book pages are MyST Markdown notebooks with the project's jupytext header;
- a page with code opens with a `## Setup` section whose first code cell is only imports;
- notebooks under solutions/ and exercises/ store no outputs or execution counts;
- each exercise's intro names its chapter by the title the book gives it;
- every cell that draws a figure gives it alt text (`mystnb: image: alt:` in its metadata).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

from pages import page_cells, setup_cells
from toc import toc_docnames

REPO = Path(__file__).resolve().parents[2]
BOOK = REPO / "book"
PAGE_SUFFIXES = (".md", ".ipynb")
# Folders under book/ that hold code or vendored files, not pages.
# The Chinese edition's pages are its own toc's (tests/book/test_translated_pages.py).
NOT_PAGES = {"ttt", "_ext", "zh-CN"}

# The header every page carries (BRIEF: "this exact jupytext header", as in book/intro.md).
EXPECTED_HEADER = {
    "jupytext": {
        "text_representation": {"extension": ".md", "format_name": "myst", "format_version": 0.13}
    },
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
}


# --- what the table of contents names -------------------------------------------------------

def page_path(docname: str) -> Path | None:
    base = REPO / docname
    if base.suffix in PAGE_SUFFIXES and base.is_file():
        return base
    found = [base.with_name(base.name + suffix) for suffix in PAGE_SUFFIXES if base.with_name(base.name + suffix).is_file()]
    return found[0] if found else None


def toc_pages() -> list[Path]:
    return [path for path in map(page_path, toc_docnames()) if path is not None]


def course_notebooks() -> list[Path]:
    return sorted(
        path
        for folder in ("solutions", "exercises")
        for path in (REPO / folder).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts
    )


def _id(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def test_toc_names_pages():
    assert len(toc_docnames()) > 1


@pytest.mark.parametrize("docname", toc_docnames())
def test_every_toc_entry_exists(docname):
    assert page_path(docname) is not None, f"_toc.yml names {docname!r} but no {docname}.md or .ipynb exists"


def test_every_page_under_book_is_in_the_toc():
    listed = {path.resolve() for path in toc_pages()}
    pages = [
        path
        for path in BOOK.rglob("*")
        if path.suffix in PAGE_SUFFIXES
        and path.is_file()
        and not (set(path.relative_to(BOOK).parts[:-1]) & NOT_PAGES)
        # Vendored or private folders (_vendor, _static, .ipynb_checkpoints) hold no pages.
        and not any(part.startswith(("_", ".")) for part in path.relative_to(BOOK).parts[:-1])
    ]
    orphans = sorted(_id(path) for path in pages if path.resolve() not in listed)
    assert orphans == [], f"pages missing from _toc.yml (only_build_toc_files skips them): {orphans}"


# --- page format ----------------------------------------------------------------------------

def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, f"{_id(path)}: no YAML front matter (the jupytext header) at the top"
    return yaml.safe_load(match.group(1)) or {}


@pytest.mark.parametrize("path", toc_pages(), ids=_id)
def test_page_is_myst_markdown_with_the_jupytext_header(path):
    assert path.suffix == ".md", f"{_id(path)}: book pages are MyST Markdown notebooks, not {path.suffix}"
    header = front_matter(path)
    for key, expected in EXPECTED_HEADER.items():
        assert header.get(key) == expected, f"{_id(path)}: header {key!r} differs from book/intro.md's"


def imports_only(source: str) -> list[str]:
    """The statements of `source` that are not imports (as text), IPython magics ignored."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    tree = ast.parse(code)
    return [ast.get_source_segment(code, node) or "?" for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))]


@pytest.mark.parametrize("path", toc_pages(), ids=_id)
def test_page_with_code_opens_with_a_setup_section_of_imports(path):
    cells = page_cells(path)
    code_cells = [cell for cell in cells if cell.cell_type == "code"]
    if not code_cells:
        return  # prose only (the intro, an index): nothing to set up
    setup = setup_cells(path, cells)  # raises naming the page if there is no `## Setup`
    assert code_cells[0] == setup[0], f"{_id(path)}: the first code cell must be the Setup cell"
    # The imports cell; later cells of the section may prepare data (run_cells runs them too).
    others = imports_only(setup[0].source)
    assert others == [], f"{_id(path)}: the Setup cell holds only imports, found {others}"


# --- no stored outputs ----------------------------------------------------------------------

@pytest.mark.parametrize("path", course_notebooks() + [p for p in toc_pages() if p.suffix == ".ipynb"], ids=_id)
def test_notebook_stores_no_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    stored = [
        index
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert stored == [], f"{_id(path)}: cells {stored} store outputs or execution counts"


# --- exercises name their chapter as the book does ------------------------------------------

# "The exercise of the chapter *Tensors* (`book/tensors/`)": the title between the asterisks.
CHAPTER_NAMED = re.compile(r"exercise of the chapter \*(?P<title>[^*]+)\*")
PAGE_TITLE = re.compile(r"^#\s+(?P<title>.+?)\s*$", re.MULTILINE)


def page_title(path: Path) -> str:
    """The page's `# ` title, which the book shows as the chapter's name (_toc.yml gives none)."""
    for cell in page_cells(path):
        match = PAGE_TITLE.search(cell.source) if cell.cell_type == "markdown" else None
        if match:
            return match.group("title")
    raise AssertionError(f"{_id(path)}: no `# ` title")


def chapter_pages() -> dict[str, Path]:
    """{folder under book/: the chapter's index page} for the chapters _toc.yml lists."""
    return {path.parent.name: path for path in toc_pages()
            if path.stem == "index" and path.parent.parent == BOOK}


# A released exercise in another language (exercises/zh-CN/<name>/) names the chapter as that
# edition titles it: "这是*张量*一章的练习（`book/zh-CN/tensors/`）".
EDITIONS = {"zh-CN": re.compile(r"\*(?P<title>[^*]+)\*一章的练习")}


@pytest.mark.parametrize("path", course_notebooks(), ids=_id)
def test_exercise_intro_names_its_chapter_as_the_book_titles_it(path):
    chapter = chapter_pages().get(path.parent.name)
    assert chapter is not None, f"{_id(path)}: no chapter book/{path.parent.name}/index.md in _toc.yml"
    edition = path.parent.parent.name if path.parent.parent.name in EDITIONS else None
    folder = f"book/{edition}/{path.parent.name}/" if edition else f"book/{path.parent.name}/"
    if edition:
        chapter = REPO / folder / "index.md"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    intro = next("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    named = (EDITIONS[edition] if edition else CHAPTER_NAMED).search(intro)
    assert named, f"{_id(path)}: the intro does not say 'the exercise of the chapter *<title>*'"
    assert named.group("title") == page_title(chapter), (
        f"{_id(path)}: the intro calls the chapter *{named.group('title')}*, the book "
        f"titles it {page_title(chapter)!r} ({_id(chapter)})")
    assert f"`{folder}`" in intro, f"{_id(path)}: the intro does not give the chapter's folder"


# --- alt text on figures --------------------------------------------------------------------

PYPLOT_NAMES = {"plt", "pyplot"}
# pyplot functions that draw nothing.
PYPLOT_QUIET = {"close", "rc", "rc_context", "rcdefaults", "ion", "ioff", "get_cmap", "get_fignums", "switch_backend", "style", "colormaps"}
# Axes/Figure methods that draw, called on names like ax, axes[0], fig, ax_left.
DRAWING_METHODS = {
    "plot", "scatter", "bar", "barh", "hist", "hist2d", "imshow", "matshow", "pcolormesh", "contour",
    "contourf", "quiver", "streamplot", "fill_between", "errorbar", "step", "stem", "pie", "boxplot",
    "violinplot", "loglog", "semilogx", "semilogy", "axhline", "axvline", "axline", "annotate",
    "add_subplot", "subplots", "colorbar", "plot_surface", "plot_wireframe",
}
FIGURE_OBJECT = re.compile(r"^(ax|axs|axes|fig|figure)(_?\w*)$")


def _plotting_helpers() -> set[str]:
    """The plot_* functions of ttt.plotting (one copy of the book's figure code)."""
    import ttt.plotting

    return {name for name in dir(ttt.plotting) if name.startswith("plot")}


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _top_level_calls(tree: ast.AST):
    """Calls that run when the cell runs: not those inside function or class bodies."""
    stack = list(ast.iter_child_nodes(tree))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _draws(call: ast.Call, plotting_functions: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in plotting_functions
    if isinstance(func, ast.Attribute):
        root = _root_name(func.value)
        if func.attr in plotting_functions:  # ttt.plotting.plot_fit(...), plotting.plot_fit(...)
            return True
        if root in PYPLOT_NAMES:
            first = func
            while isinstance(first.value, ast.Attribute):  # plt.style.use -> "style"
                first = first.value
            return first.attr not in PYPLOT_QUIET
        return func.attr in DRAWING_METHODS and root is not None and bool(FIGURE_OBJECT.match(root))
    return False


def _parse(source: str) -> ast.Module | None:
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        return ast.parse(code)
    except SyntaxError:
        return None  # the build reports it; this check only looks for figures


def figure_cells(sources: list[str]) -> list[int]:
    """Indices of the cells (of one page, in order) that draw a figure when run.

    A cell draws if, outside any function body, it calls pyplot, draws on an Axes/Figure
    (`ax.plot`, `axes[1].hist`, `fig.colorbar`...), calls a ttt.plotting helper, calls a
    function defined earlier on the page that does any of these, or ends with a bare `fig`.
    """
    plotting_functions = set(_plotting_helpers())
    drawing: list[int] = []
    for index, source in enumerate(sources):
        tree = _parse(source)
        if tree is None:
            continue
        # Functions this cell defines that draw (a page-level helper for several figures).
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(_draws(call, plotting_functions) for call in ast.walk(node) if isinstance(call, ast.Call)):
                    plotting_functions.add(node.name)
        calls = any(_draws(call, plotting_functions) for call in _top_level_calls(tree))
        last = tree.body[-1] if tree.body else None
        shows_figure = isinstance(last, ast.Expr) and isinstance(last.value, ast.Name) and bool(FIGURE_OBJECT.match(last.value.id)) and last.value.id.startswith("fig")
        if calls or shows_figure:
            drawing.append(index)
    return drawing


def alt_text(metadata: dict) -> str:
    image = (metadata.get("mystnb") or {}).get("image") or {}
    alt = image.get("alt") if isinstance(image, dict) else None
    return alt.strip() if isinstance(alt, str) else ""


@pytest.mark.parametrize("path", toc_pages(), ids=_id)
def test_every_figure_has_alt_text(path):
    cells = [cell for cell in page_cells(path) if cell.cell_type == "code"]
    missing = [
        cells[i].index + 1
        for i in figure_cells([cell.source for cell in cells])
        # A cell whose output is removed shows no figure.
        if not {"remove-output", "remove_output", "remove-cell", "remove_cell"} & set(cells[i].tags)
        and not alt_text(cells[i].metadata)
    ]
    assert missing == [], (
        f"{_id(path)}: cells {missing} draw a figure without alt text; add to the cell\n"
        ":mystnb:\n  image:\n    alt: \"what the figure shows\""
    )


# --- the figure detector itself -------------------------------------------------------------

@pytest.mark.parametrize(
    "source",
    [
        "fig, ax = plt.subplots()\nax.plot([1, 2])",
        "plt.plot([1, 2])",
        "plt.figure(figsize=(3, 3))",
        "axes[0].hist(values)",
        "ax_left.scatter(x, y)",
        "plot_fit(inputs, outputs, W, b)",
        "ttt.plotting.plot_trajectory(trajectory, 3.0, 2.0)",
        "for rate in rates:\n    plt.plot(losses[rate])",
        "fig",
    ],
)
def test_detector_sees_figures(source):
    assert figure_cells([source]) == [0]


@pytest.mark.parametrize(
    "source",
    [
        "import matplotlib.pyplot as plt",
        "def draw(ax):\n    ax.plot([1, 2])",
        "plt.close('all')",
        "plt.style.use('default')",
        "values = np.histogram(x)\nmodel.step(1)",
        "interact(draw, rate=(0.0, 1.0))",
        "this is not python (",
    ],
)
def test_detector_ignores_code_that_draws_nothing(source):
    assert figure_cells([source]) == []


def test_detector_follows_functions_defined_earlier_on_the_page():
    sources = ["def draw(ax):\n    ax.plot([1, 2])", "x = 1", "draw(left_axes)", "show_loss = draw\nshow_loss"]
    # Cell 2 draws through `draw`; cell 3 only rebinds it.
    assert figure_cells(sources) == [2]


def test_alt_text_is_read_from_mystnb_image_metadata():
    assert alt_text({"mystnb": {"image": {"alt": "W and b per epoch"}}}) == "W and b per epoch"
    assert alt_text({"mystnb": {"image": {"alt": "  "}}}) == ""
    assert alt_text({"mystnb": {"figure": {"caption": "no alt"}}}) == ""
    assert alt_text({}) == ""
