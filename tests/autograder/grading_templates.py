"""The grading template's processes, found from outside as the tests need them, and a
script run in a run it forked.

A run the template forked never exec's: all its processes show the template's command line
and environment. The template itself is the Python process right below its sandbox's bwrap
(whose own command line names the script too).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Callable

import nbformat
import psutil

from autograder.sandbox import bubblewrap, execute, workspace
from autograder.sandbox.limits import Limits

SCRIPT = f"{bubblewrap.RUNNER_DIR}/grading_template.py"


def templates(under: psutil.Process | None = None) -> list[psutil.Process]:
    """Every grading template's process (below ``under``, if given)."""
    found = []
    for process in (under.children(recursive=True) if under else psutil.process_iter()):
        try:
            if process.cmdline()[1:2] == [SCRIPT] and "bwrap" in process.parent().name():
                found.append(process)
        except (psutil.Error, AttributeError):
            continue  # ended meanwhile
    return found


def when(find: Callable[[], psutil.Process | None], action: Callable[[psutil.Process], None],
         seconds: float = 240) -> threading.Thread:
    """A started thread that calls ``action`` on what ``find`` returns, once it returns
    something (polled for at most ``seconds``)."""
    def watch():
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                found = find()
            except psutil.Error:
                found = None
            if found is not None:
                action(found)
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    return watcher


def script_in_a_forked_run(script: str, argv: list[str]) -> tuple[dict, dict, list[str]]:
    """Run ``script`` (which prints one JSON object last) as the one code cell of a
    submission the grading template forks, with ``sys.argv[1:]`` = ``argv``, in a workspace
    of its own. (That JSON, the runner's summary, the files the run left in its host
    folder.)"""
    limits = Limits(cell_timeout=120, wall_seconds=300)
    batch = workspace.Workspace(1, limits)
    try:
        scratch = batch.scratch(0)
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(
            f"import sys\nsys.argv = ['script', *{argv!r}]\n" + script)]
        nbformat.write(notebook, scratch / "submission.ipynb")
        ran = execute.run_notebook(batch, scratch, 0, 7, limits, True)
        assert batch.templates_lost == []
        printed = [output["text"] for output in ran.outputs[0]["outputs"]
                   if output.get("name") == "stdout"]
        assert printed, (ran.outputs, batch.log(0).read_text(errors="replace"))
        return json.loads(printed[-1]), ran.summary, sorted(p.name for p in scratch.iterdir())
    finally:
        batch.remove()
