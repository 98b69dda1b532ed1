"""Execute one prepared notebook, cell by cell, and write what happened.

Runs INSIDE the sandbox (see autograder.sandbox.bubblewrap), as a plain script:

    python runner.py NOTEBOOK REPORT --cell-timeout SECONDS

or, in a run the grading template forked (autograder.sandbox.grading_template), as main()
called with those arguments in the forked process: its kernel is then forked too, by the
run's first process, through the kernel template's provisioner.

It starts a kernel with nbclient, runs every code cell (errors do not stop the run; a cell
that exceeds the timeout is interrupted and the next cell runs, unless the kernel then
answers nothing: the run stops there), stops the kernel at once,
then prints ONE line of JSON on its standard output: the run's summary and the text of the
probe's REPORT file. The kernel's own stdout and stderr go to the runner's stderr, so that
line is the only thing on stdout; the grader reads it through a pipe, size-capped, because
nothing in the sandbox is writable from outside and nothing the sandbox writes lands on the
grader's disk.

The runner never judges anything. The learner's kernel shares this sandbox and writes the
report itself, so the grader treats everything on that line as untrusted: the summary as
hints for the feedback (autograder.sandbox.runner_outcome), the report as data it judges
outside (autograder.judging).

Inside the sandbox the repository is not there: this file imports only its neighbour
confine.py (copied beside it), autograder.protocol (from the kernel library, on the
PYTHONPATH the grader sets), and nbclient and nbformat from the virtual environment.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import re
import signal
import stat
import sys
import time
from pathlib import Path

# nbformat imports jsonschema, whose optional checker of IRI formats (rfc3987_syntax)
# compiles a grammar when imported: over a second in every process. Notebooks use no such
# format, so the import is made to fail and jsonschema goes on without that checker.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
import zmq  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.util import ensure_async, run_sync  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402

from autograder.protocol import (  # noqa: E402
    KERNEL_DIED, KERNEL_UNRESPONSIVE, OUTPUTS_MAX_BYTES, REPORT_MAX_BYTES)

try:  # run as a script (in the sandbox too): confine.py lies beside this file
    from confine import confine  # noqa: E402
except ImportError:  # imported as autograder.sandbox.runner, by the tests
    from autograder.sandbox.confine import confine  # noqa: E402

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


async def _kernel_answers(kernel_client, seconds: float) -> bool:
    """Does the kernel run a silent `pass` within `seconds`? Asked after a timed-out cell was
    interrupted: a kernel that cannot run code then (its sockets garbled, or code that
    ignores the interrupt) would make every later cell wait out its timeout too. Code, not
    kernel_info: a learner's thread could answer that while the kernel itself stays stuck;
    and the whole cell timeout, as the next cell would have had: an honest op that cannot
    be interrupted (one compiled TensorFlow loop) may still end and let the rest run."""
    try:
        msg_id = kernel_client.execute("pass", silent=True, store_history=False)
    except zmq.Again:  # see _bound_sends
        return False
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            reply = await ensure_async(kernel_client.get_shell_msg(timeout=left))
            parent = reply.get("parent_header")
            if isinstance(parent, dict) and parent.get("msg_id") == msg_id:
                return True  # the interrupted cell's late reply, if any, came before
        except queue.Empty:
            return False
        except Exception:  # noqa: BLE001 -- a garbled or forged message is no answer
            continue
    return False


kernel_answers = run_sync(_kernel_answers)


def _answers_within(kernel_client, seconds: float, bound: float) -> bool:
    try:
        with _stuck_after(bound):
            return kernel_answers(kernel_client, seconds)
    except _Stuck:
        return False


class _Stuck(BaseException):
    """A wait on the kernel outlived any answer it could still give (see _stuck_after).
    Not an Exception: the `except Exception` of a library waiting on the kernel (or of
    _kernel_answers) must not swallow it, as none swallows KeyboardInterrupt."""


# Beyond a cell's own timeout, for nbclient's other waits (outputs, the interrupt): a call
# to the kernel that takes longer is stuck.
STUCK_MARGIN_SECONDS = 30.0
SHUTDOWN_SECONDS = 15.0  # for the kernel's shutdown after the last cell


@contextlib.contextmanager
def _stuck_after(seconds: float):
    """Raise _Stuck in this (the main) thread if the block is still running after `seconds`.

    nbclient bounds the wait for a cell's reply, not every wait behind it: with the
    kernel's sockets garbled, one of them (the outputs' end, the shutdown) can wait for
    ever, and the run would hold its slot until the wall limit."""
    def stuck(signum, frame):
        raise _Stuck(f"no progress in {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _bound_sends(kernel_client, seconds: float) -> None:
    """Make a request to the kernel fail (zmq.Again) when it cannot be sent in `seconds`.

    ZeroMQ queues a request while the kernel is connected, at once; once a garbled
    connection is dropped there is no peer, and a send would wait for one for ever."""
    kernel_client.shell_channel.socket.setsockopt(zmq.SNDTIMEO, int(seconds * 1000))


# IPython names a notebook cell's frame "Cell In[<execution count>], line <n>".
_CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line \d+")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def innermost_cell(error: dict, cell_by_count: dict[int, int]) -> int | None:
    """Index of the notebook cell whose code raised the error (the innermost cell frame of
    its traceback), or None when no frame is a cell of this notebook."""
    traceback = _ANSI.sub("", "\n".join(map(str, error.get("traceback") or [])))
    counts = [int(count) for count in _CELL_FRAME.findall(traceback)]
    return cell_by_count.get(counts[-1]) if counts else None


def _cell_summary(index: int, cell, timed_out: bool, cell_by_count: dict[int, int]) -> dict:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    raised_in = None
    if timed_out:
        status, ename, evalue = "timeout", TIMEOUT_ENAME, ""
    elif errors:
        status, ename, evalue = "error", errors[-1].get("ename", ""), errors[-1].get("evalue", "")
        raised_in = innermost_cell(errors[-1], cell_by_count)
    else:
        status, ename, evalue = "ok", "", ""
    return {"index": index, "grade_id": grade_id, "status": status, "ename": ename,
            "evalue": str(evalue)[:500], "raised_in": raised_in}


def execute(notebook_path: Path, cell_timeout: float, startup_timeout: float = 180.0) -> dict:
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
        resources={"metadata": {"path": os.getcwd()}},
        # Nothing is left to ask of the kernel after the last cell: a graceful shutdown
        # only waits (about a second per submission) for a process about to be killed.
        shutdown_kernel="immediate",
    )
    outcome = "completed"
    summaries = []
    cell_by_count: dict[int, int] = {}  # execution count -> cell index, for tracebacks
    bound = cell_timeout + STUCK_MARGIN_SECONDS
    try:
        with _stuck_after(startup_timeout + bound + SHUTDOWN_SECONDS), client.setup_kernel():
            _bound_sends(client.kc, cell_timeout)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    with _stuck_after(bound):
                        client.execute_cell(cell, index)
                except (DeadKernelError, zmq.Again, _Stuck) as stop:  # Again: not even sent
                    outcome = KERNEL_DIED if isinstance(stop, DeadKernelError) \
                        else KERNEL_UNRESPONSIVE
                    summaries.append(
                        _cell_summary(index, cell, False, cell_by_count) | {"status": "died"})
                    break
                except Exception as error:  # noqa: BLE001 -- e.g. nbformat refusing an
                    # output whose execution count the learner set below 0: that cell's
                    # error, and the run (and the points the report holds) goes on
                    summaries.append(_cell_summary(index, cell, False, cell_by_count) | {
                        "status": "error", "ename": type(error).__name__,
                        "evalue": str(error)[:500]})
                    continue
                if isinstance(cell.get("execution_count"), int):
                    cell_by_count[cell["execution_count"]] = index
                timed_out = cell.get("id", "") in client.timed_out_cell_ids
                summaries.append(_cell_summary(index, cell, timed_out, cell_by_count))
                if timed_out and not _answers_within(client.kc, cell_timeout, bound):
                    outcome = KERNEL_UNRESPONSIVE
                    break
            signal.setitimer(signal.ITIMER_REAL, SHUTDOWN_SECONDS)  # the outer block's end
    except _Stuck:  # starting the kernel, or its shutdown after the last cell, hung
        if outcome == "completed" and len(summaries) < sum(
                c.cell_type == "code" for c in nb.cells):
            outcome = KERNEL_UNRESPONSIVE
    except DeadKernelError:
        outcome = KERNEL_DIED
    except RuntimeError as error:  # kernel failed to start, or died while starting
        outcome = f"kernel failed: {error}"[:300]
    return {"outcome": outcome, "cells": summaries, "outputs": cell_outputs(nb)}


def cell_outputs(nb, max_bytes: int = OUTPUTS_MAX_BYTES) -> list[dict]:
    """Each code cell's outputs and execution count, in order, while they fit in max_bytes
    of JSON (a later cell's outputs that do not fit are left out): the grader puts them
    back into its own copy of the notebook for nbgrader's formgrader."""
    kept, used = [], 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        entry = {"index": index, "execution_count": cell.get("execution_count"),
                 "outputs": cell.get("outputs", [])}
        size = len(json.dumps(entry))
        if used + size > max_bytes:
            entry["outputs"] = []
            size = len(json.dumps(entry))
        used += size
        kept.append(entry)
    return kept


def read_report(path: Path, max_bytes: int = REPORT_MAX_BYTES) -> str | None:
    """The probe's report, or None when there is none or it is over max_bytes. The kernel may
    have left anything at that path (a FIFO that would block, a symlink, a huge file): only
    a regular file is read, through O_NONBLOCK and O_NOFOLLOW, and never more than needed."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        return None
    with os.fdopen(handle, "rb") as file:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        return None
    return data.decode("utf-8", errors="replace")


def _keep_kernel_off_stdout() -> int:
    """Return a private copy of stdout for the result line, and point fd 1 at stderr, so
    the kernel (which inherits fds 1 and 2) can only print to the log."""
    result_fd = os.dup(1)  # not inheritable: the kernel does not get it
    os.dup2(2, 1)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    return result_fd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("report", type=Path, help="where the probe appends its report")
    parser.add_argument("--cell-timeout", type=float, required=True)
    args = parser.parse_args(argv)
    result_fd = _keep_kernel_off_stdout()
    not_confined = confine()  # before the kernel starts: it inherits the confinement
    summary = execute(args.notebook, args.cell_timeout)
    summary["not_confined"] = not_confined
    summary["report"] = read_report(args.report)
    with os.fdopen(result_fd, "w", encoding="utf-8") as result:
        result.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    code = main()
    # Not sys.exit: a thread of nbclient's left waiting on a stuck kernel (see _stuck_after)
    # would hold the interpreter's exit; the result line is written and flushed.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
