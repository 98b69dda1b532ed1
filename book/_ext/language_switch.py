"""A link on every page to the same page in the book's other edition (English | 简体中文).

The editions are built one after the other by tools/build_book.py, which hands each build
the table of both as the config value ``ttt_language_switch`` (tools/editions.py derives
it; nothing here reads the file system):

    {"this": "en",
     "editions": [{"code": "en", "label": "English", "html": "", "docname_prefix": "book/",
                   "keys": ["intro", "tensors/index", ...]},
                  {"code": "zh-CN", "label": "简体中文", "html": "zh-CN",
                   "docname_prefix": "", "keys": [...]}],
     "allow_missing": false}

A page's key is its docname less its edition's prefix; its HTML file, relative to the site
root, is ``<html>/<docname>.html``. Every page written (search and the general index too)
gets a link, in the header bar beside the download and full-screen buttons, to its
counterpart: a relative URL (the site works from any folder, offline), marked with
``hreflang`` and ``lang``; the template is templates/language-switch.html, its style
static/language_switch.css. A page of this
edition that the other edition lacks is a warning naming it (an error in the strict
build), at the start of every build, so that an unchanged rebuild cannot forget it; with
``allow_missing`` (``make book ALLOW_UNTRANSLATED=1``, while translators work) such a page
links to the other edition's front page instead, and the build says which pages do.

Without ``ttt_language_switch`` (a plain ``jupyter-book build``) the build warns once and
writes no switch.

Enable it in _config.yml: ``sphinx: local_extensions: {language_switch: book/_ext}``.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

import static_files  # book/_ext/static_files.py (not an extension)

__version__ = "1.0.0"

LOGGER = logging.getLogger(__name__)
CONFIG = "ttt_language_switch"
TEMPLATE = "language-switch.html"
TEMPLATES = Path(__file__).parent / "templates"
CSS_FILE = "language_switch.css"
HEADER = "article_header_end"  # sphinx-book-theme's slot for the header's right-hand buttons
THEME_HEADER_BUTTONS = "article-header-buttons.html"
WARNING_TYPE = "language_switch"


def configure(app: Sphinx, config: Config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path = [*config.templates_path, str(TEMPLATES)]
    options = dict(config.html_theme_options or {})
    header = options.get(HEADER) or [THEME_HEADER_BUTTONS]
    if isinstance(header, str):
        header = [item.strip() for item in header.split(",")]
    if TEMPLATE not in header:
        options[HEADER] = [TEMPLATE, *header]
    config.html_theme_options = options


def editions(config: Config) -> tuple[dict, list[dict]] | None:
    """This build's edition and the others, or None when the build was given no table."""
    table = config[CONFIG] or {}
    if not table.get("editions"):
        return None
    this = next(e for e in table["editions"] if e["code"] == table["this"])
    return this, [e for e in table["editions"] if e is not this]


def check_counterparts(app: Sphinx) -> None:
    """Warn, once per build, about every page of this edition another edition lacks."""
    found = editions(app.config)
    if found is None:
        LOGGER.warning(f"language_switch: no {CONFIG} in the configuration, so no page gets "
                       "a language switch; build with tools/build_book.py (`make book`) "
                       f"[{WARNING_TYPE}]", type=WARNING_TYPE)
        return
    this, others = found
    for other in others:
        missing = [key for key in this["keys"] if key not in other["keys"]]
        if missing and app.config[CONFIG].get("allow_missing"):
            LOGGER.info(f"language_switch: {len(missing)} pages have no {other['label']} "
                        f"page yet and link to its front page: {', '.join(missing)}")
            continue
        for key in missing:
            LOGGER.warning(
                f"{this['docname_prefix']}{key}: no {other['label']} page "
                f"({other['code']}: {key}), so its language switch would lead nowhere. "
                f"Add the page, or build with ALLOW_UNTRANSLATED=1 while it is being "
                f"translated [{WARNING_TYPE}]", type=WARNING_TYPE, subtype="missing")


def add_static_assets(app: Sphinx) -> None:
    """The switch's stylesheet."""
    static_files.add_stylesheet(app, CSS_FILE)


def site_path(edition: dict, pagename: str) -> str:
    """A page's HTML file relative to the site root."""
    return posixpath.join(edition["html"], f"{pagename}.html")


def counterpart(edition_this: dict, other: dict, pagename: str, is_document: bool) -> str:
    """The other edition's page for `pagename`, relative to the site root."""
    if not is_document:  # search, genindex: the other edition has its own
        return site_path(other, pagename)
    key = pagename[len(edition_this["docname_prefix"]):] \
        if pagename.startswith(edition_this["docname_prefix"]) else None
    if key is None or key not in other["keys"]:
        key = other["keys"][0]  # allowed missing (else warned): the other front page
    return site_path(other, other["docname_prefix"] + key)


def relative_url(from_page: str, to_page: str) -> str:
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def add_switch(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
               doctree: Any) -> None:
    found = editions(app.config)
    if found is None:
        return
    this, others = found
    other = others[0]
    target = counterpart(this, other, pagename, pagename in app.env.found_docs)
    context["ttt_language_switch"] = {
        "url": relative_url(site_path(this, pagename), target),
        "code": other["code"],
        "label": other["label"],
        "title": other["label"],
    }


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value(CONFIG, {}, "html", types=[dict])
    app.connect("config-inited", configure)
    app.connect("builder-inited", check_counterparts)
    app.connect("builder-inited", add_static_assets)
    app.connect("html-page-context", add_switch)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
