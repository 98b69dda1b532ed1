"""The NumPy | TensorFlow tabs extension (book/_ext/framework_tabs.py) on a fixture book.

files/tabs_book/ holds a small book: `tabs.md` has two runs of tagged cells separated by
untagged prose and code, one run mixing markdown and code in interleaved order, one with a
figure; `mistakes.md` has a cell tagged with both frameworks, a single-framework run and a
tagged markdown cell with a heading; `compare.md` has a run whose cells are all tagged
`compare` (shown side by side) and an ordinary run after it; `compare_mistakes.md` has a run
only partly tagged `compare` and a `compare` cell with no framework. The book is built once,
with jupyter-book, into a temporary folder; the tests read the HTML and the build's warnings.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

FIXTURE_BOOK = Path(__file__).parent / "files" / "tabs_book"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# Sphinx prints "path:line: WARNING: message"; kernels log "[IPKernelApp] WARNING | ...".
SPHINX_WARNING = re.compile(r"^\S+:\d*: WARNING: ")

pytestmark = pytest.mark.slow  # runs notebook kernels


class BuiltBook:
    def __init__(self, html_dir: Path, log: str):
        self.html_dir = html_dir
        self.log = log

    def page(self, name: str) -> BeautifulSoup:
        return BeautifulSoup((self.html_dir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")

    def article(self, name: str) -> Tag:
        return self.page(name).find("article")

    @property
    def warnings(self) -> list[str]:
        """Sphinx's warnings ("path:line: WARNING: message"), not the kernel's log lines."""
        return [line for line in self.log.splitlines() if SPHINX_WARNING.match(line)]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> BuiltBook:
    out = tmp_path_factory.mktemp("tabs_book")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    # The kernel must draw with the inline backend (as in the real build) for figures to appear.
    env.pop("MPLBACKEND", None)
    # Not strict: mistakes.md must produce warnings, which the tests then read.
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(FIXTURE_BOOK), "--path-output", str(out), "--builder", "html", "--all"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    log = ANSI_ESCAPE.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, f"the fixture book failed to build:\n{log[-4000:]}"
    return BuiltBook(out / "_build" / "html", log)


def tab_sets(article: Tag) -> list[Tag]:
    return article.select("div.sd-tab-set.framework-tabs")


def tabs(tab_set: Tag) -> list[tuple[Tag, Tag, Tag]]:
    """(radio input, label, content panel) per tab, in order."""
    labels = tab_set.find_all("label", class_="sd-tab-label", recursive=False)
    return [
        (tab_set.find(id=label["for"]), label, tab_set.find(id=label["aria-controls"]))
        for label in labels
    ]


def cell_texts(panel: Tag) -> list[str]:
    """Each cell's visible text (source and output), in order."""
    return [" ".join(cell.get_text(" ").split()) for cell in panel.find_all("div", class_="cell", recursive=False)]


def test_each_run_of_adjacent_tagged_cells_becomes_one_tab_set(book):
    assert len(tab_sets(book.article("tabs"))) == 2


def test_tabs_are_numpy_then_tensorflow_synced_across_the_book(book):
    for tab_set in tab_sets(book.article("tabs")):
        found = tabs(tab_set)
        assert [label.get_text(strip=True) for _, label, _ in found] == ["NumPy", "TensorFlow"]
        assert [label["data-sync-group"] for _, label, _ in found] == ["framework", "framework"]
        assert [label["data-sync-id"] for _, label, _ in found] == ["numpy", "tensorflow"]
        # NumPy is shown until the reader picks TensorFlow.
        assert [radio.has_attr("checked") for radio, _, _ in found] == [True, False]


def test_sphinx_design_sync_script_is_loaded(book):
    scripts = [script.get("src", "") for script in book.page("tabs").find_all("script")]
    assert any("design-tabs.js" in src for src in scripts)


