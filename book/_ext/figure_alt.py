"""Alt text for a figure in the words of the page's edition: the `figure-alt` directive.

A figure's alt text is written on the code cell that draws it (``mystnb: image: alt:``), and
a translated page's code cells must stay the English page's, metadata included: it is
what finds the English execution in the shared jupyter-cache (README, "The Chinese
edition"). So a translation gives the figure's alt text in its prose instead, as the first
thing of the markdown cell right after the figure's cell::

    ```{figure-alt}
    两幅等高线图……
    ```

When the page is read, the text replaces the alt text of the last image before it.
In an edition other than English, a figure left with its English alt text (no
``figure-alt`` after it) is a warning naming the page and the figure (an error in the
strict build), as is a ``figure-alt`` with no image before it.

Enable it in _config.yml: ``sphinx: local_extensions: {figure_alt: book/_ext}``.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

__version__ = "1.0.0"
LOGGER = logging.getLogger(__name__)
ENGLISH = "en"


class figure_alt(nodes.Invisible, nodes.Element):
    """Where a translated alt text was given; gone once applied."""


class FigureAlt(SphinxDirective):
    has_content = True

    def run(self) -> list[nodes.Node]:
        text = " ".join(line.strip() for line in self.content if line.strip())
        if not text:
            raise self.error("figure-alt needs the figure's alt text as its content")
        node = figure_alt(text=text)
        self.set_source_info(node)
        return [node]


def _cell_images(doctree: nodes.document) -> list[nodes.image]:
    """The images of the page's code cells' outputs, in order."""
    return [image for image in doctree.findall(nodes.image)
            if any("cell_output" in (parent.get("classes") or [])
                   for parent in _ancestors(image))]


def _ancestors(node: nodes.Node):
    while node.parent is not None:
        node = node.parent
        yield node


def apply_alt_texts(app: Sphinx, doctree: nodes.document) -> None:
    """Give each `figure-alt`'s text to the last image before it; say what is left over."""
    last_image, translated = None, set()
    for node in list(doctree.findall(lambda n: isinstance(n, (nodes.image, figure_alt)))):
        if isinstance(node, nodes.image):
            last_image = node
            continue
        if last_image is None or id(last_image) in translated:
            LOGGER.warning("figure-alt with no figure before it (it must open the markdown "
                           "cell right after the cell that draws the figure)", location=node,
                           type="ttt", subtype="figure_alt")
        else:
            last_image["alt"] = node["text"]
            translated.add(id(last_image))
        node.parent.remove(node)
    language = (app.config.language or ENGLISH).split("_")[0].split("-")[0]
    if language == ENGLISH:
        return
    for number, image in enumerate(_cell_images(doctree), start=1):
        if id(image) not in translated:
            LOGGER.warning(
                f"figure {number} of this page keeps its English alt text "
                f"({(image.get('alt') or '')[:60]!r}...): open the markdown cell after its "
                "cell with a figure-alt directive holding the translation",
                location=(app.env.docname, None), type="ttt", subtype="figure_alt")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("figure-alt", FigureAlt)
    app.add_node(figure_alt)
    app.connect("doctree-read", apply_alt_texts)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
