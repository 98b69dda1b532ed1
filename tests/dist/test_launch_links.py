"""The built book (make book; TTT_BOOK_HTML=/some/_build/html for another build), walked as
a learner's browser and the launch services would walk it:

- every Colab, Binder and JupyterHub link of every page names a notebook the build wrote
  (``notebooks/<page>.ipynb``) on the published branch of ``repository.url``, without
  outputs; the JupyterHub button is there only when ``jupyterhub_url`` is set;
- every page with code starts, in the HTML and in each notebook the build writes, with the
  one set-up cell, as _config.yml and ttt.__version__ make it; pages without code have none;
- no placeholder host (example.org and the like) anywhere in the built folder;
- what the published folder must carry for a launch: the released exercises, the wheel
  the set-up cell installs, Binder's files, .nojekyll; the front page shows the version.
"""

from __future__ import annotations

import re
import zipfile
from functools import cache
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from distcheck import (HTML, REPO, book_config, built, canonical_cell, code_cells, has_code,
                       load_notebook, text, toc_docnames)
from ttt import __version__, setup_cell

if not built():
    pytest.skip(f"no built book at {HTML}: run `make book` first (`make test` does)",
                allow_module_level=True)

DOCNAMES = toc_docnames()
PLACEHOLDER = re.compile(rb"\bexample\.(?:org|com|net|edu)\b|\bhub\.example\b|\byour[-_]?hub\b",
                         re.I)


