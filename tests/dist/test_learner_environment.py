"""The book's notebooks where learners run them: a fresh virtual environment outside the
repository with only the learners' requirements (the course image's requirements.txt, which
is binder/requirements.txt, and a kernel), and the wheel `make dist` builds.

- pages (one per chapter at least, from the built book's ``_build/html/_sources``) run top
  to bottom there, and every released exercise runs until its first unanswered
  ``NotImplementedError``, never an ``ImportError``;
- a page run where ``ttt`` is missing installs it in its first cell, from the configured
  source pointed at the local wheel, and runs;
- with the source out of reach, the first cell stops the notebook with one plain sentence.

The environment is made once per session (installing TensorFlow takes minutes); the tests
install and remove ``ttt`` in it as each needs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from distcheck import HTML, REPO, built, canonical_cell, toc_docnames
from ttt import __version__, labels, setup_cell

pytestmark = pytest.mark.slow

# One page of each chapter (the folder under book/): short ones, with and without ttt.
PAGES = ["book/tensors/assembling", "book/tapes/numpy_tape", "book/variables/modules",
         "book/linear_fit/least_squares", "book/minibatch/features", "book/appendix/tf1_to_tf2"]
SELF_INSTALLING_PAGE = "book/linear_fit/numpy"  # imports ttt, not TensorFlow: quick
EXERCISES = sorted((REPO / "exercises").glob("*/*.ipynb"))
# The Chinese variants: the same file names, in a folder of their own.
CHINESE_EXERCISES = sorted((REPO / "exercises" / "zh-CN").glob("*/*.ipynb"))
KERNEL = "ttt-learner"
CELL_TIMEOUT = 600


def _pin(name: str) -> str:
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if line.split("==")[0].strip().lower() == name:
            return line.split(";")[0].strip()
    raise AssertionError(f"requirements.lock pins no {name}")


@dataclass
class Learner:
    """A learner's environment: a venv, its kernel, and a clean process environment."""

    root: Path
    venv: Path
    kernels: Path

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MPLBACKEND")}
        env.update(PATH=f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
                   PYTHONNOUSERSITE="1", TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0")
        return env

    def pip(self, *arguments: str) -> None:
        ran = subprocess.run([self.python, "-m", "pip", *arguments, "--quiet",
                              "--disable-pip-version-check"], capture_output=True, text=True,
                             env=self.environment(), cwd=self.root, timeout=1800)
        assert ran.returncode == 0, ran.stderr[-3000:]

    def ttt_location(self) -> str | None:
        """Where `import ttt` finds it in a fresh interpreter of the venv (None: nowhere)."""
        ran = subprocess.run([self.python, "-c", "import ttt; print(ttt.__file__)"],
                             capture_output=True, text=True, env=self.environment(),
                             cwd=self.root)
        return ran.stdout.strip() if ran.returncode == 0 else None

    def without_ttt(self) -> None:
        if self.ttt_location() is not None:
            self.pip("uninstall", "--yes", setup_cell.DISTRIBUTION)
        assert self.ttt_location() is None

    def with_wheel(self, wheel: Path) -> None:
        self.pip("install", "--no-deps", "--force-reinstall", str(wheel))
        assert str(self.venv) in (self.ttt_location() or "")

    def run(self, notebook, folder: Path) -> nbformat.NotebookNode:
        """Execute ``notebook`` in the venv's kernel, from ``folder``; raises
        nbclient's CellExecutionError at the first error, as "Run all" stops there."""
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import KernelManager
        from nbclient import NotebookClient

        manager = KernelManager(kernel_name=KERNEL,
                                kernel_spec_manager=KernelSpecManager(kernel_dirs=[
                                    str(self.kernels)]))
        client = NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT,
                                allow_errors=False,
                                resources={"metadata": {"path": str(folder)}})
        client.execute(env=self.environment())
        return notebook


@pytest.fixture(scope="session")
def learner(tmp_path_factory, dist_files) -> Learner:
    root = tmp_path_factory.mktemp("learner")
    assert not root.resolve().is_relative_to(REPO)
    venv = root / "venv"
    # The base interpreter's venv module: nothing of .venv comes along.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    environment = Learner(root, venv, root / "kernels")
    environment.pip("install", "--no-compile", "-r", str(dist_files["requirements"]),
                    _pin("ipykernel"))
    ran = subprocess.run([environment.python, "-m", "ipykernel", "install", "--prefix",
                          str(root / "jupyter"), "--name", KERNEL],
                         capture_output=True, text=True, env=environment.environment())
    assert ran.returncode == 0, ran.stderr
    shutil.move(root / "jupyter" / "share" / "jupyter" / "kernels", environment.kernels)
    return environment


@pytest.fixture
def empty_folder(tmp_path) -> Path:
    folder = tmp_path / "learner-folder"
    folder.mkdir()
    assert not folder.resolve().is_relative_to(REPO)
    return folder


def copied_page(docname: str, folder: Path) -> nbformat.NotebookNode:
    """The page's notebook as the built book offers it, copied into ``folder``."""
    if not built():
        pytest.skip(f"no built book at {HTML}: run `make book` first (`make test` does)")
    copy = folder / f"{Path(docname).name}.ipynb"
    assert not copy.exists(), f"two pages named {copy.name}"
    shutil.copy(HTML / "_sources" / f"{docname}.ipynb", copy)
    notebook = nbformat.read(copy, as_version=4)
    for cell in notebook.cells:  # the download keeps the build's outputs: start afresh
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def in_both_languages(message: str, **values) -> str:
    """What the set-up cell says for ``setup_cell.MESSAGES[message]``: the English line,
    then the Chinese one (the cell is the same in both editions)."""
    said = labels.say(setup_cell.MESSAGES[message], **values)
    return f"{said.en}\n{said.zh}"


