"""Run parts of a book page in a test: its `## Setup` cell(s), then the cells with given tags.

A chapter shows the code it teaches (tagged `teaches`); tests load the page with jupytext,
run only the Setup imports and those cells in a fresh namespace, and compare what they define
with the `ttt` reference. Other cells (plots, long trainings) are not run.

    from pages import run_cells          # tests/book/conftest.py puts this folder on sys.path
    ns = run_cells(BOOK / "linear_fit" / "numpy.md")
    ns["train_step_numpy"](...)
"""

from __future__ import annotations

import contextlib
import linecache
import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import jupytext

# A level-2 heading ("## Title"), or a level-1 one, ends the Setup section.
_SECTION_HEADING = re.compile(r"^#{1,2}\s+(?P<title>.+?)\s*#*\s*$", re.MULTILINE)
_SETUP_TITLE = "setup"


class PageError(ValueError):
    """A page lacks what the test asked for (a Setup cell, a tagged cell...)."""


@dataclass(frozen=True)
class PageCell:
    """One cell of a page, as jupytext reads it."""

    index: int  # position in the notebook, from 0
    cell_type: str  # "code", "markdown" or "raw"
    source: str
    tags: tuple[str, ...] = ()
    metadata: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def section_titles(self) -> list[str]:
        """The `#`/`##` headings this (markdown) cell contains, in order."""
        if self.cell_type != "markdown":
            return []
        return [m.group("title") for m in _SECTION_HEADING.finditer(_strip_fenced_blocks(self.source))]


def _strip_fenced_blocks(markdown: str) -> str:
    """Drop fenced code blocks so a `# comment` inside one is not read as a heading."""
    return re.sub(r"^(`{3,}|~{3,}).*?^\1\s*$", "", markdown, flags=re.MULTILINE | re.DOTALL)


def page_cells(page_path: str | os.PathLike) -> list[PageCell]:
    """All cells of a MyST Markdown (or .ipynb) page, in order."""
    path = Path(page_path)
    if not path.is_file():
        raise FileNotFoundError(f"no such page: {path}")
    notebook = jupytext.read(path)
    return [
        PageCell(
            index=i,
            cell_type=cell.cell_type,
            source=cell.source,
            tags=tuple(cell.metadata.get("tags", ())),
            metadata=dict(cell.metadata),
        )
        for i, cell in enumerate(notebook.cells)
    ]


def setup_cells(page_path: str | os.PathLike, cells: list[PageCell] | None = None) -> list[PageCell]:
    """The code cells of the `## Setup` section: after its heading, before the next heading."""
    cells = page_cells(page_path) if cells is None else cells
    found_heading = False
    section: list[PageCell] = []
    for cell in cells:
        titles = cell.section_titles
        if titles:
            if found_heading:  # the next section starts: Setup is over
                break
            # The Setup heading may share a cell with the page title ("# Title\n\n## Setup").
            if titles[-1].strip().lower() == _SETUP_TITLE:
                found_heading = True
            continue
        if found_heading and cell.cell_type == "code":
            section.append(cell)
    if not found_heading:
        raise PageError(f"{page_path}: no '## Setup' heading")
    if not section:
        raise PageError(f"{page_path}: the '## Setup' section has no code cell")
    return section


def tagged_cells(
    page_path: str | os.PathLike, tags: tuple[str, ...], cells: list[PageCell] | None = None
) -> list[PageCell]:
    """The code cells carrying any of `tags`, in page order."""
    cells = page_cells(page_path) if cells is None else cells
    return [c for c in cells if c.cell_type == "code" and set(c.tags) & set(tags)]


def run_cells(page_path: str | os.PathLike, tags: tuple[str, ...] | str = ("teaches",)) -> dict:
    """Execute a page's Setup cell(s), then its code cells tagged with any of `tags`.

    Runs in a fresh namespace with matplotlib's Agg backend, from the page's folder (as the
    book build does), and returns the namespace. Tracebacks name the page and cell index.
    """
    if isinstance(tags, str):
        tags = (tags,)
    path = Path(page_path).resolve()
    cells = page_cells(path)
    setup = setup_cells(path, cells)
    tagged = [c for c in tagged_cells(path, tags, cells) if c not in setup]
    if not tagged:
        raise PageError(f"{page_path}: no code cell tagged with any of {list(tags)}")

    _use_headless_matplotlib()
    namespace: dict = {"__name__": f"page_{path.stem}", "__file__": str(path)}
    with contextlib.chdir(path.parent):
        for cell in setup + tagged:
            _execute(cell, path, namespace)
    return namespace


def taught(page_path: str | os.PathLike):
    """The names a page's Setup and ``teaches`` cells define, as attributes (``page.predict``)."""
    from types import SimpleNamespace

    return SimpleNamespace(**run_cells(page_path, tags=("teaches",)))


def _use_headless_matplotlib() -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")


def _execute(cell: PageCell, path: Path, namespace: dict) -> None:
    magic = next((line for line in cell.source.splitlines() if line.lstrip().startswith(("%", "!"))), None)
    if magic is not None:
        raise PageError(f"{path}: cell {cell.index} uses IPython syntax ({magic.strip()!r}); run_cells runs plain Python")
    # A fake file name that tracebacks and inspect.getsource can resolve to the cell's text.
    filename = f"<page {path.name} cell {cell.index}>"
    linecache.cache[filename] = (len(cell.source), None, cell.source.splitlines(keepends=True), filename)
    exec(compile(cell.source, filename, "exec"), namespace)


def check_yourself(page_path: str | os.PathLike) -> tuple[str, list[str]]:
    """A page's "Check yourself" section: its text with whitespace squeezed, and the
    ```python blocks it shows, dedented, in order (tests run them and check the answers)."""
    text = Path(page_path).read_text(encoding="utf-8")
    section = text[text.index("## Check yourself"):text.index("## Summary")]
    blocks = [textwrap.dedent(match[2]) for match in
              re.finditer(r"^( *)```python\n(.*?)^\1```", section, re.M | re.S)]
    return " ".join(section.split()), blocks
