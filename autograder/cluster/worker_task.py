"""The task a Dask worker runs for one submission: its prepared notebook, run in the
sandbox under the batch's limits, exactly as :func:`autograder.batch.grade_batch` runs it
on this machine (:func:`autograder.sandbox.execute.run_notebook`).

The worker judges nothing and writes nothing but its own scratch folders: the run's
outcome, the runner's summary and the probe's report go back to the coordinator, which
judges and writes (one writer). A worker whose course differs from the coordinator's
refuses the task (:class:`StaleWorker`). A task that is cancelled, or whose worker is
closing (its scheduler went away), ends its sandbox within a second or so
(:class:`Abandoned`): no sandboxed process outlives its task. A worker killed outright
takes its sandboxes with it (bubblewrap's ``--die-with-parent``), and Dask runs the task
again on another worker.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from autograder.cluster import course_manifest
from autograder.sandbox import watchdog
from autograder.sandbox.execute import Ran, run_notebook
from autograder.sandbox.limits import Limits
from autograder.sandbox.workspace import Workspace


class StaleWorker(Exception):
    """This worker's course differs from the coordinator's: args are (worker, its
    manifest's files, packages, Python version), for the coordinator to compare."""

    def __str__(self) -> str:  # short: Dask replaces a long one's args by its first words
        return f"{self.args[0]}: its course differs from the coordinator's"


class Abandoned(Exception):
    """The task was cancelled or its worker is closing: its result would reach nobody."""


@dataclass(frozen=True)
class WorkOrder:
    """One submission to run, and what the worker checks before it runs it."""

    learner_id: str
    notebook: str  # the prepared notebook (autograder.batch.prepare), as JSON
    seed: int
    limits: Limits
    use_sandbox: bool
    course: str  # the coordinator's course_manifest digest
    slots: dict[str, int]  # host name -> submissions the batch runs there at once


@dataclass
class WorkDone:
    """What came back from running it (autograder.sandbox.execute.Ran, without paths)."""

    outcome: watchdog.Outcome
    summary: dict | None
    report: str
    # The runner's outputs, unchecked, as JSON text: a notebook can nest them deeper than
    # pickling (and so Dask) can carry; outputs() reads them back.
    outputs_json: str = "[]"
    worker: str = ""

    def outputs(self) -> list:
        """The outputs as :class:`~autograder.sandbox.execute.Ran` holds them ([] if they
        cannot be read back here: they only fill the formgrader's copy)."""
        try:
            outputs = json.loads(self.outputs_json)
        except (ValueError, RecursionError):
            return []
        return outputs if isinstance(outputs, list) else []


def work_done(ran: Ran, worker: str) -> WorkDone:
    """What goes back to the coordinator of a run here."""
    try:
        outputs = json.dumps(ran.outputs)
    except (ValueError, RecursionError):
        outputs = "[]"
    return WorkDone(ran.outcome, ran.summary, ran.report.read_text(encoding="utf-8"),
                    outputs, worker)


class _Here:
    """This worker process's workspaces (one per kind of batch), made at the first task
    and removed when the process exits; and its own numbering of scratch folders."""

    def __init__(self):
        self.lock = threading.Lock()
        self.workspaces: dict[tuple, Workspace] = {}
        self.numbers = itertools.count()
        atexit.register(self.remove)

    def workspace(self, order: WorkOrder, host: str) -> Workspace:
        slots = order.slots.get(host, 1)
        kind = (slots, order.limits.cgroups, order.limits.host_floor_bytes)
        with self.lock:
            if kind not in self.workspaces:
                self.workspaces[kind] = Workspace(slots, order.limits)
            return self.workspaces[kind]

    def remove(self) -> None:
        with self.lock:
            for workspace in self.workspaces.values():
                workspace.remove()
            self.workspaces.clear()


_here = _Here()


def _abandoned_check(worker, key: str):
    """True once the task is no longer wanted: cancelled (the coordinator stopped, or lost
    the scheduler) or the worker is closing (it lost the scheduler itself)."""
    from distributed.core import Status  # noqa: PLC0415 -- on workers only

    def abandoned() -> bool:
        task = worker.state.tasks.get(key)
        return (worker.status != Status.running or task is None
                or task.state not in ("executing", "long-running"))
    return abandoned


def readiness(use_sandbox: bool, course: str) -> tuple[str, dict, dict, str, str]:
    """Asked of every worker before a batch (``client.run``) of the ``course`` digest: its
    course manifest (one that differs, if any: see :func:`_differing`), and why it cannot
    sandbox learners' code ("" when it can)."""
    from autograder.sandbox import bubblewrap  # noqa: PLC0415

    mine = _differing(course) or course_manifest.this_process()
    problem = ""
    if use_sandbox:
        try:
            bubblewrap.check_available()
        except bubblewrap.SandboxUnavailable as error:
            problem = str(error)
    return mine.digest, mine.files, mine.packages, mine.python, problem


def check_course(order: WorkOrder) -> None:
    mine = _differing(order.course)
    if mine is not None:
        raise StaleWorker(_worker_address(), mine.files, mine.packages, mine.python)


def _differing(course: str) -> course_manifest.Manifest | None:
    """The manifest that keeps this worker from grading ``course`` (the coordinator's
    digest), or None. Both must be the coordinator's: the one it started with (what it
    imported then) and the course on disk now (what it imports, copies into a workspace and
    runs in the sandbox later): a file edited after the worker started is refused too."""
    for mine in (course_manifest.this_process(), course_manifest.compute()):
        if mine.digest != course:
            return mine
    return None


def _worker_address() -> str:
    from distributed import get_worker  # noqa: PLC0415

    try:
        return get_worker().address
    except ValueError:  # called outside a worker (tests)
        return f"process {os.getpid()}"


def grade(order: WorkOrder) -> WorkDone:
    """Run one submission's notebook here (the task's function)."""
    from distributed import get_worker  # noqa: PLC0415
    from distributed.comm import get_address_host  # noqa: PLC0415

    worker = get_worker()
    check_course(order)
    # Slots are counted per machine by the host of each worker's address, as the
    # coordinator sees it (coordinator.check_workers).
    workspace = _here.workspace(order, get_address_host(worker.address))
    index = next(_here.numbers)
    scratch = workspace.scratch(index)
    if not order.use_sandbox:  # as batch.grade_batch: daemons that detach themselves come
        watchdog.adopt_orphans()  # back to this process, and run_notebook ends them
    try:
        (scratch / "submission.ipynb").write_text(order.notebook, encoding="utf-8")
        ran = run_notebook(workspace, scratch, index, order.seed, order.limits,
                           order.use_sandbox,
                           abandon=_abandoned_check(worker, worker.get_current_task()))
        if ran.outcome.limit == watchdog.ABANDONED:
            raise Abandoned(f"{order.learner_id}: the task was cancelled")
        return work_done(ran, worker.address)
    finally:  # this worker grades many batches: nothing of a submission stays
        for path in (workspace.report(index), workspace.log(index)):
            Path(path).unlink(missing_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)
