"""NumPy | TensorFlow tabs built from tagged notebook cells, with their executed outputs.

myst-nb drops `{code-cell}`s nested inside a `tab-set` directive (myst-nb#723), so a chapter
cannot put executable cells into tabs directly. Instead authors tag cells:

    ```{code-cell} ipython3
    :tags: [numpy]
    ...
    ```

and this extension groups every run of *adjacent* cells tagged `numpy` or `tensorflow` into
one sphinx-design tab-set with a "NumPy" tab and a "TensorFlow" tab. Cells keep their order
within their tab, and code cells keep their executed outputs (they are moved whole). All tab
sets share the sphinx-design sync group "framework", so choosing TensorFlow once shows
TensorFlow in every tab set, on this page and (through the browser's local storage) on the
next pages. The notebook itself is unchanged: opened in Jupyter it runs top to bottom.

Markdown cells may be tagged too (`+++ {"tags": ["tensorflow"]}` before the cell in MyST):
myst-nb renders markdown cells without any wrapper, losing their tags, so `setup()` wraps
tagged markdown cells in a container carrying the tags (see `_keep_markdown_cell_tags`).
Such cells cannot contain headings (a section cannot live inside a tab).

Side by side: where the prose compares the two frameworks (two printouts, two versions of one
step), tabs hide the half the sentence talks about. Tag every cell of such a run `compare`
as well (`:tags: [numpy, compare]`, `:tags: [tensorflow, compare]`) and the run becomes a
sphinx-design grid instead: a "NumPy" column on the left and a "TensorFlow" column on the
right, each holding its cells in order with their outputs. Below sphinx-design's `lg`
breakpoint (992 px) the columns stack, NumPy first. From 1200 px up the grid grows into the
right margin (sphinx-book-theme's `full-width`, which hides the page's table of contents
while the grid is in view), so a column holds about 50 characters of code at 1280 px (38 at
992 px); a longer line scrolls inside its own column. Use it only where the reader must see
both at once: elsewhere tabs keep the page short. The style is static/framework_tabs.css.

Mistakes are Sphinx warnings naming the page and cell, so the strict build fails on them:
a cell tagged with both frameworks, a run that holds only one framework (often prose
splitting what was meant to be one run), a tagged markdown cell containing a heading, a run
in which some cells are tagged `compare` and others not (it is shown as tabs), and a cell
tagged `compare` that is in no run (it has no framework tag).
"""

from __future__ import annotations

from typing import Any, Iterable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

import static_files  # book/_ext/static_files.py (not an extension)

__version__ = "1.1.0"

LOGGER = logging.getLogger(__name__)

# Tag -> tab label, in the order the tabs appear (the first is selected by default).
FRAMEWORKS = {"numpy": "NumPy", "tensorflow": "TensorFlow"}
# sphinx-design syncs every tab label sharing a (group, id) pair: ids are the tags.
SYNC_GROUP = "framework"
WARNING_TYPE = "framework_tabs"
# Marks the container that `_keep_markdown_cell_tags` wraps a tagged markdown cell in.
MARKDOWN_CELL = "framework_markdown_cell"
# A run whose cells all carry this tag is shown side by side, not as tabs.
COMPARE = "compare"
# Columns side by side from this sphinx-design breakpoint (lg, 992 px) up; stacked below it.
COLUMNS_FROM = "lg"
CSS_FILE = "framework_tabs.css"


def framework_tags(tags: Iterable[str]) -> list[str]:
    """The framework tags among a cell's tags, in FRAMEWORKS order."""
    tags = set(tags)
    return [framework for framework in FRAMEWORKS if framework in tags]


def _cell_metadata(node: nodes.Node) -> dict | None:
    """A cell container's notebook metadata, or None for any other node."""
    if not isinstance(node, nodes.container):
        return None
    if node.get("nb_element") == "cell_code" or node.get(MARKDOWN_CELL):
        return node.get("cell_metadata") or {}
    return None


def _cell_label(node: nodes.Element) -> str:
    kind = "markdown" if node.get(MARKDOWN_CELL) else "code"
    # myst-nb counts cells from 0; people count from 1 (as Jupyter's cell numbers do).
    return f"{kind} cell {node.get('cell_index', -1) + 1}"