def set_up_cell(notebook) -> nbformat.NotebookNode:
    (cell,) = [c for c in notebook.cells if setup_cell.is_setup_cell(c)]
    return cell


def outputs_text(cell) -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", []))


def code_cells_after_set_up(notebook) -> list:
    return [c for c in notebook.cells if c.cell_type == "code"
            and not setup_cell.is_setup_cell(c)]


def test_the_pages_cover_every_chapter():
    chapters = {name.split("/")[1] for name in toc_docnames() if name.count("/") == 2}
    assert chapters == {name.split("/")[1] for name in PAGES}


def test_a_page_without_ttt_installs_it_from_the_configured_source(learner, dist_files,
                                                                  empty_folder):
    learner.without_ttt()
    notebook = copied_page(SELF_INSTALLING_PAGE, empty_folder)
    cell = set_up_cell(notebook)
    assert cell.source == canonical_cell()
    wheel = str(dist_files["wheel"])
    cell.source = setup_cell.cell_source(wheel)  # the configured source, pointed here
    learner.run(notebook, empty_folder)
    said = outputs_text(set_up_cell(notebook))
    assert said == in_both_languages("INSTALLED", version=__version__, source=wheel) + "\n"
    assert all(c.execution_count for c in code_cells_after_set_up(notebook)), (
        "the page did not run to its end")
    assert str(learner.venv) in learner.ttt_location()


def test_out_of_reach_the_first_cell_stops_the_notebook_in_plain_words(learner, empty_folder):
    from nbclient.exceptions import CellExecutionError

    learner.without_ttt()
    notebook = copied_page(SELF_INSTALLING_PAGE, empty_folder)
    unreachable = f"http://127.0.0.1:9/{setup_cell.wheel_name()}"  # nothing listens there
    set_up_cell(notebook).source = setup_cell.cell_source(unreachable)
    with pytest.raises(CellExecutionError):
        learner.run(notebook, empty_folder)
    (error,) = [o for o in set_up_cell(notebook).outputs if o.output_type == "error"]
    assert error.ename == "SetupError"
    assert error.traceback == in_both_languages(
        "OFFLINE", version=__version__, source=unreachable).splitlines()  # no traceback
    assert not any(c.execution_count for c in code_cells_after_set_up(notebook)), (
        "cells after the set-up cell ran")


def test_pages_and_exercises_run_where_only_the_wheel_is_installed(learner, dist_files,
                                                                   empty_folder):
    from nbclient.exceptions import CellExecutionError

    learner.with_wheel(dist_files["wheel"])
    pages = {docname: copied_page(docname, empty_folder) for docname in PAGES}
    chinese_folder = empty_folder / "zh-CN"
    chinese_folder.mkdir()
    folders = {}  # exercise key -> the folder it runs in
    for exercises_of, folder, prefix in ((EXERCISES, empty_folder, ""),
                                         (CHINESE_EXERCISES, chinese_folder, "zh-CN/")):
        for exercise in exercises_of:
            assert not (folder / exercise.name).exists()
            shutil.copy(exercise, folder)
            folders[prefix + exercise.name] = folder
    assert len(folders) == 2 * len(EXERCISES)
    exercises = {key: nbformat.read(folder / Path(key).name, as_version=4)
                 for key, folder in folders.items()}

    def run(key_and_notebook):
        key, notebook = key_and_notebook
        try:
            learner.run(notebook, folders.get(key, empty_folder))
        except CellExecutionError as error:
            return error
        return None

    # Two kernels at once: each spends most of its time importing TensorFlow.
    with ThreadPoolExecutor(max_workers=2) as pool:
        stops = dict(zip([*pages, *exercises],
                         pool.map(run, [*pages.items(), *exercises.items()])))
    failures = []
    for docname, notebook in pages.items():
        if stops[docname] is not None:
            failures.append(f"{docname}: {str(stops[docname])[-1500:]}")
            continue
        assert outputs_text(set_up_cell(notebook)) == "", (
            f"{docname}: the set-up cell spoke though ttt is installed")
    for name, notebook in exercises.items():
        assert stops[name] is not None, f"{name} ran to its end with no answer written"
        errors = [(k, o) for k, c in enumerate(notebook.cells) for o in c.get("outputs", [])
                  if o.output_type == "error"]
        (where, error), = errors
        first_answer = next(k for k, c in enumerate(notebook.cells)
                            if c.metadata.get("nbgrader", {}).get("solution"))
        # The first answer's stub raises when its checks (the next cell) call it.
        if error.ename != "NotImplementedError" or where < first_answer:
            failures.append(f"{name}: stopped at cell {where} with {error.ename} "
                            f"({str(stops[name])[-800:]})")
        ran = [c for c in notebook.cells[:where] if c.cell_type == "code"]
        assert all(c.execution_count for c in ran), f"{name}: a cell did not run"
    assert failures == [], "\n\n".join(failures)
    assert str(learner.venv) in learner.ttt_location()
