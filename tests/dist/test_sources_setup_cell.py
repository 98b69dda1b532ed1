"""Where the set-up cell lives, checked on the sources without a build: each released
exercise starts with the one current copy (the release inserts it); the source notebooks
and the book's pages carry none (the build and the release add it); the launch settings
refuse a placeholder host."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from distcheck import REPO, canonical_cell, code_cells, load_notebook, text
from ttt import setup_cell

EXERCISES = sorted((REPO / "exercises").rglob("*.ipynb"))  # the Chinese variants too
SOLUTIONS = sorted((REPO / "solutions").glob("*/*.ipynb"))
PAGES = sorted(path for path in (REPO / "book").rglob("*.md") if "_vendor" not in path.parts)


def _id(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@pytest.mark.parametrize("path", EXERCISES, ids=_id)
def test_each_released_exercise_starts_with_the_current_set_up_cell(path):
    notebook = load_notebook(path)
    first = code_cells(notebook)[0]
    assert setup_cell.is_setup_cell(first) and text(first) == canonical_cell(), (
        f"{_id(path)}: no current set-up cell first: run `make exercises`")
    assert sum(setup_cell.is_setup_cell(cell) for cell in notebook["cells"]) == 1
    assert "nbgrader" not in first["metadata"], "grading must not know the set-up cell"


@pytest.mark.parametrize("path", SOLUTIONS + PAGES, ids=_id)
def test_sources_carry_no_copy(path):
    assert setup_cell.FIRST_LINE not in path.read_text(encoding="utf-8"), (
        f"{_id(path)} holds a copy of the set-up cell: delete it (the build and the "
        "release insert the current one)")


@pytest.fixture
def launch():
    import sys

    sys.path.insert(0, str(REPO / "book" / "_ext"))
    try:
        import launch

        yield launch
    finally:
        sys.path.remove(str(REPO / "book" / "_ext"))


def _config(**launch_buttons):
    return SimpleNamespace(html_theme_options={
        "repository_url": "https://github.com/tensors-tapes-training/book",
        "launch_buttons": {"binderhub_url": "https://mybinder.org", **launch_buttons}})


@pytest.mark.parametrize("hub", ["https://hub.example.org", "https://example.com/hub",
                                 "http://localhost:8000"])
def test_a_placeholder_hub_stops_the_build(launch, hub):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="jupyterhub_url .* placeholder"):
        launch.configure(None, _config(jupyterhub_url=hub))


def test_an_empty_or_real_hub_is_accepted(launch):
    launch.configure(None, _config(jupyterhub_url=""))
    launch.configure(None, _config(jupyterhub_url="https://hub.some-university.edu"))


def test_every_launch_url_names_the_published_notebook(launch):
    settings = launch._settings(_config(colab_url="https://colab.research.google.com",
                                        jupyterhub_url="https://hub.uni.edu",
                                        notebook_interface="jupyterlab"))
    path = "notebooks/book/x/y.ipynb"
    assert launch.launch_url(settings, "Colab", path) == (
        "https://colab.research.google.com/github/tensors-tapes-training/book/blob/gh-pages/"
        + path)
    assert launch.launch_url(settings, "Binder", path) == (
        "https://mybinder.org/v2/gh/tensors-tapes-training/book/gh-pages?urlpath=lab/tree/"
        + path)
    assert launch.launch_url(settings, "JupyterHub", path) == (
        "https://hub.uni.edu/hub/user-redirect/git-pull?repo=https%3A//github.com/"
        "tensors-tapes-training/book&urlpath=lab/tree/book/" + path + "&branch=gh-pages")
    assert launch.launch_url(settings, "Deepnote", path) is None


def test_a_launch_copy_has_no_outputs_and_no_build_metadata(launch):
    built = {"nbformat": 4, "nbformat_minor": 5,
             "metadata": {"source_map": [1], "kernelspec": {"name": "python3"},
                          "widgets": {}, "jupytext": {}},
             "cells": [{"cell_type": "code", "id": "a", "execution_count": 3,
                        "metadata": {"tags": ["x"], "execution": {}},
                        "outputs": [{"output_type": "stream", "name": "stdout", "text": "1"}],
                        "source": "1"}]}
    copy = launch.output_free(built)
    assert copy["metadata"] == {"kernelspec": {"name": "python3"}}
    assert copy["cells"][0] == {"cell_type": "code", "id": "a", "execution_count": None,
                                "metadata": {"tags": ["x"]}, "outputs": [], "source": "1"}
    assert built["cells"][0]["outputs"], "the build's own notebook is left alone"