class GroupFrameworkCells(SphinxTransform):
    """Wrap each run of adjacent framework-tagged cells into a synced tab-set."""

    # After the parser built the cells, long before sphinx-design's HTML post-transform,
    # which turns our tab-set containers into radio inputs and labels like its own.
    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        for run in self._runs():
            if self._is_comparison(run):
                self._replace_with_columns(run)
            else:
                self._replace_with_tab_set(run)

    def _warn(self, message: str, node: nodes.Element) -> None:
        LOGGER.warning(
            f"{message} [page {self.env.docname!r}, {_cell_label(node)}] [{WARNING_TYPE}]",
            location=node,
            type=WARNING_TYPE,
            subtype="cell",
        )

    def _framework_of(self, node: nodes.Node) -> str | None:
        """The one framework a cell is tagged with; None for other nodes (with a warning)."""
        metadata = _cell_metadata(node)
        if metadata is None:
            return None
        frameworks = framework_tags(metadata.get("tags", []))
        if len(frameworks) > 1:
            self._warn(
                "a cell is tagged with both 'numpy' and 'tensorflow'; it stays outside any tab. "
                "Split it into one cell per framework",
                node,
            )
            return None
        return frameworks[0] if frameworks else None

    def _runs(self) -> list[list[tuple[str, nodes.Element]]]:
        """Maximal runs of sibling cells tagged with one framework each, in page order."""
        runs: list[list[tuple[str, nodes.Element]]] = []
        # Collect first: the tree is rewritten afterwards.
        for parent in list(self.document.findall(nodes.Element)):
            current: list[tuple[str, nodes.Element]] = []
            for child in parent.children:
                framework = self._framework_of(child)
                if framework is None and _has_compare_tag(child):
                    self._warn(
                        f"a cell is tagged {COMPARE!r} but not 'numpy' or 'tensorflow', so "
                        "there is nothing to put side by side. Add its framework tag, or drop "
                        f"{COMPARE!r}",
                        child,
                    )
                if framework is None:
                    if current:
                        runs.append(current)
                    current = []
                else:
                    current.append((framework, child))
            if current:
                runs.append(current)
        return [run for run in runs if self._is_complete(run)]

    def _is_complete(self, run: list[tuple[str, nodes.Element]]) -> bool:
        present = {framework for framework, _ in run}
        missing = [FRAMEWORKS[f] for f in FRAMEWORKS if f not in present]
        if not missing:
            return True
        first = run[0][1]
        self._warn(
            f"a run of cells tagged only {', '.join(FRAMEWORKS[f] for f in present)} has no "
            f"{' or '.join(missing)} counterpart, so no tabs are made. Put the other framework's "
            "cells right after it (no untagged cell in between), or drop the tag",
            first,
        )
        return False

    def _is_comparison(self, run: list[tuple[str, nodes.Element]]) -> bool:
        """Whether every cell of the run is tagged `compare` (a warning if only some are)."""
        marked = [cell for _, cell in run if _has_compare_tag(cell)]
        if not marked:
            return False
        if len(marked) == len(run):
            return True
        unmarked = [cell for _, cell in run if not _has_compare_tag(cell)]
        self._warn(
            f"a run of NumPy/TensorFlow cells is only partly tagged {COMPARE!r} (tagged: "
            f"{', '.join(_cell_label(c) for c in marked)}; not tagged: "
            f"{', '.join(_cell_label(c) for c in unmarked)}), so it is shown as tabs. Tag "
            f"every cell of the run {COMPARE!r} to show it side by side, or none of them",
            unmarked[0],
        )
        return False

    def _take_out(self, run: list[tuple[str, nodes.Element]]) -> tuple[nodes.Element, int]:
        """Remove the run's cells from the page; where they were (parent, position)."""
        first = run[0][1]
        parent = first.parent
        position = parent.index(first)
        for _, cell in run:
            parent.remove(cell)
        return parent, position

    def _replace_with_columns(self, run: list[tuple[str, nodes.Element]]) -> None:
        """A sphinx-design grid: one column per framework, side by side from COLUMNS_FROM."""
        from sphinx_design.shared import create_component

        first = run[0][1]
        parent, position = self._take_out(run)
        columns = []
        for framework, label_text in FRAMEWORKS.items():
            label = nodes.rubric(
                label_text, nodes.Text(label_text), classes=["framework-compare-label"]
            )
            column = create_component(
                "grid-item",
                classes=["sd-col", "framework-compare-column", f"framework-{framework}"],
                children=[label, *(cell for f, cell in run if f == framework)],
            )
            columns.append(column)
        # One column below the breakpoint, two from it up (sphinx-design's row-cols classes).
        breakpoints = ["xs", "sm", "md", "lg"]
        split = breakpoints.index(COLUMNS_FROM)
        row = create_component(
            "grid-row",
            classes=["sd-row", "sd-row-cols-1", "sd-g-3"]
            + [f"sd-row-cols-{b}-{1 if i < split else 2}" for i, b in enumerate(breakpoints)],
            children=columns,
        )
        grid = create_component(
            "grid-container",
            # `full-width`: sphinx-book-theme's wide content, which may reach into the right
            # margin, and hides the page's table of contents while it is in view.
            classes=["sd-container-fluid", "sd-sphinx-override", "sd-mb-4", "framework-compare",
                     "full-width"],
            children=[row],
        )
        for node in (grid, row, *columns, *(column[0] for column in columns)):
            node.source, node.line = first.source, first.line
        parent.insert(position, grid)

    def _replace_with_tab_set(self, run: list[tuple[str, nodes.Element]]) -> None:
        from sphinx_design.shared import create_component

        first = run[0][1]
        parent, position = self._take_out(run)

        items = []
        for framework, label_text in FRAMEWORKS.items():
            label = nodes.rubric(
                label_text,
                nodes.Text(label_text),
                classes=["sd-tab-label"],
                sync_group=SYNC_GROUP,
                sync_id=framework,
            )
            content = create_component(
                "tab-content",
                classes=["sd-tab-content"],
                children=[cell for f, cell in run if f == framework],
            )
            item = create_component(
                "tab-item",
                classes=["sd-tab-item", f"framework-{framework}"],
                children=[label, content],
                selected=False,  # sphinx-design then selects the first tab: NumPy
            )
            for node in (label, content, item):
                node.source, node.line = first.source, first.line
            items.append(item)

        tab_set = create_component(
            "tab-set", classes=["sd-tab-set", "framework-tabs"], children=items
        )
        tab_set.source, tab_set.line = first.source, first.line
        parent.insert(position, tab_set)


