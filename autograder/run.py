"""Execute one prepared notebook, cell by cell, and write what happened.

Runs INSIDE the sandbox (see autograder.sandbox), as a plain script:

    python run.py NOTEBOOK EXECUTED RESULT --cell-timeout SECONDS

It starts a kernel with nbclient, runs every code cell (errors do not stop the run; a cell
that exceeds the timeout is interrupted and the next cell runs), then writes the executed
notebook to EXECUTED and a small JSON summary to RESULT. It never judges anything: the
learner's kernel shares this sandbox and could rewrite both files, so the grader outside
reads them as untrusted hints for the feedback only. Scores come from the probe's report,
judged by autograder.verdict outside the sandbox.

This file imports nothing from the repository, because inside the sandbox the repository is
not there: it needs only nbclient and nbformat from the virtual environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

# nbformat imports jsonschema, whose optional checker of IRI formats (rfc3987_syntax)
# compiles a grammar when imported: over a second in every process. Notebooks use no such
# format, so the import is made to fail and jsonschema goes on without that checker.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402

TIMEOUT_ENAME = "CellTimeoutError"


class _RecordingClient(NotebookClient):
    """An nbclient that remembers which cells it had to interrupt for taking too long."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timed_out_cell_ids: set[str] = set()

    async def _async_handle_timeout(self, timeout, cell=None):
        if cell is not None:
            self.timed_out_cell_ids.add(cell.get("id", ""))
        return await super()._async_handle_timeout(timeout, cell)


def _cell_summary(index: int, cell, timed_out: bool) -> dict:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if timed_out:
        status, ename, evalue = "timeout", TIMEOUT_ENAME, ""
    elif errors:
        status, ename, evalue = "error", errors[-1].get("ename", ""), errors[-1].get("evalue", "")
    else:
        status, ename, evalue = "ok", "", ""
    return {"index": index, "grade_id": grade_id, "status": status, "ename": ename,
            "evalue": str(evalue)[:500]}


def execute(notebook_path: Path, executed_path: Path, cell_timeout: float,
            startup_timeout: float = 180.0) -> dict:
    """Run every code cell of the notebook; return the summary written by main()."""
    nb = nbformat.read(notebook_path, as_version=4)
    client = _RecordingClient(
        nb,
        timeout=cell_timeout,
        startup_timeout=startup_timeout,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_ENAME,
                          "evalue": f"cell exceeded {cell_timeout:g} s", "traceback": []},
        resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    outcome = "completed"
    summaries = []
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    outcome = "kernel died"
                    summaries.append(_cell_summary(index, cell, False) | {"status": "died"})
                    break
                summaries.append(
                    _cell_summary(index, cell, cell.get("id", "") in client.timed_out_cell_ids))
    except DeadKernelError:
        outcome = "kernel died"
    except RuntimeError as error:  # kernel failed to start, or died while starting
        outcome = f"kernel failed: {error}"[:300]
    _replace_file(executed_path, nbformat.writes(nb))
    return {"outcome": outcome, "cells": summaries}


def _replace_file(path: Path, text: str) -> None:
    """Write via a fresh temporary file and rename it over path: whatever the notebook left
    at that path (a FIFO that would block, a symlink) is replaced, never followed."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".result-")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("executed", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--cell-timeout", type=float, required=True)
    args = parser.parse_args(argv)
    summary = execute(args.notebook, args.executed, args.cell_timeout)
    _replace_file(args.result, json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
