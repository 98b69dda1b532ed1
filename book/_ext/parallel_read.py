"""Let Sphinx read (and so execute) the book's pages in parallel.

sphinx-external-toc always loads sphinx_multitoc_numbering, which does not declare whether it
is safe for parallel reading, so Sphinx falls back to reading — executing every chapter's
kernel — one page at a time. That extension only renumbers sections once all pages are read,
in the main process, so parallel reading cannot race it: we say so on its behalf.
"""


def _declare_multitoc_numbering_safe(app, config):
    extension = app.extensions.get("sphinx_multitoc_numbering")
    if extension is not None:
        extension.parallel_read_safe = True


def setup(app):
    app.connect("config-inited", _declare_multitoc_numbering_safe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
