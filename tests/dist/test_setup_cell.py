"""The set-up cell (ttt.setup_cell): its text, where it goes, and what it does in each case
a learner can meet, run as a fresh interpreter runs it.

The cell's own code runs here in `python -S` (no site-packages: `ttt` is not importable,
as on Colab) with `sys.executable` replaced by a stand-in for pip that says what real pip
says in each case; one test runs real pip. tests/dist/test_learner_environment.py runs the
cell in a real kernel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from distcheck import REPO, book_config, canonical_cell, launch_settings
from ttt import __version__, setup_cell

SOURCE = "https://github.com/tensors-tapes-training/book/raw/gh-pages/_wheels/" \
         f"{setup_cell.wheel_name()}"

# Runs the cell's code as a notebook's first cell, with `ttt` not importable unless
# `extra` (a folder) provides it; prints what the learner would see.
RUNNER = textwrap.dedent("""\
    import sys
    code, fake_pip, extra = sys.argv[1], sys.argv[2], sys.argv[3]
    if extra:
        sys.path.insert(0, extra)
    if fake_pip:
        sys.executable = fake_pip
    try:
        exec(compile(code, "<set-up cell>", "exec"), {"__name__": "__main__"})
    except Exception as error:
        shown = error._render_traceback_()
        print("STOPPED", type(error).__name__, len(shown))
        print("\\n".join(shown))
""")

# Stands in for `python -m pip install ... SOURCE`: records the call, says FAKE_PIP_SAYS on
# stderr, exits with FAKE_PIP_EXIT, and "installs" ttt into FAKE_PIP_INTO when given.
FAKE_PIP = textwrap.dedent("""\
    #!{python}
    import os, sys, pathlib
    pathlib.Path(os.environ["FAKE_PIP_CALLS"]).write_text(" ".join(sys.argv[1:]))
    into = os.environ.get("FAKE_PIP_INTO")
    if into:
        package = pathlib.Path(into) / "ttt"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(f"__version__ = {{os.environ['FAKE_PIP_VERSION']!r}}")
    sys.stderr.write(os.environ.get("FAKE_PIP_SAYS", ""))
    sys.exit(int(os.environ.get("FAKE_PIP_EXIT", "0")))
