"""One prepared notebook, run under every limit: from its command to its checked result."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder import protocol
from autograder.sandbox import memory_protection, runner_outcome, watchdog, zygote
from autograder.sandbox.limits import Limits
from autograder.sandbox.workspace import Workspace, make_removable


@dataclass
class Ran:
    """What running one notebook left: the watchdog's outcome, the runner's checked summary
    (None when its line was unusable) and the probe's report as the grader saved it."""

    outcome: watchdog.Outcome
    summary: dict | None
    report: Path
    # Each code cell's outputs as the runner sent them, unchecked (see
    # autograder.autograded_copy, which checks them for the formgrader's copy).
    outputs: list = field(default_factory=list)


def run_notebook(workspace: Workspace, scratch: Path, index: int, seed: int, limits: Limits,
                 use_sandbox: bool, abandon: Callable[[], bool] | None = None) -> Ran:
    """Run ``scratch/submission.ipynb`` (submission ``index`` of the batch) with the runner,
    in the sandbox unless ``use_sandbox`` is false, under every limit in ``limits``;
    ``abandon``: see :func:`autograder.sandbox.watchdog.run_limited`. In the sandbox, a
    run forked by the batch's grading template (autograder.sandbox.zygote) unless
    ``limits.zygote`` is off; when the template cannot give one, or is lost during the
    run, the plain way."""
    outcome = None
    if use_sandbox and limits.zygote:
        outcome = _forked_run(workspace, scratch, index, seed, limits, abandon)
    if outcome is None:
        command, cwd = workspace.command(scratch, seed, limits, use_sandbox)
        outcome = _watched(workspace, index, limits, use_sandbox, abandon, command=command,
                           cwd=cwd)
    if not use_sandbox:  # the kernel shared this process's user and files
        watchdog.end_orphans(protocol.SEED_VARIABLE)  # daemons that left the tree
        make_removable(scratch)  # the kernel worked there as the grader's own user
    summary = runner_outcome.parse_runner_output(outcome)
    outcome.output = b""  # parsed: kept no longer than needed, a batch holds every run
    report = summary.pop("report", None) if summary else None
    outputs = summary.pop("outputs", []) if summary else []
    path = workspace.report(index)
    path.write_text(report if isinstance(report, str) else "", encoding="utf-8")
    return Ran(outcome, summary, path, outputs)


def _watched(workspace: Workspace, index: int, limits: Limits, use_sandbox: bool,
             abandon: Callable[[], bool] | None, **start) -> watchdog.Outcome:
    """watchdog.run_limited, in the submission's own control group; ``start``: its
    ``command`` and ``cwd``, or ``started``."""
    protection = workspace.protection
    group = protection.submission_group(
        str(index), limits.memory_bytes + memory_protection.folder_bytes(limits.disk_bytes,
                                                                         use_sandbox),
        limits.max_tasks)
    try:
        return watchdog.run_limited(
            start.pop("command", []), wall_seconds=limits.wall_seconds,
            memory_bytes=limits.memory_bytes, max_tasks=limits.max_tasks,
            cpu_cores=limits.cpu_share * workspace.threads,
            output_limit=protocol.RESULT_MAX_BYTES, log_path=workspace.log(index),
            group=group,
            inode_caps=memory_protection.inode_caps(limits.max_files) if use_sandbox else None,
            host_floor=protection.host_floor, abandon=abandon, **start)
    finally:
        if group is not None:
            group.remove()


def _forked_run(workspace: Workspace, scratch: Path, index: int, seed: int, limits: Limits,
                abandon: Callable[[], bool] | None) -> watchdog.Outcome | None:
    """The run forked by the grading template; None when the template could not give it
    or was lost before the run ended (the watchdog stopping the run first stands)."""
    template = workspace.grading_template()
    if template is None:
        return None
    runs: list[zygote.ForkedRun] = []

    def started(group):
        runs.append(workspace.forked_run(template, scratch, seed, limits, group))
        return runs[-1]

    try:
        outcome = _watched(workspace, index, limits, True, abandon, started=started)
    except zygote.TemplateLost as why:
        workspace.template_lost(template, str(why))
        return None
    except Exception as error:  # noqa: BLE001 -- whatever failed, the plain way still grades
        workspace.template_lost(template, f"{type(error).__name__}: {error}")
        return None
    finally:
        for run in runs:
            run.release()
    if runs[0].lost and not outcome.limit:
        why = runs[0].lost
        if outcome.returncode == protocol.SANDBOX_NOT_MADE:  # its log's last line says why
            lines = workspace.log(index).read_text(errors="replace").strip().splitlines()
            why += f" ({lines[-1][:300]})" if lines else ""
        workspace.template_lost(template, why)
        return None
    if not outcome.limit and outcome.returncode == RUNNER_FAILED and not outcome.output:
        # The runner raised (a signal would say 128 + N) and wrote no result: the forked
        # path may be what broke, so the plain way decides. The template stays.
        print(f"grading template: run {index} ended without a result (the runner failed: "
              "its log says why); graded again the plain way", file=sys.stderr, flush=True)
        return None
    return outcome


RUNNER_FAILED = 1  # a Python process's exit status after an exception nothing caught