def test_cells_go_into_their_framework_tab_in_order_with_outputs(book):
    first, second = tab_sets(book.article("tabs"))
    (_, _, numpy_panel), (_, _, tensorflow_panel) = tabs(first)

    numpy_cells = cell_texts(numpy_panel)
    assert len(numpy_cells) == 2
    # Source and executed output both sit in the tab.
    assert numpy_cells[0].count("numpy-one") == 2
    assert "'numpy-two'" in numpy_cells[1]

    tensorflow_cells = cell_texts(tensorflow_panel)
    assert len(tensorflow_cells) == 2
    assert "tensorflow-prose" in tensorflow_cells[0]  # the tagged markdown cell, first
    assert tensorflow_cells[1].count("tensorflow-one") == 2

    (_, _, numpy_panel), (_, _, tensorflow_panel) = tabs(second)
    assert cell_texts(tensorflow_panel)[0].count("tensorflow-three") == 2


def test_code_cells_in_tabs_keep_their_outputs(book):
    for tab_set in tab_sets(book.article("tabs")):
        for _, _, panel in tabs(tab_set):
            for cell in panel.find_all("div", class_="cell", recursive=False):
                if "cell_markdown" not in cell["class"]:
                    assert cell.find("div", class_="cell_output") is not None, cell.get_text()


def test_figures_inside_a_tab_keep_image_and_alt_text(book):
    _, second = tab_sets(book.article("tabs"))
    (_, _, numpy_panel), _ = tabs(second)
    image = numpy_panel.select_one("div.cell_output img")
    assert image is not None
    assert image["alt"] == "numpy-figure"


def words(element: Tag) -> str:
    return " ".join(element.get_text(" ").split())


def test_untagged_cells_and_prose_stay_outside_tabs_in_place(book):
    article = book.article("tabs")
    page_text = words(article)
    tabs_text = " ".join(words(tab_set) for tab_set in tab_sets(article))
    for marker in ("import math", "untagged-prose", "untagged-code", "closing-prose"):
        assert marker in page_text and marker not in tabs_text, marker
    # Page order survives: run 1, the untagged cells, run 2, the closing prose.
    markers = ("numpy-one", "untagged-prose", "untagged-code", "tensorflow-three", "closing-prose")
    positions = [page_text.index(m) for m in markers]
    assert positions == sorted(positions)


def test_pages_without_tagged_runs_get_no_tabs(book):
    assert tab_sets(book.article("index")) == []
    assert tab_sets(book.article("mistakes")) == []
    for name in ("index", "tabs", "mistakes", "compare_mistakes"):
        assert comparisons(book.article(name)) == [], name


# --- side by side: runs whose cells are all tagged `compare` -------------------------------


def comparisons(article: Tag) -> list[Tag]:
    return article.select("div.framework-compare")


def columns(comparison: Tag) -> list[tuple[str, Tag]]:
    """(label, column) per column of a side-by-side grid, left to right."""
    row = comparison.find("div", class_="sd-row", recursive=False)
    found = row.find_all("div", class_="sd-col", recursive=False)
    return [(column.find(class_="framework-compare-label").get_text(strip=True), column)
            for column in found]


def test_a_compare_run_becomes_two_columns_numpy_left_tensorflow_right(book):
    article = book.article("compare")
    (comparison,) = comparisons(article)
    assert [label for label, _ in columns(comparison)] == ["NumPy", "TensorFlow"]
    # One sphinx-design grid row: stacked below the lg breakpoint, two columns from it up.
    row = comparison.find("div", class_="sd-row", recursive=False)
    assert {"sd-row-cols-1", "sd-row-cols-md-1", "sd-row-cols-lg-2"} <= set(row["class"])
    assert "full-width" in comparison["class"]  # may grow into the right margin
    # ... and no tab set around or inside it; the ordinary run on the page stays tabs.
    assert comparison.find_parent("div", class_="sd-tab-set") is None
    assert comparison.select("div.sd-tab-set") == []
    assert len(tab_sets(article)) == 1