""")

PIP_SAYS = {
    "offline": (
        "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)"
        ") after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection."
        "HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] "
        "Temporary failure in name resolution')': /tensors-tapes-training/book/raw/x.whl\n"
        "ERROR: Could not install requirement ttt-book==0.1.0 from https://github.com/x.whl "
        "because of error HTTPSConnectionPool(host='github.com', port=443): Max retries "
        "exceeded with url: /x.whl\n"),
    "missing": "ERROR: HTTP error 404 while getting https://github.com/x.whl\n"
               "ERROR: Could not install requirement ttt-book==0.1.0 from https://github.com/"
               "x.whl because of HTTP error 404 Client Error: Not Found for url\n",
    "other": "ERROR: Package 'ttt-book' requires a different Python: 3.10.12 not in "
             "'>=3.11'\n",
}


def run_cell(tmp_path, *, source=SOURCE, pip_exit=0, pip_says="", installs=None,
             present=None, real_pip=False) -> tuple[str, str | None]:
    """Run the cell; return (what it printed, pip's command line or None if not called)."""
    extra = tmp_path / "site"
    extra.mkdir()
    if present is not None:  # a ttt already installed, at that version
        (extra / "ttt").mkdir()
        (extra / "ttt" / "__init__.py").write_text(f"__version__ = {present!r}\n")
    calls = tmp_path / "pip-calls"
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE_PIP.format(python=sys.executable))
    fake.chmod(0o755)
    env = {**os.environ, "FAKE_PIP_CALLS": str(calls), "FAKE_PIP_EXIT": str(pip_exit),
           "FAKE_PIP_SAYS": pip_says, "FAKE_PIP_VERSION": installs or ""}
    if installs:
        env["FAKE_PIP_INTO"] = str(extra)
    env.pop("PYTHONPATH", None)
    ran = subprocess.run(
        [sys.executable, "-S", "-c", RUNNER, setup_cell.cell_source(source),
         "" if real_pip else str(fake), str(extra)],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert ran.returncode == 0 and ran.stderr == "", ran.stderr
    return ran.stdout, calls.read_text() if calls.exists() else None


def assert_plain_stop(printed: str, *words: str) -> str:
    """The cell stopped with one plain line in English and the same in Chinese (the cell is
    both editions'): no traceback, at most two sentences and the fix."""
    head, _, message = printed.partition("\n")
    assert head == "STOPPED SetupError 2", printed
    english, chinese = message.strip().split("\n")
    assert english.startswith("ttt set-up: ") and chinese.startswith("ttt 准备："), message
    assert "Traceback" not in message and 'File "' not in message, message
    for word in words:
        assert word in english, f"{word!r} not in: {english}"
    return english


# --- the text ----------------------------------------------------------------------------

def test_the_cell_names_the_books_version_and_the_configured_source():
    cell = canonical_cell()
    assert cell.startswith(setup_cell.FIRST_LINE)
    compile(cell, "<set-up cell>", "exec")
    assert f'version="{__version__}"' in cell
    source = launch_settings()["source"]
    literal = "".join(json.loads(line.strip()) for line in cell.splitlines()[3:]
                      if line.startswith("        \""))
    assert literal == source


def test_a_message_field_wider_than_a_line_is_refused_not_looped_on():
    lines = setup_cell._fstring_lines("ab {a} cd ef {b}", " " * 8, 20)
    assert len(lines) > 1 and all(len(line) <= 20 for line in lines)
    assert "".join(line.strip()[2:-1] for line in lines) == "ab {a} cd ef {b}"
    with pytest.raises(ValueError, match="does not fit in 20 columns"):
        setup_cell._fstring_lines("ab {verylongfieldname} cd", " " * 8, 20)


def test_every_line_fits_in_80_characters():
    long_source = "https://downloads.some-university.example/courses/" + "x" * 150 + ".whl"
    for cell in (canonical_cell(), canonical_cell(long_source), canonical_cell("ttt-book")):
        assert max(len(line) for line in cell.splitlines()) <= 80


def test_the_default_source_is_the_wheel_published_with_the_book():
    config = book_config()
    settings = launch_settings()
    repository = config["repository"]["url"].rstrip("/")
    assert settings["repository"] == repository
    assert settings["branch"] == config["launch_buttons"]["notebooks_branch"]
    assert settings["source"] == setup_cell.install_source(
        config["launch_buttons"]["ttt_source"], repository=repository,
        branch=settings["branch"])
    if config["launch_buttons"]["ttt_source"] == setup_cell.DEFAULT_SOURCE:
        assert settings["source"] == (f"{repository}/raw/{settings['branch']}/_wheels/"
                                      f"ttt_book-{__version__}-py3-none-any.whl")


def test_a_source_with_an_unknown_field_is_refused_by_name():
    with pytest.raises(ValueError, match=r"ttt_source.*\{repository\}"):
        setup_cell.install_source("{repo}/x.whl", repository="r", branch="b")


# --- where it goes -----------------------------------------------------------------------

def _notebook(*kinds: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": kind, "id": f"c{k}", "metadata": {}, "source": f"# {k}",
                       **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                      for k, kind in enumerate(kinds)]}


def test_it_goes_before_the_first_code_cell():
    notebook = _notebook("markdown", "markdown", "code", "code")
    assert setup_cell.insert(notebook, SOURCE) == 2
    assert [c["id"] for c in notebook["cells"]] == ["c0", "c1", "ttt-setup", "c2", "c3"]
    assert notebook["cells"][2]["source"] == setup_cell.cell_source(SOURCE)
    assert setup_cell.TAG in notebook["cells"][2]["metadata"]["tags"]


def test_a_notebook_without_code_gets_none():
    notebook = _notebook("markdown")
    assert setup_cell.insert(notebook, SOURCE) is None and len(notebook["cells"]) == 1


@pytest.mark.parametrize("copy", ["same", "older", "tag only"])
def test_a_notebook_carrying_a_copy_is_refused(copy):
    notebook = _notebook("markdown", "code")
    setup_cell.insert(notebook, SOURCE)
    if copy == "older":
        notebook["cells"][1]["source"] = setup_cell.cell_source(SOURCE, "0.0.1")
    if copy == "tag only":
        notebook["cells"][1]["source"] = "print('set up')"
    with pytest.raises(setup_cell.StaleCopyError, match="cell 2 is a copy of the set-up"):
        setup_cell.insert(notebook, SOURCE)


# --- what it does ------------------------------------------------------------------------

def test_with_ttt_at_the_books_version_it_does_nothing(tmp_path):
    printed, pip = run_cell(tmp_path, present=__version__)
    assert printed == "" and pip is None


