"""Start every page's notebook with the book's set-up cell, as the page is read.

Outside a clone of the repository a page's notebook cannot import ``ttt`` until its first
code cell has installed it (:mod:`ttt.setup_cell` keeps that cell, once). The sources do
not carry the cell: this extension inserts it, before the first code cell of every page
that has code, into the notebook myst-nb reads. So the build executes it (in the build's
kernel ``ttt`` is installed: it does nothing and prints nothing), the HTML shows it
(folded, as "Show code cell source"), and every ``.ipynb`` the build writes (the download
in ``_sources/``, the launch copies in ``notebooks/``) starts with it.

The cell is rendered from ``launch_buttons`` in ``_config.yml`` (``ttt_source``,
``notebooks_branch``) and ``repository.url``, at ``ttt.__version__``. A page whose source
already holds a copy of the cell fails the build (a warning, and warnings are errors):
the copy would be stale one day, and the cell would run twice.

The fold's labels are the cell's ``mystnb`` metadata, the same in every edition: jupyter-cache
keys an execution by the code cells *with their metadata*, so a Chinese page must carry the
very cell its English page does to reuse that page's execution. Another edition's labels
(the config value ``ttt_setup_cell_labels``: show, hide; the Chinese ones are in
``book/zh-CN/_edition.yml``) are put on the rendered fold instead (``LabelTheFold``).
The cell's metadata also carries ``ttt.labels.fingerprint()``: the figures' Chinese
copies depend on that table, so a changed table makes every page run again.

myst-nb has no hook between reading a notebook and executing it; this extension wraps
``myst_nb.sphinx_.create_nb_reader`` (myst-nb 1.4) for the pages under the book's source
folder only, and keeps the cell map (``source_map``) aligned, so warnings still name the
right line of the page. ``tests/dist/test_built_notebooks.py`` fails if the cell is
missing from the HTML or the notebooks.

Enable it in _config.yml: ``sphinx: local_extensions: {notebook_setup: book/_ext}``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from ttt import labels, setup_cell

__version__ = "1.0.0"

LOGGER = logging.getLogger(__name__)
SHOW = "Set-up: installs ttt where it is missing (show the code)"
HIDE = "Hide the set-up code"
# Source folder of each book this process builds -> the install source its cell names.
_BOOKS: dict[Path, str] = {}


def book_launch_settings(config: Config) -> dict[str, str]:
    """``ttt.setup_cell.launch_settings`` of the book, read from Sphinx's configuration
    (jupyter-book copies ``repository.url`` and ``launch_buttons`` into the theme's options)."""
    theme = config.html_theme_options or {}
    return setup_cell.launch_settings({
        "repository": {"url": theme.get("repository_url", "")},
        "launch_buttons": theme.get("launch_buttons") or {},
    })


def configure(app: Sphinx, config: Config) -> None:
    try:
        source = book_launch_settings(config)["source"]
    except ValueError as error:
        from sphinx.errors import ConfigError

        raise ConfigError(f"notebook_setup: {error}") from None
    # A config value: when what is inserted changes (a new version or source, another
    # label, another translation table), every page is read again (and executed again if
    # the code or the table changed).
    config.ttt_setup_cell = json.dumps([setup_cell.new_cell(source), SHOW, HIDE,
                                        labels.fingerprint()])
    _BOOKS[Path(app.srcdir).resolve()] = source
    _wrap_myst_nb_reader()


def _source_for(path: str) -> str | None:
    resolved = Path(path).resolve()
    for srcdir, source in _BOOKS.items():
        if resolved.is_relative_to(srcdir):
            return source
    return None


def insert_setup_cell(notebook: Any, path: str, source: str) -> None:
    """Insert the set-up cell into the notebook read from ``path``; warn on a copy."""
    try:
        where = setup_cell.insert(notebook, source)
    except setup_cell.StaleCopyError as error:
        LOGGER.warning(f"{path}: {error}", type="ttt", subtype="setup_cell")
        return
    if where is None:
        return
    # The HTML folds it (tag hide-input) under a label that says what it is.
    notebook.cells[where].metadata["mystnb"] = {"code_prompt_show": SHOW,
                                                "code_prompt_hide": HIDE}
    # The figures' Chinese copies are drawn as the page runs (ttt.labels): jupyter-cache
    # keys an execution on its cells' metadata too, so a changed table runs it again.
    notebook.cells[where].metadata["ttt"] = {"labels": labels.fingerprint()}
    source_map = notebook.metadata.get("source_map")
    if isinstance(source_map, list) and len(source_map) == len(notebook.cells) - 1:
        # The cell has no line of its own: it reports at the line of the cell it precedes.
        source_map.insert(where, source_map[where])


def _wrap_myst_nb_reader() -> None:
    from myst_nb import sphinx_ as mystnb_sphinx

    original = mystnb_sphinx.create_nb_reader
    if getattr(original, "ttt_setup_cell", False):
        return

    def create_nb_reader(path, md_config, nb_config, content):
        reader = original(path, md_config, nb_config, content)
        source = _source_for(path)
        if reader is None or source is None:
            return reader
        read = reader.read

        def read_with_setup_cell(text):
            notebook = read(text)
            insert_setup_cell(notebook, path, source)
            return notebook

        return dataclasses.replace(reader, read=read_with_setup_cell)

    create_nb_reader.ttt_setup_cell = True
    mystnb_sphinx.create_nb_reader = create_nb_reader


class LabelTheFold(SphinxTransform):
    """Give the set-up cell's fold this edition's labels (``ttt_setup_cell_labels``)."""

    default_priority = 500  # after the parser; myst-nb's fold is a post-transform

    def apply(self, **kwargs: Any) -> None:
        show, hide = self.config.ttt_setup_cell_labels
        if (show, hide) == (SHOW, HIDE):
            return
        for cell in self.document.findall(nodes.container):
            if f"tag_{setup_cell.TAG}" in cell.get("classes", []) and "prompt_show" in cell:
                cell["prompt_show"], cell["prompt_hide"] = show, hide


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("ttt_setup_cell", "", "env", types=[str])
    app.add_config_value("ttt_setup_cell_labels", [SHOW, HIDE], "env", types=[list, tuple])
    app.add_transform(LabelTheFold)
    # After jupyter-book's and the theme's own config-inited handlers.
    app.connect("config-inited", configure, priority=800)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