def test_compare_columns_hold_their_cells_in_order_with_outputs(book):
    (comparison,) = comparisons(book.article("compare"))
    (_, numpy_column), (_, tensorflow_column) = columns(comparison)

    numpy_cells = cell_texts(numpy_column)
    assert len(numpy_cells) == 3
    assert numpy_cells[0].count("numpy-left") == 2  # source and executed output
    assert "numpy-prose" in numpy_cells[1]  # the tagged markdown cell, in its place
    assert "'numpy-second'" in numpy_cells[2]

    tensorflow_cells = cell_texts(tensorflow_column)
    assert len(tensorflow_cells) == 1
    assert tensorflow_cells[0].count("tensorflow-right") == 2
    for column in (numpy_column, tensorflow_column):
        for cell in column.find_all("div", class_="cell", recursive=False):
            if "cell_markdown" not in cell["class"]:
                assert cell.find("div", class_="cell_output") is not None, cell.get_text()


def test_compare_keeps_page_order_and_leaves_untagged_prose_outside(book):
    article = book.article("compare")
    page_text = words(article)
    (comparison,) = comparisons(article)
    assert "between-prose" not in words(comparison)
    markers = ("numpy-left", "tensorflow-right", "between-prose", "tensorflow-tab", "closing-prose")
    positions = [page_text.index(m) for m in markers]
    assert positions == sorted(positions)


def test_side_by_side_stylesheet_ships_with_the_book(book):
    page = book.page("compare")
    links = [link.get("href", "") for link in page.find_all("link", rel="stylesheet")]
    assert any("framework_tabs.css" in href for href in links), links
    assert (book.html_dir / "_static" / "framework_tabs.css").is_file()


def test_a_run_only_partly_tagged_compare_stays_tabs(book):
    article = book.article("compare_mistakes")
    (tab_set,) = tab_sets(article)
    assert "half-compare-tensorflow" in words(tab_set)
    assert "stray-compare" in words(article)


def test_mistakes_stay_untouched_and_visible(book):
    article = book.article("mistakes")
    for marker in ("both-tags", "lonely-numpy", "heading-in-tab"):
        assert article.find(string=re.compile(marker)) is not None, marker
    # The heading inside the tagged markdown cell is still a section heading.
    headings = [h.get_text(strip=True) for h in article.find_all("h2")]
    assert any(h.startswith("A heading in a tagged cell") for h in headings), headings


@pytest.mark.parametrize(
    "expected",
    [
        r"tagged with both 'numpy' and 'tensorflow'.*\[page 'mistakes', code cell \d+\]",
        r"tagged only NumPy has no TensorFlow counterpart.*\[page 'mistakes', code cell \d+\]",
        r"markdown cell tagged \['tensorflow'\] contains a heading.*\[page 'mistakes', markdown cell \d+\]",
    ],
)
def test_mistakes_are_warnings_naming_the_page(book, expected):
    matching = [w for w in book.warnings if re.search(expected, w)]
    assert len(matching) == 1, book.warnings
    assert "/mistakes.md" in matching[0]  # the location Sphinx prints, so -W names the file


@pytest.mark.parametrize(
    "expected",
    [
        # The cell named is the first one of the run without the tag (code cell 3).
        r"only partly tagged 'compare' \(tagged: code cell 2; not tagged: code cell 3\).*"
        r"\[page 'compare_mistakes', code cell 3\]",
        r"tagged 'compare' but not 'numpy' or 'tensorflow'.*"
        r"\[page 'compare_mistakes', code cell 5\]",
    ],
)
def test_compare_mistakes_are_warnings_naming_page_and_cell(book, expected):
    matching = [w for w in book.warnings if re.search(expected, w)]
    assert len(matching) == 1, book.warnings
    assert "/compare_mistakes.md:" in matching[0]  # so the strict build (-W) names the file


def test_well_formed_pages_build_without_warnings(book):
    # Only the five deliberate mistakes warn: tabs.md and compare.md would pass the strict build.
    assert len(book.warnings) == 5, book.warnings
    assert all("mistakes" in w for w in book.warnings)