def test_without_ttt_it_installs_it_with_pip_and_says_so_in_one_line(tmp_path):
    printed, pip = run_cell(tmp_path, installs=__version__)
    assert pip is not None and pip.startswith("-m pip install") and pip.endswith(SOURCE)
    assert printed == (f"ttt {__version__} was missing: installed it from {SOURCE}.\n"
                       f"原先缺少 ttt {__version__}：已从 {SOURCE} 安装。\n")


def test_an_older_ttt_is_not_used_and_the_fix_is_said(tmp_path):
    printed, pip = run_cell(tmp_path, present="0.0.1")
    assert pip is None
    assert_plain_stop(printed, f"needs ttt {__version__}", "is ttt 0.0.1",
                      f"%pip install {SOURCE}", "restart the kernel")


def test_no_network_says_so_and_how_to_fix_it(tmp_path):
    printed, _ = run_cell(tmp_path, pip_exit=1, pip_says=PIP_SAYS["offline"])
    assert_plain_stop(printed, SOURCE, "could not be reached",
                      "Connect this notebook to the internet")


def test_a_source_that_is_gone_says_so_and_how_to_fix_it(tmp_path):
    printed, _ = run_cell(tmp_path, pip_exit=1, pip_says=PIP_SAYS["missing"])
    assert_plain_stop(printed, SOURCE, "is not there", "Download this notebook again")


def test_any_other_failure_shows_pips_last_line_not_its_traceback(tmp_path):
    printed, _ = run_cell(tmp_path, pip_exit=1, pip_says=PIP_SAYS["other"])
    assert_plain_stop(printed, "requires a different Python", "Ask whoever runs this Jupyter")


def test_an_install_the_kernel_cannot_see_says_restart(tmp_path):
    printed, _ = run_cell(tmp_path, installs="0.0.1")  # pip "installed" another version
    assert_plain_stop(printed, "Restart the kernel")


@pytest.mark.slow
def test_real_pip_on_a_missing_wheel_gives_the_plain_message(tmp_path):
    missing = str(tmp_path / "nowhere" / setup_cell.wheel_name())
    printed, _ = run_cell(tmp_path, source=missing, real_pip=True)
    assert_plain_stop(printed, missing, "is not there")


# --- the build's hook --------------------------------------------------------------------

@pytest.fixture
def notebook_setup():
    sys.path.insert(0, str(REPO / "book" / "_ext"))
    try:
        import notebook_setup

        yield notebook_setup
    finally:
        sys.path.remove(str(REPO / "book" / "_ext"))


def test_the_build_hook_keeps_the_cell_map_aligned(notebook_setup):
    import nbformat

    notebook = nbformat.from_dict({**_notebook("markdown", "code", "code"),
                                   "metadata": {"source_map": [12, 20, 31]}})
    notebook_setup.insert_setup_cell(notebook, "page.md", SOURCE)
    assert notebook.metadata["source_map"] == [12, 20, 20, 31]
    assert notebook.cells[1].cell_type == "code" and notebook.cells[1].id == "ttt-setup"
    assert notebook.cells[1].metadata.mystnb.code_prompt_show == notebook_setup.SHOW


def test_the_build_hook_warns_on_a_page_carrying_a_copy(notebook_setup, caplog):
    import nbformat

    notebook = nbformat.from_dict(_notebook("markdown", "code"))
    setup_cell.insert(notebook, SOURCE)
    notebook_setup.insert_setup_cell(notebook, "book/x/y.md", SOURCE)
    assert len(notebook.cells) == 3
    assert "book/x/y.md: cell 2 is a copy of the set-up cell" in caplog.text


def test_the_build_hook_reads_only_its_own_books_pages(notebook_setup, tmp_path):
    from myst_nb.core.config import NbParserConfig
    from myst_parser.config.main import MdParserConfig

    page = ("---\njupytext:\n  text_representation:\n    extension: .md\n"
            "    format_name: myst\n---\n\n# Title\n\n```{code-cell} ipython3\n1 + 1\n```\n")
    book, elsewhere = tmp_path / "book", tmp_path / "other"
    notebook_setup._BOOKS[book.resolve()] = SOURCE
    notebook_setup._wrap_myst_nb_reader()
    from myst_nb import sphinx_ as mystnb_sphinx

    try:
        for folder, expected in ((book, 2), (elsewhere, 1)):
            reader = mystnb_sphinx.create_nb_reader(str(folder / "page.md"), MdParserConfig(),
                                                    NbParserConfig(), page)
            cells = reader.read(page).cells
            assert len([c for c in cells if c.cell_type == "code"]) == expected, folder
    finally:
        notebook_setup._BOOKS.pop(book.resolve())
