"""Make the built book work in a browser with no network, and without console errors.

By default a jupyter-book page loads MathJax, require.js and the ipywidgets manager from
CDNs: offline, math stays raw TeX and widgets stay blank. `tools/fetch_vendor.py` (run by
`make book`) puts those files in book/_vendor/; this extension serves them:

- adds book/_vendor to ``html_static_path`` (copied into ``_build/html/_static/``; not a
  root ``_static/`` folder, whose scripts jupyter-book would inject into every page);
- points Sphinx's ``mathjax_path`` and myst-nb's ``nb_ipywidgets_js`` at the copies;
- on pages with widgets, inlines offline_assets.js before them: it tells the widget manager
  where its fonts are and lets its MathJax 2 calls reach MathJax 3.

It also fixes two console errors every page of a jupyter-book 1.0.4 build has:

- Sphinx 7.4 writes each inline script added after the builder starts twice (it registers
  it as ``None`` and again as ``''``); sphinx-thebe's ``const THEBE_JS_URL`` declared twice
  is a SyntaxError. Duplicates are dropped per page.
- pydata-sphinx-theme logs "invalid theme mode" when ``default_mode`` is unset: it
  defaults to ``auto`` (follow the reader's system), unless _config.yml sets it.

Enable it in _config.yml: ``sphinx: local_extensions: {offline_assets: book/_ext}``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

__version__ = "1.0.0"

# In the repository (two folders above this file); the layout is fetch_vendor.py's.
VENDOR_DIR = "book/_vendor"
REPO = Path(__file__).resolve().parents[2]
MATHJAX = "mathjax/tex-chtml.js"
REQUIREJS = "requirejs/require.js"
WIDGET_MANAGER = "html-manager/embed-amd.js"
WIDGET_STATE_TYPE = "application/vnd.jupyter.widget-state+json"
SHIM = (Path(__file__).with_suffix(".js")).read_text(encoding="utf-8")


def configure(app: Sphinx, config: Config) -> None:
    vendor = REPO / VENDOR_DIR
    missing = [name for name in (MATHJAX, REQUIREJS, WIDGET_MANAGER) if not (vendor / name).is_file()]
    if missing:
        raise ExtensionError(
            f"offline_assets: {', '.join(missing)} missing under {vendor}; fetch them with "
            "`python tools/fetch_vendor.py` (`make book` does it first).")
    # Relative to Sphinx's confdir, its source folder: the repository for the English
    # edition, book/zh-CN for the Chinese one.
    static = os.path.relpath(vendor, app.confdir)
    if static not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, static]
    # Relative paths are taken from _static/ by Sphinx and myst-nb alike.
    config.mathjax_path = MATHJAX
    config.nb_ipywidgets_js = {REQUIREJS: {}, WIDGET_MANAGER: {}}
    # Pages embed the shim: a new shim must rewrite them, as a changed html setting does.
    config.offline_assets_shim = hashlib.sha256(SHIM.encode()).hexdigest()[:16]
    if not config.html_context.get("default_mode"):
        config.html_context = {**config.html_context, "default_mode": "auto"}


def page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: Any) -> None:
    scripts = context.get("script_files")
    if scripts is None:
        return
    unique, seen = [], set()
    for script in scripts:
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # the builder restores its own list after each page
    if any(script.attributes.get("type") == WIDGET_STATE_TYPE for script in scripts):
        # Priority 499: before require.js and the manager (500); Sphinx sorts after this event.
        app.builder.add_js_file("", body=SHIM, priority=499)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("offline_assets_shim", "", "html", types=[str])
    app.connect("config-inited", configure)
    # Late, so that myst-nb (widget scripts) and sphinx.ext.mathjax have added theirs.
    app.connect("html-page-context", page_scripts, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