def _has_compare_tag(node: nodes.Node) -> bool:
    metadata = _cell_metadata(node)
    return metadata is not None and COMPARE in metadata.get("tags", [])


def _keep_markdown_cell_tags() -> None:
    """Make myst-nb keep tagged markdown cells in a container that carries their tags.

    myst-nb 1.4 renders a markdown cell's content straight into the page (its
    `render_nb_cell_markdown` says a wrapper would break the heading structure), so its
    metadata never reaches the doctree. We wrap only framework-tagged cells (and cells
    tagged `compare`, so that a stray `compare` tag can be reported), and only those
    without headings, which keeps the page's sections intact.
    """
    from myst_nb.sphinx_ import SphinxNbRenderer

    original = SphinxNbRenderer.render_nb_cell_markdown
    if getattr(original, "_keeps_framework_tags", False):
        return  # already wrapped (a second Sphinx app in the same process)

    def render_nb_cell_markdown(self, token) -> None:
        metadata = token.meta.get("metadata") or {}
        tags = metadata.get("tags", [])
        if not (framework_tags(tags) or COMPARE in tags) or not _extension_enabled(self):
            return original(self, token)
        cell_index = token.meta.get("index", -1)
        has_heading = any(child.type == "heading" for child in token.walk())
        if has_heading and not framework_tags(tags):
            return original(self, token)  # a stray `compare` tag: not worth breaking sections
        if has_heading:
            LOGGER.warning(
                f"a markdown cell tagged {framework_tags(tags)} contains a heading; a section "
                f"cannot go inside a tab, so the cell stays outside any tab. Move the heading "
                f"into an untagged cell [page {self.sphinx_env.docname!r}, markdown cell "
                f"{cell_index + 1}] [{WARNING_TYPE}]",
                location=(self.sphinx_env.docname, token.map[0] + 1 if token.map else None),
                type=WARNING_TYPE,
                subtype="cell",
            )
            return original(self, token)
        container = nodes.container(
            cell_index=cell_index,
            cell_metadata=metadata,
            classes=["cell", "cell_markdown", *(f"tag_{t.replace(' ', '_')}" for t in tags)],
            **{MARKDOWN_CELL: True},
        )
        self.add_line_and_source_path(container, token)
        with self.current_node_context(container, append=True):
            self.render_children(token)

    render_nb_cell_markdown._keeps_framework_tags = True  # type: ignore[attr-defined]
    SphinxNbRenderer.render_nb_cell_markdown = render_nb_cell_markdown


def _extension_enabled(renderer) -> bool:
    """Whether the app rendering this page loaded us (the patch is process-wide)."""
    app = getattr(renderer.sphinx_env, "app", None)
    return app is None or __name__ in app.extensions


def add_static_assets(app: Sphinx) -> None:
    """The side-by-side columns' stylesheet."""
    static_files.add_stylesheet(app, CSS_FILE)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.setup_extension("sphinx_design")  # its tab and grid nodes, HTML transform, JS and CSS
    _keep_markdown_cell_tags()
    app.add_transform(GroupFrameworkCells)
    app.connect("builder-inited", add_static_assets)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
