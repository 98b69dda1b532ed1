"""The stylesheets our extensions ship in book/_ext/static/, added to HTML builds only.

Not an extension: a helper the extensions import (book/_ext is on sys.path for them)."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

STATIC_DIR = Path(__file__).parent / "static"


def add_stylesheet(app: Sphinx, name: str) -> None:
    """Serve ``static/<name>`` and link it from every page, as sphinx-design adds its own."""
    if app.builder.format != "html":
        return
    if str(STATIC_DIR) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC_DIR))
    app.add_css_file(name)
