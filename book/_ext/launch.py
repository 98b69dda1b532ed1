"""Launch buttons that open something runnable, and the files they open.

sphinx-book-theme points its Binder, Colab and JupyterHub buttons at the page's source on
``repository.branch``: a MyST ``.md`` file, which Colab cannot open, in a branch where the
package the notebooks import is not installed. The built HTML folder is what gets
published (the README's "Publishing the book": ``_build/html`` becomes the branch
``launch_buttons.notebooks_branch``, ``gh-pages`` by default), so this extension makes
that folder hold everything a launch needs, and points the buttons at it:

- ``notebooks/<page>.ipynb``: every page's notebook without outputs, starting with its
  set-up cell (``notebook_setup.py``), and ``notebooks/exercises/<name>/<name>.ipynb``,
  the released exercises (the Chinese variants in ``notebooks/exercises/zh-CN/``);
- ``_wheels/<the learners' wheel>``: the ``ttt`` wheel (``tools/build_dist.py``, rebuilt
  when ``book/ttt`` or ``packaging/ttt`` is newer), which the set-up cell installs by default;
- ``binder/``: the environment repo2docker reads (a copy of the repository's ``binder/``);
- ``.nojekyll``, so that GitHub Pages serves the folders whose names start with ``_``.

The Binder, Colab and JupyterHub buttons of every page then name
``notebooks/<page>.ipynb`` on that branch of ``repository.url``: one setting (the
repository, its published branch) drives every link. A second edition built into a folder
of the site (the Chinese one, ``_build/html/zh-CN/``: config value ``ttt_site_folder``,
set by tools/build_book.py) gets its own notebooks there, ``zh-CN/notebooks/<page>.ipynb``
(its pages' prose, the same code), and its buttons name them; the wheel, ``binder/``, the
exercises and ``.nojekyll`` are the site's, written once by the build at its root. An
empty ``jupyterhub_url`` hides the JupyterHub button (the theme's own rule); a placeholder
host (``example.org`` and the like) in any launch URL stops the build. The front page shows the version
(``ttt.__version__``), in the words of ``ttt_version_note``.

Enable it in _config.yml: ``sphinx: local_extensions: {launch: book/_ext}``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError, ExtensionError
from sphinx.util import logging

import ttt
from ttt import setup_cell

__version__ = "1.0.0"

LOGGER = logging.getLogger(__name__)
NOTEBOOKS = "notebooks"  # in the HTML folder
WHEELS = "_wheels"
BINDER = "binder"
EXERCISES = "exercises"
LAUNCH_URL_KEYS = ("binderhub_url", "colab_url", "jupyterhub_url", "deepnote_url",
                   "jupyterlite_url")
# Hosts that only ever stand in for a real one.
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net", "example.edu",
                     "localhost", "hub.example", "your-hub", "yourhub")
VERSION_NOTE = "Version {version} of the book and of its {ttt} package."
# Notebook metadata that belongs to the build, not to a learner's copy.
BUILD_METADATA = ("source_map", "widgets", "jupytext")


def _is_placeholder(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == bad or host.endswith("." + bad) or bad in host
               for bad in PLACEHOLDER_HOSTS)


def _settings(config: Config) -> dict[str, Any]:
    theme = config.html_theme_options or {}
    launch = dict(theme.get("launch_buttons") or {})
    from notebook_setup import book_launch_settings

    settings = book_launch_settings(config)
    split = urlsplit(settings["repository"])
    parts = [part for part in split.path.split("/") if part]
    github = split.hostname == "github.com" and len(parts) >= 2
    return {**settings, "launch": launch, "github": github,
            "org": parts[0] if github else None,
            "repo": parts[1].removesuffix(".git") if github else (parts[-1] if parts else ""),
            "ui": "lab/tree" if launch.get("notebook_interface") == "jupyterlab" else "tree"}


def configure(app: Sphinx, config: Config) -> None:
    settings = _settings(config)
    for key in LAUNCH_URL_KEYS:
        url = str(settings["launch"].get(key) or "")
        if url and _is_placeholder(url):
            raise ConfigError(
                f"launch: launch_buttons.{key} in _config.yml is a placeholder ({url}); "
                "give the real address, or leave it empty to show no such button")
    if _is_placeholder(settings["repository"]) or _is_placeholder(settings["source"]):
        raise ConfigError("launch: repository.url or launch_buttons.ttt_source names a "
                          "placeholder host")
    if any(settings["launch"].get(key) for key in ("binderhub_url", "colab_url",
                                                   "jupyterhub_url")) \
            and not settings["repository"]:
        raise ConfigError("launch: launch buttons need repository.url in _config.yml")
    for key in ("deepnote_url", "jupyterlite_url"):
        if settings["launch"].get(key):
            raise ConfigError(f"launch: launch_buttons.{key} would open the page's .md "
                              "source; only Binder, Colab and JupyterHub are supported")


def notebook_path(pagename: str) -> str:
    """Where a page's launch copy lies, relative to the HTML folder (and the branch)."""
    return f"{NOTEBOOKS}/{pagename}.ipynb"


def site_path(config: Config, path: str) -> str:
    """A path in this build's HTML folder as a path in the published site (the branch)."""
    folder = (config.ttt_site_folder or "").strip("/")
    return f"{folder}/{path}" if folder else path


