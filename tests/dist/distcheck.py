"""What the learners' distribution tests share: where things are, the canonical set-up cell
as _config.yml makes it, and how to read cells and launch links.

    from distcheck import canonical_cell, code_cells, HTML
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import yaml

from ttt import setup_cell
from toc import toc_docnames

REPO = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("TTT_BOOK_HTML", REPO / "_build" / "html"))
CONFIG = REPO / "_config.yml"


def book_config() -> dict:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def launch_settings() -> dict[str, str]:
    return setup_cell.launch_settings(book_config())


def canonical_cell(source: str | None = None) -> str:
    """The set-up cell as _config.yml and ttt.__version__ make it (or for ``source``)."""
    return setup_cell.cell_source(source if source is not None else launch_settings()["source"])


def build_dist():
    """tools/build_dist.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_dist", REPO / "tools" / "build_dist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def has_code(docname: str) -> bool:
    """Does the page's source hold a code cell (read with jupytext, as myst-nb reads it)?"""
    import jupytext

    notebook = jupytext.read(REPO / f"{docname}.md")
    return any(cell.cell_type == "code" for cell in notebook.cells)


def built() -> bool:
    return (HTML / "index.html").is_file()
