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

Mistakes are Sphinx warnings naming the page and cell, so the strict build fails on them:
a cell tagged with both frameworks, a run that holds only one framework (often prose
splitting what was meant to be one run), a tagged markdown cell containing a heading.
"""

from __future__ import annotations

from typing import Any, Iterable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

__version__ = "1.0.0"

LOGGER = logging.getLogger(__name__)

# Tag -> tab label, in the order the tabs appear (the first is selected by default).
FRAMEWORKS = {"numpy": "NumPy", "tensorflow": "TensorFlow"}
# sphinx-design syncs every tab label sharing a (group, id) pair: ids are the tags.
SYNC_GROUP = "framework"
WARNING_TYPE = "framework_tabs"
# Marks the container that `_keep_markdown_cell_tags` wraps a tagged markdown cell in.
MARKDOWN_CELL = "framework_markdown_cell"


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

    def _replace_with_tab_set(self, run: list[tuple[str, nodes.Element]]) -> None:
        from sphinx_design.shared import create_component

        first = run[0][1]
        parent = first.parent
        position = parent.index(first)
        for _, cell in run:
            parent.remove(cell)

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


def _keep_markdown_cell_tags() -> None:
    """Make myst-nb keep tagged markdown cells in a container that carries their tags.

    myst-nb 1.4 renders a markdown cell's content straight into the page (its
    `render_nb_cell_markdown` says a wrapper would break the heading structure), so its
    metadata never reaches the doctree. We wrap only framework-tagged cells, and only
    those without headings, which keeps the page's sections intact.
    """
    from myst_nb.sphinx_ import SphinxNbRenderer

    original = SphinxNbRenderer.render_nb_cell_markdown
    if getattr(original, "_keeps_framework_tags", False):
        return  # already wrapped (a second Sphinx app in the same process)

    def render_nb_cell_markdown(self, token) -> None:
        metadata = token.meta.get("metadata") or {}
        tags = metadata.get("tags", [])
        if not framework_tags(tags) or not _extension_enabled(self):
            return original(self, token)
        cell_index = token.meta.get("index", -1)
        if any(child.type == "heading" for child in token.walk()):
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


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.setup_extension("sphinx_design")  # its tab nodes, HTML transform, JS and CSS
    _keep_markdown_cell_tags()
    app.add_transform(GroupFrameworkCells)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