def launch_url(settings: dict[str, Any], provider: str, path: str) -> str | None:
    """The URL of ``provider``'s button (Binder, Colab, JupyterHub) for the notebook at
    ``path`` in the published branch."""
    launch, branch, repository = settings["launch"], settings["branch"], settings["repository"]
    ui = settings["ui"]
    if provider == "Binder" and launch.get("binderhub_url"):
        hub = launch["binderhub_url"].rstrip("/")
        if settings["github"]:
            base = f"{hub}/v2/gh/{settings['org']}/{settings['repo']}/{quote(branch)}"
        else:
            base = f"{hub}/v2/git/{quote(repository, safe='')}/{quote(branch)}"
        return f"{base}?urlpath={ui}/{path}"
    if provider == "Colab" and launch.get("colab_url") and settings["github"]:
        colab = launch["colab_url"].rstrip("/")
        return f"{colab}/github/{settings['org']}/{settings['repo']}/blob/{branch}/{path}"
    if provider == "JupyterHub" and launch.get("jupyterhub_url"):
        hub = launch["jupyterhub_url"].rstrip("/")
        query = urlencode({"repo": repository, "urlpath": f"{ui}/{settings['repo']}/{path}",
                           "branch": branch}, safe="/")
        return f"{hub}/hub/user-redirect/git-pull?{query}"
    return None


def output_free(notebook: dict) -> dict:
    """A copy of ``notebook`` as a learner starts it: no outputs, no execution counts, no
    build metadata."""
    notebook = json.loads(json.dumps(notebook))
    for key in BUILD_METADATA:
        notebook.get("metadata", {}).pop(key, None)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    return notebook


def _write_launch_notebook(app: Sphinx, pagename: str) -> str | None:
    """Write the page's output-free notebook; its path relative to the HTML folder."""
    outdir = Path(app.outdir)
    built = outdir / "_sources" / f"{pagename}.ipynb"  # sphinx-book-theme's copy (just made)
    if not built.is_file():
        built = outdir.parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not built.is_file():
        return None
    relative = notebook_path(pagename)
    target = outdir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    notebook = output_free(json.loads(built.read_text(encoding="utf-8")))
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return relative


def page_launch_buttons(app: Sphinx, pagename: str, templatename: str,
                        context: dict[str, Any], doctree: Any) -> None:
    buttons = context.get("header_buttons") or []
    group = next((b for b in buttons if b.get("label") == "launch-buttons"), None)
    if group is None:
        return
    path = _write_launch_notebook(app, pagename)
    if path is None:
        raise ExtensionError(f"launch: {pagename} has launch buttons but the build wrote "
                             "no notebook for it")
    settings = _settings(app.config)
    kept = []
    for button in group.get("buttons", []):
        if button.get("type") != "link":
            kept.append(button)
            continue
        url = launch_url(settings, str(button.get("text")), site_path(app.config, path))
        if url is not None:
            kept.append({**button, "url": url})
    group["buttons"] = kept
    if not kept:
        buttons.remove(group)


def show_version(app: Sphinx, doctree: nodes.document) -> None:
    """The front page says which version of the book (and of ``ttt``) it is."""
    if app.env.docname != app.config.root_doc:
        return
    section = doctree.next_node(nodes.section)
    if section is None:
        return
    note = nodes.paragraph(classes=["ttt-version"])
    before, found, after = app.config.ttt_version_note.format(
        version=ttt.__version__, ttt="\0").partition("\0")
    note += nodes.Text(before)
    if found:  # the package's name, set as code
        note += nodes.literal(text="ttt")
    note += nodes.Text(after)
    title = section.next_node(nodes.title)
    section.insert(section.index(title) + 1 if title is not None else 0, note)


def _newest_mtime(*folders: Path) -> float:
    return max((path.stat().st_mtime for folder in folders if folder.is_dir()
                for path in folder.rglob("*") if path.is_file()
                and "__pycache__" not in path.parts), default=0.0)


def _build_wheel(repo: Path, out: Path) -> None:
    wheel = out / setup_cell.wheel_name()
    sources = _newest_mtime(repo / "book" / "ttt", repo / "packaging" / "ttt")
    if wheel.is_file() and wheel.stat().st_mtime >= sources:
        return
    for old in out.glob("*.whl"):
        old.unlink()
    built = subprocess.run([sys.executable, str(repo / "tools" / "build_dist.py"),
                            "--wheel-only", "--out", str(out)],
                           capture_output=True, text=True)
    if built.returncode != 0 or not wheel.is_file():
        raise ExtensionError(f"launch: building the ttt wheel failed:\n{built.stderr[-3000:]}")


def publish_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html" or app.config.ttt_site_folder:
        return  # (an edition in a folder of the site: the root's build writes these)
    repo, outdir = Path(app.confdir), Path(app.outdir)
    _build_wheel(repo, outdir / WHEELS)
    binder = repo / BINDER
    if binder.is_dir():
        shutil.copytree(binder, outdir / BINDER, dirs_exist_ok=True)
    # exercises/<name>/<name>.ipynb and each edition's, exercises/zh-CN/<name>/<name>.ipynb
    for exercise in sorted((repo / EXERCISES).rglob("*.ipynb")):
        target = outdir / NOTEBOOKS / EXERCISES / exercise.relative_to(repo / EXERCISES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(exercise, target)
    (outdir / ".nojekyll").touch()


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("ttt_site_folder", "", "html", types=[str])
    app.add_config_value("ttt_version_note", VERSION_NOTE, "env", types=[str])
    app.connect("config-inited", configure, priority=800)
    app.connect("doctree-read", show_version)
    # After sphinx-book-theme (501) has made the launch group and copied the notebook.
    app.connect("html-page-context", page_launch_buttons, priority=600)
    app.connect("build-finished", publish_files)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