@cache
def page(docname: str) -> BeautifulSoup:
    return BeautifulSoup((HTML / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def launch_links(docname: str) -> dict[str, str]:
    """{button text: URL} of the page's launch menu."""
    menu = page(docname).select_one(".dropdown-launch-buttons")
    if menu is None:
        return {}
    return {a.get_text(" ", strip=True): a["href"] for a in menu.select("a[href]")}


def notebook_named(settings: dict, provider: str, url: str) -> str:
    """The repository path a launch URL opens, checked against repository.url + branch."""
    config = book_config()
    repository = settings["repository"]
    org, repo = urlsplit(repository).path.strip("/").split("/")[:2]
    branch, launch = settings["branch"], config["launch_buttons"]
    ui = "lab/tree" if launch.get("notebook_interface") == "jupyterlab" else "tree"
    if provider == "Colab":
        prefix = f"{launch['colab_url'].rstrip('/')}/github/{org}/{repo}/blob/{branch}/"
        assert url.startswith(prefix), url
        return url[len(prefix):]
    if provider == "Binder":
        prefix = f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org}/{repo}/{branch}?urlpath="
        assert url.startswith(prefix), url
        return url[len(prefix):].removeprefix(f"{ui}/")
    if provider == "JupyterHub":
        query = parse_qs(urlsplit(url).query)
        assert url.startswith(launch["jupyterhub_url"].rstrip("/") + "/hub/user-redirect/")
        assert query["repo"] == [repository] and query["branch"] == [branch], url
        return query["urlpath"][0].removeprefix(f"{ui}/{repo}/")
    raise AssertionError(f"unexpected launch button {provider!r}: {url}")


@pytest.mark.parametrize("docname", DOCNAMES)
def test_every_launch_link_opens_a_notebook_the_build_wrote(docname, settings):
    links = launch_links(docname)
    launch = book_config()["launch_buttons"]
    expected = {name for name, key in (("Binder", "binderhub_url"), ("Colab", "colab_url"),
                                       ("JupyterHub", "jupyterhub_url")) if launch.get(key)}
    assert set(links) == expected, f"{docname}: launch buttons {sorted(links)}"
    for provider, url in links.items():
        path = notebook_named(settings, provider, url)
        assert path == f"notebooks/{docname}.ipynb", f"{docname}: {provider} opens {path}"
        target = HTML / path
        assert target.is_file(), f"{docname}: {provider} opens {path}, not in the build"
        notebook = load_notebook(target)
        assert notebook["nbformat"] == 4
        stored = [cell.get("outputs") or cell.get("execution_count") for cell in
                  code_cells(notebook)]
        assert not any(stored), f"{path} keeps outputs: launch copies start empty"
        assert "source_map" not in notebook["metadata"]


def test_no_jupyterhub_button_without_a_hub():
    if book_config()["launch_buttons"].get("jupyterhub_url"):
        pytest.skip("_config.yml names a JupyterHub")
    assert not any("JupyterHub" in launch_links(docname) for docname in DOCNAMES)


def test_no_placeholder_host_anywhere_in_the_built_book():
    found = []
    for path in sorted(HTML.rglob("*")):  # every file, text or not
        if path.is_file():
            data = path.read_bytes()
            for match in PLACEHOLDER.finditer(data):
                around = data[max(0, match.start() - 40):match.end() + 40]
                found.append(f"{path.relative_to(HTML)}: ...{around.decode(errors='replace')}...")
    assert found == [], "\n".join(found[:20])


def _first_code_cell(notebook: dict) -> dict | None:
    cells = code_cells(notebook)
    return cells[0] if cells else None


@pytest.mark.parametrize("docname", DOCNAMES)
def test_every_page_with_code_starts_with_the_one_set_up_cell(docname):
    expected = canonical_cell()
    rendered = [div for div in page(docname).select("article div.cell")
                if "cell_markdown" not in div["class"]]
    copies = [div for div in rendered if f"tag_{setup_cell.TAG}" in div["class"]]
    notebooks = {"download": HTML / "_sources" / f"{docname}.ipynb",
                 "launch": HTML / "notebooks" / f"{docname}.ipynb"}
    if not has_code(docname):
        assert copies == [], f"{docname}: a set-up cell on a page without code"
        return
    assert len(copies) == 1 and rendered[0] is copies[0], (
        f"{docname}: the first code cell of the HTML is not the set-up cell")
    assert "Set-up: installs ttt where it is missing" in copies[0].get_text(), (
        f"{docname}: the set-up cell is folded under no label saying what it is")
    shown = copies[0].select_one(".cell_input pre").get_text()
    assert shown.strip("\n") == expected, f"{docname}: the HTML shows a stale set-up cell"
    assert copies[0].select_one(".cell_output") is None, (
        f"{docname}: the set-up cell printed something in the build (ttt was missing?)")
    for kind, path in notebooks.items():
        notebook = load_notebook(path)
        first = _first_code_cell(notebook)
        assert first is not None and text(first) == expected, (
            f"{docname}: the {kind} notebook does not start with the set-up cell")
        assert sum(setup_cell.is_setup_cell(c) for c in notebook["cells"]) == 1


@pytest.mark.parametrize("exercise", sorted((REPO / "exercises").rglob("*.ipynb")),
                         ids=lambda path: path.relative_to(REPO / "exercises").parent.as_posix())
def test_the_published_exercises_are_the_released_ones(exercise):
    published = (HTML / "notebooks" / "exercises" /
                 exercise.relative_to(REPO / "exercises"))
    assert published.is_file() and published.read_bytes() == exercise.read_bytes()


def test_the_wheel_the_set_up_cell_installs_is_published():
    wheel = HTML / "_wheels" / setup_cell.wheel_name()
    assert wheel.is_file()
    with zipfile.ZipFile(wheel) as archive:
        assert f'__version__ = "{__version__}"' in archive.read("ttt/__init__.py").decode()
    assert sorted(p.name for p in (HTML / "_wheels").iterdir()) == [wheel.name]


def test_binder_files_and_nojekyll_are_published():
    for name in ("requirements.txt", "runtime.txt", "postBuild"):
        assert (HTML / "binder" / name).read_bytes() == (REPO / "binder" / name).read_bytes()
    assert (HTML / ".nojekyll").is_file()


def test_the_front_page_shows_the_version():
    shown = page(DOCNAMES[0]).select_one("article .ttt-version")
    assert shown is not None and f"Version {__version__}" in shown.get_text(), (
        "the front page does not show the book's version")
